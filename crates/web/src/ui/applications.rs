//! The hardship application (穗人社发〔2014〕4号 第五条; 粤人社规〔2023〕11号 chapter 2 where it
//! applies) as pages: opening one for a person, the application with its checklist item by item,
//! the one-time deficiency notice, the decision, and the printable forms (the application form in
//! triplicate, the deficiency notice and the notice of refusal).
//!
//! Every change goes through the same functions as `/api/v1/applications/…`, so the state machine,
//! the jurisdiction (404 outside it), the roles (403) and the version check are the API's. Final
//! acts (deficiency notice, approval, refusal, withdrawal) are posted twice: the first post shows a
//! confirmation page, the second (with `confirmed=yes` and the same version) acts, so the step
//! works without scripting.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use yuanzhu_domain::access::{Action, mask_id_number, mask_phone, role_allows};
use yuanzhu_domain::application::{
    Action as Act, ApplicationCategory, CategoryError, Document, Provision, State as AppState_, StateKind,
};
use yuanzhu_rules::{Date, Lang};
use yuanzhu_storage::{applications, persons, search};

use super::{Ctx, OrPage, Page, PageError, form_token_ok, render};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::service::applications::{
    DeficiencyBody, DocumentsBody, RejectBody, Step, StepBody, Supply, application_error, policy_for, reachable,
    serve_deficiency_notice, step, supply, transition_error,
};
use crate::service::common::{MAX_TEXT, day_of, free_text, id_of};
use crate::state::AppState;

/// This area's strings: (key, zh-CN, en).
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("application.title", "困难人员认定申请", "Hardship application"),
    ("application.new_title", "申请认定特困失业人员", "Apply for recognition of hardship"),
    (
        "application.new_intro",
        "按第五条，向户籍所在街（镇）公共就业服务机构申办；选择申请的类别，系统列出须提交的材料。",
        "Under Article 5 the application is made at the street (town) employment office; choose the category and the checklist of documents follows.",
    ),
    ("application.category", "申请类别", "Category applied for"),
    ("application.policy", "政策", "Policy"),
    ("application.article", "依据条款", "Article"),
    ("application.received_on", "受理日期", "Received on"),
    ("application.received_hint", "不填则为今天；不能晚于今天。", "Today if left empty; not after today."),
    ("application.open", "开始申请", "Open the application"),
    ("application.not_applicable", "（该政策下适用时）", "(where this policy applies)"),
    ("application.person", "申请人", "Applicant"),
    ("application.state", "办理状态", "State"),
    ("application.version", "版本", "Version"),
    ("application.unit", "受理单位", "Office"),
    ("application.opened_on", "申请日期", "Opened on"),
    ("application.checklist", "材料清单（第五条）", "Checklist of documents (Article 5)"),
    ("application.document", "材料", "Document"),
    ("application.supplied", "提交情况", "Supplied"),
    ("application.provided_on", "已提交", "Provided"),
    ("application.commitment_on", "以书面承诺代替", "Written commitment instead"),
    ("application.missing", "未提交", "Missing"),
    ("application.provisional", "（依据待核实）", "(source not yet verified)"),
    ("application.tick_provided", "勾选本次收到的材料", "Tick the documents received now"),
    ("application.act_on", "办理日期", "Date"),
    (
        "application.act_on_hint",
        "补录的申请默认沿用其受理日期；不能早于上一次办理，也不能晚于今天。",
        "A back-dated application keeps its received date by default; not before the last step, not after today.",
    ),
    ("application.record_provided", "记录已收到的材料", "Record documents received"),
    ("application.record_commitment", "以书面承诺代替证明", "Accept written commitments instead"),
    ("application.nothing_ticked", "请至少勾选一份材料。", "Tick at least one document."),
    ("application.all_supplied", "材料已齐全。", "Every document is supplied."),
    ("application.submit", "提交申请", "Submit the application"),
    (
        "application.submit_hint",
        "材料不齐时提交，将一次性告知所缺的全部材料。",
        "Submitting with documents missing serves the one-time notice listing everything missing.",
    ),
    ("application.notice", "一次性告知书", "One-time deficiency notice"),
    (
        "application.notice_intro",
        "经审查，您的申请材料不齐全或有缺陷。现一次性告知须补正的全部材料如下：",
        "On review, your application is incomplete or defective. Everything to be supplied is listed here, once:",
    ),
    ("application.notice_served", "告知日期", "Served on"),
    ("application.notice_print", "打印一次性告知书", "Print the deficiency notice"),
    ("application.mark_deficient", "出具一次性告知书", "Serve the one-time deficiency notice"),
    (
        "application.mark_deficient_hint",
        "勾选审查中发现有缺陷的材料；告知书同时列出其他所有未提交的材料。一份申请只能告知一次。",
        "Tick the documents found defective; the notice also lists everything else missing. Only one notice per application.",
    ),
    ("application.defective", "有缺陷的材料", "Defective documents"),
    ("application.decision", "作出决定", "Decision"),
    ("application.approve", "认定为特困失业人员", "Approve"),
    ("application.reject", "不予认定", "Refuse"),
    ("application.reason", "不予认定的理由", "Reason for refusal"),
    ("application.reason_required", "请写明不予认定的理由。", "State the reason for refusal."),
    ("application.withdraw", "撤回申请", "Withdraw the application"),
    ("application.deadlines", "办理时限", "Time limits"),
    ("application.review_deadline", "审核期限", "Review deadline"),
    ("application.overdue", "已超期", "overdue"),
    ("application.appeal_deadline", "申请重核期限", "Last day to ask for re-review"),
    ("application.days_since_notice", "告知后已过", "Days since the notice"),
    ("application.no_limit", "本政策未规定", "None set by this policy"),
    ("application.history", "办理记录", "History"),
    ("application.when", "日期", "Date"),
    ("application.by", "经办人", "By"),
    ("application.what", "事项", "What"),
    ("application.print", "打印申请登记表（一式三份）", "Print the application form (triplicate)"),
    ("application.refusal_print", "打印不予认定通知书", "Print the notice of refusal"),
    (
        "application.conflict",
        "本申请已被他人办理过（您看到的是旧版本）。页面已更新为最新情况，请核对后重新操作。",
        "Someone else changed this application after you opened it. The page now shows the latest state: check it and try again.",
    ),
    ("application.done", "已办理。", "Done."),
    ("application.confirm_title", "请确认", "Please confirm"),
    (
        "application.confirm_approve",
        "确认认定该申请人为特困失业人员？认定后不能撤回。",
        "Approve this applicant? This is final.",
    ),
    (
        "application.confirm_reject",
        "确认不予认定？将出具《不予认定通知书》，决定不能撤回。",
        "Refuse recognition? A notice of refusal is served and the decision is final.",
    ),
    (
        "application.confirm_withdraw",
        "确认申请人撤回本申请？撤回后不能继续办理。",
        "Record that the applicant withdraws? The application cannot continue.",
    ),
    (
        "application.confirm_deficient",
        "确认出具一次性告知书？每份申请只能告知一次，告知书将列出以下全部材料：",
        "Serve the one-time deficiency notice? Only one is ever served; it will list all of these:",
    ),
    ("application.form_title", "广州市特困失业人员申请登记表", "Guangzhou extreme-hardship application form"),
    ("application.copy1", "第一联 申请人留存", "Copy 1: kept by the applicant"),
    (
        "application.copy2",
        "第二联 街道（镇）公共就业服务机构留存",
        "Copy 2: kept by the street (town) employment office",
    ),
    ("application.copy3", "第三联 区公共就业服务机构留存", "Copy 3: kept by the district employment office"),
    (
        "application.form_title_gd",
        "广东省就业困难人员认定申请表",
        "Guangdong application for recognition of employment difficulty",
    ),
    ("application.form_basis", "第五条", "Article 5"),
    ("application.date_blank", "　　　年　　月　　日", "____ / ____ / ________"),
    ("application.form_no", "申请编号", "Application no."),
    ("application.address", "住址", "Address"),
    ("application.phone", "联系电话", "Phone"),
    (
        "application.declaration",
        "本人承诺所填信息及所交材料真实有效。",
        "I declare the information and documents given are true.",
    ),
    ("application.applicant_signature", "申请人签名", "Applicant's signature"),
    ("application.handler_signature", "经办人签名", "Caseworker's signature"),
    ("application.sign_date", "日期", "Date"),
    ("application.stamp", "经办机构（盖章）", "Office stamp"),
    ("application.opinion", "审核意见", "Review opinion"),
    ("application.print_hint", "用A4纸打印，三联各占一页。", "Prints on A4, one page per copy."),
    ("application.refusal_title", "不予认定通知书", "Notice of refusal of recognition"),
    (
        "application.refusal_body",
        "经审核，您申请认定的类别不符合认定条件，决定不予认定。理由如下：",
        "After review, the category you applied for is not recognised. The reason:",
    ),
    ("application.refusal_rights", "权利告知", "Your rights"),
    (
        "application.appeal_text",
        "如对本决定有异议，可自收到本通知书之日起30日内向作出决定的公共就业服务机构申请重核，最后期限为：",
        "If you disagree, you may ask the office that decided for re-review within 30 days of receiving this notice; the last day is:",
    ),
    (
        "application.no_appeal_text",
        "本政策未规定重核程序。如对本决定有异议，可依法申请行政复议或提起行政诉讼。",
        "This policy sets no re-review procedure. You may apply for administrative reconsideration or bring an administrative suit as the law provides.",
    ),
    (
        "application.not_refused",
        "该申请未被不予认定，没有通知书。",
        "This application was not refused; there is no notice.",
    ),
    ("application.no_notice", "该申请没有一次性告知书。", "No deficiency notice was served on this application."),
    ("application.to_file", "返回个人档案", "Back to the personal file"),
    ("application.to_application", "返回申请", "Back to the application"),
    ("application.served_by", "经办人", "Served by"),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/p/{person_id}/apply", get(new_form).post(open))
        .route("/applications/{id}", get(show))
        .route("/applications/{id}/documents", post(documents))
        .route("/applications/{id}/submit", post(submit))
        .route("/applications/{id}/deficient", post(mark_deficient))
        .route("/applications/{id}/approve", post(approve))
        .route("/applications/{id}/reject", post(reject))
        .route("/applications/{id}/withdraw", post(withdraw))
        .route("/applications/{id}/print", get(print))
        .route("/applications/{id}/notice", get(notice))
        .route("/applications/{id}/refusal", get(refusal))
}

/// A posted form as its pairs: check boxes repeat a name, which a struct cannot take.
type Fields = Form<Vec<(String, String)>>;

fn field<'f>(f: &'f [(String, String)], name: &str) -> &'f str {
    f.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

fn fields(f: &[(String, String)], name: &str) -> Vec<String> {
    f.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).collect()
}

/// An error said in this area's words, in both languages.
fn said(status: StatusCode, code: &'static str, key: &str) -> ApiError {
    ApiError::localized(status, code, None, |l| super::i18n::t(l, key).to_owned())
}

fn pick(ctx: &Ctx, e: &ApiError) -> String {
    match ctx.lang {
        Lang::Zh => e.zh.clone(),
        Lang::En => e.en.clone(),
    }
}

/// The record key of a person from the path: too long names nobody (404 without a query).
async fn id_number_of(state: &AppState, person_id: &str) -> Result<String, ApiError> {
    if person_id.len() > 64 {
        return Err(ApiError::not_found());
    }
    search::id_number_of(&state.store, person_id).await?.ok_or_else(ApiError::not_found)
}

// ---------------------------------------------------------------------------------------------
// Opening
// ---------------------------------------------------------------------------------------------

/// A category that may be applied for, as a radio button: `policy|code`.
struct Choice {
    id: String,
    value: String,
    name: String,
    citation: String,
}

struct PolicyChoices {
    document: String,
    title: String,
    in_force: bool,
    choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "application_new.html")]
struct NewPage<'a> {
    ctx: &'a Ctx,
    person_id: String,
    name: String,
    policies: Vec<PolicyChoices>,
    chosen: String,
    on: String,
    category_error: Option<String>,
    on_error: Option<String>,
}

/// The categories recognised on application, policy by policy, the policy in force first: the
/// gz-2014-4 sub-types of 第三条第（三）项 and, where it applies, gd-2023-11's categories.
fn choices(ctx: &Ctx, today: Date) -> Vec<PolicyChoices> {
    let mut out: Vec<PolicyChoices> = ctx
        .policies
        .policies()
        .iter()
        .map(|p| PolicyChoices {
            document: p.document.clone(),
            title: if ctx.lang == Lang::Zh { p.title.clone() } else { p.title_en.clone() },
            in_force: p.in_force_on(today),
            choices: p
                .categories
                .iter()
                .filter(|c| ApplicationCategory::of_policy(p, c.code).is_ok())
                .map(|c| Choice {
                    id: format!("cat-{}-{}", p.id, c.code),
                    value: format!("{}|{}", p.id, c.code),
                    name: if ctx.lang == Lang::Zh { c.name.clone() } else { c.name_en.clone() },
                    citation: c.citation.clone(),
                })
                .collect(),
        })
        .filter(|p| !p.choices.is_empty())
        .collect();
    // The Guangzhou hardship sub-types are what 第五条 is about; they come first.
    out.sort_by_key(|p| !p.choices.iter().any(|c| c.value.starts_with(ApplicationCategory::GZ_2014_4)));
    out
}

async fn person_name(state: &AppState, id_number: &str) -> Result<persons::PersonRecord, ApiError> {
    Ok(persons::file(&state.store, id_number).await?.ok_or_else(ApiError::not_found)?.person)
}

async fn new_form(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
) -> Result<Response, PageError> {
    let found = async {
        let id_number = id_number_of(&state, &person_id).await?;
        user.person(&state, &id_number, Action::PrepareApplication).await?;
        person_name(&state, &id_number).await
    }
    .await;
    let person = found.or_page(&ctx)?;
    let page = NewPage {
        ctx: &ctx,
        policies: choices(&ctx, state.clock().today()),
        person_id,
        name: person.name,
        chosen: String::new(),
        on: String::new(),
        category_error: None,
        on_error: None,
    };
    Ok(render(&page, StatusCode::OK))
}

async fn open(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    if !form_token_ok(&ctx, field(&f, "csrf_token")) {
        return Err(ctx.page_error(crate::auth::csrf_error()));
    }
    let id_number = id_number_of(&state, &person_id).await.or_page(&ctx)?;
    user.person(&state, &id_number, Action::PrepareApplication).await.or_page(&ctx)?;
    let person = person_name(&state, &id_number).await.or_page(&ctx)?;
    let chosen = field(&f, "category").trim().to_owned();
    let on_text = field(&f, "on").trim().to_owned();
    let mut page = NewPage {
        ctx: &ctx,
        policies: choices(&ctx, state.clock().today()),
        person_id,
        name: person.name,
        chosen: chosen.clone(),
        on: on_text.clone(),
        category_error: None,
        on_error: None,
    };
    let on = match day_of(state.clock().today(), Some(&on_text).filter(|t| !t.is_empty()).map(String::as_str)) {
        Ok(on) => on,
        Err(e) => {
            page.on_error = Some(pick(&ctx, &e));
            return Ok(render(&page, e.status));
        }
    };
    let category_problem = |page: &mut NewPage, status: StatusCode, message: String| {
        page.category_error = Some(message);
        Ok(render(page, status))
    };
    let Some((policy_id, code)) = chosen.split_once('|') else {
        let message = ctx.t("application.category").to_owned();
        let message = match ctx.lang {
            Lang::Zh => format!("请选择{message}。"),
            Lang::En => format!("Choose the {}.", message.to_lowercase()),
        };
        return category_problem(&mut page, StatusCode::UNPROCESSABLE_ENTITY, message);
    };
    let category = policy_for(&state.policies, Some(policy_id), code, on)
        .map_err(|e| pick(&ctx, &e))
        .and_then(|p| ApplicationCategory::of_policy(p, code).map_err(|e: CategoryError| e.message(ctx.lang)));
    let category = match category {
        Ok(c) => c,
        Err(message) => return category_problem(&mut page, StatusCode::UNPROCESSABLE_ENTITY, message),
    };
    match applications::open(&state.store, &id_number, category, &user.account.username, on).await {
        Ok(stored) => Ok(Redirect::to(&format!("/applications/{}", stored.id)).into_response()),
        Err(e) => {
            let e = application_error(e);
            if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND {
                let message = pick(&ctx, &e);
                category_problem(&mut page, e.status, message)
            } else {
                Err(ctx.page_error(e))
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The application
// ---------------------------------------------------------------------------------------------

struct DocRow {
    code: &'static str,
    name: &'static str,
    citation: String,
    provisional: bool,
    accepts_commitment: bool,
    /// How and when it was supplied; empty while missing.
    supplied: String,
    missing: bool,
}

struct HistoryRow {
    on: String,
    by: String,
    what: &'static str,
    detail: String,
}

struct NoticeView {
    served_on: String,
    served_by: String,
    missing: Vec<(&'static str, String)>,
}

struct RefusalView {
    reason: String,
    served_on: String,
    served_by: String,
}

/// What every page of one application shows: the applicant, the category and its article.
struct Summary {
    id: String,
    /// The number people read aloud, on every printed form (SQ-2026-000123).
    number: String,
    version: i64,
    person_id: String,
    name: String,
    id_number: String,
    sex: String,
    birth_date: String,
    phone: String,
    address: String,
    unit_code: String,
    policy: String,
    policy_document: String,
    category: String,
    citation: String,
    state: &'static str,
    state_name: &'static str,
    opened_on: String,
    /// The day a preparing step (documents, submission) is dated by default, `YYYY-MM-DD`: for
    /// an application entered after the day it was received, the day of its latest step, so
    /// that a file keyed in later keeps its own dates; otherwise today.
    act_on: String,
    docs: Vec<DocRow>,
    notice: Option<NoticeView>,
    refusal: Option<RefusalView>,
    appeal_deadline: Option<String>,
}

/// A problem with a posted form, shown next to that form.
struct Problem {
    form: &'static str,
    message: String,
}

#[derive(Template)]
#[template(path = "application.html")]
struct ApplicationPage<'a> {
    ctx: &'a Ctx,
    a: Summary,
    can_supply: bool,
    all_supplied: bool,
    can_commit: bool,
    can_submit: bool,
    can_withdraw: bool,
    can_mark_deficient: bool,
    can_approve: bool,
    can_reject: bool,
    review_deadline: Option<String>,
    review_overdue: bool,
    days_since_notice: Option<i64>,
    history: Vec<HistoryRow>,
    problem: Option<Problem>,
    conflict: bool,
    done: bool,
    reason: String,
    /// A problem with no form on the page to sit next to.
    stray: Option<String>,
}

impl ApplicationPage<'_> {
    fn problem_at(&self, form: &str) -> Option<&str> {
        self.problem.as_ref().filter(|p| p.form == form).map(|p| p.message.as_str())
    }
}

async fn summary(
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
fn act_on(stored: &applications::StoredApplication, today: Date) -> Date {
    let app = &stored.application;
    let entered_on = stored.created_at.get(..10).and_then(|d| Date::parse(d).ok());
    if entered_on.is_some_and(|entered| app.received_on() < entered) {
        app.history().last().map_or_else(|| app.received_on(), |e| e.on)
    } else {
        today
    }
}

/// The day a form names (`on`), or none for the API's default (today).
fn form_day(f: &[(String, String)]) -> Option<String> {
    Some(field(f, "on").trim().to_owned()).filter(|d| !d.is_empty())
}

fn history(ctx: &Ctx, stored: &applications::StoredApplication) -> Vec<HistoryRow> {
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
async fn page(
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
struct ShowQuery {
    done: Option<String>,
}

async fn show(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, PageError> {
    page(&state, &ctx, &user, &id, None, String::new(), q.done.is_some()).await
}

/// After a change: back to the application (303), or the page with the problem next to `form`;
/// a stale version is told as such, over the latest state.
async fn after(
    state: &AppState,
    ctx: &Ctx,
    user: &AuthUser,
    id: &str,
    form: &'static str,
    result: Result<(), ApiError>,
    reason: String,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/applications/{id}?done=1")).into_response()),
        Err(e) if matches!(e.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) => Err(ctx.page_error(e)),
        Err(e) if e.code == "version_conflict" => {
            let problem = Problem { form: "conflict", message: ctx.t("application.conflict").to_owned() };
            page(state, ctx, user, id, Some((problem, StatusCode::CONFLICT)), reason, false).await
        }
        Err(e) if e.status.is_client_error() => {
            let problem = Problem { form, message: pick(ctx, &e) };
            page(state, ctx, user, id, Some((problem, e.status)), reason, false).await
        }
        Err(e) => Err(ctx.page_error(e)),
    }
}

/// The version a form carries; a missing or garbled one is stale by definition.
fn version_of(f: &[(String, String)]) -> i64 {
    field(f, "version").trim().parse().unwrap_or(-1)
}

/// Checks the form token first: a forged form learns nothing, not even whether the id exists.
macro_rules! token_or_refuse {
    ($ctx:expr, $f:expr) => {
        if !form_token_ok(&$ctx, field(&$f, "csrf_token")) {
            return Err($ctx.page_error(crate::auth::csrf_error()));
        }
    };
}

async fn documents(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    token_or_refuse!(ctx, f);
    let codes = fields(&f, "documents");
    let how = if field(&f, "how") == "commitment" { Supply::Commitment } else { Supply::Paper };
    let result = if codes.is_empty() {
        // Still 404/403 first, so that an empty form does not tell a stranger the id exists.
        match reachable(&state, &user, &id, Action::PrepareApplication).await {
            Ok(_) => Err(said(StatusCode::UNPROCESSABLE_ENTITY, "required", "application.nothing_ticked")),
            Err(e) => Err(e),
        }
    } else {
        let body = DocumentsBody { documents: codes, version: version_of(&f), on: form_day(&f) };
        supply(&state, &user, &id, body, how).await.map(|_| ())
    };
    after(&state, &ctx, &user, &id, "documents", result, String::new()).await
}

async fn submit(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    token_or_refuse!(ctx, f);
    let body = StepBody { version: version_of(&f), on: form_day(&f) };
    let result = step(&state, &user, &id, body, Step::Submit).await.map(|_| ());
    after(&state, &ctx, &user, &id, "submit", result, String::new()).await
}

/// A final act waiting for its confirmation.
#[derive(Template)]
#[template(path = "application_confirm.html")]
struct ConfirmPage<'a> {
    ctx: &'a Ctx,
    a: Summary,
    action: &'static str,
    question: &'static str,
    button: &'static str,
    version: i64,
    reason: String,
    /// The documents the deficiency notice will list.
    listed: Vec<&'static str>,
    defective: Vec<String>,
}

/// Shows the confirmation page for a final act, after the same access check as the act itself.
#[expect(clippy::too_many_arguments, reason = "one call per final act, each naming its parts")]
async fn confirm_page(
    state: &AppState,
    ctx: &Ctx,
    user: &AuthUser,
    id: &str,
    access: Action,
    action: &'static str,
    f: &[(String, String)],
    listed: Vec<&'static str>,
) -> Result<Response, PageError> {
    let stored = reachable(state, user, id, access).await.or_page(ctx)?;
    let a = summary(state, ctx, user, &stored).await.or_page(ctx)?;
    let (question, button) = match action {
        "approve" => ("application.confirm_approve", "application.approve"),
        "reject" => ("application.confirm_reject", "application.reject"),
        "withdraw" => ("application.confirm_withdraw", "application.withdraw"),
        _ => ("application.confirm_deficient", "application.mark_deficient"),
    };
    let page = ConfirmPage {
        ctx,
        a,
        action,
        question: ctx.t(question),
        button: ctx.t(button),
        version: version_of(f),
        reason: field(f, "reason").to_owned(),
        listed,
        defective: fields(f, "defective"),
    };
    Ok(render(&page, StatusCode::OK))
}

fn confirmed(f: &[(String, String)]) -> bool {
    field(f, "confirmed") == "yes"
}

async fn mark_deficient(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    token_or_refuse!(ctx, f);
    let defective = fields(&f, "defective");
    if !confirmed(&f) {
        // A dry run of the domain's transition: the confirmation shows exactly what the notice will
        // list, and a notice that cannot be served is said at once, next to the form.
        let stored = reachable(&state, &user, &id, Action::DecideApplication).await.or_page(&ctx)?;
        let app = &stored.application;
        let ticked: Vec<Document> =
            app.checklist().into_iter().filter(|d| defective.iter().any(|c| c == d.code())).collect();
        let listed: Vec<&'static str> = match app.mark_deficient(&user.account.username, state.clock().today(), &ticked)
        {
            Ok(next) => next
                .deficiency_notice()
                .map(|n| n.missing().iter().map(|d| d.name(ctx.lang)).collect())
                .unwrap_or_default(),
            Err(t) => {
                return after(&state, &ctx, &user, &id, "deficient", Err(transition_error(t)), String::new()).await;
            }
        };
        return confirm_page(&state, &ctx, &user, &id, Action::DecideApplication, "deficient", &f, listed).await;
    }
    let body = DeficiencyBody { defective, version: version_of(&f), on: None };
    let result = serve_deficiency_notice(&state, &user, &id, body).await.map(|_| ());
    after(&state, &ctx, &user, &id, "deficient", result, String::new()).await
}

async fn approve(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    token_or_refuse!(ctx, f);
    if !confirmed(&f) {
        return confirm_page(&state, &ctx, &user, &id, Action::DecideApplication, "approve", &f, Vec::new()).await;
    }
    let body = StepBody { version: version_of(&f), on: None };
    let result = step(&state, &user, &id, body, Step::Approve).await.map(|_| ());
    after(&state, &ctx, &user, &id, "approve", result, String::new()).await
}

async fn reject(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    token_or_refuse!(ctx, f);
    let reason = field(&f, "reason").trim().to_owned();
    // A blank or unusable reason is said next to the field before asking for confirmation.
    let check = match free_text(&reason, "reason", MAX_TEXT) {
        Ok(()) if reason.is_empty() => {
            Err(said(StatusCode::UNPROCESSABLE_ENTITY, "required", "application.reason_required"))
        }
        other => other,
    };
    if let Err(e) = check {
        let e = match reachable(&state, &user, &id, Action::DecideApplication).await {
            Ok(_) => e,
            Err(access) => access,
        };
        return after(&state, &ctx, &user, &id, "reject", Err(e), reason).await;
    }
    if !confirmed(&f) {
        return confirm_page(&state, &ctx, &user, &id, Action::DecideApplication, "reject", &f, Vec::new()).await;
    }
    let body = RejectBody { reason: reason.clone(), version: version_of(&f), on: None };
    let result = crate::service::applications::reject_application(&state, &user, &id, body).await;
    after(&state, &ctx, &user, &id, "reject", result.map(|_| ()), reason).await
}

async fn withdraw(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    token_or_refuse!(ctx, f);
    if !confirmed(&f) {
        return confirm_page(&state, &ctx, &user, &id, Action::PrepareApplication, "withdraw", &f, Vec::new()).await;
    }
    let body = StepBody { version: version_of(&f), on: None };
    let result = step(&state, &user, &id, body, Step::Withdraw).await.map(|_| ());
    after(&state, &ctx, &user, &id, "withdraw", result, String::new()).await
}

// ---------------------------------------------------------------------------------------------
// Printable forms
// ---------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "application_print.html")]
struct PrintPage<'a> {
    ctx: &'a Ctx,
    a: Summary,
    copies: [&'static str; 3],
}

#[derive(Template)]
#[template(path = "application_refusal.html")]
struct RefusalPage<'a> {
    ctx: &'a Ctx,
    a: Summary,
    refusal: RefusalView,
}

#[derive(Template)]
#[template(path = "application_notice.html")]
struct NoticePage<'a> {
    ctx: &'a Ctx,
    a: Summary,
    notice: NoticeView,
}

async fn load_summary(state: &AppState, ctx: &Ctx, user: &AuthUser, id: &str) -> Result<Summary, ApiError> {
    id_of(id)?;
    let stored = reachable(state, user, id, Action::View).await?;
    summary(state, ctx, user, &stored).await
}

async fn print(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let a = load_summary(&state, &ctx, &user, &id).await.or_page(&ctx)?;
    let copies = [ctx.t("application.copy1"), ctx.t("application.copy2"), ctx.t("application.copy3")];
    Ok(render(&PrintPage { ctx: &ctx, a, copies }, StatusCode::OK))
}

async fn refusal(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let mut a = load_summary(&state, &ctx, &user, &id).await.or_page(&ctx)?;
    match a.refusal.take() {
        Some(refusal) => Ok(render(&RefusalPage { ctx: &ctx, a, refusal }, StatusCode::OK)),
        None => Err(ctx.page_error(said(StatusCode::CONFLICT, "not_refused", "application.not_refused"))),
    }
}

async fn notice(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let mut a = load_summary(&state, &ctx, &user, &id).await.or_page(&ctx)?;
    match a.notice.take() {
        Some(notice) => Ok(render(&NoticePage { ctx: &ctx, a, notice }, StatusCode::OK)),
        None => Err(ctx.page_error(said(StatusCode::CONFLICT, "no_notice", "application.no_notice"))),
    }
}
