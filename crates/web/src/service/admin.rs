//! Administration: accounts (a city admin's work), social-worker assignments (第十三条), the
//! reassessment run, verification of the audit chain, and the queue of possible duplicates.

use axum::http::StatusCode;
use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::{Action, PersonReach, Role, Target, User};
use yuanzhu_storage::accounts::{self, Account, AccountError};
use yuanzhu_storage::duplicates;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::password;
use crate::state::AppState;
use crate::words::Describe;
// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// An account error with its status: a taken name is a conflict, a missing account or person
/// is not found, the rest is a field to correct.
pub(crate) fn account_error(e: AccountError) -> ApiError {
    let status = match &e {
        AccountError::Store(_) => return ApiError::internal(e),
        AccountError::UsernameTaken => StatusCode::CONFLICT,
        AccountError::NotFound(_) | AccountError::PersonNotFound(_) => StatusCode::NOT_FOUND,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::localized(status, e.code(), e.field(), |lang| e.message(lang))
}

/// Whether the unit is the city itself (a 6-digit code ending in 00, GB/T 2260), whose
/// jurisdiction is the whole registry.
pub(crate) fn is_city(unit: &UnitCode) -> bool {
    unit.as_str().len() == 6 && unit.as_str().ends_with("00")
}

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------

/// An account as the API shows it (never its password hash).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: String,
    pub username: String,
    /// `city_admin`, `district_supervisor`, `street_officer`, `community_worker`,
    /// `hotline_operator`, `social_worker` or `auditor`.
    pub role: String,
    /// The unit code the account acts for; its jurisdiction is that unit's subtree.
    pub unit: String,
    pub disabled: bool,
    pub version: i64,
    pub created_at: String,
}

impl From<Account> for UserView {
    fn from(a: Account) -> UserView {
        UserView {
            id: a.id,
            username: a.username,
            role: a.role.code().to_owned(),
            unit: a.unit.to_string(),
            disabled: a.disabled,
            version: a.version,
            created_at: a.created_at,
        }
    }
}

/// A new account.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"username": "li.si", "role": "community_worker", "unit": "440104011001", "password": "a long passphrase"}))]
pub struct NewUser {
    /// 1 to 64 characters of a-z, 0-9, `.`, `_` and `-` (upper case is folded).
    pub username: String,
    pub role: String,
    pub unit: String,
    /// At least 10 characters.
    pub password: String,
}

/// A new password set by an administrator.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct NewPassword {
    /// At least 10 characters.
    pub password: String,
}

pub(crate) fn checked_password(password: &str) -> Result<(), ApiError> {
    password::check_new(password).map_err(|(zh, en)| {
        ApiError::unprocessable(
            "weak_password",
            Some("password"),
            format!("password（密码）：{zh}"),
            format!("password: {en}"),
        )
    })
}

/// The account by username if it lies within the caller's jurisdiction, else 404.
pub(crate) async fn account_in_reach(state: &AppState, user: &AuthUser, username: &str) -> Result<Account, ApiError> {
    let not_found = || {
        let e = AccountError::NotFound(username.trim().to_lowercase());
        ApiError::localized(StatusCode::NOT_FOUND, "account_not_found", Some("username"), |lang| e.message(lang))
    };
    let (account, _) = accounts::by_username(&state.store, username).await?.ok_or_else(not_found)?;
    if !covers(&user.user.unit, &account.unit) {
        return Err(not_found());
    }
    Ok(account)
}

/// Whether `outer` contains `inner`, the city's code standing for its whole tree.
pub(crate) fn covers(outer: &UnitCode, inner: &UnitCode) -> bool {
    if is_city(outer) {
        let prefix = outer.as_str().trim_end_matches("00");
        inner.as_str().starts_with(prefix)
    } else {
        outer.contains(inner)
    }
}

pub(crate) async fn set_disabled(
    state: &AppState,
    user: &AuthUser,
    username: &str,
    disabled: bool,
) -> Result<UserView, ApiError> {
    user.require(Action::ManageUsers)?;
    let account = account_in_reach(state, user, username).await?;
    if disabled && account.id == user.account.id {
        return Err(ApiError::unprocessable(
            "cannot_disable_self",
            Some("username"),
            "username（用户名）：不能停用自己的账号，请由另一位管理员操作",
            "username: you cannot disable your own account; ask another administrator",
        ));
    }
    let after = accounts::set_disabled(&state.store, &account.username, disabled, &user.account.username)
        .await
        .map_err(account_error)?;
    // Its sessions and tokens may be remembered; which ones is not worth finding out.
    state.credentials.clear();
    Ok(after.into())
}

// ---------------------------------------------------------------------------------------------
// Assignments
// ---------------------------------------------------------------------------------------------

/// The social worker to assign.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct AssignmentRequest {
    /// The username of an account with the role `social_worker`.
    pub username: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Assignment {
    pub id_number: String,
    pub social_worker: String,
    pub assigned_on: String,
}

// ---------------------------------------------------------------------------------------------
// Reassessment
// ---------------------------------------------------------------------------------------------

/// What to reassess: everyone, as of `on` (default today) under `policy` (default the one in
/// force on `on`).
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct ReassessRequest {
    /// `YYYY-MM-DD`.
    pub on: Option<String>,
    /// A policy id, e.g. `gd-2023-11`.
    pub policy: Option<String>,
}

/// The run's summary (as `yuanzhu reassess` prints it) and the lost-contact proposals it made.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ReassessSummary {
    pub as_of: String,
    pub policy: String,
    /// Whether this run continued an interrupted one.
    pub resumed: bool,
    pub assessed: u64,
    pub changed: u64,
    pub became_eligible: u64,
    pub became_ineligible: u64,
    /// Persons entering each category.
    pub entered: std::collections::HashMap<String, u64>,
    /// Persons leaving each category.
    pub left: std::collections::HashMap<String, u64>,
    pub reached_retirement: u64,
    /// Recognitions made, by category: persons who came to meet a category that 第四条
    /// recognises automatically while registered unemployed (route `automatic`, decided by
    /// `reassessment`).
    pub recognised: std::collections::HashMap<String, u64>,
    /// Recognitions ended because their holder reached statutory retirement age.
    pub recognitions_ended: u64,
    pub revocation_proposals: LostContactSweep,
}

/// 第六条第（五）项: proposals for persons who could not be reached; a reviewer decides each.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct LostContactSweep {
    pub lost_contact: usize,
    pub already_open: u64,
}

// ---------------------------------------------------------------------------------------------
// Audit
// ---------------------------------------------------------------------------------------------

/// Whether every event's hash and link still hold, from the first event to the head.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AuditVerdict {
    pub intact: bool,
    /// Events checked (when intact).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<i64>,
    /// The head the chain was checked up to (when intact): keep a copy outside the database and
    /// pass it back as `expect_head` later, as with `yuanzhu audit verify --expect-head`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head: Option<AuditHead>,
    /// The first event at which the chain breaks, or the expected head's event that is gone or
    /// changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The last event of the chain: its number and hash, and both as `SEQ:HASH`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
    /// `SEQ:HASH`, as `yuanzhu audit verify` prints it and `expect_head` takes it.
    pub text: String,
}

// ---------------------------------------------------------------------------------------------
// Possible duplicates
// ---------------------------------------------------------------------------------------------

/// Two records with the same name and birth date but different ID numbers, waiting for a
/// decision. ID numbers are in full for the roles that decide (they must compare them digit by
/// digit), masked for any other.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DuplicateFlag {
    pub id: String,
    pub name: String,
    pub birth_date: String,
    pub id_number_a: String,
    pub id_number_b: String,
    pub state: String,
}

/// Whether the user reaches a person who lives (or holds their hukou) there. Flags are for the
/// roles that decide them, never a social worker's, so assignments do not enter.
pub(crate) fn reaches_place(user: &User, place: &duplicates::Place) -> bool {
    let Ok(residence) = UnitCode::parse(&place.residence_unit) else { return false };
    let hukou = place.hukou_unit.as_deref().and_then(|h| UnitCode::parse(h).ok());
    user.reaches(Target::Person(PersonReach {
        residence_unit: &residence,
        hukou_unit: hukou.as_ref(),
        assigned_to_user: false,
    }))
}

/// How many of the flags just raised the user may see: those both of whose persons they reach. A
/// flag pairing a person of theirs with one out of their reach is neither shown nor counted to
/// them (it would tell that someone of that name and birth date is on file elsewhere).
pub(crate) fn flags_seen(user: &User, flags: &[duplicates::Flagged]) -> u64 {
    flags.iter().filter(|f| reaches_place(user, &f.a) && reaches_place(user, &f.b)).count() as u64
}

/// The open flags both of whose persons lie within the caller's jurisdiction, oldest first.
pub(crate) async fn flags_in_reach(
    state: &AppState,
    user: &AuthUser,
    limit: u32,
) -> Result<Vec<duplicates::OpenFlag>, ApiError> {
    let Some(prefix) = user.user.unit_prefix() else { return Ok(Vec::new()) };
    let candidates = duplicates::open_under(&state.store, prefix, limit).await?;
    Ok(candidates.into_iter().filter(|f| reaches_place(&user.user, &f.a) && reaches_place(&user.user, &f.b)).collect())
}

/// The decision on a possible duplicate.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct DuplicateDecision {
    /// `true`: one person with a mistyped ID number (the files are to be corrected); `false`: two
    /// different persons.
    pub same_person: bool,
}

/// Records a decision on a flag the user may decide: both its persons in reach, still open.
pub(crate) async fn decide_flag(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    same_person: bool,
) -> Result<(), ApiError> {
    user.require(Action::DecideDuplicate)?;
    if id.len() > 64 || !flags_in_reach(state, user, 1000).await?.iter().any(|f| f.flag.id == id) {
        return Err(ApiError::not_found());
    }
    duplicates::decide(&state.store, id, same_person, &user.account.username, state.clock().today()).await?;
    Ok(())
}

/// Creates an account. The role must fit the unit's level (a street officer at a street…).
pub(crate) async fn create_user(state: &AppState, user: &AuthUser, new: NewUser) -> Result<UserView, ApiError> {
    user.require(Action::ManageUsers)?;
    let role = Role::parse(new.role.trim()).ok_or_else(|| {
        let all = Role::ALL.map(Role::code).join(", ");
        ApiError::unprocessable(
            "invalid_role",
            Some("role"),
            format!("role（角色）：没有角色“{}”，可选：{all}", new.role),
            format!("role: there is no role `{}`; one of {all}", new.role),
        )
    })?;
    let unit = UnitCode::parse(new.unit.trim()).map_err(|_| {
        ApiError::unprocessable(
            "invalid_unit",
            Some("unit"),
            format!("unit（单位）：单位代码为6、9或12位数字，收到“{}”", new.unit),
            format!("unit: a unit code has 6, 9 or 12 digits, got `{}`", new.unit),
        )
    })?;
    if !covers(&user.user.unit, &unit) {
        let key = "outside_jurisdiction.account_unit";
        return Err(
            ApiError::said(StatusCode::FORBIDDEN, "outside_jurisdiction", key, &[("unit", &unit)]).field("unit")
        );
    }
    if accounts::normalize_username(&new.username).is_none() {
        return Err(account_error(AccountError::InvalidUsername));
    }
    checked_password(&new.password)?;
    let hash = password::hash(new.password).await;
    let account = accounts::create(&state.store, &new.username, role, &unit, &hash, &user.account.username)
        .await
        .map_err(account_error)?;
    Ok(UserView::from(account))
}

/// Sets a new password for an account in reach; its sessions and tokens end.
pub(crate) async fn reset_password(
    state: &AppState,
    user: &AuthUser,
    username: &str,
    body: NewPassword,
) -> Result<UserView, ApiError> {
    user.require(Action::ManageUsers)?;
    let account = account_in_reach(state, user, username).await?;
    checked_password(&body.password)?;
    let hash = password::hash(body.password).await;
    let after = accounts::set_password(&state.store, &account.username, &hash, &user.account.username)
        .await
        .map_err(account_error)?;
    // Its sessions and tokens may be remembered; which ones is not worth finding out.
    state.credentials.clear();
    Ok(after.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(crate) fn the_city_code_covers_every_district() {
        let city = UnitCode::parse("440100").unwrap();
        let district = UnitCode::parse("440104").unwrap();
        let street = UnitCode::parse("440104011").unwrap();
        assert!(covers(&city, &district) && covers(&city, &street) && covers(&district, &street));
        assert!(!covers(&district, &city) && !covers(&street, &district));
        assert!(!covers(&city, &UnitCode::parse("440300").unwrap()));
    }

    #[test]
    pub(crate) fn account_errors_keep_their_field_and_both_languages() {
        let e = account_error(AccountError::UsernameTaken);
        assert_eq!((e.status, e.field.as_deref()), (StatusCode::CONFLICT, Some("username")));
        assert!(e.zh.contains("用户名") && e.en.contains("taken"));
    }
}
