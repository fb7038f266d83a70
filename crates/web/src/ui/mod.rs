//! The caseworkers' pages: server-rendered HTML (askama) on the same port as the API. Forms work
//! without scripting; a page's small script only improves it. Chinese first, English one click
//! away (remembered in a cookie). Pages reuse the API's checks: the same sessions, the same
//! jurisdiction (404 outside it), the same storage calls.

mod admin;
mod applications;
mod assistance;
mod chart;
mod duplicates;
mod employment;
mod home;
mod households;
pub mod i18n;
mod page_error;
mod pages;
mod queue;
mod register;
mod register_form;
mod residence_transfers;
mod revocations;
mod sign_in;
pub mod timeline;
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

pub use page_error::{OrPage, PageError};

/// The cookie that remembers the chosen language.
const LANG_COOKIE: &str = "yz_lang";

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(register::router())
        .merge(applications::router())
        .merge(queue::router())
        .merge(revocations::router())
        .merge(transfer::router())
        .merge(admin::router())
        .merge(employment::router())
        .merge(residence_transfers::router())
        .merge(duplicates::router())
        .merge(households::router())
        .merge(assistance::router())
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
    /// The configured zone's clock: every time shown goes through it.
    pub clock: yuanzhu_storage::clock::Clock,
    /// Unit names by code.
    pub units: crate::unit_names::Names,
}

impl Ctx {
    /// Words without a signed-in user or a page: an error answered before any user is known, an
    /// export's summaries written by the command line.
    pub fn without_user(
        lang: Lang,
        policies: std::sync::Arc<yuanzhu_rules::PolicySet>,
        clock: yuanzhu_storage::clock::Clock,
        units: crate::unit_names::Names,
    ) -> Ctx {
        Ctx { lang, user: None, csrf: String::new(), path: "/".to_owned(), policies, clock, units }
    }

    /// A category's name in the page's language, from the policy that defines it.
    pub fn category(&self, code: &str) -> String {
        let found = self.policies.policies().iter().flat_map(|p| p.categories.iter()).find(|c| c.code == code);
        match (found, self.lang) {
            (Some(c), Lang::Zh) => c.name.clone(),
            (Some(c), Lang::En) => c.name_en.clone(),
            (None, _) => code.to_owned(),
        }
    }

    /// A citation as the language writes it: 第三条第（一）项, or Article 3(1) in English.
    pub fn citation(&self, text: &str) -> String {
        match self.lang {
            Lang::Zh => text.to_owned(),
            Lang::En => yuanzhu_rules::citation::in_english(text),
        }
    }

    /// A policy by its document (穗人社发〔2014〕4号) rather than its code (gz-2014-4).
    pub fn policy_name(&self, id: &str) -> String {
        self.policies.by_id(id).map_or_else(|| id.to_owned(), |p| p.document.clone())
    }

    /// A reason for revocation (第六条) by its name in the policy that lists it; `policy` first.
    pub fn revocation_reason(&self, policy: &str, code: &str) -> String {
        let listed = self.policies.by_id(policy).into_iter().chain(self.policies.policies().iter());
        let found = listed.flat_map(|p| p.revocation_reasons.iter()).find(|r| r.code == code);
        match (found, self.lang) {
            (Some(r), Lang::Zh) => r.name.clone(),
            (Some(r), Lang::En) => r.name_en.clone(),
            (None, _) => self.label("reason", code),
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

    /// A date (`YYYY-MM-DD`), or the local day of a stored timestamp, as the language writes it:
    /// 2016年6月1日, 1 Jun 2016.
    pub fn date(&self, iso: &str) -> String {
        let Some(d) = self.clock.day_of(iso) else { return iso.to_owned() };
        match self.lang {
            Lang::Zh => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
            Lang::En => {
                const MONTHS: [&str; 12] =
                    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
                format!("{} {} {}", d.day(), MONTHS[d.month() as usize - 1], d.year())
            }
        }
    }

    /// A stored timestamp (UTC) as the local date and minute, in the configured zone.
    pub fn when(&self, iso: &str) -> String {
        match self.clock.local(iso) {
            Some(t) => format!("{} {:02}:{:02}", self.date(&t.date.to_string()), t.hour, t.minute),
            None => self.date(iso),
        }
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

    /// The name of the user's unit (东山街道).
    pub fn unit(&self) -> String {
        self.unit_name(&self.unit_code())
    }

    /// The code of the user's unit, shown beside or under its name.
    pub fn unit_code(&self) -> String {
        self.user.as_ref().map_or_else(String::new, |u| u.account.unit.to_string())
    }

    /// A unit's name (东山街道), or its code where none is known.
    pub fn unit_name(&self, code: &str) -> String {
        crate::unit_names::name_of(&self.units, code)
    }

    /// An office as a letterhead names it: 越秀区东山街道.
    pub fn office(&self, code: &str) -> String {
        crate::unit_names::path_of(&self.units, code)
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

    /// Whether the user works with applications (the queue in the menu).
    pub fn sees_applications(&self) -> bool {
        self.user.as_ref().is_some_and(|u| role_allows(u.user.role, Action::ListApplications))
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
        "record_service" => Action::RecordService,
        "prepare_application" => Action::PrepareApplication,
        "decide_application" => Action::DecideApplication,
        "propose_revocation" => Action::ProposeRevocation,
        "decide_revocation" => Action::DecideRevocation,
        "decide_duplicate" => Action::DecideDuplicate,
        "reassess" => Action::Reassess,
        "export" => Action::Export,
        "verify_audit" => Action::VerifyAudit,
        "manage_users" => Action::ManageUsers,
        "transfer_residence" => Action::TransferResidence,
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
        // Without names a page still shows each unit, by its code.
        let units = match &user {
            Some(_) => state.unit_names.current(&state.store).await.unwrap_or_default(),
            None => std::sync::Arc::default(),
        };
        Ok(Visitor(Ctx {
            lang,
            user,
            csrf,
            path: path_of(parts),
            policies: state.policies.clone(),
            clock: state.clock(),
            units,
        }))
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

/// Only a path on this site may be a place to go back to: a single `/` first, and no backslash
/// and no control character anywhere (it arrives decoded). Browsers drop tabs and line breaks
/// from a URL and read `\` as `/`, so `/\t/evil.example` would leave the site; and a line break
/// cannot go into a `Location` header at all.
pub fn safe_path(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p[1..].starts_with(['/', '\\'])
                && !p.chars().any(|c| c == '\\' || c.is_control()) =>
        {
            p.to_owned()
        }
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

/// An unknown address: under `/api/` the API's JSON error, anywhere else an HTML page in the
/// visitor's language with a way home, signed in or not (a mistyped link in a browser should not
/// answer in JSON).
pub async fn not_found(Visitor(ctx): Visitor) -> Response {
    let machine = ctx.path == "/api" || ctx.path.starts_with("/api/") || ctx.path.starts_with("/api?");
    if machine {
        return ApiError::not_found().into_response();
    }
    render(
        &ErrorPage {
            ctx: &ctx,
            title: ctx.t("common.page_not_found"),
            message: ctx.t("common.no_such_page").to_owned(),
        },
        StatusCode::NOT_FOUND,
    )
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
            clock: yuanzhu_storage::clock::Clock::default(),
            units: std::sync::Arc::default(),
        }
    }

    #[test]
    fn dates_and_numbers_follow_the_language() {
        assert_eq!(ctx(Lang::Zh).date("2016-06-01"), "2016年6月1日");
        assert_eq!(ctx(Lang::En).date("2016-06-01T08:30:00Z"), "1 Jun 2016");
        assert_eq!(ctx(Lang::En).when("2016-06-01T08:30:00.1Z"), "1 Jun 2016 16:30");
        // Stored in UTC, shown in Guangzhou: the evening of the 6th is the small hours of the 7th.
        assert_eq!(ctx(Lang::Zh).when("2026-12-06T17:30:00Z"), "2026年12月7日 01:30");
        assert_eq!(ctx(Lang::Zh).date("2026-12-06T17:30:00Z"), "2026年12月7日");
        assert_eq!(ctx(Lang::Zh).num(&1234567), "1,234,567");
        assert_eq!(ctx(Lang::Zh).num(&-12), "-12");
    }

    #[test]
    fn only_local_paths_are_places_to_go_back_to() {
        assert_eq!(safe_path(Some("/p/x?y=1")), "/p/x?y=1");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/p/x\u{7f}",
            "/p/x\u{85}y",
            "/ok/\\/evil",
        ] {
            assert_eq!(safe_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_path(None), "/");
    }
}
