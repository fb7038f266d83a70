//! Households and employment. A household is the persons who share a `household_ref`; whether it
//! is a zero-employment household (零就业家庭) is derived from its members on a date, never typed
//! in: every member of working age is without work (notes §1.2, item 4; 第三条第（三）项第2目).
//!
//! A household may span units. A person joins one whose members live outside the registering
//! unit only when their unit accepts ([`joins`]); until then they are not counted in it. What a
//! member's work does to the household is told to the other members' units ([`changes`]).

pub mod changes;
pub mod joins;

// The member filter is a constant of this module, never input: safe to splice into SQL.
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use yuanzhu_rules::retirement::retirement_date;
use yuanzhu_rules::{Date, Facts, FemaleRetirementTrack, Sex};

use crate::{Store, StoreError};

/// A member as the household view shows them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Member {
    /// The record's key.
    #[serde(skip)]
    pub person_id: String,
    pub id_number: String,
    pub name: String,
    pub relation: Option<String>,
    pub of_working_age: bool,
    pub employed: bool,
    /// Where the member belongs, for deciding who reaches them; never shown.
    #[serde(skip)]
    pub residence_unit: String,
    #[serde(skip)]
    pub hukou_unit: Option<String>,
}

/// The persons counted in household `$1` (over `persons p`): those who name it, less those whose
/// joining it another unit has yet to accept ([`joins`]).
pub(crate) const MEMBERS: &str = "p.household_ref = $1 AND NOT EXISTS (SELECT 1 FROM household_joins j \
     WHERE j.id_number = p.id_number AND j.household_ref = p.household_ref AND j.state = 'pending')";

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
    household_in(&mut *store.pool().acquire().await?, household_ref, on).await
}

/// [`household`] on the caller's connection (inside its transaction).
pub(crate) async fn household_in(
    conn: &mut AnyConnection,
    household_ref: &str,
    on: Date,
) -> Result<Option<Household>, StoreError> {
    let day = on.to_string();
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT p.id, p.id_number, p.name, p.relation, p.birth_date, p.sex, p.female_retirement_track, \
         p.residence_unit, p.hukou_unit, \
         (SELECT COUNT(*) FROM employment_records e WHERE e.person_id = p.id AND e.started_on <= $2 \
          AND (e.ended_on IS NULL OR e.ended_on >= $2)) AS jobs \
         FROM persons p WHERE {MEMBERS} ORDER BY p.id_number"
    )))
    .bind(household_ref)
    .bind(&day)
    .fetch_all(&mut *conn)
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
            person_id: r.try_get("id")?,
            id_number: r.try_get("id_number")?,
            name: r.try_get("name")?,
            relation: r.try_get("relation")?,
            of_working_age: of_working_age(birth, sex, track, on),
            employed: r.try_get::<i64, _>("jobs")? > 0,
            residence_unit: r.try_get("residence_unit")?,
            hukou_unit: r.try_get("hukou_unit")?,
        });
    }
    let zero_employment = zero_employment(&members);
    Ok(Some(Household { household_ref: household_ref.to_owned(), on: day, members, zero_employment }))
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
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT p.id, p.id_number, \
         (SELECT MIN(e.started_on) FROM employment_records e WHERE e.person_id = p.id AND e.started_on <= $2 \
          AND (e.ended_on IS NULL OR e.ended_on >= $2)) AS employed_on \
         FROM persons p WHERE {MEMBERS} ORDER BY p.id_number"
    )))
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
