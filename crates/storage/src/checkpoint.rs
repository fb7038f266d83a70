//! SQLite's checkpoints off the request path, for a server.
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
    let out = counts.clone();
    tokio::spawn(async move {
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
    });
    out
}
