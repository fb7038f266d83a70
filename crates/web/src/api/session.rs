//! Signing in and out. Failed sign-ins are counted per username, known or not: after five
//! within fifteen minutes the username answers 429 for fifteen minutes, whatever the password.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yuanzhu_storage::{accounts, sessions};

use super::Json;
use crate::auth::{AuthUser, COOKIE, Credential, stamp};
use crate::error::ApiError;
use crate::password;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sign_in, sign_out, whoami))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// The signed-in user, and the token to send as `X-CSRF-Token` with state-changing requests.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    pub username: String,
    /// `city_admin`, `district_supervisor`, `street_officer`, `community_worker`,
    /// `hotline_operator`, `social_worker` or `auditor`.
    pub role: String,
    pub unit: String,
    /// Present right after sign-in, and for a session cookie.
    pub csrf_token: Option<String>,
    pub idle_timeout_seconds: i64,
}

fn info(account: &accounts::Account, csrf_token: Option<String>, state: &AppState) -> SessionInfo {
    SessionInfo {
        username: account.username.clone(),
        role: account.role.code().to_owned(),
        unit: account.unit.to_string(),
        csrf_token,
        idle_timeout_seconds: state.config.session_idle_minutes * 60,
    }
}

fn bad_credentials() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "bad_credentials", "用户名或密码错误", "wrong username or password")
}

/// Whether the request reached us over TLS (directly configured, or said by the proxy).
fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

fn set_cookie(value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie text is ASCII")
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

/// Checks a username and password, counting failures per username: the account, or the 429
/// answer of a throttled username. Shared by the API and the sign-in page.
pub(crate) async fn authenticate(
    state: &AppState,
    username: &str,
    password: String,
) -> Result<Result<accounts::Account, Response>, ApiError> {
    let username = username.trim().to_lowercase();
    if username.is_empty() || username.chars().count() > 64 {
        return Err(ApiError::bad_request("invalid_username", Some("username"), "请输入用户名", "enter a username"));
    }
    let now = Utc::now();
    if let Some(until) = sessions::locked_until(&state.store, &username, now).await? {
        let seconds = (until - now).num_seconds().max(1);
        let minutes = (seconds + 59) / 60;
        let mut r = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            format!("登录失败次数过多，请在{minutes}分钟后再试"),
            format!("too many failed sign-ins: try again in {minutes} minutes"),
        )
        .into_response();
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        return Ok(Err(r));
    }
    let found = accounts::by_username(&state.store, &username).await?;
    let (hash, account) = match found {
        Some((account, hash)) if !account.disabled => (hash, Some(account)),
        _ => (password::decoy_hash().to_owned(), None),
    };
    let matches = password::verify(hash, password).await;
    let Some(account) = account.filter(|_| matches) else {
        sessions::record_failure(&state.store, &username, now).await?;
        return Err(bad_credentials());
    };
    sessions::clear_failures(&state.store, &username).await?;
    Ok(Ok(account))
}

/// Opens a session for the account: its secret (for the cookie) and its CSRF token.
pub(crate) async fn open_session(state: &AppState, account: &accounts::Account) -> Result<(String, String), ApiError> {
    let secret = password::secret();
    let csrf = password::secret();
    let absolute = Utc::now() + Duration::hours(state.config.session_absolute_hours);
    sessions::create(&state.store, &account.id, &secret, &csrf, &stamp(absolute)).await?;
    tracing::info!(username = %account.username, role = %account.role, "signed in");
    Ok((secret, csrf))
}

/// The `Set-Cookie` value of a new session.
pub(crate) fn session_cookie(state: &AppState, headers: &HeaderMap, secret: &str) -> HeaderValue {
    set_cookie(secret, Some(state.config.session_absolute_hours * 3600), secure(state, headers))
}

/// The `Set-Cookie` value that removes the session cookie.
pub(crate) fn clear_cookie(state: &AppState, headers: &HeaderMap) -> HeaderValue {
    set_cookie("", Some(0), secure(state, headers))
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
