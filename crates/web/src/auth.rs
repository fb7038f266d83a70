//! Who is asking. A browser signs in for a session cookie; a state-changing request made with
//! that cookie must also carry the session's CSRF token in `X-CSRF-Token`, which another site's
//! page cannot read. A machine client sends `Authorization: Bearer TOKEN` instead, which no
//! browser attaches by itself, so it needs no CSRF token.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use chrono::{DateTime, Duration, Utc};
use yuanzhu_domain::access::{Action, PersonReach, Target, User};
use yuanzhu_storage::accounts::Account;
use yuanzhu_storage::{search, sessions};

use crate::error::ApiError;
use crate::state::AppState;

/// The session cookie's name.
pub const COOKIE: &str = "yz_session";
/// How often a session's last-seen time is written at most, whatever the idle limit: a busy
/// user's every click need not be a write.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// How stale the written last-seen time may grow before a request writes it again: a tenth of the
/// idle limit, and at most [`TOUCH_EVERY_SECONDS`]. Every request thereby extends the idle
/// window, and an idle session ends between nine tenths of the limit and the limit after its last
/// request. With `session_idle_minutes = 1` the time is written at most every 6 seconds, so a
/// request every 20 seconds keeps the session; with 30 minutes, at most once a minute.
fn touch_every(idle: Duration) -> Duration {
    (idle / 10).min(Duration::seconds(TOUCH_EVERY_SECONDS))
}

/// How a request proved who it is.
#[derive(Debug, Clone)]
pub enum Credential {
    Session { secret: String, csrf_token: String },
    Token,
}

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub account: Account,
    pub user: User,
    pub credential: Credential,
}

/// Timestamps as the store keeps them (ISO-8601 UTC, microseconds), which sort as text.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn parse_stamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}

/// The value of the cookie `name`, if the request has it.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        authenticate(parts, state, true).await
    }
}

/// The user of a request, by bearer token or session cookie. With `check_csrf`, a
/// state-changing request made with the cookie must carry the session's token in
/// `X-CSRF-Token`; the HTML pages check the token of their forms instead.
pub async fn authenticate(parts: &Parts, state: &AppState, check_csrf: bool) -> Result<AuthUser, ApiError> {
    let now = Utc::now();
    if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
        let token = auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
        let Some(token) = token.filter(|t| !t.is_empty()) else { return Err(ApiError::unauthenticated()) };
        let account = match state.credentials.token(token) {
            Some(account) => account,
            None => {
                let account = sessions::token_account(&state.store, token, &stamp(now))
                    .await?
                    .ok_or_else(ApiError::unauthenticated)?;
                state.credentials.keep_token(token, account.clone());
                account
            }
        };
        return Ok(AuthUser { user: account.user(), account, credential: Credential::Token });
    }
    let secret = cookie(parts, COOKIE).ok_or_else(ApiError::unauthenticated)?.to_owned();
    let idle = Duration::minutes(state.config.session_idle_minutes);
    let expired = |session: &sessions::Session| {
        let last_seen = parse_stamp(&session.last_seen_at).unwrap_or(now);
        let absolute = parse_stamp(&session.absolute_expires_at).unwrap_or(now);
        last_seen + idle <= now || absolute <= now
    };
    let cached = state.credentials.session(&secret);
    // A remembered copy that looks expired may predate another server's record of activity: only
    // the database's says the session has ended.
    let mut session = match cached.filter(|s| !expired(s)) {
        Some(session) => session,
        None => {
            let session = sessions::lookup(&state.store, &secret).await?.ok_or_else(ApiError::unauthenticated)?;
            state.credentials.keep_session(&secret, session.clone());
            session
        }
    };
    let last_seen = parse_stamp(&session.last_seen_at).unwrap_or(now);
    if expired(&session) {
        end_session(state, &secret).await?;
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "session_expired",
            "登录已过期，请重新登录",
            "the session has expired: sign in again",
        ));
    }
    if check_csrf && changes_state(&parts.method) {
        let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
        if !crate::password::same(sent, &session.csrf_token) {
            return Err(csrf_error().field("X-CSRF-Token"));
        }
    }
    if now - last_seen >= touch_every(idle) {
        sessions::touch(&state.store, &secret, &stamp(now)).await?;
        session.last_seen_at = stamp(now);
        state.credentials.keep_session(&secret, session.clone());
    }
    Ok(AuthUser {
        user: session.account.user(),
        account: session.account,
        credential: Credential::Session { secret, csrf_token: session.csrf_token },
    })
}

/// Ends a session here and in the database.
pub async fn end_session(state: &AppState, secret: &str) -> Result<(), ApiError> {
    state.credentials.end_session(secret);
    sessions::delete(&state.store, secret).await?;
    Ok(())
}

/// A state-changing request without the session's CSRF token.
pub fn csrf_error() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "csrf",
        "缺少或错误的 X-CSRF-Token：请使用登录时返回的令牌",
        "missing or wrong X-CSRF-Token: send the token returned at sign-in",
    )
}

impl AuthUser {
    /// Refuses with 403 unless the role allows the action somewhere.
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        if yuanzhu_domain::access::role_allows(self.user.role, action) { Ok(()) } else { Err(ApiError::forbidden()) }
    }

    /// The person with this ID number if the user reaches them, else 404 (whether or not the
    /// person exists). Then 403 if the role does not allow `action` on them.
    pub async fn person(&self, state: &AppState, id_number: &str, action: Action) -> Result<search::Reach, ApiError> {
        let reach = search::reach(&state.store, id_number, &self.account.id).await?.ok_or_else(ApiError::not_found)?;
        let target = Target::Person(PersonReach {
            residence_unit: &reach.residence_unit,
            hukou_unit: reach.hukou_unit.as_ref(),
            assigned_to_user: reach.assigned_to_user,
        });
        if !self.user.reaches(target) {
            return Err(ApiError::not_found());
        }
        self.require(action)?;
        Ok(reach)
    }

    /// Refuses with 403 unless the action is allowed on the unit's subtree.
    pub fn unit(&self, unit: &yuanzhu_domain::UnitCode, action: Action) -> Result<(), ApiError> {
        self.require(action)?;
        if self.user.reaches(Target::Unit(unit)) {
            Ok(())
        } else {
            let args: [crate::words::Arg; 1] = [("unit", &unit)];
            Err(ApiError::said(StatusCode::FORBIDDEN, "outside_jurisdiction", "outside_jurisdiction.unit", &args)
                .field("residence_unit"))
        }
    }
}
