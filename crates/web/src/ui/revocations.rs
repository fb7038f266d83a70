//! Revocation (注销, 穗人社发〔2014〕4号 第六条) from a browser: proposing with a reason from the
//! policy's list, the review queue, confirming or dismissing a proposal, and the evidence its
//! rules read (contact attempts, refusals of services) logged in two clicks. Each step calls the
//! API's handler, so the checks (role, jurisdiction, versions, the proposer not deciding) are the
//! API's own.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use yuanzhu_domain::access::{Action, mask_id_number};
use yuanzhu_domain::revocation::{ContactChannel, Service};
use yuanzhu_rules::Lang;
use yuanzhu_storage::revocations as store_revocations;
use yuanzhu_storage::{persons, search};

use super::{Ctx, OrPage, Page, PageError, form_token_ok, render};
use crate::auth::{AuthUser, csrf_error};
use crate::error::ApiError;
use crate::service::revocations::{
    Decision, NewContact, NewProposal, NewRefusal, ProposalJson, decide, log_contact, log_refusal, open_proposals,
    proposal, propose,
};
use crate::state::AppState;

/// This area's strings: (key, zh-CN, en).
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("revoke.title", "提议注销认定", "Propose revocation"),
    ("revoke.confirm_note", "核查情况（可选）", "What you checked (optional)"),
    ("revoke.queue_title", "注销提议待审核", "Revocation proposals to review"),
    ("revoke.proposal_title", "注销提议", "Revocation proposal"),
    ("revoke.reason", "注销原因（按政策列举）", "Reason (from the policy's list)"),
    ("revoke.choose", "请选择", "Choose one"),
    ("revoke.note", "情况说明", "What is being reported"),
    (
        "revoke.note_hint",
        "写明事实及来源，例如：已于某公司签订劳动合同。",
        "State the fact and its source, e.g. signed a labour contract with a company.",
    ),
    ("revoke.review", "核对后提交", "Review before sending"),
    ("revoke.check", "请核对以下内容，确认无误后提交审核。", "Check the proposal below, then send it for review."),
    ("revoke.send", "确认提交注销提议", "Send the proposal"),
    ("revoke.edit", "返回修改", "Change it"),
    ("revoke.person", "人员", "Person"),
    ("revoke.article", "依据条款", "Article"),
    ("revoke.policy", "政策", "Policy"),
    ("revoke.proposed_by", "提议人", "Proposed by"),
    ("revoke.proposed_on", "提议日期", "Proposed on"),
    ("revoke.by_rule", "（规则自动提出）", "(made by a rule)"),
    ("revoke.state", "状态", "State"),
    ("revoke.decided_by", "审核人", "Decided by"),
    ("revoke.decided_on", "审核日期", "Decided on"),
    ("revoke.decision_note", "不予注销理由", "Why it was dismissed"),
    ("revoke.empty", "您的管辖范围内没有待审核的注销提议。", "No open proposals in your jurisdiction."),
    ("revoke.shown_of", "显示前100条，共", "Showing the first 100 of"),
    ("revoke.open", "查看", "Open"),
    ("revoke.confirm", "确认注销", "Confirm revocation"),
    ("revoke.confirm_warning", "确认后该人员的认定将终止。", "Once confirmed, the person's recognition ends."),
    ("revoke.confirm_final", "确认注销（认定终止）", "Confirm: the recognition ends"),
    ("revoke.dismiss", "不予注销", "Dismiss"),
    ("revoke.dismiss_note", "不予注销的理由", "Why the proposal is dismissed"),
    ("revoke.dismiss_required", "不予注销须写明理由。", "Dismissing a proposal needs a reason."),
    (
        "revoke.conflict",
        "该提议已被他人处理或修改，以下为最新内容，请重新核对。",
        "Someone else changed or decided this proposal meanwhile: here it is as it stands now. Check it again.",
    ),
    ("revoke.proposed_done", "注销提议已提交，等待审核。", "The proposal was sent for review."),
    ("revoke.confirmed_done", "已确认注销，该人员的认定已终止。", "Confirmed: the person's recognition has ended."),
    ("revoke.dismissed_done", "已不予注销，认定继续有效。", "Dismissed: the recognition stands."),
    ("revoke.to_file", "查看个人档案", "Open the person's file"),
    ("revoke.nothing", "该人员目前没有可注销的认定。", "The person holds no status that can be revoked."),
    ("revoke.state.proposed", "待审核", "Awaiting review"),
    ("revoke.state.confirmed", "已注销", "Confirmed"),
    ("revoke.state.dismissed", "不予注销", "Dismissed"),
    ("contact.title", "登记联系情况", "Log a contact attempt"),
    (
        "contact.hint",
        "点击对应按钮即记录一次联系（第六条第（五）项：连续1个月无法联络的将提议注销）。",
        "One click logs an attempt (Article 6(5): a person unreachable for a month is proposed for revocation).",
    ),
    ("contact.note", "备注（可不填）", "Note (optional)"),
    ("contact.channel", "联系方式", "Channel"),
    ("contact.reached", "已联系上", "Reached"),
    ("contact.not_reached", "未联系上", "Not reached"),
    ("contact.refusal_title", "登记拒绝就业服务", "Log a refusal of services"),
    (
        "contact.refusal_hint",
        "第六条第（二）项：拒绝职业介绍、职业指导等就业服务。",
        "Article 6(2): refused job referral, career guidance or other employment services.",
    ),
    ("contact.service", "拒绝的服务", "Service refused"),
    ("contact.refusal_note", "说明", "What was offered and refused"),
    ("contact.log_refusal", "登记拒绝", "Log the refusal"),
    ("contact.recent", "最近的联系记录", "Recent attempts"),
    ("contact.channel.phone", "电话", "Phone"),
    ("contact.channel.text_message", "短信", "Text message"),
    ("contact.channel.home_visit", "入户家访", "Home visit"),
    ("contact.channel.letter", "信函", "Letter"),
    ("contact.channel.online", "网上", "Online"),
    ("contact.channel.at_office", "本人来访或来电", "Came to the office or called"),
    ("contact.service.job_referral", "职业介绍", "Job referral"),
    ("contact.service.career_guidance", "职业指导", "Career guidance"),
    ("contact.service.vocational_training", "职业培训", "Vocational training"),
    ("contact.service.public_welfare_post", "公益性岗位安置", "Public welfare post"),
    ("contact.service.other", "其他就业服务", "Other employment service"),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/p/{person_id}/revoke", get(propose_form).post(propose_submit))
        .route("/revocations", get(queue_page))
        .route("/revocations/{id}", get(proposal_page))
        .route("/revocations/{id}/confirm", post(confirm_submit))
        .route("/revocations/{id}/dismiss", post(dismiss_submit))
        .route("/p/{person_id}/contact", get(contact_page).post(contact_submit))
        .route("/p/{person_id}/refusal", post(refusal_submit))
}

/// The message of an API error in the page's language.
fn said(ctx: &Ctx, e: &ApiError) -> String {
    match ctx.lang {
        Lang::Zh => e.zh.clone(),
        Lang::En => e.en.clone(),
    }
}

/// The person's ID number from the record key in the URL, if the user may do `action` on them
/// (404 outside the jurisdiction, 403 for a role without the action, as the API answers).
async fn person_of(state: &AppState, user: &AuthUser, person_id: &str, action: Action) -> Result<String, ApiError> {
    if person_id.len() > 64 {
        return Err(ApiError::not_found());
    }
    let id_number = search::id_number_of(&state.store, person_id).await?.ok_or_else(ApiError::not_found)?;
    user.person(state, &id_number, action).await?;
    Ok(id_number)
}

// ---------------------------------------------------------------------------------------------
// Proposing
// ---------------------------------------------------------------------------------------------

/// A reason the person's policies list: its code, name and article(s).
struct ReasonOption {
    code: String,
    name: String,
    citation: String,
}

#[derive(Template)]
#[template(path = "revocation_propose.html")]
struct ProposePage<'a> {
    ctx: &'a Ctx,
    person_id: String,
    name: String,
    id_number: String,
    reasons: Vec<ReasonOption>,
    reason: String,
    note: String,
    reason_error: Option<String>,
    note_error: Option<String>,
    /// Shown above the form: a problem that belongs to no field.
    error: Option<String>,
    /// The confirmation step: the proposal as it will be sent.
    reviewing: bool,
}

impl ProposePage<'_> {
    fn chosen(&self) -> Option<&ReasonOption> {
        self.reasons.iter().find(|r| r.code == self.reason)
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct ProposeForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    /// Present on the confirmation step's button: send it.
    send: Option<String>,
    /// Present on the confirmation step's other button: back to the form.
    edit: Option<String>,
}

/// The reasons of the policies under which the person holds a recognition today (else of the
/// policy in force), one option per reason with every article that lists it.
fn reasons_for(ctx: &Ctx, state: &AppState, file: &persons::PersonFile) -> Vec<ReasonOption> {
    let mut policies: Vec<&yuanzhu_rules::Policy> = file
        .recognitions
        .iter()
        .filter(|r| r.ended_on.is_none())
        .filter_map(|r| state.policies.by_id(&r.policy))
        .collect();
    if policies.is_empty() {
        policies.extend(state.policies.in_force_on(state.clock().today()));
    }
    let mut out: Vec<ReasonOption> = Vec::new();
    for policy in policies {
        for r in &policy.revocation_reasons {
            let citation = format!("{} {}", policy.document, r.citation);
            match out.iter_mut().find(|o| o.code == r.code) {
                Some(o) if !o.citation.contains(&citation) => o.citation = format!("{}；{citation}", o.citation),
                Some(_) => {}
                None => out.push(ReasonOption {
                    code: r.code.clone(),
                    name: if ctx.lang == Lang::Zh { r.name.clone() } else { r.name_en.clone() },
                    citation,
                }),
            }
        }
    }
    out
}

async fn propose_page<'a>(
    state: &AppState,
    ctx: &'a Ctx,
    user: &AuthUser,
    person_id: &str,
) -> Result<ProposePage<'a>, ApiError> {
    let id_number = person_of(state, user, person_id, Action::ProposeRevocation).await?;
    let file = persons::file(&state.store, &id_number).await?.ok_or_else(ApiError::not_found)?;
    let shown = if ctx.may("view_identity") { id_number.clone() } else { mask_id_number(&id_number) };
    Ok(ProposePage {
        ctx,
        person_id: person_id.to_owned(),
        name: file.person.name.clone(),
        id_number: shown,
        reasons: reasons_for(ctx, state, &file),
        reason: String::new(),
        note: String::new(),
        reason_error: None,
        note_error: None,
        error: None,
        reviewing: false,
    })
}

async fn propose_form(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
) -> Result<Response, PageError> {
    let page = propose_page(&state, &ctx, &user, &person_id).await.or_page(&ctx)?;
    Ok(render(&page, StatusCode::OK))
}

async fn propose_submit(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
    Form(f): Form<ProposeForm>,
) -> Result<Response, PageError> {
    if !form_token_ok(&ctx, &f.csrf_token) {
        return Err(ctx.page_error(csrf_error()));
    }
    let mut page = propose_page(&state, &ctx, &user, &person_id).await.or_page(&ctx)?;
    page.reason = f.reason.trim().to_owned();
    page.note = f.note.trim().to_owned();
    if page.chosen().is_none() {
        page.reason_error = Some(ctx.t("revoke.choose").to_owned());
    }
    if page.note.is_empty() {
        page.note_error = Some(ctx.t("revoke.note_hint").to_owned());
    }
    if page.reason_error.is_some() || page.note_error.is_some() {
        return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY));
    }
    if f.edit.is_some() {
        return Ok(render(&page, StatusCode::OK));
    }
    if f.send.is_none() {
        page.reviewing = true;
        return Ok(render(&page, StatusCode::OK));
    }
    let Ok(id_number) = search::id_number_of(&state.store, &person_id).await else {
        return Err(ctx.page_error(ApiError::not_found()));
    };
    let body = NewProposal { reason: page.reason.clone(), note: page.note.clone(), on: None };
    let made = propose(&state, &user, &id_number.unwrap_or_default(), body).await;
    let e = match made {
        Ok(made) => {
            let id = made.first().map_or("", |p| p.id.as_str());
            return Ok(Redirect::to(&format!("/revocations/{id}?done=proposed")).into_response());
        }
        Err(e) => e,
    };
    match e.field.as_deref() {
        Some("reason") if e.code == "nothing_to_revoke" => page.error = Some(ctx.t("revoke.nothing").to_owned()),
        Some("reason") => page.reason_error = Some(said(&ctx, &e)),
        Some("note") => page.note_error = Some(said(&ctx, &e)),
        _ if e.status == StatusCode::NOT_FOUND || e.status == StatusCode::FORBIDDEN => return Err(ctx.page_error(e)),
        _ => page.error = Some(said(&ctx, &e)),
    }
    Ok(render(&page, e.status))
}

// ---------------------------------------------------------------------------------------------
// The queue and one proposal
// ---------------------------------------------------------------------------------------------

/// Rows the queue shows at most; the count says how many there are.
const QUEUE_ROWS: usize = 100;

#[derive(Template)]
#[template(path = "revocation_queue.html")]
struct QueuePage<'a> {
    ctx: &'a Ctx,
    total: i64,
    rows: Vec<ProposalJson>,
}

impl QueuePage<'_> {
    fn reason_name<'p>(&self, p: &'p ProposalJson) -> &'p str {
        reason_name(self.ctx, p)
    }
}

fn reason_name<'p>(ctx: &Ctx, p: &'p ProposalJson) -> &'p str {
    let name = if ctx.lang == Lang::Zh { &p.reason_name } else { &p.reason_name_en };
    if name.is_empty() { &p.reason } else { name }
}

async fn queue_page(State(state): State<AppState>, Page(ctx, user): Page) -> Result<Response, PageError> {
    let mut rows = open_proposals(&state, &user).await.or_page(&ctx)?;
    let total = rows.len() as i64;
    rows.truncate(QUEUE_ROWS);
    Ok(render(&QueuePage { ctx: &ctx, total, rows }, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "revocation_proposal.html")]
struct ProposalPage<'a> {
    ctx: &'a Ctx,
    p: ProposalJson,
    /// The person's record key, for the link to the file.
    person_id: String,
    may_decide: bool,
    /// The confirmation step of a confirmation.
    confirming: bool,
    done: Option<&'static str>,
    dismiss_note: String,
    dismiss_error: Option<String>,
    /// The reviewer's note on a confirmation, carried through its confirmation step.
    confirm_note: String,
    error: Option<String>,
}

impl ProposalPage<'_> {
    fn reason_name(&self) -> &str {
        reason_name(self.ctx, &self.p)
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn proposal_view<'a>(
    state: &AppState,
    ctx: &'a Ctx,
    user: &AuthUser,
    id: &str,
) -> Result<ProposalPage<'a>, ApiError> {
    let p = proposal(state, user, id).await?;
    let person_id = search::reach(&state.store, &full_id_number(state, id).await?, &user.account.id)
        .await?
        .map(|r| r.person_id)
        .unwrap_or_default();
    Ok(ProposalPage {
        ctx,
        may_decide: p.state == "proposed" && ctx.may("decide_revocation") && p.proposed_by != user.account.username,
        p,
        person_id,
        confirming: false,
        done: None,
        dismiss_note: String::new(),
        dismiss_error: None,
        confirm_note: String::new(),
        error: None,
    })
}

/// The proposal's ID number in full (the page may show it masked), to find the person's record.
async fn full_id_number(state: &AppState, id: &str) -> Result<String, ApiError> {
    let p = store_revocations::proposal(&state.store, id).await.map_err(|e| ApiError::internal(e.to_string()))?;
    p.map(|p| p.id_number).ok_or_else(ApiError::not_found)
}

async fn proposal_page(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> Result<Response, PageError> {
    let mut page = proposal_view(&state, &ctx, &user, &id).await.or_page(&ctx)?;
    page.done = match q.done.as_deref() {
        Some("proposed") => Some("revoke.proposed_done"),
        Some("confirmed") => Some("revoke.confirmed_done"),
        Some("dismissed") => Some("revoke.dismissed_done"),
        _ => None,
    };
    Ok(render(&page, StatusCode::OK))
}

#[derive(Debug, serde::Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    note: String,
    /// Present on the confirmation step's button.
    sure: Option<String>,
}

/// The decision through its use case; a conflict or a refusal shows the proposal as it now
/// stands, with the message.
async fn decided(
    state: &AppState,
    ctx: &Ctx,
    user: AuthUser,
    id: &str,
    f: &DecisionForm,
    confirm: bool,
) -> Result<Response, PageError> {
    let version = f.version.trim().parse::<i64>().unwrap_or(-1);
    let note = Some(f.note.trim().to_owned()).filter(|n| !confirm || !n.is_empty());
    let body = Decision { confirm, note: note.clone(), version, on: None };
    match decide(state, &user, id, body).await {
        Ok(_) => {
            let done = if confirm { "confirmed" } else { "dismissed" };
            Ok(Redirect::to(&format!("/revocations/{id}?done={done}")).into_response())
        }
        Err(e) if e.status == StatusCode::NOT_FOUND => Err(ctx.page_error(e)),
        Err(e) => {
            let mut page = proposal_view(state, ctx, &user, id).await.or_page(ctx)?;
            if e.status == StatusCode::CONFLICT {
                page.error = Some(ctx.t("revoke.conflict").to_owned());
            } else if e.field.as_deref() == Some("note") {
                page.dismiss_error = Some(said(ctx, &e));
                page.dismiss_note = note.unwrap_or_default();
            } else {
                page.error = Some(said(ctx, &e));
            }
            Ok(render(&page, e.status))
        }
    }
}

async fn confirm_submit(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, PageError> {
    if !form_token_ok(&ctx, &f.csrf_token) {
        return Err(ctx.page_error(csrf_error()));
    }
    if f.sure.is_none() {
        let mut page = proposal_view(&state, &ctx, &user, &id).await.or_page(&ctx)?;
        page.confirming = true;
        page.confirm_note = f.note.trim().to_owned();
        return Ok(render(&page, StatusCode::OK));
    }
    decided(&state, &ctx, user, &id, &f, true).await
}

async fn dismiss_submit(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> Result<Response, PageError> {
    if !form_token_ok(&ctx, &f.csrf_token) {
        return Err(ctx.page_error(csrf_error()));
    }
    if f.note.trim().is_empty() {
        let mut page = proposal_view(&state, &ctx, &user, &id).await.or_page(&ctx)?;
        page.dismiss_error = Some(ctx.t("revoke.dismiss_required").to_owned());
        return Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY));
    }
    decided(&state, &ctx, user, &id, &f, false).await
}

// ---------------------------------------------------------------------------------------------
// Contact attempts and refusals
// ---------------------------------------------------------------------------------------------

/// One button: a channel, and whether the person was reached.
struct Attempt {
    channel: &'static str,
    reached: bool,
}

struct RecentContact {
    on: String,
    channel: String,
    reached: bool,
    note: String,
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage<'a> {
    ctx: &'a Ctx,
    person_id: String,
    name: String,
    attempts: Vec<Attempt>,
    services: Vec<&'static str>,
    recent: Vec<RecentContact>,
    error: Option<String>,
    service_error: Option<String>,
    /// What was typed into the form that was refused (an attempt's note, or a refusal's service
    /// and note): kept, so that an error never costs the user what they wrote.
    typed: Typed,
}

#[derive(Debug, Default)]
struct Typed {
    note: String,
    service: String,
    refusal_note: String,
}

/// Attempts shown on the page, newest first.
const RECENT_CONTACTS: usize = 10;

async fn contact_view<'a>(
    state: &AppState,
    ctx: &'a Ctx,
    user: &AuthUser,
    person_id: &str,
) -> Result<ContactPage<'a>, ApiError> {
    let id_number = person_of(state, user, person_id, Action::LogContact).await?;
    let name = persons::file(&state.store, &id_number).await?.map(|f| f.person.name).ok_or_else(ApiError::not_found)?;
    let mut recent: Vec<RecentContact> = store_revocations::contacts(&state.store, &id_number)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?
        .into_iter()
        .map(|c| RecentContact { on: c.on, channel: c.channel.code().to_owned(), reached: c.reached, note: c.note })
        .collect();
    recent.reverse();
    recent.truncate(RECENT_CONTACTS);
    let mut attempts = Vec::new();
    for channel in ContactChannel::ALL.map(ContactChannel::code) {
        attempts.push(Attempt { channel, reached: true });
        // Coming to the office or calling in is being reached.
        if channel != "at_office" {
            attempts.push(Attempt { channel, reached: false });
        }
    }
    Ok(ContactPage {
        ctx,
        person_id: person_id.to_owned(),
        name,
        attempts,
        services: Service::ALL.map(Service::code).to_vec(),
        recent,
        error: None,
        service_error: None,
        typed: Typed::default(),
    })
}

async fn contact_page(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
) -> Result<Response, PageError> {
    let page = contact_view(&state, &ctx, &user, &person_id).await.or_page(&ctx)?;
    Ok(render(&page, StatusCode::OK))
}

#[derive(Debug, serde::Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    csrf_token: String,
    /// `channel:reached` from the button pressed (`phone:1`), or the two fields below.
    attempt: Option<String>,
    channel: Option<String>,
    reached: Option<String>,
    #[serde(default)]
    note: String,
}

fn truthy(text: &str) -> bool {
    matches!(text.trim(), "1" | "true" | "yes" | "on")
}

async fn contact_submit(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
    Form(f): Form<ContactForm>,
) -> Result<Response, PageError> {
    if !form_token_ok(&ctx, &f.csrf_token) {
        return Err(ctx.page_error(csrf_error()));
    }
    let (channel, reached) = match f.attempt.as_deref().and_then(|a| a.split_once(':')) {
        Some((c, r)) => (c.to_owned(), truthy(r)),
        None => (f.channel.clone().unwrap_or_default(), f.reached.as_deref().is_some_and(truthy)),
    };
    let id_number = person_of(&state, &user, &person_id, Action::LogContact).await.or_page(&ctx)?;
    let note = f.note.trim();
    let body = NewContact { channel, reached, note: (!note.is_empty()).then(|| note.to_owned()), on: None };
    match log_contact(&state, &user, &id_number, body).await {
        Ok(_) => Ok(Redirect::to(&format!("/p/{person_id}?done=contact#contacts-h")).into_response()),
        Err(e) => {
            let typed = Typed { note: f.note, ..Typed::default() };
            contact_error(&state, &ctx, &user, &person_id, &e, false, typed).await
        }
    }
}

async fn contact_error(
    state: &AppState,
    ctx: &Ctx,
    user: &AuthUser,
    person_id: &str,
    e: &ApiError,
    refusal: bool,
    typed: Typed,
) -> Result<Response, PageError> {
    if e.status == StatusCode::NOT_FOUND || e.status == StatusCode::FORBIDDEN {
        return Err(ctx.page_error(e.clone()));
    }
    let mut page = contact_view(state, ctx, user, person_id).await.or_page(ctx)?;
    page.typed = typed;
    if refusal {
        page.service_error = Some(said(ctx, e));
    } else {
        page.error = Some(said(ctx, e));
    }
    Ok(render(&page, e.status))
}

#[derive(Debug, serde::Deserialize)]
pub struct RefusalForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    service: String,
    #[serde(default)]
    note: String,
}

async fn refusal_submit(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
    Form(f): Form<RefusalForm>,
) -> Result<Response, PageError> {
    if !form_token_ok(&ctx, &f.csrf_token) {
        return Err(ctx.page_error(csrf_error()));
    }
    let id_number = person_of(&state, &user, &person_id, Action::LogContact).await.or_page(&ctx)?;
    let note = f.note.trim();
    let body = NewRefusal { service: f.service.clone(), note: (!note.is_empty()).then(|| note.to_owned()), on: None };
    match log_refusal(&state, &user, &id_number, body).await {
        Ok(_) => Ok(Redirect::to(&format!("/p/{person_id}?done=refusal#tl-h")).into_response()),
        Err(e) => {
            let typed = Typed { service: f.service, refusal_note: f.note, ..Typed::default() };
            contact_error(&state, &ctx, &user, &person_id, &e, true, typed).await
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_channel_and_service_has_a_label() {
        use yuanzhu_domain::revocation::{ContactChannel, Service};
        for c in ContactChannel::ALL.map(ContactChannel::code) {
            assert!(super::super::i18n::has(&format!("contact.channel.{c}")), "{c}");
        }
        for s in Service::ALL.map(Service::code) {
            assert!(super::super::i18n::has(&format!("contact.service.{s}")), "{s}");
        }
        for s in ["proposed", "confirmed", "dismissed"] {
            assert!(super::super::i18n::has(&format!("revoke.state.{s}")), "{s}");
        }
    }
}
