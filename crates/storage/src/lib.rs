//! The registry's storage: sqlx on SQLite (the embedded default) or PostgreSQL (selected by URL),
//! the same migrations and queries on both through the `Any` driver. Every change to a person's
//! file writes its audit event in the same transaction.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod applications;
pub mod audit;
pub mod checkpoint;
pub mod clock;
pub mod duplicates;
pub mod employment;
mod error;
pub mod export;
pub mod follow_ups;
pub mod households;
pub mod import_jobs;
pub mod persons;
pub mod plans;
pub mod reassess;
mod recognitions;
pub mod residence_transfers;
pub mod revocations;
pub mod seal;
pub mod search;
pub mod services;
pub mod sessions;
pub mod stats;
pub mod units;
pub mod views;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

pub use error::StoreError;

/// Where the embedded database lives unless told otherwise.
pub const DEFAULT_URL: &str = "sqlite:yuanzhu-data/yuanzhu.db";

/// Which engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool to the registry.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The engine's own driver, for the batch path (see `persons::native`).
    native: persons::native::Native,
    /// A serving SQLite store's background checkpoints ([`checkpoint`]).
    checkpoints: Option<std::sync::Arc<checkpoint::Checkpoints>>,
    /// Whether text compares by code point: always on SQLite, under the `C` collations on
    /// PostgreSQL.
    code_point_order: bool,
    /// The zone of "today" and of the times people read ([`clock`]).
    clock: clock::Clock,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl Store {
    /// Connects to `url` (`sqlite:PATH` or `postgres://…`). A SQLite file and its folder are
    /// created when missing; SQLite runs in WAL mode with foreign keys on.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Store::open(url, false).await
    }

    /// [`Store::connect`] for a server: on SQLite, checkpoints run in a background task instead
    /// of in the commit that fills the log ([`checkpoint`]). Needs a Tokio runtime.
    pub async fn connect_serving(url: &str) -> Result<Store, StoreError> {
        Store::open(url, true).await
    }

    async fn open(url: &str, serving: bool) -> Result<Store, StoreError> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Url(url.to_owned()));
        };
        let url = match backend {
            Backend::Sqlite => sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyPoolOptions::new().max_connections(if backend == Backend::Sqlite { 4 } else { 16 });
        let options = if backend == Backend::Sqlite {
            let checkpoints = serving.then_some(checkpoint::SERVING_PRAGMA);
            options.after_connect(move |conn, _| {
                Box::pin(async move {
                    if let Some(pragma) = checkpoints {
                        conn.execute(pragma).await?;
                    }
                    // case_sensitive_like: only a case-sensitive LIKE may walk an index, and every
                    // LIKE here is a prefix of digits (unit codes, ID numbers) or of a name, where
                    // case means nothing; without it `residence_unit LIKE '440104011%'` reads all
                    // the persons (0.2 s at 1M) instead of one street's.
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; PRAGMA case_sensitive_like = ON;").await?;
                    Ok(())
                })
            })
        } else {
            options.after_connect(|conn, _| {
                Box::pin(async move {
                    // sqlx prepares every statement once per connection, and after five runs
                    // PostgreSQL may switch to a generic plan that cannot see the bound values:
                    // for a name prefix it sorts every match (195 ms for 陈 at 1M) where the
                    // plan for the actual value walks the index (0.15 ms). Planning each run
                    // costs a fraction of a millisecond.
                    // Nor in parallel: the server's queries are short, and starting workers took
                    // 18-23 ms under load for a query that takes 0.05 ms alone.
                    conn.execute("SET plan_cache_mode = force_custom_plan; SET max_parallel_workers_per_gather = 0")
                        .await?;
                    Ok(())
                })
            })
        };
        let pool = options.connect(&url).await?;
        let native = match backend {
            Backend::Sqlite => persons::native::Native::sqlite(&url)?,
            Backend::Postgres => persons::native::Native::postgres(&url)?,
        };
        let checkpoints = match &native {
            persons::native::Native::Sqlite(pool) if serving => Some(checkpoint::start(pool.clone())),
            _ => None,
        };
        let code_point_order = match backend {
            Backend::Sqlite => true,
            Backend::Postgres => {
                // Asked of the collation itself rather than of its name: an ICU database keeps a
                // libc name beside its ICU locale. By code point, 'a' (U+0061) sorts after 'B'
                // and 'é' (U+00E9) after 'z'; every linguistic collation puts both before.
                sqlx::query_scalar::<_, bool>("SELECT 'a' > 'B' AND 'é' > 'z'").fetch_one(&pool).await?
            }
        };
        Ok(Store { pool, backend, native, checkpoints, code_point_order, clock: clock::Clock::default() })
    }

    /// The same store on another zone's clock (`time_zone` in the configuration).
    pub fn with_clock(mut self, clock: clock::Clock) -> Store {
        self.clock = clock;
        self
    }

    /// The one clock: today, and the stored timestamps as people read them.
    pub fn clock(&self) -> clock::Clock {
        self.clock
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// What the background checkpoints have done, on a serving SQLite store.
    pub fn checkpoints(&self) -> Option<checkpoint::CheckpointCounts> {
        self.checkpoints.as_ref().map(|c| c.counts())
    }

    /// Whether text compares by code point, so that a prefix is exactly a range.
    pub fn code_point_order(&self) -> bool {
        self.code_point_order
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Creates or updates the schema.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// Schema plus the unit tree (`db init`). Safe to run again: it changes nothing the second time.
    pub async fn init(&self) -> Result<units::Loaded, StoreError> {
        self.migrate().await?;
        units::load_divisions(self).await
    }

    /// A transaction that will write. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a deferred transaction that reads first and writes later fails at once with
    /// SQLITE_BUSY when another writer committed in between, which no busy timeout can wait out;
    /// taking the lock first makes concurrent writers queue instead. PostgreSQL needs nothing.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// Whether the database answers (`/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.native.close().await;
        self.pool.close().await;
    }
}

/// `sqlite:PATH` with `mode=rwc`, creating PATH's folder.
fn sqlite_url(url: &str) -> Result<String, StoreError> {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:"
        && let Some(dir) = std::path::Path::new(path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Io(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mode = if query.contains("mode=") { String::new() } else { "mode=rwc".to_owned() };
    let query = [query, &mode].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>().join("&");
    Ok(format!("sqlite:{path}?{query}"))
}

pub(crate) use clock::stamp_now as now;

/// How a generated statement names its parameters. SQLite's driver looks every `$n` up by a
/// linear scan of the statement's names, so a statement with thousands of `$n` costs the square
/// of that; anonymous `?` parameters are bound by position at no such cost. PostgreSQL only
/// knows `$n`. Only the statements this crate generates for bulk work use this; every other
/// query is literal `$n` SQL, the same on both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Params {
    Numbered,
    Anonymous,
}

impl Params {
    pub(crate) fn of(conn: &sqlx::AnyConnection) -> Params {
        if conn.backend_name().eq_ignore_ascii_case("sqlite") { Params::Anonymous } else { Params::Numbered }
    }

    /// `$1, …, $n` or `?, …, ?`.
    pub(crate) fn list(self, n: usize) -> String {
        self.rows(1, n).trim_start_matches('(').trim_end_matches(')').to_owned()
    }

    /// `($1, …, $cols), ($cols+1, …)` (or the same with `?`) for a multi-row INSERT.
    pub(crate) fn rows(self, rows: usize, cols: usize) -> String {
        let mut out = String::with_capacity(rows * cols * 5);
        for r in 0..rows {
            out.push_str(if r == 0 { "(" } else { ", (" });
            for c in 0..cols {
                if c > 0 {
                    out.push_str(", ");
                }
                match self {
                    Params::Numbered => {
                        out.push('$');
                        out.push_str(&(r * cols + c + 1).to_string());
                    }
                    Params::Anonymous => out.push('?'),
                }
            }
            out.push(')');
        }
        out
    }
}

/// A new time-ordered ID.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
