//! The home page, by role (being extended: queues and the supervisor's view).

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;

use super::{Ctx, Page, render};
use crate::state::AppState;

/// This area's strings: (key, zh-CN, en).
pub const STRINGS: &[(&str, &str, &str)] = &[];

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    ctx: &'a Ctx,
}

async fn home(Page(ctx, _user): Page) -> Response {
    render(&HomePage { ctx: &ctx }, StatusCode::OK)
}
