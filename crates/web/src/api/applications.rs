//! Applications for recognition (认定申请): the hardship application of 穗人社发〔2014〕4号 第五条
//! ("应向户籍所在街（镇）公共就业服务机构申办特困失业人员认定手续"), and the application of
//! 粤人社规〔2023〕11号 chapter 2. The state machine is the domain's
//! (`yuanzhu_domain::application`); every change names the version it was decided on, so two
//! caseworkers on one file cannot overwrite each other.
//!
//! Preparing the file (open, documents, commitments, submit, withdraw) is the caseworker's
//! ([`Action::PrepareApplication`]); reviewing it (deficiency notice, approve, reject) is the
//! street office's ([`Action::DecideApplication`]).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yuanzhu_domain::access::{Action, mask_id_number, role_allows};
use yuanzhu_domain::application::{
    Application, ApplicationCategory, CategoryError, Document, Provision, State as ApplicationState, TransitionError,
};
use yuanzhu_rules::{Date, Lang, Policy, PolicySet};
use yuanzhu_storage::StoreError;
use yuanzhu_storage::applications::{self, ApplicationError, StoredApplication, WaitingForDocuments};
use yuanzhu_storage::search;

use super::persons::id_from_path;
use super::{Json, Query};
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_application))
        .routes(routes!(waiting_queue))
        .routes(routes!(get_application))
        .routes(routes!(provide_documents))
        .routes(routes!(accept_commitments))
        .routes(routes!(submit))
        .routes(routes!(serve_deficiency_notice))
        .routes(routes!(approve))
        .routes(routes!(reject))
        .routes(routes!(withdraw))
}

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

/// The day of an act: `today` when not given. A day after today is refused: the registry records
/// what happened, not what is planned.
pub(crate) fn day_of(today: Date, on: Option<&str>) -> Result<Date, ApiError> {
    let Some(text) = on else { return Ok(today) };
    let day = Date::parse(text.trim()).map_err(|_| {
        ApiError::unprocessable(
            "invalid_date",
            Some("on"),
            format!("on（日期）：“{text}”不是有效日期，应为 YYYY-MM-DD"),
            format!("on: `{text}` is not a date (YYYY-MM-DD)"),
        )
    })?;
    if day > today {
        return Err(ApiError::unprocessable(
            "date_in_future",
            Some("on"),
            format!("on（日期）：{day}晚于今天（{today}），只能记录已经发生的事"),
            format!("on: {day} is after today ({today}); only what has happened can be recorded"),
        ));
    }
    Ok(day)
}

/// An application's or proposal's id from the path. Ids are UUIDs: anything else names nothing,
/// so it is 404 without a query (a NUL byte, say, which PostgreSQL refuses in text).
pub(crate) fn id_of(text: &str) -> Result<&str, ApiError> {
    let plausible =
        !text.is_empty() && text.len() <= 64 && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if plausible { Ok(text) } else { Err(ApiError::not_found()) }
}

/// Free text a caseworker writes (a reason, a note): at most `max` characters, and no control
/// characters other than line breaks and tabs (PostgreSQL refuses a NUL byte in text).
pub(crate) fn free_text(text: &str, field: &'static str, max: usize) -> Result<(), ApiError> {
    if text.chars().count() > max {
        return Err(ApiError::unprocessable(
            "too_long",
            Some(field),
            format!("{field}：内容过长（最多{max}个字符）"),
            format!("{field}: too long ({max} characters at most)"),
        ));
    }
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(ApiError::unprocessable(
            "invalid_text",
            Some(field),
            format!("{field}：含有不可见的控制字符"),
            format!("{field}: contains control characters"),
        ));
    }
    Ok(())
}

/// The longest reason or note the registry keeps.
pub(crate) const MAX_TEXT: usize = 2000;

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
fn documents_of(codes: &[String], field: &'static str, checklist: &[Document]) -> Result<Vec<Document>, ApiError> {
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
    fn of(d: Document) -> DocumentRef {
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
    fn of(stored: &StoredApplication, show_identity: bool, today: Date) -> ApplicationJson {
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
        let completion = waiting.and_then(|n| applications::completion_deadline(app.category(), n.served_on()));
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

fn answer(state: &AppState, user: &AuthUser, stored: &StoredApplication) -> Json<ApplicationJson> {
    Json(ApplicationJson::of(stored, role_allows(user.user.role, Action::ViewIdentity), state.clock().today()))
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

/// Open an application for recognition (第五条) for a registered person, as a draft at their
/// residence unit. The checklist of documents comes with it.
#[utoipa::path(
    post, path = "/persons/{id_number}/applications", tag = "applications",
    params(("id_number" = String, Path, description = "18-digit ID number")),
    request_body = NewApplication,
    responses(
        (status = 201, description = "Opened: a draft with its checklist", body = ApplicationJson),
        (status = 403, description = "Your role does not prepare applications", body = ErrorBody),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
        (status = 409, description = "Already recognised in the category, or an undecided application for it exists", body = ErrorBody),
        (status = 422, description = "Unknown category or policy, or a category recognised automatically", body = ErrorBody),
    )
)]
async fn open_application(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
    Json(body): Json<NewApplication>,
) -> Result<Response, ApiError> {
    let id = id_from_path(&id_number)?;
    user.person(&state, id.as_str(), Action::PrepareApplication).await?;
    let on = day_of(state.clock().today(), body.on.as_deref())?;
    let code = body.category.trim();
    let policy = policy_for(&state.policies, body.policy.as_deref().map(str::trim), code, on)?;
    let category = ApplicationCategory::of_policy(policy, code).map_err(|e| {
        let code =
            if matches!(e, CategoryError::Automatic { .. }) { "recognised_automatically" } else { "unknown_category" };
        ApiError::localized(StatusCode::UNPROCESSABLE_ENTITY, code, Some(e.field()), |l| e.message(l))
    })?;
    let stored = applications::open(&state.store, id.as_str(), category, &user.account.username, on)
        .await
        .map_err(application_error)?;
    Ok((StatusCode::CREATED, answer(&state, &user, &stored)).into_response())
}

/// One application.
#[utoipa::path(
    get, path = "/applications/{id}", tag = "applications",
    params(("id" = String, Path, description = "The application's id")),
    responses(
        (status = 200, body = ApplicationJson),
        (status = 404, description = "No such application in your jurisdiction", body = ErrorBody),
    )
)]
async fn get_application(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<ApplicationJson>, ApiError> {
    let stored = reachable(&state, &user, &id, Action::View).await?;
    Ok(answer(&state, &user, &stored))
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
) -> Result<Json<ApplicationJson>, ApiError> {
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

/// Record documents received (in a draft, or after the one-time deficiency notice).
#[utoipa::path(
    post, path = "/applications/{id}/documents", tag = "applications",
    params(("id" = String, Path, description = "The application's id")),
    request_body = DocumentsBody,
    responses(
        (status = 200, description = "Recorded", body = ApplicationJson),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The application's state does not take documents, or the version is stale", body = ErrorBody),
        (status = 422, description = "A document is unknown or not on the checklist", body = ErrorBody),
    )
)]
async fn provide_documents(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<DocumentsBody>,
) -> Result<Json<ApplicationJson>, ApiError> {
    supply(&state, &user, &id, body, Supply::Paper).await
}

/// Record written commitments in place of proof (告知承诺制; gd-2023-11's category evidence only).
#[utoipa::path(
    post, path = "/applications/{id}/commitments", tag = "applications",
    params(("id" = String, Path, description = "The application's id")),
    request_body = DocumentsBody,
    responses(
        (status = 200, description = "Recorded", body = ApplicationJson),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, description = "A commitment cannot replace this document", body = ErrorBody),
    )
)]
async fn accept_commitments(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<DocumentsBody>,
) -> Result<Json<ApplicationJson>, ApiError> {
    supply(&state, &user, &id, body, Supply::Commitment).await
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
) -> Result<Json<ApplicationJson>, ApiError> {
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

/// Hand the file in. With documents missing, this serves the one-time deficiency notice listing
/// everything missing, and the application waits for them (`deficient`).
#[utoipa::path(
    post, path = "/applications/{id}/submit", tag = "applications",
    params(("id" = String, Path, description = "The application's id")),
    request_body = StepBody,
    responses(
        (status = 200, description = "Submitted, or deficient with its notice", body = ApplicationJson),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed in this state, still incomplete after the notice, or a stale version", body = ErrorBody),
    )
)]
async fn submit(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<StepBody>,
) -> Result<Json<ApplicationJson>, ApiError> {
    step(&state, &user, &id, body, Step::Submit).await
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

/// Serve the one-time deficiency notice (一次性告知) on a submitted file: it lists the defective
/// documents and everything else missing. Only one notice is ever served on an application.
#[utoipa::path(
    post, path = "/applications/{id}/deficiency-notice", tag = "applications",
    params(("id" = String, Path, description = "The application's id")),
    request_body = DeficiencyBody,
    responses(
        (status = 200, description = "Served: the application is deficient", body = ApplicationJson),
        (status = 403, description = "Your role does not review applications", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not submitted, a notice was already served, or a stale version", body = ErrorBody),
        (status = 422, description = "Nothing is missing or defective, or a document is unknown", body = ErrorBody),
    )
)]
pub(crate) async fn serve_deficiency_notice(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<DeficiencyBody>,
) -> Result<Json<ApplicationJson>, ApiError> {
    let stored = reachable(&state, &user, &id, Action::DecideApplication).await?;
    let on = day_of(state.clock().today(), body.on.as_deref())?;
    let checklist = stored.application.checklist();
    let mut defective = Vec::with_capacity(body.defective.len());
    for code in &body.defective {
        let d = document_of(code.trim(), "defective", &checklist)?;
        if !defective.contains(&d) {
            defective.push(d);
        }
    }
    let stored = applications::mark_deficient(&state.store, &id, &defective, &user.account.username, on, body.version)
        .await
        .map_err(application_error)?;
    Ok(answer(&state, &user, &stored))
}

/// Recognise the applicant: a submitted, complete file becomes approved and the category is
/// recognised from that day. Only what the rules grant: the policy in force on the day the
/// application was received, run on the person's facts as of that day; otherwise 422 with the
/// unmet conditions and their articles.
#[utoipa::path(
    post, path = "/applications/{id}/approve", tag = "applications",
    params(("id" = String, Path, description = "The application's id")),
    request_body = StepBody,
    responses(
        (status = 200, description = "Approved and recognised", body = ApplicationJson),
        (status = 403, description = "Your role does not decide applications", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not submitted, incomplete, or a stale version", body = ErrorBody),
        (status = 422, description = "The rules do not grant the category as of the day the application was received (`rules_not_met`), or its policy was not in force that day (`policy_not_in_force`)", body = ErrorBody),
    )
)]
async fn approve(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<StepBody>,
) -> Result<Json<ApplicationJson>, ApiError> {
    step(&state, &user, &id, body, Step::Approve).await
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

/// Refuse recognition and serve the refusal notice with its reason (from `submitted`, or from
/// `deficient` when the gaps were not filled).
#[utoipa::path(
    post, path = "/applications/{id}/reject", tag = "applications",
    params(("id" = String, Path, description = "The application's id")),
    request_body = RejectBody,
    responses(
        (status = 200, description = "Refused", body = ApplicationJson),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed in this state, or a stale version", body = ErrorBody),
        (status = 422, description = "The reason is blank", body = ErrorBody),
    )
)]
pub(crate) async fn reject(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<RejectBody>,
) -> Result<Json<ApplicationJson>, ApiError> {
    reachable(&state, &user, &id, Action::DecideApplication).await?;
    let on = day_of(state.clock().today(), body.on.as_deref())?;
    free_text(&body.reason, "reason", MAX_TEXT)?;
    let stored = applications::reject(&state.store, &id, &body.reason, &user.account.username, on, body.version)
        .await
        .map_err(application_error)?;
    Ok(answer(&state, &user, &stored))
}

/// The applicant withdraws, before a decision.
#[utoipa::path(
    post, path = "/applications/{id}/withdraw", tag = "applications",
    params(("id" = String, Path, description = "The application's id")),
    request_body = StepBody,
    responses(
        (status = 200, description = "Withdrawn", body = ApplicationJson),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Already decided or withdrawn, or a stale version", body = ErrorBody),
    )
)]
async fn withdraw(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<StepBody>,
) -> Result<Json<ApplicationJson>, ApiError> {
    step(&state, &user, &id, body, Step::Withdraw).await
}

// ---------------------------------------------------------------------------------------------
// The queue
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Deserialize, IntoParams)]
pub struct QueueQuery {
    /// `documents`: deficient applications waiting for the documents the one-time notice asked for.
    pub waiting: Option<String>,
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

/// Whether the user reaches the person with this ID number.
pub(crate) async fn reaches(state: &AppState, user: &AuthUser, id_number: &str) -> Result<bool, ApiError> {
    Ok(search::reach(&state.store, id_number, &user.account.id)
        .await?
        .is_some_and(|r| user.user.reaches(yuanzhu_domain::access::Target::Person(r.person()))))
}

/// The rows whose person (`id_number` of each) the user reaches, in their order.
pub(crate) async fn within_reach<T>(
    state: &AppState,
    user: &AuthUser,
    rows: Vec<T>,
    id_number: impl Fn(&T) -> &str,
) -> Result<Vec<T>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| id_number(r).to_owned()).collect();
    let reach = search::reach_all(&state.store, &ids, &user.account.id).await?;
    let reached = |r: &T| {
        reach.get(id_number(r)).is_some_and(|r| user.user.reaches(yuanzhu_domain::access::Target::Person(r.person())))
    };
    Ok(rows.into_iter().filter(|r| reached(r)).collect())
}

/// Deficient applications within your jurisdiction waiting for documents, longest wait first.
#[utoipa::path(
    get, path = "/applications", tag = "applications",
    params(QueueQuery),
    responses(
        (status = 200, body = Vec<WaitingJson>),
        (status = 400, description = "`waiting` is missing or not `documents`", body = ErrorBody),
    )
)]
async fn waiting_queue(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<QueueQuery>,
) -> Result<Json<Vec<WaitingJson>>, ApiError> {
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
    let waiting = within_reach(&state, &user, waiting, |w| &w.id_number).await?;
    Ok(Json(waiting.into_iter().map(WaitingJson::from).collect()))
}
