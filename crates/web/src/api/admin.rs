//! Administration: accounts (a city admin's work), social-worker assignments (第十三条), the
//! reassessment run, verification of the audit chain, and the queue of possible duplicates.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::{Action, PersonReach, Role, Target, User, mask_id_number, role_allows};
use yuanzhu_storage::accounts::{self, Account, AccountError};
use yuanzhu_storage::audit::{self, Verdict};
use yuanzhu_storage::{duplicates, reassess, revocations, sessions};

use super::Json;
use super::households::date_field;
use super::persons::id_from_path;
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::password;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(reset_password))
        .routes(routes!(assign))
        .routes(routes!(unassign))
        .routes(routes!(run_reassessment))
        .routes(routes!(verify_audit))
        .routes(routes!(duplicate_queue))
        .routes(routes!(decide_duplicate))
}

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
fn is_city(unit: &UnitCode) -> bool {
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

/// The accounts of the caller's jurisdiction, by username.
#[utoipa::path(
    get, path = "/users", tag = "admin",
    responses((status = 200, body = Vec<UserView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody))
)]
async fn list_users(State(state): State<AppState>, user: AuthUser) -> Result<Json<Vec<UserView>>, ApiError> {
    user.require(Action::ManageUsers)?;
    let list = accounts::list(&state.store, user.user.unit.as_str()).await?;
    Ok(Json(list.into_iter().map(UserView::from).collect()))
}

/// Create an account. The role must fit the unit's level (a street officer at a street…).
#[utoipa::path(
    post, path = "/users", tag = "admin",
    request_body = NewUser,
    responses(
        (status = 201, body = UserView),
        (status = 403, body = ErrorBody),
        (status = 409, description = "The username is taken", body = ErrorBody),
        (status = 422, description = "A field is wrong: `field` names it", body = ErrorBody),
    )
)]
pub(crate) async fn create_user(
    State(state): State<AppState>,
    user: AuthUser,
    Json(new): Json<NewUser>,
) -> Result<Response, ApiError> {
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
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "outside_jurisdiction",
            format!("unit（单位）：单位 {unit} 不在您的管辖范围内"),
            format!("unit: unit {unit} is outside your jurisdiction"),
        )
        .field("unit"));
    }
    if accounts::normalize_username(&new.username).is_none() {
        return Err(account_error(AccountError::InvalidUsername));
    }
    checked_password(&new.password)?;
    let hash = password::hash(new.password).await;
    let account = accounts::create(&state.store, &new.username, role, &unit, &hash, &user.account.username)
        .await
        .map_err(account_error)?;
    Ok((StatusCode::CREATED, Json(UserView::from(account))).into_response())
}

pub(crate) async fn set_disabled(
    state: &AppState,
    user: &AuthUser,
    username: &str,
    disabled: bool,
) -> Result<Json<UserView>, ApiError> {
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
    Ok(Json(after.into()))
}

/// Disable an account: its sessions end and its API tokens are revoked at once.
#[utoipa::path(
    post, path = "/users/{username}/disable", tag = "admin",
    params(("username" = String, Path)),
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
async fn disable_user(
    State(state): State<AppState>,
    user: AuthUser,
    Path(username): Path<String>,
) -> Result<Json<UserView>, ApiError> {
    set_disabled(&state, &user, &username, true).await
}

/// Enable a disabled account. Its user signs in again; revoked tokens stay revoked.
#[utoipa::path(
    post, path = "/users/{username}/enable", tag = "admin",
    params(("username" = String, Path)),
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
async fn enable_user(
    State(state): State<AppState>,
    user: AuthUser,
    Path(username): Path<String>,
) -> Result<Json<UserView>, ApiError> {
    set_disabled(&state, &user, &username, false).await
}

/// Set a new password for an account; its sessions end.
#[utoipa::path(
    put, path = "/users/{username}/password", tag = "admin",
    params(("username" = String, Path)),
    request_body = NewPassword,
    responses((status = 200, body = UserView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
pub(crate) async fn reset_password(
    State(state): State<AppState>,
    user: AuthUser,
    Path(username): Path<String>,
    Json(body): Json<NewPassword>,
) -> Result<Json<UserView>, ApiError> {
    user.require(Action::ManageUsers)?;
    let account = account_in_reach(&state, &user, &username).await?;
    checked_password(&body.password)?;
    let hash = password::hash(body.password).await;
    let after = accounts::set_password(&state.store, &account.username, &hash, &user.account.username)
        .await
        .map_err(account_error)?;
    // Its sessions and tokens may be remembered; which ones is not worth finding out.
    state.credentials.clear();
    Ok(Json(after.into()))
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

/// Assign a person to a social worker, who from then on reaches their file (第十三条).
/// Assigning again changes nothing.
#[utoipa::path(
    post, path = "/persons/{id_number}/assignments", tag = "admin",
    params(("id_number" = String, Path)),
    request_body = AssignmentRequest,
    responses(
        (status = 200, body = Assignment),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such person in your jurisdiction, or no such account", body = ErrorBody),
        (status = 422, description = "The account is not a social worker", body = ErrorBody),
    )
)]
async fn assign(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
    Json(body): Json<AssignmentRequest>,
) -> Result<Json<Assignment>, ApiError> {
    let id = id_from_path(&id_number)?;
    user.person(&state, id.as_str(), Action::AssignSocialWorker).await?;
    let today = state.clock().today();
    sessions::assign(&state.store, id.as_str(), &body.username, &user.account.username, today)
        .await
        .map_err(account_error)?;
    Ok(Json(Assignment {
        id_number: id.as_str().to_owned(),
        social_worker: body.username.trim().to_lowercase(),
        assigned_on: today.to_string(),
    }))
}

/// End a social worker's assignment to a person. Ending one that does not exist changes nothing.
#[utoipa::path(
    delete, path = "/persons/{id_number}/assignments/{username}", tag = "admin",
    params(("id_number" = String, Path), ("username" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody))
)]
async fn unassign(
    State(state): State<AppState>,
    user: AuthUser,
    Path((id_number, username)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let id = id_from_path(&id_number)?;
    user.person(&state, id.as_str(), Action::AssignSocialWorker).await?;
    sessions::unassign(&state.store, id.as_str(), &username, &user.account.username).await.map_err(account_error)?;
    Ok(StatusCode::NO_CONTENT)
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

/// Reassess the whole registry as of a date, then propose revocations for lost contact.
///
/// The run covers every person: storage reassesses the registry as one resumable sweep and
/// cannot yet limit it to a subtree, so only a user whose unit is the city (a city admin, or a
/// supervisor at the city) may start it; a district supervisor gets 403 `whole_registry_only`.
/// The request answers when the run ends.
#[utoipa::path(
    post, path = "/reassess", tag = "admin",
    request_body = ReassessRequest,
    responses(
        (status = 200, body = ReassessSummary),
        (status = 403, body = ErrorBody),
        (status = 422, description = "`on` is not a date, or `policy` is unknown or none is in force", body = ErrorBody),
    )
)]
async fn run_reassessment(
    State(state): State<AppState>,
    user: AuthUser,
    Json(body): Json<ReassessRequest>,
) -> Result<Json<ReassessSummary>, ApiError> {
    user.require(Action::Reassess)?;
    if !is_city(&user.user.unit) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "whole_registry_only",
            "重新评估一次覆盖全市登记，只能由市级账号发起",
            "a reassessment covers the whole registry, so only an account at the city may start it",
        ));
    }
    let on = match &body.on {
        Some(text) => date_field(text, "on")?,
        None => state.clock().today(),
    };
    let policy = match &body.policy {
        Some(id) => state.policies.by_id(id.trim()).ok_or_else(|| {
            ApiError::unprocessable(
                "unknown_policy",
                Some("policy"),
                format!("policy（政策）：没有政策“{id}”"),
                format!("policy: unknown policy `{id}`"),
            )
        })?,
        None => state.policies.in_force_on(on).ok_or_else(|| {
            ApiError::unprocessable(
                "no_policy_in_force",
                Some("on"),
                format!("on（日期）：{on} 没有生效的政策，请用 policy 指定"),
                format!("on: no policy is in force on {on}: name one with `policy`"),
            )
        })?,
    };
    let actor = &user.account.username;
    let s = reassess::run(&state.store, policy, on, actor, reassess::PAGE, |_, _| true).await?;
    let sweep = revocations::propose_unreachable(&state.store, policy, on, actor)
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(ReassessSummary {
        as_of: s.as_of,
        policy: s.policy,
        resumed: s.resumed,
        assessed: s.assessed,
        changed: s.changed,
        became_eligible: s.became_eligible,
        became_ineligible: s.became_ineligible,
        entered: s.entered,
        left: s.left,
        reached_retirement: s.reached_retirement,
        recognised: s.recognised,
        recognitions_ended: s.recognitions_ended,
        revocation_proposals: LostContactSweep { lost_contact: sweep.proposed.len(), already_open: sweep.already_open },
    }))
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
    /// The first event at which the chain breaks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Verify the audit chain.
#[utoipa::path(
    get, path = "/audit/verify", tag = "admin",
    responses((status = 200, body = AuditVerdict), (status = 403, body = ErrorBody))
)]
async fn verify_audit(State(state): State<AppState>, user: AuthUser) -> Result<Json<AuditVerdict>, ApiError> {
    user.require(Action::VerifyAudit)?;
    Ok(Json(match audit::verify(&state.store).await? {
        Verdict::Intact { events } => {
            AuditVerdict { intact: true, events: Some(events), broken_at: None, reason: None }
        }
        Verdict::Broken { seq, reason } => {
            AuditVerdict { intact: false, events: None, broken_at: Some(seq), reason: Some(reason) }
        }
    }))
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
fn reaches_place(user: &User, place: &duplicates::Place) -> bool {
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

/// The queue of possible duplicates within the caller's jurisdiction.
#[utoipa::path(
    get, path = "/duplicates", tag = "admin",
    responses((status = 200, body = Vec<DuplicateFlag>), (status = 403, body = ErrorBody))
)]
async fn duplicate_queue(State(state): State<AppState>, user: AuthUser) -> Result<Json<Vec<DuplicateFlag>>, ApiError> {
    user.require(Action::DecideDuplicate)?;
    let full = role_allows(user.user.role, Action::ViewIdentity);
    let shown = |id: String| if full { id } else { mask_id_number(&id) };
    Ok(Json(
        flags_in_reach(&state, &user, 1000)
            .await?
            .into_iter()
            .map(|f| f.flag)
            .map(|f| DuplicateFlag {
                id: f.id,
                name: f.name,
                birth_date: f.birth_date,
                id_number_a: shown(f.id_number_a),
                id_number_b: shown(f.id_number_b),
                state: f.state,
            })
            .collect(),
    ))
}

/// The decision on a possible duplicate.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct DuplicateDecision {
    /// `true`: one person with a mistyped ID number (the files are to be corrected); `false`: two
    /// different persons.
    pub same_person: bool,
}

/// Decide a possible duplicate. A flag already decided, or outside the caller's jurisdiction, is
/// 404.
#[utoipa::path(
    post, path = "/duplicates/{id}/decision", tag = "admin",
    params(("id" = String, Path)),
    request_body = DuplicateDecision,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
async fn decide_duplicate(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(body): Json<DuplicateDecision>,
) -> Result<StatusCode, ApiError> {
    user.require(Action::DecideDuplicate)?;
    decide_flag(&state, &user, &id, body.same_person).await?;
    Ok(StatusCode::NO_CONTENT)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_city_code_covers_every_district() {
        let city = UnitCode::parse("440100").unwrap();
        let district = UnitCode::parse("440104").unwrap();
        let street = UnitCode::parse("440104011").unwrap();
        assert!(covers(&city, &district) && covers(&city, &street) && covers(&district, &street));
        assert!(!covers(&district, &city) && !covers(&street, &district));
        assert!(!covers(&city, &UnitCode::parse("440300").unwrap()));
    }

    #[test]
    fn account_errors_keep_their_field_and_both_languages() {
        let e = account_error(AccountError::UsernameTaken);
        assert_eq!((e.status, e.field.as_deref()), (StatusCode::CONFLICT, Some("username")));
        assert!(e.zh.contains("用户名") && e.en.contains("taken"));
    }
}
