//! Administration: accounts (a city admin's work), social-worker assignments (第十三条), the
//! reassessment run, verification of the audit chain, and the queue of possible duplicates.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yuanzhu_domain::access::{Action, mask_id_number, role_allows};
use yuanzhu_storage::accounts::{self};
use yuanzhu_storage::audit::{self, Verdict};
use yuanzhu_storage::{reassess, revocations, sessions};

use super::Json;
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::service::admin::*;
use crate::service::common::id_from_path;
use crate::service::households::date_field;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(reset_password))
        .routes(routes!(assign))
        .routes(routes!(unassign))
        .routes(routes!(run_reassessment))
        .routes(routes!(verify_audit))
        .routes(routes!(duplicate_queue))
        .routes(routes!(decide_duplicate))
}

/// The accounts of the caller's jurisdiction, by username.
#[utoipa::path(
    get, path = "/users", tag = "admin",
    responses((status = 200, body = Vec<UserView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
async fn list_users(State(state): State<AppState>, user: AuthUser) -> Result<Json<Vec<UserView>>, ApiError> {
    user.require(Action::ManageUsers)?;
    let list = accounts::list(&state.store, user.user.unit.as_str()).await?;
    Ok(Json(list.into_iter().map(UserView::from).collect()))
}

/// Create an account. The role must fit the unit's level (a street officer at a street…).
#[utoipa::path(
    post, path = "/users", tag = "admin",
    request_body = NewUser,
    responses(
        (status = 201, body = UserView),
        (status = 403, body = ErrorBody),
        (status = 409, description = "The username is taken", body = ErrorBody),
        (status = 422, description = "A field is wrong: `field` names it", body = ErrorBody),
    )
)]
async fn create_user(
    State(state): State<AppState>,
    user: AuthUser,
    Json(new): Json<NewUser>,
) -> Result<Response, ApiError> {
    let made = crate::service::admin::create_user(&state, &user, new).await?;
    Ok((StatusCode::CREATED, Json(made)).into_response())
}

/// Disable an account: its sessions end and its API tokens are revoked at once.
#[utoipa::path(
    post, path = "/users/{username}/disable", tag = "admin",
    params(("username" = String, Path)),
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
async fn disable_user(
    State(state): State<AppState>,
    user: AuthUser,
    Path(username): Path<String>,
) -> Result<Json<UserView>, ApiError> {
    set_disabled(&state, &user, &username, true).await.map(Json)
}

/// Enable a disabled account. Its user signs in again; revoked tokens stay revoked.
#[utoipa::path(
    post, path = "/users/{username}/enable", tag = "admin",
    params(("username" = String, Path)),
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
async fn enable_user(
    State(state): State<AppState>,
    user: AuthUser,
    Path(username): Path<String>,
) -> Result<Json<UserView>, ApiError> {
    set_disabled(&state, &user, &username, false).await.map(Json)
}

/// Set a new password for an account; its sessions end.
#[utoipa::path(
    put, path = "/users/{username}/password", tag = "admin",
    params(("username" = String, Path)),
    request_body = NewPassword,
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
async fn reset_password(
    State(state): State<AppState>,
    user: AuthUser,
    Path(username): Path<String>,
    Json(body): Json<NewPassword>,
) -> Result<Json<UserView>, ApiError> {
    crate::service::admin::reset_password(&state, &user, &username, body).await.map(Json)
}

/// Assign a person to a social worker, who from then on reaches their file (第十三条).
/// Assigning again changes nothing.
#[utoipa::path(
    post, path = "/persons/{id_number}/assignments", tag = "admin",
    params(("id_number" = String, Path)),
    request_body = AssignmentRequest,
    responses(
        (status = 200, body = Assignment),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such person in your jurisdiction, or no such account", body = ErrorBody),
        (status = 422, description = "The account is not a social worker", body = ErrorBody),
    )
)]
async fn assign(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
    Json(body): Json<AssignmentRequest>,
) -> Result<Json<Assignment>, ApiError> {
    let id = id_from_path(&id_number)?;
    user.person(&state, id.as_str(), Action::AssignSocialWorker).await?;
    let today = state.clock().today();
    sessions::assign(&state.store, id.as_str(), &body.username, &user.account.username, today)
        .await
        .map_err(account_error)?;
    Ok(Json(Assignment {
        id_number: id.as_str().to_owned(),
        social_worker: body.username.trim().to_lowercase(),
        assigned_on: today.to_string(),
    }))
}

/// End a social worker's assignment to a person. Ending one that does not exist changes nothing.
#[utoipa::path(
    delete, path = "/persons/{id_number}/assignments/{username}", tag = "admin",
    params(("id_number" = String, Path), ("username" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
async fn unassign(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id_number, username)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = id_from_path(&id_number)?;
    user.person(&state, id.as_str(), Action::AssignSocialWorker).await?;
    sessions::unassign(&state.store, id.as_str(), &username, &user.account.username).await.map_err(account_error)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reassess the whole registry as of a date, then propose revocations for lost contact.
///
/// The run covers every person: storage reassesses the registry as one resumable sweep and
/// cannot yet limit it to a subtree, so only a user whose unit is the city (a city admin, or a
/// supervisor at the city) may start it; a district supervisor gets 403 `whole_registry_only`.
/// The request answers when the run ends.
#[utoipa::path(
    post, path = "/reassess", tag = "admin",
    request_body = ReassessRequest,
    responses(
        (status = 200, body = ReassessSummary),
        (status = 403, body = ErrorBody),
        (status = 422, description = "`on` is not a date, or `policy` is unknown or none is in force", body = ErrorBody),
    )
)]
async fn run_reassessment(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<ReassessRequest>,
) -> Result<Json<ReassessSummary>, ApiError> {
    user.require(Action::Reassess)?;
    if !is_city(&user.user.unit) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "whole_registry_only",
            "重新评估一次覆盖全市登记，只能由市级账号发起",
            "a reassessment covers the whole registry, so only an account at the city may start it",
        ));
    }
    let on = match &body.on {
        Some(text) => date_field(text, "on")?,
        None => state.clock().today(),
    };
    let policy = match &body.policy {
        Some(id) => state.policies.by_id(id.trim()).ok_or_else(|| {
            ApiError::unprocessable(
                "unknown_policy",
                Some("policy"),
                format!("policy（政策）：没有政策“{id}”"),
                format!("policy: unknown policy `{id}`"),
            )
        })?,
        None => state.policies.in_force_on(on).ok_or_else(|| {
            ApiError::unprocessable(
                "no_policy_in_force",
                Some("on"),
                format!("on（日期）：{on} 没有生效的政策，请用 policy 指定"),
                format!("on: no policy is in force on {on}: name one with `policy`"),
            )
        })?,
    };
    let actor = &user.account.username;
    let s = reassess::run(&state.store, policy, on, actor, reassess::PAGE, |_, _| true).await?;
    let sweep = revocations::propose_unreachable(&state.store, policy, on, actor)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(ReassessSummary {
        as_of: s.as_of,
        policy: s.policy,
        resumed: s.resumed,
        assessed: s.assessed,
        changed: s.changed,
        became_eligible: s.became_eligible,
        became_ineligible: s.became_ineligible,
        entered: s.entered,
        left: s.left,
        reached_retirement: s.reached_retirement,
        recognised: s.recognised,
        recognitions_ended: s.recognitions_ended,
        revocation_proposals: LostContactSweep { lost_contact: sweep.proposed.len(), already_open: sweep.already_open },
    }))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct VerifyQuery {
    /// `SEQ:HASH` of a head seen earlier: the chain must still hold that event with that hash
    /// (it may have grown since).
    pub expect_head: Option<String>,
}

/// Verify the audit chain, and report its head; with `expect_head`, also that the chain still
/// holds that earlier head.
#[utoipa::path(
    get, path = "/audit/verify", tag = "admin",
    params(VerifyQuery),
    responses(
        (status = 200, body = AuditVerdict),
        (status = 403, body = ErrorBody),
        (status = 422, description = "`expect_head` is not `SEQ:HASH`", body = ErrorBody),
    )
)]
async fn verify_audit(
    State(state): State<AppState>,
    user: AuthUser,
    super::Query(query): super::Query<VerifyQuery>,
) -> Result<Json<AuditVerdict>, ApiError> {
    user.require(Action::VerifyAudit)?;
    let expected = match query.expect_head.as_deref() {
        None => None,
        Some(text) => Some(text.parse::<audit::Head>().map_err(|e| {
            let shown: String = text.chars().take(80).collect();
            ApiError::unprocessable(
                "invalid_head",
                Some("expect_head"),
                format!("expect_head（审计链头）：“{shown}”应为“序号:哈希值”（{e}）"),
                format!("expect_head: `{shown}` should be SEQ:HASH ({e})"),
            )
        })?),
    };
    let broken = |seq, reason| AuditVerdict {
        intact: false,
        events: None,
        head: None,
        broken_at: Some(seq),
        reason: Some(reason),
    };
    let (verdict, head) = audit::verify_with_head(&state.store).await?;
    let events = match verdict {
        Verdict::Intact { events } => events,
        Verdict::Broken { seq, reason } => return Ok(Json(broken(seq, reason))),
    };
    if let Some(expected) = &expected
        && let Verdict::Broken { seq, reason } = audit::verify_against(&state.store, expected).await?
    {
        return Ok(Json(broken(seq, reason)));
    }
    Ok(Json(AuditVerdict {
        intact: true,
        events: Some(events),
        head: Some(AuditHead { text: head.to_string(), seq: head.seq, hash: head.hash }),
        broken_at: None,
        reason: None,
    }))
}

/// The queue of possible duplicates within the caller's jurisdiction.
#[utoipa::path(
    get, path = "/duplicates", tag = "admin",
    responses((status = 200, body = Vec<DuplicateFlag>), (status = 403, body = ErrorBody))
)]
async fn duplicate_queue(State(state): State<AppState>, user: AuthUser) -> Result<Json<Vec<DuplicateFlag>>, ApiError> {
    user.require(Action::DecideDuplicate)?;
    let full = role_allows(user.user.role, Action::ViewIdentity);
    let shown = |id: String| if full { id } else { mask_id_number(&id) };
    Ok(Json(
        flags_in_reach(&state, &user, 1000)
            .await?
            .into_iter()
            .map(|f| f.flag)
            .map(|f| DuplicateFlag {
                id: f.id,
                name: f.name,
                birth_date: f.birth_date,
                id_number_a: shown(f.id_number_a),
                id_number_b: shown(f.id_number_b),
                state: f.state,
            })
            .collect(),
    ))
}

/// Decide a possible duplicate. A flag already decided, or outside the caller's jurisdiction, is
/// 404.
#[utoipa::path(
    post, path = "/duplicates/{id}/decision", tag = "admin",
    params(("id" = String, Path)),
    request_body = DuplicateDecision,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
async fn decide_duplicate(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<DuplicateDecision>,
) -> Result<StatusCode, ApiError> {
    user.require(Action::DecideDuplicate)?;
    decide_flag(&state, &user, &id, body.same_person).await?;
    Ok(StatusCode::NO_CONTENT)
}
