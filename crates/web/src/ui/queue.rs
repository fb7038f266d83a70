//! The applications queue (`/applications`): the hardship applications (第五条) a user may prepare
//! or decide, or oversees, within their jurisdiction; by state, newest first, a page at a time. A
//! street officer finds here what waits for a decision; a caseworker their drafts and the files
//! to complete.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use yuanzhu_domain::application::State as AppState_;
use yuanzhu_storage::applications::StoredApplication;

use super::{Ctx, OrPage, Page, PageError, render};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::service::applications::{self, FILTERS, states_of};
use crate::state::AppState;

/// This area's strings: (key, zh-CN, en).
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("nav.applications", "认定申请", "Applications"),
    ("queue.title", "困难人员认定申请", "Hardship applications"),
    ("queue.filter", "按状态筛选", "Show"),
    ("queue.show", "显示", "Show"),
    ("queue.state.open", "未办结（草稿、已提交、待补正）", "Undecided (drafts, submitted, deficient)"),
    ("queue.state.all", "全部", "All"),
    ("queue.state.draft", "草稿", "Drafts"),
    ("queue.state.submitted", "已提交，待审批", "Submitted, waiting for a decision"),
    ("queue.state.deficient", "待补正（已一次性告知）", "Deficient (notice served)"),
    ("queue.state.approved", "已认定", "Approved"),
    ("queue.state.rejected", "不予认定", "Refused"),
    ("queue.state.withdrawn", "已撤回申请", "Withdrawn"),
    ("queue.number", "申请编号", "Number"),
    ("queue.person", "申请人", "Applicant"),
    ("queue.category", "申请类别", "Category"),
    ("queue.status", "状态", "State"),
    ("queue.received", "受理日期", "Received"),
    ("queue.changed", "最近办理", "Last change"),
    ("queue.office", "受理单位", "Office"),
    ("queue.due", "期限", "Due"),
    ("queue.review_by", "审批期限", "Decide by"),
    ("queue.overdue", "已超期", "Overdue"),
    ("queue.waiting_days", "已等待补正", "Waiting for documents"),
    ("queue.submitted_days", "已等待审批", "Waiting for a decision"),
    ("queue.empty", "没有符合条件的申请。", "No application matches."),
    ("queue.page", "页码", "Page"),
    ("queue.items", "件", "applications"),
    ("queue.previous", "上一页", "Previous"),
    ("queue.next", "下一页", "Next"),
    (
        "queue.hint",
        "本单位受理的申请，最新的在前。申请编号可供申请人查询时报出。",
        "Applications made at your offices, newest first. Applicants can quote the number when they ask.",
    ),
];

pub fn router() -> Router<AppState> {
    Router::new().route("/applications", get(queue_page))
}

/// One application as a row of a list: what a caseworker needs to pick it up.
pub struct Row {
    pub id: String,
    pub number: String,
    pub name: String,
    pub category: String,
    pub state: &'static str,
    pub received: String,
    pub changed: String,
    pub office: String,
    /// What is due, in words: the decision's last day, or how long the notice has waited.
    pub due: String,
    pub overdue: bool,
}

impl Row {
    pub fn of(ctx: &Ctx, stored: &StoredApplication, name: String, today: yuanzhu_rules::Date) -> Row {
        let app = &stored.application;
        let received = app.history().first().map(|e| e.on.to_string()).unwrap_or_default();
        let (due, overdue) = match app.state() {
            AppState_::Submitted { on } => match app.review_deadline() {
                Some(last) => {
                    (format!("{} {}", ctx.t("queue.review_by"), ctx.date(&last.to_string())), app.review_overdue(today))
                }
                // The policy sets no time limit: how long it has waited, for the officer to judge.
                None => (
                    format!(
                        "{} {} {}",
                        ctx.t("queue.submitted_days"),
                        ctx.num(&on.days_until(today)),
                        ctx.t("common.days")
                    ),
                    false,
                ),
            },
            AppState_::Deficient { notice } => (
                format!(
                    "{} {} {}",
                    ctx.t("queue.waiting_days"),
                    ctx.num(&notice.served_on().days_until(today)),
                    ctx.t("common.days")
                ),
                false,
            ),
            _ => (String::new(), false),
        };
        Row {
            id: stored.id.clone(),
            number: stored.number.clone(),
            name,
            category: ctx.category(app.category().code()),
            state: app.state().kind().code(),
            received: ctx.date(&received),
            changed: ctx.when(&stored.updated_at),
            office: ctx.unit_name(&stored.unit_code),
            due,
            overdue,
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct QueueQuery {
    state: Option<String>,
    page: Option<u32>,
}

#[derive(Template)]
#[template(path = "applications.html")]
struct QueuePage<'a> {
    ctx: &'a Ctx,
    filter: String,
    filters: [&'static str; 8],
    rows: Vec<Row>,
    total: i64,
    page: u32,
    pages: u32,
}

impl QueuePage<'_> {
    fn link(&self, page: u32) -> String {
        format!("/applications?state={}&page={page}", self.filter)
    }
}

async fn queue_page(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Query(q): Query<QueueQuery>,
) -> Result<Response, PageError> {
    let page = queue(&state, &ctx, &user, q).await.or_page(&ctx)?;
    Ok(render(&page, StatusCode::OK))
}

async fn queue<'a>(state: &AppState, ctx: &'a Ctx, user: &AuthUser, q: QueueQuery) -> Result<QueuePage<'a>, ApiError> {
    let filter = q.state.filter(|f| states_of(f).is_some()).unwrap_or_else(|| "open".to_owned());
    let states = states_of(&filter).expect("checked above");
    let page = q.page.unwrap_or(1).clamp(1, 100_000);
    let listed = applications::queue_page(state, user, &states, page).await?;
    let today = state.clock().today();
    let rows = listed.rows.into_iter().map(|(a, name)| Row::of(ctx, &a, name, today)).collect();
    Ok(QueuePage { ctx, filter, filters: FILTERS, rows, total: listed.total, page, pages: listed.pages })
}
