//! Households across units, from the side of the members' own unit: claims to join one of its
//! households made by another unit, to accept or refuse, and notices that a household's
//! zero-employment status (第三条第（三）项第2目) changed because of a member's work recorded
//! elsewhere. A unit sees the claims and notices of the members it reaches, and nothing of the
//! persons behind them beyond a masked identity.

use axum::http::StatusCode;
use yuanzhu_domain::access::{Action, Target, mask_id_number, mask_name};
use yuanzhu_storage::StoreError;
use yuanzhu_storage::households::changes::{self, Change};
use yuanzhu_storage::households::joins::{self, Join, JoinError, MemberAt};
use yuanzhu_storage::search;

use super::common::{MAX_TEXT, free_text, id_of, within_reach};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;
use crate::words::Describe;

/// A claim to join a household of yours, made by another unit.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct JoinView {
    pub id: String,
    /// Send it back with the decision.
    pub version: i64,
    pub household_ref: String,
    /// The joining person, outside your jurisdiction: masked (`陈**`, `440104********1234`).
    pub name: String,
    pub id_number: String,
    /// The relation the registration gives (户主, 配偶…).
    pub relation: Option<String>,
    pub requested_by: String,
    /// The unit that registered the person.
    pub requested_unit: String,
    pub requested_on: String,
    /// `pending`, `accepted` or `refused`.
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_on: Option<String>,
    pub decision_note: Option<String>,
}

impl From<Join> for JoinView {
    fn from(j: Join) -> JoinView {
        JoinView {
            id: j.id,
            version: j.version,
            household_ref: j.household_ref,
            name: j.person.as_ref().map(|p| mask_name(&p.name)).unwrap_or_default(),
            id_number: mask_id_number(&j.id_number),
            relation: j.relation,
            requested_by: j.requested_by,
            requested_unit: j.requested_unit,
            requested_on: j.requested_on,
            state: j.state.code().to_owned(),
            decided_by: j.decided_by,
            decided_on: j.decided_on,
            decision_note: j.decision_note,
        }
    }
}

/// Whether the user reaches one of the members whose unit may decide a claim.
pub(crate) async fn decides(state: &AppState, user: &AuthUser, outside: &[MemberAt]) -> Result<bool, ApiError> {
    let ids: Vec<String> = outside.iter().map(|m| m.id_number.clone()).collect();
    let reach = search::reach_all(&state.store, &ids, &user.account.id).await?;
    Ok(reach.values().any(|r| user.user.reaches(Target::Person(r.person()))))
}

/// The claims `user` may decide (the API's list and the households page alike).
pub(crate) async fn joins_to_decide(state: &AppState, user: &AuthUser) -> Result<Vec<JoinView>, ApiError> {
    let mut out = Vec::new();
    for (j, outside) in joins::pending(&state.store).await? {
        if decides(state, user, &outside).await? {
            out.push(JoinView::from(j));
        }
    }
    Ok(out)
}

/// A decision on a claim to join a household.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"version": 1, "reason": "经核实，该户无此成员"}))]
pub struct JoinDecision {
    pub version: i64,
    /// Why, for a refusal (required there); a note, for an acceptance.
    pub reason: Option<String>,
}

pub(crate) fn join_error(e: JoinError) -> ApiError {
    let status = match &e {
        JoinError::NotFound(_) => return ApiError::not_found(),
        JoinError::Store(StoreError::Conflict { .. })
        | JoinError::AlreadyDecided { .. }
        | JoinError::NoLongerClaimed(_) => StatusCode::CONFLICT,
        JoinError::Store(_) => return ApiError::internal(e.to_string()),
        JoinError::ReasonRequired => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::localized(status, e.code(), e.field(), |lang| e.message(lang))
}

/// Decides a claim the user reaches a member of (else 404, as for a missing one).
pub(crate) async fn decide(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    accept: bool,
    body: JoinDecision,
) -> Result<JoinView, ApiError> {
    let id = id_of(id)?;
    let (_, outside) = joins::join(&state.store, id).await?.ok_or_else(ApiError::not_found)?;
    if !decides(state, user, &outside).await? {
        return Err(ApiError::not_found());
    }
    user.require(Action::Register)?;
    if let Some(reason) = &body.reason {
        free_text(reason, "reason", MAX_TEXT)?;
    }
    let decided = joins::decide(
        &state.store,
        id,
        accept,
        &user.account.username,
        state.clock().today(),
        body.reason.as_deref(),
        body.version,
    )
    .await
    .map_err(join_error)?;
    Ok(JoinView::from(decided))
}

/// A household's zero-employment status changed because of a member's work, as the unit of
/// another member is told.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ChangeView {
    pub id: String,
    /// The member of yours the household's change concerns (masked for roles that do not see
    /// identities).
    pub id_number: String,
    pub name: String,
    /// The member's record key, for their file's page.
    pub person_id: String,
    pub household_ref: String,
    /// From this day the household is (or is no longer) a zero-employment household.
    pub on: String,
    pub zero_employment: bool,
    /// `employment.recorded` or `employment.ended`: what another member's unit recorded.
    pub cause: String,
    pub seen_by: Option<String>,
    pub seen_at: Option<String>,
}

impl ChangeView {
    fn of(c: Change, full_identity: bool) -> ChangeView {
        ChangeView {
            id: c.id,
            id_number: if full_identity { c.id_number } else { mask_id_number(&c.id_number) },
            name: c.name,
            person_id: c.person_id,
            household_ref: c.household_ref,
            on: c.on,
            zero_employment: c.zero_employment,
            cause: c.cause,
            seen_by: c.seen_by,
            seen_at: c.seen_at,
        }
    }
}

/// The notices `user`'s unit is told of (the API's list and the households page alike).
pub(crate) async fn changes_to_see(state: &AppState, user: &AuthUser) -> Result<Vec<ChangeView>, ApiError> {
    let unseen = within_reach(state, user, changes::unseen(&state.store).await?, |c| &c.id_number).await?;
    let full = yuanzhu_domain::access::role_allows(user.user.role, Action::ViewIdentity);
    Ok(unseen.into_iter().map(|c| ChangeView::of(c, full)).collect())
}

/// Marks a notice seen, for a member the user reaches (else 404).
pub(crate) async fn see(state: &AppState, user: &AuthUser, id: &str) -> Result<ChangeView, ApiError> {
    let id = id_of(id)?;
    let change = changes::change(&state.store, id).await?.ok_or_else(ApiError::not_found)?;
    user.person(state, &change.id_number, Action::Register).await?;
    let seen = changes::mark_seen(&state.store, id, &user.account.username).await?.ok_or_else(ApiError::not_found)?;
    Ok(ChangeView::of(seen, yuanzhu_domain::access::role_allows(user.user.role, Action::ViewIdentity)))
}
