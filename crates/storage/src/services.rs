//! Service records (#13, 第八至十六条): rows, the refusal a declined offer writes beside them, and
//! the audit chain. What a record may hold and which article it cites are the domain's
//! (`yuanzhu_domain::assistance::service`).

use sqlx::{AnyConnection, Row};
use yuanzhu_domain::assistance::{ServiceKind, ServiceOutcome, ServiceRecord};
use yuanzhu_rules::Money;

use crate::audit::{self, AuditAction, NewEvent};
use crate::error::{corrupt, stored_date};
use crate::{Store, StoreError, new_id, now};

/// A service record as stored: the domain's record, who gave it and where.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredService {
    pub id: String,
    #[serde(flatten)]
    pub record: ServiceRecord,
    /// The unit of the worker who gave it.
    pub unit_code: String,
    pub actor: String,
    /// The refusal a declined offer counts as (第六条第（二）项), when it was one.
    pub refusal_id: Option<String>,
    pub created_at: String,
}

/// Records a service given to the person with this ID number, with its audit event; a declined
/// offer also logs the refusal it is, in the same transaction, so the refusal rule counts it.
pub async fn record(
    store: &Store,
    id_number: &str,
    record: &ServiceRecord,
    unit_code: &str,
    actor: &str,
) -> Result<StoredService, StoreError> {
    let mut tx = store.begin_write().await?;
    let person = person_id(&mut tx, id_number).await?;
    let at = now();
    let refusal_id = if record.is_refusal() {
        let id = new_id();
        sqlx::query(
            "INSERT INTO refusals (id, person_id, on_date, service, note, actor, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(&person)
        .bind(record.on.to_string())
        .bind(record.kind.refused_service().code())
        .bind(record.refusal_note())
        .bind(actor)
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        Some(id)
    } else {
        None
    };
    let stored = StoredService {
        id: new_id(),
        record: record.clone(),
        unit_code: unit_code.to_owned(),
        actor: actor.to_owned(),
        refusal_id,
        created_at: at,
    };
    sqlx::query(
        "INSERT INTO service_records (id, person_id, kind, on_date, unit_code, note, outcome, employer, vacancy, \
         loan_fen, policy, article, refusal_id, actor, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(&stored.id)
    .bind(&person)
    .bind(record.kind.code())
    .bind(record.on.to_string())
    .bind(unit_code)
    .bind(&record.note)
    .bind(record.outcome.map(ServiceOutcome::code))
    .bind(&record.employer)
    .bind(&record.vacancy)
    .bind(record.loan_amount.map(Money::fen))
    .bind(&record.policy)
    .bind(&record.article)
    .bind(&stored.refusal_id)
    .bind(actor)
    .bind(&stored.created_at)
    .execute(&mut *tx)
    .await?;
    let after = serde_json::to_value(&stored).expect("a record serialises");
    let event = NewEvent {
        actor,
        action: AuditAction::ServiceRecorded.code(),
        entity: "service",
        entity_id: &stored.id,
        person_id: Some(&person),
        policy: Some(&record.policy),
        after: Some(after),
        ..NewEvent::default()
    };
    audit::append(&mut tx, event).await?;
    tx.commit().await?;
    Ok(stored)
}

/// The services given to a person, in date order (on one day, in the order recorded).
pub async fn of_person(store: &Store, id_number: &str) -> Result<Vec<StoredService>, StoreError> {
    let rows = sqlx::query(
        "SELECT s.id, s.kind, s.on_date, s.unit_code, s.note, s.outcome, s.employer, s.vacancy, s.loan_fen, s.policy, \
         s.article, s.refusal_id, s.actor, s.created_at FROM service_records s JOIN persons p ON p.id = s.person_id \
         WHERE p.id_number = $1 ORDER BY s.on_date, s.id",
    )
    .bind(id_number)
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(service_of).collect()
}

fn service_of(r: &sqlx::any::AnyRow) -> Result<StoredService, StoreError> {
    let kind: String = r.try_get("kind")?;
    let outcome: Option<String> = r.try_get("outcome")?;
    let on: String = r.try_get("on_date")?;
    let record = ServiceRecord {
        kind: ServiceKind::parse(&kind).ok_or_else(|| corrupt(format_args!("service kind `{kind}`")))?,
        on: stored_date(&on)?,
        note: r.try_get("note")?,
        outcome: match outcome {
            Some(o) => Some(ServiceOutcome::parse(&o).ok_or_else(|| corrupt(format_args!("service outcome `{o}`")))?),
            None => None,
        },
        employer: r.try_get("employer")?,
        vacancy: r.try_get("vacancy")?,
        loan_amount: r.try_get::<Option<i64>, _>("loan_fen")?.map(Money::from_fen),
        policy: r.try_get("policy")?,
        article: r.try_get("article")?,
    };
    Ok(StoredService {
        id: r.try_get("id")?,
        record,
        unit_code: r.try_get("unit_code")?,
        actor: r.try_get("actor")?,
        refusal_id: r.try_get("refusal_id")?,
        created_at: r.try_get("created_at")?,
    })
}

async fn person_id(conn: &mut AnyConnection, id_number: &str) -> Result<String, StoreError> {
    sqlx::query_scalar::<_, String>("SELECT id FROM persons WHERE id_number = $1")
        .bind(id_number)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no person with ID number {id_number}")))
}
