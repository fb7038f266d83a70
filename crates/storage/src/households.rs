//! Households and employment. A household is the persons who share a `household_ref`; whether it
//! is a zero-employment household (零就业家庭) is derived from its members on a date, never typed
//! in: every member of working age is without work (notes §1.2, item 4; 第三条第（三）项第2目).

use sqlx::Row;
use yuanzhu_rules::retirement::retirement_date;
use yuanzhu_rules::{Date, Facts, FemaleRetirementTrack, Sex};

use crate::audit::{self, NewEvent};
use crate::{Store, StoreError, new_id, now};

/// A member as the household view shows them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Member {
    pub id_number: String,
    pub name: String,
    pub relation: Option<String>,
    pub of_working_age: bool,
    pub employed: bool,
}

/// A household on a date.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Household {
    pub household_ref: String,
    pub on: String,
    pub members: Vec<Member>,
    /// Derived: at least one member of working age, and none of them employed.
    pub zero_employment: bool,
}

/// Legal working age on `on`: 16 or older, and before the statutory retirement date.
fn of_working_age(birth: Date, sex: Sex, track: FemaleRetirementTrack, on: Date) -> bool {
    let f = Facts { female_retirement_track: track, ..Facts::born(birth, sex) };
    birth.add_years(16) <= on && on < retirement_date(birth, f.retirement_track())
}

/// Whether a set of members makes a zero-employment household.
pub fn zero_employment(members: &[Member]) -> bool {
    let working_age: Vec<&Member> = members.iter().filter(|m| m.of_working_age).collect();
    !working_age.is_empty() && working_age.iter().all(|m| !m.employed)
}

/// The household `household_ref` on `on`, if anyone belongs to it.
pub async fn household(store: &Store, household_ref: &str, on: Date) -> Result<Option<Household>, StoreError> {
    let day = on.to_string();
    let rows = sqlx::query(
        "SELECT p.id_number, p.name, p.relation, p.birth_date, p.sex, p.female_retirement_track, \
         (SELECT COUNT(*) FROM employment_records e WHERE e.person_id = p.id AND e.started_on <= $2 \
          AND (e.ended_on IS NULL OR e.ended_on >= $2)) AS jobs \
         FROM persons p WHERE p.household_ref = $1 ORDER BY p.id_number",
    )
    .bind(household_ref)
    .bind(&day)
    .fetch_all(store.pool())
    .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut members = Vec::with_capacity(rows.len());
    for r in &rows {
        let birth_text: String = r.try_get("birth_date")?;
        let birth = Date::parse(&birth_text).map_err(|_| StoreError::Corrupt(format!("stored date `{birth_text}`")))?;
        let sex = if r.try_get::<String, _>("sex")? == "male" { Sex::Male } else { Sex::Female };
        let track = if r.try_get::<String, _>("female_retirement_track")? == "cadre" {
            FemaleRetirementTrack::Cadre
        } else {
            FemaleRetirementTrack::Worker
        };
        members.push(Member {
            id_number: r.try_get("id_number")?,
            name: r.try_get("name")?,
            relation: r.try_get("relation")?,
            of_working_age: of_working_age(birth, sex, track, on),
            employed: r.try_get::<i64, _>("jobs")? > 0,
        });
    }
    let zero_employment = zero_employment(&members);
    Ok(Some(Household { household_ref: household_ref.to_owned(), on: day, members, zero_employment }))
}

/// Records that a person started work (就业登记), from `started_on`.
pub async fn record_employment(
    store: &Store,
    id_number: &str,
    started_on: Date,
    employer: Option<&str>,
    actor: &str,
) -> Result<String, StoreError> {
    let mut tx = store.begin_write().await?;
    let person_id: Option<String> = sqlx::query_scalar("SELECT id FROM persons WHERE id_number = $1")
        .bind(id_number)
        .fetch_optional(&mut *tx)
        .await?;
    let person_id = person_id.ok_or_else(|| StoreError::NotFound(format!("no person with ID number {id_number}")))?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO employment_records (id, person_id, started_on, ended_on, employer, created_at) VALUES ($1, $2, $3, NULL, $4, $5)",
    )
    .bind(&id)
    .bind(&person_id)
    .bind(started_on.to_string())
    .bind(employer)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        NewEvent {
            actor,
            action: "employment.recorded",
            entity: "employment_record",
            entity_id: &id,
            person_id: Some(&person_id),
            after: Some(serde_json::json!({ "started_on": started_on.to_string(), "employer": employer })),
            ..NewEvent::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// An employment record (就业登记) as a person's file lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Employment {
    pub id: String,
    pub started_on: String,
    /// The last day worked; none while the work goes on.
    pub ended_on: Option<String>,
    pub employer: Option<String>,
}

/// The person's employment records, latest start first.
pub async fn employment_of(store: &Store, id_number: &str) -> Result<Vec<Employment>, StoreError> {
    let rows = sqlx::query(
        "SELECT e.id, e.started_on, e.ended_on, e.employer FROM employment_records e \
         JOIN persons p ON p.id = e.person_id WHERE p.id_number = $1 ORDER BY e.started_on DESC, e.id",
    )
    .bind(id_number)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Employment {
                id: r.try_get("id")?,
                started_on: r.try_get("started_on")?,
                ended_on: r.try_get("ended_on")?,
                employer: r.try_get("employer")?,
            })
        })
        .collect()
}

/// Records that a person's work ended (失业): every employment record of theirs still open and
/// started on or before `last_day` ends on `last_day`, the last day worked. Returns the records
/// ended; none if the person had no such record, which the caller reports. Their household's
/// zero-employment status follows from it, read on any later day.
pub async fn end_employment(
    store: &Store,
    id_number: &str,
    last_day: Date,
    actor: &str,
) -> Result<Vec<String>, StoreError> {
    let mut tx = store.begin_write().await?;
    let person_id: Option<String> = sqlx::query_scalar("SELECT id FROM persons WHERE id_number = $1")
        .bind(id_number)
        .fetch_optional(&mut *tx)
        .await?;
    let person_id = person_id.ok_or_else(|| StoreError::NotFound(format!("no person with ID number {id_number}")))?;
    let day = last_day.to_string();
    let open = sqlx::query(
        "SELECT id, started_on, employer FROM employment_records \
         WHERE person_id = $1 AND ended_on IS NULL AND started_on <= $2 ORDER BY started_on, id",
    )
    .bind(&person_id)
    .bind(&day)
    .fetch_all(&mut *tx)
    .await?;
    let mut ended = Vec::with_capacity(open.len());
    for r in &open {
        let id: String = r.try_get("id")?;
        let started_on: String = r.try_get("started_on")?;
        let employer: Option<String> = r.try_get("employer")?;
        sqlx::query("UPDATE employment_records SET ended_on = $1 WHERE id = $2")
            .bind(&day)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        let before = serde_json::json!({ "started_on": started_on, "employer": employer, "ended_on": null });
        let after = serde_json::json!({ "started_on": started_on, "employer": employer, "ended_on": day });
        audit::append(
            &mut tx,
            NewEvent {
                actor,
                action: "employment.ended",
                entity: "employment_record",
                entity_id: &id,
                person_id: Some(&person_id),
                before: Some(before),
                after: Some(after),
                ..NewEvent::default()
            },
        )
        .await?;
        ended.push(id);
    }
    tx.commit().await?;
    Ok(ended)
}

/// gd-2023-11 第三章第五条第（六）项: once a member of a zero-employment household finds work, the
/// family basis of every other member recognised on it is proposed for revocation (a reviewer
/// decides). Returns the proposals made; none under a policy without that reason.
pub async fn propose_family_cascade(
    store: &Store,
    policies: &yuanzhu_rules::PolicySet,
    household_ref: &str,
    on: Date,
    actor: &str,
) -> Result<Vec<crate::revocations::Proposal>, crate::revocations::RevocationError> {
    use yuanzhu_domain::revocation::{HouseholdMember, MemberRecognition, cascade};
    let Some(policy) = policies.in_force_on(on) else { return Ok(Vec::new()) };
    let day = on.to_string();
    let rows = sqlx::query(
        "SELECT p.id, p.id_number, \
         (SELECT MIN(e.started_on) FROM employment_records e WHERE e.person_id = p.id AND e.started_on <= $2 \
          AND (e.ended_on IS NULL OR e.ended_on >= $2)) AS employed_on \
         FROM persons p WHERE p.household_ref = $1 ORDER BY p.id_number",
    )
    .bind(household_ref)
    .bind(&day)
    .fetch_all(store.pool())
    .await
    .map_err(StoreError::from)?;
    let mut members = Vec::with_capacity(rows.len());
    for r in &rows {
        let person_id: String = r.try_get("id").map_err(StoreError::from)?;
        let categories: Vec<String> = sqlx::query_scalar(
            "SELECT category FROM recognitions WHERE person_id = $1 AND policy = $2 AND ended_on IS NULL ORDER BY category",
        )
        .bind(&person_id)
        .bind(&policy.id)
        .fetch_all(store.pool())
        .await
        .map_err(StoreError::from)?;
        let employed_on = match r.try_get::<Option<String>, _>("employed_on").map_err(StoreError::from)? {
            Some(t) => Some(Date::parse(&t).map_err(|_| StoreError::Corrupt(format!("stored date `{t}`")))?),
            None => None,
        };
        members.push(HouseholdMember {
            person: r.try_get("id_number").map_err(StoreError::from)?,
            recognition: (!categories.is_empty()).then(|| MemberRecognition { policy: policy.id.clone(), categories }),
            employed_on,
        });
    }
    let proposals = cascade(policy, &members, on);
    if proposals.is_empty() {
        return Ok(Vec::new());
    }
    crate::revocations::submit(store, &proposals, actor).await
}
