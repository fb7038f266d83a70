//! Signing in and out. Failed sign-ins are counted per username, known or not: after five
//! within fifteen minutes the username answers 429 for fifteen minutes, whatever the password.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Json;
use crate::auth::{AuthUser, Credential};
use crate::error::ApiError;
use crate::service::session::*;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sign_in, sign_out, whoami))
}

/// Sign in.
#[utoipa::path(
    post, path = "/session", tag = "session",
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in: a session cookie is set", body = SessionInfo),
        (status = 401, description = "Wrong username or password", body = crate::error::ErrorBody),
        (status = 429, description = "Too many failed sign-ins: try again later", body = crate::error::ErrorBody),
    )
)]
async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(c): Json<Credentials>,
) -> Result<Response, ApiError> {
    let account = match authenticate(&state, &c.username, c.password).await? {
        Ok(account) => account,
        Err(throttled) => return Ok(throttled),
    };
    let (secret, csrf) = open_session(&state, &account).await?;
    let mut response = Json(info(&account, Some(csrf), &state)).into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(&state, &headers, &secret));
    Ok(response)
}

/// Sign out: ends the session and clears its cookie.
#[utoipa::path(
    delete, path = "/session", tag = "session",
    params(("X-CSRF-Token" = String, Header, description = "The token returned at sign-in")),
    responses((status = 204, description = "Signed out"), (status = 401, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody))
)]
async fn sign_out(State(state): State<AppState>, headers: HeaderMap, user: AuthUser) -> Result<Response, ApiError> {
    if let Credential::Session { secret, .. } = &user.credential {
        crate::auth::end_session(&state, secret).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, clear_cookie(&state, &headers));
    Ok(response)
}

/// Who is signed in.
#[utoipa::path(
    get, path = "/session", tag = "session",
    responses((status = 200, body = SessionInfo), (status = 401, body = crate::error::ErrorBody))
)]
async fn whoami(State(state): State<AppState>, user: AuthUser) -> Json<SessionInfo> {
    let csrf = match user.credential {
        Credential::Session { csrf_token, .. } => Some(csrf_token),
        Credential::Token => None,
    };
    Json(info(&user.account, csrf, &state))
}
