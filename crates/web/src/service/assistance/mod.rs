//! Assistance (#13): recording a service given to a person (第八至十六条) and reading the person's
//! ledger (台帐, 第十九条). A declined offer is a refusal of services (第六条第（二）项): it is
//! logged as one with the record, and the policy's refusal rule is run for the person at once,
//! so a proposal to revoke reaches the reviewer the day the threshold is met. Plans and
//! follow-ups after placement are rooms of their own.

mod follow_up;
mod plans;

pub use follow_up::*;
pub use plans::*;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yuanzhu_domain::access::Action;
use yuanzhu_domain::assistance::ledger::{self, Detail, LedgerEntry};
use yuanzhu_domain::assistance::{NewService, ServiceError};
use yuanzhu_rules::{Date, Lang, Money};
use yuanzhu_storage::services::{self, StoredService};
use yuanzhu_storage::{employment, follow_ups};

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
    said(e.code(), e.field(), |lang| e.message(lang))
}

/// A domain error's code, field and words, as one of the problems a request is answered with.
pub(super) fn said(code: &str, field: impl Into<String>, message: impl Fn(Lang) -> String) -> FieldError {
    FieldError { code: code.to_owned(), field: Some(field.into()), zh: message(Lang::Zh), en: message(Lang::En) }
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

/// A date field, or its error pushed to `errors` (named by `field`); `None` when absent or wrong.
pub(super) fn date_field(text: Option<&str>, field: &str, errors: &mut Vec<FieldError>) -> Option<Date> {
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
