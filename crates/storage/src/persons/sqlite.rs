//! A batch on SQLite's own driver: reads by key and multi-row INSERTs of [`chunks`] of rows.

use sqlx::sqlite::{Sqlite, SqliteArguments, SqliteConnection, SqliteRow};
use sqlx::{Arguments, AssertSqlSafe, Connection, Row, SqlitePool};

use std::sync::Arc;

use super::bulk::{AUDIT_EVENTS, PERSONS, RECOGNITIONS, REGISTRATIONS};
use super::bulk::{Chained, Planning, chunks};
use super::native::{shared, stored_person};
use super::plan::{self, Person, Plan, Prepared, Stored};
use super::{ImportSummary, PERSON_COLUMNS};
use crate::search::terms::{self, NAME_PARTS, NameParts};
use crate::{Params, StoreError, now};

pub(super) async fn register(
    pool: &SqlitePool,
    rows: Vec<Prepared>,
    planning: &Planning<'_>,
    actor: &str,
    summary: &mut ImportSummary,
) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await?;
    // The batch reads before it writes: it takes the write lock first (`BEGIN IMMEDIATE`), so
    // that a concurrent writer makes it wait instead of fail.
    let mut tx = Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;
    let stored = read(&mut tx, &rows).await?;
    let plan = planning.plan(rows, stored, summary)?;
    write(&mut tx, plan, actor).await?;
    tx.commit().await?;
    Ok(())
}

/// What is stored of the rows' persons.
async fn read(conn: &mut SqliteConnection, rows: &[Prepared]) -> Result<Stored, StoreError> {
    let keys = plan::id_numbers(rows);
    let mut stored = Stored::default();
    let select = format!(
        "SELECT id, version, latest_registration, hukou_unit, {PERSON_COLUMNS} FROM persons WHERE id_number IN"
    );
    for chunk in chunks(&keys) {
        for row in fetch_in(conn, &select, chunk).await? {
            let p = stored_person(&row)?;
            stored.persons.insert(p.record.id_number.clone(), p);
        }
    }
    let owned: Vec<String> = stored.persons.values().map(|p| p.id.clone()).collect();
    let ids: Vec<&str> = owned.iter().map(String::as_str).collect();
    for chunk in chunks(&ids) {
        let select = "SELECT person_id, registered_on FROM unemployment_registrations WHERE person_id IN";
        for row in fetch_in(conn, select, chunk).await? {
            stored.registered.insert((row.try_get("person_id")?, row.try_get("registered_on")?));
        }
        let select = "SELECT person_id, category, policy, recognized_on, ended_on IS NULL AS open FROM recognitions WHERE person_id IN";
        for row in fetch_in(conn, select, chunk).await? {
            let (person_id, category, policy) =
                (row.try_get("person_id")?, row.try_get("category")?, row.try_get("policy")?);
            stored.add_recognition(person_id, category, policy, row.try_get("recognized_on")?, row.try_get("open")?);
        }
    }
    Ok(stored)
}

/// The rows of `select` (which ends in `IN`) for these keys.
async fn fetch_in(conn: &mut SqliteConnection, select: &str, keys: &[&str]) -> Result<Vec<SqliteRow>, StoreError> {
    let mut args = SqliteArguments::default();
    for key in keys {
        push(&mut args, *key)?;
    }
    let sql = format!("{select} ({})", Params::Anonymous.list(keys.len()));
    Ok(sqlx::query_with(AssertSqlSafe(sql), args).fetch_all(&mut *conn).await?)
}

fn push<'q, T: sqlx::Encode<'q, Sqlite> + sqlx::Type<Sqlite>>(
    args: &mut SqliteArguments,
    value: T,
) -> Result<(), StoreError> {
    args.add(value).map_err(sqlx::Error::Encode)?;
    Ok(())
}

/// The values of one statement. Text is bound as shared slices whose owners stay here, so that
/// the driver's thread, done with a statement, only counts references down and the memory is
/// given back on the thread that took it: freeing on another thread cost glibc more than the
/// copies (11% of the driver thread's time).
#[derive(Default)]
struct Values {
    args: SqliteArguments,
    keep: Vec<Arc<str>>,
}

impl Values {
    fn text(&mut self, value: &str) -> Result<&mut Values, StoreError> {
        let value: Arc<str> = value.into();
        push(&mut self.args, value.clone())?;
        self.keep.push(value);
        Ok(self)
    }

    fn opt(&mut self, value: Option<&str>) -> Result<&mut Values, StoreError> {
        match value {
            Some(v) => self.text(v),
            None => {
                push(&mut self.args, None::<&str>)?;
                Ok(self)
            }
        }
    }

    fn shared(&mut self, value: &Arc<str>) -> Result<&mut Values, StoreError> {
        push(&mut self.args, value.clone())?;
        Ok(self)
    }

    fn int(&mut self, value: i64) -> Result<&mut Values, StoreError> {
        push(&mut self.args, value)?;
        Ok(self)
    }
}

/// Inserts `items` into `table (columns)`, [`chunks`] of rows per statement; `tail` ends each
/// row (`, 'constant'`, or nothing), `bind` adds one item's values. The next statement's values
/// are gathered while the driver's thread runs this one.
async fn insert<T: Sync>(
    conn: &mut SqliteConnection,
    table_columns: &str,
    columns: usize,
    tail: &str,
    items: &[T],
    bind: impl Fn(&mut Values, &T) -> Result<(), StoreError>,
) -> Result<(), StoreError> {
    let statement = |chunk: &[T]| -> Result<(String, Values), StoreError> {
        let mut values = Values::default();
        values.args.reserve(chunk.len() * columns, 0);
        values.keep.reserve(chunk.len() * columns);
        for item in chunk {
            bind(&mut values, item)?;
        }
        let rows = Params::Anonymous.rows(chunk.len(), columns);
        let rows = if tail.is_empty() { rows } else { rows.replace(')', &format!("{tail})")) };
        Ok((format!("INSERT INTO {table_columns} VALUES {rows}"), values))
    };
    let mut chunks = chunks(items);
    let mut pending = chunks.next().map(statement).transpose()?;
    while let Some((sql, Values { args, keep })) = pending.take() {
        let run = sqlx::query_with(AssertSqlSafe(sql), args).execute(&mut *conn);
        let (done, next) = tokio::join!(run, async { chunks.next().map(statement).transpose() });
        done?;
        drop(keep);
        pending = next?;
    }
    Ok(())
}

async fn write(conn: &mut SqliteConnection, plan: Plan, actor: &str) -> Result<(), StoreError> {
    let Plan { created, updated, latest_moved, registrations, recognitions, events } = plan;
    let at = now();
    let actor: Arc<str> = actor.into();
    terms::reindex::<Sqlite>(conn, &updated.iter().map(|p| (p.id.as_str(), &p.record)).collect::<Vec<_>>()).await?;
    let chained = shared::begin_writing::<Sqlite>(conn, &updated, &latest_moved, events, &actor, &at).await?;
    let at: Arc<str> = at.into();
    insert(conn, PERSONS, 19, "", &created, |v, p| {
        let r = &p.record;
        v.text(&p.id)?.text(&r.id_number)?.text(&r.name)?.text(&r.sex)?.text(&r.birth_date)?;
        v.opt(r.phone.as_deref())?.opt(r.address.as_deref())?.text(&r.residence_unit)?;
        v.opt(r.household_ref.as_deref())?.opt(r.relation.as_deref())?.text(&r.female_retirement_track)?;
        v.int(p.facts)?.int(p.certificates)?.opt(r.unemployed_since.as_deref())?.int(p.version)?;
        v.shared(&at)?.shared(&at)?.opt(p.latest.as_deref())?.int(p.known)?;
        Ok(())
    })
    .await?;
    index(conn, &created).await?;
    insert(conn, REGISTRATIONS, 5, "", &registrations, |v, r| {
        v.text(&r.id)?.text(&r.person_id)?.text(&r.on)?.text(&r.unit)?.shared(&at)?;
        Ok(())
    })
    .await?;
    insert(conn, RECOGNITIONS, 7, ", 'automatic'", &recognitions, |v, r| {
        v.text(&r.id)?.text(&r.person_id)?.text(r.category)?.shared(&r.policy)?.text(&r.citation)?;
        v.text(&r.on)?.shared(&actor)?;
        Ok(())
    })
    .await?;
    let Some(chained) = chained else { return Ok(()) };
    let Chained { events, links, last } = chained.await.expect("hashing does not panic");
    let at: Arc<str> = links[0].at.as_str().into();
    let rows: Vec<_> = events.iter().zip(&links).collect();
    insert(conn, AUDIT_EVENTS, 13, "", &rows, |v, (e, link)| {
        v.int(link.seq)?.text(&link.id)?.shared(&at)?.shared(&actor)?.text(e.action)?.text(e.entity)?;
        v.text(&e.entity_id)?.text(&e.person_id)?.opt(e.policy.as_deref())?.opt(e.before.as_deref())?;
        v.text(&e.after)?.text(&link.prev_hash)?.text(&link.hash)?;
        Ok(())
    })
    .await?;
    shared::set_head_hash::<Sqlite>(conn, last).await
}

/// The search index's rows of new persons (`search::terms`).
async fn index(conn: &mut SqliteConnection, created: &[Person]) -> Result<(), StoreError> {
    let NameParts(parts) = NameParts::of(created.iter().map(|p| &p.record));
    insert(conn, NAME_PARTS, 4, "", &parts, |v, t| {
        v.text(&t.part)?.text(t.name)?.text(t.birth_date)?.text(t.id_number)?;
        Ok(())
    })
    .await
}
