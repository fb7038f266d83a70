//! Connections of the engine's own driver, for the batch path only. Through `Any`, every bound
//! value is copied into the `Any` argument buffer and then again into the engine's, and
//! PostgreSQL's `COPY` is out of reach; the batch path binds straight into the engine's buffer
//! on SQLite and streams rows with `COPY` on PostgreSQL. Every other query stays on `Any`.
//!
//! The pools connect lazily: a store that never imports never opens one.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Database, Executor, PgPool, Row, SqlitePool};

use crate::StoreError;
use crate::persons::PersonRecord;
use crate::persons::plan::StoredPerson;

/// The batch path's pool, on the store's engine and database.
#[derive(Debug, Clone)]
pub(crate) enum Native {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Native {
    /// SQLite as the store's `Any` connections have it (WAL, foreign keys, the same busy timeout),
    /// plus the bulk settings: a multi-row INSERT keeps a statement journal, by default a
    /// temporary file, a batch touches more index pages than the default 2 MB page cache, and
    /// checkpoints are left to a task ([`crate::checkpoint::BATCH_AUTOCHECKPOINT`]).
    pub(crate) fn sqlite(url: &str) -> Result<Native, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .synchronous(SqliteSynchronous::Normal)
            .pragma("case_sensitive_like", "ON")
            .pragma("temp_store", "MEMORY")
            .pragma("cache_size", "-65536")
            .pragma("wal_autocheckpoint", crate::checkpoint::BATCH_AUTOCHECKPOINT)
            // A read by key returns up to a few hundred rows: the driver's thread hands them
            // over without waiting for each to be taken.
            .row_buffer_size(1024);
        Ok(Native::Sqlite(SqlitePoolOptions::new().max_connections(4).connect_lazy_with(options)))
    }

    /// PostgreSQL with its default plan caching, unlike the store's `Any` connections (which
    /// plan every statement for its bound values, see `Store::connect`): the batch's reads take
    /// their keys as one array, which the generic plan looks up by index, and the foreign-key
    /// checks of `COPY` run a cached query per row, which that setting would plan again for
    /// every row (about a third of the server's time).
    pub(crate) fn postgres(url: &str) -> Result<Native, StoreError> {
        let options = PgConnectOptions::from_str(url)?;
        Ok(Native::Postgres(PgPoolOptions::new().max_connections(4).connect_lazy_with(options)))
    }

    pub(crate) async fn close(&self) {
        match self {
            Native::Sqlite(pool) => pool.close().await,
            Native::Postgres(pool) => pool.close().await,
        }
    }
}

/// A person's stored record from a row of [`super::PERSON_COLUMNS`], on any driver.
pub(crate) fn person_record<'r, R>(r: &'r R) -> Result<PersonRecord, sqlx::Error>
where
    R: Row,
    &'static str: sqlx::ColumnIndex<R>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i32: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let facts = yuanzhu_rules::FactSet::from_bits(r.try_get::<i64, _>("facts")? as u32);
    // An INTEGER column: 64 bits through `Any` and on SQLite, 32 on PostgreSQL's own driver.
    let certificates = match r.try_get::<i64, _>("parent_certificates") {
        Ok(bits) => bits as u8,
        Err(_) => r.try_get::<i32, _>("parent_certificates")? as u8,
    };
    Ok(PersonRecord {
        id_number: r.try_get("id_number")?,
        name: r.try_get("name")?,
        sex: r.try_get("sex")?,
        birth_date: r.try_get("birth_date")?,
        phone: r.try_get("phone")?,
        address: r.try_get("address")?,
        residence_unit: r.try_get("residence_unit")?,
        household_ref: r.try_get("household_ref")?,
        relation: r.try_get("relation")?,
        female_retirement_track: r.try_get("female_retirement_track")?,
        facts: super::fact_names(facts),
        parent_certificates: super::certificate_names(certificates),
        // Files registered before answers were kept took every unanswered question as "no".
        unanswered: match r.try_get::<Option<i64>, _>("facts_known")? {
            Some(bits) => super::unanswered_names(yuanzhu_rules::FactSet::from_bits(bits as u32)),
            None => Vec::new(),
        },
        unemployed_since: r.try_get("unemployed_since")?,
    })
}

/// A stored person from a row of `id, version, latest_registration` and [`super::PERSON_COLUMNS`].
pub(crate) fn stored_person<'r, R>(r: &'r R) -> Result<StoredPerson, sqlx::Error>
where
    R: Row,
    &'static str: sqlx::ColumnIndex<R>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i32: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(StoredPerson {
        id: r.try_get("id")?,
        version: r.try_get("version")?,
        latest: r.try_get("latest_registration")?,
        hukou_unit: r.try_get("hukou_unit")?,
        record: person_record(r)?,
    })
}

/// The statements both engines run alike in a batch: `$n` parameters mean the same to both.
pub(crate) mod shared {
    use std::sync::Arc;

    use super::*;
    use crate::persons::bulk::{self, Chained};
    use crate::persons::plan::{Event, Person};

    /// Moves the audit head by `n` events: the last sequence number and the hash to chain from.
    /// The head row serialises concurrent appends until the transaction ends.
    pub(crate) async fn move_head<DB>(conn: &mut DB::Connection, n: usize) -> Result<(i64, String), StoreError>
    where
        DB: Database,
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        for<'r> i64: sqlx::Encode<'r, DB> + sqlx::Decode<'r, DB> + sqlx::Type<DB>,
        for<'r> String: sqlx::Decode<'r, DB> + sqlx::Type<DB>,
        &'static str: sqlx::ColumnIndex<DB::Row>,
        DB::Arguments: sqlx::IntoArguments<DB>,
    {
        let head = sqlx::query::<DB>("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
            .bind(n as i64)
            .fetch_one(&mut *conn)
            .await?;
        Ok((head.try_get("seq")?, head.try_get("hash")?))
    }

    pub(crate) async fn set_head_hash<DB>(conn: &mut DB::Connection, hash: String) -> Result<(), StoreError>
    where
        DB: Database,
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        for<'r> String: sqlx::Encode<'r, DB> + sqlx::Type<DB>,
        DB::Arguments: sqlx::IntoArguments<DB>,
    {
        sqlx::query::<DB>("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(hash).execute(&mut *conn).await?;
        Ok(())
    }

    /// Updates a stored person if still at the version read (optimistic concurrency): a stale
    /// edit fails with a conflict instead of overwriting someone else's work. The version moves
    /// once per change the batch made.
    pub(crate) async fn update_person<DB>(conn: &mut DB::Connection, p: &Person, at: &str) -> Result<(), StoreError>
    where
        DB: Database,
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        for<'r> i64: sqlx::Encode<'r, DB> + sqlx::Decode<'r, DB> + sqlx::Type<DB>,
        for<'r> &'r str: sqlx::Encode<'r, DB> + sqlx::Type<DB>,
        for<'r> Option<&'r str>: sqlx::Encode<'r, DB> + sqlx::Type<DB>,
        &'static str: sqlx::ColumnIndex<DB::Row>,
        DB::Arguments: sqlx::IntoArguments<DB>,
        DB::QueryResult: RowsAffected,
    {
        let r = &p.record;
        let done = sqlx::query::<DB>(
            "UPDATE persons SET name = $1, sex = $2, birth_date = $3, phone = $4, address = $5, residence_unit = $6, \
             household_ref = $7, relation = $8, female_retirement_track = $9, facts = $10, parent_certificates = $11, \
             unemployed_since = $12, version = version + $13, updated_at = $14, facts_known = $17 \
             WHERE id = $15 AND version = $16",
        )
        .bind(r.name.as_str())
        .bind(r.sex.as_str())
        .bind(r.birth_date.as_str())
        .bind(r.phone.as_deref())
        .bind(r.address.as_deref())
        .bind(r.residence_unit.as_str())
        .bind(r.household_ref.as_deref())
        .bind(r.relation.as_deref())
        .bind(r.female_retirement_track.as_str())
        .bind(p.facts)
        .bind(p.certificates)
        .bind(r.unemployed_since.as_deref())
        .bind(p.changes)
        .bind(at)
        .bind(p.id.as_str())
        .bind(p.version)
        .bind(p.known)
        .execute(&mut *conn)
        .await?;
        if done.rows() != 1 {
            let found = sqlx::query::<DB>("SELECT version FROM persons WHERE id = $1")
                .bind(p.id.as_str())
                .fetch_optional(&mut *conn)
                .await?;
            let found = found.map(|row| row.try_get::<i64, _>("version")).transpose()?;
            return Err(StoreError::Conflict { expected: p.version, found: found.unwrap_or(-1) });
        }
        Ok(())
    }

    /// Moves a stored person's latest registration (the one that counts) to `on`.
    pub(crate) async fn move_latest<DB>(conn: &mut DB::Connection, id: &str, on: &str) -> Result<(), StoreError>
    where
        DB: Database,
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        for<'r> &'r str: sqlx::Encode<'r, DB> + sqlx::Type<DB>,
        DB::Arguments: sqlx::IntoArguments<DB>,
    {
        sqlx::query::<DB>("UPDATE persons SET latest_registration = $1 WHERE id = $2")
            .bind(on)
            .bind(id)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// What comes first in writing a batch: the changes to stored persons, then the move of the
    /// audit head, whose chain of hashes is then worked out on another thread while the caller
    /// inserts the new rows.
    pub(crate) async fn begin_writing<DB>(
        conn: &mut DB::Connection,
        updated: &[Person],
        latest_moved: &[(String, String)],
        events: Vec<Event>,
        actor: &Arc<str>,
        at: &str,
    ) -> Result<Option<tokio::task::JoinHandle<Chained>>, StoreError>
    where
        DB: Database,
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        for<'r> i64: sqlx::Encode<'r, DB> + sqlx::Decode<'r, DB> + sqlx::Type<DB>,
        for<'r> String: sqlx::Encode<'r, DB> + sqlx::Decode<'r, DB> + sqlx::Type<DB>,
        for<'r> &'r str: sqlx::Encode<'r, DB> + sqlx::Type<DB>,
        for<'r> Option<&'r str>: sqlx::Encode<'r, DB> + sqlx::Type<DB>,
        &'static str: sqlx::ColumnIndex<DB::Row>,
        DB::Arguments: sqlx::IntoArguments<DB>,
        DB::QueryResult: RowsAffected,
    {
        for p in updated {
            update_person::<DB>(conn, p, at).await?;
        }
        for (id, on) in latest_moved {
            move_latest::<DB>(conn, id, on).await?;
        }
        if events.is_empty() {
            return Ok(None);
        }
        let head = move_head::<DB>(conn, events.len()).await?;
        Ok(Some(bulk::chain(head, events, actor.clone())))
    }

    /// The rows an UPDATE changed, whichever the engine.
    pub(crate) trait RowsAffected {
        fn rows(&self) -> u64;
    }

    impl RowsAffected for sqlx::sqlite::SqliteQueryResult {
        fn rows(&self) -> u64 {
            self.rows_affected()
        }
    }

    impl RowsAffected for sqlx::postgres::PgQueryResult {
        fn rows(&self) -> u64 {
            self.rows_affected()
        }
    }
}
