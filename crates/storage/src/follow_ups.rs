//! Follow-ups after placement (#13 §5, 第十九条): rows, one per job and month, the jobs whose
//! follow-ups are due, and the audit chain. When they fall due and what a follow-up holds are the
//! domain's (`yuanzhu_domain::assistance::follow_up`).

use sqlx::Row;
use yuanzhu_domain::assistance::FollowUp;
use yuanzhu_domain::assistance::follow_up::due_dates;
use yuanzhu_domain::revocation::ContactChannel;
use yuanzhu_rules::Date;

use crate::audit::{self, AuditAction, NewEvent};
use crate::error::{corrupt, stored_date};
use crate::{Store, StoreError, new_id, now};

/// A follow-up as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredFollowUp {
    pub id: String,
    pub employment_id: String,
    #[serde(flatten)]
    pub follow_up: FollowUp,
    pub unit_code: String,
    pub actor: String,
}

/// A follow-up that is due and not yet made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueFollowUp {
    /// The person's record key, for a link that carries no ID number.
    pub person_id: String,
    pub id_number: String,
    pub name: String,
    pub residence_unit: String,
    pub employment_id: String,
    pub employer: Option<String>,
    pub months: u32,
    pub due: Date,
}

#[derive(Debug, thiserror::Error)]
pub enum FollowUpStoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no such job of this person")]
    UnknownJob,
    #[error("this follow-up of the job was made already")]
    Done,
}

impl From<sqlx::Error> for FollowUpStoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => FollowUpStoreError::Done,
            _ => FollowUpStoreError::Store(e.into()),
        }
    }
}

/// The start of a job of the person with this ID number, if it is theirs.
pub async fn job_started(store: &Store, id_number: &str, employment_id: &str) -> Result<Option<Date>, StoreError> {
    let started: Option<String> = sqlx::query_scalar(
        "SELECT e.started_on FROM employment_records e JOIN persons p ON p.id = e.person_id \
         WHERE e.id = $1 AND p.id_number = $2",
    )
    .bind(employment_id)
    .bind(id_number)
    .fetch_optional(store.pool())
    .await?;
    started.map(|d| stored_date(&d)).transpose()
}

/// Records a follow-up of a job of the person, with its audit event.
pub async fn record(
    store: &Store,
    id_number: &str,
    employment_id: &str,
    f: &FollowUp,
    unit_code: &str,
    actor: &str,
) -> Result<StoredFollowUp, FollowUpStoreError> {
    let mut tx = store.begin_write().await?;
    let person: String = sqlx::query_scalar(
        "SELECT p.id FROM employment_records e JOIN persons p ON p.id = e.person_id WHERE e.id = $1 AND p.id_number = $2",
    )
    .bind(employment_id)
    .bind(id_number)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(FollowUpStoreError::UnknownJob)?;
    let stored = StoredFollowUp {
        id: new_id(),
        employment_id: employment_id.to_owned(),
        follow_up: f.clone(),
        unit_code: unit_code.to_owned(),
        actor: actor.to_owned(),
    };
    sqlx::query(
        "INSERT INTO follow_ups (id, employment_id, person_id, months, due_on, on_date, in_job, channel, need, \
         unit_code, actor, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&stored.id)
    .bind(employment_id)
    .bind(&person)
    .bind(i64::from(f.months))
    .bind(f.due.to_string())
    .bind(f.on.to_string())
    .bind(i64::from(f.in_job))
    .bind(f.channel.code())
    .bind(&f.need)
    .bind(unit_code)
    .bind(actor)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    let event = NewEvent {
        actor,
        action: AuditAction::FollowUpRecorded.code(),
        entity: "follow_up",
        entity_id: &stored.id,
        person_id: Some(&person),
        after: Some(serde_json::to_value(&stored).expect("a follow-up serialises")),
        ..NewEvent::default()
    };
    audit::append(&mut tx, event).await?;
    tx.commit().await?;
    Ok(stored)
}

/// The person's follow-ups, in date order.
pub async fn of_person(store: &Store, id_number: &str) -> Result<Vec<StoredFollowUp>, StoreError> {
    let rows = sqlx::query(
        "SELECT f.id, f.employment_id, f.months, f.due_on, f.on_date, f.in_job, f.channel, f.need, f.unit_code, f.actor \
         FROM follow_ups f JOIN persons p ON p.id = f.person_id WHERE p.id_number = $1 ORDER BY f.on_date, f.id",
    )
    .bind(id_number)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let channel: String = r.try_get("channel")?;
            Ok(StoredFollowUp {
                id: r.try_get("id")?,
                employment_id: r.try_get("employment_id")?,
                follow_up: FollowUp {
                    months: u32::try_from(r.try_get::<i64, _>("months")?).map_err(|_| corrupt("follow-up months"))?,
                    due: stored_date(&r.try_get::<String, _>("due_on")?)?,
                    on: stored_date(&r.try_get::<String, _>("on_date")?)?,
                    in_job: r.try_get::<i64, _>("in_job")? != 0,
                    channel: ContactChannel::parse(&channel)
                        .ok_or_else(|| corrupt(format_args!("follow-up channel `{channel}`")))?,
                    need: r.try_get("need")?,
                },
                unit_code: r.try_get("unit_code")?,
                actor: r.try_get("actor")?,
            })
        })
        .collect()
}

/// The most follow-ups a queue lists at once, soonest due first.
pub const QUEUE_LIMIT: usize = 1000;

/// Follow-ups due before `due_before` and not yet made, of persons living in units whose code
/// starts with `unit_prefix`, soonest first. A job that ended before a follow-up fell due needs
/// no more of them: its end put the person back in the queues that want work found.
pub async fn due(
    store: &Store,
    unit_prefix: &str,
    months: &[u32],
    due_before: Date,
) -> Result<Vec<DueFollowUp>, StoreError> {
    let Some(&first) = months.iter().min() else { return Ok(Vec::new()) };
    // A job started after this day has no follow-up due before `due_before`.
    let latest_start = Date::from_days(due_before.to_days() - i64::from(first) * 28).unwrap_or(due_before);
    let like = format!("{unit_prefix}%");
    let rows = sqlx::query(
        "SELECT e.id, e.started_on, e.ended_on, e.employer, p.id AS person_id, p.id_number, p.name, p.residence_unit \
         FROM employment_records e JOIN persons p ON p.id = e.person_id \
         WHERE p.residence_unit LIKE $1 AND e.started_on <= $2 ORDER BY e.started_on, e.id",
    )
    .bind(&like)
    .bind(latest_start.to_string())
    .fetch_all(store.pool())
    .await?;
    let done_rows = sqlx::query(
        "SELECT f.employment_id, f.months FROM follow_ups f JOIN persons p ON p.id = f.person_id \
         WHERE p.residence_unit LIKE $1",
    )
    .bind(&like)
    .fetch_all(store.pool())
    .await?;
    let mut done = std::collections::HashSet::new();
    for r in &done_rows {
        done.insert((r.try_get::<String, _>("employment_id")?, r.try_get::<i64, _>("months")?));
    }
    let mut items = Vec::new();
    for r in &rows {
        let id: String = r.try_get("id")?;
        let started = stored_date(&r.try_get::<String, _>("started_on")?)?;
        let ended = r.try_get::<Option<String>, _>("ended_on")?.map(|d| stored_date(&d)).transpose()?;
        for (m, due) in due_dates(started, months) {
            let lapsed = ended.is_some_and(|end| end < due);
            if due < due_before && !lapsed && !done.contains(&(id.clone(), i64::from(m))) {
                items.push(DueFollowUp {
                    person_id: r.try_get("person_id")?,
                    id_number: r.try_get("id_number")?,
                    name: r.try_get("name")?,
                    residence_unit: r.try_get("residence_unit")?,
                    employment_id: id.clone(),
                    employer: r.try_get("employer")?,
                    months: m,
                    due,
                });
            }
        }
    }
    items.sort_by(|a, b| a.due.cmp(&b.due).then_with(|| a.id_number.cmp(&b.id_number)));
    items.truncate(QUEUE_LIMIT);
    Ok(items)
}
