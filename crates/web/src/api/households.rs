//! Households over HTTP: adapters over [`crate::service::households`], where what each step
//! checks and does is written.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yuanzhu_domain::access::Action;
use yuanzhu_storage::employment::{self};

use super::{Json, Query};
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::service::common::id_from_path;
use crate::service::households::*;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(household))
        .routes(routes!(list_employment, record_employment))
        .routes(routes!(end_employment))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct OnQuery {
    /// `YYYY-MM-DD`; today by default.
    pub on: Option<String>,
}

/// A household: its members and whether it is a zero-employment household on `on`. Shown when
/// at least one member is within the caller's jurisdiction; otherwise 404. Members outside it
/// are shown masked (ID number and name, nothing else), whatever the role. A person whose
/// joining another unit has yet to accept is not a member yet.
#[utoipa::path(
    get, path = "/households/{household_ref}", tag = "households",
    params(("household_ref" = String, Path), OnQuery),
    responses(
        (status = 200, body = HouseholdView),
        (status = 404, description = "No such household in your jurisdiction", body = ErrorBody),
        (status = 422, description = "`on` is not a date", body = ErrorBody),
    )
)]
async fn household(
    State(state): State<AppState>,
    user: AuthUser,
    Path(household_ref): Path<String>,
    Query(query): Query<OnQuery>,
) -> Result<Json<HouseholdView>, ApiError> {
    user.require(Action::View)?;
    let on = match &query.on {
        Some(text) => date_field(text, "on")?,
        None => state.clock().today(),
    };
    let h = household_in_reach(&state, &user, &household_ref, on).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(HouseholdView::seen_by(&state, &user, h).await?))
}

/// The person's employment records, latest start first.
#[utoipa::path(
    get, path = "/persons/{id_number}/employment", tag = "households",
    params(("id_number" = String, Path)),
    responses(
        (status = 200, body = Vec<EmploymentView>),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
    )
)]
async fn list_employment(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
) -> Result<Json<Vec<EmploymentView>>, ApiError> {
    let id = id_from_path(&id_number)?;
    user.person(&state, id.as_str(), Action::View).await?;
    let records = employment::of_person(&state.store, id.as_str()).await?;
    Ok(Json(records.into_iter().map(EmploymentView::from).collect()))
}

/// Record that a person found work. In one step: the record, with the categories the person
/// held that day; the end of their unemployment registration and of the categories recognised
/// automatically with it; and a revocation proposal for what 第六条第（一）项 ends. Their
/// household's zero-employment status follows from it, and under gd-2023-11 the other members'
/// family basis is proposed for revocation. The same job posted again answers 200 with the
/// first record.
#[utoipa::path(
    post, path = "/persons/{id_number}/employment", tag = "households",
    params(("id_number" = String, Path)),
    request_body = NewEmployment,
    responses(
        (status = 201, body = EmploymentRecorded),
        (status = 200, description = "The same job was recorded before: that record", body = EmploymentRecorded),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
        (status = 422, description = "`started_on` is not a date, is in the future, is before the person turned 16, or overlaps other work; `employer` is too long", body = ErrorBody),
    )
)]
async fn record_employment(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
    Json(body): Json<NewEmployment>,
) -> Result<Response, ApiError> {
    let out = start_work(&state, &user, &id_number, &body.started_on, body.employer.as_deref()).await?;
    let status = if out.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(out)).into_response())
}

/// Record that a person's work ended: the record named, on the last day worked. From the next
/// day their household's zero-employment status counts them as without work again.
#[utoipa::path(
    post, path = "/persons/{id_number}/employment/end", tag = "households",
    params(("id_number" = String, Path)),
    request_body = EmploymentEnd,
    responses(
        (status = 200, body = EmploymentEnded),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
        (status = 422, description = "`ended_on` is not a date, is in the future or is before the work began; `employment_id` names no record of the person, or one already ended", body = ErrorBody),
    )
)]
async fn end_employment(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
    Json(body): Json<EmploymentEnd>,
) -> Result<Json<EmploymentEnded>, ApiError> {
    Ok(Json(end_work(&state, &user, &id_number, &body.employment_id, &body.ended_on).await?))
}
