//! Employment records (就业登记) and their end (失业). A household's zero-employment status
//! ([`crate::households`]) is derived from these records, never typed in.
//!
//! Finding work is one transaction: the record, with the categories the person held the day the
//! job began (第二十条: "就业困难人员实现就业的，可按规定享受有关的社会保险、岗位补贴和创业补贴",
//! which the subsidies after placement read back); the end of the unemployment registration
//! that day, and with it of every category recognised automatically (第三条 recognises
//! "登记失业人员" only, 第四条 recognises them at that registration); the person's facts no longer
//! saying they are registered unemployed and without work; and, where the person holds a status
//! that 第六条第（一）项 "已实现就业的" ends, a revocation proposal for a reviewer to decide.
//!
//! The person's row is claimed first, so that records of one person are written one after the
//! other on both engines: ten identical requests at once make one record, and a job that would
//! overlap one still open is refused however the requests interleave.

// Column lists are constants of this crate, never input: safe to splice into SQL.
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use yuanzhu_domain::revocation::ExitReason;
use yuanzhu_rules::{Date, Fact, FactSet, PolicySet};

use crate::audit::AuditAction;
use crate::audit::{self, NewEvent};
use crate::error::{corrupt, stored_date as date};
use crate::households::changes;
use crate::recognitions;
use crate::revocations::{self, RevocationError};
use crate::{Store, StoreError, new_id, now};

/// The youngest age at which work may be recorded: 劳动法 第十五条 bars employing anyone under 16
/// (notes §2.1, the lower bound of 法定劳动年龄).
pub const MINIMUM_AGE: u32 = 16;

/// An employment record (就业登记) as a person's file lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Employment {
    pub id: String,
    pub started_on: String,
    /// The last day worked; none while the work goes on.
    pub ended_on: Option<String>,
    pub employer: Option<String>,
    /// The categories the person held the day the job began; `None` for a record made before
    /// they were kept.
    pub categories_at_start: Option<Vec<HeldCategory>>,
}

/// A category a person held on a day, as an employment record keeps it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HeldCategory {
    pub category: String,
    pub policy: String,
    pub citation: String,
    pub route: String,
    pub recognized_on: String,
}

/// What recording work did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Recorded {
    pub employment: Employment,
    /// False when the same job (person, start date, employer) was recorded before: nothing new
    /// was written, and the earlier record is returned.
    pub created: bool,
    /// The unemployment registrations ended by it (their dates of registration).
    pub registrations_ended: Vec<String>,
    /// The automatic recognitions ended with the registration: (category, policy).
    pub recognitions_ended: Vec<(String, String)>,
    /// 第六条第（一）项: proposals to revoke the person's status for a reviewer, new or already open.
    pub proposals: Vec<String>,
}

/// Why work could not be recorded or ended. Each message starts with the field to look at.
#[derive(Debug, thiserror::Error)]
pub enum EmploymentError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("id_number: no person with ID number {0} is registered")]
    UnknownPerson(String),
    #[error("employment_id: the person has no employment record {0}")]
    UnknownRecord(String),
    #[error("started_on: {started_on} is before the person's 16th birthday ({sixteenth})")]
    BelowWorkingAge { started_on: Date, sixteenth: Date },
    #[error("started_on: overlaps the work recorded from {}", other.started_on)]
    Overlaps { started_on: Date, other: Employment },
    #[error("employment_id: the work from {started_on} already ended on {ended_on}")]
    AlreadyEnded { started_on: String, ended_on: String },
    #[error("ended_on: {ended_on} is before the work began ({started_on})")]
    EndsBeforeStart { ended_on: Date, started_on: String },
    #[error("actor: required")]
    EmptyActor,
}

impl From<sqlx::Error> for EmploymentError {
    fn from(e: sqlx::Error) -> EmploymentError {
        EmploymentError::Store(StoreError::Database(e))
    }
}

impl EmploymentError {
    /// The field a form should mark; `None` for a failure of the store.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            EmploymentError::Store(_) => None,
            EmploymentError::UnknownPerson(_) => Some("id_number"),
            EmploymentError::UnknownRecord(_) | EmploymentError::AlreadyEnded { .. } => Some("employment_id"),
            EmploymentError::BelowWorkingAge { .. } | EmploymentError::Overlaps { .. } => Some("started_on"),
            EmploymentError::EndsBeforeStart { .. } => Some("ended_on"),
            EmploymentError::EmptyActor => Some("actor"),
        }
    }

    /// A stable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            EmploymentError::Store(_) => "store_error",
            EmploymentError::UnknownPerson(_) => "person_not_found",
            EmploymentError::UnknownRecord(_) => "employment_not_found",
            EmploymentError::BelowWorkingAge { .. } => "below_working_age",
            EmploymentError::Overlaps { .. } => "overlapping_employment",
            EmploymentError::AlreadyEnded { .. } => "already_ended",
            EmploymentError::EndsBeforeStart { .. } => "ends_before_start",
            EmploymentError::EmptyActor => "required",
        }
    }
}

const RECORD_COLUMNS: &str = "id, started_on, ended_on, employer, categories_at_start";

fn employment_of_row(r: &sqlx::any::AnyRow) -> Result<Employment, StoreError> {
    let categories = match r.try_get::<Option<String>, _>("categories_at_start")? {
        Some(text) => {
            Some(serde_json::from_str(&text).map_err(|e| corrupt(format_args!("categories of employment: {e}")))?)
        }
        None => None,
    };
    Ok(Employment {
        id: r.try_get("id")?,
        started_on: r.try_get("started_on")?,
        ended_on: r.try_get("ended_on")?,
        employer: r.try_get("employer")?,
        categories_at_start: categories,
    })
}

/// The person's row, claimed for this transaction: on PostgreSQL a no-op update takes its row
/// lock until commit; on SQLite the write transaction holds the database already. Returns the
/// person's internal id, birth date and stored record (for the audit of a change of facts).
async fn claim_person(conn: &mut AnyConnection, id_number: &str) -> Result<ClaimedPerson, EmploymentError> {
    let claimed =
        sqlx::query("UPDATE persons SET id = id WHERE id_number = $1").bind(id_number).execute(&mut *conn).await?;
    if claimed.rows_affected() != 1 {
        return Err(EmploymentError::UnknownPerson(id_number.to_owned()));
    }
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT id, version, {} FROM persons WHERE id_number = $1",
        crate::persons::PERSON_COLUMNS
    )))
    .bind(id_number)
    .fetch_one(&mut *conn)
    .await?;
    let record = crate::persons::native::person_record(&row)?;
    Ok(ClaimedPerson {
        id: row.try_get("id")?,
        version: row.try_get("version")?,
        birth: date(&record.birth_date)?,
        facts: FactSet::from_bits(row.try_get::<i64, _>("facts")? as u32),
        record,
    })
}

struct ClaimedPerson {
    id: String,
    version: i64,
    birth: Date,
    facts: FactSet,
    record: crate::persons::PersonRecord,
}

async fn records_of(conn: &mut AnyConnection, person_id: &str) -> Result<Vec<Employment>, StoreError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {RECORD_COLUMNS} FROM employment_records WHERE person_id = $1 ORDER BY started_on DESC, id"
    )))
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(employment_of_row).collect()
}

/// Records that a person started work (就业登记) on `started_on` at `employer`, on `recorded_on`
/// (the day of recording, from which a revocation proposal counts). The same job recorded again
/// returns the first record and writes nothing; work before the person's 16th birthday, or
/// overlapping other work of theirs (still open, or ended on or after `started_on`), is refused.
pub async fn record(
    store: &Store,
    policies: &PolicySet,
    id_number: &str,
    started_on: Date,
    employer: Option<&str>,
    actor: &str,
    recorded_on: Date,
) -> Result<Recorded, EmploymentError> {
    if actor.trim().is_empty() {
        return Err(EmploymentError::EmptyActor);
    }
    let employer = employer.map(str::trim).filter(|e| !e.is_empty());
    let mut tx = store.begin_write().await?;
    let person = claim_person(&mut tx, id_number).await?;
    let start = started_on.to_string();
    let existing = records_of(&mut tx, &person.id).await?;
    if let Some(same) = existing.iter().find(|e| e.started_on == start && e.employer.as_deref() == employer) {
        // The same job again (a retried or doubled request): one record is right.
        return Ok(Recorded {
            employment: same.clone(),
            created: false,
            registrations_ended: Vec::new(),
            recognitions_ended: Vec::new(),
            proposals: Vec::new(),
        });
    }
    let sixteenth = person.birth.add_years(MINIMUM_AGE);
    if started_on < sixteenth {
        return Err(EmploymentError::BelowWorkingAge { started_on, sixteenth });
    }
    // The new work runs from `started_on` on, with no end yet: any other work still open, or
    // ended on or after that day, overlaps it.
    if let Some(other) = existing.iter().find(|e| e.ended_on.as_deref().is_none_or(|end| *end >= *start)) {
        return Err(EmploymentError::Overlaps { started_on, other: other.clone() });
    }
    let held: Vec<HeldCategory> = recognitions::held_on(&mut tx, &person.id, &start)
        .await?
        .into_iter()
        .map(|r| HeldCategory {
            category: r.category,
            policy: r.policy,
            citation: r.citation,
            route: r.route,
            recognized_on: r.recognized_on,
        })
        .collect();
    let id = new_id();
    let categories = serde_json::to_string(&held).expect("categories serialise");
    sqlx::query(
        "INSERT INTO employment_records (id, person_id, started_on, ended_on, employer, created_at, categories_at_start) \
         VALUES ($1, $2, $3, NULL, $4, $5, $6)",
    )
    .bind(&id)
    .bind(&person.id)
    .bind(&start)
    .bind(employer)
    .bind(now())
    .bind(&categories)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        NewEvent {
            actor,
            action: AuditAction::EmploymentRecorded.code(),
            entity: "employment_record",
            entity_id: &id,
            person_id: Some(&person.id),
            after: Some(serde_json::json!({
                "started_on": start, "employer": employer,
                "categories_at_start": held.iter().map(|h| &h.category).collect::<Vec<_>>(),
            })),
            ..NewEvent::default()
        },
    )
    .await?;
    if let Some(h) = &person.record.household_ref {
        let day_before = Date::from_days(started_on.to_days() - 1).unwrap_or(started_on);
        changes::record_flip(
            &mut tx,
            h,
            &person.id,
            (day_before, started_on),
            AuditAction::EmploymentRecorded.code(),
            actor,
        )
        .await?;
    }
    let registrations_ended = end_registrations(&mut tx, &person.id, started_on, actor).await?;
    let recognitions_ended = end_automatic(&mut tx, &person.id, started_on, actor).await?;
    no_longer_unemployed(&mut tx, &person, actor).await?;
    let note = match employer {
        Some(e) => format!("就业登记：自{start}起在{e}就业"),
        None => format!("就业登记：自{start}起就业"),
    };
    let proposals = match revocations::propose_in(
        &mut tx,
        policies,
        &person.id,
        id_number,
        ExitReason::Employed,
        &note,
        actor,
        recorded_on,
    )
    .await
    {
        Ok(ids) => ids.into_iter().map(|(id, _)| id).collect(),
        // Nothing the person holds is ended by finding work under its policy.
        Err(RevocationError::NothingToRevoke { .. } | RevocationError::Rejected(_)) => Vec::new(),
        Err(RevocationError::Store(e)) => return Err(e.into()),
        Err(e) => return Err(corrupt(e).into()),
    };
    tx.commit().await?;
    Ok(Recorded {
        employment: Employment {
            id,
            started_on: start,
            ended_on: None,
            employer: employer.map(str::to_owned),
            categories_at_start: Some(held),
        },
        created: true,
        registrations_ended,
        recognitions_ended,
        proposals,
    })
}

/// The person's open unemployment registrations end: they found work. A registration dated
/// after the work began (recorded late) ends on its own date. Returns their dates.
async fn end_registrations(
    conn: &mut AnyConnection,
    person_id: &str,
    started_on: Date,
    actor: &str,
) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, registered_on, unit_code FROM unemployment_registrations WHERE person_id = $1 AND ended_on IS NULL \
         ORDER BY registered_on",
    )
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    let start = started_on.to_string();
    let mut ended = Vec::with_capacity(rows.len());
    for r in &rows {
        let (id, registered_on, unit): (String, String, String) =
            (r.try_get("id")?, r.try_get("registered_on")?, r.try_get("unit_code")?);
        let on = if registered_on > start { registered_on.clone() } else { start.clone() };
        sqlx::query("UPDATE unemployment_registrations SET ended_on = $1, end_reason = $2 WHERE id = $3")
            .bind(&on)
            .bind(ExitReason::Employed.code())
            .bind(&id)
            .execute(&mut *conn)
            .await?;
        audit::append(
            conn,
            NewEvent {
                actor,
                action: AuditAction::RegistrationEnded.code(),
                entity: "unemployment_registration",
                entity_id: &id,
                person_id: Some(person_id),
                before: Some(serde_json::json!({ "registered_on": registered_on, "unit": unit, "ended_on": null })),
                after: Some(serde_json::json!({
                    "registered_on": registered_on, "unit": unit, "ended_on": on, "end_reason": ExitReason::Employed.code(),
                })),
                ..NewEvent::default()
            },
        )
        .await?;
        ended.push(registered_on);
    }
    Ok(ended)
}

/// 第三条 recognises "登记失业人员" only, and 第四条 recognises them at that registration: once the
/// registration ends, so does every category recognised automatically. A recognition granted
/// after the work began ends on its own date. Categories recognised on application (第五条) stay
/// until a reviewer decides the revocation proposal (第六条).
async fn end_automatic(
    conn: &mut AnyConnection,
    person_id: &str,
    started_on: Date,
    actor: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    let why = recognitions::Ending {
        reason: ExitReason::Employed.code(),
        authority: "第三条",
        because: "实现就业，失业登记终止",
    };
    let mut ended = Vec::new();
    for r in recognitions::open_of(conn, person_id, true).await? {
        recognitions::end(conn, person_id, &r, &started_on.to_string(), why, actor).await?;
        ended.push((r.category, r.policy));
    }
    Ok(ended)
}

/// The person's facts follow: no longer registered unemployed (第三条), no longer without work
/// (粤人社规〔2023〕11号 "处于无业状态"). A new unemployment registration says so again.
async fn no_longer_unemployed(conn: &mut AnyConnection, person: &ClaimedPerson, actor: &str) -> Result<(), StoreError> {
    let mut facts = person.facts;
    facts.set(Fact::RegisteredUnemployed, false);
    facts.set(Fact::WithoutWork, false);
    if facts == person.facts {
        return Ok(());
    }
    let before = serde_json::to_value(&person.record).expect("a record serialises");
    let mut after = before.clone();
    after["facts"] = crate::persons::fact_names(facts).into();
    sqlx::query("UPDATE persons SET facts = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
        .bind(i64::from(facts.bits()))
        .bind(now())
        .bind(&person.id)
        .bind(person.version)
        .execute(&mut *conn)
        .await?;
    audit::append(
        conn,
        NewEvent {
            actor,
            action: AuditAction::PersonUpdated.code(),
            entity: "person",
            entity_id: &person.id,
            person_id: Some(&person.id),
            before: Some(before),
            after: Some(after),
            ..NewEvent::default()
        },
    )
    .await?;
    Ok(())
}

/// The person's employment records, latest start first.
pub async fn of_person(store: &Store, id_number: &str) -> Result<Vec<Employment>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let person: Option<String> = sqlx::query_scalar("SELECT id FROM persons WHERE id_number = $1")
        .bind(id_number)
        .fetch_optional(&mut *conn)
        .await?;
    match person {
        Some(id) => records_of(&mut conn, &id).await,
        None => Ok(Vec::new()),
    }
}

/// Records that the work of record `employment_id` ended (失业) on `last_day`, the last day
/// worked. Their household's zero-employment status follows from it, read on any later day.
pub async fn end(
    store: &Store,
    id_number: &str,
    employment_id: &str,
    last_day: Date,
    actor: &str,
) -> Result<Employment, EmploymentError> {
    if actor.trim().is_empty() {
        return Err(EmploymentError::EmptyActor);
    }
    let mut tx = store.begin_write().await?;
    let person = claim_person(&mut tx, id_number).await?;
    let records = records_of(&mut tx, &person.id).await?;
    let record = records
        .into_iter()
        .find(|e| e.id == employment_id)
        .ok_or_else(|| EmploymentError::UnknownRecord(employment_id.to_owned()))?;
    if let Some(ended_on) = &record.ended_on {
        return Err(EmploymentError::AlreadyEnded { started_on: record.started_on, ended_on: ended_on.clone() });
    }
    let day = last_day.to_string();
    if day < record.started_on {
        return Err(EmploymentError::EndsBeforeStart { ended_on: last_day, started_on: record.started_on });
    }
    sqlx::query("UPDATE employment_records SET ended_on = $1 WHERE id = $2 AND ended_on IS NULL")
        .bind(&day)
        .bind(&record.id)
        .execute(&mut *tx)
        .await?;
    let before = serde_json::json!({ "started_on": record.started_on, "employer": record.employer, "ended_on": null });
    let after = serde_json::json!({ "started_on": record.started_on, "employer": record.employer, "ended_on": day });
    audit::append(
        &mut tx,
        NewEvent {
            actor,
            action: AuditAction::EmploymentEnded.code(),
            entity: "employment_record",
            entity_id: &record.id,
            person_id: Some(&person.id),
            before: Some(before),
            after: Some(after),
            ..NewEvent::default()
        },
    )
    .await?;
    if let Some(h) = &person.record.household_ref {
        changes::record_flip(
            &mut tx,
            h,
            &person.id,
            (last_day, last_day.next_day()),
            AuditAction::EmploymentEnded.code(),
            actor,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Employment { ended_on: Some(day), ..record })
}
