//! Assistance plans (第十二条第（一）项 "制定有针对性的援助计划"): making one, reading them, and
//! changing an action: done by a service record, rescheduled or dropped with a reason.

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yuanzhu_domain::access::Action;
use yuanzhu_rules::Date;

use super::date_field;
use crate::auth::AuthUser;
use crate::error::{ApiError, FieldError};
use crate::service::common::id_from_path;
use crate::state::AppState;
use yuanzhu_domain::assistance::{ActionState, NewAction, NewPlan, PlanError};
use yuanzhu_storage::accounts;
use yuanzhu_storage::plans::{self, ActionChange, PlanStoreError, StoredPlan};

/// An assistance plan as a caseworker writes it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"goals": ["三个月内实现就业"], "actions": [{"kind": "career_guidance", "due": "2026-12-15"},
    {"kind": "job_referral", "due": "2027-01-10", "owner": "sw"}], "review_on": "2027-03-01"}))]
pub struct NewPlanBody {
    #[serde(default)]
    pub goals: Vec<String>,
    #[serde(default)]
    pub actions: Vec<NewActionBody>,
    /// The day to review the plan (after today).
    pub review_on: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActionBody {
    /// A kind of service (as `kind` of a service record).
    pub kind: String,
    pub due: Option<String>,
    /// The username of who does it; whoever makes the plan when absent.
    pub owner: Option<String>,
}

/// A change to one action of a plan, at the plan's `version`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"change": "reschedule", "due": "2027-01-20", "reason": "本人住院", "version": 1}))]
pub struct ActionChangeBody {
    /// `done` (with `service`, the record that did it), `reschedule` (with `due` and `reason`)
    /// or `drop` (with `reason`).
    pub change: String,
    pub service: Option<String>,
    pub due: Option<String>,
    pub reason: Option<String>,
    pub version: Option<i64>,
}

/// A plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanJson {
    pub id: String,
    /// Send it back with a change: a plan changed since is a conflict (409).
    pub version: i64,
    pub active: bool,
    pub goals: Vec<String>,
    pub actions: Vec<PlanActionJson>,
    pub made_on: String,
    pub review_on: String,
    pub made_by: String,
    pub unit: String,
    pub policy: String,
    pub article: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanActionJson {
    /// Its place in the plan, from 0: name it to change the action.
    pub index: usize,
    pub kind: String,
    pub due: String,
    pub owner: String,
    /// `open`, `done` or `dropped`.
    pub state: String,
    /// The service record that did it.
    pub service: Option<String>,
    /// The day it was done or dropped.
    pub closed_on: Option<String>,
    pub overdue: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlansJson {
    pub plans: Vec<PlanJson>,
}

pub(crate) fn plan_json(p: StoredPlan, today: Date) -> PlanJson {
    let actions = p
        .plan
        .actions
        .iter()
        .enumerate()
        .map(|(index, a)| {
            let (service, closed_on) = match &a.state {
                ActionState::Open => (None, None),
                ActionState::Done { service, on } => (Some(service.clone()), Some(on.to_string())),
                ActionState::Dropped { on, .. } => (None, Some(on.to_string())),
            };
            PlanActionJson {
                index,
                kind: a.kind.code().to_owned(),
                due: a.due.to_string(),
                owner: a.owner.clone(),
                state: a.state.code().to_owned(),
                service,
                closed_on,
                overdue: p.active && a.overdue(today),
            }
        })
        .collect();
    PlanJson {
        id: p.id,
        version: p.version,
        active: p.active,
        goals: p.plan.goals,
        actions,
        made_on: p.plan.made_on.to_string(),
        review_on: p.plan.review_on.to_string(),
        made_by: p.made_by,
        unit: p.unit_code,
        policy: p.plan.policy,
        article: p.plan.article,
    }
}

fn plan_errors(found: &[PlanError]) -> Vec<FieldError> {
    found.iter().map(|e| super::said(e.code(), e.field(), |lang| e.message(lang))).collect()
}

fn plan_store_error(e: PlanStoreError) -> ApiError {
    match e {
        PlanStoreError::Store(e) => e.into(),
        PlanStoreError::NotFound => ApiError::not_found(),
        PlanStoreError::ActivePlan(_) => ApiError::new(
            StatusCode::CONFLICT,
            "plan_active",
            "该人员已有执行中的援助计划：请在原计划中调整措施",
            "the person has an active plan: change its actions instead",
        ),
        PlanStoreError::ForeignService => ApiError::unprocessable(
            "unknown_service",
            Some("service"),
            "service（服务记录）：不是该人员的服务记录",
            "service: not a service record of this person",
        ),
        PlanStoreError::Rejected(e) => ApiError::all(StatusCode::UNPROCESSABLE_ENTITY, plan_errors(&[e])),
        PlanStoreError::Conflict { expected, found } => ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            format!("version（版本）：援助计划已被他人修改（读取时为第{expected}版，现为第{found}版），请刷新后再办理"),
            format!("version: the plan changed since it was read (version {expected} expected, {found} found): reload"),
        )
        .field("version"),
    }
}

/// Makes the person's assistance plan; every wrong field is named at once.
pub async fn make_plan(
    state: &AppState,
    user: &AuthUser,
    id_number: &str,
    body: NewPlanBody,
) -> Result<PlanJson, ApiError> {
    let id = id_from_path(id_number)?;
    user.person(state, id.as_str(), Action::RecordService).await?;
    let today = state.clock().today();
    let mut errors = Vec::new();
    let review_on = date_field(body.review_on.as_deref(), "review_on", &mut errors);
    let mut actions = Vec::new();
    for (i, a) in body.actions.into_iter().enumerate() {
        let due = date_field(a.due.as_deref(), &format!("actions[{i}].due"), &mut errors);
        if let Some(owner) = a.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            let known = accounts::by_username(&state.store, owner).await?.is_some_and(|(a, _)| !a.disabled);
            if !known {
                errors.push(FieldError {
                    code: "unknown_account".into(),
                    field: Some(format!("actions[{i}].owner")),
                    zh: format!("actions[{i}].owner：没有在用的账号“{owner}”"),
                    en: format!("actions[{i}].owner: no active account `{owner}`"),
                });
            }
        }
        actions.push(NewAction { kind: a.kind, due, owner: a.owner });
    }
    let new = NewPlan { goals: body.goals, actions, review_on };
    let checked = new.check(today, &user.account.username, state.policies.in_force_on(today));
    let plan = match checked {
        Err(found) => {
            let told: Vec<String> = errors.iter().filter_map(|e| e.field.clone()).collect();
            // A date that did not parse is reported once, not again as missing.
            errors.extend(
                plan_errors(&found).into_iter().filter(|e| !e.field.as_ref().is_some_and(|f| told.contains(f))),
            );
            return Err(ApiError::all(StatusCode::UNPROCESSABLE_ENTITY, errors));
        }
        Ok(_) if !errors.is_empty() => return Err(ApiError::all(StatusCode::UNPROCESSABLE_ENTITY, errors)),
        Ok(p) => p,
    };
    let stored = plans::make(&state.store, id.as_str(), &plan, user.user.unit.as_str(), &user.account.username)
        .await
        .map_err(plan_store_error)?;
    Ok(plan_json(stored, today))
}

/// The person's plans, newest first.
pub async fn plans_of(state: &AppState, user: &AuthUser, id_number: &str) -> Result<PlansJson, ApiError> {
    let id = id_from_path(id_number)?;
    user.person(state, id.as_str(), Action::View).await?;
    let today = state.clock().today();
    let plans = plans::of_person(&state.store, id.as_str()).await?.into_iter().map(|p| plan_json(p, today)).collect();
    Ok(PlansJson { plans })
}

/// Changes one action of a plan: done by a service record, rescheduled or dropped with a reason.
pub async fn change_action(
    state: &AppState,
    user: &AuthUser,
    plan_id: &str,
    index: usize,
    body: ActionChangeBody,
) -> Result<PlanJson, ApiError> {
    let plan_id = crate::service::common::id_of(plan_id)?;
    let plan = plans::get(&state.store, plan_id).await?.ok_or_else(ApiError::not_found)?;
    user.person(state, &plan.id_number, Action::RecordService).await?;
    let Some(version) = body.version else {
        return Err(ApiError::unprocessable(
            "version_required",
            Some("version"),
            "version（版本）：须写明读取时的计划版本",
            "version: name the version of the plan the change is based on",
        ));
    };
    let mut errors = Vec::new();
    let reason = body.reason.unwrap_or_default();
    let change = match body.change.trim() {
        "done" => match body.service.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => ActionChange::Done { service: s.to_owned() },
            None => {
                return Err(ApiError::unprocessable(
                    "required",
                    Some("service"),
                    "service（服务记录）：必填",
                    "service: required",
                ));
            }
        },
        "reschedule" => match date_field(body.due.as_deref(), "due", &mut errors) {
            Some(due) => ActionChange::Reschedule { due, reason },
            None if errors.is_empty() => {
                return Err(ApiError::unprocessable("required", Some("due"), "due（新期限）：必填", "due: required"));
            }
            None => return Err(ApiError::all(StatusCode::UNPROCESSABLE_ENTITY, errors)),
        },
        "drop" => ActionChange::Drop { reason },
        other => {
            return Err(ApiError::unprocessable(
                "invalid_choice",
                Some("change"),
                format!("change（变更）：“{other}”不是可选项，可选：done, reschedule, drop"),
                format!("change: `{other}` is not one of done, reschedule, drop"),
            ));
        }
    };
    let today = state.clock().today();
    let stored = plans::change_action(&state.store, plan_id, index, version, change, today, &user.account.username)
        .await
        .map_err(plan_store_error)?;
    Ok(plan_json(stored, today))
}

/// The file's section of plans, newest first (see `service::person_file`).
pub(crate) async fn plans_section(cx: &crate::service::person_file::FileCtx<'_>) -> Result<Vec<PlanJson>, ApiError> {
    let today = cx.state.clock().today();
    Ok(plans::of_person(&cx.state.store, cx.id_number()).await?.into_iter().map(|p| plan_json(p, today)).collect())
}

/// A person with a hardship status and no active plan, in a queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct WithoutPlanJson {
    /// Masked, as in every list.
    pub id_number: String,
    pub name: String,
    /// The file's address: `/p/{person_id}`.
    pub person_id: String,
    pub residence_unit: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WithoutPlanQueueJson {
    pub items: Vec<WithoutPlanJson>,
}

/// The persons the user reaches who hold a hardship status (特困失业人员) and have no active
/// assistance plan (第十二条第（一）项 asks for one for each).
pub async fn without_plan_queue(state: &AppState, user: &AuthUser) -> Result<WithoutPlanQueueJson, ApiError> {
    let found = plans::without_plan(&state.store, user.user.unit.as_str()).await?;
    let found = crate::service::common::within_reach(state, user, found, |p| &p.id_number).await?;
    let items = found
        .into_iter()
        .map(|p| WithoutPlanJson {
            id_number: yuanzhu_domain::access::mask_id_number(&p.id_number),
            name: p.name,
            person_id: p.person_id,
            residence_unit: p.residence_unit,
        })
        .collect();
    Ok(WithoutPlanQueueJson { items })
}
