//! The households page (家庭事项): what other units ask of, or tell, the households of this
//! unit's persons. Claims to join one of its households, made where the joining person lives,
//! are accepted or refused here; notices that a household stopped or started being a
//! zero-employment household because of work recorded elsewhere are read and marked seen. The
//! forms call the API's own logic, so the checks (role, jurisdiction, versions) are the API's.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use yuanzhu_domain::access::Action;
use yuanzhu_rules::Lang;

use super::{Ctx, OrPage, Page, PageError, form_token_ok, render};
use crate::auth::{AuthUser, csrf_error};
use crate::error::ApiError;
use crate::service::household_joins::{
    ChangeView, JoinDecision, JoinView, changes_to_see, decide, joins_to_decide, see,
};
use crate::state::AppState;

/// This area's strings: (key, zh-CN, en).
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("nav.households", "家庭事项", "Households"),
    ("households.title", "家庭事项", "Households"),
    ("households.joins", "待确认的加入家庭申请", "Requests to join a household of yours"),
    (
        "households.joins_hint",
        "其他单位登记的人员申请加入本单位人员所在的家庭。同意后该人员计入家庭（零就业家庭认定等）；不同意须说明理由，其登记将不再属于该家庭。",
        "Persons registered by another unit ask to join a household of your persons. Once accepted they count in it (for the zero-employment status and the rest); a refusal says why, and their record no longer names the household.",
    ),
    ("households.household", "家庭编号", "Household"),
    ("households.joining", "申请加入的人员", "Person joining"),
    ("households.relation", "与户主关系", "Relation"),
    ("households.requested", "申请单位 · 日期", "Requested by · on"),
    ("households.accept", "同意加入", "Accept"),
    ("households.refuse", "不同意", "Refuse"),
    ("households.reason", "理由", "Reason"),
    ("households.changes", "家庭就业状况变化", "Households whose zero-employment status changed"),
    (
        "households.changes_hint",
        "其他单位登记的就业或失业改变了本单位人员所在家庭的零就业状况，请核实相关认定。",
        "Work recorded by another unit changed the zero-employment status of a household of your persons: check the recognitions that rest on it.",
    ),
    ("households.member", "本单位人员", "Your person"),
    ("households.on", "自", "From"),
    ("households.now_zero", "成为零就业家庭", "now a zero-employment household"),
    ("households.no_longer_zero", "不再是零就业家庭", "no longer a zero-employment household"),
    ("households.cause.employment.recorded", "家庭成员就业", "a member found work"),
    ("households.cause.employment.ended", "家庭成员就业结束", "a member's work ended"),
    ("households.seen", "已阅", "Seen"),
    ("households.done.accepted", "已同意加入家庭。", "The join is accepted."),
    ("households.done.refused", "已不同意加入家庭。", "The join is refused."),
    ("households.done.seen", "已标记为已阅。", "Marked seen."),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/households", get(page))
        .route("/households/joins/{id}/accept", post(accept))
        .route("/households/joins/{id}/refuse", post(refuse))
        .route("/households/changes/{id}/seen", post(seen))
}

#[derive(Template)]
#[template(path = "households.html")]
struct HouseholdsPage<'a> {
    ctx: &'a Ctx,
    joins: Vec<JoinView>,
    changes: Vec<ChangeView>,
    done: Option<&'static str>,
    /// A refused form's problem, with the id of the row it concerns.
    problem: Option<(String, String)>,
    reason: String,
}

impl HouseholdsPage<'_> {
    fn problem_at(&self, id: &str) -> Option<&str> {
        self.problem.as_ref().filter(|(at, _)| at == id).map(|(_, m)| m.as_str())
    }

    fn cause(&self, code: &str) -> String {
        self.ctx.label("households.cause", code)
    }
}

#[derive(Debug, serde::Deserialize)]
struct PageQuery {
    done: Option<String>,
}

async fn view<'a>(
    state: &AppState,
    ctx: &'a Ctx,
    user: &AuthUser,
    done: Option<&'static str>,
    problem: Option<(String, String)>,
    reason: String,
) -> Result<HouseholdsPage<'a>, ApiError> {
    user.require(Action::View)?;
    Ok(HouseholdsPage {
        ctx,
        joins: joins_to_decide(state, user).await?,
        changes: changes_to_see(state, user).await?,
        done,
        problem,
        reason,
    })
}

async fn page(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let done = match q.done.as_deref() {
        Some("accepted") => Some("households.done.accepted"),
        Some("refused") => Some("households.done.refused"),
        Some("seen") => Some("households.done.seen"),
        _ => None,
    };
    let p = view(&state, &ctx, &user, done, None, String::new()).await.or_page(&ctx)?;
    Ok(render(&p, StatusCode::OK))
}

#[derive(Debug, serde::Deserialize)]
struct DecisionForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    reason: String,
}

async fn accept(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, PageError> {
    decision(&state, &ctx, &user, &id, true, f).await
}

async fn refuse(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, PageError> {
    decision(&state, &ctx, &user, &id, false, f).await
}

async fn decision(
    state: &AppState,
    ctx: &Ctx,
    user: &AuthUser,
    id: &str,
    accept: bool,
    f: DecisionForm,
) -> Result<Response, PageError> {
    if !form_token_ok(ctx, &f.csrf_token) {
        return Err(ctx.page_error(csrf_error()));
    }
    let reason = f.reason.trim().to_owned();
    let body = JoinDecision {
        // A missing or garbled version is stale by definition.
        version: f.version.trim().parse().unwrap_or(-1),
        reason: Some(reason.clone()).filter(|r| !r.is_empty()),
    };
    match decide(state, user, id, accept, body).await {
        Ok(_) => {
            Ok(Redirect::to(if accept { "/households?done=accepted" } else { "/households?done=refused" })
                .into_response())
        }
        Err(e) if matches!(e.status, StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY) => {
            let message = if ctx.lang == Lang::En { e.en.clone() } else { e.zh.clone() };
            let p = view(state, ctx, user, None, Some((id.to_owned(), message)), reason).await.or_page(ctx)?;
            Ok(render(&p, e.status))
        }
        Err(e) => Err(ctx.page_error(e)),
    }
}

#[derive(Debug, serde::Deserialize)]
struct SeenForm {
    #[serde(default)]
    csrf_token: String,
}

async fn seen(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Form<SeenForm>,
) -> Result<Response, PageError> {
    if !form_token_ok(&ctx, &f.csrf_token) {
        return Err(ctx.page_error(csrf_error()));
    }
    see(&state, &user, &id).await.or_page(&ctx)?;
    Ok(Redirect::to("/households?done=seen").into_response())
}
