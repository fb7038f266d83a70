//! Revocation of status (注销, 穗人社发〔2014〕4号 第六条) over HTTP: adapters over
//! [`crate::service::revocations`], where what each step checks and does is written.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Json, Query};
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::service::revocations::{
    self as service, ContactJson, Decision, DecisionJson, DueContactJson, NewContact, NewProposal, NewRefusal,
    ProposalJson, RefusalJson,
};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(log_contact))
        .routes(routes!(log_refusal))
        .routes(routes!(propose))
        .routes(routes!(queue))
        .routes(routes!(unreachable_soon))
        .routes(routes!(get_proposal))
        .routes(routes!(decide))
}

// ---------------------------------------------------------------------------------------------
// Evidence
// ---------------------------------------------------------------------------------------------

/// Log an attempt to reach the person: the evidence of 第六条第（五）项 ("连续1个月无法与其联络").
#[utoipa::path(
    post, path = "/persons/{id_number}/contacts", tag = "revocations",
    params(("id_number" = String, Path, description = "18-digit ID number")),
    request_body = NewContact,
    responses(
        (status = 201, description = "Logged", body = ContactJson),
        (status = 403, description = "Your role does not log contacts", body = ErrorBody),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
        (status = 422, description = "Unknown channel, a date in the future, or at_office not reached", body = ErrorBody),
    )
)]
async fn log_contact(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
    Json(body): Json<NewContact>,
) -> Result<Response, ApiError> {
    let record = service::log_contact(&state, &user, &id_number, body).await?;
    Ok((StatusCode::CREATED, Json(record)).into_response())
}

/// Log a refusal of services: the evidence of 第六条第（二）项 ("拒绝…职业介绍、职业指导等就业服务").
#[utoipa::path(
    post, path = "/persons/{id_number}/refusals", tag = "revocations",
    params(("id_number" = String, Path, description = "18-digit ID number")),
    request_body = NewRefusal,
    responses(
        (status = 201, description = "Logged", body = RefusalJson),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
        (status = 422, description = "Unknown service, or a date in the future", body = ErrorBody),
    )
)]
async fn log_refusal(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
    Json(body): Json<NewRefusal>,
) -> Result<Response, ApiError> {
    let record = service::log_refusal(&state, &user, &id_number, body).await?;
    Ok((StatusCode::CREATED, Json(record)).into_response())
}

// ---------------------------------------------------------------------------------------------
// Proposals
// ---------------------------------------------------------------------------------------------

/// Propose revoking the person's status for a reason from the policy's list. One proposal per
/// policy under which the person holds status that the reason ends; proposing again while one is
/// open returns the open one.
#[utoipa::path(
    post, path = "/persons/{id_number}/revocation-proposals", tag = "revocations",
    params(("id_number" = String, Path, description = "18-digit ID number")),
    request_body = NewProposal,
    responses(
        (status = 201, description = "Proposed, awaiting review", body = Vec<ProposalJson>),
        (status = 403, description = "Your role does not propose revocations", body = ErrorBody),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
        (status = 409, description = "The person holds no status that the reason ends", body = ErrorBody),
        (status = 422, description = "Unknown reason, not in the policy's list, or no note", body = ErrorBody),
    )
)]
async fn propose(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
    Json(body): Json<NewProposal>,
) -> Result<Response, ApiError> {
    let made = service::propose(&state, &user, &id_number, body).await?;
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

/// Open proposals of persons living within your jurisdiction, oldest first. ID numbers are
/// masked, as in every list.
#[utoipa::path(
    get, path = "/revocation-proposals", tag = "revocations",
    responses((status = 200, body = Vec<ProposalJson>), (status = 401, body = ErrorBody))
)]
async fn queue(State(state): State<AppState>, user: AuthUser) -> Result<Json<Vec<ProposalJson>>, ApiError> {
    Ok(Json(service::open_proposals(&state, &user).await?))
}

/// One proposal.
#[utoipa::path(
    get, path = "/revocation-proposals/{id}", tag = "revocations",
    params(("id" = String, Path, description = "The proposal's id")),
    responses(
        (status = 200, body = ProposalJson),
        (status = 404, description = "No such proposal in your jurisdiction", body = ErrorBody),
    )
)]
async fn get_proposal(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<ProposalJson>, ApiError> {
    Ok(Json(service::proposal(&state, &user, &id).await?))
}

/// Confirm (the status ends that day) or dismiss (with a reason; the status stands) a proposal.
#[utoipa::path(
    post, path = "/revocation-proposals/{id}/decision", tag = "revocations",
    params(("id" = String, Path, description = "The proposal's id")),
    request_body = Decision,
    responses(
        (status = 200, body = DecisionJson),
        (status = 403, description = "Your role does not decide revocations, or you proposed it", body = ErrorBody),
        (status = 404, description = "No such proposal in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Already decided, or changed since it was read", body = ErrorBody),
        (status = 422, description = "A dismissal without a note, or a date before the proposal", body = ErrorBody),
    )
)]
async fn decide(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<Decision>,
) -> Result<Json<DecisionJson>, ApiError> {
    Ok(Json(service::decide(&state, &user, &id, body).await?))
}

// ---------------------------------------------------------------------------------------------
// The caseworker's queue of persons about to become unreachable
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize, IntoParams)]
pub struct UnreachableQuery {
    /// Look this many days ahead (default 14, at most 366).
    pub within_days: Option<u32>,
}

/// Persons within your jurisdiction who will become unreachable under the lost-contact rule
/// (第六条第（五）项) within the coming days unless reached, soonest first.
#[utoipa::path(
    get, path = "/revocation-proposals/unreachable-soon", tag = "revocations",
    params(UnreachableQuery),
    responses(
        (status = 200, body = Vec<DueContactJson>),
        (status = 400, description = "`within_days` is not a number", body = ErrorBody),
    )
)]
async fn unreachable_soon(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<UnreachableQuery>,
) -> Result<Json<Vec<DueContactJson>>, ApiError> {
    Ok(Json(service::unreachable_soon(&state, &user, query.within_days).await?))
}
