//! Assistance over HTTP (#13): services given and the ledger (台帐). Adapters over
//! [`crate::service::assistance`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Json, Query};
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::service::assistance::{
    self as service, ActionChangeBody, FollowUpJson, FollowUpQueueJson, FollowUpQueueQuery, LedgerJson,
    NewFollowUpBody, NewPlanBody, NewServiceBody, PlanJson, PlansJson, ServiceJson, WithoutPlanQueueJson,
};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(record_service))
        .routes(routes!(ledger))
        .routes(routes!(make_plan, plans_of))
        .routes(routes!(change_action))
        .routes(routes!(record_follow_up))
        .routes(routes!(follow_up_queue))
        .routes(routes!(without_plan_queue))
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

/// Make the person's assistance plan (第十二条第（一）项 "制定有针对性的援助计划"): goals, actions
/// with due dates and owners, and a review date. A person has one active plan at a time.
#[utoipa::path(
    post, path = "/persons/{id_number}/plans", tag = "assistance",
    params(("id_number" = String, Path, description = "18-digit ID number")),
    request_body = NewPlanBody,
    responses(
        (status = 201, description = "Made", body = PlanJson),
        (status = 403, description = "Your role does not make plans", body = ErrorBody),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
        (status = 409, description = "The person has an active plan (`plan_active`)", body = ErrorBody),
        (status = 422, description = "Fields are wrong: `field` names the first (`actions[1].due`), `errors` lists all", body = ErrorBody),
    )
)]
async fn make_plan(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
    Json(body): Json<NewPlanBody>,
) -> Result<Response, ApiError> {
    let made = service::make_plan(&state, &user, &id_number, body).await?;
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

/// The person's assistance plans, newest first.
#[utoipa::path(
    get, path = "/persons/{id_number}/plans", tag = "assistance",
    params(("id_number" = String, Path, description = "18-digit ID number")),
    responses(
        (status = 200, body = PlansJson),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
    )
)]
async fn plans_of(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
) -> Result<Json<PlansJson>, ApiError> {
    Ok(Json(service::plans_of(&state, &user, &id_number).await?))
}

/// Change one action of a plan (by its `index`): done by a service record, rescheduled with a
/// reason, or dropped with a reason. Names the plan's `version`; a plan changed since is 409.
#[utoipa::path(
    post, path = "/plans/{id}/actions/{index}", tag = "assistance",
    params(("id" = String, Path, description = "The plan's id"), ("index" = usize, Path, description = "The action's place, from 0")),
    request_body = ActionChangeBody,
    responses(
        (status = 200, description = "Changed: the plan", body = PlanJson),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such plan or action in your jurisdiction", body = ErrorBody),
        (status = 409, description = "The plan changed since it was read", body = ErrorBody),
        (status = 422, description = "A reason or date is missing or wrong, or the action is closed", body = ErrorBody),
    )
)]
async fn change_action(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id, index)): Path<(String, usize)>,
    Json(body): Json<ActionChangeBody>,
) -> Result<Json<PlanJson>, ApiError> {
    Ok(Json(service::change_action(&state, &user, &id, index, body).await?))
}

/// Record a follow-up of one of the person's jobs (第十九条 跟踪回访): whether they are still in it,
/// how they were contacted, and what they need.
#[utoipa::path(
    post, path = "/persons/{id_number}/follow-ups", tag = "assistance",
    params(("id_number" = String, Path, description = "18-digit ID number")),
    request_body = NewFollowUpBody,
    responses(
        (status = 201, description = "Recorded", body = FollowUpJson),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
        (status = 409, description = "That follow-up of the job is recorded already (`follow_up_done`)", body = ErrorBody),
        (status = 422, description = "Fields are wrong: `field` names the first, `errors` lists all", body = ErrorBody),
    )
)]
async fn record_follow_up(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
    Json(body): Json<NewFollowUpBody>,
) -> Result<Response, ApiError> {
    let made = service::record_follow_up(&state, &user, &id_number, body).await?;
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

/// The follow-ups due before a day (today by default) of the persons you reach, soonest first;
/// ID numbers masked, as in every list.
#[utoipa::path(
    get, path = "/queues/follow-ups", tag = "assistance",
    params(FollowUpQueueQuery),
    responses(
        (status = 200, body = FollowUpQueueJson),
        (status = 422, description = "`due_before` is not a date", body = ErrorBody),
    )
)]
async fn follow_up_queue(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<FollowUpQueueQuery>,
) -> Result<Json<FollowUpQueueJson>, ApiError> {
    Ok(Json(service::follow_up_queue(&state, &user, query).await?))
}

/// The persons you reach who hold a hardship status (特困失业人员) and have no active assistance
/// plan: 第十二条第（一）项 asks for one for each. ID numbers masked, by ID number, at most 1,000.
#[utoipa::path(
    get, path = "/queues/without-plan", tag = "assistance",
    responses((status = 200, body = WithoutPlanQueueJson))
)]
async fn without_plan_queue(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<Json<WithoutPlanQueueJson>, ApiError> {
    Ok(Json(service::without_plan_queue(&state, &user).await?))
}
