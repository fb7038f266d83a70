//! Possible duplicates (same name and birth date, different ID numbers), flagged for a person to
//! decide: a wrongly typed ID number makes a second file for one person, while two people may
//! truly share a name and a birthday. Nothing is merged automatically.

// The statements are constants of this module and the limit a number: safe to splice into SQL.
use sqlx::FromRow as _;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use yuanzhu_rules::Date;

use crate::audit::AuditAction;
use crate::audit::{self, NewEvent};
use crate::{Store, StoreError, new_id, now};

/// An open or decided flag, with both persons' ID numbers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Flag {
    pub id: String,
    pub name: String,
    pub birth_date: String,
    #[sqlx(rename = "a")]
    pub id_number_a: String,
    #[sqlx(rename = "b")]
    pub id_number_b: String,
    pub state: String,
}

/// Where one person of a flag lives, for deciding who may see the flag: a flag is shown and
/// counted only to a user who reaches both of its persons.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Place {
    pub residence_unit: String,
    pub hukou_unit: Option<String>,
}

/// A flag raised just now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flagged {
    pub id: String,
    pub a: Place,
    pub b: Place,
}

/// The pairs (with their places) that share a name and a birth date and have no flag yet; `a`
/// is the one of the lower record key.
const PAIRS: &str = "SELECT a.id AS a, b.id AS b, a.residence_unit AS a_unit, a.hukou_unit AS a_hukou, \
     b.residence_unit AS b_unit, b.hukou_unit AS b_hukou FROM persons a JOIN persons b \
     ON a.name = b.name AND a.birth_date = b.birth_date AND a.id < b.id \
     WHERE NOT EXISTS (SELECT 1 FROM duplicate_flags f WHERE f.person_a = a.id AND f.person_b = b.id)";

/// Flags every pair not flagged before; returns the new flags. Idempotent.
pub async fn flag_new(store: &Store, actor: &str) -> Result<Vec<Flagged>, StoreError> {
    let mut tx = store.begin_write().await?;
    let rows = sqlx::query(PAIRS).fetch_all(&mut *tx).await?;
    let pairs = rows
        .iter()
        .map(|r| Ok((r.try_get("a")?, r.try_get("b")?, place(r, "a_unit", "a_hukou")?, place(r, "b_unit", "b_hukou")?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let flagged = insert(&mut tx, pairs, actor).await?;
    tx.commit().await?;
    Ok(flagged)
}

/// Flags the pairs of this person (same name and birth date, another ID number) not flagged
/// before: a registration at the counter is checked at once, through the index of names and
/// birth dates, without reading the whole registry.
pub async fn flag_person(store: &Store, id_number: &str, actor: &str) -> Result<Vec<Flagged>, StoreError> {
    let mut tx = store.begin_write().await?;
    let rows = sqlx::query(
        "SELECT p.id AS p, o.id AS o, p.residence_unit AS p_unit, p.hukou_unit AS p_hukou, \
         o.residence_unit AS o_unit, o.hukou_unit AS o_hukou \
         FROM persons p JOIN persons o ON o.name = p.name AND o.birth_date = p.birth_date AND o.id <> p.id \
         WHERE p.id_number = $1 AND NOT EXISTS (SELECT 1 FROM duplicate_flags f \
         WHERE (f.person_a = p.id AND f.person_b = o.id) OR (f.person_a = o.id AND f.person_b = p.id))",
    )
    .bind(id_number)
    .fetch_all(&mut *tx)
    .await?;
    let mut pairs = Vec::with_capacity(rows.len());
    for r in &rows {
        let (p, o): (String, String) = (r.try_get("p")?, r.try_get("o")?);
        let (pp, op) = (place(r, "p_unit", "p_hukou")?, place(r, "o_unit", "o_hukou")?);
        pairs.push(if p < o { (p, o, pp, op) } else { (o, p, op, pp) });
    }
    let flagged = insert(&mut tx, pairs, actor).await?;
    tx.commit().await?;
    Ok(flagged)
}

fn place(r: &AnyRow, unit: &str, hukou: &str) -> Result<Place, sqlx::Error> {
    Ok(Place { residence_unit: r.try_get(unit)?, hukou_unit: r.try_get(hukou)? })
}

/// Records a flag per pair (the lower record key first) with its audit event. The event belongs to
/// the flag, not to either file: a file's history is read by whoever reaches that person, who may
/// not reach the other, and must not learn that someone of the same name and birth date is on file.
async fn insert(
    conn: &mut AnyConnection,
    pairs: Vec<(String, String, Place, Place)>,
    actor: &str,
) -> Result<Vec<Flagged>, StoreError> {
    let mut out = Vec::with_capacity(pairs.len());
    for (a, b, a_place, b_place) in pairs {
        let id = new_id();
        sqlx::query(
            "INSERT INTO duplicate_flags (id, person_a, person_b, state, created_at) VALUES ($1, $2, $3, 'open', $4)",
        )
        .bind(&id)
        .bind(&a)
        .bind(&b)
        .bind(now())
        .execute(&mut *conn)
        .await?;
        audit::append(
            conn,
            NewEvent {
                actor,
                action: AuditAction::DuplicateFlagged.code(),
                entity: "duplicate_flag",
                entity_id: &id,
                person_id: None,
                after: Some(serde_json::json!({ "person_a": a, "person_b": b })),
                ..NewEvent::default()
            },
        )
        .await?;
        out.push(Flagged { id, a: a_place, b: b_place });
    }
    Ok(out)
}

/// An open flag and where its persons live, as a queue within a jurisdiction shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OpenFlag {
    pub flag: Flag,
    pub person_a: String,
    pub person_b: String,
    pub a: Place,
    pub b: Place,
}

/// The open flags both of whose persons live, or hold their hukou, under `unit_prefix`, oldest
/// first, at most `limit`: the candidates of a jurisdiction's queue, which the caller narrows to
/// the flags whose persons it reaches.
pub async fn open_under(store: &Store, unit_prefix: &str, limit: u32) -> Result<Vec<OpenFlag>, StoreError> {
    let like = format!("{}%", unit_prefix.chars().filter(char::is_ascii_digit).collect::<String>());
    let sql = format!(
        "SELECT f.id, a.name, a.birth_date, a.id_number AS a, b.id_number AS b, f.state, a.id AS a_id, b.id AS b_id, \
         a.residence_unit AS a_unit, a.hukou_unit AS a_hukou, b.residence_unit AS b_unit, b.hukou_unit AS b_hukou \
         FROM duplicate_flags f JOIN persons a ON a.id = f.person_a JOIN persons b ON b.id = f.person_b \
         WHERE f.state = 'open' AND (a.residence_unit LIKE $1 OR a.hukou_unit LIKE $1) \
         AND (b.residence_unit LIKE $1 OR b.hukou_unit LIKE $1) ORDER BY f.created_at, f.id LIMIT {}",
        limit.min(1000)
    );
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(like).fetch_all(store.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok(OpenFlag {
                flag: flag_of(r)?,
                person_a: r.try_get("a_id")?,
                person_b: r.try_get("b_id")?,
                a: place(r, "a_unit", "a_hukou")?,
                b: place(r, "b_unit", "b_hukou")?,
            })
        })
        .collect()
}

fn flag_of(r: &AnyRow) -> Result<Flag, sqlx::Error> {
    Flag::from_row(r)
}

/// The flags still waiting for a decision.
pub async fn open(store: &Store) -> Result<Vec<Flag>, StoreError> {
    let rows = sqlx::query(
        "SELECT f.id, a.name, a.birth_date, a.id_number AS a, b.id_number AS b, f.state FROM duplicate_flags f \
         JOIN persons a ON a.id = f.person_a JOIN persons b ON b.id = f.person_b WHERE f.state = 'open' ORDER BY f.created_at",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(flag_of).collect::<Result<_, _>>()?)
}

/// Records the decision: the same person (one file to be corrected) or two different persons.
pub async fn decide(store: &Store, flag_id: &str, same_person: bool, actor: &str, on: Date) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    let state = if same_person { "same_person" } else { "different" };
    let row = sqlx::query("SELECT person_a, person_b, state FROM duplicate_flags WHERE id = $1")
        .bind(flag_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no duplicate flag {flag_id}")))?;
    let before: String = row.try_get("state")?;
    if before != "open" {
        return Err(StoreError::NotFound(format!("duplicate flag {flag_id} was already decided ({before})")));
    }
    sqlx::query("UPDATE duplicate_flags SET state = $1, decided_by = $2, decided_on = $3 WHERE id = $4")
        .bind(state)
        .bind(actor)
        .bind(on.to_string())
        .bind(flag_id)
        .execute(&mut *tx)
        .await?;
    // The flag's event, like its flagging (see `insert`): neither file's history tells of the other.
    let (a, b): (String, String) = (row.try_get("person_a")?, row.try_get("person_b")?);
    audit::append(
        &mut tx,
        NewEvent {
            actor,
            action: AuditAction::DuplicateDecided.code(),
            entity: "duplicate_flag",
            entity_id: flag_id,
            person_id: None,
            before: Some(serde_json::json!({ "state": before })),
            after: Some(serde_json::json!({ "state": state, "on": on.to_string(), "person_a": a, "person_b": b })),
            ..NewEvent::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
