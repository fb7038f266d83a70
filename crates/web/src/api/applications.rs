//! Applications for recognition (认定申请): the hardship application of 穗人社发〔2014〕4号 第五条
//! ("应向户籍所在街（镇）公共就业服务机构申办特困失业人员认定手续"), and the application of
//! 粤人社规〔2023〕11号 chapter 2. The state machine is the domain's
//! (`yuanzhu_domain::application`); every change names the version it was decided on, so two
//! caseworkers on one file cannot overwrite each other.
//!
//! Preparing the file (open, documents, commitments, submit, withdraw) is the caseworker's
//! ([`Action::PrepareApplication`]); reviewing it (deficiency notice, approve, reject) is the
//! street office's ([`Action::DecideApplication`]).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yuanzhu_domain::access::Action;
use yuanzhu_domain::application::{ApplicationCategory, CategoryError};
use yuanzhu_storage::applications::{self};

use super::{Json, Query};
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::service::applications::*;
use crate::service::common::{day_of, id_from_path};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_application))
        .routes(routes!(list_applications))
        .routes(routes!(get_application))
        .routes(routes!(provide_documents))
        .routes(routes!(accept_commitments))
        .routes(routes!(submit))
        .routes(routes!(serve_deficiency_notice))
        .routes(routes!(approve))
        .routes(routes!(reject))
        .routes(routes!(withdraw))
}

/// Open an application for recognition (第五条) for a registered person, as a draft at their
/// residence unit. The checklist of documents comes with it.
#[utoipa::path(
    post, path = "/persons/{id_number}/applications", tag = "applications",
    params(("id_number" = String, Path, description = "18-digit ID number")),
    request_body = NewApplication,
    responses(
        (status = 201, description = "Opened: a draft with its checklist", body = ApplicationJson),
        (status = 403, description = "Your role does not prepare applications", body = ErrorBody),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Already recognised in the category, or an undecided application for it exists", body = ErrorBody),
        (status = 422, description = "Unknown category or policy, or a category recognised automatically", body = ErrorBody),
    )
)]
async fn open_application(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
    Json(body): Json<NewApplication>,
) -> Result<Response, ApiError> {
    let id = id_from_path(&id_number)?;
    user.person(&state, id.as_str(), Action::PrepareApplication).await?;
    let on = day_of(state.clock().today(), body.on.as_deref())?;
    let code = body.category.trim();
    let policy = policy_for(&state.policies, body.policy.as_deref().map(str::trim), code, on)?;
    let category = ApplicationCategory::of_policy(policy, code).map_err(|e| {
        let code =
            if matches!(e, CategoryError::Automatic { .. }) { "recognised_automatically" } else { "unknown_category" };
        ApiError::localized(StatusCode::UNPROCESSABLE_ENTITY, code, Some(e.field()), |l| e.message(l))
    })?;
    let stored = applications::open(&state.store, id.as_str(), category, &user.account.username, on)
        .await
        .map_err(application_error)?;
    Ok((StatusCode::CREATED, Json(answer(&state, &user, &stored))).into_response())
}

/// One application.
#[utoipa::path(
    get, path = "/applications/{id}", tag = "applications",
    params(("id" = String, Path, description = "The application's id")),
    responses(
        (status = 200, body = ApplicationJson),
        (status = 404, description = "No such application in your jurisdiction", body = ErrorBody),
    )
)]
async fn get_application(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<ApplicationJson>, ApiError> {
    let stored = reachable(&state, &user, &id, Action::View).await?;
    Ok(Json(answer(&state, &user, &stored)))
}

/// Record documents received (in a draft, or after the one-time deficiency notice).
#[utoipa::path(
    post, path = "/applications/{id}/documents", tag = "applications",
    params(("id" = String, Path, description = "The application's id")),
    request_body = DocumentsBody,
    responses(
        (status = 200, description = "Recorded", body = ApplicationJson),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The application's state does not take documents, or the version is stale", body = ErrorBody),
        (status = 422, description = "A document is unknown or not on the checklist", body = ErrorBody),
    )
)]
async fn provide_documents(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<DocumentsBody>,
) -> Result<Json<ApplicationJson>, ApiError> {
    supply(&state, &user, &id, body, Supply::Paper).await.map(Json)
}

/// Record written commitments in place of proof (告知承诺制; gd-2023-11's category evidence only).
#[utoipa::path(
    post, path = "/applications/{id}/commitments", tag = "applications",
    params(("id" = String, Path, description = "The application's id")),
    request_body = DocumentsBody,
    responses(
        (status = 200, description = "Recorded", body = ApplicationJson),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, description = "A commitment cannot replace this document", body = ErrorBody),
    )
)]
async fn accept_commitments(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<DocumentsBody>,
) -> Result<Json<ApplicationJson>, ApiError> {
    supply(&state, &user, &id, body, Supply::Commitment).await.map(Json)
}

/// Hand the file in. With documents missing, this serves the one-time deficiency notice listing
/// everything missing, and the application waits for them (`deficient`).
#[utoipa::path(
    post, path = "/applications/{id}/submit", tag = "applications",
    params(("id" = String, Path, description = "The application's id")),
    request_body = StepBody,
    responses(
        (status = 200, description = "Submitted, or deficient with its notice", body = ApplicationJson),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed in this state, still incomplete after the notice, or a stale version", body = ErrorBody),
    )
)]
async fn submit(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<StepBody>,
) -> Result<Json<ApplicationJson>, ApiError> {
    step(&state, &user, &id, body, Step::Submit).await.map(Json)
}

/// Serve the one-time deficiency notice (一次性告知) on a submitted file: it lists the defective
/// documents and everything else missing. Only one notice is ever served on an application.
#[utoipa::path(
    post, path = "/applications/{id}/deficiency-notice", tag = "applications",
    params(("id" = String, Path, description = "The application's id")),
    request_body = DeficiencyBody,
    responses(
        (status = 200, description = "Served: the application is deficient", body = ApplicationJson),
        (status = 403, description = "Your role does not review applications", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not submitted, a notice was already served, or a stale version", body = ErrorBody),
        (status = 422, description = "Nothing is missing or defective, or a document is unknown", body = ErrorBody),
    )
)]
async fn serve_deficiency_notice(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<DeficiencyBody>,
) -> Result<Json<ApplicationJson>, ApiError> {
    crate::service::applications::serve_deficiency_notice(&state, &user, &id, body).await.map(Json)
}

/// Recognise the applicant: a submitted, complete file becomes approved and the category is
/// recognised from that day. Only what the rules grant: the policy in force on the day the
/// application was received, run on the person's facts as of that day; otherwise 422 with the
/// unmet conditions and their articles.
#[utoipa::path(
    post, path = "/applications/{id}/approve", tag = "applications",
    params(("id" = String, Path, description = "The application's id")),
    request_body = StepBody,
    responses(
        (status = 200, description = "Approved and recognised", body = ApplicationJson),
        (status = 403, description = "Your role does not decide applications", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not submitted, incomplete, or a stale version", body = ErrorBody),
        (status = 422, description = "The rules do not grant the category as of the day the application was received (`rules_not_met`), or its policy was not in force that day (`policy_not_in_force`)", body = ErrorBody),
    )
)]
async fn approve(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<StepBody>,
) -> Result<Json<ApplicationJson>, ApiError> {
    step(&state, &user, &id, body, Step::Approve).await.map(Json)
}

/// Refuse recognition and serve the refusal notice with its reason (from `submitted`, or from
/// `deficient` when the gaps were not filled).
#[utoipa::path(
    post, path = "/applications/{id}/reject", tag = "applications",
    params(("id" = String, Path, description = "The application's id")),
    request_body = RejectBody,
    responses(
        (status = 200, description = "Refused", body = ApplicationJson),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed in this state, or a stale version", body = ErrorBody),
        (status = 422, description = "The reason is blank", body = ErrorBody),
    )
)]
async fn reject(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<RejectBody>,
) -> Result<Json<ApplicationJson>, ApiError> {
    let stored = reject_application(&state, &user, &id, body).await?;
    Ok(Json(answer(&state, &user, &stored)))
}

/// The applicant withdraws, before a decision.
#[utoipa::path(
    post, path = "/applications/{id}/withdraw", tag = "applications",
    params(("id" = String, Path, description = "The application's id")),
    request_body = StepBody,
    responses(
        (status = 200, description = "Withdrawn", body = ApplicationJson),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Already decided or withdrawn, or a stale version", body = ErrorBody),
    )
)]
async fn withdraw(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<StepBody>,
) -> Result<Json<ApplicationJson>, ApiError> {
    step(&state, &user, &id, body, Step::Withdraw).await.map(Json)
}

/// The queue of applications made at your offices (第五条), as the `/applications` page shows it:
/// by `state` (undecided ones unless asked otherwise), newest first, a page at a time; those whose
/// applicant has moved out of your jurisdiction are left out. For the roles that prepare, decide
/// or oversee applications. With `waiting=documents` instead: the deficient applications within
/// your jurisdiction waiting for documents, longest wait first (any role).
#[utoipa::path(
    get, path = "/applications", tag = "applications",
    params(QueueQuery),
    responses(
        (status = 200, description = "A page of the queue; with `waiting=documents`, a list of the applications waiting for documents", body = ApplicationsAnswer),
        (status = 400, description = "`waiting` is not `documents`, or `page` is not a number", body = ErrorBody),
        (status = 403, description = "Your role does not work with applications", body = ErrorBody),
        (status = 422, description = "`state` is not a filter of the queue, or `page` is 0", body = ErrorBody),
    )
)]
async fn list_applications(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<QueueQuery>,
) -> Result<Json<ApplicationsAnswer>, ApiError> {
    if query.waiting.is_some() {
        return waiting_queue(&state, &user, &query).await.map(|w| Json(ApplicationsAnswer::Waiting(w)));
    }
    let filter = query.state.as_deref().map_or("open", str::trim);
    let Some(states) = states_of(filter) else {
        let shown: String = filter.chars().take(32).collect();
        return Err(ApiError::unprocessable(
            "unknown_state",
            Some("state"),
            format!("state（状态筛选）：没有“{shown}”这种筛选，应为 {} 之一", FILTERS.join("、")),
            format!("state: there is no filter `{shown}`; use one of {}", FILTERS.join(", ")),
        ));
    };
    let page = query.page.unwrap_or(1);
    if page == 0 {
        return Err(ApiError::unprocessable(
            "invalid_page",
            Some("page"),
            "page（页码）：页码从 1 开始",
            "page: pages start at 1",
        ));
    }
    let listed = queue_page(&state, &user, &states, page).await?;
    let today = state.clock().today();
    Ok(Json(ApplicationsAnswer::Page(ApplicationPageJson {
        state: filter.to_owned(),
        page,
        pages: listed.pages,
        per_page: PAGE_ROWS,
        total: listed.total,
        applications: listed.rows.into_iter().map(|(a, name)| ApplicationRowJson::of(&a, name, today)).collect(),
    })))
}
