//! Follow-ups after placement (第十九条 跟踪回访): recording one, and the queue of those due.

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yuanzhu_domain::access::Action;

use super::date_field;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::service::common::id_from_path;
use crate::state::AppState;
use yuanzhu_domain::assistance::NewFollowUp;
use yuanzhu_storage::follow_ups::{self, FollowUpStoreError};

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
    if !crate::service::common::is_record_id(job) {
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
            errors.extend(
                found
                    .iter()
                    .filter(|e| !(told && e.field() == "date"))
                    .map(|e| super::said(e.code(), e.field(), |lang| e.message(lang))),
            );
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
    let due = crate::service::common::within_reach(state, user, due, |d| &d.id_number).await?;
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
