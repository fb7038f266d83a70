//! The caseworkers' pages: server-rendered HTML (askama) on the same port as the API. Forms work
//! without scripting; a page's small script only improves it. Chinese first, English one click
//! away (remembered in a cookie). Pages reuse the API's checks: the same sessions, the same
//! jurisdiction (404 outside it), the same storage calls.

mod admin;
mod applications;
mod employment;
mod home;
mod households;
pub mod i18n;
mod pages;
mod register;
mod revocations;
mod sign_in;
mod transfer;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use yuanzhu_domain::access::{Action, role_allows};
use yuanzhu_rules::Lang;

use crate::auth::{AuthUser, Credential, authenticate, cookie};
use crate::error::{ApiError, lang_of};
use crate::state::AppState;

/// The cookie that remembers the chosen language.
const LANG_COOKIE: &str = "yz_lang";

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(register::router())
        .merge(applications::router())
        .merge(revocations::router())
        .merge(transfer::router())
        .merge(admin::router())
        .merge(employment::router())
        .merge(households::router())
        .route("/login", get(sign_in::form).post(sign_in::submit))
        .route("/logout", axum::routing::post(sign_in::sign_out))
        .route("/lang/{code}", get(switch_language))
        .route("/search", get(pages::search))
        .route("/p/{person_id}", get(pages::person_file))
        .route("/assets/app.css", get(stylesheet))
        .route("/assets/app.js", get(script))
}

/// What every page knows: the language, the signed-in user and their form token, and where the
/// page is (for the language switch).
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<AuthUser>,
    pub csrf: String,
    pub path: String,
    pub policies: std::sync::Arc<yuanzhu_rules::PolicySet>,
}

impl Ctx {
    /// A category's name in the page's language, from the policy that defines it.
    pub fn category(&self, code: &str) -> String {
        let found = self.policies.policies().iter().flat_map(|p| p.categories.iter()).find(|c| c.code == code);
        match (found, self.lang) {
            (Some(c), Lang::Zh) => c.name.clone(),
            (Some(c), Lang::En) => c.name_en.clone(),
            (None, _) => code.to_owned(),
        }
    }

    pub fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }

    /// The `lang` attribute of the page.
    pub fn html_lang(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The code of the other language, for the switch.
    pub fn other_lang(&self) -> &'static str {
        match self.lang {
            Lang::Zh => "en",
            Lang::En => "zh",
        }
    }

    /// A date (`YYYY-MM-DD…`) as the language writes it: 2016年6月1日, 1 Jun 2016.
    pub fn date(&self, iso: &str) -> String {
        let d = iso.get(..10).and_then(|d| yuanzhu_rules::Date::parse(d).ok());
        let Some(d) = d else { return iso.to_owned() };
        match self.lang {
            Lang::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
            Lang::En => {
                const MONTHS: [&str; 12] =
                    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
                format!("{} {} {}", d.day(), MONTHS[d.month() as usize - 1], d.year())
            }
        }
    }

    /// A timestamp (`YYYY-MM-DDTHH:MM…Z`) as a date and the minute.
    pub fn when(&self, iso: &str) -> String {
        let time = iso.get(11..16).unwrap_or("");
        format!("{} {time}", self.date(iso))
    }

    /// A count with thousands separated.
    pub fn num(&self, n: &i64) -> String {
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        if *n < 0 { format!("-{out}") } else { out }
    }

    pub fn signed_in(&self) -> bool {
        self.user.is_some()
    }

    pub fn username(&self) -> &str {
        self.user.as_ref().map_or("", |u| u.account.username.as_str())
    }

    pub fn unit(&self) -> String {
        self.user.as_ref().map_or_else(String::new, |u| u.account.unit.to_string())
    }

    pub fn role_name(&self) -> &'static str {
        match &self.user {
            Some(u) => self.t(&format!("role.{}", u.account.role.code())),
            None => "",
        }
    }

    /// Whether the user's role allows an action (by its name in [`action_of`]): pages show
    /// only the actions open to the user.
    pub fn may(&self, action: &str) -> bool {
        self.user.as_ref().is_some_and(|u| action_of(action).is_some_and(|a| role_allows(u.user.role, a)))
    }

    /// A code shown through the table, e.g. `sex.female`; unknown codes show as themselves.
    pub fn label(&self, prefix: &str, code: &str) -> String {
        let key = format!("{prefix}.{code}");
        if i18n::has(&key) { self.t(&key).to_owned() } else { code.to_owned() }
    }
}

/// The actions pages ask about by name.
fn action_of(name: &str) -> Option<Action> {
    Some(match name {
        "view_identity" => Action::ViewIdentity,
        "register" => Action::Register,
        "log_contact" => Action::LogContact,
        "prepare_application" => Action::PrepareApplication,
        "decide_application" => Action::DecideApplication,
        "propose_revocation" => Action::ProposeRevocation,
        "decide_revocation" => Action::DecideRevocation,
        "reassess" => Action::Reassess,
        "export" => Action::Export,
        "verify_audit" => Action::VerifyAudit,
        "manage_users" => Action::ManageUsers,
        _ => return None,
    })
}

/// The language of a request: the remembered choice, else `Accept-Language`.
pub fn lang_of_request(headers: &HeaderMap) -> Lang {
    let remembered = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == LANG_COOKIE)
        .map(|(_, v)| v);
    match remembered {
        Some("en") => Lang::En,
        Some("zh") => Lang::Zh,
        _ => lang_of(headers.get(header::ACCEPT_LANGUAGE)),
    }
}

fn path_of(parts: &Parts) -> String {
    parts.uri.path_and_query().map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned())
}

/// A page's context for a visitor who may not be signed in (the sign-in page, errors).
#[derive(Debug)]
pub struct Visitor(pub Ctx);

impl FromRequestParts<AppState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = lang_of_request(&parts.headers);
        let user = if cookie(parts, crate::auth::COOKIE).is_some() {
            authenticate(parts, state, false).await.ok()
        } else {
            None
        };
        let csrf = match &user {
            Some(AuthUser { credential: Credential::Session { csrf_token, .. }, .. }) => csrf_token.clone(),
            _ => String::new(),
        };
        Ok(Visitor(Ctx { lang, user, csrf, path: path_of(parts), policies: state.policies.clone() }))
    }
}

/// A signed-in user's page context; anyone else is sent to the sign-in page and back.
#[derive(Debug)]
pub struct Page(pub Ctx, pub AuthUser);

impl FromRequestParts<AppState> for Page {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Visitor(ctx) = Visitor::from_request_parts(parts, state).await.expect("infallible");
        match ctx.user.clone() {
            Some(user @ AuthUser { credential: Credential::Session { .. }, .. }) => Ok(Page(ctx, user)),
            _ => {
                let next = urlencode(&ctx.path);
                Err(Redirect::to(&format!("/login?next={next}")).into_response())
            }
        }
    }
}

/// Whether a form carried the session's token (the pages' CSRF protection).
pub fn form_token_ok(ctx: &Ctx, sent: &str) -> bool {
    !ctx.csrf.is_empty() && crate::password::same(sent, &ctx.csrf)
}

pub fn urlencode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Only a path on this site may be a place to go back to.
pub fn safe_path(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_owned(),
        _ => "/".to_owned(),
    }
}

/// A rendered page, or the error page if the template fails.
pub fn render(template: &impl Template, status: StatusCode) -> Response {
    match template.render() {
        Ok(html) => (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => ApiError::internal(format!("template: {e}")).into_response(),
    }
}

#[derive(Debug, Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub ctx: &'a Ctx,
    pub title: &'a str,
    pub message: String,
}

/// The error page for an API error met while making a page.
pub fn error_page(ctx: &Ctx, e: &ApiError) -> Response {
    let (title, message) = match e.status {
        StatusCode::NOT_FOUND => (ctx.t("common.error"), ctx.t("common.not_found").to_owned()),
        StatusCode::FORBIDDEN => (ctx.t("common.error"), ctx.t("common.forbidden").to_owned()),
        _ => (
            ctx.t("common.error"),
            match ctx.lang {
                Lang::Zh => e.zh.clone(),
                Lang::En => e.en.clone(),
            },
        ),
    };
    render(&ErrorPage { ctx, title, message }, e.status)
}

#[derive(Debug, serde::Deserialize)]
struct Back {
    back: Option<String>,
}

/// Remembers the language for a year and returns to the page.
async fn switch_language(Path(code): Path<String>, Query(back): Query<Back>, headers: HeaderMap) -> Response {
    let code = if code == "en" { "en" } else { "zh" };
    let mut r = Redirect::to(&safe_path(back.back.as_deref())).into_response();
    let secure = headers.get("x-forwarded-proto").is_some_and(|p| p == "https");
    let cookie =
        format!("{LANG_COOKIE}={code}; Path=/; Max-Age=31536000; SameSite=Lax{}", if secure { "; Secure" } else { "" });
    r.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("ASCII"));
    r
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../assets/app.css"),
    )
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../assets/app.js"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(lang: Lang) -> Ctx {
        Ctx {
            lang,
            user: None,
            csrf: String::new(),
            path: "/".into(),
            policies: std::sync::Arc::new(yuanzhu_rules::PolicySet::embedded()),
        }
    }

    #[test]
    fn dates_and_numbers_follow_the_language() {
        assert_eq!(ctx(Lang::Zh).date("2016-06-01"), "2016年6月1日");
        assert_eq!(ctx(Lang::En).date("2016-06-01T08:30:00Z"), "1 Jun 2016");
        assert_eq!(ctx(Lang::En).when("2016-06-01T08:30:00.1Z"), "1 Jun 2016 08:30");
        assert_eq!(ctx(Lang::Zh).num(&1234567), "1,234,567");
        assert_eq!(ctx(Lang::Zh).num(&-12), "-12");
    }

    #[test]
    fn only_local_paths_are_places_to_go_back_to() {
        assert_eq!(safe_path(Some("/p/x?y=1")), "/p/x?y=1");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", ""] {
            assert_eq!(safe_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_path(None), "/");
    }
}
