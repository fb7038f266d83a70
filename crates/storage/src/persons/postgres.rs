//! A batch on PostgreSQL's own driver: each read is one statement whose keys are one array
//! parameter, and new rows are streamed with `COPY … FROM STDIN`, which the server parses and
//! inserts without planning a statement of thousands of parameters per 512 rows.

use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{AssertSqlSafe, Connection, PgPool, Postgres, Row};

use std::sync::Arc;

use super::bulk::{AUDIT_EVENTS, Chained, PERSONS, Planning, RECOGNITIONS, REGISTRATIONS};
use super::native::{shared, stored_person};
use super::plan::{self, Person, Plan, Prepared, Stored};
use super::{ImportSummary, PERSON_COLUMNS};
use crate::search::terms::{self, NAME_PARTS, NameParts};
use crate::{StoreError, now};

pub(super) async fn register(
    pool: &PgPool,
    rows: Vec<Prepared>,
    planning: &Planning<'_>,
    actor: &str,
    summary: &mut ImportSummary,
) -> Result<(), StoreError> {
    let mut conn = pool.acquire().await?;
    let mut tx = Connection::begin(&mut *conn).await?;
    let stored = read(&mut tx, &rows).await?;
    let plan = planning.plan(rows, stored, summary)?;
    write(&mut tx, plan, actor).await?;
    tx.commit().await?;
    Ok(())
}

/// What is stored of the rows' persons.
async fn read(conn: &mut PgConnection, rows: &[Prepared]) -> Result<Stored, StoreError> {
    let keys = plan::id_numbers(rows);
    let mut stored = Stored::default();
    let select = format!(
        "SELECT id, version, latest_registration, hukou_unit, {PERSON_COLUMNS} FROM persons WHERE id_number = ANY($1)"
    );
    for row in fetch_any(conn, &select, &keys).await? {
        let p = stored_person(&row)?;
        stored.persons.insert(p.record.id_number.clone(), p);
    }
    if stored.persons.is_empty() {
        return Ok(stored);
    }
    let ids: Vec<&str> = stored.persons.values().map(|p| p.id.as_str()).collect();
    let select = "SELECT person_id, registered_on FROM unemployment_registrations WHERE person_id = ANY($1)";
    for row in fetch_any(conn, select, &ids).await? {
        stored.registered.insert((row.try_get("person_id")?, row.try_get("registered_on")?));
    }
    let select = "SELECT person_id, category, policy, recognized_on, ended_on IS NULL AS open FROM recognitions WHERE person_id = ANY($1)";
    for row in fetch_any(conn, select, &ids).await? {
        let (person_id, category, policy) =
            (row.try_get("person_id")?, row.try_get("category")?, row.try_get("policy")?);
        stored.add_recognition(person_id, category, policy, row.try_get("recognized_on")?, row.try_get("open")?);
    }
    Ok(stored)
}

/// The rows of `select`, whose `$1` is the array of `keys`.
async fn fetch_any(conn: &mut PgConnection, select: &str, keys: &[&str]) -> Result<Vec<PgRow>, StoreError> {
    Ok(sqlx::query(AssertSqlSafe(select.to_owned())).bind(keys).fetch_all(&mut *conn).await?)
}

async fn write(conn: &mut PgConnection, plan: Plan, actor: &str) -> Result<(), StoreError> {
    let Plan { created, updated, latest_moved, registrations, recognitions, events } = plan;
    let at = now();
    let actor: Arc<str> = actor.into();
    terms::reindex::<Postgres>(conn, &updated.iter().map(|p| (p.id.as_str(), &p.record)).collect::<Vec<_>>()).await?;
    let chained = shared::begin_writing::<Postgres>(conn, &updated, &latest_moved, events, &actor, &at).await?;
    let mut rows = Rows::default();
    for p in &created {
        let r = &p.record;
        rows.text(&p.id).text(&r.id_number).text(&r.name).text(&r.sex).text(&r.birth_date);
        rows.opt(&r.phone).opt(&r.address).text(&r.residence_unit).opt(&r.household_ref).opt(&r.relation);
        rows.text(&r.female_retirement_track).int(p.facts).int(p.certificates).opt(&r.unemployed_since);
        rows.int(p.version).text(&at).text(&at).opt(&p.latest).int(p.known).end();
    }
    rows.copy(conn, PERSONS).await?;
    index(conn, &created, &mut rows).await?;
    for r in &registrations {
        rows.text(&r.id).text(&r.person_id).text(&r.on).text(&r.unit).text(&at).end();
    }
    rows.copy(conn, REGISTRATIONS).await?;
    for r in &recognitions {
        rows.text(&r.id).text(&r.person_id).text(r.category).text(&r.policy).text(&r.citation);
        rows.text(&r.on).text(&actor).text("automatic").end();
    }
    rows.copy(conn, RECOGNITIONS).await?;
    let Some(chained) = chained else { return Ok(()) };
    let Chained { events, links, last } = chained.await.expect("hashing does not panic");
    for (e, link) in events.iter().zip(&links) {
        rows.int(link.seq).text(&link.id).text(&link.at).text(&actor).text(e.action).text(e.entity);
        rows.text(&e.entity_id).text(&e.person_id).opt(&e.policy).opt(&e.before).text(&e.after);
        rows.text(&link.prev_hash).text(&link.hash).end();
    }
    rows.copy(conn, AUDIT_EVENTS).await?;
    shared::set_head_hash::<Postgres>(conn, last).await
}

/// The search index's rows of new persons (`search::terms`).
async fn index(conn: &mut PgConnection, created: &[Person], rows: &mut Rows) -> Result<(), StoreError> {
    let NameParts(parts) = NameParts::of(created.iter().map(|p| &p.record));
    for t in &parts {
        rows.text(&t.part).text(t.name).text(t.birth_date).text(t.id_number).end();
    }
    rows.copy(conn, NAME_PARTS).await
}

/// Rows in `COPY`'s text format: tab between values, `\N` for NULL, a line per row, and a
/// backslash before any backslash, tab, newline or carriage return in a value.
#[derive(Debug, Default)]
struct Rows {
    buf: Vec<u8>,
    /// Values in the row being written.
    values: usize,
    count: usize,
}

impl Rows {
    /// Starts a value: a tab unless it is the row's first.
    fn value(&mut self) -> &mut Vec<u8> {
        if self.values > 0 {
            self.buf.push(b'\t');
        }
        self.values += 1;
        &mut self.buf
    }

    fn text(&mut self, value: &str) -> &mut Rows {
        let buf = self.value();
        let bytes = value.as_bytes();
        match bytes.iter().position(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r')) {
            None => buf.extend_from_slice(bytes),
            Some(first) => {
                buf.extend_from_slice(&bytes[..first]);
                for &b in &bytes[first..] {
                    match b {
                        b'\\' => buf.extend_from_slice(b"\\\\"),
                        b'\t' => buf.extend_from_slice(b"\\t"),
                        b'\n' => buf.extend_from_slice(b"\\n"),
                        b'\r' => buf.extend_from_slice(b"\\r"),
                        b => buf.push(b),
                    }
                }
            }
        }
        self
    }

    fn opt(&mut self, value: &Option<impl AsRef<str>>) -> &mut Rows {
        match value {
            Some(v) => self.text(v.as_ref()),
            None => {
                self.value().extend_from_slice(b"\\N");
                self
            }
        }
    }

    fn int(&mut self, value: i64) -> &mut Rows {
        self.text(&value.to_string())
    }

    fn end(&mut self) {
        self.buf.push(b'\n');
        self.values = 0;
        self.count += 1;
    }

    /// Streams the rows into `table (columns)` and empties the buffer for the next table.
    async fn copy(&mut self, conn: &mut PgConnection, table_columns: &str) -> Result<(), StoreError> {
        if self.count == 0 {
            return Ok(());
        }
        let mut copy = conn.copy_in_raw(&format!("COPY {table_columns} FROM STDIN")).await?;
        copy.send(self.buf.as_slice()).await?;
        let written = copy.finish().await?;
        if written != self.count as u64 {
            return Err(StoreError::Corrupt(format!("COPY wrote {written} rows of {}", self.count)));
        }
        self.buf.clear();
        self.count = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_it_must_and_marks_nulls() {
        let mut rows = Rows::default();
        rows.text("a\tb\\c\nd\re").opt(&None::<String>).int(-3).text("").text("张三").end();
        rows.text("x").opt(&Some("y")).end();
        assert_eq!(String::from_utf8(rows.buf).unwrap(), "a\\tb\\\\c\\nd\\re\t\\N\t-3\t\t张三\nx\ty\n");
        assert_eq!(rows.count, 2);
    }
}
