//! Persons: search within the caller's jurisdiction (masked), the person's file (一人一档, 第十九条),
//! and registration with automatic recognition (第四条).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yuanzhu_domain::access::{Action, mask_id_number, mask_phone};
use yuanzhu_storage::search::{self, Scope};
use yuanzhu_storage::views::View;

use super::{Json, Query};
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::service::common::id_from_path;
use crate::service::person_file::{self, WholeFile};
use crate::service::persons::*;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search_persons, register)).routes(routes!(person_file))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// An ID number (18 or 15 digits), a phone number, four or more digits (how a phone number
    /// or an ID number ends, X included, or how an ID number starts), or a name or part of one
    /// (a given name, 测试 in 甲测试).
    pub q: String,
    /// At most this many results (default 20, at most 100).
    pub limit: Option<u32>,
}

/// Search persons within the caller's jurisdiction.
///
/// Whole ID and phone numbers first, then a name itself, the names that start with the query
/// and those that hold it (a given name); for digits, the phone and ID numbers that end with
/// them, then the ID numbers that start with them. The body is the page of hits, as it always
/// was; the header `X-More-Results: true` says that more persons within the caller's
/// jurisdiction match, and the query should be more complete.
#[utoipa::path(
    get, path = "/persons", tag = "persons",
    params(SearchQuery),
    responses(
        (status = 200, body = Vec<PersonHit>, headers(
            ("X-More-Results" = String, description = "`true` when more persons within the caller's jurisdiction match than the page holds, else `false`")
        )),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody)
    )
)]
async fn search_persons(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<SearchQuery>,
) -> Result<([(&'static str, &'static str); 1], Json<Vec<PersonHit>>), ApiError> {
    user.require(Action::View)?;
    if query.q.chars().count() > 64 {
        return Err(ApiError::bad_request(
            "too_long",
            Some("q"),
            "查询内容过长（最多64个字符）",
            "the query is too long (64 characters at most)",
        ));
    }
    if query.q.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "invalid_query",
            Some("q"),
            "查询内容含有控制字符",
            "the query holds a control character",
        ));
    }
    let scope = match user.user.unit_prefix() {
        Some(prefix) => Scope::Units(prefix),
        None => Scope::AssignedTo(&user.account.id),
    };
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    let found = search::find(&state.store, &query.q, scope, limit).await?;
    let more = [(MORE_RESULTS, if found.more { "true" } else { "false" })];
    Ok((
        more,
        Json(
            found
                .hits
                .into_iter()
                .map(|h| PersonHit {
                    id_number: mask_id_number(&h.id_number),
                    name: h.name,
                    sex: h.sex,
                    birth_date: h.birth_date,
                    phone: h.phone.as_deref().map(mask_phone),
                    residence_unit: h.residence_unit,
                    categories: h.categories,
                })
                .collect(),
        ),
    ))
}

/// The person's file. Full ID and phone numbers only for the roles that need them; every
/// opening is recorded in the audit trail.
#[utoipa::path(
    get, path = "/persons/{id_number}", tag = "persons",
    params(("id_number" = String, Path, description = "18-digit ID number (a 15-digit one is upgraded)")),
    responses((status = 200, body = WholeFile), (status = 404, description = "No such person in your jurisdiction", body = ErrorBody))
)]
async fn person_file(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = id_from_path(&id_number)?;
    let reach = user.person(&state, id.as_str(), Action::View).await?;
    let viewed = state.views.enqueue(View { person_id: reach.person_id, actor: user.account.username.clone() }).await?;
    let file = person_file::load(&state, &user, id.as_str()).await?.ok_or_else(ApiError::not_found)?;
    let file = shown(&user, &file)?;
    viewed.committed().await?;
    Ok(Json(file))
}

/// Register a person, or record a new unemployment registration of a known one, or correct a
/// known person's record. Categories that 第四条 recognises automatically are recognised under the
/// policy in force on `registered_on`.
///
/// A key left out leaves that part of a known person's record as it is; `null` or `""` clears it.
/// A change to a known person must carry `version`, the version of the file it was based on
/// (`version` in the file): without it the answer is 409 `version_required`, and with an older one
/// 409 `conflict` (reload the file and make the change again). A new registration needs none.
/// A known person outside the caller's jurisdiction answers 404, as any person out of reach does,
/// and nothing is read or written; moving a person to another unit is a transfer
/// (`POST /persons/{id_number}/transfers`), never a registration (409 `transfer_required`).
/// Every wrong field is listed in `errors`, the first also as the error itself.
#[utoipa::path(
    post, path = "/persons", tag = "persons",
    request_body = NewRegistration,
    responses(
        (status = 200, description = "A known person's registration or correction: the file", body = WholeFile),
        (status = 201, description = "Registered: the file, with its recognitions", body = WholeFile),
        (status = 403, description = "The unit is outside your jurisdiction, or your role does not register", body = ErrorBody),
        (status = 404, description = "The ID number belongs to a person outside your jurisdiction", body = ErrorBody),
        (status = 409, description = "`version` missing or stale, or a move of residence (`transfer_required`)", body = ErrorBody),
        (status = 422, description = "Fields are wrong: `field` names the first, `errors` lists all", body = ErrorBody),
    )
)]
async fn register(
    State(state): State<AppState>,
    user: AuthUser,
    Json(NewRegistration(body)): Json<NewRegistration>,
) -> Result<Response, ApiError> {
    let registered = register_one(&state, &user, body).await?;
    let id = registered.registration.id_number.as_str();
    let file =
        person_file::load(&state, &user, id).await?.ok_or_else(|| ApiError::internal("registered person vanished"))?;
    let status = if registered.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(shown(&user, &file)?)).into_response())
}

/// The file as the API shows it to `user`: ID and phone numbers masked wherever they appear
/// (the timeline's before and after included) for the roles that do not see identities.
fn shown(user: &AuthUser, file: &WholeFile) -> Result<Value, ApiError> {
    let mut value = serde_json::to_value(file).map_err(ApiError::internal)?;
    if !yuanzhu_domain::access::role_allows(user.user.role, Action::ViewIdentity) {
        mask_identities(&mut value);
    }
    Ok(value)
}
