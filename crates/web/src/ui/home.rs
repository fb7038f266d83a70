//! The home page, by role: each shows its own work, within the user's jurisdiction.
//! - A community caseworker: drafts to finish, deficient applications to complete, contacts coming
//!   due, revocation proposals waiting for the street, possible duplicates.
//! - A street officer: submitted applications waiting for a decision (the review deadline, overdue
//!   ones marked), deficient ones by how long the notice has waited, revocation proposals to
//!   decide, contacts coming due, possible duplicates.
//! - A district supervisor, the city administrator, an auditor: counts by category and unit for
//!   the subtree, the open work of each unit, and the decisions past their deadline.
//! - A hotline operator: the persons to call before they become unreachable; a social worker:
//!   their assigned persons, and which of them are about to become unreachable.
//!
//! Every list is bounded and says how many there are in all.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use yuanzhu_domain::access::{Action, Role, role_allows};
use yuanzhu_domain::application::StateKind;
use yuanzhu_rules::Lang;
use yuanzhu_storage::applications::Order;
use yuanzhu_storage::{applications, revocations, stats};

use super::queue::Row as ApplicationRow;
use super::{Ctx, OrPage, Page, PageError, render};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::service::applications::application_error;
use crate::service::common::{reaches, within_reach};
use crate::service::residence_transfers::TransferView;
use crate::service::revocations::revocation_error;
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
    ("home.proposals.title", "待审核的注销提议", "Revocation proposals to decide"),
    ("home.proposals.sent_title", "已提出、等待街道审核的注销提议", "Revocation proposals waiting for the street"),
    ("home.proposals.view", "查看", "Open"),
    ("home.drafts.title", "未提交的申请草稿", "Application drafts to finish"),
    ("home.deciding.title", "已提交、待审批的认定申请", "Applications waiting for your decision"),
    ("home.deciding.open", "审批", "Decide"),
    ("home.all_applications", "全部认定申请", "All applications"),
    ("home.work.title", "各单位待办", "Open work by unit"),
    ("home.work.drafts", "草稿", "Drafts"),
    ("home.work.submitted", "待审批", "To decide"),
    ("home.work.deficient", "待补正", "Deficient"),
    ("home.work.overdue", "超期未审批", "Decisions overdue"),
    ("home.work.proposals", "待审核注销", "Revocations to decide"),
    ("home.work.empty", "辖区内暂无待办。", "No open work in your area."),
    ("home.overdue.title", "超过审批期限的申请", "Applications past their decision deadline"),
    ("home.proposals.reason", "注销原因", "Reason"),
    ("home.proposals.proposed_on", "提议日期", "Proposed on"),
    ("home.proposals.open", "审核", "Review"),
    ("home.unreachable.title", "即将失去联系的人员", "Persons about to become unreachable"),
    (
        "home.unreachable.hint",
        "在到期日前联系成功，可避免按失联规则提议注销。",
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

/// What a caseworker, a street officer, a hotline operator or a social worker has to do; a list
/// a role does not work on is `None` and not shown.
struct Queue {
    drafts: Option<Bounded<ApplicationRow>>,
    deciding: Option<Bounded<ApplicationRow>>,
    waiting: Option<Bounded<WaitingRow>>,
    proposals: Option<Bounded<ProposalRow>>,
    /// Whether the user decides the proposals (or only waits for the street to).
    decides_proposals: bool,
    due: Option<Bounded<DueRow>>,
    duplicates: Option<Bounded<DuplicateRow>>,
    /// Hardship persons without an active assistance plan (第十二条第（一）项).
    without_plan: Option<Bounded<DueRow>>,
    /// Follow-ups after placement due within a week, or overdue (第十九条).
    follow_ups: Option<Bounded<DueRow>>,
}

/// One unit's open work, for a supervisor.
struct WorkRow {
    code: String,
    name: String,
    drafts: i64,
    submitted: i64,
    deficient: i64,
    overdue: i64,
    proposals: i64,
}

/// What a supervisor watches: each unit's open work, and the decisions past their deadline.
struct Oversight {
    units: Vec<WorkRow>,
    overdue: Bounded<ApplicationRow>,
}

/// One bar of the chart: a category (its label in lines, see [`super::chart`]), its count and
/// the bar's geometry.
struct Bar {
    lines: Vec<String>,
    persons: i64,
    y: usize,
    /// The row's height: one bar, or as many lines as the label has.
    height: usize,
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
    /// The label column, as wide as the widest label line.
    label_width: usize,
    units: Vec<UnitRow>,
}

/// The chart's geometry, in SVG user units: the bars' longest length, a row's least height, and
/// a label line's height.
const CHART_BARS: usize = 300;
const BAR_STEP: usize = 28;
const LINE_STEP: usize = 16;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    ctx: &'a Ctx,
    queue: Option<Queue>,
    stats: Option<Stats>,
    oversight: Option<Oversight>,
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

async fn home(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Query(q): Query<HomeQuery>,
) -> Result<Response, PageError> {
    let done = q.done.as_deref().and_then(super::residence_transfers::done_key);
    let mut page =
        HomePage { ctx: &ctx, queue: None, stats: None, oversight: None, assigned: None, transfers: None, done };
    if role_allows(user.user.role, Action::TransferResidence) {
        page.transfers = Some(super::residence_transfers::queue(&state, &user, SHOWN as u32).await.or_page(&ctx)?);
    }
    let made = async {
        match user.user.role {
            Role::CommunityWorker | Role::StreetOfficer => page.queue = Some(queue(&state, &ctx, &user).await?),
            Role::DistrictSupervisor | Role::CityAdmin | Role::Auditor => {
                page.stats = Some(supervisor(&state, &ctx, &user).await?);
                page.oversight = Some(oversight(&state, &ctx, &user).await?);
            }
            Role::SocialWorker => {
                let (rows, total) = stats::assigned_persons(&state.store, &user.account.id, SHOWN as u32).await?;
                page.queue = Some(assigned_due(&state, &user).await?);
                page.assigned = Some(Bounded { rows, total: total.max(0) as usize });
            }
            Role::HotlineOperator => {
                let due = due_contacts(&state, user.user.unit_prefix().unwrap_or("")).await?;
                page.queue = Some(Queue::only_due(due));
            }
        }
        Ok::<(), ApiError>(())
    }
    .await;
    made.or_page(&ctx)?;
    Ok(render(&page, StatusCode::OK))
}

impl Queue {
    fn only_due(due: Bounded<DueRow>) -> Queue {
        Queue {
            drafts: None,
            deciding: None,
            waiting: None,
            proposals: None,
            decides_proposals: false,
            due: Some(due),
            duplicates: None,
            without_plan: None,
            follow_ups: None,
        }
    }
}

/// Applications of the user's units in some states, as rows of the queue: the first [`SHOWN`]
/// in `order`, those whose applicant the user still reaches.
async fn applications_in(
    state: &AppState,
    ctx: &Ctx,
    user: &AuthUser,
    states: &[StateKind],
    order: Order,
) -> Result<Bounded<ApplicationRow>, ApiError> {
    let prefix = user.user.unit_prefix().unwrap_or("");
    let (listed, total) =
        applications::list(&state.store, prefix, states, order, SHOWN as u32, 0).await.map_err(application_error)?;
    let listed = within_reach(state, user, listed, |(a, _)| a.id_number.as_str()).await?;
    let today = state.clock().today();
    let rows: Vec<ApplicationRow> =
        listed.into_iter().map(|(a, name)| ApplicationRow::of(ctx, &a, name, today)).collect();
    Ok(Bounded { total: (total.max(0) as usize).max(rows.len()), rows })
}

/// Persons of the units under `prefix` whom the next failed contact would make unreachable.
async fn due_contacts(state: &AppState, prefix: &str) -> Result<Bounded<DueRow>, ApiError> {
    Ok(due_rows(due_in(state, prefix).await?))
}

/// Everyone under `prefix` about to become unreachable, soonest first.
async fn due_in(state: &AppState, prefix: &str) -> Result<Vec<revocations::DueContact>, ApiError> {
    revocations::about_to_become_unreachable(&state.store, &state.policies, prefix, state.clock().today(), 14)
        .await
        .map_err(revocation_error)
}

/// The first [`SHOWN`] of them as rows, and how many there are.
fn due_rows(due: Vec<revocations::DueContact>) -> Bounded<DueRow> {
    Bounded {
        total: due.len(),
        rows: due
            .into_iter()
            .take(SHOWN)
            .map(|d| DueRow { person_id: d.person_id, name: d.name, due: d.due, overdue: d.overdue })
            .collect(),
    }
}

/// A social worker's: which of their assigned persons are about to become unreachable, wherever
/// they live (a person is assigned to them across units, 第十三条), all of them counted before
/// the list is cut. Each unit where one of them lives is read once.
async fn assigned_due(state: &AppState, user: &AuthUser) -> Result<Queue, ApiError> {
    let (mine, _) = stats::assigned_persons(&state.store, &user.account.id, 1000).await?;
    let ids: std::collections::HashSet<&str> = mine.iter().map(|a| a.person_id.as_str()).collect();
    let units: std::collections::BTreeSet<&str> = mine.iter().map(|a| a.residence_unit.as_str()).collect();
    let mut due = Vec::new();
    for unit in units {
        due.extend(due_in(state, unit).await?.into_iter().filter(|d| ids.contains(d.person_id.as_str())));
    }
    due.sort_by(|a, b| (&a.due, &a.id_number).cmp(&(&b.due, &b.id_number)));
    Ok(Queue::only_due(due_rows(due)))
}

/// The queues of a community caseworker or a street officer, each within the user's units.
async fn queue(state: &AppState, ctx: &Ctx, user: &AuthUser) -> Result<Queue, ApiError> {
    let prefix = user.user.unit_prefix().unwrap_or("");
    let today = state.clock().today();
    let decides = role_allows(user.user.role, Action::DecideApplication);
    let drafts = if decides {
        None
    } else {
        Some(applications_in(state, ctx, user, &[StateKind::Draft], Order::NewestFirst).await?)
    };
    let deciding = if decides {
        let mut b = applications_in(state, ctx, user, &[StateKind::Submitted], Order::OldestFirst).await?;
        // Overdue first, then by the deadline as the list gives it (waiting longest first).
        b.rows.sort_by_key(|r| !r.overdue);
        Some(b)
    } else {
        None
    };

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

    let due = due_contacts(state, prefix).await?;

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
    let without = crate::service::assistance::without_plan_queue(state, user).await?.items;
    let without_plan = Bounded {
        total: without.len(),
        rows: without
            .into_iter()
            .take(SHOWN)
            .map(|p| DueRow { person_id: p.person_id, name: p.name, due: String::new(), overdue: false })
            .collect(),
    };
    let today = state.clock().today();
    let week = yuanzhu_rules::Date::from_days(today.to_days() + 8).unwrap_or(today);
    let query = crate::service::assistance::FollowUpQueueQuery { due_before: Some(week.to_string()) };
    let due_follow_ups = crate::service::assistance::follow_up_queue(state, user, query).await?.items;
    let follow_ups = Bounded {
        total: due_follow_ups.len(),
        rows: due_follow_ups
            .into_iter()
            .take(SHOWN)
            .map(|f| {
                let overdue = yuanzhu_rules::Date::parse(&f.due).is_ok_and(|d| d < today);
                DueRow { person_id: f.person_id, name: f.name, due: f.due, overdue }
            })
            .collect(),
    };
    Ok(Queue {
        without_plan: Some(without_plan),
        follow_ups: Some(follow_ups),
        drafts,
        deciding,
        waiting: Some(waiting),
        proposals: Some(proposals),
        decides_proposals: role_allows(user.user.role, Action::DecideRevocation),
        due: Some(due),
        duplicates: Some(duplicates),
    })
}

/// Each unit's open work one level below the user's, and the decisions past their deadline.
async fn oversight(state: &AppState, ctx: &Ctx, user: &AuthUser) -> Result<Oversight, ApiError> {
    let prefix = user.user.unit_prefix().unwrap_or("");
    let digits = child_digits(prefix);
    let open = [StateKind::Draft, StateKind::Submitted, StateKind::Deficient];
    let counts = applications::counts_by_unit(&state.store, prefix, digits, &open).await.map_err(application_error)?;
    let proposals = revocations::open_proposals(&state.store, prefix).await.map_err(revocation_error)?;
    // The decisions waiting longest are the ones past their deadline: the oldest few hundred
    // submitted are read, not every one of a city.
    let (submitted, _) = applications::list(&state.store, prefix, &[StateKind::Submitted], Order::OldestFirst, 500, 0)
        .await
        .map_err(application_error)?;
    let today = state.clock().today();
    let late: Vec<_> = submitted.into_iter().filter(|(a, _)| a.application.review_overdue(today)).collect();

    let mut units: std::collections::BTreeMap<String, WorkRow> = std::collections::BTreeMap::new();
    let unit_of = |code: &str| code.get(..digits).unwrap_or(code).to_owned();
    for (unit, state_code, n) in counts {
        let r = work_row(&mut units, ctx, unit);
        match state_code.as_str() {
            "draft" => r.drafts += n,
            "submitted" => r.submitted += n,
            _ => r.deficient += n,
        }
    }
    for p in &proposals {
        work_row(&mut units, ctx, unit_of(&p.residence_unit)).proposals += 1;
    }
    for (a, _) in &late {
        work_row(&mut units, ctx, unit_of(&a.unit_code)).overdue += 1;
    }
    let total = late.len();
    let rows = late.into_iter().take(SHOWN).map(|(a, name)| ApplicationRow::of(ctx, &a, name, today)).collect();
    Ok(Oversight { units: units.into_values().collect(), overdue: Bounded { rows, total } })
}

/// A unit's row of open work, made empty on first use.
fn work_row<'m>(
    units: &'m mut std::collections::BTreeMap<String, WorkRow>,
    ctx: &Ctx,
    code: String,
) -> &'m mut WorkRow {
    units.entry(code.clone()).or_insert_with(|| WorkRow {
        name: ctx.unit_name(&code),
        code,
        drafts: 0,
        submitted: 0,
        deficient: 0,
        overdue: 0,
        proposals: 0,
    })
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
    let labels: Vec<Vec<String>> = categories.iter().map(|code| super::chart::wrap(&ctx.category(code))).collect();
    let label_width = super::chart::label_column(&labels) as usize;
    let mut y = 0;
    let mut bars = Vec::new();
    for (lines, &n) in labels.into_iter().zip(&totals) {
        let height = BAR_STEP.max(lines.len() * LINE_STEP + 10);
        bars.push(Bar {
            lines,
            persons: n,
            y,
            height,
            // At least a sliver, so that a small count is still seen to be there.
            width: ((n as f64 / most as f64) * CHART_BARS as f64).round().max(2.0) as usize,
        });
        y += height;
    }
    Ok(Stats { chart_height: y, label_width, categories, bars, units })
}

impl Stats {
    /// Room for the labels, the longest bar and its count (up to seven digits with separators).
    fn chart_width(&self) -> usize {
        self.label_width + CHART_BARS + 80
    }

    fn label_width(&self) -> usize {
        self.label_width
    }

    /// Where a bar's count is written: just past its end.
    fn count_x(&self, bar: &Bar) -> usize {
        self.label_width + bar.width + 6
    }
}

impl Bar {
    /// The bar's top, centred in its row.
    fn bar_y(&self) -> usize {
        self.y + (self.height - 20) / 2
    }

    /// The baseline of the count, and of a one-line label: the bar's middle.
    fn text_y(&self) -> usize {
        self.bar_y() + 14
    }

    /// The baseline of the label's first line, its lines centred on the bar.
    fn first_line_y(&self) -> usize {
        let block = self.lines.len() * LINE_STEP;
        self.y + (self.height - block) / 2 + 12
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
