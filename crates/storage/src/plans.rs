//! Assistance plans (#13 §2, 第十二条第（一）项): rows, one active plan per person, stale edits
//! refused by version, and the audit chain. What a plan may hold and how an action may change are
//! the domain's (`yuanzhu_domain::assistance::plan`).

use sqlx::{AnyConnection, Row};
use yuanzhu_domain::assistance::{ActionState, Plan, PlanAction, PlanError, ServiceKind};
use yuanzhu_rules::Date;

use crate::audit::{self, AuditAction, NewEvent};
use crate::error::{corrupt, stored_date};
use crate::{Store, StoreError, new_id, now};

/// A plan as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredPlan {
    pub id: String,
    pub id_number: String,
    /// The unit of the worker who made it.
    pub unit_code: String,
    pub made_by: String,
    /// Name it with a change: a plan changed since is a conflict.
    pub version: i64,
    pub active: bool,
    #[serde(flatten)]
    pub plan: Plan,
}

/// Why a plan could not be made or changed.
#[derive(Debug, thiserror::Error)]
pub enum PlanStoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the person has an active plan already ({0})")]
    ActivePlan(String),
    #[error("no such plan, or no such action in it")]
    NotFound,
    #[error("the service record is not one of this person's")]
    ForeignService,
    #[error("{0:?}")]
    Rejected(PlanError),
    #[error("the plan changed since it was read (version {expected} expected, {found} found)")]
    Conflict { expected: i64, found: i64 },
}

impl From<sqlx::Error> for PlanStoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            // Two plans made at once for one person: the partial unique index keeps one.
            sqlx::Error::Database(d) if d.is_unique_violation() => PlanStoreError::ActivePlan(String::new()),
            _ => PlanStoreError::Store(e.into()),
        }
    }
}

/// A change to one action of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionChange {
    /// Done by this service record (the person's), given on its day.
    Done {
        service: String,
    },
    Reschedule {
        due: Date,
        reason: String,
    },
    Drop {
        reason: String,
    },
}

/// Makes the person's plan; refused while they have an active one.
pub async fn make(
    store: &Store,
    id_number: &str,
    plan: &Plan,
    unit_code: &str,
    actor: &str,
) -> Result<StoredPlan, PlanStoreError> {
    let mut tx = store.begin_write().await?;
    let person: String = sqlx::query_scalar("SELECT id FROM persons WHERE id_number = $1")
        .bind(id_number)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(PlanStoreError::NotFound)?;
    let open: Option<String> = sqlx::query_scalar("SELECT id FROM plans WHERE person_id = $1 AND state = 'active'")
        .bind(&person)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(open) = open {
        return Err(PlanStoreError::ActivePlan(open));
    }
    let stored = StoredPlan {
        id: new_id(),
        id_number: id_number.to_owned(),
        unit_code: unit_code.to_owned(),
        made_by: actor.to_owned(),
        version: 1,
        active: true,
        plan: plan.clone(),
    };
    sqlx::query(
        "INSERT INTO plans (id, person_id, unit_code, made_on, review_on, goals, policy, article, state, made_by, \
         version, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9, 1, $10)",
    )
    .bind(&stored.id)
    .bind(&person)
    .bind(unit_code)
    .bind(plan.made_on.to_string())
    .bind(plan.review_on.to_string())
    .bind(serde_json::to_string(&plan.goals).expect("text serialises"))
    .bind(&plan.policy)
    .bind(&plan.article)
    .bind(actor)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    for (seq, a) in plan.actions.iter().enumerate() {
        write_action(&mut tx, &stored.id, seq, a, None, true).await?;
    }
    let event = NewEvent {
        actor,
        action: AuditAction::PlanMade.code(),
        entity: "plan",
        entity_id: &stored.id,
        person_id: Some(&person),
        policy: Some(&plan.policy),
        after: Some(serde_json::to_value(&stored).expect("a plan serialises")),
        ..NewEvent::default()
    };
    audit::append(&mut tx, event).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Changes one action (by its place in the plan, from 0) of a plan at `version`.
pub async fn change_action(
    store: &Store,
    plan_id: &str,
    seq: usize,
    version: i64,
    change: ActionChange,
    today: Date,
    actor: &str,
) -> Result<StoredPlan, PlanStoreError> {
    let mut tx = store.begin_write().await?;
    let (mut stored, person) = load(&mut tx, plan_id).await?.ok_or(PlanStoreError::NotFound)?;
    if stored.version != version {
        return Err(PlanStoreError::Conflict { expected: version, found: stored.version });
    }
    let action = stored.plan.actions.get_mut(seq).ok_or(PlanStoreError::NotFound)?;
    let before = serde_json::to_value(&*action).expect("an action serialises");
    let reason = match &change {
        ActionChange::Done { service } => {
            let on: Option<String> =
                sqlx::query_scalar("SELECT on_date FROM service_records WHERE id = $1 AND person_id = $2")
                    .bind(service)
                    .bind(&person)
                    .fetch_optional(&mut *tx)
                    .await?;
            let on = stored_date(&on.ok_or(PlanStoreError::ForeignService)?)?;
            action.done(service, on).map_err(PlanStoreError::Rejected)?;
            None
        }
        ActionChange::Reschedule { due, reason } => {
            action.reschedule(*due, reason, today).map_err(PlanStoreError::Rejected)?;
            Some(reason.trim().to_owned())
        }
        ActionChange::Drop { reason } => {
            action.drop_with(reason, today).map_err(PlanStoreError::Rejected)?;
            Some(reason.trim().to_owned())
        }
    };
    let action = action.clone();
    write_action(&mut tx, plan_id, seq, &action, reason.as_deref(), false).await?;
    stored.version += 1;
    sqlx::query("UPDATE plans SET version = $1 WHERE id = $2")
        .bind(stored.version)
        .bind(plan_id)
        .execute(&mut *tx)
        .await?;
    let mut after = serde_json::to_value(&action).expect("an action serialises");
    after["seq"] = seq.into();
    after["reason"] = reason.into();
    let event = NewEvent {
        actor,
        action: AuditAction::PlanActionChanged.code(),
        entity: "plan",
        entity_id: plan_id,
        person_id: Some(&person),
        policy: Some(&stored.plan.policy),
        before: Some(before),
        after: Some(after),
    };
    audit::append(&mut tx, event).await?;
    tx.commit().await?;
    Ok(stored)
}

/// The person's plans, newest first.
pub async fn of_person(store: &Store, id_number: &str) -> Result<Vec<StoredPlan>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT pl.id FROM plans pl JOIN persons p ON p.id = pl.person_id WHERE p.id_number = $1 \
         ORDER BY pl.made_on DESC, pl.id DESC",
    )
    .bind(id_number)
    .fetch_all(&mut *conn)
    .await?;
    let mut plans = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some((plan, _)) = load(&mut conn, &id).await? {
            plans.push(plan);
        }
    }
    Ok(plans)
}

/// The plan with this id, if any, and the ID number of its person.
pub async fn get(store: &Store, plan_id: &str) -> Result<Option<StoredPlan>, StoreError> {
    let mut conn = store.pool().acquire().await?;
    Ok(load(&mut conn, plan_id).await?.map(|(p, _)| p))
}

async fn load(conn: &mut AnyConnection, plan_id: &str) -> Result<Option<(StoredPlan, String)>, StoreError> {
    let Some(r) = sqlx::query(
        "SELECT pl.id, pl.person_id, p.id_number, pl.unit_code, pl.made_on, pl.review_on, pl.goals, pl.policy, \
         pl.article, pl.state, pl.made_by, pl.version FROM plans pl JOIN persons p ON p.id = pl.person_id \
         WHERE pl.id = $1",
    )
    .bind(plan_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let actions = sqlx::query(
        "SELECT kind, due_on, owner, state, service_id, closed_on, reason FROM plan_actions WHERE plan_id = $1 \
         ORDER BY seq",
    )
    .bind(plan_id)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(action_of)
    .collect::<Result<Vec<_>, _>>()?;
    let goals: String = r.try_get("goals")?;
    let plan = Plan {
        goals: serde_json::from_str(&goals).map_err(|_| corrupt(format_args!("plan goals `{goals}`")))?,
        actions,
        made_on: stored_date(&r.try_get::<String, _>("made_on")?)?,
        review_on: stored_date(&r.try_get::<String, _>("review_on")?)?,
        policy: r.try_get("policy")?,
        article: r.try_get("article")?,
    };
    let state: String = r.try_get("state")?;
    let stored = StoredPlan {
        id: r.try_get("id")?,
        id_number: r.try_get("id_number")?,
        unit_code: r.try_get("unit_code")?,
        made_by: r.try_get("made_by")?,
        version: r.try_get("version")?,
        active: state == "active",
        plan,
    };
    Ok(Some((stored, r.try_get("person_id")?)))
}

fn action_of(r: &sqlx::any::AnyRow) -> Result<PlanAction, StoreError> {
    let kind: String = r.try_get("kind")?;
    let state: String = r.try_get("state")?;
    let closed_on = r.try_get::<Option<String>, _>("closed_on")?.map(|d| stored_date(&d)).transpose()?;
    let state = match (state.as_str(), closed_on) {
        ("open", _) => ActionState::Open,
        ("done", Some(on)) => ActionState::Done {
            service: r.try_get::<Option<String>, _>("service_id")?.ok_or_else(|| corrupt("a done action's service"))?,
            on,
        },
        ("dropped", Some(on)) => {
            ActionState::Dropped { reason: r.try_get::<Option<String>, _>("reason")?.unwrap_or_default(), on }
        }
        _ => return Err(corrupt(format_args!("plan action state `{state}`"))),
    };
    Ok(PlanAction {
        kind: ServiceKind::parse(&kind).ok_or_else(|| corrupt(format_args!("plan action kind `{kind}`")))?,
        due: stored_date(&r.try_get::<String, _>("due_on")?)?,
        owner: r.try_get("owner")?,
        state,
    })
}

async fn write_action(
    conn: &mut AnyConnection,
    plan_id: &str,
    seq: usize,
    a: &PlanAction,
    reason: Option<&str>,
    new: bool,
) -> Result<(), StoreError> {
    let (service, closed_on) = match &a.state {
        ActionState::Open => (None, None),
        ActionState::Done { service, on } => (Some(service.as_str()), Some(on.to_string())),
        ActionState::Dropped { on, .. } => (None, Some(on.to_string())),
    };
    let sql = if new {
        "INSERT INTO plan_actions (plan_id, seq, kind, due_on, owner, state, service_id, closed_on, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    } else {
        "UPDATE plan_actions SET kind = $3, due_on = $4, owner = $5, state = $6, service_id = $7, closed_on = $8, \
         reason = COALESCE($9, reason) WHERE plan_id = $1 AND seq = $2"
    };
    sqlx::query(sql)
        .bind(plan_id)
        .bind(i64::try_from(seq).unwrap_or(i64::MAX))
        .bind(a.kind.code())
        .bind(a.due.to_string())
        .bind(&a.owner)
        .bind(a.state.code())
        .bind(service)
        .bind(closed_on)
        .bind(reason)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A person recognised with a hardship status (特困失业人员) who has no active plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithoutPlan {
    pub person_id: String,
    pub id_number: String,
    pub name: String,
    pub residence_unit: String,
}

/// The most persons a queue lists at once.
pub const QUEUE_LIMIT: i64 = 1000;

/// Persons living in units whose code starts with `unit_prefix` who hold a hardship status
/// (a `hardship_…` category, open) and have no active plan (第十二条第（一）项), by ID number.
pub async fn without_plan(store: &Store, unit_prefix: &str) -> Result<Vec<WithoutPlan>, StoreError> {
    let rows = sqlx::query(
        "SELECT p.id, p.id_number, p.name, p.residence_unit FROM persons p WHERE p.residence_unit LIKE $1 \
         AND EXISTS (SELECT 1 FROM recognitions r WHERE r.person_id = p.id AND r.ended_on IS NULL \
         AND r.category LIKE 'hardship%') \
         AND NOT EXISTS (SELECT 1 FROM plans pl WHERE pl.person_id = p.id AND pl.state = 'active') \
         ORDER BY p.id_number LIMIT $2",
    )
    .bind(format!("{unit_prefix}%"))
    .bind(QUEUE_LIMIT)
    .fetch_all(store.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(WithoutPlan {
                person_id: r.try_get("id")?,
                id_number: r.try_get("id_number")?,
                name: r.try_get("name")?,
                residence_unit: r.try_get("residence_unit")?,
            })
        })
        .collect()
}
