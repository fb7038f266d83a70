//! Moves of residence (居住地转移): the only way a person's unit of residence changes, and with it
//! who may see their file. One side proposes (the unit the person lives in, from the person's
//! file; or the unit they move to, by ID number and name as on the ID card), the other accepts or
//! refuses, the proposing side may withdraw; a district or city supervisor over both units moves
//! the person at once. Who may do what is `yuanzhu_domain::residence_transfer`'s.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yuanzhu_storage::residence_transfers::Closing;

use super::Json;
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::service::residence_transfers::*;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(propose_transfer))
        .routes(routes!(transfer_queue, request_transfer))
        .routes(routes!(accept_transfer))
        .routes(routes!(refuse_transfer))
        .routes(routes!(withdraw_transfer))
}

/// Propose moving a person of the caller's jurisdiction to another unit, for that unit to accept;
/// or, a supervisor over both units, move them at once (`state` `done`). A person out of reach is
/// 404. A person has one open move at a time (409 `transfer_open`).
#[utoipa::path(
    post, path = "/persons/{id_number}/transfers", tag = "transfers",
    params(("id_number" = String, Path, description = "18-digit ID number")),
    request_body = NewTransfer,
    responses(
        (status = 201, description = "Proposed, or done at once", body = TransferView),
        (status = 403, description = "Your role does not transfer, or neither unit is yours", body = ErrorBody),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
        (status = 409, description = "A move of the person is already open", body = ErrorBody),
        (status = 422, description = "`to_unit` is wrong", body = ErrorBody),
    )
)]
async fn propose_transfer(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
    Json(body): Json<NewTransfer>,
) -> Result<Response, ApiError> {
    let t = propose(&state, &user, &id_number, &body.to_unit, body.note.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

/// Ask for a person who has moved into the caller's jurisdiction, by ID number and name as on the
/// ID card, for the unit they live in now to accept (or, a supervisor over both units, move them
/// at once). An ID number and name that name nobody answer 404, as any person out of reach does;
/// the unit the person lives in is not told until that unit accepts.
#[utoipa::path(
    post, path = "/transfers", tag = "transfers",
    request_body = TransferRequest,
    responses(
        (status = 201, description = "Requested, or done at once", body = TransferView),
        (status = 403, description = "`to_unit` is outside your jurisdiction, or your role does not transfer", body = ErrorBody),
        (status = 404, description = "No such person", body = ErrorBody),
        (status = 409, description = "A move of the person is already open", body = ErrorBody),
        (status = 422, description = "A field is wrong", body = ErrorBody),
    )
)]
async fn request_transfer(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<TransferRequest>,
) -> Result<Response, ApiError> {
    let t = request(&state, &user, &body.id_number, &body.name, &body.to_unit, body.note.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(t)).into_response())
}

/// The open moves the caller sees (from or to a unit of their jurisdiction), oldest first: those
/// to decide (`may_decide`) and those the caller's side proposed (`may_withdraw`).
#[utoipa::path(
    get, path = "/transfers", tag = "transfers",
    responses((status = 200, body = Vec<TransferView>), (status = 403, body = ErrorBody))
)]
async fn transfer_queue(State(state): State<AppState>, user: AuthUser) -> Result<Json<Vec<TransferView>>, ApiError> {
    Ok(Json(open_seen(&state, &user, 200).await?.into_iter().map(|t| view(&user, t)).collect()))
}

/// Accept a move proposed by the other unit: the person moves at once.
#[utoipa::path(
    post, path = "/transfers/{id}/accept", tag = "transfers",
    params(("id" = String, Path)), request_body = TransferDecision,
    responses(
        (status = 200, body = TransferView), (status = 403, body = ErrorBody),
        (status = 404, description = "No such move in your jurisdiction", body = ErrorBody),
        (status = 409, description = "No longer open, or the person moved meanwhile", body = ErrorBody),
    )
)]
async fn accept_transfer(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<TransferDecision>,
) -> Result<Json<TransferView>, ApiError> {
    Ok(Json(close_step(&state, &user, &id, Closing::Accept, body.note.as_deref()).await?))
}

/// Refuse a move proposed by the other unit: nobody moves.
#[utoipa::path(
    post, path = "/transfers/{id}/refuse", tag = "transfers",
    params(("id" = String, Path)), request_body = TransferDecision,
    responses(
        (status = 200, body = TransferView), (status = 403, body = ErrorBody),
        (status = 404, description = "No such move in your jurisdiction", body = ErrorBody),
        (status = 409, description = "No longer open", body = ErrorBody),
    )
)]
async fn refuse_transfer(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<TransferDecision>,
) -> Result<Json<TransferView>, ApiError> {
    Ok(Json(close_step(&state, &user, &id, Closing::Refuse, body.note.as_deref()).await?))
}

/// Withdraw a move the caller's side proposed.
#[utoipa::path(
    post, path = "/transfers/{id}/withdraw", tag = "transfers",
    params(("id" = String, Path)), request_body = TransferDecision,
    responses(
        (status = 200, body = TransferView), (status = 403, body = ErrorBody),
        (status = 404, description = "No such move in your jurisdiction", body = ErrorBody),
        (status = 409, description = "No longer open", body = ErrorBody),
    )
)]
async fn withdraw_transfer(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<TransferDecision>,
) -> Result<Json<TransferView>, ApiError> {
    Ok(Json(close_step(&state, &user, &id, Closing::Withdraw, body.note.as_deref()).await?))
}
