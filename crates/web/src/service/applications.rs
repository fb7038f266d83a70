//! Applications for recognition (认定申请): the hardship application of 穗人社发〔2014〕4号 第五条
//! ("应向户籍所在街（镇）公共就业服务机构申办特困失业人员认定手续"), and the application of
//! 粤人社规〔2023〕11号 chapter 2. The state machine is the domain's
//! (`yuanzhu_domain::application`); every change names the version it was decided on, so two
//! caseworkers on one file cannot overwrite each other.
//!
//! Preparing the file (open, documents, commitments, submit, withdraw) is the caseworker's
//! ([`Action::PrepareApplication`]); reviewing it (deficiency notice, approve, reject) is the
//! street office's ([`Action::DecideApplication`]).

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use yuanzhu_domain::access::{Action, mask_id_number, role_allows};
use yuanzhu_domain::application::{
    Application, CategoryError, Document, Provision, State as ApplicationState, StateKind, TransitionError,
};
use yuanzhu_rules::{Date, Lang, Policy, PolicySet};
use yuanzhu_storage::StoreError;
use yuanzhu_storage::applications::{self, ApplicationError, StoredApplication, WaitingForDocuments};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;
use crate::words::Describe;
// Shared by every use case; callers elsewhere are moving to `crate::service::common`.
use crate::service::common::{MAX_TEXT, day_of, free_text, id_of, within_reach};
// ---------------------------------------------------------------------------------------------
// Errors and small parsers shared with the revocation endpoints
// ---------------------------------------------------------------------------------------------

/// An application error as the API answers it: 404 for anything not found (alike, so that
/// existence outside the jurisdiction does not leak), 409 for a change the application's state
/// does not allow or a stale version, 422 for a wrong field.
pub(crate) fn application_error(e: ApplicationError) -> ApiError {
    use TransitionError as T;
    let status = match &e {
        ApplicationError::PersonNotFound { .. } | ApplicationError::NotFound { .. } => return ApiError::not_found(),
        ApplicationError::Store(StoreError::Conflict { .. })
        | ApplicationError::AlreadyRecognised { .. }
        | ApplicationError::AlreadyOpen { .. } => StatusCode::CONFLICT,
        ApplicationError::Store(other) => return ApiError::internal(other),
        ApplicationError::UnitPrefix { .. } => StatusCode::BAD_REQUEST,
        ApplicationError::PolicyNotInForce { .. } | ApplicationError::RulesNotMet { .. } => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ApplicationError::Transition(t) => match t {
            T::NotAllowed { .. }
            | T::Incomplete { .. }
            | T::StillIncomplete { .. }
            | T::SecondDeficiencyNotice { .. } => StatusCode::CONFLICT,
            T::NoCreation => return ApiError::internal(t),
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        },
    };
    ApiError::localized(status, e.code(), e.field(), |lang| e.message(lang))
}

pub(crate) fn transition_error(e: TransitionError) -> ApiError {
    application_error(ApplicationError::Transition(e))
}

pub(crate) fn document_of(code: &str, field: &'static str, checklist: &[Document]) -> Result<Document, ApiError> {
    Document::all().into_iter().find(|d| d.code() == code).ok_or_else(|| {
        let codes: Vec<&str> = checklist.iter().map(|d| d.code()).collect();
        ApiError::unprocessable(
            "unknown_document",
            Some(field),
            format!("{field}（材料）：没有代码为“{code}”的材料；本申请的材料清单为：{}", codes.join("、")),
            format!("{field}: there is no document `{code}`; this application's checklist is: {}", codes.join(", ")),
        )
    })
}

/// Document codes, each once, in the order given; at least one.
pub(crate) fn documents_of(
    codes: &[String],
    field: &'static str,
    checklist: &[Document],
) -> Result<Vec<Document>, ApiError> {
    if codes.is_empty() {
        return Err(ApiError::unprocessable(
            "required",
            Some(field),
            format!("{field}（材料）：至少列出一份材料"),
            format!("{field}: name at least one document"),
        ));
    }
    let mut out: Vec<Document> = Vec::with_capacity(codes.len());
    for code in codes {
        let d = document_of(code.trim(), field, checklist)?;
        if !out.contains(&d) {
            out.push(d);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// The application as JSON
// ---------------------------------------------------------------------------------------------

/// A document named by its code, in both languages.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentRef {
    /// Stable code, for example `hardship_application_form`.
    pub document: String,
    pub name: String,
    pub name_en: String,
}

impl DocumentRef {
    pub(crate) fn of(d: Document) -> DocumentRef {
        DocumentRef {
            document: d.code().to_owned(),
            name: d.name(Lang::Zh).to_owned(),
            name_en: d.name(Lang::En).to_owned(),
        }
    }
}

/// One line of the checklist: what the policy asks for, and whether it has been supplied.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistItem {
    pub document: String,
    pub name: String,
    pub name_en: String,
    /// The article that asks for it (第五条第（一）项 …).
    pub citation: String,
    /// Read from a secondary copy or inferred, not from the policy's own text.
    pub provisional: bool,
    /// Whether a written commitment may stand in for it (告知承诺制, gd-2023-11 only).
    pub accepts_commitment: bool,
    /// `provided` or `commitment_in_lieu_of_proof`; absent while missing.
    pub supplied: Option<String>,
    /// The day it was supplied.
    pub supplied_on: Option<String>,
}

/// 一次性告知书: everything missing, told once.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeficiencyNoticeJson {
    pub served_on: String,
    pub served_by: String,
    /// Everything the notice listed.
    pub missing: Vec<DocumentRef>,
}

/// 《不予认定就业困难人员告知书》.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefusalNoticeJson {
    pub reason: String,
    pub served_on: String,
    pub served_by: String,
}

/// The application's time limits, where its policy sets them.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deadlines {
    /// Last day for the district's review of a submitted file (gd-2023-11: 10 working days);
    /// absent if not submitted or if the policy sets no limit (gz-2014-4 sets none).
    pub review_deadline: Option<String>,
    pub review_overdue: bool,
    /// Days since the one-time deficiency notice, while the applicant completes the file.
    pub days_since_notice: Option<i64>,
    /// Last day to complete the file after the notice: no policy in force sets one, so absent.
    pub completion_deadline: Option<String>,
    pub completion_days_left: Option<i64>,
    /// Last day to ask for re-review (重核) after a refusal (gd-2023-11: 30 days).
    pub appeal_deadline: Option<String>,
    pub can_appeal: bool,
}

/// One recorded change.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// `create`, `provide`, `commit_in_lieu_of_proof`, `submit`, `mark_deficient`, `approve`,
    /// `reject` or `withdraw`, with its data (`document`, `defective`, `reason`).
    #[schema(value_type = Object)]
    pub action: serde_json::Value,
    pub by: String,
    pub on: String,
}

/// An application for recognition with its checklist, notices, deadlines and history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationJson {
    pub id: String,
    /// The number people read aloud and the printed forms carry: `SQ-`, the year received and its
    /// place in that year (`SQ-2026-000123`).
    pub number: String,
    /// Send it back with the next change: a change made on an older version is refused (409).
    pub version: i64,
    /// Masked for the roles that do not see identities.
    pub id_number: String,
    /// The street (town) office it was made at.
    pub unit_code: String,
    pub policy: String,
    pub category: String,
    /// The day the application was received (a back-dated one keeps its own): the day its facts
    /// are read on and its policy chosen by.
    pub received_on: String,
    /// `draft`, `submitted`, `deficient`, `approved`, `rejected` or `withdrawn`.
    pub state: String,
    pub state_name: String,
    pub state_name_en: String,
    pub checklist: Vec<ChecklistItem>,
    /// Codes of the checklist's documents not yet supplied, in checklist order.
    pub missing: Vec<String>,
    pub deficiency_notice: Option<DeficiencyNoticeJson>,
    pub refusal_notice: Option<RefusalNoticeJson>,
    pub deadlines: Deadlines,
    pub history: Vec<HistoryEntry>,
    pub created_at: String,
    pub updated_at: String,
}

impl ApplicationJson {
    pub(crate) fn of(stored: &StoredApplication, show_identity: bool, today: Date) -> ApplicationJson {
        let app: &Application = &stored.application;
        let checklist = app
            .checklist()
            .into_iter()
            .map(|d| {
                let (supplied, on) = match app.documents().get(&d) {
                    Some(Provision::Provided { on }) => (Some("provided"), Some(on.to_string())),
                    Some(Provision::CommitmentInLieuOfProof { signed_on }) => {
                        (Some("commitment_in_lieu_of_proof"), Some(signed_on.to_string()))
                    }
                    None => (None, None),
                };
                ChecklistItem {
                    document: d.code().to_owned(),
                    name: d.name(Lang::Zh).to_owned(),
                    name_en: d.name(Lang::En).to_owned(),
                    citation: d.citation(),
                    provisional: d.provisional(),
                    accepts_commitment: d.accepts_commitment(),
                    supplied: supplied.map(str::to_owned),
                    supplied_on: on,
                }
            })
            .collect();
        let kind = app.state().kind();
        let waiting = match app.state() {
            ApplicationState::Deficient { notice } => Some(notice),
            _ => None,
        };
        let completion = app.completion_deadline();
        let refusal_notice = match app.state() {
            ApplicationState::Rejected { notice } => Some(RefusalNoticeJson {
                reason: notice.reason().to_owned(),
                served_on: notice.served_on().to_string(),
                served_by: notice.served_by().to_owned(),
            }),
            _ => None,
        };
        ApplicationJson {
            id: stored.id.clone(),
            number: stored.number.clone(),
            version: stored.version,
            id_number: if show_identity { stored.id_number.clone() } else { mask_id_number(&stored.id_number) },
            unit_code: stored.unit_code.clone(),
            policy: app.category().policy().to_owned(),
            category: app.category().code().to_owned(),
            received_on: app.received_on().to_string(),
            state: kind.code().to_owned(),
            state_name: kind.name(Lang::Zh).to_owned(),
            state_name_en: kind.name(Lang::En).to_owned(),
            checklist,
            missing: app.missing().iter().map(|d| d.code().to_owned()).collect(),
            deficiency_notice: app.deficiency_notice().map(|n| DeficiencyNoticeJson {
                served_on: n.served_on().to_string(),
                served_by: n.served_by().to_owned(),
                missing: n.missing().iter().copied().map(DocumentRef::of).collect(),
            }),
            refusal_notice,
            deadlines: Deadlines {
                review_deadline: app.review_deadline().map(|d| d.to_string()),
                review_overdue: app.review_overdue(today),
                days_since_notice: waiting.map(|n| n.served_on().days_until(today)),
                completion_deadline: completion.map(|d| d.to_string()),
                completion_days_left: completion.map(|d| today.days_until(d)),
                appeal_deadline: app.appeal_deadline().map(|d| d.to_string()),
                can_appeal: app.can_appeal(today),
            },
            history: app
                .history()
                .iter()
                .map(|e| HistoryEntry {
                    action: serde_json::to_value(&e.action).unwrap_or(serde_json::Value::Null),
                    by: e.by.clone(),
                    on: e.on.to_string(),
                })
                .collect(),
            created_at: stored.created_at.clone(),
            updated_at: stored.updated_at.clone(),
        }
    }
}

pub(crate) fn answer(state: &AppState, user: &AuthUser, stored: &StoredApplication) -> ApplicationJson {
    ApplicationJson::of(stored, role_allows(user.user.role, Action::ViewIdentity), state.clock().today())
}

/// The application with this id if the user reaches its applicant (else 404, as for a missing
/// one), then 403 if the role does not allow `action`.
pub(crate) async fn reachable(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    action: Action,
) -> Result<StoredApplication, ApiError> {
    let stored = applications::load(&state.store, id_of(id)?)
        .await
        .map_err(application_error)?
        .ok_or_else(ApiError::not_found)?;
    user.person(state, &stored.id_number, action).await?;
    Ok(stored)
}

pub(crate) fn check_version(stored: &StoredApplication, version: i64) -> Result<(), ApiError> {
    if stored.version == version {
        Ok(())
    } else {
        Err(application_error(ApplicationError::Store(StoreError::Conflict {
            expected: version,
            found: stored.version,
        })))
    }
}

// ---------------------------------------------------------------------------------------------
// Opening
// ---------------------------------------------------------------------------------------------

/// Opens an application.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category": "hardship_low_income"}))]
pub struct NewApplication {
    /// The category applied for: under gz-2014-4 the sub-type of 第三条第（三）项
    /// (`hardship_long_term_older`, `hardship_zero_employment_family`, `hardship_low_income`,
    /// `hardship_single_parent`); under gd-2023-11 one of its twelve categories.
    pub category: String,
    /// The policy's id. When omitted: the policy in force on `on` if it lists the category, else
    /// the policy that does.
    pub policy: Option<String>,
    /// The day the application was received (YYYY-MM-DD); today when omitted.
    pub on: Option<String>,
}

pub(crate) fn policy_for<'p>(
    policies: &'p PolicySet,
    policy: Option<&str>,
    code: &str,
    on: Date,
) -> Result<&'p Policy, ApiError> {
    let category_error = |e: CategoryError| {
        ApiError::localized(StatusCode::UNPROCESSABLE_ENTITY, "unknown_category", Some(e.field()), |l| e.message(l))
    };
    if let Some(id) = policy {
        return policies.by_id(id).ok_or_else(|| {
            let e = CategoryError::UnknownPolicy { policy: id.to_owned() };
            ApiError { code: "unknown_policy".into(), ..category_error(e) }
        });
    }
    let lists = |p: &&Policy| p.categories.iter().any(|c| c.code == code);
    policies.in_force_on(on).filter(lists).or_else(|| policies.policies().iter().rev().find(lists)).ok_or_else(|| {
        ApiError::unprocessable(
            "unknown_category",
            Some("category"),
            format!("category（申请类别）：没有任何政策设有类别“{code}”"),
            format!("category: no policy has a category `{code}`"),
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Changes
// ---------------------------------------------------------------------------------------------

/// Documents received, or written commitments accepted in their place.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"documents": ["employment_unemployment_certificate", "hardship_application_form"], "version": 1}))]
pub struct DocumentsBody {
    /// Document codes from the application's checklist.
    pub documents: Vec<String>,
    /// The version the caseworker is looking at.
    pub version: i64,
    /// The day (YYYY-MM-DD); today when omitted.
    pub on: Option<String>,
}

#[derive(Clone, Copy)]
pub(crate) enum Supply {
    Paper,
    Commitment,
}

pub(crate) async fn supply(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    body: DocumentsBody,
    how: Supply,
) -> Result<ApplicationJson, ApiError> {
    let stored = reachable(state, user, id, Action::PrepareApplication).await?;
    let on = day_of(state.clock().today(), body.on.as_deref())?;
    let documents = documents_of(&body.documents, "documents", &stored.application.checklist())?;
    check_version(&stored, body.version)?;
    let actor = user.account.username.as_str();
    // All or none: each document is checked against the state machine before any is recorded.
    let mut app = stored.application.clone();
    for d in &documents {
        app = match how {
            Supply::Paper => app.provide(*d, actor, on),
            Supply::Commitment => app.commit_in_lieu_of_proof(*d, actor, on),
        }
        .map_err(transition_error)?;
    }
    let mut current = stored;
    for d in documents {
        current = match how {
            Supply::Paper => applications::provide(&state.store, id, d, actor, on, current.version).await,
            Supply::Commitment => {
                applications::commit_in_lieu_of_proof(&state.store, id, d, actor, on, current.version).await
            }
        }
        .map_err(application_error)?;
    }
    Ok(answer(state, user, &current))
}

/// A change that needs only the version and the day.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 3}))]
pub struct StepBody {
    pub version: i64,
    /// The day (YYYY-MM-DD); today when omitted.
    pub on: Option<String>,
}

/// The changes that need only the version and the day, and who may make them.
#[derive(Clone, Copy)]
pub(crate) enum Step {
    Submit,
    Approve,
    Withdraw,
}

pub(crate) async fn step(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    body: StepBody,
    step: Step,
) -> Result<ApplicationJson, ApiError> {
    let action = match step {
        Step::Submit | Step::Withdraw => Action::PrepareApplication,
        Step::Approve => Action::DecideApplication,
    };
    reachable(state, user, id, action).await?;
    let on = day_of(state.clock().today(), body.on.as_deref())?;
    let (store, actor, version) = (&state.store, user.account.username.as_str(), body.version);
    let stored = match step {
        Step::Submit => applications::submit(store, id, actor, on, version).await,
        Step::Approve => applications::approve(store, &state.policies, id, actor, on, version).await,
        Step::Withdraw => applications::withdraw(store, id, actor, on, version).await,
    }
    .map_err(application_error)?;
    Ok(answer(state, user, &stored))
}

/// The documents found defective in review.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"defective": ["hardship_application_form"], "version": 4}))]
pub struct DeficiencyBody {
    /// Codes of the documents found unusable; the notice adds everything else still missing.
    pub defective: Vec<String>,
    pub version: i64,
    /// The day (YYYY-MM-DD); today when omitted.
    pub on: Option<String>,
}

/// A refusal, with its reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "家庭成员中有人就业", "version": 4}))]
pub struct RejectBody {
    /// Why recognition is refused: it goes on the refusal notice served on the applicant.
    pub reason: String,
    pub version: i64,
    /// The day (YYYY-MM-DD); today when omitted.
    pub on: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// The queue
// ---------------------------------------------------------------------------------------------

/// Applications on a page of the queue.
pub const PAGE_ROWS: u32 = 50;

/// The queue's filters, in the order the page offers them.
pub const FILTERS: [&str; 8] = ["open", "submitted", "deficient", "draft", "approved", "rejected", "withdrawn", "all"];

/// A filter of the queue by its code (`open`, `submitted`, … `all`) and the states it stands for.
pub fn states_of(filter: &str) -> Option<Vec<StateKind>> {
    use StateKind::*;
    Some(match filter {
        "open" => vec![Draft, Submitted, Deficient],
        "all" => vec![],
        "draft" => vec![Draft],
        "submitted" => vec![Submitted],
        "deficient" => vec![Deficient],
        "approved" => vec![Approved],
        "rejected" => vec![Rejected],
        "withdrawn" => vec![Withdrawn],
        _ => return None,
    })
}

/// A page of the queue: the applications and the name of each applicant.
pub(crate) struct QueuePage {
    pub rows: Vec<(StoredApplication, String)>,
    /// How many applications the filter holds in all.
    pub total: i64,
    pub pages: u32,
}

/// The queue of applications (第五条) made at the user's offices in `states`, newest first, page
/// `page` (from 1): the `/applications` page and `GET /api/v1/applications` both read it here. The
/// office keeps its applications when an applicant moves; one who moved out of reach is left out
/// (their file would answer 404).
pub(crate) async fn queue_page(
    state: &AppState,
    user: &AuthUser,
    states: &[StateKind],
    page: u32,
) -> Result<QueuePage, ApiError> {
    user.require(Action::ListApplications)?;
    let prefix = user.user.unit_prefix().ok_or_else(ApiError::forbidden)?;
    let offset = (page.max(1) - 1).saturating_mul(PAGE_ROWS);
    let (listed, total) =
        applications::list(&state.store, prefix, states, applications::Order::NewestFirst, PAGE_ROWS, offset)
            .await
            .map_err(application_error)?;
    let rows = within_reach(state, user, listed, |(a, _)| a.id_number.as_str()).await?;
    Ok(QueuePage { rows, total, pages: (total.max(0) as u32).div_ceil(PAGE_ROWS).max(1) })
}

/// A page of the queue of applications.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationPageJson {
    /// The filter applied (`open` unless asked otherwise).
    pub state: String,
    pub page: u32,
    pub pages: u32,
    pub per_page: u32,
    /// Applications the filter holds in all, on every page.
    pub total: i64,
    pub applications: Vec<ApplicationRowJson>,
}

/// An application as a row of the queue: what a caseworker needs to pick it up. The ID number is
/// masked, as in every list; the whole application is at `/applications/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationRowJson {
    pub id: String,
    pub number: String,
    pub version: i64,
    pub id_number: String,
    pub name: String,
    /// The applicant's unit of residence when it was opened: its office received it.
    pub unit_code: String,
    pub policy: String,
    pub category: String,
    pub state: String,
    pub state_name: String,
    pub state_name_en: String,
    /// The day it was received (opened at the office).
    pub received_on: String,
    pub updated_at: String,
    /// Last day for the decision of a submitted file, where its policy sets one.
    pub review_deadline: Option<String>,
    pub review_overdue: bool,
    /// Days since the one-time deficiency notice, while the applicant completes the file.
    pub days_since_notice: Option<i64>,
}

impl ApplicationRowJson {
    pub(crate) fn of(stored: &StoredApplication, name: String, today: Date) -> ApplicationRowJson {
        let app = &stored.application;
        let kind = app.state().kind();
        let notice = match app.state() {
            ApplicationState::Deficient { notice } => Some(notice),
            _ => None,
        };
        ApplicationRowJson {
            id: stored.id.clone(),
            number: stored.number.clone(),
            version: stored.version,
            id_number: mask_id_number(&stored.id_number),
            name,
            unit_code: stored.unit_code.clone(),
            policy: app.category().policy().to_owned(),
            category: app.category().code().to_owned(),
            state: kind.code().to_owned(),
            state_name: kind.name(Lang::Zh).to_owned(),
            state_name_en: kind.name(Lang::En).to_owned(),
            received_on: app.history().first().map(|e| e.on.to_string()).unwrap_or_default(),
            updated_at: stored.updated_at.clone(),
            review_deadline: app.review_deadline().map(|d| d.to_string()),
            review_overdue: app.review_overdue(today),
            days_since_notice: notice.map(|n| n.served_on().days_until(today)),
        }
    }
}

/// What `GET /applications` answers: a page of the queue, or with `waiting=documents` the
/// deficient applications waiting for documents.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ApplicationsAnswer {
    Page(ApplicationPageJson),
    Waiting(Vec<WaitingJson>),
}

/// A deficient application waiting for documents. The ID number is masked, as in every list.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaitingJson {
    pub application_id: String,
    pub version: i64,
    pub id_number: String,
    pub name: String,
    pub unit_code: String,
    pub policy: String,
    pub category: String,
    pub notice_served_on: String,
    /// Everything the one-time notice listed.
    pub asked_for: Vec<DocumentRef>,
    /// What of it is still not supplied.
    pub still_missing: Vec<DocumentRef>,
    pub days_since_notice: i64,
    /// Last day to complete the file, where a policy sets one; none in force does, so absent.
    pub deadline: Option<String>,
    pub days_left: Option<i64>,
}

impl From<WaitingForDocuments> for WaitingJson {
    fn from(w: WaitingForDocuments) -> WaitingJson {
        WaitingJson {
            application_id: w.application_id,
            version: w.version,
            id_number: mask_id_number(&w.id_number),
            name: w.name,
            unit_code: w.unit_code,
            policy: w.policy,
            category: w.category.to_owned(),
            notice_served_on: w.notice_served_on.to_string(),
            asked_for: w.asked_for.into_iter().map(DocumentRef::of).collect(),
            still_missing: w.still_missing.into_iter().map(DocumentRef::of).collect(),
            days_since_notice: w.days_since_notice,
            deadline: w.deadline.map(|d| d.to_string()),
            days_left: w.days_left,
        }
    }
}

/// Deficient applications within the user's jurisdiction waiting for documents, longest wait first.
pub(crate) async fn waiting_queue(
    state: &AppState,
    user: &AuthUser,
    query: &QueueQuery,
) -> Result<Vec<WaitingJson>, ApiError> {
    user.require(Action::View)?;
    if query.waiting.as_deref().map(str::trim) != Some("documents") {
        return Err(ApiError::bad_request(
            "invalid_query",
            Some("waiting"),
            "waiting（待办）：目前只支持 waiting=documents（待补正材料的申请）",
            "waiting: only waiting=documents (applications waiting for documents) is supported",
        ));
    }
    // A social worker's reach is their assignments, wherever those persons live.
    let prefix = user.user.unit_prefix().unwrap_or("");
    let waiting = applications::waiting_for_documents(&state.store, prefix, state.clock().today())
        .await
        .map_err(application_error)?;
    // The office made the application; the applicant may have moved out of reach since.
    let waiting = within_reach(state, user, waiting, |w| &w.id_number).await?;
    Ok(waiting.into_iter().map(WaitingJson::from).collect())
}

/// Refuses an application, with the reason the refusal notice gives.
pub(crate) async fn reject_application(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    body: RejectBody,
) -> Result<StoredApplication, ApiError> {
    reachable(state, user, id, Action::DecideApplication).await?;
    let on = day_of(state.clock().today(), body.on.as_deref())?;
    free_text(&body.reason, "reason", MAX_TEXT)?;
    applications::reject(&state.store, id, &body.reason, &user.account.username, on, body.version)
        .await
        .map_err(application_error)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct QueueQuery {
    /// `documents`: deficient applications waiting for the documents the one-time notice asked
    /// for (a list of those instead of a page).
    pub waiting: Option<String>,
    /// Which applications: `open` (undecided: drafts, submitted, deficient; the default),
    /// `draft`, `submitted`, `deficient`, `approved`, `rejected`, `withdrawn` or `all`.
    pub state: Option<String>,
    /// The page, from 1 (50 applications a page).
    pub page: Option<u32>,
}

/// Serves the one-time deficiency notice (一次性告知): the documents found defective.
pub(crate) async fn serve_deficiency_notice(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    body: DeficiencyBody,
) -> Result<ApplicationJson, ApiError> {
    let stored = reachable(state, user, id, Action::DecideApplication).await?;
    let on = day_of(state.clock().today(), body.on.as_deref())?;
    let checklist = stored.application.checklist();
    let mut defective = Vec::with_capacity(body.defective.len());
    for code in &body.defective {
        let d = document_of(code.trim(), "defective", &checklist)?;
        if !defective.contains(&d) {
            defective.push(d);
        }
    }
    let stored = applications::mark_deficient(&state.store, id, &defective, &user.account.username, on, body.version)
        .await
        .map_err(application_error)?;
    Ok(answer(state, user, &stored))
}

/// The file's section of applications (see `service::person_file`).
pub(crate) async fn file_section(
    cx: &crate::service::person_file::FileCtx<'_>,
) -> Result<Vec<StoredApplication>, ApiError> {
    applications::of_person(&cx.state.store, cx.id_number()).await.map_err(|e| ApiError::internal(e.message(Lang::En)))
}
