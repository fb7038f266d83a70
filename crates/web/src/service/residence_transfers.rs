//! Moves of residence (居住地转移): the only way a person's unit of residence changes, and with it
//! who may see their file. One side proposes (the unit the person lives in, from the person's
//! file; or the unit they move to, by ID number and name as on the ID card), the other accepts or
//! refuses, the proposing side may withdraw; a district or city supervisor over both units moves
//! the person at once. Who may do what is `yuanzhu_domain::residence_transfer`'s.

use axum::http::StatusCode;
use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::{Action, Target, mask_id_number};
use yuanzhu_domain::residence_transfer::{self, Move, Refusal, Side, Start, State as MoveState};
use yuanzhu_domain::text::{self as person_text, TextField};
use yuanzhu_rules::IdNumber;
use yuanzhu_storage::residence_transfers::{self, Actor, Closing, Transfer, TransferError};
use yuanzhu_storage::search;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::service::common::id_from_path;
use crate::state::AppState;
/// A move as the caller may see it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TransferView {
    pub id: String,
    /// Masked: `440106********123X`.
    pub id_number: String,
    pub name: String,
    /// The unit the person lives in when the move was proposed; `null` for the unit that asked to
    /// take in a person it does not reach, until the other side accepts.
    pub from_unit: Option<String>,
    pub to_unit: String,
    /// `from` or `to`: the side that proposed; `both` for a move a supervisor made at once.
    pub proposed_by_side: String,
    /// `proposed`, `accepted`, `refused`, `withdrawn` or `done`.
    pub state: String,
    pub note: Option<String>,
    pub proposed_by: String,
    pub proposed_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
    /// Whether the caller may accept or refuse it.
    pub may_decide: bool,
    /// Whether the caller may withdraw it.
    pub may_withdraw: bool,
}

/// The rules' view of a stored move, if its units and state read.
pub(crate) fn rules_of(t: &Transfer) -> Option<(UnitCode, UnitCode, Option<Side>, MoveState)> {
    Some((UnitCode::parse(&t.from_unit).ok()?, UnitCode::parse(&t.to_unit).ok()?, t.side(), t.state()?))
}

/// Whether the user sees the move, may decide it, may withdraw it.
pub(crate) fn rights(user: &AuthUser, t: &Transfer) -> (bool, bool, bool) {
    let Some((from, to, side, state)) = rules_of(t) else { return (false, false, false) };
    let seen = Move { from: &from, to: &to, proposed_by: side.unwrap_or(Side::From), state, proposer_account: "" }
        .seen_by(&user.user);
    let Some(side) = side else { return (seen, false, false) };
    let m = Move { from: &from, to: &to, proposed_by: side, state, proposer_account: &t.proposer_account };
    (seen, m.decided_by(&user.user), m.withdrawn_by(&user.user))
}

/// The view of a move the user sees.
pub(crate) fn view(user: &AuthUser, t: Transfer) -> TransferView {
    let (_, may_decide, may_withdraw) = rights(user, &t);
    let covers_from = UnitCode::parse(&t.from_unit).is_ok_and(|u| user.user.reaches(Target::Unit(&u)));
    // The unit a person lives in is told to the unit that asked for them once that unit has
    // them, or when the unit they live in proposed the move itself.
    let told = covers_from || t.proposed_by_side != Side::To.code() || matches!(t.state.as_str(), "accepted" | "done");
    TransferView {
        id: t.id,
        id_number: mask_id_number(&t.id_number),
        name: t.name,
        from_unit: told.then_some(t.from_unit),
        to_unit: t.to_unit,
        proposed_by_side: t.proposed_by_side,
        state: t.state,
        note: t.note,
        proposed_by: t.proposed_by,
        proposed_at: t.proposed_at,
        decided_by: t.decided_by,
        decided_at: t.decided_at,
        decision_note: t.decision_note,
        may_decide,
        may_withdraw,
    }
}

pub(crate) fn transfer_error(e: TransferError) -> ApiError {
    match e {
        TransferError::AlreadyOpen => ApiError::new(
            StatusCode::CONFLICT,
            "transfer_open",
            "该人员已有一项等待确认的居住地转移：请先等待对方处理或撤回",
            "the person already has a transfer waiting for a decision: wait for it, or withdraw it",
        ),
        TransferError::Closed(state) => ApiError::new(
            StatusCode::CONFLICT,
            "transfer_closed",
            format!("此转移已不再等待确认（{state}）"),
            format!("the transfer no longer waits for a decision ({state})"),
        ),
        TransferError::Moved => ApiError::new(
            StatusCode::CONFLICT,
            "person_moved",
            "该人员已不在转出单位居住，此转移无法生效",
            "the person no longer lives in the unit the transfer starts from",
        ),
        TransferError::UnknownUnit(u) => ApiError::unprocessable(
            "unknown_unit",
            Some("to_unit"),
            format!("转入单位：单位代码 {u} 不在单位树中"),
            format!("to_unit: unit {u} is not in the unit tree"),
        ),
        TransferError::Store(e) => e.into(),
    }
}

pub(crate) fn refusal(r: Refusal) -> ApiError {
    match r {
        Refusal::Role => ApiError::forbidden(),
        Refusal::SameUnit => ApiError::unprocessable(
            "same_unit",
            Some("to_unit"),
            "该人员已居住在转入单位",
            "the person already lives in that unit",
        ),
        Refusal::NeitherSide => {
            ApiError::said(StatusCode::FORBIDDEN, "outside_jurisdiction", "outside_jurisdiction.transfer", &[])
                .field("to_unit")
        }
    }
}

pub(crate) fn unit_of(text: &str) -> Result<UnitCode, ApiError> {
    UnitCode::parse(text.trim()).map_err(|_| {
        ApiError::unprocessable(
            "invalid_unit",
            Some("to_unit"),
            format!("转入单位：“{}”不是单位代码，应为6、9或12位数字", text.trim()),
            format!("to_unit: `{}` is not a unit code (6, 9 or 12 digits)", text.trim()),
        )
    })
}

pub(crate) fn note_of(note: Option<&str>) -> Result<Option<&str>, ApiError> {
    let Some(note) = note.map(str::trim).filter(|n| !n.is_empty()) else { return Ok(None) };
    person_text::check(TextField::Note, note).map_err(|p| {
        ApiError::unprocessable(
            "invalid_field",
            Some("note"),
            p.message(TextField::Note, yuanzhu_rules::Lang::Zh),
            p.message(TextField::Note, yuanzhu_rules::Lang::En),
        )
    })?;
    Ok(Some(note))
}

pub(crate) fn actor(user: &AuthUser) -> Actor<'_> {
    Actor { username: &user.account.username, account_id: &user.account.id }
}

/// Starts a move of a person whose units are `from` → `to`: at once, or proposed by the user's side.
pub(crate) async fn start(
    state: &AppState,
    user: &AuthUser,
    id_number: &str,
    from: &UnitCode,
    to: &UnitCode,
    note: Option<&str>,
) -> Result<TransferView, ApiError> {
    let side = match residence_transfer::start(&user.user, from, to).map_err(refusal)? {
        Start::Now => None,
        Start::Propose(side) => Some(side),
    };
    let t = residence_transfers::start(&state.store, id_number, to, side, note, actor(user))
        .await
        .map_err(transfer_error)?;
    Ok(view(user, t))
}

/// Proposes (or makes) a move of a person the user reaches: the checks of
/// `POST /persons/{id_number}/transfers`, shared with the person's page.
pub(crate) async fn propose(
    state: &AppState,
    user: &AuthUser,
    id_number: &str,
    to_unit: &str,
    note: Option<&str>,
) -> Result<TransferView, ApiError> {
    let id = id_from_path(id_number)?;
    let reach = user.person(state, id.as_str(), Action::TransferResidence).await?;
    let to = unit_of(to_unit)?;
    let note = note_of(note)?;
    start(state, user, id.as_str(), &reach.residence_unit, &to, note).await
}

/// Asks for a person who has moved into the user's unit: the checks of `POST /transfers`,
/// shared with the registration page.
pub(crate) async fn request(
    state: &AppState,
    user: &AuthUser,
    id_number: &str,
    name: &str,
    to_unit: &str,
    note: Option<&str>,
) -> Result<TransferView, ApiError> {
    user.require(Action::TransferResidence)?;
    let to = unit_of(to_unit)?;
    user.unit(&to, Action::TransferResidence).map_err(|e| e.field("to_unit"))?;
    let note = note_of(note)?;
    let id = IdNumber::parse_or_upgrade(id_number.trim()).map_err(|e| {
        ApiError::unprocessable(
            "invalid_id_number",
            Some("id_number"),
            e.message(yuanzhu_rules::Lang::Zh),
            e.message(yuanzhu_rules::Lang::En),
        )
    })?;
    let reach = search::reach(&state.store, id.as_str(), &user.account.id).await?.ok_or_else(ApiError::not_found)?;
    let on_file = residence_transfers::name_on_file(&state.store, id.as_str()).await?;
    if on_file.as_deref() != Some(name.trim()) {
        return Err(ApiError::not_found());
    }
    start(state, user, id.as_str(), &reach.residence_unit, &to, note).await
}

/// A move of a person's residence.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct NewTransfer {
    /// The unit the person moves to (6, 9 or 12 digits).
    pub to_unit: String,
    pub note: Option<String>,
}

/// A unit's request to take in a person who has moved into it.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct TransferRequest {
    pub id_number: String,
    /// As on the person's ID card: it must match the file's.
    pub name: String,
    /// The caller's unit the person has moved to.
    pub to_unit: String,
    pub note: Option<String>,
}

/// The open moves the user sees, at most `limit`.
pub(crate) async fn open_seen(state: &AppState, user: &AuthUser, limit: u32) -> Result<Vec<Transfer>, ApiError> {
    user.require(Action::TransferResidence)?;
    let Some(prefix) = user.user.unit_prefix() else { return Ok(Vec::new()) };
    let open = residence_transfers::open_under(&state.store, prefix, limit).await?;
    Ok(open.into_iter().filter(|t| rights(user, t).0).collect())
}

/// A decision on a move, or its withdrawal.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TransferDecision {
    pub note: Option<String>,
}

/// Closes an open move the user sees, if their side may take this step.
pub(crate) async fn close_step(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    step: Closing,
    note: Option<&str>,
) -> Result<TransferView, ApiError> {
    user.require(Action::TransferResidence)?;
    let id = crate::service::common::id_of(id)?;
    let t = residence_transfers::get(&state.store, id).await?.ok_or_else(ApiError::not_found)?;
    let (seen, may_decide, may_withdraw) = rights(user, &t);
    if !seen {
        return Err(ApiError::not_found());
    }
    let allowed = if step == Closing::Withdraw { may_withdraw } else { may_decide };
    if !allowed {
        if t.state != MoveState::Proposed.code() {
            return Err(transfer_error(TransferError::Closed(t.state)));
        }
        let key =
            if step == Closing::Withdraw { "transfer.withdraw_not_your_side" } else { "transfer.decide_not_your_side" };
        return Err(ApiError::said(StatusCode::FORBIDDEN, "not_your_side", key, &[]));
    }
    let note = note_of(note)?;
    let t = residence_transfers::close(&state.store, id, step, note, actor(user)).await.map_err(transfer_error)?;
    Ok(view(user, t))
}
