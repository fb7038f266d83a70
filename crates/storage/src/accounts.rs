//! Accounts: each user acts in one role for one unit (第二条, 第十八条). Password hashes are made
//! and checked by the caller (argon2id, off the async threads); this module only keeps them, and
//! never lets one into an audit event.
//!
//! Which error to use where: changes return [`AccountError`], which names the field a form must
//! correct; reads return [`StoreError`], since a missing account is an `Option`, not a fault.

use sqlx::{AnyConnection, Row};
use yuanzhu_domain::access::{Role, User};
use yuanzhu_domain::{Level, UnitCode};

use crate::audit::AuditAction;
use crate::audit::{self, NewEvent};
use crate::{Store, StoreError, new_id, now};

/// An account as the rest of the system sees it: everything but the password hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub unit: UnitCode,
    pub disabled: bool,
    /// Goes up by one with every change.
    pub version: i64,
    pub created_at: String,
}

impl Account {
    /// The account as the rules of access see it.
    pub fn user(&self) -> User {
        User { account_id: self.id.clone(), username: self.username.clone(), role: self.role, unit: self.unit.clone() }
    }
}

/// Why an account could not be created or changed, or a person not assigned.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("username: this username is already taken")]
    UsernameTaken,
    #[error("username: use 1 to 64 characters of a-z, 0-9, `.`, `_` and `-`")]
    InvalidUsername,
    #[error("unit: there is no unit `{0}`")]
    UnknownUnit(String),
    #[error("role: the role `{role}` cannot be given at unit `{unit}`")]
    RoleDoesNotFitUnit { role: Role, unit: String },
    #[error("username: there is no account `{0}`")]
    NotFound(String),
    /// Raised where a person is named by ID number: the account error names the wrong field.
    #[error("id_number: no person with ID number {0} is registered")]
    PersonNotFound(String),
    #[error("username: the account `{0}` is not a social worker")]
    NotASocialWorker(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AccountError {
    /// A stable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            AccountError::UsernameTaken => "username_taken",
            AccountError::InvalidUsername => "invalid_username",
            AccountError::UnknownUnit(_) => "unknown_unit",
            AccountError::RoleDoesNotFitUnit { .. } => "role_does_not_fit_unit",
            AccountError::NotFound(_) => "account_not_found",
            AccountError::PersonNotFound(_) => "person_not_found",
            AccountError::NotASocialWorker(_) => "not_a_social_worker",
            AccountError::Store(_) => "store_error",
        }
    }

    /// The field at fault, as the API names it; `None` for a failure of the store itself.
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            AccountError::UsernameTaken
            | AccountError::InvalidUsername
            | AccountError::NotFound(_)
            | AccountError::NotASocialWorker(_) => "username",
            AccountError::UnknownUnit(_) => "unit",
            AccountError::RoleDoesNotFitUnit { .. } => "role",
            AccountError::PersonNotFound(_) => "id_number",
            AccountError::Store(_) => return None,
        })
    }
}

impl From<sqlx::Error> for AccountError {
    fn from(e: sqlx::Error) -> Self {
        AccountError::Store(StoreError::Database(e))
    }
}

/// Trimmed and lower-cased, so that `Zhang.San ` and `zhang.san` are one account (and one
/// throttling counter); `None` where it is not a valid username.
pub fn normalize_username(text: &str) -> Option<String> {
    let name = text.trim().to_lowercase();
    let ok = (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'));
    ok.then_some(name)
}

pub(crate) fn account(r: &sqlx::any::AnyRow) -> Result<Account, StoreError> {
    let role: String = r.try_get("role")?;
    let unit: String = r.try_get("unit_code")?;
    Ok(Account {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("account role `{role}`")))?,
        unit: UnitCode::parse(&unit).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
    })
}

/// The level of a stored unit. The city and its districts both have 6 digits, so the stored level
/// decides; the two `other` units (a reservoir, a forest farm) sit where streets do.
fn level(text: &str, code: &str) -> Option<Level> {
    Some(match text {
        "city" => Level::City,
        "district" => Level::District,
        "street" | "town" => Level::StreetOrTown,
        "community" | "village" => Level::CommunityOrVillage,
        _ => match code.len() {
            9 => Level::StreetOrTown,
            12 => Level::CommunityOrVillage,
            _ => return None,
        },
    })
}

/// A unit prefix as a `LIKE` pattern for its subtree. Codes nest by prefix except at the top: the
/// city 440100 is the parent of 440104, so a 6-digit code ending in zeros stands for the shorter
/// prefix it abbreviates (GB/T 2260).
pub(crate) fn subtree_pattern(prefix: &str) -> String {
    format!("{}%", escape_like(subtree_prefix(prefix)))
}

/// What every code of a unit prefix's subtree starts with (see [`subtree_pattern`]).
pub(crate) fn subtree_prefix(prefix: &str) -> &str {
    let mut p = prefix;
    if p.len() == 6 {
        while p.len() > 2 && p.ends_with("00") {
            p = &p[..p.len() - 2];
        }
    }
    p
}

/// Escapes `LIKE` wildcards for use with `ESCAPE '\'`.
pub(crate) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Creates an account. The caller hashes the password.
pub async fn create(
    store: &Store,
    username: &str,
    role: Role,
    unit: &UnitCode,
    password_hash: &str,
    actor: &str,
) -> Result<Account, AccountError> {
    let username = normalize_username(username).ok_or(AccountError::InvalidUsername)?;
    let mut tx = store.begin_write().await?;
    let stored_level: Option<String> = sqlx::query_scalar("SELECT level FROM units WHERE code = $1")
        .bind(unit.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    let stored_level = stored_level.ok_or_else(|| AccountError::UnknownUnit(unit.to_string()))?;
    if !level(&stored_level, unit.as_str()).is_some_and(|l| role.fits(l)) {
        return Err(AccountError::RoleDoesNotFitUnit { role, unit: unit.to_string() });
    }
    let taken: Option<String> = sqlx::query_scalar("SELECT id FROM accounts WHERE username = $1")
        .bind(&username)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(AccountError::UsernameTaken);
    }
    let at = now();
    let account = Account {
        id: new_id(),
        username,
        role,
        unit: unit.clone(),
        disabled: false,
        version: 1,
        created_at: at.clone(),
    };
    let inserted = sqlx::query(
        "INSERT INTO accounts (id, username, role, unit_code, password_hash, disabled, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 0, 1, $6, $6)",
    )
    .bind(&account.id)
    .bind(&account.username)
    .bind(role.code())
    .bind(unit.as_str())
    .bind(password_hash)
    .bind(&at)
    .execute(&mut *tx)
    .await;
    match inserted {
        // Another request took the name between the check and the insert.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(AccountError::UsernameTaken),
        other => other?,
    };
    record(&mut tx, actor, AuditAction::AccountCreated.code(), &account, None, Some(&account)).await?;
    tx.commit().await?;
    Ok(account)
}

/// Appends an account's audit event: the account as [`Account`] shows it, so never its hash.
async fn record(
    conn: &mut AnyConnection,
    actor: &str,
    action: &str,
    account: &Account,
    before: Option<&Account>,
    after: Option<&Account>,
) -> Result<(), StoreError> {
    let json = |a: &Account| serde_json::to_value(a).expect("an account serialises");
    audit::append(
        conn,
        NewEvent {
            actor,
            action,
            entity: "account",
            entity_id: &account.id,
            before: before.map(json),
            after: after.map(json),
            ..NewEvent::default()
        },
    )
    .await?;
    Ok(())
}

/// The account and its password hash, for signing in. The name is normalised first.
pub async fn by_username(store: &Store, username: &str) -> Result<Option<(Account, String)>, StoreError> {
    let Some(username) = normalize_username(username) else { return Ok(None) };
    let row = sqlx::query("SELECT id, username, role, unit_code, disabled, version, created_at, password_hash FROM accounts WHERE username = $1")
        .bind(username)
        .fetch_optional(store.pool())
        .await?;
    row.map(|r| Ok((account(&r)?, r.try_get("password_hash")?))).transpose()
}

pub async fn by_id(store: &Store, id: &str) -> Result<Option<Account>, StoreError> {
    let row =
        sqlx::query("SELECT id, username, role, unit_code, disabled, version, created_at FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(store.pool())
            .await?;
    row.as_ref().map(account).transpose()
}

/// Accounts of the units under `unit_prefix` (a unit code, or the start of one), by username.
pub async fn list(store: &Store, unit_prefix: &str) -> Result<Vec<Account>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, username, role, unit_code, disabled, version, created_at FROM accounts \
         WHERE unit_code LIKE $1 ESCAPE '\\' ORDER BY username",
    )
    .bind(subtree_pattern(unit_prefix))
    .fetch_all(store.pool())
    .await?;
    rows.iter().map(account).collect()
}

pub async fn count(store: &Store) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM accounts").fetch_one(store.pool()).await?)
}

/// The account by normalised username inside a transaction; [`AccountError::NotFound`] if none.
pub(crate) async fn existing(conn: &mut AnyConnection, username: &str) -> Result<Account, AccountError> {
    let name = normalize_username(username).ok_or_else(|| AccountError::NotFound(username.trim().to_owned()))?;
    let row = sqlx::query(
        "SELECT id, username, role, unit_code, disabled, version, created_at FROM accounts WHERE username = $1",
    )
    .bind(&name)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AccountError::NotFound(name))?;
    Ok(account(&row)?)
}

/// Disables or re-enables an account. Disabling ends its sessions and revokes its API tokens in
/// the same transaction, so a disabled user is out at once, not at their next expiry. Re-enabling
/// restores neither: the user signs in again and asks for new tokens. Setting the state it
/// already has changes nothing.
pub async fn set_disabled(store: &Store, username: &str, disabled: bool, actor: &str) -> Result<Account, AccountError> {
    let mut tx = store.begin_write().await?;
    let before = existing(&mut tx, username).await?;
    if before.disabled == disabled {
        return Ok(before);
    }
    let at = now();
    let version: i64 = sqlx::query_scalar(
        "UPDATE accounts SET disabled = $1, version = version + 1, updated_at = $2 WHERE id = $3 RETURNING version",
    )
    .bind(i64::from(disabled))
    .bind(&at)
    .bind(&before.id)
    .fetch_one(&mut *tx)
    .await?;
    if disabled {
        end_access(&mut tx, &before.id, &at).await?;
    }
    let after = Account { disabled, version, ..before.clone() };
    let action = if disabled { AuditAction::AccountDisabled.code() } else { AuditAction::AccountEnabled.code() };
    record(&mut tx, actor, action, &after, Some(&before), Some(&after)).await?;
    tx.commit().await?;
    Ok(after)
}

async fn end_access(conn: &mut AnyConnection, account_id: &str, at: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE account_id = $1").bind(account_id).execute(&mut *conn).await?;
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL")
        .bind(at)
        .bind(account_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Replaces the password hash and ends the account's sessions: whoever knew the old password is
/// signed out. API tokens stay, being separate credentials with their own revocation.
pub async fn set_password(
    store: &Store,
    username: &str,
    password_hash: &str,
    actor: &str,
) -> Result<Account, AccountError> {
    let mut tx = store.begin_write().await?;
    let before = existing(&mut tx, username).await?;
    let version: i64 = sqlx::query_scalar(
        "UPDATE accounts SET password_hash = $1, version = version + 1, updated_at = $2 WHERE id = $3 RETURNING version",
    )
    .bind(password_hash)
    .bind(now())
    .bind(&before.id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM sessions WHERE account_id = $1").bind(&before.id).execute(&mut *tx).await?;
    let after = Account { version, ..before.clone() };
    record(&mut tx, actor, AuditAction::AccountPasswordSet.code(), &after, Some(&before), Some(&after)).await?;
    tx.commit().await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_trimmed_lowercased_and_limited() {
        assert_eq!(normalize_username("  Zhang.San_1-a ").as_deref(), Some("zhang.san_1-a"));
        for bad in ["", "   ", "张三", "a b", "a@b", &"a".repeat(65)] {
            assert_eq!(normalize_username(bad), None, "{bad}");
        }
        assert!(normalize_username(&"a".repeat(64)).is_some());
    }

    #[test]
    fn the_city_code_stands_for_its_whole_subtree() {
        assert_eq!(subtree_pattern("440100"), "4401%");
        assert_eq!(subtree_pattern("440104"), "440104%");
        assert_eq!(subtree_pattern("440104011"), "440104011%");
        assert_eq!(subtree_pattern("4401_%"), "4401\\_\\%%");
    }
}
