//! Joining a household across units. A registration that puts a person into a household whose
//! members live outside the registering unit is held as a claim, for a unit that reaches those
//! members to accept or refuse. Until one does, the person is not counted in the household
//! ([`super::MEMBERS`]): not in its zero-employment status, not in the family cascade. A refusal
//! takes the household off the person's record. Whoever reaches every member (a supervisor over
//! both units) needs no one's acceptance, and registering the person there settles a claim left
//! open.
//!
//! Claims are written before the registration that makes the person (so that the person is never
//! counted before the claim exists), keyed by ID number: a claim whose registration failed names
//! no registered member of the household and is never offered for a decision.

use std::collections::HashSet;

// Column lists and filters are constants of this module, never input: safe to splice into SQL.
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use yuanzhu_domain::UnitCode;
use yuanzhu_rules::Date;

use super::MEMBERS;
use crate::audit::AuditAction;
use crate::audit::{self, NewEvent};
use crate::error::corrupt;
use crate::{Store, StoreError, new_id, now};

/// A registration's statement that a person belongs to a household.
#[derive(Debug, Clone, Copy)]
pub struct Claim<'a> {
    pub id_number: &'a str,
    pub household_ref: &'a str,
    pub relation: Option<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinState {
    Pending,
    Accepted,
    Refused,
}

impl JoinState {
    pub const fn code(self) -> &'static str {
        match self {
            JoinState::Pending => "pending",
            JoinState::Accepted => "accepted",
            JoinState::Refused => "refused",
        }
    }

    fn parse(code: &str) -> Option<JoinState> {
        [JoinState::Pending, JoinState::Accepted, JoinState::Refused].into_iter().find(|s| s.code() == code)
    }
}

/// The joining person as registered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Joiner {
    pub person_id: String,
    pub name: String,
    pub residence_unit: String,
    /// Whether their record still names the household claimed.
    pub names_household: bool,
}

/// A claim and its decision.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Join {
    pub id: String,
    pub id_number: String,
    pub household_ref: String,
    pub relation: Option<String>,
    pub requested_by: String,
    pub requested_unit: String,
    pub requested_on: String,
    pub state: JoinState,
    pub decided_by: Option<String>,
    pub decided_on: Option<String>,
    pub decision_note: Option<String>,
    /// Pass it back to [`decide`]: a claim changed since is a conflict.
    pub version: i64,
    /// The joining person, once registered.
    pub person: Option<Joiner>,
}

/// A member of a household as reach is decided: by where they live and where their hukou is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberAt {
    pub id_number: String,
    pub residence_unit: String,
    pub hukou_unit: Option<String>,
}

/// Why a claim could not be decided. Each message starts with the field to look at.
#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("join: there is no household join {0}")]
    NotFound(String),
    #[error("join: already {} by {decided_by} on {decided_on}", state.code())]
    AlreadyDecided { state: JoinState, decided_by: String, decided_on: String },
    #[error("join: the person's record no longer names household {0}")]
    NoLongerClaimed(String),
    #[error("reason: a refusal says why")]
    ReasonRequired,
}

impl From<sqlx::Error> for JoinError {
    fn from(e: sqlx::Error) -> JoinError {
        JoinError::Store(StoreError::Database(e))
    }
}

impl JoinError {
    pub fn field(&self) -> Option<&'static str> {
        match self {
            JoinError::Store(StoreError::Conflict { .. }) => Some("version"),
            JoinError::Store(_) => None,
            JoinError::NotFound(_) | JoinError::AlreadyDecided { .. } | JoinError::NoLongerClaimed(_) => Some("join"),
            JoinError::ReasonRequired => Some("reason"),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            JoinError::Store(StoreError::Conflict { .. }) => "version_conflict",
            JoinError::Store(_) => "store_error",
            JoinError::NotFound(_) => "join_not_found",
            JoinError::AlreadyDecided { .. } => "already_decided",
            JoinError::NoLongerClaimed(_) => "no_longer_claimed",
            JoinError::ReasonRequired => "required",
        }
    }
}

fn unit(code: &str) -> Result<UnitCode, StoreError> {
    UnitCode::parse(code).map_err(|_| corrupt(format_args!("stored unit code `{code}`")))
}

/// Whether `member` lives, or has their hukou, under `scope`.
fn within(scope: &UnitCode, member: &MemberAt) -> Result<bool, StoreError> {
    Ok(scope.contains(&unit(&member.residence_unit)?)
        || member.hukou_unit.as_deref().map(unit).transpose()?.is_some_and(|h| scope.contains(&h)))
}

async fn members_at(conn: &mut AnyConnection, household_ref: &str, except: &str) -> Result<Vec<MemberAt>, StoreError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT p.id_number, p.residence_unit, p.hukou_unit FROM persons p WHERE {MEMBERS} AND p.id_number <> $2 \
         ORDER BY p.id_number"
    )))
    .bind(household_ref)
    .bind(except)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MemberAt {
                id_number: r.try_get("id_number")?,
                residence_unit: r.try_get("residence_unit")?,
                hukou_unit: r.try_get("hukou_unit")?,
            })
        })
        .collect()
}

/// The members of household `household_ref` (other than `except`, an ID number) who live, and
/// have their hukou, outside `scope`: whose unit decides whether someone registered in `scope`
/// may join.
async fn outside_in(
    conn: &mut AnyConnection,
    household_ref: &str,
    scope: &UnitCode,
    except: &str,
) -> Result<Vec<MemberAt>, StoreError> {
    let mut out = Vec::new();
    for m in members_at(conn, household_ref, except).await? {
        if !within(scope, &m)? {
            out.push(m);
        }
    }
    Ok(out)
}

/// Which members of household `household_ref` lie outside `scope` (a unit's subtree).
pub async fn members_outside(
    store: &Store,
    household_ref: &str,
    scope: &UnitCode,
) -> Result<Vec<MemberAt>, StoreError> {
    outside_in(&mut *store.pool().acquire().await?, household_ref, scope, "").await
}

const SELECT: &str = "SELECT j.id, j.id_number, j.household_ref, j.relation, j.requested_by, j.requested_unit, \
     j.requested_on, j.state, j.decided_by, j.decided_on, j.decision_note, j.version, p.id AS person_id, p.name, \
     p.residence_unit, p.household_ref AS named FROM household_joins j LEFT JOIN persons p ON p.id_number = j.id_number";

fn join_of(r: &sqlx::any::AnyRow) -> Result<Join, StoreError> {
    let state: String = r.try_get("state")?;
    let household_ref: String = r.try_get("household_ref")?;
    let person = match r.try_get::<Option<String>, _>("person_id")? {
        Some(person_id) => Some(Joiner {
            person_id,
            name: r.try_get("name")?,
            residence_unit: r.try_get("residence_unit")?,
            names_household: r.try_get::<Option<String>, _>("named")?.as_deref() == Some(household_ref.as_str()),
        }),
        None => None,
    };
    Ok(Join {
        id: r.try_get("id")?,
        id_number: r.try_get("id_number")?,
        household_ref,
        relation: r.try_get("relation")?,
        requested_by: r.try_get("requested_by")?,
        requested_unit: r.try_get("requested_unit")?,
        requested_on: r.try_get("requested_on")?,
        state: JoinState::parse(&state).ok_or_else(|| corrupt(format_args!("join state `{state}`")))?,
        decided_by: r.try_get("decided_by")?,
        decided_on: r.try_get("decided_on")?,
        decision_note: r.try_get("decision_note")?,
        version: r.try_get("version")?,
        person,
    })
}

async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<Join>, StoreError> {
    let row =
        sqlx::query(AssertSqlSafe(format!("{SELECT} WHERE j.id = $1"))).bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(join_of).transpose()
}

/// Holds the claims whose household has members outside `requester` (the registering user's
/// unit), before the registrations are written; a person already counted in the household makes
/// no claim. Where no member lies outside, a claim left open for the person and household is
/// settled: the requester could have accepted it. Returns the claims held, new or already open.
pub async fn hold(
    store: &Store,
    claims: &[Claim<'_>],
    requester: &UnitCode,
    actor: &str,
    on: Date,
) -> Result<Vec<Join>, StoreError> {
    let mut tx = store.begin_write().await?;
    let mut held = Vec::new();
    let mut seen = HashSet::new();
    for c in claims.iter().filter(|c| seen.insert((c.id_number, c.household_ref))) {
        let stored = sqlx::query("SELECT id, household_ref FROM persons WHERE id_number = $1")
            .bind(c.id_number)
            .fetch_optional(&mut *tx)
            .await?;
        let (person_id, named) = match &stored {
            Some(r) => (Some(r.try_get::<String, _>("id")?), r.try_get::<Option<String>, _>("household_ref")?),
            None => (None, None),
        };
        let open: Option<String> = sqlx::query_scalar(
            "SELECT id FROM household_joins WHERE id_number = $1 AND household_ref = $2 AND state = 'pending'",
        )
        .bind(c.id_number)
        .bind(c.household_ref)
        .fetch_optional(&mut *tx)
        .await?;
        if named.as_deref() == Some(c.household_ref) && open.is_none() {
            continue;
        }
        let outside = outside_in(&mut tx, c.household_ref, requester, c.id_number).await?;
        match (outside.is_empty(), open) {
            (true, Some(id)) => {
                let note = "登记单位的管辖范围包括全部家庭成员";
                settle(&mut tx, &id, JoinState::Accepted, actor, on, Some(note), person_id.as_deref()).await?;
            }
            (true, None) => {}
            (false, Some(id)) => held.extend(load(&mut tx, &id).await?),
            (false, None) => {
                let id = new_id();
                let at = now();
                sqlx::query(
                    "INSERT INTO household_joins (id, id_number, household_ref, relation, requested_by, requested_unit, \
                     requested_on, state, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 1, $8, $8)",
                )
                .bind(&id)
                .bind(c.id_number)
                .bind(c.household_ref)
                .bind(c.relation)
                .bind(actor)
                .bind(requester.as_str())
                .bind(on.to_string())
                .bind(&at)
                .execute(&mut *tx)
                .await?;
                audit::append(
                    &mut tx,
                    NewEvent {
                        actor,
                        action: AuditAction::HouseholdJoinRequested.code(),
                        entity: "household_join",
                        entity_id: &id,
                        person_id: person_id.as_deref(),
                        after: Some(serde_json::json!({
                            "household_ref": c.household_ref, "relation": c.relation, "requested_unit": requester.as_str(),
                            "requested_on": on.to_string(), "state": "pending",
                        })),
                        ..NewEvent::default()
                    },
                )
                .await?;
                held.extend(load(&mut tx, &id).await?);
            }
        }
    }
    tx.commit().await?;
    Ok(held)
}

/// Moves a pending claim to `state`, with its audit event.
async fn settle(
    conn: &mut AnyConnection,
    id: &str,
    state: JoinState,
    actor: &str,
    on: Date,
    note: Option<&str>,
    person_id: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE household_joins SET state = $1, decided_by = $2, decided_on = $3, decision_note = $4, \
         version = version + 1, updated_at = $5 WHERE id = $6 AND state = 'pending'",
    )
    .bind(state.code())
    .bind(actor)
    .bind(on.to_string())
    .bind(note)
    .bind(now())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    let action = if state == JoinState::Accepted {
        AuditAction::HouseholdJoinAccepted.code()
    } else {
        AuditAction::HouseholdJoinRefused.code()
    };
    audit::append(
        conn,
        NewEvent {
            actor,
            action,
            entity: "household_join",
            entity_id: id,
            person_id,
            before: Some(serde_json::json!({ "state": "pending" })),
            after: Some(
                serde_json::json!({ "state": state.code(), "decided_on": on.to_string(), "decision_note": note }),
            ),
            ..NewEvent::default()
        },
    )
    .await?;
    Ok(())
}

/// One claim, with the household's members outside the requester's unit (whose units may
/// decide it).
pub async fn join(store: &Store, id: &str) -> Result<Option<(Join, Vec<MemberAt>)>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let Some(j) = load(&mut conn, id).await? else { return Ok(None) };
    let outside = outside_in(&mut conn, &j.household_ref, &unit(&j.requested_unit)?, &j.id_number).await?;
    Ok(Some((j, outside)))
}

/// The claims waiting for a decision whose person is registered and still names the household,
/// oldest first, each with the members outside the requester's unit.
pub async fn pending(store: &Store) -> Result<Vec<(Join, Vec<MemberAt>)>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{SELECT} WHERE j.state = 'pending' AND p.household_ref = j.household_ref ORDER BY j.requested_on, j.id"
    )))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let j = join_of(r)?;
        let outside = outside_in(&mut conn, &j.household_ref, &unit(&j.requested_unit)?, &j.id_number).await?;
        out.push((j, outside));
    }
    Ok(out)
}

/// The claims made for the person with this ID number, latest first (for their file).
pub async fn of_person(store: &Store, id_number: &str) -> Result<Vec<Join>, StoreError> {
    let rows =
        sqlx::query(AssertSqlSafe(format!("{SELECT} WHERE j.id_number = $1 ORDER BY j.requested_on DESC, j.id DESC")))
            .bind(id_number)
            .fetch_all(store.pool())
            .await?;
    rows.iter().map(join_of).collect()
}

/// The other unit decides a claim (the caller has checked that the decider reaches a member
/// outside the requester's unit). Accepting counts the person in the household from then on;
/// refusing, which needs a reason, takes the household off the person's record.
pub async fn decide(
    store: &Store,
    id: &str,
    accept: bool,
    actor: &str,
    on: Date,
    note: Option<&str>,
    expected_version: i64,
) -> Result<Join, JoinError> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if !accept && note.is_none() {
        return Err(JoinError::ReasonRequired);
    }
    let mut tx = store.begin_write().await?;
    let j = load(&mut tx, id).await?.ok_or_else(|| JoinError::NotFound(id.to_owned()))?;
    if j.version != expected_version {
        return Err(StoreError::Conflict { expected: expected_version, found: j.version }.into());
    }
    if j.state != JoinState::Pending {
        return Err(JoinError::AlreadyDecided {
            state: j.state,
            decided_by: j.decided_by.clone().unwrap_or_default(),
            decided_on: j.decided_on.clone().unwrap_or_default(),
        });
    }
    let person = j.person.as_ref().filter(|p| p.names_household);
    if accept && person.is_none() {
        return Err(JoinError::NoLongerClaimed(j.household_ref.clone()));
    }
    let state = if accept { JoinState::Accepted } else { JoinState::Refused };
    settle(&mut tx, id, state, actor, on, note, j.person.as_ref().map(|p| p.person_id.as_str())).await?;
    if let Some(p) = person.filter(|_| !accept) {
        leave_household(&mut tx, &p.person_id, actor).await?;
    }
    let decided = load(&mut tx, id).await?.ok_or_else(|| JoinError::NotFound(id.to_owned()))?;
    tx.commit().await?;
    Ok(decided)
}

/// A refused claim: the person's record no longer names the household (nor the relation in it).
async fn leave_household(conn: &mut AnyConnection, person_id: &str, actor: &str) -> Result<(), StoreError> {
    let row =
        sqlx::query(AssertSqlSafe(format!("SELECT {} FROM persons WHERE id = $1", crate::persons::PERSON_COLUMNS)))
            .bind(person_id)
            .fetch_one(&mut *conn)
            .await?;
    let before = crate::persons::native::person_record(&row)?;
    let after = crate::persons::PersonRecord { household_ref: None, relation: None, ..before.clone() };
    sqlx::query(
        "UPDATE persons SET household_ref = NULL, relation = NULL, version = version + 1, updated_at = $1 WHERE id = $2",
    )
    .bind(now())
    .bind(person_id)
    .execute(&mut *conn)
    .await?;
    audit::append(
        conn,
        NewEvent {
            actor,
            action: AuditAction::PersonUpdated.code(),
            entity: "person",
            entity_id: person_id,
            person_id: Some(person_id),
            before: Some(serde_json::to_value(&before).expect("a record serialises")),
            after: Some(serde_json::to_value(&after).expect("a record serialises")),
            ..NewEvent::default()
        },
    )
    .await?;
    Ok(())
}
