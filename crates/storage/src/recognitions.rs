//! Ending a recognition (认定) for a reason that is not a reviewer's revocation: the person found
//! work and their unemployment registration ended ([`crate::employment`]), or they reached
//! statutory retirement age ([`crate::reassess`]). Each end keeps the day and the reason on the
//! recognition (notes §1.4: the 就业援助卡 records the exit date and reason) and writes its
//! `recognition.ended` event in the caller's transaction.

// Column lists and filters are constants of this module, never input: safe to splice into SQL.
use std::collections::HashMap;

use sqlx::{AnyConnection, AssertSqlSafe, Row};
use yuanzhu_rules::{Date, Facts, Lang, Policy};

use crate::audit::AuditAction;
use crate::audit::{self, NewEvent};
use crate::{Params, StoreError, new_id};

/// A recognition as held on a day.
#[derive(Debug, Clone)]
pub(crate) struct Open {
    pub id: String,
    pub category: String,
    pub policy: String,
    pub citation: String,
    pub route: String,
    pub recognized_on: String,
}

const COLUMNS: &str = "id, category, policy, citation, route, recognized_on";

fn open_of_row(r: &sqlx::any::AnyRow) -> Result<Open, sqlx::Error> {
    Ok(Open {
        id: r.try_get("id")?,
        category: r.try_get("category")?,
        policy: r.try_get("policy")?,
        citation: r.try_get("citation")?,
        route: r.try_get("route")?,
        recognized_on: r.try_get("recognized_on")?,
    })
}

/// The recognitions the person held on `on`: recognised on or before it, not ended by then.
pub(crate) async fn held_on(conn: &mut AnyConnection, person_id: &str, on: &str) -> Result<Vec<Open>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM recognitions WHERE person_id = $1 AND recognized_on <= $2 \
         AND (ended_on IS NULL OR ended_on > $2) ORDER BY recognized_on, category"
    );
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(person_id).bind(on).fetch_all(&mut *conn).await?;
    Ok(rows.iter().map(open_of_row).collect::<Result<_, _>>()?)
}

/// Why a recognition ends, as its event says it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ending<'a> {
    /// The `end_reason` kept on the recognition (an exit reason's code).
    pub reason: &'a str,
    /// The article the end rests on.
    pub authority: &'a str,
    pub because: &'a str,
}

/// The person's recognitions that have not ended, oldest first; only those recognised
/// automatically (第四条) with `automatic_only`.
pub(crate) async fn open_of(
    conn: &mut AnyConnection,
    person_id: &str,
    automatic_only: bool,
) -> Result<Vec<Open>, StoreError> {
    let only = if automatic_only { "AND route = 'automatic'" } else { "" };
    let sql = format!(
        "SELECT {COLUMNS} FROM recognitions WHERE person_id = $1 AND ended_on IS NULL {only} \
         ORDER BY recognized_on, category"
    );
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(person_id).fetch_all(&mut *conn).await?;
    Ok(rows.iter().map(open_of_row).collect::<Result<_, _>>()?)
}

/// The open recognitions of each of `person_ids`, by person.
pub(crate) async fn open_of_many(
    conn: &mut AnyConnection,
    person_ids: &[&str],
) -> Result<HashMap<String, Vec<Open>>, StoreError> {
    let mut out: HashMap<String, Vec<Open>> = HashMap::new();
    for chunk in crate::persons::bulk::chunks(person_ids) {
        let sql = format!(
            "SELECT person_id, {COLUMNS} FROM recognitions WHERE ended_on IS NULL AND person_id IN ({}) \
             ORDER BY recognized_on, category",
            Params::of(conn).list(chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.entry(r.try_get("person_id")?).or_default().push(open_of_row(&r)?);
        }
    }
    Ok(out)
}

/// Recognises category `i` of `policy` automatically (第四条) for the person, on `on`, decided by
/// `decided_by`, with its `recognition.granted` event (the facts it rests on, in words).
#[expect(clippy::too_many_arguments, reason = "what a recognition records, each named")]
pub(crate) async fn grant(
    conn: &mut AnyConnection,
    person_id: &str,
    policy: &Policy,
    i: usize,
    facts: &Facts,
    on: Date,
    decided_by: &str,
    actor: &str,
) -> Result<(), StoreError> {
    let category = &policy.categories[i];
    let (id, day) = (new_id(), on.to_string());
    sqlx::query(
        "INSERT INTO recognitions (id, person_id, category, policy, citation, route, recognized_on, decided_by) \
         VALUES ($1, $2, $3, $4, $5, 'automatic', $6, $7)",
    )
    .bind(&id)
    .bind(person_id)
    .bind(category.code)
    .bind(&policy.id)
    .bind(&category.citation)
    .bind(&day)
    .bind(decided_by)
    .execute(&mut *conn)
    .await?;
    let because = because(policy, i, facts, on);
    audit::append(
        conn,
        NewEvent {
            actor,
            action: AuditAction::RecognitionGranted.code(),
            entity: "recognition",
            entity_id: &id,
            person_id: Some(person_id),
            policy: Some(&policy.id),
            before: None,
            after: Some(serde_json::json!({
                "authority": "第四条", "because": because, "category": category.code, "citation": category.citation,
                "recognized_on": day, "route": "automatic", "decided_by": decided_by,
            })),
        },
    )
    .await?;
    Ok(())
}

/// The facts category `i` of `policy` rests on for the person on `on`, in words (Chinese, as the
/// audit trail keeps them).
pub(crate) fn because(policy: &Policy, i: usize, facts: &Facts, on: Date) -> String {
    let code = policy.categories[i].code;
    let outcome = policy.assess(facts, on);
    policy
        .explain(facts, on, outcome, Lang::Zh)
        .into_iter()
        .find(|r| r.code == code)
        .map(|r| r.because)
        .unwrap_or_default()
}

/// Ends `r` on `on`, or on the day it was recognised if that is later (a recognition never ends
/// before it began). Returns the day it ended.
pub(crate) async fn end(
    conn: &mut AnyConnection,
    person_id: &str,
    r: &Open,
    on: &str,
    why: Ending<'_>,
    actor: &str,
) -> Result<String, StoreError> {
    let on = if r.recognized_on.as_str() > on { r.recognized_on.clone() } else { on.to_owned() };
    sqlx::query("UPDATE recognitions SET ended_on = $1, end_reason = $2 WHERE id = $3 AND ended_on IS NULL")
        .bind(&on)
        .bind(why.reason)
        .bind(&r.id)
        .execute(&mut *conn)
        .await?;
    audit::append(
        conn,
        NewEvent {
            actor,
            action: AuditAction::RecognitionEnded.code(),
            entity: "recognition",
            entity_id: &r.id,
            person_id: Some(person_id),
            policy: Some(&r.policy),
            before: Some(serde_json::json!({
                "category": r.category, "citation": r.citation, "recognized_on": r.recognized_on, "ended_on": null,
            })),
            after: Some(serde_json::json!({
                "category": r.category, "citation": r.citation, "recognized_on": r.recognized_on, "ended_on": on,
                "end_reason": why.reason, "authority": why.authority, "because": why.because,
            })),
        },
    )
    .await?;
    Ok(on)
}
