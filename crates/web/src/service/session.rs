//! Signing in and out. Failed sign-ins are counted per username, known or not: after five
//! within fifteen minutes the username answers 429 for fifteen minutes, whatever the password.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use yuanzhu_storage::{accounts, sessions};

use crate::auth::{COOKIE, stamp};
use crate::error::ApiError;
use crate::password;
use crate::state::AppState;

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

pub(crate) fn info(account: &accounts::Account, csrf_token: Option<String>, state: &AppState) -> SessionInfo {
    SessionInfo {
        username: account.username.clone(),
        role: account.role.code().to_owned(),
        unit: account.unit.to_string(),
        csrf_token,
        idle_timeout_seconds: state.config.session_idle_minutes * 60,
    }
}

pub(crate) fn bad_credentials() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "bad_credentials", "用户名或密码错误", "wrong username or password")
}

/// Whether the request reached us over TLS (directly configured, or said by the proxy).
pub(crate) fn secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

pub(crate) fn set_cookie(value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut c = format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie text is ASCII")
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
