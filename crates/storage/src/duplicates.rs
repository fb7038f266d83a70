//! Possible duplicates (same name and birth date, different ID numbers), flagged for a person to
//! decide: a wrongly typed ID number makes a second file for one person, while two people may
//! truly share a name and a birthday. Nothing is merged automatically.

use sqlx::Row;
use yuanzhu_rules::Date;

use crate::audit::{self, NewEvent};
use crate::{Store, StoreError, new_id, now};

/// An open or decided flag, with both persons' ID numbers.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Flag {
    pub id: String,
    pub name: String,
    pub birth_date: String,
    pub id_number_a: String,
    pub id_number_b: String,
    pub state: String,
}

/// Flags every pair not flagged before; returns how many new flags there are. Idempotent.
pub async fn flag_new(store: &Store, actor: &str) -> Result<u64, StoreError> {
    let mut tx = store.begin_write().await?;
    let pairs = sqlx::query(
        "SELECT a.id AS a, b.id AS b FROM persons a JOIN persons b \
         ON a.name = b.name AND a.birth_date = b.birth_date AND a.id < b.id \
         WHERE NOT EXISTS (SELECT 1 FROM duplicate_flags f WHERE f.person_a = a.id AND f.person_b = b.id)",
    )
    .fetch_all(&mut *tx)
    .await?;
    for pair in &pairs {
        let (a, b): (String, String) = (pair.try_get("a")?, pair.try_get("b")?);
        let id = new_id();
        sqlx::query(
            "INSERT INTO duplicate_flags (id, person_a, person_b, state, created_at) VALUES ($1, $2, $3, 'open', $4)",
        )
        .bind(&id)
        .bind(&a)
        .bind(&b)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        for person in [&a, &b] {
            audit::append(
                &mut tx,
                NewEvent {
                    actor,
                    action: "duplicate.flagged",
                    entity: "duplicate_flag",
                    entity_id: &id,
                    person_id: Some(person),
                    after: Some(serde_json::json!({ "other": if person == &a { &b } else { &a } })),
                    ..NewEvent::default()
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(pairs.len() as u64)
}

/// The flags still waiting for a decision.
pub async fn open(store: &Store) -> Result<Vec<Flag>, StoreError> {
    let rows = sqlx::query(
        "SELECT f.id, a.name, a.birth_date, a.id_number AS a, b.id_number AS b, f.state FROM duplicate_flags f \
         JOIN persons a ON a.id = f.person_a JOIN persons b ON b.id = f.person_b WHERE f.state = 'open' ORDER BY f.created_at",
    )
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Flag {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                birth_date: r.try_get("birth_date")?,
                id_number_a: r.try_get("a")?,
                id_number_b: r.try_get("b")?,
                state: r.try_get("state")?,
            })
        })
        .collect()
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
    let a: String = row.try_get("person_a")?;
    audit::append(
        &mut tx,
        NewEvent {
            actor,
            action: "duplicate.decided",
            entity: "duplicate_flag",
            entity_id: flag_id,
            person_id: Some(&a),
            before: Some(serde_json::json!({ "state": before })),
            after: Some(serde_json::json!({ "state": state, "on": on.to_string() })),
            ..NewEvent::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
