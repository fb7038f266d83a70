//! Assistance over HTTP (#13): services given and the ledger (台帐). Adapters over
//! [`crate::service::assistance`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Json;
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::service::assistance::{self as service, LedgerJson, NewServiceBody, ServiceJson};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(record_service)).routes(routes!(ledger))
}

/// Record a service given to the person (第八至十六条). It cites the article it delivers under the
/// policy in force on its day. A declined offer (`"outcome": "declined"`, with the person's reason
/// in `note`) is also a refusal of services (第六条第（二）项): it is logged as one, and when the
/// refusals reach the policy's threshold a revocation is proposed to the reviewer.
#[utoipa::path(
    post, path = "/persons/{id_number}/services", tag = "assistance",
    params(("id_number" = String, Path, description = "18-digit ID number")),
    request_body = NewServiceBody,
    responses(
        (status = 201, description = "Recorded", body = ServiceJson),
        (status = 403, description = "Your role does not record services", body = ErrorBody),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
        (status = 422, description = "Fields are wrong: `field` names the first, `errors` lists all", body = ErrorBody),
    )
)]
async fn record_service(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
    Json(body): Json<NewServiceBody>,
) -> Result<Response, ApiError> {
    let recorded = service::record_service(&state, &user, &id_number, body).await?;
    Ok((StatusCode::CREATED, Json(recorded)).into_response())
}

/// The person's ledger (台帐, 第十九条): every service and placement in date order, each with the
/// article it serves.
#[utoipa::path(
    get, path = "/persons/{id_number}/ledger", tag = "assistance",
    params(("id_number" = String, Path, description = "18-digit ID number")),
    responses(
        (status = 200, body = LedgerJson),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
    )
)]
async fn ledger(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
) -> Result<Json<LedgerJson>, ApiError> {
    Ok(Json(service::ledger_of(&state, &user, &id_number).await?))
}
