//! The home page, by role. A caseworker (community worker, street officer) sees their queues within
//! their jurisdiction; a supervisor (district supervisor, city administrator, auditor) sees counts
//! by category and unit for their subtree; a hotline operator gets search, and a social worker
//! search and their assigned persons. Every list is bounded and says how many there are in all.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use yuanzhu_domain::access::{Action, Role, role_allows};
use yuanzhu_rules::Lang;
use yuanzhu_storage::{applications, revocations, stats};

use super::{Ctx, Page, error_page, render};
use crate::api::applications::{application_error, reaches};
use crate::api::residence_transfers::TransferView;
use crate::api::revocations::revocation_error;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

/// This area's strings: (key, zh-CN, en).
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("home.queue.title", "待办事项", "Your queue"),
    ("home.queue.empty", "暂无待办。", "Nothing waiting."),
    ("home.queue.shown", "显示前", "Showing the first"),
    ("home.queue.of", "共", "of"),
    ("home.waiting.title", "待补正材料的认定申请", "Applications waiting for documents"),
    ("home.waiting.notice", "补正通知日期", "Notice served"),
    ("home.waiting.missing", "仍缺材料", "Still missing"),
    ("home.waiting.days_left", "剩余天数", "Days left"),
    ("home.waiting.no_deadline", "未设期限（已等待", "No deadline (waiting"),
    ("home.waiting.no_deadline_end", "天）", "days)"),
    ("home.waiting.open", "办理", "Handle"),
    ("home.proposals.title", "待确认的退出（撤销）提议", "Revocation proposals to confirm"),
    ("home.proposals.reason", "退出原因", "Reason"),
    ("home.proposals.proposed_on", "提议日期", "Proposed on"),
    ("home.proposals.open", "审核", "Review"),
    ("home.unreachable.title", "即将失去联系的人员", "Persons about to become unreachable"),
    (
        "home.unreachable.hint",
        "在到期日前联系成功，可避免按失联规则提议退出。",
        "Reach them before the due day, or the lost-contact rule proposes revocation.",
    ),
    ("home.unreachable.due", "到期日", "Due"),
    ("home.unreachable.overdue", "已到期", "Overdue"),
    ("home.duplicates.title", "疑似重复登记", "Possible duplicates"),
    ("home.duplicates.first", "档案一", "First file"),
    ("home.duplicates.second", "档案二", "Second file"),
    ("home.person", "人员", "Person"),
    ("home.category", "类别", "Category"),
    ("home.stats.title", "辖区认定情况", "Status in your area"),
    ("home.stats.by_category", "按类别统计（人）", "By category (persons)"),
    ("home.stats.by_unit", "按单位统计（人）", "By unit (persons)"),
    ("home.stats.unit", "单位", "Unit"),
    ("home.stats.chart", "各类别认定人数柱状图", "Bar chart of persons by category"),
    ("home.stats.empty", "辖区内暂无有效认定。", "No one in your area holds a category now."),
    (
        "home.stats.note",
        "同时属于多个类别的人员在每个类别中各计一次。",
        "A person holding two categories counts once in each.",
    ),
    ("home.assigned.title", "分配给我的服务对象", "Persons assigned to you"),
    ("home.assigned.on", "分配日期", "Assigned on"),
    ("home.assigned.empty", "暂无分配给您的人员。", "No one is assigned to you yet."),
];

/// At most this many rows in each list of the home page.
const SHOWN: usize = 50;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

/// A bounded list and how many there are in all.
struct Bounded<T> {
    rows: Vec<T>,
    total: usize,
}

impl<T> Bounded<T> {
    fn more(&self) -> bool {
        self.total > self.rows.len()
    }
}

struct WaitingRow {
    application_id: String,
    name: String,
    category: String,
    notice_served_on: String,
    still_missing: usize,
    days_left: Option<i64>,
    days_since_notice: i64,
}

struct ProposalRow {
    id: String,
    name: String,
    reason: String,
    citation: String,
    proposed_on: String,
}

struct DueRow {
    person_id: String,
    name: String,
    due: String,
    overdue: bool,
}

struct DuplicateRow {
    name: String,
    birth_date: String,
    person_a: String,
    person_b: String,
}

/// What a caseworker has to do.
struct Queue {
    waiting: Bounded<WaitingRow>,
    proposals: Bounded<ProposalRow>,
    due: Bounded<DueRow>,
    duplicates: Bounded<DuplicateRow>,
}

/// One bar of the chart: a category, its count and the bar's geometry.
struct Bar {
    category: String,
    persons: i64,
    y: usize,
    width: usize,
}

struct UnitRow {
    code: String,
    name: String,
    /// One count per column of [`Stats::categories`].
    counts: Vec<i64>,
}

/// A supervisor's view of their subtree.
struct Stats {
    categories: Vec<String>,
    bars: Vec<Bar>,
    chart_height: usize,
    units: Vec<UnitRow>,
}

/// The chart's geometry, in SVG user units.
const CHART_LABEL: usize = 200;
const CHART_BARS: usize = 300;
const BAR_STEP: usize = 28;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    ctx: &'a Ctx,
    queue: Option<Queue>,
    stats: Option<Stats>,
    assigned: Option<Bounded<stats::Assigned>>,
    /// The open moves of residence the user sees: to accept or refuse, or to withdraw.
    transfers: Option<Vec<TransferView>>,
    /// What the page that led here just did, confirmed at the top.
    done: Option<&'static str>,
}

impl HomePage<'_> {
    fn transfer_state(&self, state: &str) -> String {
        self.ctx.label("transfer.state", state)
    }
}

#[derive(Debug, serde::Deserialize)]
struct HomeQuery {
    done: Option<String>,
}

async fn home(State(state): State<AppState>, Page(ctx, user): Page, Query(q): Query<HomeQuery>) -> Response {
    let done = q.done.as_deref().and_then(super::residence_transfers::done_key);
    let mut page = HomePage { ctx: &ctx, queue: None, stats: None, assigned: None, transfers: None, done };
    if role_allows(user.user.role, Action::TransferResidence) {
        match super::residence_transfers::queue(&state, &user, SHOWN as u32).await {
            Ok(t) => page.transfers = Some(t),
            Err(e) => return error_page(&ctx, &e),
        }
    }
    let made = match user.user.role {
        Role::CommunityWorker | Role::StreetOfficer => queue(&state, &ctx, &user).await.map(|q| page.queue = Some(q)),
        Role::DistrictSupervisor | Role::CityAdmin | Role::Auditor => {
            supervisor(&state, &ctx, &user).await.map(|s| page.stats = Some(s))
        }
        Role::SocialWorker => stats::assigned_persons(&state.store, &user.account.id, SHOWN as u32)
            .await
            .map(|(rows, total)| page.assigned = Some(Bounded { rows, total: total.max(0) as usize }))
            .map_err(ApiError::from),
        Role::HotlineOperator => Ok(()),
    };
    match made {
        Ok(()) => render(&page, StatusCode::OK),
        Err(e) => error_page(&ctx, &e),
    }
}

/// The caseworker's four queues, each within the user's units.
async fn queue(state: &AppState, ctx: &Ctx, user: &AuthUser) -> Result<Queue, ApiError> {
    let prefix = user.user.unit_prefix().unwrap_or("");
    let today = crate::today();

    let waiting_all =
        applications::waiting_for_documents(&state.store, prefix, today).await.map_err(application_error)?;
    let total = waiting_all.len();
    let mut rows = Vec::new();
    for w in waiting_all {
        if rows.len() == SHOWN {
            break;
        }
        // The office made the application; the applicant may have moved out of reach since. The
        // check runs for the rows shown only, so the list stays bounded.
        if reaches(state, user, &w.id_number).await? {
            rows.push(WaitingRow {
                application_id: w.application_id,
                name: w.name,
                category: w.category.to_owned(),
                notice_served_on: w.notice_served_on.to_string(),
                still_missing: w.still_missing.len(),
                days_left: w.days_left,
                days_since_notice: w.days_since_notice,
            });
        }
    }
    let waiting = Bounded { total: if total > SHOWN { total } else { rows.len() }, rows };

    let open = revocations::open_proposals(&state.store, prefix).await.map_err(revocation_error)?;
    let proposals = Bounded {
        total: open.len(),
        rows: open
            .into_iter()
            .take(SHOWN)
            .map(|p| {
                let reason = state
                    .policies
                    .by_id(&p.policy)
                    .and_then(|policy| policy.revocation_reasons.iter().find(|r| r.code == p.reason.code()))
                    .map_or_else(
                        || p.reason.code().to_owned(),
                        |r| if ctx.lang == Lang::Zh { r.name.clone() } else { r.name_en.clone() },
                    );
                ProposalRow { id: p.id, name: p.name, reason, citation: p.citation, proposed_on: p.proposed_on }
            })
            .collect(),
    };

    let due_all = revocations::about_to_become_unreachable(&state.store, &state.policies, prefix, today, 14)
        .await
        .map_err(revocation_error)?;
    let due = Bounded {
        total: due_all.len(),
        rows: due_all
            .into_iter()
            .take(SHOWN)
            .map(|d| DueRow { person_id: d.person_id, name: d.name, due: d.due, overdue: d.overdue })
            .collect(),
    };

    let (pairs, total) = stats::open_duplicates_under(&state.store, prefix, SHOWN as u32).await?;
    let duplicates = Bounded {
        total: total.max(0) as usize,
        rows: pairs
            .into_iter()
            .map(|p| DuplicateRow {
                name: p.name,
                birth_date: p.birth_date,
                person_a: p.person_a,
                person_b: p.person_b,
            })
            .collect(),
    };
    Ok(Queue { waiting, proposals, due, duplicates })
}

/// How many digits name a unit one level below a root of this prefix: a city (`4401`) counts its
/// districts, a district its streets, a street its communities.
fn child_digits(prefix: &str) -> usize {
    match prefix.len() {
        0..=2 => 4,
        3..=4 => 6,
        5..=6 => 9,
        _ => 12,
    }
}

/// The counts of a subtree, reused for `dashboard_cache_seconds` (see [`crate::Config`]).
async fn counts_by_unit(
    state: &AppState,
    prefix: &str,
    digits: usize,
) -> Result<std::sync::Arc<Vec<stats::StatusCount>>, ApiError> {
    let key = (prefix.to_owned(), digits);
    let fresh_for = std::time::Duration::from_secs(state.config.dashboard_cache_seconds);
    if let Some((made, counts)) = state.dashboards.lock().expect("dashboard lock").get(&key)
        && made.elapsed() < fresh_for
    {
        return Ok(counts.clone());
    }
    let counts = std::sync::Arc::new(stats::status_by_unit(&state.store, prefix, digits).await?);
    if !fresh_for.is_zero() {
        state.dashboards.lock().expect("dashboard lock").insert(key, (std::time::Instant::now(), counts.clone()));
    }
    Ok(counts)
}

/// Counts by category and unit for the user's subtree: one aggregate query (reused for a
/// minute) and one for the units' names.
async fn supervisor(state: &AppState, ctx: &Ctx, user: &AuthUser) -> Result<Stats, ApiError> {
    let prefix = user.user.unit_prefix().unwrap_or("");
    let counts = counts_by_unit(state, prefix, child_digits(prefix)).await?;
    // Columns in the policies' article order, then any code no policy names any more.
    let mut categories: Vec<String> = Vec::new();
    let known = state.policies.policies().iter().flat_map(|p| p.categories.iter().map(|c| c.code.to_owned()));
    for code in known.chain(counts.iter().map(|c| c.category.clone())) {
        if !categories.contains(&code) && counts.iter().any(|c| c.category == code) {
            categories.push(code);
        }
    }
    let mut units: Vec<UnitRow> = Vec::new();
    for c in counts.iter() {
        let column = categories.iter().position(|k| *k == c.category).expect("every counted category is a column");
        if units.last().is_none_or(|u| u.code != c.unit) {
            units.push(UnitRow { code: c.unit.clone(), name: String::new(), counts: vec![0; categories.len()] });
        }
        if let Some(u) = units.last_mut() {
            u.counts[column] += c.persons;
        }
    }
    let names = stats::unit_names(&state.store, &units.iter().map(|u| u.code.clone()).collect::<Vec<_>>()).await?;
    for u in &mut units {
        u.name = names.get(&u.code).cloned().unwrap_or_default();
    }
    let totals: Vec<i64> = (0..categories.len()).map(|i| units.iter().map(|u| u.counts[i]).sum()).collect();
    let most = totals.iter().copied().max().unwrap_or(0).max(1);
    let bars = categories
        .iter()
        .zip(&totals)
        .enumerate()
        .map(|(i, (code, &n))| Bar {
            category: ctx.category(code),
            persons: n,
            y: i * BAR_STEP,
            // At least a sliver, so that a small count is still seen to be there.
            width: ((n as f64 / most as f64) * CHART_BARS as f64).round().max(2.0) as usize,
        })
        .collect::<Vec<_>>();
    Ok(Stats { chart_height: bars.len() * BAR_STEP, categories, bars, units })
}

impl Stats {
    fn chart_width(&self) -> usize {
        CHART_LABEL + CHART_BARS + 80
    }

    fn label_width(&self) -> usize {
        CHART_LABEL
    }

    /// Where a bar's count is written: just past its end.
    fn count_x(&self, bar: &Bar) -> usize {
        CHART_LABEL + bar.width + 6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_city_counts_districts_a_district_streets_and_a_street_communities() {
        assert_eq!(child_digits("4401"), 6);
        assert_eq!(child_digits("440104"), 9);
        assert_eq!(child_digits("440104011"), 12);
        assert_eq!(child_digits("440104011001"), 12);
    }
}
