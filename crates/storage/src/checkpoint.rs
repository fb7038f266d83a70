//! SQLite's checkpoints off the request path, for a server, and off the batches' commits, for an
//! import ([`Background`]).
//!
//! In WAL mode, the commit that takes the log past `wal_autocheckpoint` pages (1,000 by default)
//! copies the log back into the database and syncs it before it returns. A server commits an
//! audit event at every opening of a file, so about one opening in 150 paid for a checkpoint,
//! and the openings around it waited on its sync. A serving store's connections leave that to a
//! background task that checkpoints every [`EVERY`], on a connection no request waits for; they
//! checkpoint themselves only if the log outgrows [`SERVING_PRAGMA`] because the task failed or
//! fell behind. Measured at 1M persons, one reader (BENCHMARKS.md, issue #4): the file's p95
//! fell from 7–11 ms to 2.5–4.4 ms. Small and frequent beats large and rare: a checkpoint every
//! 2 s, or every 10,000 pages inline, made the tail several times longer.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::SqlitePool;

/// How often the background task checkpoints.
pub(crate) const EVERY: Duration = Duration::from_millis(100);

/// The log a serving connection lets grow before checkpointing itself, which happens only if
/// the background task falls behind or fails: 10,000 pages, 40 MB of 4 KB pages.
pub(crate) const SERVING_PRAGMA: &str = "PRAGMA wal_autocheckpoint = 10000";

/// What the background checkpoints have done since the server started.
#[derive(Debug, Default)]
pub struct Checkpoints {
    runs: AtomicU64,
    failures: AtomicU64,
    log: AtomicU64,
    copied: AtomicU64,
}

/// A reading of [`Checkpoints`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckpointCounts {
    /// Checkpoints run.
    pub runs: u64,
    /// Checkpoints that failed (each is tried again at the next tick).
    pub failures: u64,
    /// Pages in the log at the last checkpoint.
    pub log_pages: u64,
    /// Of those, pages copied back into the database (all, unless a reader still needed some).
    pub copied_pages: u64,
}

impl Checkpoints {
    pub fn counts(&self) -> CheckpointCounts {
        CheckpointCounts {
            runs: self.runs.load(Ordering::Relaxed),
            failures: self.failures.load(Ordering::Relaxed),
            log_pages: self.log.load(Ordering::Relaxed),
            copied_pages: self.copied.load(Ordering::Relaxed),
        }
    }
}

/// Starts the task on the current Tokio runtime; it stops when the pool closes.
pub(crate) fn start(pool: SqlitePool) -> Arc<Checkpoints> {
    let counts = Arc::new(Checkpoints::default());
    tokio::spawn(run(pool, counts.clone()));
    counts
}

/// Checkpoints in the background for as long as the value lives: for a batch job (an import) on
/// a store whose checkpoints are not already in the background. Its connections then leave the
/// checkpoints to this task ([`BATCH_AUTOCHECKPOINT`]), and a batch's commit only appends to the log:
/// measured on an import of 100k rows, the commits took 0.55 s instead of 1.4 s, and the task
/// copied the log back on the other core meanwhile.
pub(crate) struct Background(tokio::task::JoinHandle<()>);

impl Background {
    pub(crate) fn start(pool: SqlitePool) -> Background {
        Background(tokio::spawn(run(pool, Arc::new(Checkpoints::default()))))
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The batch path's connections let the log grow to 10,000 pages before they checkpoint
/// themselves, as a server's do: a task checkpoints while they write (a server's, or a batch
/// job's [`Background`]). Without one, as when a single batch is registered on the command line,
/// they still checkpoint, in larger and rarer steps, which suits bulk writes.
pub(crate) const BATCH_AUTOCHECKPOINT: &str = "10000";

async fn run(pool: SqlitePool, counts: Arc<Checkpoints>) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            break;
        }
        // PASSIVE: copies what no reader still needs and waits for nobody, writers included.
        let done = sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&pool).await;
        match done {
            Ok((_, log, copied)) => {
                counts.log.store(log.max(0) as u64, Ordering::Relaxed);
                counts.copied.store(copied.max(0) as u64, Ordering::Relaxed);
                counts.runs.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) if pool.is_closed() => break,
            Err(_) => {
                counts.failures.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;
    use crate::persons::native::Native;

    /// An import's connections leave checkpoints to the import's task, which stops with it.
    #[tokio::test]
    async fn a_batch_jobs_checkpoints_run_beside_it_and_stop_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite:{}/t.db", dir.path().display())).await.unwrap();
        store.init().await.unwrap();
        let Native::Sqlite(pool) = &store.native else { unreachable!("a SQLite store") };
        let limit: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint").fetch_one(pool).await.unwrap();
        assert_eq!(limit.to_string(), BATCH_AUTOCHECKPOINT);
        let database = dir.path().join("t.db");
        sqlx::query("CREATE TABLE t (x TEXT)").execute(pool).await.unwrap();
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await.unwrap();
        let before = std::fs::metadata(&database).unwrap().len();
        let background = Background::start(pool.clone());
        for _ in 0..20 {
            sqlx::query("INSERT INTO t SELECT hex(randomblob(500)) FROM (SELECT 1 UNION ALL SELECT 2) a, (SELECT 1 UNION ALL SELECT 2) b")
                .execute(pool)
                .await
                .unwrap();
        }
        let started = std::time::Instant::now();
        // 80 rows of 1 KB: the log is copied back into the database, which grows.
        while std::fs::metadata(&database).unwrap().len() < before + 80_000 {
            assert!(started.elapsed() < Duration::from_secs(10), "the log was not copied back");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let task = background.0.abort_handle();
        drop(background);
        let started = std::time::Instant::now();
        while !task.is_finished() {
            assert!(started.elapsed() < Duration::from_secs(10), "the task outlived its job");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}
