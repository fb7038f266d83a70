//! The application: its page, with the documents, the history and the notices.

// The module's imports and shared helpers (form fields, the page context).
use super::*;

pub(super) struct DocRow {
    pub(super) code: &'static str,
    pub(super) name: &'static str,
    pub(super) citation: String,
    pub(super) provisional: bool,
    pub(super) accepts_commitment: bool,
    /// How and when it was supplied; empty while missing.
    pub(super) supplied: String,
    pub(super) missing: bool,
}

pub(super) struct HistoryRow {
    pub(super) on: String,
    pub(super) by: String,
    pub(super) what: &'static str,
    pub(super) detail: String,
}

pub(super) struct NoticeView {
    pub(super) served_on: String,
    pub(super) served_by: String,
    pub(super) missing: Vec<(&'static str, String)>,
}

pub(super) struct RefusalView {
    pub(super) reason: String,
    pub(super) served_on: String,
    pub(super) served_by: String,
}

/// What every page of one application shows: the applicant, the category and its article.
pub(super) struct Summary {
    pub(super) id: String,
    /// The number people read aloud, on every printed form (SQ-2026-000123).
    pub(super) number: String,
    pub(super) version: i64,
    pub(super) person_id: String,
    pub(super) name: String,
    pub(super) id_number: String,
    pub(super) sex: String,
    pub(super) birth_date: String,
    pub(super) phone: String,
    pub(super) address: String,
    pub(super) unit_code: String,
    pub(super) policy: String,
    pub(super) policy_document: String,
    pub(super) category: String,
    pub(super) citation: String,
    pub(super) state: &'static str,
    pub(super) state_name: &'static str,
    pub(super) opened_on: String,
    /// The day a preparing step (documents, submission) is dated by default, `YYYY-MM-DD`: for
    /// an application entered after the day it was received, the day of its latest step, so
    /// that a file keyed in later keeps its own dates; otherwise today.
    pub(super) act_on: String,
    pub(super) docs: Vec<DocRow>,
    pub(super) notice: Option<NoticeView>,
    pub(super) refusal: Option<RefusalView>,
    pub(super) appeal_deadline: Option<String>,
}

/// A problem with a posted form, shown next to that form.
pub(super) struct Problem {
    pub(super) form: &'static str,
    pub(super) message: String,
}

#[derive(Template)]
#[template(path = "application.html")]
pub(super) struct ApplicationPage<'a> {
    pub(super) ctx: &'a Ctx,
    pub(super) a: Summary,
    pub(super) can_supply: bool,
    pub(super) all_supplied: bool,
    pub(super) can_commit: bool,
    pub(super) can_submit: bool,
    pub(super) can_withdraw: bool,
    pub(super) can_mark_deficient: bool,
    pub(super) can_approve: bool,
    pub(super) can_reject: bool,
    pub(super) review_deadline: Option<String>,
    pub(super) review_overdue: bool,
    pub(super) days_since_notice: Option<i64>,
    pub(super) history: Vec<HistoryRow>,
    pub(super) problem: Option<Problem>,
    pub(super) conflict: bool,
    pub(super) done: bool,
    pub(super) reason: String,
    /// A problem with no form on the page to sit next to.
    pub(super) stray: Option<String>,
}

impl ApplicationPage<'_> {
    fn problem_at(&self, form: &str) -> Option<&str> {
        self.problem.as_ref().filter(|p| p.form == form).map(|p| p.message.as_str())
    }
}

pub(super) async fn summary(
    state: &AppState,
    ctx: &Ctx,
    user: &AuthUser,
    stored: &applications::StoredApplication,
) -> Result<Summary, ApiError> {
    let person = person_name(state, &stored.id_number).await?;
    let show_identity = role_allows(user.user.role, Action::ViewIdentity);
    let app = &stored.application;
    let category = app.category();
    let policy = ctx.policies.by_id(category.policy());
    let citation = policy
        .and_then(|p| p.categories.iter().find(|c| c.code == category.code()))
        .map(|c| c.citation.clone())
        .unwrap_or_default();
    let date = |d: Date| ctx.date(&d.to_string());
    let docs = app
        .checklist()
        .into_iter()
        .map(|d| {
            let supplied = match app.documents().get(&d) {
                Some(Provision::Provided { on }) => format!("{} {}", ctx.t("application.provided_on"), date(*on)),
                Some(Provision::CommitmentInLieuOfProof { signed_on }) => {
                    format!("{} {}", ctx.t("application.commitment_on"), date(*signed_on))
                }
                None => String::new(),
            };
            DocRow {
                code: d.code(),
                name: d.name(ctx.lang),
                citation: d.citation(),
                provisional: d.provisional(),
                accepts_commitment: d.accepts_commitment(),
                missing: supplied.is_empty(),
                supplied,
            }
        })
        .collect();
    let notice = app.deficiency_notice().map(|n| NoticeView {
        served_on: date(n.served_on()),
        served_by: n.served_by().to_owned(),
        missing: n.missing().iter().map(|d| (d.name(ctx.lang), d.citation())).collect(),
    });
    let refusal = match app.state() {
        AppState_::Rejected { notice } => Some(RefusalView {
            reason: notice.reason().to_owned(),
            served_on: date(notice.served_on()),
            served_by: notice.served_by().to_owned(),
        }),
        _ => None,
    };
    let kind = app.state().kind();
    let mask = |t: &str, f: fn(&str) -> String| if show_identity { t.to_owned() } else { f(t) };
    Ok(Summary {
        id: stored.id.clone(),
        number: stored.number.clone(),
        version: stored.version,
        person_id: stored.person_id.clone(),
        name: person.name,
        id_number: mask(&stored.id_number, mask_id_number),
        sex: ctx.label("sex", &person.sex),
        birth_date: ctx.date(&person.birth_date),
        phone: person.phone.as_deref().map(|p| mask(p, mask_phone)).unwrap_or_default(),
        address: person.address.unwrap_or_default(),
        unit_code: stored.unit_code.clone(),
        policy: category.policy().to_owned(),
        policy_document: policy.map(|p| p.document.clone()).unwrap_or_default(),
        category: ctx.category(category.code()),
        citation,
        state: kind.code(),
        state_name: kind.name(ctx.lang),
        opened_on: date(app.received_on()),
        act_on: act_on(stored, state.clock().today()).to_string(),
        docs,
        notice,
        refusal,
        appeal_deadline: app.appeal_deadline().map(date),
    })
}

/// See [`Summary::act_on`].
pub(super) fn act_on(stored: &applications::StoredApplication, today: Date) -> Date {
    let app = &stored.application;
    let entered_on = stored.created_at.get(..10).and_then(|d| Date::parse(d).ok());
    if entered_on.is_some_and(|entered| app.received_on() < entered) {
        app.history().last().map_or_else(|| app.received_on(), |e| e.on)
    } else {
        today
    }
}

/// The day a form names (`on`), or none for the API's default (today).
pub(super) fn form_day(f: &[(String, String)]) -> Option<String> {
    Some(field(f, "on").trim().to_owned()).filter(|d| !d.is_empty())
}

pub(super) fn history(ctx: &Ctx, stored: &applications::StoredApplication) -> Vec<HistoryRow> {
    let names = |docs: &[Document]| {
        docs.iter().map(|d| d.name(ctx.lang)).collect::<Vec<_>>().join(if ctx.lang == Lang::Zh { "；" } else { "; " })
    };
    stored
        .application
        .history()
        .iter()
        .map(|e| HistoryRow {
            on: ctx.date(&e.on.to_string()),
            by: e.by.clone(),
            what: e.action.kind().name(ctx.lang),
            detail: match &e.action {
                Act::Provide { document } | Act::CommitInLieuOfProof { document } => document.name(ctx.lang).to_owned(),
                Act::MarkDeficient { defective } => names(defective),
                Act::Reject { reason } => reason.clone(),
                _ => String::new(),
            },
        })
        .collect()
}

/// The application page, with a problem shown next to the form that caused it.
pub(super) async fn page(
    state: &AppState,
    ctx: &Ctx,
    user: &AuthUser,
    id: &str,
    problem: Option<(Problem, StatusCode)>,
    reason: String,
    done: bool,
) -> Result<Response, PageError> {
    let stored = reachable(state, user, id, Action::View).await.or_page(ctx)?;
    let a = summary(state, ctx, user, &stored).await.or_page(ctx)?;
    let app = &stored.application;
    let kind = app.state().kind();
    let prepare = role_allows(user.user.role, Action::PrepareApplication);
    let decide = role_allows(user.user.role, Action::DecideApplication);
    let open_file = matches!(kind, StateKind::Draft | StateKind::Deficient);
    let today = state.clock().today();
    let (problem, status) = match problem {
        Some((p, s)) => (Some(p), s),
        None => (None, StatusCode::OK),
    };
    let conflict = problem.as_ref().is_some_and(|p| p.form == "conflict");
    let mut page = ApplicationPage {
        ctx,
        can_supply: prepare && open_file && a.docs.iter().any(|d| d.missing),
        all_supplied: a.docs.iter().all(|d| !d.missing),
        can_commit: a.docs.iter().any(|d| d.missing && d.accepts_commitment),
        can_submit: prepare && open_file,
        can_withdraw: prepare && !kind.is_final(),
        can_mark_deficient: decide && kind == StateKind::Submitted && app.deficiency_notice().is_none(),
        can_approve: decide && kind == StateKind::Submitted,
        can_reject: decide && matches!(kind, StateKind::Submitted | StateKind::Deficient),
        review_deadline: app.review_deadline().map(|d| ctx.date(&d.to_string())),
        review_overdue: app.review_overdue(today),
        days_since_notice: match app.state() {
            AppState_::Deficient { notice } => Some(notice.served_on().days_until(today)),
            _ => None,
        },
        history: history(ctx, &stored),
        a,
        problem,
        conflict,
        done,
        reason,
        stray: None,
    };
    // A problem whose form the state no longer shows (someone acted meanwhile) goes at the top.
    let shown = |form: &str| match form {
        "documents" | "conflict" => true,
        "submit" => page.can_submit,
        "deficient" => page.can_mark_deficient,
        "approve" => page.can_approve,
        "reject" => page.can_reject,
        "withdraw" => page.can_withdraw,
        _ => false,
    };
    if let Some(p) = page.problem.as_ref().filter(|p| !shown(p.form)) {
        page.stray = Some(p.message.clone());
    }
    Ok(render(&page, status))
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct ShowQuery {
    pub(super) done: Option<String>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    page(&state, &ctx, &user, &id, None, String::new(), q.done.is_some()).await
}
