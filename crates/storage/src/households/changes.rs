//! What a member's work does to the rest of the household. When recording work, or its end,
//! turns a household's zero-employment status (第三条第（三）项第2目) around, every other member's
//! unit is told in its own queue, which may lie outside the jurisdiction of whoever recorded the
//! work: that caseworker's answer says nothing about them. A notice stays until someone who
//! reaches the member marks it seen.

use sqlx::{AnyConnection, Row};
use yuanzhu_rules::Date;

use super::household_in;
use crate::audit::AuditAction;
use crate::audit::{self, NewEvent};
use crate::{Store, StoreError, new_id, now};

/// A change of the household's status as one member's unit is told of it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub id: String,
    /// The member told.
    pub person_id: String,
    pub id_number: String,
    pub name: String,
    pub residence_unit: String,
    pub hukou_unit: Option<String>,
    pub household_ref: String,
    /// From this day the household is (or is no longer) a zero-employment household.
    pub on: String,
    pub zero_employment: bool,
    /// `employment.recorded` or `employment.ended`.
    pub cause: String,
    pub caused_by: String,
    pub seen_by: Option<String>,
    pub seen_at: Option<String>,
}

/// Records, in the caller's transaction, a notice for each member of the household other than
/// `worker` when the household's zero-employment status on `before` and on `after` differ.
pub(crate) async fn record_flip(
    conn: &mut AnyConnection,
    household_ref: &str,
    worker: &str,
    (before, after): (Date, Date),
    cause: &str,
    actor: &str,
) -> Result<(), StoreError> {
    let was = household_in(conn, household_ref, before).await?.is_some_and(|h| h.zero_employment);
    let Some(now_h) = household_in(conn, household_ref, after).await? else { return Ok(()) };
    if was == now_h.zero_employment {
        return Ok(());
    }
    let at = now();
    let on = after.to_string();
    for m in now_h.members.iter().filter(|m| m.person_id != worker) {
        let id = new_id();
        sqlx::query(
            "INSERT INTO household_changes (id, person_id, household_ref, on_date, zero_employment, cause, caused_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(&m.person_id)
        .bind(household_ref)
        .bind(&on)
        .bind(i64::from(now_h.zero_employment))
        .bind(cause)
        .bind(actor)
        .bind(&at)
        .execute(&mut *conn)
        .await?;
        audit::append(
            conn,
            NewEvent {
                actor,
                action: AuditAction::HouseholdStatusChanged.code(),
                entity: "household_change",
                entity_id: &id,
                person_id: Some(&m.person_id),
                before: Some(serde_json::json!({ "household_ref": household_ref, "zero_employment": was })),
                after: Some(serde_json::json!({
                    "household_ref": household_ref, "zero_employment": now_h.zero_employment, "on": on, "cause": cause,
                })),
                ..NewEvent::default()
            },
        )
        .await?;
    }
    Ok(())
}

const SELECT: &str = "SELECT c.id, c.person_id, p.id_number, p.name, p.residence_unit, p.hukou_unit, c.household_ref, \
     c.on_date, c.zero_employment, c.cause, c.caused_by, c.seen_by, c.seen_at \
     FROM household_changes c JOIN persons p ON p.id = c.person_id";

fn change_of(r: &sqlx::any::AnyRow) -> Result<Change, sqlx::Error> {
    Ok(Change {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        id_number: r.try_get("id_number")?,
        name: r.try_get("name")?,
        residence_unit: r.try_get("residence_unit")?,
        hukou_unit: r.try_get("hukou_unit")?,
        household_ref: r.try_get("household_ref")?,
        on: r.try_get("on_date")?,
        zero_employment: r.try_get::<i64, _>("zero_employment")? != 0,
        cause: r.try_get("cause")?,
        caused_by: r.try_get("caused_by")?,
        seen_by: r.try_get("seen_by")?,
        seen_at: r.try_get("seen_at")?,
    })
}

/// The notices nobody has marked seen, oldest first (a unit's queue is the ones it reaches).
pub async fn unseen(store: &Store) -> Result<Vec<Change>, StoreError> {
    let sql = format!("{SELECT} WHERE c.seen_at IS NULL ORDER BY c.on_date, c.id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(store.pool()).await?;
    Ok(rows.iter().map(change_of).collect::<Result<_, _>>()?)
}

/// One notice.
pub async fn change(store: &Store, id: &str) -> Result<Option<Change>, StoreError> {
    let sql = format!("{SELECT} WHERE c.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(store.pool()).await?;
    Ok(row.as_ref().map(change_of).transpose()?)
}

/// Marks a notice seen by `actor` (the caller has checked they reach its member). Marking it
/// again changes nothing. Returns the notice as it stands.
pub async fn mark_seen(store: &Store, id: &str, actor: &str) -> Result<Option<Change>, StoreError> {
    let mut tx = store.begin_write().await?;
    let done = sqlx::query("UPDATE household_changes SET seen_by = $1, seen_at = $2 WHERE id = $3 AND seen_at IS NULL")
        .bind(actor)
        .bind(now())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 1 {
        let person_id: String = sqlx::query_scalar("SELECT person_id FROM household_changes WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        audit::append(
            &mut tx,
            NewEvent {
                actor,
                action: AuditAction::HouseholdChangeSeen.code(),
                entity: "household_change",
                entity_id: id,
                person_id: Some(&person_id),
                after: Some(serde_json::json!({ "seen_by": actor })),
                ..NewEvent::default()
            },
        )
        .await?;
    }
    tx.commit().await?;
    change(store, id).await
}
