//! Revocation (注销, 穗人社发〔2014〕4号 第六条) as users do it: log the evidence its rules read
//! (contact attempts, refusals of services), propose with a reason from the policy's list, and
//! review. Rules and caseworkers only propose; a second person decides
//! ([`Action::DecideRevocation`]), and whoever proposed cannot.

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use yuanzhu_domain::access::{Action, mask_id_number, mask_phone, role_allows};
use yuanzhu_domain::revocation::{ContactChannel, ExitReason, ProposalError, Service};
use yuanzhu_rules::PolicySet;
use yuanzhu_storage::StoreError;
use yuanzhu_storage::revocations::{self, ContactRecord, DueContact, Proposal, RefusalRecord, RevocationError};

use super::common::{MAX_TEXT, day_of, free_text, id_from_path, id_of, within_reach};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;
use crate::words::Describe;

/// A revocation error as the API answers it: 404 for anything not found (alike inside and
/// outside the jurisdiction), 409 for a proposal already decided or changed meanwhile, or a
/// person with nothing to revoke, 403 for a reviewer who proposed it, 422 for a wrong field.
pub(crate) fn revocation_error(e: RevocationError) -> ApiError {
    let status = match &e {
        RevocationError::UnknownPerson(_) | RevocationError::UnknownProposal(_) => return ApiError::not_found(),
        RevocationError::Store(StoreError::Conflict { .. })
        | RevocationError::AlreadyDecided { .. }
        | RevocationError::NothingToRevoke { .. }
        | RevocationError::UnknownPolicy(_) => StatusCode::CONFLICT,
        RevocationError::Store(other) => return ApiError::internal(other),
        RevocationError::Rejected(ProposalError::ReviewerIsProposer) => StatusCode::FORBIDDEN,
        RevocationError::UnitPrefix(_) => StatusCode::BAD_REQUEST,
        RevocationError::Rejected(_)
        | RevocationError::HouseholdReason
        | RevocationError::AtOfficeNotReached
        | RevocationError::EmptyActor => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let field = match &e {
        RevocationError::Store(StoreError::Conflict { .. }) => Some("version"),
        other => other.field(),
    };
    ApiError::localized(status, e.code(), field, |lang| e.message(lang))
}

fn unknown_code(field: &'static str, text: &str, codes: &[&str]) -> ApiError {
    ApiError::unprocessable(
        "unknown_code",
        Some(field),
        format!("{field}：没有“{text}”这一项，可选：{}", codes.join("、")),
        format!("{field}: `{text}` is not one of: {}", codes.join(", ")),
    )
}

// ---------------------------------------------------------------------------------------------
// Evidence
// ---------------------------------------------------------------------------------------------

/// An attempt to reach the person.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"channel": "phone", "reached": false}))]
pub struct NewContact {
    /// `phone`, `text_message`, `home_visit`, `letter`, `online` or `at_office` (the person came
    /// to the office or called in, and so was reached).
    pub channel: String,
    /// Whether the person was reached.
    pub reached: bool,
    /// What happened; left blank, the channel's usual note (电话未接通 …).
    pub note: Option<String>,
    /// The day (YYYY-MM-DD); today when omitted.
    pub on: Option<String>,
}

/// A contact attempt as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactJson {
    pub id: String,
    pub on: String,
    pub channel: String,
    pub reached: bool,
    pub note: String,
    pub actor: String,
}

impl From<ContactRecord> for ContactJson {
    fn from(c: ContactRecord) -> ContactJson {
        ContactJson {
            id: c.id,
            on: c.on,
            channel: c.channel.code().to_owned(),
            reached: c.reached,
            note: c.note,
            actor: c.actor,
        }
    }
}

/// Logs an attempt to reach the person: the evidence of 第六条第（五）项 ("连续1个月无法与其联络").
pub async fn log_contact(
    state: &AppState,
    user: &AuthUser,
    id_number: &str,
    cmd: NewContact,
) -> Result<ContactJson, ApiError> {
    let id = id_from_path(id_number)?;
    user.person(state, id.as_str(), Action::LogContact).await?;
    let channel = ContactChannel::parse(cmd.channel.trim())
        .ok_or_else(|| unknown_code("channel", &cmd.channel, &ContactChannel::ALL.map(ContactChannel::code)))?;
    let on = day_of(state.clock().today(), cmd.on.as_deref())?;
    let note = cmd.note.as_deref().unwrap_or("");
    free_text(note, "note", MAX_TEXT)?;
    let record =
        revocations::log_contact(&state.store, id.as_str(), on, channel, cmd.reached, note, &user.account.username)
            .await
            .map_err(revocation_error)?;
    Ok(ContactJson::from(record))
}

/// A refusal of a service offered.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"service": "job_referral", "note": "拒绝到某公司面试"}))]
pub struct NewRefusal {
    /// `job_referral`, `career_guidance`, `vocational_training`, `public_welfare_post` or `other`.
    pub service: String,
    /// What was offered and refused.
    pub note: Option<String>,
    /// The day (YYYY-MM-DD); today when omitted.
    pub on: Option<String>,
}

/// A refusal as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefusalJson {
    pub id: String,
    pub on: String,
    pub service: String,
    pub note: String,
    pub actor: String,
    /// The revocation proposed because the refusals reached the policy's threshold, if one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation_proposal: Option<String>,
}

impl From<RefusalRecord> for RefusalJson {
    fn from(r: RefusalRecord) -> RefusalJson {
        RefusalJson {
            id: r.id,
            on: r.on,
            service: r.service.code().to_owned(),
            note: r.note,
            actor: r.actor,
            revocation_proposal: None,
        }
    }
}

/// Runs the refusal rule (第六条第（二）项) for a person a refusal was just logged for, under each
/// policy: a status ends under the rules it was recognised under. The proposal made, if any.
pub(crate) async fn refusal_rule(
    state: &AppState,
    id_number: &str,
    on: yuanzhu_rules::Date,
    actor: &str,
) -> Result<Option<String>, ApiError> {
    let mut made = None;
    for policy in state.policies.policies() {
        let proposed = revocations::propose_refused_services_of(&state.store, policy, id_number, on, actor)
            .await
            .map_err(revocation_error)?;
        made = made.or(proposed);
    }
    Ok(made)
}

/// Logs a refusal of services: the evidence of 第六条第（二）项 ("拒绝…职业介绍、职业指导等就业服务").
pub async fn log_refusal(
    state: &AppState,
    user: &AuthUser,
    id_number: &str,
    cmd: NewRefusal,
) -> Result<RefusalJson, ApiError> {
    let id = id_from_path(id_number)?;
    user.person(state, id.as_str(), Action::LogContact).await?;
    let service = Service::parse(cmd.service.trim())
        .ok_or_else(|| unknown_code("service", &cmd.service, &Service::ALL.map(Service::code)))?;
    let on = day_of(state.clock().today(), cmd.on.as_deref())?;
    let note = cmd.note.as_deref().unwrap_or("");
    free_text(note, "note", MAX_TEXT)?;
    let record = revocations::log_refusal(&state.store, id.as_str(), on, service, note, &user.account.username)
        .await
        .map_err(revocation_error)?;
    let mut json = RefusalJson::from(record);
    json.revocation_proposal = refusal_rule(state, id.as_str(), on, &user.account.username).await?;
    Ok(json)
}

// ---------------------------------------------------------------------------------------------
// Proposals and their review
// ---------------------------------------------------------------------------------------------

/// A revocation proposal.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalJson {
    pub id: String,
    /// Send it back with the decision: a proposal changed since is a conflict (409).
    pub version: i64,
    /// Masked in lists and for the roles that do not see identities.
    pub id_number: String,
    pub name: String,
    pub residence_unit: String,
    pub policy: String,
    /// The reason's code from the policy's list (`employed`, `lost_contact` …).
    pub reason: String,
    pub reason_name: String,
    pub reason_name_en: String,
    /// The article of the policy (第六条第（一）项 …).
    pub citation: String,
    /// What it rests on: `{"kind": "reported", "note"}`, `{"kind": "lost_contact", "since", …}` …
    #[schema(value_type = Object)]
    pub grounds: serde_json::Value,
    pub proposed_on: String,
    pub proposed_by: String,
    /// Made by a rule (run by `proposed_by`) rather than reported by a caseworker.
    pub by_rule: bool,
    /// `proposed`, `confirmed` or `dismissed`.
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_on: Option<String>,
    pub decision_note: Option<String>,
}

impl ProposalJson {
    pub(crate) fn of(p: Proposal, policies: &PolicySet, show_identity: bool) -> ProposalJson {
        let listed = policies
            .by_id(&p.policy)
            .and_then(|policy| policy.revocation_reasons.iter().find(|r| r.code == p.reason.code()));
        ProposalJson {
            id: p.id,
            version: p.version,
            id_number: if show_identity { p.id_number } else { mask_id_number(&p.id_number) },
            name: p.name,
            residence_unit: p.residence_unit,
            policy: p.policy,
            reason: p.reason.code().to_owned(),
            reason_name: listed.map_or_else(String::new, |r| r.name.clone()),
            reason_name_en: listed.map_or_else(String::new, |r| r.name_en.clone()),
            citation: p.citation,
            grounds: p.grounds,
            proposed_on: p.proposed_on,
            proposed_by: p.proposed_by,
            by_rule: p.by_rule,
            state: p.state.code().to_owned(),
            decided_by: p.decided_by,
            decided_on: p.decided_on,
            decision_note: p.decision_note,
        }
    }
}

/// A caseworker's report of a fact that ends status.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "employed", "note": "已于某公司签订劳动合同"}))]
pub struct NewProposal {
    /// A reason from the policy's list: under gz-2014-4 第六条 `employed`, `refused_services`,
    /// `written_waiver`, `lost_work_capacity` or `lost_contact`.
    pub reason: String,
    /// What is being reported (required).
    pub note: String,
    /// The day (YYYY-MM-DD); today when omitted.
    pub on: Option<String>,
}

/// Proposes revoking the person's status for a reason from the policy's list: one proposal per
/// policy under which the person holds status that the reason ends; proposing again while one is
/// open returns the open one.
pub async fn propose(
    state: &AppState,
    user: &AuthUser,
    id_number: &str,
    cmd: NewProposal,
) -> Result<Vec<ProposalJson>, ApiError> {
    let id = id_from_path(id_number)?;
    user.person(state, id.as_str(), Action::ProposeRevocation).await?;
    let reason = ExitReason::from_code(cmd.reason.trim())
        .ok_or_else(|| unknown_code("reason", &cmd.reason, &ExitReason::ALL.map(ExitReason::code)))?;
    let on = day_of(state.clock().today(), cmd.on.as_deref())?;
    free_text(&cmd.note, "note", MAX_TEXT)?;
    let made =
        revocations::propose(&state.store, &state.policies, id.as_str(), reason, &cmd.note, &user.account.username, on)
            .await
            .map_err(revocation_error)?;
    let show = role_allows(user.user.role, Action::ViewIdentity);
    Ok(made.into_iter().map(|p| ProposalJson::of(p, &state.policies, show)).collect())
}

/// Open proposals of persons within the user's jurisdiction, oldest first, ID numbers masked.
pub async fn open_proposals(state: &AppState, user: &AuthUser) -> Result<Vec<ProposalJson>, ApiError> {
    user.require(Action::View)?;
    let proposals = match user.user.unit_prefix() {
        Some(prefix) => revocations::open_proposals(&state.store, prefix).await.map_err(revocation_error)?,
        // A social worker's reach is their assignments, wherever those persons live.
        None => {
            let all = revocations::open_proposals(&state.store, "").await.map_err(revocation_error)?;
            within_reach(state, user, all, |p| &p.id_number).await?
        }
    };
    Ok(proposals.into_iter().map(|p| ProposalJson::of(p, &state.policies, false)).collect())
}

/// The proposal with this id if the user reaches its person (else 404), then 403 if the role
/// does not allow `action`.
async fn reachable(state: &AppState, user: &AuthUser, id: &str, action: Action) -> Result<Proposal, ApiError> {
    let p = revocations::proposal(&state.store, id_of(id)?)
        .await
        .map_err(revocation_error)?
        .ok_or_else(ApiError::not_found)?;
    user.person(state, &p.id_number, action).await?;
    Ok(p)
}

/// One proposal, if the user reaches its person.
pub async fn proposal(state: &AppState, user: &AuthUser, id: &str) -> Result<ProposalJson, ApiError> {
    let p = reachable(state, user, id, Action::View).await?;
    Ok(ProposalJson::of(p, &state.policies, role_allows(user.user.role, Action::ViewIdentity)))
}

/// The reviewer's decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"confirm": false, "note": "住院治疗期间无法联络，非本人原因", "version": 1}))]
pub struct Decision {
    /// `true` ends the status (注销); `false` dismisses the proposal and the status stands.
    pub confirm: bool,
    /// Why the proposal is dismissed: required when `confirm` is false. A confirmation may
    /// carry one too (what the reviewer checked), kept with the decision.
    pub note: Option<String>,
    /// The proposal's version, as read.
    pub version: i64,
    /// The day (YYYY-MM-DD); today when omitted. A confirmed revocation takes effect that day.
    pub on: Option<String>,
}

/// A recognition the revocation ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndedJson {
    pub category: String,
    pub policy: String,
    pub recognized_on: String,
}

/// What the decision did.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionJson {
    pub proposal: ProposalJson,
    /// The recognitions ended (empty on dismissal).
    pub ended: Vec<EndedJson>,
    /// Whether the person's status ended, rather than only one basis of it.
    pub ends_status: bool,
}

/// Confirms (the status ends that day) or dismisses (with a reason; the status stands) a proposal.
pub async fn decide(state: &AppState, user: &AuthUser, id: &str, cmd: Decision) -> Result<DecisionJson, ApiError> {
    reachable(state, user, id, Action::DecideRevocation).await?;
    let on = day_of(state.clock().today(), cmd.on.as_deref())?;
    let reviewer = user.account.username.as_str();
    let show = role_allows(user.user.role, Action::ViewIdentity);
    if cmd.confirm {
        let note = cmd.note.as_deref();
        free_text(note.unwrap_or(""), "note", MAX_TEXT)?;
        let done = revocations::confirm_noted(&state.store, &state.policies, id, reviewer, on, note, cmd.version)
            .await
            .map_err(revocation_error)?;
        return Ok(DecisionJson {
            proposal: ProposalJson::of(done.proposal, &state.policies, show),
            ended: done
                .ended
                .into_iter()
                .map(|e| EndedJson { category: e.category, policy: e.policy, recognized_on: e.recognized_on })
                .collect(),
            ends_status: done.ends_status,
        });
    }
    // The domain calls the dismissal's reason `reason`; in this command it is the note.
    let note = cmd.note.as_deref().unwrap_or("");
    free_text(note, "note", MAX_TEXT)?;
    if note.trim().is_empty() {
        return Err(ApiError::unprocessable(
            "required",
            Some("note"),
            "note（理由）：不予注销须写明理由",
            "note: dismissing a proposal needs a reason",
        ));
    }
    let dismissed = revocations::dismiss(&state.store, &state.policies, id, reviewer, on, note, cmd.version)
        .await
        .map_err(revocation_error)?;
    Ok(DecisionJson {
        proposal: ProposalJson::of(dismissed, &state.policies, show),
        ended: Vec::new(),
        ends_status: false,
    })
}

// ---------------------------------------------------------------------------------------------
// The caseworker's queue of persons about to become unreachable
// ---------------------------------------------------------------------------------------------

/// A person one more failed attempt would make unreachable. ID and phone numbers are masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct DueContactJson {
    pub id_number: String,
    pub name: String,
    pub phone: Option<String>,
    pub residence_unit: String,
    pub policy: String,
    /// From this day a failed attempt completes the rule: reach the person before then.
    pub due: String,
    /// `due` is today or past: the next attempt decides.
    pub overdue: bool,
}

impl From<DueContact> for DueContactJson {
    fn from(d: DueContact) -> DueContactJson {
        DueContactJson {
            id_number: mask_id_number(&d.id_number),
            name: d.name,
            phone: d.phone.as_deref().map(mask_phone),
            residence_unit: d.residence_unit,
            policy: d.policy,
            due: d.due,
            overdue: d.overdue,
        }
    }
}

/// Persons within the user's jurisdiction who will become unreachable under the lost-contact rule
/// (第六条第（五）项) within `within_days` (default 14, at most 366) unless reached, soonest first.
pub async fn unreachable_soon(
    state: &AppState,
    user: &AuthUser,
    within_days: Option<u32>,
) -> Result<Vec<DueContactJson>, ApiError> {
    user.require(Action::View)?;
    let within = within_days.unwrap_or(14).min(366);
    let prefix = user.user.unit_prefix();
    let due = revocations::about_to_become_unreachable(
        &state.store,
        &state.policies,
        prefix.unwrap_or(""),
        state.clock().today(),
        within,
    )
    .await
    .map_err(revocation_error)?;
    let due = if prefix.is_some() { due } else { within_reach(state, user, due, |d| &d.id_number).await? };
    Ok(due.into_iter().map(DueContactJson::from).collect())
}

/// The file's section of contact attempts (see `service::person_file`).
pub(crate) async fn contacts_section(
    cx: &crate::service::person_file::FileCtx<'_>,
) -> Result<Vec<ContactRecord>, ApiError> {
    revocations::contacts(&cx.state.store, cx.id_number()).await.map_err(ApiError::internal)
}

/// The file's section of revocation proposals (see `service::person_file`).
pub(crate) async fn proposals_section(
    cx: &crate::service::person_file::FileCtx<'_>,
) -> Result<Vec<Proposal>, ApiError> {
    revocations::proposals_of(&cx.state.store, cx.id_number()).await.map_err(ApiError::internal)
}
