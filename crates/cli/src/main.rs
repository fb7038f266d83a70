//! The `yuanzhu` command. Wiring only: parse arguments, read and write files, call the crates.
#![forbid(unsafe_code)]

mod assess;
mod audit;
mod demo;
mod export;
mod pipeline;
mod registry;
mod server;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use yuanzhu_rules::{Date, Lang, PolicySet};
use yuanzhu_storage::clock::Clock;

/// The clock of this run (`--time-zone`), set once before any command runs.
static CLOCK: std::sync::OnceLock<Clock> = std::sync::OnceLock::new();

/// The one clock of the command: today, and the times it shows or exports.
pub fn clock() -> Clock {
    CLOCK.get().copied().unwrap_or_default()
}

/// The assessment date of `yuanzhu assess` when none is given: the contract's "today in the
/// machine's local time zone", or today in the zone named with `--time-zone`.
pub fn assess_today() -> Date {
    CLOCK.get().map_or_else(yuanzhu_storage::clock::machine_today, Clock::today)
}

/// The registry at `url`, on the command's clock.
pub async fn connect(url: &str) -> Result<yuanzhu_storage::Store, yuanzhu_storage::StoreError> {
    Ok(yuanzhu_storage::Store::connect(url).await?.with_clock(clock()))
}

#[derive(Debug, Parser)]
#[command(
    name = "yuanzhu",
    version,
    about = "援助 Yuanzhu: employment assistance for persons with employment difficulties"
)]
struct Cli {
    /// Load policy files (*.toml) from this directory instead of the ones built in.
    #[arg(long, global = true, value_name = "DIR")]
    policies: Option<PathBuf>,
    /// The registry's database: sqlite:PATH (embedded) or postgres://… (city-wide).
    /// [default: sqlite:yuanzhu-data/yuanzhu.db, or for `serve` the config file's]
    #[arg(long, global = true, value_name = "URL", env = "YUANZHU_DB")]
    db: Option<String>,
    /// The city's time zone (an IANA name): the day that counts as today, and the times shown
    /// and exported; stored times stay UTC. [default: Asia/Shanghai, or for `serve` the config
    /// file's `time_zone`]
    #[arg(long, global = true, value_name = "ZONE", env = "YUANZHU_TIME_ZONE")]
    time_zone: Option<Clock>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Assess records under the policy in force on each record's date (contract: assess v1).
    Assess(assess::Args),
    /// List the loaded policies with their validity windows.
    Policies,
    /// The database: `db init` creates the schema and loads the unit tree.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Fill the registry with a deterministic synthetic population (demo communities and persons).
    Demo {
        #[arg(long, default_value_t = 1000)]
        persons: usize,
        #[arg(long, default_value_t = 20_140_120)]
        seed: u64,
    },
    /// Import unemployment registrations from CSV: every good row is kept, every bad row reported.
    Import {
        file: PathBuf,
        /// Write the rejected rows (row, ref, field, code, message) to this CSV file.
        #[arg(long, value_name = "REPORT.csv")]
        report: Option<PathBuf>,
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// Reassess every person as of a date; record only what changed (resumable).
    Reassess {
        /// The date (default: today).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = date_arg)]
        on: Option<Date>,
        /// The policy (default: the one in force on the date).
        #[arg(long, value_name = "ID")]
        policy: Option<String>,
    },
    /// A person's file.
    Person {
        #[command(subcommand)]
        command: PersonCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Export the registry as CSV or xlsx.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Run the server: the JSON API under /api/v1, on the registry's database.
    Serve(server::ServeArgs),
    /// Accounts: add, disable, enable, reset-password, list.
    User {
        #[command(subcommand)]
        command: server::UserCommand,
    },
    /// Bearer tokens for machine clients.
    Token {
        #[command(subcommand)]
        command: server::TokenCommand,
    },
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Create or update the schema and load the unit tree (safe to run again).
    Init,
}

#[derive(Debug, Subcommand)]
enum PersonCommand {
    /// Show the file of the person with this ID number.
    Show {
        id_number: String,
        /// As JSON: facts, "categories" (recognised codes), recognitions, registrations, timeline.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Every person, one row each, in the columns of `yuanzhu import` (the file imports back):
    /// id_number, name, phone, address, residence_unit, registered_on (the latest registration),
    /// household_ref, relation and the contract's facts; then categories, the codes recognised
    /// now (joined by `;`), which an import reads past.
    Persons {
        #[arg(long, value_enum)]
        format: export::ExportFormat,
        /// The file to write (replaced if it exists).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The header's language: the columns' Chinese names, or in English their field names
        /// (`import` reads either).
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
    /// Every person's ledger (第十九条 一人一档): one row per event of the file, by person then
    /// time: id_number, name, seq, at, actor, action, entity, policy, summary.
    Ledgers {
        #[arg(long, value_enum)]
        format: export::ExportFormat,
        /// The file to write (replaced if it exists).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The language of the header and the summaries.
        #[arg(long, value_enum, default_value = "zh")]
        lang: LangArg,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the hash chain and print its head (SEQ:HASH): exit 0 when intact and holding what is
    /// expected, 1 and the first broken event or the unmet expectation otherwise.
    Verify {
        /// Fail unless the chain still holds this event with this hash: a head printed before, or
        /// logged by the server, or scraped from `/metrics`.
        #[arg(long, value_name = "SEQ:HASH")]
        expect_head: Option<String>,
        /// Fail unless the chain holds the head this signed checkpoint vouches for.
        #[arg(long, value_name = "FILE", requires = "public_key")]
        checkpoint: Option<PathBuf>,
        /// The public key the checkpoint must be signed with (`audit keygen` wrote it).
        #[arg(long, value_name = "FILE", requires = "checkpoint")]
        public_key: Option<PathBuf>,
    },
    /// Make an ed25519 key for signing checkpoints: FILE (secret, kept off the database server)
    /// and FILE.pub (checks them). An existing file is never overwritten.
    Keygen {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Check the chain and sign its head with the key: writes audit-checkpoint-SEQ-TIME.json into
    /// DIR, to be kept away from the database.
    Checkpoint {
        #[arg(long, value_name = "FILE")]
        key: PathBuf,
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
    },
}

/// The language of explanations and messages.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

/// A `YYYY-MM-DD` argument.
pub fn date_arg(s: &str) -> Result<Date, String> {
    Date::parse(s).map_err(|e| format!("`{s}` {e}"))
}

/// A usage error: exit status 2, a message on standard error.
pub fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("yuanzhu: {message}");
    ExitCode::from(2)
}

fn load_policies(dir: Option<&PathBuf>) -> Result<PolicySet, String> {
    let Some(dir) = dir else { return Ok(PolicySet::embedded()) };
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read policy directory {}: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().is_some_and(|x| x == "toml") {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            files.push((path.display().to_string(), text));
        }
    }
    files.sort();
    PolicySet::from_sources(files.iter().map(|(n, t)| (n.as_str(), t.as_str()))).map_err(|e| e.to_string())
}

// The batch path and the server allocate many small strings on several threads: glibc's
// allocator took about a sixth of an import's CPU (BENCHMARKS.md, issue #3), mimalloc a fraction.
// With `override`, SQLite's own allocations (the bundled C library calls malloc) go to it too.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let policies = match load_policies(cli.policies.as_ref()) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let db = cli.db.clone().unwrap_or_else(|| yuanzhu_storage::DEFAULT_URL.to_owned());
    if let Some(clock) = cli.time_zone {
        CLOCK.set(clock).expect("the clock is set once");
    }
    match cli.command {
        Command::Serve(args) => server::serve(cli.db, cli.time_zone, args, policies),
        Command::User { command } => server::user(&db, command),
        Command::Token { command } => server::token(&db, command),
        Command::Assess(args) => assess::run(&args, &policies),
        Command::Db { command: DbCommand::Init } => registry::runtime().block_on(registry::init(&db)),
        Command::Demo { persons, seed } => registry::runtime().block_on(registry::demo(&db, persons, seed, &policies)),
        Command::Import { file, report, lang } => {
            registry::runtime().block_on(registry::import(&db, &file, report.as_ref(), lang.into(), &policies))
        }
        Command::Reassess { on, policy } => {
            let on = on.unwrap_or_else(|| clock().today());
            let chosen = match &policy {
                Some(id) => policies.by_id(id),
                None => policies.in_force_on(on),
            };
            let Some(chosen) = chosen else {
                return usage_error(match policy {
                    Some(id) => format!("unknown policy `{id}`"),
                    None => format!("no policy is in force on {on}: name one with --policy"),
                });
            };
            registry::runtime().block_on(registry::reassess(&db, chosen, on))
        }
        Command::Person { command: PersonCommand::Show { id_number, json } } => {
            registry::runtime().block_on(registry::person_show(&db, &id_number, json))
        }
        Command::Audit { command: AuditCommand::Verify { expect_head, checkpoint, public_key } } => {
            let expected = audit::Expected { head: expect_head, checkpoint: checkpoint.zip(public_key) };
            registry::runtime().block_on(audit::verify(&db, expected))
        }
        Command::Audit { command: AuditCommand::Keygen { out } } => audit::keygen(&out),
        Command::Audit { command: AuditCommand::Checkpoint { key, out } } => {
            registry::runtime().block_on(audit::checkpoint(&db, &key, &out))
        }
        Command::Export { command: ExportCommand::Persons { format, out, lang } } => {
            registry::runtime().block_on(export::run(&db, export::Table::Persons(lang.into()), format, &out))
        }
        Command::Export { command: ExportCommand::Ledgers { format, out, lang } } => {
            registry::runtime().block_on(export::run(&db, export::Table::Ledgers(lang.into()), format, &out))
        }
        Command::Policies => {
            for p in policies.policies() {
                let until = p.valid_until.map_or_else(|| "…".to_owned(), |d| d.to_string());
                let provisional = if p.provisional { " (provisional)" } else { "" };
                println!("{}\t{} – {until}\t{} {}{provisional}", p.id, p.valid_from, p.document, p.title);
            }
            ExitCode::SUCCESS
        }
    }
}
