//! Bulk imports started from the pages (migration 0019): a job's progress, counts and per-row
//! report, kept in the database so that they outlive the server that ran the job. The server
//! running a job writes a heartbeat after every batch and every few seconds; a job still marked as
//! running whose heartbeat has stopped for [`STALE_AFTER_SECONDS`] was interrupted (its server was
//! stopped or killed), and shows as such with the rows it had done. Imported rows are committed
//! batch by batch: an interrupted job lost no committed row, and importing the file again
//! finishes it without duplicates.

use chrono::{DateTime, Duration, Utc};
use sqlx::{AssertSqlSafe, Row};
use yuanzhu_domain::RowError;

use crate::{Store, StoreError, now};

/// Seconds without a heartbeat after which a running job counts as interrupted. The heartbeat
/// comes every few seconds, so a live job never looks interrupted.
pub const STALE_AFTER_SECONDS: i64 = 30;

/// Finished jobs older than this many days are removed (with their reports) when a new job starts.
const KEPT_DAYS: i64 = 30;

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Running,
    Finished,
    Failed,
    /// Its server stopped while it ran.
    Interrupted,
}

/// What a job did, as its batches reported it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub registrations: i64,
    pub recognitions: i64,
    pub duplicates: i64,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportJob {
    pub id: String,
    pub account_id: String,
    pub started_at: String,
    pub state: JobState,
    pub failure: Option<String>,
    /// Rows in the file.
    pub total: i64,
    /// Rows done: imported, or reported as not imported.
    pub done: i64,
    pub counts: JobCounts,
    /// Rows not imported, so far.
    pub rejected: i64,
}

impl ImportJob {
    pub fn finished(&self) -> bool {
        self.state != JobState::Running
    }
}

/// Starts a job of `total` rows for the account, of which the `rejected` ones (unreadable, or
/// outside the account's jurisdiction) are already done. Removes old finished jobs first.
pub async fn create(
    store: &Store,
    id: &str,
    account_id: &str,
    total: i64,
    rejected: &[RowError],
) -> Result<(), StoreError> {
    let at = now();
    let mut tx = store.begin_write().await?;
    let cutoff = (Utc::now() - Duration::days(KEPT_DAYS)).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    sqlx::query("DELETE FROM import_job_rejections WHERE job_id IN (SELECT id FROM import_jobs WHERE started_at < $1)")
        .bind(&cutoff)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM import_jobs WHERE started_at < $1").bind(&cutoff).execute(&mut *tx).await?;
    sqlx::query(
        "INSERT INTO import_jobs (id, account_id, started_at, heartbeat_at, state, total, done) \
         VALUES ($1, $2, $3, $3, 'running', $4, $5)",
    )
    .bind(id)
    .bind(account_id)
    .bind(&at)
    .bind(total)
    .bind(rejected.len() as i64)
    .execute(&mut *tx)
    .await?;
    insert_rejections(&mut tx, id, rejected).await?;
    tx.commit().await?;
    Ok(())
}

/// Records a committed batch: `rows` more rows done, its counts added, its rejected rows reported.
pub async fn batch_done(
    store: &Store,
    id: &str,
    rows: i64,
    counts: JobCounts,
    rejected: &[RowError],
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "UPDATE import_jobs SET done = done + $1, created = created + $2, updated = updated + $3, \
         unchanged = unchanged + $4, registrations = registrations + $5, recognitions = recognitions + $6, \
         heartbeat_at = $7 WHERE id = $8",
    )
    .bind(rows)
    .bind(counts.created)
    .bind(counts.updated)
    .bind(counts.unchanged)
    .bind(counts.registrations)
    .bind(counts.recognitions)
    .bind(now())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    insert_rejections(&mut tx, id, rejected).await?;
    tx.commit().await?;
    Ok(())
}

/// Says the job's server is still at it.
pub async fn heartbeat(store: &Store, id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE import_jobs SET heartbeat_at = $1 WHERE id = $2 AND state = 'running'")
        .bind(now())
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Ends the job: finished with the duplicates it flagged, or failed and why.
pub async fn finish(store: &Store, id: &str, duplicates: i64, failure: Option<&str>) -> Result<(), StoreError> {
    sqlx::query("UPDATE import_jobs SET state = $1, failure = $2, duplicates = $3, heartbeat_at = $4 WHERE id = $5")
        .bind(if failure.is_some() { "failed" } else { "finished" })
        .bind(failure)
        .bind(duplicates)
        .bind(now())
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// The job if it is the account's (anyone else's is not found); a running job whose heartbeat
/// has stopped is [`JobState::Interrupted`].
pub async fn get(store: &Store, id: &str, account_id: &str) -> Result<Option<ImportJob>, StoreError> {
    let row = sqlx::query(
        "SELECT j.id, j.account_id, j.started_at, j.heartbeat_at, j.state, j.failure, j.total, j.done, j.created, \
         j.updated, j.unchanged, j.registrations, j.recognitions, j.duplicates, \
         (SELECT COUNT(*) FROM import_job_rejections r WHERE r.job_id = j.id) AS rejected \
         FROM import_jobs j WHERE j.id = $1 AND j.account_id = $2",
    )
    .bind(id)
    .bind(account_id)
    .fetch_optional(store.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    let heartbeat: String = r.try_get("heartbeat_at")?;
    let stale = DateTime::parse_from_rfc3339(&heartbeat)
        .map(|t| Utc::now() - t.with_timezone(&Utc) > Duration::seconds(STALE_AFTER_SECONDS))
        .map_err(|_| StoreError::Corrupt(format!("import job heartbeat `{heartbeat}`")))?;
    let state = match r.try_get::<String, _>("state")?.as_str() {
        "running" if stale => JobState::Interrupted,
        "running" => JobState::Running,
        "finished" => JobState::Finished,
        "failed" => JobState::Failed,
        other => return Err(StoreError::Corrupt(format!("import job state `{other}`"))),
    };
    Ok(Some(ImportJob {
        id: r.try_get("id")?,
        account_id: r.try_get("account_id")?,
        started_at: r.try_get("started_at")?,
        state,
        failure: r.try_get("failure")?,
        total: r.try_get("total")?,
        done: r.try_get("done")?,
        counts: JobCounts {
            created: r.try_get("created")?,
            updated: r.try_get("updated")?,
            unchanged: r.try_get("unchanged")?,
            registrations: r.try_get("registrations")?,
            recognitions: r.try_get("recognitions")?,
            duplicates: r.try_get("duplicates")?,
        },
        rejected: r.try_get("rejected")?,
    }))
}

/// The job's rejected rows by row number.
pub async fn rejections(store: &Store, id: &str) -> Result<Vec<RowError>, StoreError> {
    let rows = sqlx::query(
        "SELECT row_number, reference, field, code, message FROM import_job_rejections \
         WHERE job_id = $1 ORDER BY row_number",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RowError {
                row: usize::try_from(r.try_get::<i64, _>("row_number")?).unwrap_or(0),
                reference: r.try_get("reference")?,
                field: r.try_get("field")?,
                code: r.try_get("code")?,
                message: r.try_get("message")?,
            })
        })
        .collect()
}

async fn insert_rejections(conn: &mut sqlx::AnyConnection, id: &str, rejected: &[RowError]) -> Result<(), StoreError> {
    let params = crate::Params::of(conn);
    for chunk in crate::persons::bulk::chunks(rejected) {
        let sql = format!(
            "INSERT INTO import_job_rejections (job_id, row_number, reference, field, code, message) VALUES {}",
            params.rows(chunk.len(), 6)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for e in chunk {
            q = q
                .bind(id)
                .bind(e.row as i64)
                .bind(e.reference.as_deref())
                .bind(e.field.as_deref())
                .bind(e.code.as_str())
                .bind(e.message.as_str());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
