//! The audit trail: an append-only chain of events, each naming who, when, what (before and
//! after) and under which policy, and each hashing the one before it. A changed or removed event
//! breaks the chain from there on, which `audit verify` finds.

use sha2::{Digest, Sha256};
use sqlx::FromRow as _;
// Column lists are constants of this crate, never input: safe to splice into SQL.
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::{Store, StoreError, new_id, now};

/// An event about to be appended.
#[derive(Debug, Clone, Default)]
pub struct NewEvent<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub person_id: Option<&'a str>,
    pub policy: Option<&'a str>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// What an audit event records: the closed list of changes to a person's file, an account or the
/// registry. Stored as its code (`person.updated`); the chain's hashes cover the code, so a code
/// never changes once written. Every event appended names one ([`append`] checks it in debug
/// builds, so a test that writes an unlisted action fails).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    PersonCreated,
    PersonUpdated,
    PersonViewed,
    PersonMoved,
    PersonHukouUnitSet,
    PersonAssigned,
    PersonUnassigned,
    RegistrationRecorded,
    RegistrationEnded,
    RecognitionGranted,
    RecognitionEnded,
    AssessmentChanged,
    ApplicationOpened,
    ApplicationDocumentProvided,
    ApplicationCommitmentAccepted,
    ApplicationSubmitted,
    ApplicationMarkedDeficient,
    ApplicationApproved,
    ApplicationRejected,
    ApplicationWithdrawn,
    ContactLogged,
    RefusalLogged,
    ServiceRecorded,
    PlanMade,
    PlanActionChanged,
    FollowUpRecorded,
    RevocationProposed,
    RevocationConfirmed,
    RevocationDismissed,
    EmploymentRecorded,
    EmploymentEnded,
    HouseholdStatusChanged,
    HouseholdChangeSeen,
    HouseholdJoinRequested,
    HouseholdJoinAccepted,
    HouseholdJoinRefused,
    TransferProposed,
    TransferDone,
    TransferAccepted,
    TransferRefused,
    TransferWithdrawn,
    DuplicateFlagged,
    DuplicateDecided,
    RegistryExported,
    AccountCreated,
    AccountDisabled,
    AccountEnabled,
    AccountPasswordSet,
    AccountTokenCreated,
    AccountTokenRevoked,
}

impl AuditAction {
    pub const ALL: [AuditAction; 50] = [
        AuditAction::PersonCreated,
        AuditAction::PersonUpdated,
        AuditAction::PersonViewed,
        AuditAction::PersonMoved,
        AuditAction::PersonHukouUnitSet,
        AuditAction::PersonAssigned,
        AuditAction::PersonUnassigned,
        AuditAction::RegistrationRecorded,
        AuditAction::RegistrationEnded,
        AuditAction::RecognitionGranted,
        AuditAction::RecognitionEnded,
        AuditAction::AssessmentChanged,
        AuditAction::ApplicationOpened,
        AuditAction::ApplicationDocumentProvided,
        AuditAction::ApplicationCommitmentAccepted,
        AuditAction::ApplicationSubmitted,
        AuditAction::ApplicationMarkedDeficient,
        AuditAction::ApplicationApproved,
        AuditAction::ApplicationRejected,
        AuditAction::ApplicationWithdrawn,
        AuditAction::ContactLogged,
        AuditAction::RefusalLogged,
        AuditAction::ServiceRecorded,
        AuditAction::PlanMade,
        AuditAction::PlanActionChanged,
        AuditAction::FollowUpRecorded,
        AuditAction::RevocationProposed,
        AuditAction::RevocationConfirmed,
        AuditAction::RevocationDismissed,
        AuditAction::EmploymentRecorded,
        AuditAction::EmploymentEnded,
        AuditAction::HouseholdStatusChanged,
        AuditAction::HouseholdChangeSeen,
        AuditAction::HouseholdJoinRequested,
        AuditAction::HouseholdJoinAccepted,
        AuditAction::HouseholdJoinRefused,
        AuditAction::TransferProposed,
        AuditAction::TransferDone,
        AuditAction::TransferAccepted,
        AuditAction::TransferRefused,
        AuditAction::TransferWithdrawn,
        AuditAction::DuplicateFlagged,
        AuditAction::DuplicateDecided,
        AuditAction::RegistryExported,
        AuditAction::AccountCreated,
        AuditAction::AccountDisabled,
        AuditAction::AccountEnabled,
        AuditAction::AccountPasswordSet,
        AuditAction::AccountTokenCreated,
        AuditAction::AccountTokenRevoked,
    ];

    /// The code stored in `audit_events.action`.
    pub const fn code(self) -> &'static str {
        match self {
            AuditAction::PersonCreated => "person.created",
            AuditAction::PersonUpdated => "person.updated",
            AuditAction::PersonViewed => "person.viewed",
            AuditAction::PersonMoved => "person.moved",
            AuditAction::PersonHukouUnitSet => "person.hukou_unit_set",
            AuditAction::PersonAssigned => "person.assigned",
            AuditAction::PersonUnassigned => "person.unassigned",
            AuditAction::RegistrationRecorded => "registration.recorded",
            AuditAction::RegistrationEnded => "registration.ended",
            AuditAction::RecognitionGranted => "recognition.granted",
            AuditAction::RecognitionEnded => "recognition.ended",
            AuditAction::AssessmentChanged => "assessment.changed",
            AuditAction::ApplicationOpened => "application.opened",
            AuditAction::ApplicationDocumentProvided => "application.document_provided",
            AuditAction::ApplicationCommitmentAccepted => "application.commitment_accepted",
            AuditAction::ApplicationSubmitted => "application.submitted",
            AuditAction::ApplicationMarkedDeficient => "application.marked_deficient",
            AuditAction::ApplicationApproved => "application.approved",
            AuditAction::ApplicationRejected => "application.rejected",
            AuditAction::ApplicationWithdrawn => "application.withdrawn",
            AuditAction::ContactLogged => "contact.logged",
            AuditAction::RefusalLogged => "refusal.logged",
            AuditAction::ServiceRecorded => "service.recorded",
            AuditAction::PlanMade => "plan.made",
            AuditAction::PlanActionChanged => "plan.action_changed",
            AuditAction::FollowUpRecorded => "follow_up.recorded",
            AuditAction::RevocationProposed => "revocation.proposed",
            AuditAction::RevocationConfirmed => "revocation.confirmed",
            AuditAction::RevocationDismissed => "revocation.dismissed",
            AuditAction::EmploymentRecorded => "employment.recorded",
            AuditAction::EmploymentEnded => "employment.ended",
            AuditAction::HouseholdStatusChanged => "household.status_changed",
            AuditAction::HouseholdChangeSeen => "household.change_seen",
            AuditAction::HouseholdJoinRequested => "household.join_requested",
            AuditAction::HouseholdJoinAccepted => "household.join_accepted",
            AuditAction::HouseholdJoinRefused => "household.join_refused",
            AuditAction::TransferProposed => "transfer.proposed",
            AuditAction::TransferDone => "transfer.done",
            AuditAction::TransferAccepted => "transfer.accepted",
            AuditAction::TransferRefused => "transfer.refused",
            AuditAction::TransferWithdrawn => "transfer.withdrawn",
            AuditAction::DuplicateFlagged => "duplicate.flagged",
            AuditAction::DuplicateDecided => "duplicate.decided",
            AuditAction::RegistryExported => "registry.exported",
            AuditAction::AccountCreated => "account.created",
            AuditAction::AccountDisabled => "account.disabled",
            AuditAction::AccountEnabled => "account.enabled",
            AuditAction::AccountPasswordSet => "account.password_set",
            AuditAction::AccountTokenCreated => "account.token_created",
            AuditAction::AccountTokenRevoked => "account.token_revoked",
        }
    }

    /// The action of a stored code; `None` for a code this version does not write.
    pub fn parse(code: &str) -> Option<AuditAction> {
        AuditAction::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// An event as stored.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct Event {
    pub seq: i64,
    pub id: String,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub person_id: Option<String>,
    pub policy: Option<String>,
    #[sqlx(rename = "before_json")]
    pub before: Option<String>,
    #[sqlx(rename = "after_json")]
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an event: SHA-256 over its fields and the previous hash, separated by a unit
/// separator that no field contains unescaped (the JSON fields escape control characters).
fn hash(e: &Event) -> String {
    let seq = e.seq.to_string();
    hash_parts([
        &seq,
        &e.id,
        &e.at,
        &e.actor,
        &e.action,
        &e.entity,
        &e.entity_id,
        e.person_id.as_deref().unwrap_or(""),
        e.policy.as_deref().unwrap_or(""),
        e.before.as_deref().unwrap_or(""),
        e.after.as_deref().unwrap_or(""),
        &e.prev_hash,
    ])
}

fn hash_parts(parts: [&str; 12]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut h = Sha256::new();
    for part in parts {
        h.update(part.as_bytes());
        h.update([0x1f]);
    }
    let mut out = String::with_capacity(64);
    for b in h.finalize() {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0xf)] as char);
    }
    out
}

/// Appends an event inside the caller's transaction, so that the change and its record commit
/// or vanish together. The head row serialises concurrent appends.
pub async fn append(conn: &mut AnyConnection, e: NewEvent<'_>) -> Result<Event, StoreError> {
    let mut events = append_all(conn, std::slice::from_ref(&e)).await?;
    Ok(events.pop().expect("one event in, one out"))
}

/// Appends events in order with one move of the head: the chain is computed in memory and the
/// events are written a few hundred per statement. This is what makes bulk imports fast.
pub async fn append_all(conn: &mut AnyConnection, new: &[NewEvent<'_>]) -> Result<Vec<Event>, StoreError> {
    let json: Vec<[Option<String>; 2]> = new
        .iter()
        .map(|e| [e.before.as_ref().map(|v| v.to_string()), e.after.as_ref().map(|v| v.to_string())])
        .collect();
    let drafts: Vec<Draft<'_>> = new
        .iter()
        .zip(&json)
        .map(|(e, [before, after])| Draft {
            actor: e.actor,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            person_id: e.person_id,
            policy: e.policy,
            before: before.as_deref(),
            after: after.as_deref(),
        })
        .collect();
    let links = append_drafts(conn, &drafts).await?;
    Ok(drafts
        .iter()
        .zip(links)
        .map(|(d, link)| Event {
            seq: link.seq,
            id: link.id,
            at: link.at,
            actor: d.actor.to_owned(),
            action: d.action.to_owned(),
            entity: d.entity.to_owned(),
            entity_id: d.entity_id.to_owned(),
            person_id: d.person_id.map(str::to_owned),
            policy: d.policy.map(str::to_owned),
            before: d.before.map(str::to_owned),
            after: d.after.map(str::to_owned),
            prev_hash: link.prev_hash,
            hash: link.hash,
        })
        .collect())
}

/// An event about to be appended whose before and after are JSON text already: the batch path
/// writes its JSON straight into text, without building `serde_json::Value`s first.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Draft<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub person_id: Option<&'a str>,
    pub policy: Option<&'a str>,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// What appending gave a draft: its place in the chain.
#[derive(Debug)]
pub(crate) struct Link {
    pub seq: i64,
    pub id: String,
    pub at: String,
    pub prev_hash: String,
    pub hash: String,
}

/// [`append_all`] for drafts: one move of the head, the hashes computed in memory, the events
/// written in statements of [`crate::persons::bulk::chunks`].
pub(crate) async fn append_drafts(conn: &mut AnyConnection, new: &[Draft<'_>]) -> Result<Vec<Link>, StoreError> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    debug_assert!(
        new.iter().all(|d| AuditAction::parse(d.action).is_some()),
        "an audit action not in AuditAction: {:?}",
        new.iter().map(|d| d.action).find(|a| AuditAction::parse(a).is_none())
    );
    let head = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(new.len() as i64)
        .fetch_one(&mut *conn)
        .await?;
    let (links, last) = chain(new, head.try_get("seq")?, head.try_get("hash")?);
    let params = crate::Params::of(conn);
    let mut done = 0;
    for chunk in crate::persons::bulk::chunks(new) {
        let sql = format!("INSERT INTO audit_events ({COLUMNS}) VALUES {}", params.rows(chunk.len(), 13));
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (e, link) in chunk.iter().zip(&links[done..]) {
            q = q
                .bind(link.seq)
                .bind(&link.id)
                .bind(&link.at)
                .bind(e.actor)
                .bind(e.action)
                .bind(e.entity)
                .bind(e.entity_id)
                .bind(e.person_id)
                .bind(e.policy)
                .bind(e.before)
                .bind(e.after)
                .bind(&link.prev_hash)
                .bind(&link.hash);
        }
        q.execute(&mut *conn).await?;
        done += chunk.len();
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&last).execute(&mut *conn).await?;
    Ok(links)
}

/// The links of `new` events after a head moved to `last_seq` (which counts them) whose hash
/// was `prev`: each event's number, ID, time and hash. Also the hash of the last, the new head.
pub(crate) fn chain(new: &[Draft<'_>], last_seq: i64, mut prev: String) -> (Vec<Link>, String) {
    let at = now();
    let mut links = Vec::with_capacity(new.len());
    for (i, e) in new.iter().enumerate() {
        let seq = last_seq - new.len() as i64 + 1 + i as i64;
        let id = new_id();
        let hash = hash_parts([
            &seq.to_string(),
            &id,
            &at,
            e.actor,
            e.action,
            e.entity,
            e.entity_id,
            e.person_id.unwrap_or(""),
            e.policy.unwrap_or(""),
            e.before.unwrap_or(""),
            e.after.unwrap_or(""),
            &prev,
        ]);
        let prev_hash = std::mem::replace(&mut prev, hash.clone());
        links.push(Link { seq, id, at: at.clone(), prev_hash, hash });
    }
    (links, prev)
}

const COLUMNS: &str =
    "seq, id, at, actor, action, entity, entity_id, person_id, policy, before_json, after_json, prev_hash, hash";

pub(crate) fn event(r: &sqlx::any::AnyRow) -> Result<Event, sqlx::Error> {
    Event::from_row(r)
}

/// A person's history, the timeline of their file: their events in order, but for the openings
/// of the file (`person.viewed`), which stay in the trail ([`of_person`]). The index it reads
/// (migration 0013) leaves the openings out, so a file opened often reads no more for it.
pub async fn history_of(store: &Store, person_id: &str) -> Result<Vec<Event>, StoreError> {
    events_of(store, person_id, "AND action <> 'person.viewed'").await
}

/// Every event of a person in order, the openings of their file included.
pub async fn of_person(store: &Store, person_id: &str) -> Result<Vec<Event>, StoreError> {
    events_of(store, person_id, "").await
}

/// A person's events in order, narrowed by `and` (SQL text, never a caller's value).
async fn events_of(store: &Store, person_id: &str, and: &str) -> Result<Vec<Event>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM audit_events WHERE person_id = $1 {and} ORDER BY seq");
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(person_id).fetch_all(&store.pool).await?;
    Ok(rows.iter().map(event).collect::<Result<_, _>>()?)
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Verdict {
    Intact {
        events: i64,
    },
    /// The first event at which the chain breaks, and why.
    Broken {
        seq: i64,
        reason: String,
    },
}

/// Where the chain ends: the last event's number and hash. A copy kept outside the database (a
/// log, a scraper of `/metrics`, a signed checkpoint) is what shows a rewrite of the chain: whoever
/// can write to the database can recompute every hash after a change, but not make an event that
/// was seen with one hash have another.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

impl std::fmt::Display for Head {
    /// `SEQ:HASH`, as `audit verify` prints it and `--expect-head` takes it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl std::str::FromStr for Head {
    type Err = String;

    fn from_str(text: &str) -> Result<Head, String> {
        let (seq, hash) = text.trim().split_once(':').ok_or("a head is SEQ:HASH")?;
        let seq = seq.parse::<i64>().ok().filter(|s| *s >= 0).ok_or(format!("`{seq}` is not an event number"))?;
        let hash = hash.to_ascii_lowercase();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{hash}` is not a SHA-256 hash (64 hexadecimal digits)"));
        }
        Ok(Head { seq, hash })
    }
}

/// The head as the database records it (no event checked).
pub async fn head(store: &Store) -> Result<Head, StoreError> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(&store.pool).await?;
    Ok(Head { seq: row.try_get("seq")?, hash: row.try_get("hash")? })
}

/// Checks the whole chain, then that it still holds the event `expected` names with the hash it
/// had: a copy of the head taken earlier, or a checkpoint. The chain may have grown since.
pub async fn verify_against(store: &Store, expected: &Head) -> Result<Verdict, StoreError> {
    let (verdict, head) = check(store).await?;
    if !matches!(verdict, Verdict::Intact { .. }) {
        return Ok(verdict);
    }
    if expected.seq > head.seq {
        return Ok(Verdict::Broken {
            seq: expected.seq,
            reason: format!("event {} is gone: the chain ends at event {}", expected.seq, head.seq),
        });
    }
    let found: Option<String> = if expected.seq == 0 {
        Some(GENESIS.to_owned())
    } else {
        sqlx::query_scalar("SELECT hash FROM audit_events WHERE seq = $1")
            .bind(expected.seq)
            .fetch_optional(&store.pool)
            .await?
    };
    match found {
        Some(hash) if hash == expected.hash => Ok(verdict),
        Some(hash) => Ok(Verdict::Broken {
            seq: expected.seq,
            reason: format!(
                "event {} has the hash {hash}, not {}: the chain was rewritten from there or before",
                expected.seq, expected.hash
            ),
        }),
        None => Ok(Verdict::Broken { seq: expected.seq, reason: format!("event {} is gone", expected.seq) }),
    }
}

/// The hash before the first event.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Recomputes every hash and link, in pages, from the first event to the head.
pub async fn verify(store: &Store) -> Result<Verdict, StoreError> {
    Ok(check(store).await?.0)
}

/// [`verify`], and the head the chain was checked up to: the last event's number and hash.
pub async fn verify_with_head(store: &Store) -> Result<(Verdict, Head), StoreError> {
    check(store).await
}

async fn check(store: &Store) -> Result<(Verdict, Head), StoreError> {
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1i64;
    // Whether the head was read after the last event: events appended meanwhile (a server is
    // running) are read too before the head is compared.
    let mut head_read = None;
    loop {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_events WHERE seq >= $1 ORDER BY seq LIMIT 10000"
        )))
        .bind(expected_seq)
        .fetch_all(&store.pool)
        .await?;
        if rows.is_empty() {
            let recorded = head(store).await?;
            if recorded.seq > expected_seq - 1 && head_read.as_ref() != Some(&recorded) {
                head_read = Some(recorded);
                continue;
            }
            let reached = Head { seq: expected_seq - 1, hash: prev };
            if recorded != reached {
                let reason = format!("the chain ends at event {} but the head says {}", reached.seq, recorded.seq);
                return Ok((Verdict::Broken { seq: recorded.seq, reason }, reached));
            }
            return Ok((Verdict::Intact { events: reached.seq }, reached));
        }
        for r in &rows {
            let e = event(r)?;
            let reason = if e.seq != expected_seq {
                Some((expected_seq, format!("event {expected_seq} is missing (next is {})", e.seq)))
            } else if e.prev_hash != prev {
                Some((e.seq, "its link to the previous event does not match".to_owned()))
            } else if hash(&e) != e.hash {
                Some((e.seq, "its content does not match its hash (changed after it was written)".to_owned()))
            } else {
                None
            };
            if let Some((seq, reason)) = reason {
                return Ok((Verdict::Broken { seq, reason }, Head { seq: expected_seq - 1, hash: prev }));
            }
            prev = e.hash;
            expected_seq += 1;
        }
    }
}

#[cfg(test)]
mod action_tests {
    use super::AuditAction;

    #[test]
    fn codes_are_unique_and_read_back() {
        let mut codes: Vec<&str> = AuditAction::ALL.iter().map(|a| a.code()).collect();
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.code()), Some(a));
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), AuditAction::ALL.len());
        assert_eq!(AuditAction::parse("person.deleted"), None);
    }
}
