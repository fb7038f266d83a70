//! Household joins over HTTP: adapters over [`crate::service::household_joins`], where what each step
//! checks and does is written.

use axum::extract::{Path, State};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yuanzhu_domain::access::Action;

use super::Json;
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::service::household_joins::*;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pending_joins))
        .routes(routes!(accept_join))
        .routes(routes!(refuse_join))
        .routes(routes!(unseen_changes))
        .routes(routes!(mark_seen))
}

/// Claims to join a household in your jurisdiction, made by another unit, waiting for your
/// decision, oldest first.
#[utoipa::path(
    get, path = "/household-joins", tag = "households",
    responses((status = 200, body = Vec<JoinView>), (status = 401, body = ErrorBody))
)]
async fn pending_joins(State(state): State<AppState>, user: AuthUser) -> Result<Json<Vec<JoinView>>, ApiError> {
    user.require(Action::View)?;
    Ok(Json(joins_to_decide(&state, &user).await?))
}

/// Accept the claim: the person counts in the household from now on.
#[utoipa::path(
    post, path = "/household-joins/{id}/accept", tag = "households",
    params(("id" = String, Path)),
    request_body = JoinDecision,
    responses(
        (status = 200, body = JoinView),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such claim on a household in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Already decided, a stale version, or the person no longer names the household", body = ErrorBody),
    )
)]
async fn accept_join(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<JoinDecision>,
) -> Result<Json<JoinView>, ApiError> {
    Ok(Json(decide(&state, &user, &id, true, body).await?))
}

/// Refuse the claim, saying why: the household is taken off the person's record.
#[utoipa::path(
    post, path = "/household-joins/{id}/refuse", tag = "households",
    params(("id" = String, Path)),
    request_body = JoinDecision,
    responses(
        (status = 200, body = JoinView),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such claim on a household in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Already decided, or a stale version", body = ErrorBody),
        (status = 422, description = "No reason given", body = ErrorBody),
    )
)]
async fn refuse_join(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<JoinDecision>,
) -> Result<Json<JoinView>, ApiError> {
    Ok(Json(decide(&state, &user, &id, false, body).await?))
}

/// Notices of changed households of members in your jurisdiction that nobody has marked seen.
#[utoipa::path(
    get, path = "/household-changes", tag = "households",
    responses((status = 200, body = Vec<ChangeView>), (status = 401, body = ErrorBody))
)]
async fn unseen_changes(State(state): State<AppState>, user: AuthUser) -> Result<Json<Vec<ChangeView>>, ApiError> {
    user.require(Action::View)?;
    Ok(Json(changes_to_see(&state, &user).await?))
}

/// Mark a notice seen: it leaves the queue.
#[utoipa::path(
    post, path = "/household-changes/{id}/seen", tag = "households",
    params(("id" = String, Path)),
    responses(
        (status = 200, body = ChangeView),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such notice about a member in your jurisdiction", body = ErrorBody),
    )
)]
async fn mark_seen(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<ChangeView>, ApiError> {
    Ok(Json(see(&state, &user, &id).await?))
}
