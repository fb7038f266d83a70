//! Assistance (#13): recording a service given to a person (第八至十六条) and reading the person's
//! ledger (台帐, 第十九条). A declined offer is a refusal of services (第六条第（二）项): it is
//! logged as one with the record, and the policy's refusal rule is run for the person at once,
//! so a proposal to revoke reaches the reviewer the day the threshold is met.

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yuanzhu_domain::access::Action;
use yuanzhu_domain::assistance::ledger::{self, Detail, LedgerEntry};
use yuanzhu_domain::assistance::{ActionState, NewAction, NewFollowUp, NewPlan, NewService, PlanError, ServiceError};
use yuanzhu_rules::{Date, Lang, Money};
use yuanzhu_storage::follow_ups::{self, FollowUpStoreError};
use yuanzhu_storage::plans::{self, ActionChange, PlanStoreError, StoredPlan};
use yuanzhu_storage::services::{self, StoredService};
use yuanzhu_storage::{accounts, employment};

use super::common::id_from_path;
use crate::auth::AuthUser;
use crate::error::{ApiError, FieldError};
use crate::state::AppState;

/// A service given: the kind, the day, and for an offer what came of it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "job_referral", "date": "2026-11-30", "employer": "广州某物业管理有限公司",
    "outcome": "declined", "note": "本人表示距离太远"}))]
pub struct NewServiceBody {
    /// `career_guidance`, `job_information`, `job_referral`, `policy_delivery`, `home_visit`,
    /// `startup_guidance`, `domestic_service_guidance`, `community_employment`,
    /// `social_work_session` or `training_recommendation`.
    pub kind: String,
    /// The day it was given (YYYY-MM-DD), not after today.
    pub date: Option<String>,
    /// What was done; for a declined offer, the person's reason (required then).
    pub note: Option<String>,
    /// For an offer: `accepted`, `declined` or `no_show`. Information given and visits have none.
    pub outcome: Option<String>,
    /// A referral's vacancy, by its reference.
    pub vacancy: Option<String>,
    /// A referral's employer, in free text. A referral names an employer or a vacancy.
    pub employer: Option<String>,
    /// With start-up guidance: the guaranteed start-up loan asked for (创业担保贷款, 第十四条), in
    /// yuan (`"150000"`, `"150,000.00"`).
    pub loan_amount: Option<String>,
}

/// A service as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceJson {
    pub id: String,
    pub kind: String,
    pub date: String,
    pub note: String,
    pub outcome: Option<String>,
    pub employer: Option<String>,
    pub vacancy: Option<String>,
    /// In yuan with two decimals.
    pub loan_amount: Option<String>,
    /// The policy in force on the day, and the article of it the service delivers.
    pub policy: String,
    pub article: String,
    pub unit: String,
    pub actor: String,
    /// Set when the service was a declined offer: the refusal it counts as (第六条第（二）项).
    pub refusal_id: Option<String>,
    /// The revocation proposed because the refusals reached the policy's threshold, if one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation_proposal: Option<String>,
}

impl From<StoredService> for ServiceJson {
    fn from(s: StoredService) -> ServiceJson {
        let r = s.record;
        ServiceJson {
            id: s.id,
            kind: r.kind.code().to_owned(),
            date: r.on.to_string(),
            note: r.note,
            outcome: r.outcome.map(|o| o.code().to_owned()),
            employer: r.employer,
            vacancy: r.vacancy,
            loan_amount: r.loan_amount.map(|m| m.to_string()),
            policy: r.policy,
            article: r.article,
            unit: s.unit_code,
            actor: s.actor,
            refusal_id: s.refusal_id,
            revocation_proposal: None,
        }
    }
}

/// Records a service given to the person; every wrong field is named at once.
pub async fn record_service(
    state: &AppState,
    user: &AuthUser,
    id_number: &str,
    body: NewServiceBody,
) -> Result<ServiceJson, ApiError> {
    let id = id_from_path(id_number)?;
    user.person(state, id.as_str(), Action::RecordService).await?;
    let mut errors = Vec::new();
    let on = match body.date.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(text) => match Date::parse(text) {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError {
                    code: "invalid_date".into(),
                    field: Some("date".into()),
                    zh: format!("date（服务日期）：“{text}”不是有效日期，应为 YYYY-MM-DD"),
                    en: format!("date: `{text}` is not a date (YYYY-MM-DD)"),
                });
                None
            }
        },
    };
    let loan_amount = match body.loan_amount.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        None => None,
        Some(text) => match text.parse::<Money>() {
            Ok(m) => Some(m),
            Err(e) => {
                errors.push(FieldError {
                    code: "invalid_amount".into(),
                    field: Some("loan_amount".into()),
                    zh: format!("loan_amount（贷款金额）：“{text}”不是以元为单位的金额（最多两位小数）"),
                    en: format!("loan_amount: {e}"),
                });
                None
            }
        },
    };
    let new = NewService {
        kind: body.kind,
        on,
        note: body.note.unwrap_or_default(),
        outcome: body.outcome,
        employer: body.employer,
        vacancy: body.vacancy,
        loan_amount,
    };
    let today = state.clock().today();
    let checked = new.check(on.and_then(|d| state.policies.in_force_on(d)), today);
    let record = match checked {
        // A date that did not parse is reported once, not again as missing.
        Err(found) => {
            let date_told = errors.iter().any(|e| e.field.as_deref() == Some("date"));
            errors.extend(
                found.iter().filter(|e| !(date_told && matches!(e, ServiceError::MissingDate))).map(field_error),
            );
            return Err(ApiError::all(StatusCode::UNPROCESSABLE_ENTITY, errors));
        }
        Ok(_) if !errors.is_empty() => return Err(ApiError::all(StatusCode::UNPROCESSABLE_ENTITY, errors)),
        Ok(r) => r,
    };
    let stored =
        services::record(&state.store, id.as_str(), &record, user.user.unit.as_str(), &user.account.username).await?;
    let mut json = ServiceJson::from(stored);
    if json.refusal_id.is_some() {
        json.revocation_proposal =
            super::revocations::refusal_rule(state, id.as_str(), record.on, &user.account.username).await?;
    }
    Ok(json)
}

fn field_error(e: &ServiceError) -> FieldError {
    FieldError {
        code: e.code().to_owned(),
        field: Some(e.field().to_owned()),
        zh: e.message(Lang::Zh),
        en: e.message(Lang::En),
    }
}

/// One line of the ledger.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerEntryJson {
    pub date: String,
    /// A service's kind, or `placement` / `placement_ended`.
    pub kind: String,
    /// The article the help serves, under `policy`.
    pub article: String,
    pub policy: Option<String>,
    /// One sentence, in the caller's language.
    pub summary: String,
    pub summary_en: String,
    /// The record it comes from.
    pub record: String,
    pub by: String,
    pub outcome: Option<String>,
}

/// The person's ledger, in date order.
#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerJson {
    pub entries: Vec<LedgerEntryJson>,
}

/// The ledger's entries, from the person's services and placements.
pub(crate) async fn entries(state: &AppState, id_number: &str) -> Result<Vec<LedgerEntry>, ApiError> {
    let (given, jobs, followed) = tokio::try_join!(
        services::of_person(&state.store, id_number),
        employment::of_person(&state.store, id_number),
        follow_ups::of_person(&state.store, id_number),
    )?;
    let mut entries: Vec<LedgerEntry> =
        given.into_iter().map(|s| LedgerEntry::of_service(s.record, s.id, s.actor)).collect();
    entries
        .extend(followed.into_iter().map(|f| LedgerEntry::of_follow_up(&state.policies, f.follow_up, f.id, f.actor)));
    for job in jobs {
        let started = Date::parse(&job.started_on).map_err(ApiError::internal)?;
        let ended = job.ended_on.as_deref().map(Date::parse).transpose().map_err(ApiError::internal)?;
        entries.extend(LedgerEntry::of_placement(
            &state.policies,
            &job.id,
            started,
            ended,
            job.employer.as_deref(),
            "",
        ));
    }
    Ok(ledger::in_order(entries))
}

/// The ledger of a person the user reaches.
pub async fn ledger_of(state: &AppState, user: &AuthUser, id_number: &str) -> Result<LedgerJson, ApiError> {
    let id = id_from_path(id_number)?;
    user.person(state, id.as_str(), Action::View).await?;
    let entries = entries(state, id.as_str()).await?.into_iter().map(|e| entry_json(&e)).collect();
    Ok(LedgerJson { entries })
}

pub(crate) fn entry_json(e: &LedgerEntry) -> LedgerEntryJson {
    LedgerEntryJson {
        date: e.on.to_string(),
        kind: e.kind.code().to_owned(),
        article: e.article.clone(),
        policy: e.policy.clone(),
        summary: e.summary(Lang::Zh),
        summary_en: e.summary(Lang::En),
        record: e.record.clone(),
        by: e.by.clone(),
        outcome: match &e.detail {
            Detail::Service(r) => r.outcome.map(|o| o.code().to_owned()),
            _ => None,
        },
    }
}

/// The file's section of the ledger (see `service::person_file`).
pub(crate) async fn file_section(
    cx: &crate::service::person_file::FileCtx<'_>,
) -> Result<Vec<LedgerEntryJson>, ApiError> {
    Ok(entries(cx.state, cx.id_number()).await?.iter().map(entry_json).collect())
}

// ---------------------------------------------------------------------------------------------
// Plans (第十二条第（一）项)
// ---------------------------------------------------------------------------------------------

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

fn date_field(text: Option<&str>, field: &str, errors: &mut Vec<FieldError>) -> Option<Date> {
    let text = text.map(str::trim).filter(|t| !t.is_empty())?;
    match Date::parse(text) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError {
                code: "invalid_date".into(),
                field: Some(field.to_owned()),
                zh: format!("{field}：“{text}”不是有效日期，应为 YYYY-MM-DD"),
                en: format!("{field}: `{text}` is not a date (YYYY-MM-DD)"),
            });
            None
        }
    }
}

fn plan_errors(found: &[PlanError]) -> Vec<FieldError> {
    found
        .iter()
        .map(|e| FieldError {
            code: e.code().to_owned(),
            field: Some(e.field()),
            zh: e.message(Lang::Zh),
            en: e.message(Lang::En),
        })
        .collect()
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
    let plan_id = super::common::id_of(plan_id)?;
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

// ---------------------------------------------------------------------------------------------
// Follow-ups after placement (第十九条 跟踪回访)
// ---------------------------------------------------------------------------------------------

/// A follow-up of one of the person's jobs.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"employment_id": "0193…", "months": 1, "date": "2026-12-01", "in_job": true,
    "channel": "phone", "need": ""}))]
pub struct NewFollowUpBody {
    /// The job followed up (`id` of an employment record of the person).
    pub employment_id: String,
    /// Which follow-up: months after the start (1, 3 or 6 by default).
    pub months: Option<u32>,
    pub date: Option<String>,
    /// Whether the person is still in the job.
    pub in_job: Option<bool>,
    /// How they were contacted: `phone`, `text_message`, `home_visit`, `letter`, `online`,
    /// `at_office`.
    #[serde(default)]
    pub channel: String,
    /// What they need, if anything.
    pub need: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpJson {
    pub id: String,
    pub employment_id: String,
    pub months: u32,
    pub due: String,
    pub date: String,
    pub in_job: bool,
    pub channel: String,
    pub need: String,
    pub actor: String,
}

/// Records a follow-up of a job of the person.
pub async fn record_follow_up(
    state: &AppState,
    user: &AuthUser,
    id_number: &str,
    body: NewFollowUpBody,
) -> Result<FollowUpJson, ApiError> {
    let id = id_from_path(id_number)?;
    user.person(state, id.as_str(), Action::RecordService).await?;
    let unknown_job = || {
        ApiError::unprocessable(
            "unknown_employment",
            Some("employment_id"),
            "employment_id（就业记录）：不是该人员的就业记录",
            "employment_id: not an employment record of this person",
        )
    };
    let job = body.employment_id.trim();
    if !super::common::is_record_id(job) {
        return Err(unknown_job());
    }
    let started = follow_ups::job_started(&state.store, id.as_str(), job).await?.ok_or_else(unknown_job)?;
    let mut errors = Vec::new();
    let on = date_field(body.date.as_deref(), "date", &mut errors);
    let new = NewFollowUp {
        months: body.months,
        on,
        in_job: body.in_job,
        channel: body.channel,
        need: body.need.unwrap_or_default(),
    };
    let checked = new.check(started, &state.config.follow_up_months, state.clock().today());
    let f = match checked {
        Err(found) => {
            let told = !errors.is_empty();
            errors.extend(found.iter().filter(|e| !(told && e.field() == "date")).map(|e| FieldError {
                code: e.code().into(),
                field: Some(e.field().into()),
                zh: e.message(Lang::Zh),
                en: e.message(Lang::En),
            }));
            return Err(ApiError::all(StatusCode::UNPROCESSABLE_ENTITY, errors));
        }
        Ok(_) if !errors.is_empty() => return Err(ApiError::all(StatusCode::UNPROCESSABLE_ENTITY, errors)),
        Ok(f) => f,
    };
    let stored =
        follow_ups::record(&state.store, id.as_str(), job, &f, user.user.unit.as_str(), &user.account.username)
            .await
            .map_err(|e| match e {
            FollowUpStoreError::Store(e) => e.into(),
            FollowUpStoreError::UnknownJob => unknown_job(),
            FollowUpStoreError::Done => ApiError::new(
                StatusCode::CONFLICT,
                "follow_up_done",
                format!("months（回访）：该就业的第{}个月回访已记录", f.months),
                format!("months: the month-{} follow-up of this job is recorded already", f.months),
            )
            .field("months"),
        })?;
    Ok(FollowUpJson {
        id: stored.id,
        employment_id: stored.employment_id,
        months: f.months,
        due: f.due.to_string(),
        date: f.on.to_string(),
        in_job: f.in_job,
        channel: f.channel.code().to_owned(),
        need: f.need,
        actor: stored.actor,
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct FollowUpQueueQuery {
    /// Follow-ups due before this day (YYYY-MM-DD); today when absent.
    pub due_before: Option<String>,
}

/// A follow-up due, in a queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct DueFollowUpJson {
    /// Masked, as in every list.
    pub id_number: String,
    pub name: String,
    /// The file's address: `/p/{person_id}`.
    pub person_id: String,
    pub residence_unit: String,
    pub due: String,
    /// `follow_up`.
    pub kind: String,
    pub months: u32,
    pub employment_id: String,
    pub employer: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpQueueJson {
    pub items: Vec<DueFollowUpJson>,
}

/// The follow-ups due before a day, of the persons the user reaches, soonest first.
pub async fn follow_up_queue(
    state: &AppState,
    user: &AuthUser,
    query: FollowUpQueueQuery,
) -> Result<FollowUpQueueJson, ApiError> {
    let today = state.clock().today();
    let mut errors = Vec::new();
    let due_before = date_field(query.due_before.as_deref(), "due_before", &mut errors).unwrap_or(today);
    if !errors.is_empty() {
        return Err(ApiError::all(StatusCode::UNPROCESSABLE_ENTITY, errors));
    }
    let due =
        follow_ups::due(&state.store, user.user.unit.as_str(), &state.config.follow_up_months, due_before).await?;
    let due = super::common::within_reach(state, user, due, |d| &d.id_number).await?;
    let items = due
        .into_iter()
        .map(|d| DueFollowUpJson {
            id_number: yuanzhu_domain::access::mask_id_number(&d.id_number),
            name: d.name,
            person_id: d.person_id,
            residence_unit: d.residence_unit,
            due: d.due.to_string(),
            kind: "follow_up".to_owned(),
            months: d.months,
            employment_id: d.employment_id,
            employer: d.employer,
        })
        .collect();
    Ok(FollowUpQueueJson { items })
}
