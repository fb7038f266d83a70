//! `yuanzhu serve`, `user …` and `token create`: wiring of the server and of accounts.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::Role;
use yuanzhu_rules::{Lang, PolicySet};
use yuanzhu_storage::clock::Clock;
use yuanzhu_storage::{Store, StoreError, accounts, persons, search, sessions};
use yuanzhu_web::words::Describe;
use yuanzhu_web::{AppState, Config, password};

use crate::registry::{fail, runtime};

/// The unit of the first account: the city.
const CITY: &str = "440100";
/// Persons in the demo registry the server makes with `--demo`.
const DEMO_PERSONS: usize = 2_000;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080, or the config file's].
    #[arg(long, value_name = "ADDR", env = "YUANZHU_LISTEN")]
    listen: Option<String>,
    /// On an empty registry: fill it with the demo registry and one account per role, and print
    /// their passwords once.
    #[arg(long)]
    demo: bool,
    /// A TOML configuration file (keys: listen, db, session_idle_minutes, session_absolute_hours,
    /// secure_cookies, max_body_mib, log_format, dashboard_cache_seconds, auth_cache_seconds,
    /// metrics_token, time_zone, import_max_rows, import_max_unpacked_mib, audit_head_seconds,
    /// follow_up_months).
    #[arg(long, value_name = "FILE", env = "YUANZHU_CONFIG")]
    config: Option<PathBuf>,
}

pub fn serve(db: Option<String>, time_zone: Option<Clock>, args: ServeArgs, policies: PolicySet) -> ExitCode {
    let mut config = match &args.config {
        Some(path) => match Config::from_file(path) {
            Ok(c) => c,
            Err(e) => return crate::usage_error(e),
        },
        None => Config::default(),
    };
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(db) = db {
        config.db = db;
    }
    // From the environment only, never a flag: a flag shows in the process list.
    if let Some(token) = std::env::var("YUANZHU_METRICS_TOKEN").ok().filter(|t| !t.trim().is_empty()) {
        config.metrics_token = Some(token);
    }
    if let Some(clock) = time_zone {
        config.time_zone = clock;
    }
    yuanzhu_web::init_logging(&config.log_format);
    tracing::info!(?config, "starting");
    runtime().block_on(async move {
        let store = match prepare(&config, args.demo, &policies).await {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        let listener = match tokio::net::TcpListener::bind(&config.listen).await {
            Ok(l) => l,
            Err(e) => return fail(format!("cannot listen on {}: {e}", config.listen)),
        };
        let addr = listener.local_addr().map_or_else(|_| config.listen.clone(), |a| a.to_string());
        println!("援助 Yuanzhu 已启动：http://{addr}/  (API: http://{addr}/api/v1, docs: http://{addr}/api/docs)");
        println!("Yuanzhu is listening on http://{addr}/ — sign in there; Ctrl-C stops it.");
        let state = AppState::new(store.clone(), policies, config);
        let result = yuanzhu_web::serve(listener, state, yuanzhu_web::shutdown_signal()).await;
        store.close().await;
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(e),
        }
    })
}

/// Schema and unit tree; on first start the `admin` account; with `--demo` on an empty
/// registry, the demo registry and one account per role.
async fn prepare(config: &Config, demo: bool, policies: &PolicySet) -> Result<Store, String> {
    let store = Store::connect_serving(&config.db).await.map_err(|e| e.to_string())?.with_clock(config.time_zone);
    store.init().await.map_err(|e| e.to_string())?;
    let first_start = accounts::count(&store).await.map_err(|e| e.to_string())? == 0;
    if first_start {
        let pw = password::generate();
        create(&store, "admin", Role::CityAdmin, CITY, &pw).await?;
        println!("首次启动：已创建管理员账户 admin（市级管理员），密码 {pw}  —— 仅显示这一次，请妥善保存。");
        println!("First start: account `admin` (city_admin) created with password {pw} — shown this once only.");
    }
    if demo && persons::count(&store).await.map_err(|e| e.to_string())? == 0 {
        crate::registry::fill_demo(&store, DEMO_PERSONS, 20_140_120, policies).await.map_err(|e| e.to_string())?;
        println!("演示数据：{DEMO_PERSONS} 名合成人员。演示账户（密码仅显示这一次）：");
        println!("Demo registry: {DEMO_PERSONS} synthetic persons. Demo accounts (passwords shown once):");
        for (username, role, unit) in DEMO_ACCOUNTS {
            if accounts::by_username(&store, username).await.map_err(|e| e.to_string())?.is_some() {
                continue;
            }
            let pw = password::generate();
            create(&store, username, *role, unit, &pw).await?;
            println!("  {username:<14} {:<20} {unit:<12} {pw}", role.code());
        }
        assign_demo_cases(&store).await.map_err(|e| e.to_string())?;
        // 越秀区, where the demo accounts work: a ledger with services in it.
        crate::registry::fill_demo_services(&store, DEMO_PERSONS, 20_140_120, "440104", policies)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(store)
}

/// One account per role, around 越秀区东山街道 (440104011) and its first demo community.
const DEMO_ACCOUNTS: &[(&str, Role, &str)] = &[
    ("city", Role::CityAdmin, CITY),
    ("district", Role::DistrictSupervisor, "440104"),
    ("street", Role::StreetOfficer, "440104011"),
    ("caseworker", Role::CommunityWorker, "440104011001"),
    ("hotline", Role::HotlineOperator, CITY),
    ("socialworker", Role::SocialWorker, "440104011"),
    ("auditor", Role::Auditor, CITY),
];

/// Gives the demo social worker the first few persons of 东山街道 to follow.
async fn assign_demo_cases(store: &Store) -> Result<(), String> {
    let hits = search::search(store, "陈", search::Scope::Units("440104011"), 5).await.map_err(|e| e.to_string())?;
    let on = store.clock().today();
    for h in hits {
        sessions::assign(store, &h.id_number, "socialworker", "demo", on).await.map_err(|e| e.message(Lang::En))?;
    }
    Ok(())
}

async fn create(store: &Store, username: &str, role: Role, unit: &str, pw: &str) -> Result<(), String> {
    let unit = UnitCode::parse(unit).map_err(|e| e.to_string())?;
    let hash = password::hash(pw.to_owned()).await;
    accounts::create(store, username, role, &unit, &hash, "yuanzhu").await.map_err(|e| e.message(Lang::Zh))?;
    Ok(())
}

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Add an account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// city_admin, district_supervisor, street_officer, community_worker, hotline_operator,
        /// social_worker or auditor.
        #[arg(long)]
        role: String,
        /// The unit code the account acts for (its jurisdiction is the unit's subtree).
        #[arg(long)]
        unit: String,
        /// Read the password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Disable an account: its sessions end and its tokens stop working.
    Disable {
        #[arg(long)]
        username: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(long)]
        username: String,
    },
    /// Set a new password (read from standard input); the account's sessions end.
    ResetPassword {
        #[arg(long)]
        username: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List the accounts.
    List,
}

fn read_password() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| format!("cannot read the password: {e}"))?;
    let pw = line.trim_end_matches(['\n', '\r']).to_owned();
    password::check_new(&pw).map_err(|(zh, en)| format!("password: {zh} ({en})"))?;
    Ok(pw)
}

pub fn user(db: &str, command: UserCommand) -> ExitCode {
    let result = runtime().block_on(async {
        let store = crate::connect(db).await.map_err(|e| e.to_string())?;
        store.init().await.map_err(|e| e.to_string())?;
        let actor = crate::registry::actor();
        let out = match command {
            UserCommand::Add { username, role, unit, .. } => {
                let role = Role::parse(&role).ok_or_else(|| {
                    let all: Vec<_> = Role::ALL.iter().map(|r| r.code()).collect();
                    format!("role: unknown role `{role}`; one of {}", all.join(", "))
                })?;
                let unit = UnitCode::parse(&unit).map_err(|e| format!("unit: {e}"))?;
                let pw = read_password()?;
                let hash = password::hash(pw).await;
                let a = accounts::create(&store, &username, role, &unit, &hash, &actor).await.map_err(account_error)?;
                format!("added {} ({}, {})", a.username, a.role, a.unit)
            }
            UserCommand::Disable { username } => {
                let a = accounts::set_disabled(&store, &username, true, &actor).await.map_err(account_error)?;
                format!("disabled {}", a.username)
            }
            UserCommand::Enable { username } => {
                let a = accounts::set_disabled(&store, &username, false, &actor).await.map_err(account_error)?;
                format!("enabled {}", a.username)
            }
            UserCommand::ResetPassword { username, .. } => {
                let pw = read_password()?;
                let hash = password::hash(pw).await;
                let a = accounts::set_password(&store, &username, &hash, &actor).await.map_err(account_error)?;
                format!("password of {} set; its sessions have ended", a.username)
            }
            UserCommand::List => {
                let all = accounts::list(&store, "").await.map_err(|e| e.to_string())?;
                all.iter()
                    .map(|a| {
                        let state = if a.disabled { "disabled" } else { "active" };
                        format!("{}\t{}\t{}\t{state}", a.username, a.role, a.unit)
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            }
        };
        store.close().await;
        Ok::<_, String>(out)
    });
    match result {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn account_error(e: accounts::AccountError) -> String {
    match e.field() {
        Some(f) => format!("{f}: {}", e.message(Lang::Zh)),
        None => e.message(Lang::Zh),
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Create a bearer token for a machine client acting as this account; printed once.
    Create {
        #[arg(long)]
        username: String,
        /// What the token is for.
        #[arg(long, default_value = "api")]
        label: String,
        /// Days until it expires; 0 for a token that never expires, which must be asked for.
        #[arg(long, default_value_t = DEFAULT_TOKEN_DAYS)]
        days: i64,
    },
}

/// A token's lifetime unless another is asked for: a forgotten token stops working by itself.
const DEFAULT_TOKEN_DAYS: i64 = 90;

pub fn token(db: &str, command: TokenCommand) -> ExitCode {
    let TokenCommand::Create { username, label, days } = command;
    if days < 0 {
        return crate::usage_error(format!("--days: a number of days, 0 for never, got {days}"));
    }
    let expires = (days > 0).then(|| chrono::Utc::now() + chrono::Duration::days(days));
    let result = runtime().block_on(async {
        let store = crate::connect(db).await.map_err(|e| e.to_string())?;
        store.init().await.map_err(|e| e.to_string())?;
        let (account, _) = accounts::by_username(&store, &username)
            .await
            .map_err(|e: StoreError| e.to_string())?
            .ok_or_else(|| format!("username: no account `{username}`"))?;
        let secret = password::secret();
        let expires = expires.map(yuanzhu_web::auth::stamp);
        sessions::create_token(&store, &account.id, &secret, &label, expires.as_deref(), &crate::registry::actor())
            .await
            .map_err(|e| e.to_string())?;
        store.close().await;
        Ok::<_, String>(secret)
    });
    match result {
        Ok(secret) => {
            println!("{secret}");
            eprintln!("(shown once: send it as `Authorization: Bearer …`)");
            match expires.map(|at| at.format("%Y-%m-%d %H:%M")) {
                Some(at) => {
                    eprintln!("令牌有效期 {days} 天，至 {at} (UTC) 失效。");
                    eprintln!("It expires in {days} days, at {at} UTC.");
                }
                None => {
                    eprintln!("此令牌永不过期（--days 0）：不再需要时请吊销。");
                    eprintln!("It never expires (--days 0): revoke it when it is no longer needed.");
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
