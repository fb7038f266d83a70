//! What every answer carries whatever made it, and what is refused before a handler runs.
//!
//! - **Security headers** on every response, pages, API and errors alike: a Content-Security-Policy
//!   that runs only the site's own script files (no inline script, no inline handler, no inline
//!   style, so an injected `<script>` or `onclick=` does nothing; the API documentation alone
//!   lets its library's styles apply) and lets no other site frame the pages; `X-Frame-Options` for browsers that predate `frame-ancestors`; `nosniff`, so a CSV or
//!   JSON answer is never run as script; and a referrer that stays on the site, since a page's
//!   address can name a person.
//! - **An oversized body** is refused with 413 from its `Content-Length`, before a byte of it is
//!   read, as JSON for the API and as a page for a browser, in the caller's language. A body
//!   sent without a length is cut at the same limit by the extractors, which answer 413 too.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::AppState;
use crate::ui;

/// The pages' policy: their own scripts, styles, images and forms only; no plugin, no `<base>`,
/// no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The API documentation's policy (`/api/docs`): the pages' own, but Swagger UI's bundled script
/// writes a `<style>` element of its own, which only `'unsafe-inline'` lets apply. Its scripts
/// are still only its files on this site, and the page shows no person's data.
const DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

const HEADERS: [(HeaderName, &str); 3] = [
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "same-origin"),
];

/// Middleware: the security headers on every response.
pub async fn headers(request: Request, next: Next) -> Response {
    let docs = request.uri().path().starts_with("/api/docs");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let policy = if docs { DOCS_POLICY } else { CONTENT_SECURITY_POLICY };
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    for (name, value) in HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// Middleware: 413 for a body whose declared length is over `max_body_mib`.
pub async fn refuse_oversized(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let limit = state.config.max_body_mib.saturating_mul(1024 * 1024);
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_none_or(|n| n <= limit as u64) {
        return next.run(request).await;
    }
    let e = ApiError::too_large(Some(state.config.max_body_mib));
    if is_api(request.uri().path()) {
        return e.into_response();
    }
    let (parts, _) = request.into_parts();
    let ctx = ui::Ctx {
        lang: ui::lang_of_request(&parts.headers),
        user: None,
        csrf: String::new(),
        path: "/".to_owned(),
        policies: state.policies.clone(),
        clock: state.clock(),
        units: std::sync::Arc::default(),
    };
    let mut page = ui::error_page(&ctx, &e);
    // The rest of the body is not read: the browser must not reuse the connection for another
    // request.
    page.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    page
}

/// Whether a path answers in JSON (the API and operations) rather than with pages.
fn is_api(path: &str) -> bool {
    path.starts_with("/api/") || path == "/metrics" || path == "/healthz"
}
