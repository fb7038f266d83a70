//! Moves of a person's residence to another unit (居住地转移), the rows behind
//! `yuanzhu_domain::residence_transfer`: who may act is decided there, this records what they did.
//! Every step writes an audit event of the person with both units, in the step's transaction, and
//! a move that takes effect changes the person's unit of residence and version with it.

// The SELECT is a constant of this module and the limit a number: safe to splice into SQL.
use sqlx::FromRow as _;
use sqlx::{AssertSqlSafe, Row};
use yuanzhu_domain::UnitCode;
use yuanzhu_domain::residence_transfer::{Side, State};

use crate::audit::AuditAction;
use crate::audit::{self, NewEvent};
use crate::{Store, StoreError, new_id, now};

/// A move, with the person it moves.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Transfer {
    pub id: String,
    pub person_id: String,
    pub id_number: String,
    pub name: String,
    pub from_unit: String,
    pub to_unit: String,
    /// `from` or `to`, or `both` for a move a supervisor made at once.
    pub proposed_by_side: String,
    pub state: String,
    pub note: Option<String>,
    pub proposed_by: String,
    pub proposer_account: String,
    pub proposed_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
}

impl Transfer {
    pub fn side(&self) -> Option<Side> {
        Side::parse(&self.proposed_by_side)
    }

    pub fn state(&self) -> Option<State> {
        State::parse(&self.state)
    }
}

/// Why a step was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("the person already has a move waiting for a decision")]
    AlreadyOpen,
    #[error("the move is no longer open: it was {0}")]
    Closed(String),
    #[error("the person no longer lives in the unit the move starts from")]
    Moved,
    #[error("no such unit: {0}")]
    UnknownUnit(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for TransferError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => TransferError::AlreadyOpen,
            _ => TransferError::Store(e.into()),
        }
    }
}

const SELECT: &str = "SELECT t.id, t.person_id, p.id_number, p.name, t.from_unit, t.to_unit, t.proposed_by_side, \
     t.state, t.note, t.proposed_by, t.proposer_account, t.proposed_at, t.decided_by, t.decided_at, t.decision_note \
     FROM residence_transfers t JOIN persons p ON p.id = t.person_id";

fn transfer(r: &sqlx::any::AnyRow) -> Result<Transfer, sqlx::Error> {
    Transfer::from_row(r)
}

/// The move with this ID, if any.
pub async fn get(store: &Store, id: &str) -> Result<Option<Transfer>, StoreError> {
    let row =
        sqlx::query(AssertSqlSafe(format!("{SELECT} WHERE t.id = $1"))).bind(id).fetch_optional(store.pool()).await?;
    Ok(row.as_ref().map(transfer).transpose()?)
}

/// The open moves from or to a unit under `unit_prefix` (a code prefix), oldest first, at most
/// `limit`.
pub async fn open_under(store: &Store, unit_prefix: &str, limit: u32) -> Result<Vec<Transfer>, StoreError> {
    let like = format!("{}%", unit_prefix.chars().filter(char::is_ascii_digit).collect::<String>());
    let sql = format!(
        "{SELECT} WHERE t.state = 'proposed' AND (t.from_unit LIKE $1 OR t.to_unit LIKE $1) \
         ORDER BY t.proposed_at, t.id LIMIT {}",
        limit.min(1000)
    );
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(like).fetch_all(store.pool()).await?;
    Ok(rows.iter().map(transfer).collect::<Result<_, _>>()?)
}

/// Every move of a person, oldest first.
pub async fn of_person(store: &Store, person_id: &str) -> Result<Vec<Transfer>, StoreError> {
    let sql = format!("{SELECT} WHERE t.person_id = $1 ORDER BY t.proposed_at, t.id");
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(person_id).fetch_all(store.pool()).await?;
    Ok(rows.iter().map(transfer).collect::<Result<_, _>>()?)
}

/// The name on file for an ID number: a unit asking for a person names them as on the ID card,
/// and only an exact match finds them.
pub async fn name_on_file(store: &Store, id_number: &str) -> Result<Option<String>, StoreError> {
    let name = sqlx::query_scalar("SELECT name FROM persons WHERE id_number = $1").bind(id_number);
    Ok(name.fetch_optional(store.pool()).await?)
}

/// Who records a step.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub username: &'a str,
    pub account_id: &'a str,
}

/// A new move of the person (by ID number) to `to_unit`: proposed by one side (`Some(side)`), or
/// made at once (`None`). The person's unit is read in the transaction: the move starts from it.
pub async fn start(
    store: &Store,
    id_number: &str,
    to_unit: &UnitCode,
    side: Option<Side>,
    note: Option<&str>,
    actor: Actor<'_>,
) -> Result<Transfer, TransferError> {
    let mut tx = store.begin_write().await?;
    let known: Option<String> = sqlx::query_scalar("SELECT code FROM units WHERE code = $1")
        .bind(to_unit.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    if known.is_none() {
        return Err(TransferError::UnknownUnit(to_unit.to_string()));
    }
    let person = sqlx::query("SELECT id, residence_unit FROM persons WHERE id_number = $1")
        .bind(id_number)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no person with ID number {id_number}")))?;
    let (person_id, from_unit): (String, String) = (person.try_get("id")?, person.try_get("residence_unit")?);
    let open: Option<String> =
        sqlx::query_scalar("SELECT id FROM residence_transfers WHERE person_id = $1 AND state = 'proposed'")
            .bind(&person_id)
            .fetch_optional(&mut *tx)
            .await?;
    if open.is_some() {
        return Err(TransferError::AlreadyOpen);
    }
    let id = new_id();
    let at = now();
    let (side_code, state) = match side {
        Some(s) => (s.code(), State::Proposed),
        None => ("both", State::Done),
    };
    sqlx::query(
        "INSERT INTO residence_transfers (id, person_id, from_unit, to_unit, proposed_by_side, state, note, proposed_by, \
         proposer_account, proposed_at, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(&person_id)
    .bind(&from_unit)
    .bind(to_unit.as_str())
    .bind(side_code)
    .bind(state.code())
    .bind(note)
    .bind(actor.username)
    .bind(actor.account_id)
    .bind(&at)
    .bind((state == State::Done).then_some(actor.username))
    .bind((state == State::Done).then_some(at.as_str()))
    .execute(&mut *tx)
    .await?;
    let action =
        if state == State::Done { AuditAction::TransferDone.code() } else { AuditAction::TransferProposed.code() };
    let after = serde_json::json!({ "from_unit": from_unit, "to_unit": to_unit.as_str(), "proposed_by": side_code, "note": note });
    audit::append(
        &mut tx,
        NewEvent {
            actor: actor.username,
            action,
            entity: "residence_transfer",
            entity_id: &id,
            person_id: Some(&person_id),
            after: Some(after),
            ..NewEvent::default()
        },
    )
    .await?;
    if state == State::Done {
        move_person(&mut tx, &person_id, &from_unit, to_unit.as_str(), &id, actor.username).await?;
    }
    tx.commit().await?;
    Ok(get(store, &id).await?.ok_or_else(|| StoreError::Corrupt(format!("transfer {id} vanished")))?)
}

/// The step that closes an open move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    Accept,
    Refuse,
    Withdraw,
}

impl Closing {
    fn state(self) -> State {
        match self {
            Closing::Accept => State::Accepted,
            Closing::Refuse => State::Refused,
            Closing::Withdraw => State::Withdrawn,
        }
    }
}

/// Closes an open move; an accepted one moves the person. A move already closed, or a person no
/// longer in the unit it starts from, is refused and nothing changes.
pub async fn close(
    store: &Store,
    id: &str,
    step: Closing,
    note: Option<&str>,
    actor: Actor<'_>,
) -> Result<Transfer, TransferError> {
    let mut tx = store.begin_write().await?;
    let row = sqlx::query("SELECT person_id, from_unit, to_unit, state FROM residence_transfers WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no transfer {id}")))?;
    let (person_id, from_unit, to_unit, state): (String, String, String, String) =
        (row.try_get("person_id")?, row.try_get("from_unit")?, row.try_get("to_unit")?, row.try_get("state")?);
    if state != State::Proposed.code() {
        return Err(TransferError::Closed(state));
    }
    let at = now();
    let closed = sqlx::query(
        "UPDATE residence_transfers SET state = $1, decided_by = $2, decided_at = $3, decision_note = $4 \
         WHERE id = $5 AND state = 'proposed'",
    )
    .bind(step.state().code())
    .bind(actor.username)
    .bind(&at)
    .bind(note)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if closed.rows_affected() != 1 {
        return Err(TransferError::Closed("closed meanwhile".to_owned()));
    }
    let action = match step {
        Closing::Accept => AuditAction::TransferAccepted.code(),
        Closing::Refuse => AuditAction::TransferRefused.code(),
        Closing::Withdraw => AuditAction::TransferWithdrawn.code(),
    };
    audit::append(
        &mut tx,
        NewEvent {
            actor: actor.username,
            action,
            entity: "residence_transfer",
            entity_id: id,
            person_id: Some(&person_id),
            before: Some(serde_json::json!({ "state": state })),
            after: Some(serde_json::json!({ "state": step.state().code(), "from_unit": from_unit, "to_unit": to_unit, "note": note })),
            ..NewEvent::default()
        },
    )
    .await?;
    if step == Closing::Accept {
        move_person(&mut tx, &person_id, &from_unit, &to_unit, id, actor.username).await?;
    }
    tx.commit().await?;
    Ok(get(store, id).await?.ok_or_else(|| StoreError::Corrupt(format!("transfer {id} vanished")))?)
}

/// Moves the person's residence, if they still live where the move starts; their file's version
/// moves too, so that an edit based on the file before the move is refused as stale.
async fn move_person(
    tx: &mut sqlx::AnyConnection,
    person_id: &str,
    from_unit: &str,
    to_unit: &str,
    transfer_id: &str,
    actor: &str,
) -> Result<(), TransferError> {
    let moved = sqlx::query(
        "UPDATE persons SET residence_unit = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND residence_unit = $4",
    )
    .bind(to_unit)
    .bind(now())
    .bind(person_id)
    .bind(from_unit)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() != 1 {
        return Err(TransferError::Moved);
    }
    audit::append(
        tx,
        NewEvent {
            actor,
            action: AuditAction::PersonMoved.code(),
            entity: "person",
            entity_id: person_id,
            person_id: Some(person_id),
            before: Some(serde_json::json!({ "residence_unit": from_unit })),
            after: Some(serde_json::json!({ "residence_unit": to_unit, "transfer": transfer_id })),
            ..NewEvent::default()
        },
    )
    .await?;
    Ok(())
}
