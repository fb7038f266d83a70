//! Sessions, API tokens, login throttling and the assignment of persons to social workers.
//!
//! Sessions live in the database so that application servers stay stateless. Their secrets and
//! the tokens' arrive from the caller as plain strings; only their SHA-256 is stored, so a copy of
//! the database opens no session and calls no API. A hash without salt is enough here: the secrets
//! are long random strings, not passwords, so there is nothing to guess from a table of hashes.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use sqlx::Row;
use yuanzhu_domain::access::Role;
use yuanzhu_rules::Date;

use crate::accounts::{self, Account, AccountError, normalize_username};
use crate::audit::AuditAction;
use crate::audit::{self, NewEvent};
use crate::{Store, StoreError, new_id, now};

/// A signed-in session and its account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub account: Account,
    pub csrf_token: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub absolute_expires_at: String,
}

fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The account columns, named as [`accounts::account`] reads them, for joins.
const ACCOUNT: &str = "a.id, a.username, a.role, a.unit_code, a.disabled, a.version, a.created_at";

pub async fn create(
    store: &Store,
    account_id: &str,
    secret: &str,
    csrf_token: &str,
    absolute_expires_at: &str,
) -> Result<(), StoreError> {
    let at = now();
    sqlx::query(
        "INSERT INTO sessions (id_hash, account_id, csrf_token, created_at, last_seen_at, absolute_expires_at) \
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(digest(secret))
    .bind(account_id)
    .bind(csrf_token)
    .bind(&at)
    .bind(absolute_expires_at)
    .execute(store.pool())
    .await?;
    Ok(())
}

/// The session with this secret, unless unknown or its account is disabled. Whether it has
/// expired is the caller's to judge, as the idle limit is configuration.
pub async fn lookup(store: &Store, secret: &str) -> Result<Option<Session>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ACCOUNT}, s.csrf_token, s.created_at AS session_created_at, s.last_seen_at, s.absolute_expires_at \
         FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.id_hash = $1 AND a.disabled = 0"
    )))
    .bind(digest(secret))
    .fetch_optional(store.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Session {
        account: accounts::account(&r)?,
        csrf_token: r.try_get("csrf_token")?,
        created_at: r.try_get("session_created_at")?,
        last_seen_at: r.try_get("last_seen_at")?,
        absolute_expires_at: r.try_get("absolute_expires_at")?,
    }))
}

pub async fn touch(store: &Store, secret: &str, now: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(digest(secret))
        .execute(store.pool())
        .await?;
    Ok(())
}

pub async fn delete(store: &Store, secret: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(digest(secret)).execute(store.pool()).await?;
    Ok(())
}

/// Removes sessions idle since before `idle_cutoff` or past their absolute expiry; how many.
pub async fn purge_expired(store: &Store, idle_cutoff: &str, now: &str) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1 OR absolute_expires_at <= $2")
        .bind(idle_cutoff)
        .bind(now)
        .execute(store.pool())
        .await?;
    Ok(done.rows_affected())
}

/// Issues an API token for an account; its ID names it in lists and for revocation. The event
/// records the label and expiry, never the secret.
pub async fn create_token(
    store: &Store,
    account_id: &str,
    secret: &str,
    label: &str,
    expires_at: Option<&str>,
    actor: &str,
) -> Result<String, StoreError> {
    let mut tx = store.begin_write().await?;
    let exists: Option<String> =
        sqlx::query_scalar("SELECT id FROM accounts WHERE id = $1").bind(account_id).fetch_optional(&mut *tx).await?;
    if exists.is_none() {
        return Err(StoreError::NotFound(format!("no account {account_id}")));
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO api_tokens (id, token_hash, account_id, label, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(digest(secret))
    .bind(account_id)
    .bind(label)
    .bind(now())
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    audit::append(
        &mut tx,
        NewEvent {
            actor,
            action: AuditAction::AccountTokenCreated.code(),
            entity: "account",
            entity_id: account_id,
            after: Some(serde_json::json!({ "token_id": id, "label": label, "expires_at": expires_at })),
            ..NewEvent::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The account a token acts for, unless the token is unknown, revoked or expired at `now`, or the
/// account is disabled.
pub async fn token_account(store: &Store, secret: &str, now: &str) -> Result<Option<Account>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {ACCOUNT} FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) \
         AND a.disabled = 0"
    )))
    .bind(digest(secret))
    .bind(now)
    .fetch_optional(store.pool())
    .await?;
    row.as_ref().map(accounts::account).transpose()
}

/// Revokes a token; `false` if there is no such token or it was already revoked.
pub async fn revoke_token(store: &Store, token_id: &str, actor: &str) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let account_id: Option<String> = sqlx::query_scalar(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING account_id",
    )
    .bind(now())
    .bind(token_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(account_id) = account_id else { return Ok(false) };
    audit::append(
        &mut tx,
        NewEvent {
            actor,
            action: AuditAction::AccountTokenRevoked.code(),
            entity: "account",
            entity_id: &account_id,
            before: Some(serde_json::json!({ "token_id": token_id })),
            ..NewEvent::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

// ---------------------------------------------------------------------------------------------
// Login throttling
// ---------------------------------------------------------------------------------------------

/// Failures that lock a username, the window they must fall in, and how long the lock lasts.
const FAILURES: i64 = 5;
const WINDOW: Duration = Duration::minutes(15);
const LOCK: Duration = Duration::minutes(15);

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The key failures are counted under: the normalised name where it is one, so that `Admin` and
/// `admin` share a counter; any other text as typed, so that unknown names are throttled alike
/// and the answer reveals nothing about which accounts exist.
fn throttle_key(username: &str) -> String {
    normalize_username(username).unwrap_or_else(|| username.to_owned())
}

/// Until when the username is locked, if it is: when its last five failures fall within 15
/// minutes, for 15 minutes from the last of them.
pub async fn locked_until(
    store: &Store,
    username: &str,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let recent: Vec<String> =
        sqlx::query_scalar("SELECT at FROM login_failures WHERE username = $1 ORDER BY at DESC LIMIT $2")
            .bind(throttle_key(username))
            .bind(FAILURES)
            .fetch_all(store.pool())
            .await?;
    if (recent.len() as i64) < FAILURES {
        return Ok(None);
    }
    let parse = |t: &String| {
        DateTime::parse_from_rfc3339(t)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|_| StoreError::Corrupt(format!("login failure time `{t}`")))
    };
    let (newest, oldest) = (parse(&recent[0])?, parse(&recent[recent.len() - 1])?);
    let until = newest + LOCK;
    Ok((newest - oldest <= WINDOW && now < until).then_some(until))
}

/// Counts a failed login. Failures older than the window plus the lock can no longer matter and
/// are dropped, so the table holds only the last half hour of each name.
pub async fn record_failure(store: &Store, username: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    let key = throttle_key(username);
    let mut tx = store.begin_write().await?;
    sqlx::query("DELETE FROM login_failures WHERE username = $1 AND at < $2")
        .bind(&key)
        .bind(stamp(now - WINDOW - LOCK))
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO login_failures (username, at) VALUES ($1, $2)")
        .bind(&key)
        .bind(stamp(now))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets a username's failures, after a successful login.
pub async fn clear_failures(store: &Store, username: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1")
        .bind(throttle_key(username))
        .execute(store.pool())
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Assignments (第十三条 社工服务)
// ---------------------------------------------------------------------------------------------

/// The person's ID and the social worker's account, or why they cannot be paired.
async fn pair(
    conn: &mut sqlx::AnyConnection,
    id_number: &str,
    username: &str,
) -> Result<(String, Account), AccountError> {
    let person_id: Option<String> = sqlx::query_scalar("SELECT id FROM persons WHERE id_number = $1")
        .bind(id_number)
        .fetch_optional(&mut *conn)
        .await?;
    let person_id = person_id.ok_or_else(|| AccountError::PersonNotFound(id_number.to_owned()))?;
    let account = accounts::existing(conn, username).await?;
    if account.role != Role::SocialWorker {
        return Err(AccountError::NotASocialWorker(account.username));
    }
    Ok((person_id, account))
}

/// Assigns the person to a social worker, who from then on reaches them. Assigning again changes
/// nothing and records nothing.
pub async fn assign(
    store: &Store,
    id_number: &str,
    social_worker_username: &str,
    actor: &str,
    on: Date,
) -> Result<(), AccountError> {
    let mut tx = store.begin_write().await?;
    let (person_id, worker) = pair(&mut tx, id_number, social_worker_username).await?;
    let present: Option<String> =
        sqlx::query_scalar("SELECT person_id FROM assignments WHERE person_id = $1 AND account_id = $2")
            .bind(&person_id)
            .bind(&worker.id)
            .fetch_optional(&mut *tx)
            .await?;
    if present.is_some() {
        return Ok(());
    }
    sqlx::query("INSERT INTO assignments (person_id, account_id, assigned_on, assigned_by) VALUES ($1, $2, $3, $4)")
        .bind(&person_id)
        .bind(&worker.id)
        .bind(on.to_string())
        .bind(actor)
        .execute(&mut *tx)
        .await?;
    let after = serde_json::json!({ "social_worker": worker.username, "assigned_on": on.to_string() });
    assignment_event(&mut tx, actor, AuditAction::PersonAssigned.code(), &person_id, None, Some(after)).await?;
    tx.commit().await?;
    Ok(())
}

/// Ends an assignment; ending one that does not exist changes nothing and records nothing.
pub async fn unassign(
    store: &Store,
    id_number: &str,
    social_worker_username: &str,
    actor: &str,
) -> Result<(), AccountError> {
    let mut tx = store.begin_write().await?;
    let (person_id, worker) = pair(&mut tx, id_number, social_worker_username).await?;
    let assigned_on: Option<String> =
        sqlx::query_scalar("DELETE FROM assignments WHERE person_id = $1 AND account_id = $2 RETURNING assigned_on")
            .bind(&person_id)
            .bind(&worker.id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(assigned_on) = assigned_on else { return Ok(()) };
    let before = serde_json::json!({ "social_worker": worker.username, "assigned_on": assigned_on });
    assignment_event(&mut tx, actor, AuditAction::PersonUnassigned.code(), &person_id, Some(before), None).await?;
    tx.commit().await?;
    Ok(())
}

async fn assignment_event(
    conn: &mut sqlx::AnyConnection,
    actor: &str,
    action: &str,
    person_id: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), StoreError> {
    audit::append(
        conn,
        NewEvent {
            actor,
            action,
            entity: "person",
            entity_id: person_id,
            person_id: Some(person_id),
            before,
            after,
            ..NewEvent::default()
        },
    )
    .await?;
    Ok(())
}
