//! Signing in and out from a browser: the same checks and throttling as `POST /api/v1/session`,
//! with the problems said in plain words next to the field they concern.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::{Ctx, OrPage, PageError, Visitor, form_token_ok, render, safe_path};
use crate::auth::Credential;
use crate::service::session::{authenticate, clear_cookie, open_session, session_cookie};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    ctx: &'a Ctx,
    next: String,
    username: String,
    /// Shown next to the username field.
    username_error: Option<String>,
    /// Shown next to the password field.
    password_error: Option<String>,
    /// Shown above the form (throttling, an ended session).
    notice: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    ended: Option<String>,
}

pub async fn form(Visitor(ctx): Visitor, Query(q): Query<LoginQuery>) -> Response {
    let next = safe_path(q.next.as_deref());
    if ctx.signed_in() {
        return Redirect::to(&next).into_response();
    }
    let notice = q.ended.is_some().then(|| ctx.t("login.expired").to_owned());
    let page =
        LoginPage { ctx: &ctx, next, username: String::new(), username_error: None, password_error: None, notice };
    render(&page, StatusCode::OK)
}

#[derive(Debug, serde::Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    Visitor(ctx): Visitor,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    let next = safe_path(f.next.as_deref());
    let mut page = LoginPage {
        ctx: &ctx,
        next: next.clone(),
        username: f.username.clone(),
        username_error: None,
        password_error: None,
        notice: None,
    };
    let pick = |e: &crate::error::ApiError| match ctx.lang {
        yuanzhu_rules::Lang::Zh => e.zh.clone(),
        yuanzhu_rules::Lang::En => e.en.clone(),
    };
    let account = match authenticate(&state, &f.username, f.password).await {
        Ok(Ok(account)) => account,
        Ok(Err(throttled)) => {
            let e = throttled.extensions().get::<crate::error::ApiError>().cloned();
            page.notice = e.as_ref().map(pick);
            return Ok(render(&page, StatusCode::TOO_MANY_REQUESTS));
        }
        Err(e) if e.field.as_deref() == Some("username") => {
            page.username_error = Some(pick(&e));
            return Ok(render(&page, e.status));
        }
        Err(e) if e.code == "bad_credentials" => {
            page.password_error = Some(ctx.t("login.bad_credentials").to_owned());
            return Ok(render(&page, StatusCode::UNAUTHORIZED));
        }
        Err(e) => return Err(ctx.page_error(e)),
    };
    let (secret, _csrf) = open_session(&state, &account).await.or_page(&ctx)?;
    let mut r = Redirect::to(&next).into_response();
    r.headers_mut().insert(header::SET_COOKIE, session_cookie(&state, &headers, &secret));
    Ok(r)
}

#[derive(Debug, serde::Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf_token: String,
}

pub async fn sign_out(
    State(state): State<AppState>,
    Visitor(ctx): Visitor,
    headers: HeaderMap,
    Form(f): Form<TokenForm>,
) -> Result<Response, PageError> {
    if let Some(crate::auth::AuthUser { credential: Credential::Session { secret, .. }, .. }) = &ctx.user {
        if !form_token_ok(&ctx, &f.csrf_token) {
            return Err(ctx.page_error(crate::auth::csrf_error()));
        }
        crate::auth::end_session(&state, secret).await.or_page(&ctx)?;
    }
    let mut r = Redirect::to("/login?ended=1").into_response();
    r.headers_mut().insert(header::SET_COOKIE, clear_cookie(&state, &headers));
    Ok(r)
}
