//! Revocation (注销) in the registry: the evidence the rules of 第六条 read (contact attempts and
//! refusals), the proposals those rules make or a caseworker reports, and the review that confirms
//! or dismisses them. What is proposed, and whether a review may proceed, is decided by the domain
//! (`yuanzhu_domain::revocation`); this module keeps the record, each change with its audit event
//! in one transaction.
//!
//! Rules only ever propose. A proposal is made under one policy, for one reason; at most one is
//! open per person, policy and reason, so running a rule again proposes nothing new. Evidence a
//! reviewer has already judged is not judged again: after a proposal is decided, its rule reads only
//! evidence dated after the day it was proposed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

// Column lists are constants of this module, never input: safe to splice into SQL.
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use yuanzhu_domain::revocation::{
    ContactAttempt, ContactChannel, ExitReason, LostContactRule, ProposalError, Proposer, REGISTRATION_NOTE, Refusal,
    RevocationProposal, Service, ends, family_basis_ended, lists,
};
use yuanzhu_rules::calendar::latest_start_reaching;
use yuanzhu_rules::{Date, Policy, PolicySet};

use crate::audit::AuditAction;
use crate::audit::{self, NewEvent};
use crate::error::{corrupt, stored_date as date};
use crate::{Store, StoreError, new_id, now};

/// Why a step of revocation was refused. Each message starts with the field to look at.
#[derive(Debug, thiserror::Error)]
pub enum RevocationError {
    /// The database failed, or (`StoreError::Conflict`) the proposal changed since it was read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The domain refused: reviewer is the proposer, a blank reason, a date before the proposal…
    #[error("{0}")]
    Rejected(#[from] ProposalError),
    #[error("id_number: no person with ID number {0} is registered")]
    UnknownPerson(String),
    #[error("proposal: there is no revocation proposal {0}")]
    UnknownProposal(String),
    #[error("proposal: already {state} by {decided_by} on {decided_on}")]
    AlreadyDecided { state: ProposalState, decided_by: String, decided_on: String },
    #[error("reason: {id_number} holds no recognised status that `{reason}` ends")]
    NothingToRevoke { id_number: String, reason: &'static str },
    #[error("policy: `{0}` is not among the loaded policies")]
    UnknownPolicy(String),
    #[error(
        "reason: `family_member_employed` is proposed for the whole household from the member who found work \
         (yuanzhu_domain::revocation::cascade, then revocations::submit)"
    )]
    HouseholdReason,
    #[error("reached: when the person comes to the office or calls in, they are reached")]
    AtOfficeNotReached,
    #[error("actor: required")]
    EmptyActor,
    #[error("unit: `{0}` is not the start of a unit code (digits only)")]
    UnitPrefix(String),
}

impl From<sqlx::Error> for RevocationError {
    fn from(e: sqlx::Error) -> RevocationError {
        RevocationError::Store(StoreError::Database(e))
    }
}

impl RevocationError {
    /// The field a form should mark, if the error is about one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            RevocationError::Store(_) => None,
            RevocationError::Rejected(e) => Some(e.field()),
            RevocationError::UnknownPerson(_) => Some("id_number"),
            RevocationError::UnknownProposal(_) | RevocationError::AlreadyDecided { .. } => Some("proposal"),
            RevocationError::NothingToRevoke { .. } | RevocationError::HouseholdReason => Some("reason"),
            RevocationError::UnknownPolicy(_) => Some("policy"),
            RevocationError::AtOfficeNotReached => Some("reached"),
            RevocationError::EmptyActor => Some("actor"),
            RevocationError::UnitPrefix(_) => Some("unit"),
        }
    }

    /// A stable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            RevocationError::Store(StoreError::Conflict { .. }) => "version_conflict",
            RevocationError::Store(_) => "store_error",
            RevocationError::Rejected(e) => match e {
                ProposalError::EmptyPerson
                | ProposalError::EmptyNote
                | ProposalError::EmptyProposer
                | ProposalError::EmptyReviewer
                | ProposalError::EmptyReason => "required",
                ProposalError::ReasonNotInPolicy { .. } => "reason_not_in_policy",
                ProposalError::ReviewerIsProposer => "reviewer_is_proposer",
                ProposalError::BeforeProposal { .. } => "date_before_proposal",
            },
            RevocationError::UnknownPerson(_) => "person_not_found",
            RevocationError::UnknownProposal(_) => "proposal_not_found",
            RevocationError::AlreadyDecided { .. } => "already_decided",
            RevocationError::NothingToRevoke { .. } => "nothing_to_revoke",
            RevocationError::UnknownPolicy(_) => "unknown_policy",
            RevocationError::HouseholdReason => "household_reason",
            RevocationError::AtOfficeNotReached => "at_office_not_reached",
            RevocationError::EmptyActor => "required",
            RevocationError::UnitPrefix(_) => "invalid_unit",
        }
    }
}

fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

// ---------------------------------------------------------------------------------------------
// Evidence: contact attempts and refusals
// ---------------------------------------------------------------------------------------------

/// A contact attempt as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContactRecord {
    pub id: String,
    pub on: String,
    pub channel: ContactChannel,
    pub reached: bool,
    pub note: String,
    pub actor: String,
}

/// A refusal as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RefusalRecord {
    pub id: String,
    pub on: String,
    pub service: Service,
    pub note: String,
    pub actor: String,
}

async fn person_id(conn: &mut AnyConnection, id_number: &str) -> Result<String, RevocationError> {
    sqlx::query_scalar::<_, String>("SELECT id FROM persons WHERE id_number = $1")
        .bind(id_number)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| RevocationError::UnknownPerson(id_number.to_owned()))
}

/// Keeps on the person where their run of failed attempts starts and their latest attempt
/// (migration 0009, which fills them the same way), for [`about_to_become_unreachable`]. Worked
/// out again from all the person's attempts, so an attempt logged late, dated before others,
/// counts where it falls.
const CONTACT_RUN: &str = "UPDATE persons SET \
     last_contact_on = (SELECT MAX(a.on_date) FROM contact_attempts a WHERE a.person_id = persons.id), \
     contact_run_from = (SELECT MIN(f.on_date) FROM contact_attempts f WHERE f.person_id = persons.id \
     AND f.reached = 0 AND f.on_date > COALESCE((SELECT MAX(s.on_date) FROM contact_attempts s \
     WHERE s.person_id = persons.id AND s.reached = 1), '')) WHERE id = $1";

/// Logs an attempt to reach the person. A blank note takes the channel's [`ContactChannel::default_note`].
pub async fn log_contact(
    store: &Store,
    id_number: &str,
    on: Date,
    channel: ContactChannel,
    reached: bool,
    note: &str,
    actor: &str,
) -> Result<ContactRecord, RevocationError> {
    if blank(actor) {
        return Err(RevocationError::EmptyActor);
    }
    if channel == ContactChannel::AtOffice && !reached {
        return Err(RevocationError::AtOfficeNotReached);
    }
    let note = if blank(note) { channel.default_note(reached) } else { note.trim() };
    let mut tx = store.begin_write().await?;
    let person = person_id(&mut tx, id_number).await?;
    // The person's row is locked before the attempt is read back into it: under PostgreSQL's read
    // committed, two attempts logged at once would otherwise each recompute without the other's.
    sqlx::query("UPDATE persons SET last_contact_on = last_contact_on WHERE id = $1")
        .bind(&person)
        .execute(&mut *tx)
        .await?;
    let record = ContactRecord {
        id: new_id(),
        on: on.to_string(),
        channel,
        reached,
        note: note.to_owned(),
        actor: actor.to_owned(),
    };
    sqlx::query(
        "INSERT INTO contact_attempts (id, person_id, on_date, channel, reached, note, actor, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&record.id)
    .bind(&person)
    .bind(&record.on)
    .bind(channel.code())
    .bind(i64::from(reached))
    .bind(&record.note)
    .bind(actor)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    sqlx::query(CONTACT_RUN).bind(&person).execute(&mut *tx).await?;
    let after = serde_json::to_value(&record).expect("a record serialises");
    let event = NewEvent {
        actor,
        action: AuditAction::ContactLogged.code(),
        entity: "contact_attempt",
        entity_id: &record.id,
        person_id: Some(&person),
        after: Some(after),
        ..NewEvent::default()
    };
    audit::append(&mut tx, event).await?;
    tx.commit().await?;
    Ok(record)
}

/// Logs a refusal of a service (第六条第（二）项). The note says what was offered; it may be blank.
pub async fn log_refusal(
    store: &Store,
    id_number: &str,
    on: Date,
    service: Service,
    note: &str,
    actor: &str,
) -> Result<RefusalRecord, RevocationError> {
    if blank(actor) {
        return Err(RevocationError::EmptyActor);
    }
    let mut tx = store.begin_write().await?;
    let person = person_id(&mut tx, id_number).await?;
    let record = RefusalRecord {
        id: new_id(),
        on: on.to_string(),
        service,
        note: note.trim().to_owned(),
        actor: actor.to_owned(),
    };
    sqlx::query(
        "INSERT INTO refusals (id, person_id, on_date, service, note, actor, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&record.id)
    .bind(&person)
    .bind(&record.on)
    .bind(service.code())
    .bind(&record.note)
    .bind(actor)
    .bind(now())
    .execute(&mut *tx)
    .await?;
    let after = serde_json::to_value(&record).expect("a record serialises");
    let event = NewEvent {
        actor,
        action: AuditAction::RefusalLogged.code(),
        entity: "refusal",
        entity_id: &record.id,
        person_id: Some(&person),
        after: Some(after),
        ..NewEvent::default()
    };
    audit::append(&mut tx, event).await?;
    tx.commit().await?;
    Ok(record)
}

/// A person's contact attempts, oldest first (for the file and the caseworker's screen).
pub async fn contacts(store: &Store, id_number: &str) -> Result<Vec<ContactRecord>, RevocationError> {
    let rows = sqlx::query(
        "SELECT a.id, a.on_date, a.channel, a.reached, a.note, a.actor FROM contact_attempts a \
         JOIN persons p ON p.id = a.person_id WHERE p.id_number = $1 ORDER BY a.on_date, a.id",
    )
    .bind(id_number)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let code: String = r.try_get("channel")?;
        out.push(ContactRecord {
            id: r.try_get("id")?,
            on: r.try_get("on_date")?,
            channel: ContactChannel::parse(&code).ok_or_else(|| corrupt(format_args!("contact channel `{code}`")))?,
            reached: r.try_get::<i64, _>("reached")? != 0,
            note: r.try_get("note")?,
            actor: r.try_get("actor")?,
        });
    }
    Ok(out)
}

/// `prefix%` for `LIKE`: unit codes are digits, so a prefix of digits matches exactly its subtree.
fn unit_like(prefix: &str) -> Result<String, RevocationError> {
    if prefix.chars().all(|c| c.is_ascii_digit()) {
        Ok(format!("{prefix}%"))
    } else {
        Err(RevocationError::UnitPrefix(prefix.to_owned()))
    }
}

/// A person holding status under a policy that a reason ends.
#[derive(Debug, Clone)]
struct Holder {
    person_id: String,
    id_number: String,
    name: String,
    residence_unit: String,
    phone: Option<String>,
}

/// Persons with an active recognition under `policy`, recognised on or before `on`, that `reason`
/// ends ([`ends`]), living in the units under `like`. In ID-number order.
async fn holders(
    store: &Store,
    policy: &Policy,
    reason: ExitReason,
    like: &str,
    on: Date,
) -> Result<Vec<Holder>, RevocationError> {
    let rows = sqlx::query(
        // Persons first: a street holds a few thousand of the million, while recognitions have no
        // index that narrows them to a unit. SQLite keeps a CROSS JOIN's order (without it, it
        // read every recognition: 0.5 s at 1M); PostgreSQL plans it like any join. The order by
        // ID number is an expression so that SQLite sorts the few rows found rather than walk
        // the whole ID-number index to avoid sorting (seconds at 1M).
        "SELECT p.id, p.id_number, p.name, p.residence_unit, p.phone, r.category FROM persons p \
         CROSS JOIN recognitions r WHERE p.id = r.person_id AND r.policy = $1 AND r.ended_on IS NULL \
         AND r.recognized_on <= $2 AND p.residence_unit LIKE $3 ORDER BY p.id_number || ''",
    )
    .bind(&policy.id)
    .bind(on.to_string())
    .bind(like)
    .fetch_all(store.pool())
    .await?;
    let mut out: Vec<Holder> = Vec::new();
    for r in &rows {
        let category: String = r.try_get("category")?;
        let person_id: String = r.try_get("id")?;
        if !ends(policy, reason, &category) || out.last().is_some_and(|h| h.person_id == person_id) {
            continue;
        }
        out.push(holder_of(r)?);
    }
    Ok(out)
}

fn holder_of(r: &sqlx::any::AnyRow) -> Result<Holder, StoreError> {
    Ok(Holder {
        person_id: r.try_get("id")?,
        id_number: r.try_get("id_number")?,
        name: r.try_get("name")?,
        residence_unit: r.try_get("residence_unit")?,
        phone: r.try_get("phone")?,
    })
}

/// Over `persons p`, with `$2` the day asked about and `$4` the latest start of a run of failed
/// attempts that comes due in time: the persons whose run, as [`log_contact`] keeps it, started
/// early enough, and those with an attempt dated after the day, whom the kept run cannot speak
/// for. Registrations and decided proposals only move a run's start later, so nobody the rule
/// would put in the queue is left out; the rule itself then decides on these few.
const MAY_COME_DUE: &str = "p.last_contact_on IS NOT NULL AND (p.contact_run_from <= $4 OR p.last_contact_on > $2)";

/// The holders in the units under `like` that lost contact ends under `policy`, with no open
/// lost-contact proposal, who [`MAY_COME_DUE`]; each with the day of the last decided lost-contact
/// proposal, up to which their evidence has been judged.
async fn may_come_due(
    store: &Store,
    policy: &Policy,
    like: &str,
    on: Date,
    latest_start: Date,
) -> Result<Vec<(Holder, Option<Date>)>, RevocationError> {
    let reason = ExitReason::LostContact;
    // The candidates first, then their recognitions: one join let PostgreSQL, whose statistics did
    // not yet know the columns of migration 0009, scan every recognition to build a hash table
    // (74 ms at 1M for none to show); the candidates are few, and usually none.
    let candidates = sqlx::query(AssertSqlSafe(format!(
        "SELECT p.id, p.id_number, p.name, p.residence_unit, p.phone FROM persons p \
         WHERE p.residence_unit LIKE $3 AND {}",
        MAY_COME_DUE.replace("$4", "$1")
    )))
    .bind(latest_start.to_string())
    .bind(on.to_string())
    .bind(like)
    .fetch_all(store.pool())
    .await?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let holders: Vec<Holder> = candidates.iter().map(holder_of).collect::<Result<_, _>>()?;
    let mut ended_by_reason = HashSet::new();
    for chunk in holders.chunks(500) {
        let sql = format!(
            "SELECT person_id, category FROM recognitions WHERE policy = $1 AND ended_on IS NULL \
             AND recognized_on <= $2 AND person_id IN ({})",
            (3..chunk.len() + 3).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(&policy.id).bind(on.to_string());
        for h in chunk {
            query = query.bind(&h.person_id);
        }
        for r in query.fetch_all(store.pool()).await? {
            let category: String = r.try_get("category")?;
            if ends(policy, reason, &category) {
                ended_by_reason.insert(r.try_get::<String, _>("person_id")?);
            }
        }
    }
    let open = open_for(store, &policy.id, reason).await?;
    let judged = judged_until(store, &policy.id, reason).await?;
    Ok(holders
        .into_iter()
        .filter(|h| ended_by_reason.contains(&h.person_id) && !open.contains(&h.person_id))
        .map(|h| {
            let until = judged.get(&h.person_id).copied();
            (h, until)
        })
        .collect())
}

/// The persons with an open proposal for `reason` under `policy`.
async fn open_for(store: &Store, policy: &str, reason: ExitReason) -> Result<HashSet<String>, RevocationError> {
    Ok(sqlx::query_scalar::<_, String>(
        "SELECT person_id FROM revocation_proposals WHERE policy = $1 AND reason = $2 AND state = 'proposed'",
    )
    .bind(policy)
    .bind(reason.code())
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .collect())
}

/// For each person, the day of the last decided proposal for `reason` under `policy`: evidence
/// up to that day has been judged.
async fn judged_until(
    store: &Store,
    policy: &str,
    reason: ExitReason,
) -> Result<HashMap<String, Date>, RevocationError> {
    let rows = sqlx::query(
        "SELECT person_id, MAX(proposed_on) AS until FROM revocation_proposals \
         WHERE policy = $1 AND reason = $2 AND state <> 'proposed' GROUP BY person_id",
    )
    .bind(policy)
    .bind(reason.code())
    .fetch_all(store.pool())
    .await?;
    let mut out = HashMap::with_capacity(rows.len());
    for r in &rows {
        let until: String = r.try_get("until")?;
        out.insert(r.try_get("person_id")?, date(&until)?);
    }
    Ok(out)
}

/// Contact attempts on or before `on` of persons holding status under `policy` in the units under
/// `like`, by person; with `latest_start`, only of those who [`MAY_COME_DUE`]. Each unemployment
/// registration counts as a successful contact: the person registered in person that day.
async fn contact_evidence(
    store: &Store,
    policy: &str,
    like: &str,
    on: Date,
    latest_start: Option<Date>,
) -> Result<HashMap<String, Vec<ContactAttempt>>, RevocationError> {
    let holding = format!(
        "JOIN persons p ON p.id = x.person_id WHERE x.{{date}} <= $2 AND p.residence_unit LIKE $3{} \
         AND EXISTS (SELECT 1 FROM recognitions r WHERE r.person_id = x.person_id AND r.policy = $1 AND r.ended_on IS NULL)",
        if latest_start.is_some() { format!(" AND {MAY_COME_DUE}") } else { String::new() }
    );
    let query = |sql: String| {
        let q = sqlx::query(AssertSqlSafe(sql)).bind(policy).bind(on.to_string()).bind(like);
        match latest_start {
            Some(start) => q.bind(start.to_string()),
            None => q,
        }
    };
    let mut out: HashMap<String, Vec<ContactAttempt>> = HashMap::new();
    let attempts = format!(
        "SELECT x.person_id, x.on_date, x.channel, x.reached, x.note FROM contact_attempts x {}",
        holding.replace("{date}", "on_date")
    );
    for r in query(attempts).fetch_all(store.pool()).await? {
        let code: String = r.try_get("channel")?;
        out.entry(r.try_get("person_id")?).or_default().push(ContactAttempt {
            on: date(&r.try_get::<String, _>("on_date")?)?,
            channel: ContactChannel::parse(&code).ok_or_else(|| corrupt(format_args!("contact channel `{code}`")))?,
            reached: r.try_get::<i64, _>("reached")? != 0,
            note: r.try_get("note")?,
        });
    }
    let registrations = format!(
        "SELECT x.person_id, x.registered_on FROM unemployment_registrations x {}",
        holding.replace("{date}", "registered_on")
    );
    for r in query(registrations).fetch_all(store.pool()).await? {
        out.entry(r.try_get("person_id")?).or_default().push(ContactAttempt {
            on: date(&r.try_get::<String, _>("registered_on")?)?,
            channel: ContactChannel::AtOffice,
            reached: true,
            note: REGISTRATION_NOTE.to_owned(),
        });
    }
    Ok(out)
}

/// Refusals on or before `on` of persons holding status under `policy`, by person.
async fn refusal_evidence(
    store: &Store,
    policy: &str,
    on: Date,
) -> Result<HashMap<String, Vec<Refusal>>, RevocationError> {
    let rows = sqlx::query(
        "SELECT x.person_id, x.on_date, x.service FROM refusals x WHERE x.on_date <= $2 AND EXISTS \
         (SELECT 1 FROM recognitions r WHERE r.person_id = x.person_id AND r.policy = $1 AND r.ended_on IS NULL)",
    )
    .bind(policy)
    .bind(on.to_string())
    .fetch_all(store.pool())
    .await?;
    let mut out: HashMap<String, Vec<Refusal>> = HashMap::new();
    for r in &rows {
        let code: String = r.try_get("service")?;
        out.entry(r.try_get("person_id")?).or_default().push(Refusal {
            on: date(&r.try_get::<String, _>("on_date")?)?,
            service: Service::parse(&code).ok_or_else(|| corrupt(format_args!("service `{code}`")))?,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Proposals
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalState {
    Proposed,
    Confirmed,
    Dismissed,
}

impl ProposalState {
    pub const fn code(self) -> &'static str {
        match self {
            ProposalState::Proposed => "proposed",
            ProposalState::Confirmed => "confirmed",
            ProposalState::Dismissed => "dismissed",
        }
    }

    fn parse(code: &str) -> Option<ProposalState> {
        [ProposalState::Proposed, ProposalState::Confirmed, ProposalState::Dismissed]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

impl fmt::Display for ProposalState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A proposal as stored, with the person it concerns: a row of the review queue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Proposal {
    pub id: String,
    pub id_number: String,
    pub name: String,
    pub residence_unit: String,
    pub reason: ExitReason,
    pub policy: String,
    pub citation: String,
    /// The domain's `Grounds`: `{"kind": "lost_contact", "since": …}` and so on.
    pub grounds: serde_json::Value,
    pub proposed_on: String,
    /// The caseworker who reported it, or, when `by_rule`, whoever ran the rule.
    pub proposed_by: String,
    pub by_rule: bool,
    pub state: ProposalState,
    pub decided_by: Option<String>,
    pub decided_on: Option<String>,
    pub decision_note: Option<String>,
    /// Pass it back to [`confirm`] or [`dismiss`]: a proposal changed since is a conflict.
    pub version: i64,
}

const PROPOSAL_SELECT: &str = "SELECT rp.id, rp.person_id, p.id_number, p.name, p.residence_unit, rp.reason, \
     rp.policy, rp.citation, rp.grounds, rp.proposed_on, rp.proposed_by, rp.by_rule, rp.state, rp.decided_by, \
     rp.decided_on, rp.decision_note, rp.version FROM revocation_proposals rp JOIN persons p ON p.id = rp.person_id";

fn proposal_of(r: &sqlx::any::AnyRow) -> Result<Proposal, StoreError> {
    let reason: String = r.try_get("reason")?;
    let state: String = r.try_get("state")?;
    let grounds: String = r.try_get("grounds")?;
    Ok(Proposal {
        id: r.try_get("id")?,
        id_number: r.try_get("id_number")?,
        name: r.try_get("name")?,
        residence_unit: r.try_get("residence_unit")?,
        reason: ExitReason::from_code(&reason).ok_or_else(|| corrupt(format_args!("exit reason `{reason}`")))?,
        policy: r.try_get("policy")?,
        citation: r.try_get("citation")?,
        grounds: serde_json::from_str(&grounds).map_err(|e| corrupt(format_args!("proposal grounds: {e}")))?,
        proposed_on: r.try_get("proposed_on")?,
        proposed_by: r.try_get("proposed_by")?,
        by_rule: r.try_get::<i64, _>("by_rule")? != 0,
        state: ProposalState::parse(&state).ok_or_else(|| corrupt(format_args!("proposal state `{state}`")))?,
        decided_by: r.try_get("decided_by")?,
        decided_on: r.try_get("decided_on")?,
        decision_note: r.try_get("decision_note")?,
        version: r.try_get("version")?,
    })
}

/// The proposal with this id, and the internal id of its person.
async fn load(conn: &mut AnyConnection, id: &str) -> Result<(Proposal, String), RevocationError> {
    let row = sqlx::query(AssertSqlSafe(format!("{PROPOSAL_SELECT} WHERE rp.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| RevocationError::UnknownProposal(id.to_owned()))?;
    Ok((proposal_of(&row)?, row.try_get("person_id")?))
}

/// One proposal, if it exists.
pub async fn proposal(store: &Store, id: &str) -> Result<Option<Proposal>, RevocationError> {
    let mut conn = store.pool().acquire().await?;
    match load(&mut conn, id).await {
        Ok((p, _)) => Ok(Some(p)),
        Err(RevocationError::UnknownProposal(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A person's proposals, open and decided, oldest first (for the person's file).
pub async fn proposals_of(store: &Store, id_number: &str) -> Result<Vec<Proposal>, RevocationError> {
    let rows =
        sqlx::query(AssertSqlSafe(format!("{PROPOSAL_SELECT} WHERE p.id_number = $1 ORDER BY rp.proposed_on, rp.id")))
            .bind(id_number)
            .fetch_all(store.pool())
            .await?;
    Ok(rows.iter().map(proposal_of).collect::<Result<_, _>>()?)
}

/// The review queue: open proposals of persons living in the units under `unit_prefix` (a unit
/// code or its start; empty for all), oldest first.
pub async fn open_proposals(store: &Store, unit_prefix: &str) -> Result<Vec<Proposal>, RevocationError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{PROPOSAL_SELECT} WHERE rp.state = 'proposed' AND p.residence_unit LIKE $1 ORDER BY rp.proposed_on, rp.id"
    )))
    .bind(unit_like(unit_prefix)?)
    .fetch_all(store.pool())
    .await?;
    Ok(rows.iter().map(proposal_of).collect::<Result<_, _>>()?)
}

/// Records domain proposals in the caller's transaction, each new one with its
/// `revocation.proposed` event. Where one is already open for the same person, policy and reason,
/// that one's id is returned instead (`false`): proposing twice proposes once.
async fn record(
    conn: &mut AnyConnection,
    planned: &[(String, RevocationProposal)],
    actor: &str,
) -> Result<Vec<(String, bool)>, RevocationError> {
    let at = now();
    let mut out = Vec::with_capacity(planned.len());
    let mut created: Vec<(String, &str, &RevocationProposal)> = Vec::new();
    for (person_id, p) in planned {
        let (proposed_by, by_rule) = match p.proposed_by() {
            Proposer::Caseworker { id } => (id.as_str(), false),
            Proposer::Rule => (actor, true),
        };
        let id = new_id();
        let grounds = serde_json::to_string(p.grounds()).expect("grounds serialise");
        // Portable: both engines accept ON CONFLICT DO NOTHING; the partial unique index on open
        // proposals is the conflict, which also settles two runs racing each other.
        let done = sqlx::query(
            "INSERT INTO revocation_proposals (id, person_id, reason, policy, citation, grounds, proposed_on, \
             proposed_by, by_rule, state, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'proposed', 1, $10, $10) ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(person_id)
        .bind(p.reason().code())
        .bind(p.policy())
        .bind(p.citation())
        .bind(&grounds)
        .bind(p.proposed_on().to_string())
        .bind(proposed_by)
        .bind(i64::from(by_rule))
        .bind(&at)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            created.push((id.clone(), person_id.as_str(), p));
            out.push((id, true));
            continue;
        }
        let open: String = sqlx::query_scalar(
            "SELECT id FROM revocation_proposals WHERE person_id = $1 AND policy = $2 AND reason = $3 AND state = 'proposed'",
        )
        .bind(person_id)
        .bind(p.policy())
        .bind(p.reason().code())
        .fetch_one(&mut *conn)
        .await?;
        out.push((open, false));
    }
    let events: Vec<NewEvent<'_>> = created
        .iter()
        .map(|(id, person_id, p)| NewEvent {
            actor,
            action: AuditAction::RevocationProposed.code(),
            entity: "revocation_proposal",
            entity_id: id,
            person_id: Some(person_id),
            policy: Some(p.policy()),
            before: None,
            after: Some(serde_json::to_value(p).expect("a proposal serialises")),
        })
        .collect();
    audit::append_all(conn, &events).await?;
    Ok(out)
}

async fn load_all(store: &Store, ids: &[(String, bool)]) -> Result<Vec<Proposal>, RevocationError> {
    let mut conn = store.pool().acquire().await?;
    let mut out = Vec::with_capacity(ids.len());
    for (id, _) in ids {
        out.push(load(&mut conn, id).await?.0);
    }
    Ok(out)
}

/// What a run of a rule did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SweepSummary {
    pub policy: String,
    pub reason: &'static str,
    pub on: String,
    /// Whether the policy has this reason at all; when not, nothing was looked at.
    pub listed: bool,
    /// Persons holding status under the policy that the reason ends.
    pub checked: u64,
    /// Proposals made by this run.
    pub proposed: Vec<String>,
    /// Persons passed over because a proposal for them is open already.
    pub already_open: u64,
}

/// The rules that read evidence: 第六条第（五）项 and 第六条第（二）项 (gd （十） and （四）).
#[derive(Debug, Clone, Copy)]
enum Rule {
    LostContact,
    RefusedServices,
}

/// 第六条第（五）项 "连续1个月无法与其联络": every person holding status under `policy` that lost
/// contact ends, whose contact attempts meet the policy's rule ([`LostContactRule::of`]) on `on`,
/// is proposed for revocation, unless a proposal for it is open. Only proposes: whether the
/// person was unreachable "因本人原因" is the reviewer's judgement. Running it twice proposes once.
pub async fn propose_unreachable(
    store: &Store,
    policy: &Policy,
    on: Date,
    actor: &str,
) -> Result<SweepSummary, RevocationError> {
    sweep(store, policy, Rule::LostContact, on, actor).await
}

/// 第六条第（二）项 (gd （四） "6个月内3次以上"): the refusal rule ([`yuanzhu_domain::revocation::RefusalRule::of`])
/// applied like [`propose_unreachable`].
pub async fn propose_refused_services(
    store: &Store,
    policy: &Policy,
    on: Date,
    actor: &str,
) -> Result<SweepSummary, RevocationError> {
    sweep(store, policy, Rule::RefusedServices, on, actor).await
}

async fn sweep(
    store: &Store,
    policy: &Policy,
    rule: Rule,
    on: Date,
    actor: &str,
) -> Result<SweepSummary, RevocationError> {
    if blank(actor) {
        return Err(RevocationError::EmptyActor);
    }
    let reason = match rule {
        Rule::LostContact => ExitReason::LostContact,
        Rule::RefusedServices => ExitReason::RefusedServices,
    };
    let mut summary = SweepSummary {
        policy: policy.id.clone(),
        reason: reason.code(),
        on: on.to_string(),
        listed: lists(policy, reason),
        ..SweepSummary::default()
    };
    if !summary.listed {
        return Ok(summary);
    }
    let holders = holders(store, policy, reason, "%", on).await?;
    summary.checked = holders.len() as u64;
    let open = open_for(store, &policy.id, reason).await?;
    let judged = judged_until(store, &policy.id, reason).await?;
    let (mut contacts, mut refusals) = (HashMap::new(), HashMap::new());
    match rule {
        Rule::LostContact => contacts = contact_evidence(store, &policy.id, "%", on, None).await?,
        Rule::RefusedServices => refusals = refusal_evidence(store, &policy.id, on).await?,
    }
    let mut planned = Vec::new();
    for h in &holders {
        if open.contains(&h.person_id) {
            summary.already_open += 1;
            continue;
        }
        let fresh = |day: Date| judged.get(&h.person_id).is_none_or(|until| day > *until);
        let proposal = match rule {
            Rule::LostContact => {
                let mut evidence = contacts.remove(&h.person_id).unwrap_or_default();
                evidence.retain(|a| fresh(a.on));
                RevocationProposal::lost_contact(policy, &h.id_number, &evidence, on)?
            }
            Rule::RefusedServices => {
                let mut evidence = refusals.remove(&h.person_id).unwrap_or_default();
                evidence.retain(|r| fresh(r.on));
                RevocationProposal::refused_services(policy, &h.id_number, &evidence, on)?
            }
        };
        if let Some(p) = proposal {
            planned.push((h.person_id.clone(), p));
        }
    }
    if planned.is_empty() {
        return Ok(summary);
    }
    let mut tx = store.begin_write().await?;
    let recorded = record(&mut tx, &planned, actor).await?;
    tx.commit().await?;
    for (id, created) in recorded {
        if created {
            summary.proposed.push(id);
        } else {
            summary.already_open += 1;
        }
    }
    Ok(summary)
}

/// A caseworker reports a fact that ends status (已实现就业, 书面放弃, 丧失劳动能力, 拒绝服务…), with a
/// note saying what. One proposal under each policy the person holds status under that the reason
/// ends and that lists it (in practice one); where one is open already, that one is returned.
pub async fn propose(
    store: &Store,
    policies: &PolicySet,
    id_number: &str,
    reason: ExitReason,
    note: &str,
    actor: &str,
    on: Date,
) -> Result<Vec<Proposal>, RevocationError> {
    let mut tx = store.begin_write().await?;
    let person = person_id(&mut tx, id_number).await?;
    let recorded = propose_in(&mut tx, policies, &person, id_number, reason, note, actor, on).await?;
    tx.commit().await?;
    load_all(store, &recorded).await
}

/// [`propose`] in the caller's transaction, for the person with internal id `person`: where a
/// fact is recorded and its proposal must commit with it (finding work, `crate::employment`).
/// Returns each proposal's id and whether it is new.
#[expect(clippy::too_many_arguments, reason = "propose's arguments, and the transaction and the person's key")]
pub(crate) async fn propose_in(
    tx: &mut AnyConnection,
    policies: &PolicySet,
    person: &str,
    id_number: &str,
    reason: ExitReason,
    note: &str,
    actor: &str,
    on: Date,
) -> Result<Vec<(String, bool)>, RevocationError> {
    if reason == ExitReason::FamilyMemberEmployed {
        return Err(RevocationError::HouseholdReason);
    }
    let rows = sqlx::query(
        "SELECT policy, category FROM recognitions WHERE person_id = $1 AND ended_on IS NULL AND recognized_on <= $2",
    )
    .bind(person)
    .bind(on.to_string())
    .fetch_all(&mut *tx)
    .await?;
    let mut by_policy: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &rows {
        by_policy.entry(r.try_get("policy")?).or_default().push(r.try_get("category")?);
    }
    let mut planned = Vec::new();
    let mut refused = None;
    for (id, categories) in &by_policy {
        let policy = policies.by_id(id).ok_or_else(|| RevocationError::UnknownPolicy(id.clone()))?;
        if !categories.iter().any(|c| ends(policy, reason, c)) {
            continue;
        }
        match RevocationProposal::reported(policy, id_number, reason, note, actor, on) {
            Ok(p) => planned.push((person.to_owned(), p)),
            Err(e @ ProposalError::ReasonNotInPolicy { .. }) => refused = refused.or(Some(e)),
            Err(e) => return Err(e.into()),
        }
    }
    if planned.is_empty() {
        return Err(match refused {
            Some(e) => e.into(),
            None => RevocationError::NothingToRevoke { id_number: id_number.to_owned(), reason: reason.code() },
        });
    }
    record(tx, &planned, actor).await
}

/// Records proposals the domain built elsewhere, for example the household cascade of gd （六）
/// (`yuanzhu_domain::revocation::cascade`), in one transaction. Each proposal's person is the
/// person's ID number. `actor` is who ran the rule that made them.
pub async fn submit(
    store: &Store,
    proposals: &[RevocationProposal],
    actor: &str,
) -> Result<Vec<Proposal>, RevocationError> {
    if blank(actor) {
        return Err(RevocationError::EmptyActor);
    }
    let mut tx = store.begin_write().await?;
    let mut planned = Vec::with_capacity(proposals.len());
    for p in proposals {
        planned.push((person_id(&mut tx, p.person()).await?, p.clone()));
    }
    let recorded = record(&mut tx, &planned, actor).await?;
    tx.commit().await?;
    load_all(store, &recorded).await
}

// ---------------------------------------------------------------------------------------------
// Review
// ---------------------------------------------------------------------------------------------

/// The domain proposal a review is checked against ([`RevocationProposal::confirm`],
/// [`RevocationProposal::dismiss`]), rebuilt from the stored one with its stored proposer.
///
/// A proposal a rule made is rebuilt as reported by whoever ran the rule, so that person cannot
/// decide it either: stricter than the domain (which lets anyone review a rule's proposal), on
/// purpose: the run is a person's act too, and a second person looks at every revocation. Rules run
/// as a service account in practice, which never reviews. The stored record is what is reviewed:
/// evidence logged after the proposal (a successful contact dated before it, say) is for the
/// reviewer to weigh, not a reason to refuse the review.
fn subject(policy: &Policy, p: &Proposal) -> Result<RevocationProposal, RevocationError> {
    let note = match p.grounds.get("note").and_then(serde_json::Value::as_str) {
        Some(note) => note.to_owned(),
        None => p.grounds.to_string(),
    };
    Ok(RevocationProposal::reported(policy, &p.id_number, p.reason, &note, &p.proposed_by, date(&p.proposed_on)?)?)
}

fn check_open(p: &Proposal, expected_version: i64) -> Result<(), RevocationError> {
    if p.version != expected_version {
        return Err(StoreError::Conflict { expected: expected_version, found: p.version }.into());
    }
    if p.state != ProposalState::Proposed {
        return Err(RevocationError::AlreadyDecided {
            state: p.state,
            decided_by: p.decided_by.clone().unwrap_or_default(),
            decided_on: p.decided_on.clone().unwrap_or_default(),
        });
    }
    Ok(())
}

/// Moves an open proposal at `expected_version` to `state`; a proposal someone else decided or
/// changed meanwhile is a conflict.
async fn decide(
    conn: &mut AnyConnection,
    p: &Proposal,
    state: ProposalState,
    reviewer: &str,
    on: Date,
    note: Option<&str>,
    expected_version: i64,
) -> Result<(), RevocationError> {
    let done = sqlx::query(
        "UPDATE revocation_proposals SET state = $1, decided_by = $2, decided_on = $3, decision_note = $4, \
         version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7 AND state = 'proposed'",
    )
    .bind(state.code())
    .bind(reviewer)
    .bind(on.to_string())
    .bind(note)
    .bind(now())
    .bind(&p.id)
    .bind(expected_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        let found: Option<i64> = sqlx::query_scalar("SELECT version FROM revocation_proposals WHERE id = $1")
            .bind(&p.id)
            .fetch_optional(&mut *conn)
            .await?;
        return Err(StoreError::Conflict { expected: expected_version, found: found.unwrap_or(-1) }.into());
    }
    Ok(())
}

/// A recognition a confirmed revocation ended.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EndedRecognition {
    pub id: String,
    pub category: String,
    pub policy: String,
    pub recognized_on: String,
}

/// What confirming did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Confirmed {
    pub proposal: Proposal,
    pub ended: Vec<EndedRecognition>,
    /// The domain's `ends_status`: false when only a basis went and other categories stand
    /// (gd （六）).
    pub ends_status: bool,
}

/// For gd （六）: the household cascade re-applied to the person's categories as they stand now,
/// with the member and day the proposal cites. Which categories go, and whether status ends.
/// What a household proposal ends today ([`family_basis_ended`]), from the grounds it recorded.
fn family_basis(policy: &Policy, p: &Proposal, active: &[String]) -> Result<(Vec<String>, bool), RevocationError> {
    let member = p.grounds.get("member").and_then(serde_json::Value::as_str);
    let employed_on = p.grounds.get("employed_on").and_then(serde_json::Value::as_str);
    let (Some(member), Some(employed_on)) = (member, employed_on) else {
        return Err(corrupt(format_args!("proposal {} has no family grounds", p.id)).into());
    };
    Ok(family_basis_ended(policy, &p.id_number, member, date(employed_on)?, active, date(&p.proposed_on)?))
}

/// The reviewer agrees. In one transaction: the proposal becomes `confirmed`, and every active
/// recognition of the person under the proposal's policy that the reason ends ([`ends`]) ends on
/// `on` with the reason as `end_reason`, each with a `recognition.ended` event.
pub async fn confirm(
    store: &Store,
    policies: &PolicySet,
    proposal_id: &str,
    reviewer: &str,
    on: Date,
    expected_version: i64,
) -> Result<Confirmed, RevocationError> {
    confirm_noted(store, policies, proposal_id, reviewer, on, None, expected_version).await
}

/// [`confirm`] with the reviewer's note (what they checked, say), kept on the proposal and in
/// its event.
pub async fn confirm_noted(
    store: &Store,
    policies: &PolicySet,
    proposal_id: &str,
    reviewer: &str,
    on: Date,
    note: Option<&str>,
    expected_version: i64,
) -> Result<Confirmed, RevocationError> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    let mut tx = store.begin_write().await?;
    let (p, person) = load(&mut tx, proposal_id).await?;
    check_open(&p, expected_version)?;
    let policy = policies.by_id(&p.policy).ok_or_else(|| RevocationError::UnknownPolicy(p.policy.clone()))?;
    let revocation = subject(policy, &p)?.confirm(reviewer, on)?;
    let rows = sqlx::query(
        "SELECT id, category, recognized_on, citation FROM recognitions WHERE person_id = $1 AND policy = $2 \
         AND ended_on IS NULL AND recognized_on <= $3 ORDER BY recognized_on, category",
    )
    .bind(&person)
    .bind(&policy.id)
    .bind(on.to_string())
    .fetch_all(&mut *tx)
    .await?;
    let mut active = Vec::with_capacity(rows.len());
    for r in &rows {
        active.push((
            r.try_get::<String, _>("id")?,
            r.try_get::<String, _>("category")?,
            r.try_get::<String, _>("recognized_on")?,
            r.try_get::<String, _>("citation")?,
        ));
    }
    let (going, ends_status): (Vec<String>, bool) = if p.reason == ExitReason::FamilyMemberEmployed {
        let categories: Vec<String> = active.iter().map(|a| a.1.clone()).collect();
        family_basis(policy, &p, &categories)?
    } else {
        let going: Vec<String> = active.iter().map(|a| a.1.clone()).filter(|c| ends(policy, p.reason, c)).collect();
        let ends_status = !going.is_empty() && revocation.proposal().ends_status();
        (going, ends_status)
    };
    decide(&mut tx, &p, ProposalState::Confirmed, reviewer, on, note, expected_version).await?;
    let revoked_on = revocation.revoked_on().to_string();
    let mut ended = Vec::new();
    for (id, category, recognized_on, citation) in active.into_iter().filter(|a| going.contains(&a.1)) {
        sqlx::query("UPDATE recognitions SET ended_on = $1, end_reason = $2 WHERE id = $3 AND ended_on IS NULL")
            .bind(&revoked_on)
            .bind(p.reason.code())
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        let before = serde_json::json!({ "category": category, "citation": citation, "recognized_on": recognized_on, "ended_on": null });
        let after = serde_json::json!({
            "category": category, "citation": citation, "recognized_on": recognized_on, "ended_on": revoked_on,
            "end_reason": p.reason.code(), "authority": p.citation, "proposal": p.id,
        });
        ended.push((id, category, recognized_on, before, after));
    }
    let mut decided = serde_json::json!({
        "state": "confirmed", "decided_by": reviewer, "decided_on": revoked_on, "version": expected_version + 1,
        "ends_status": ends_status, "ended": ended.iter().map(|e| e.1.as_str()).collect::<Vec<_>>(),
    });
    if let Some(n) = note {
        decided["decision_note"] = n.into();
    }
    let mut events = vec![NewEvent {
        actor: reviewer,
        action: AuditAction::RevocationConfirmed.code(),
        entity: "revocation_proposal",
        entity_id: &p.id,
        person_id: Some(&person),
        policy: Some(&policy.id),
        before: Some(serde_json::json!({ "state": "proposed", "version": expected_version })),
        after: Some(decided),
    }];
    for (id, _, _, before, after) in &ended {
        events.push(NewEvent {
            actor: reviewer,
            action: AuditAction::RecognitionEnded.code(),
            entity: "recognition",
            entity_id: id,
            person_id: Some(&person),
            policy: Some(&policy.id),
            before: Some(before.clone()),
            after: Some(after.clone()),
        });
    }
    audit::append_all(&mut tx, &events).await?;
    let (proposal, _) = load(&mut tx, proposal_id).await?;
    tx.commit().await?;
    let ended = ended
        .into_iter()
        .map(|(id, category, recognized_on, _, _)| EndedRecognition {
            id,
            category,
            policy: policy.id.clone(),
            recognized_on,
        })
        .collect();
    Ok(Confirmed { proposal, ended, ends_status })
}

/// The reviewer disagrees, for a reason (for example: unreachable through no fault of their own,
/// 住院治疗). The recognitions stand; the evidence up to the proposal's day counts as judged.
pub async fn dismiss(
    store: &Store,
    policies: &PolicySet,
    proposal_id: &str,
    reviewer: &str,
    on: Date,
    reason: &str,
    expected_version: i64,
) -> Result<Proposal, RevocationError> {
    let mut tx = store.begin_write().await?;
    let (p, person) = load(&mut tx, proposal_id).await?;
    check_open(&p, expected_version)?;
    let policy = policies.by_id(&p.policy).ok_or_else(|| RevocationError::UnknownPolicy(p.policy.clone()))?;
    let dismissed = subject(policy, &p)?.dismiss(reviewer, on, reason)?;
    decide(&mut tx, &p, ProposalState::Dismissed, reviewer, on, Some(dismissed.reason()), expected_version).await?;
    let after = serde_json::json!({
        "state": "dismissed", "decided_by": reviewer, "decided_on": on.to_string(),
        "decision_note": dismissed.reason(), "version": expected_version + 1,
    });
    let event = NewEvent {
        actor: reviewer,
        action: AuditAction::RevocationDismissed.code(),
        entity: "revocation_proposal",
        entity_id: &p.id,
        person_id: Some(&person),
        policy: Some(&policy.id),
        before: Some(serde_json::json!({ "state": "proposed", "version": expected_version })),
        after: Some(after),
    };
    audit::append(&mut tx, event).await?;
    let (proposal, _) = load(&mut tx, proposal_id).await?;
    tx.commit().await?;
    Ok(proposal)
}

// ---------------------------------------------------------------------------------------------
// The caseworker's queue
// ---------------------------------------------------------------------------------------------

/// A person one more failed attempt would make unreachable under the lost-contact rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DueContact {
    /// The person's record key, for a link to their file.
    pub person_id: String,
    pub id_number: String,
    pub name: String,
    pub phone: Option<String>,
    pub residence_unit: String,
    pub policy: String,
    /// From this day a failed attempt completes the rule; reach the person before then.
    pub due: String,
    /// `due` is on or before the day asked about: the next attempt decides.
    pub overdue: bool,
}

/// The caseworker's queue: persons living in the units under `unit_prefix`, holding status that
/// lost contact ends under any of `policies`, whose failed attempts will meet the rule within
/// `within_days` days of `on` ([`LostContactRule::becomes_unreachable_within`]). Soonest first.
/// Persons with an open lost-contact proposal are with the reviewer, not here. Reads only those
/// who [`MAY_COME_DUE`], so a unit's thousands of holders never contacted cost nothing.
pub async fn about_to_become_unreachable(
    store: &Store,
    policies: &PolicySet,
    unit_prefix: &str,
    on: Date,
    within_days: u32,
) -> Result<Vec<DueContact>, RevocationError> {
    let like = unit_like(unit_prefix)?;
    let reason = ExitReason::LostContact;
    let horizon = Date::from_days(on.to_days() + i64::from(within_days));
    let mut out = Vec::new();
    for policy in policies.policies().iter().filter(|p| lists(p, reason)) {
        let rule = LostContactRule::of(policy);
        // A run that starts later comes due after the horizon: its period ends later.
        let latest_start = match horizon {
            Some(h) => match latest_start_reaching(h, |start| rule.completes_on(start)) {
                Some(start) => start,
                None => continue,
            },
            None => Date::from_ymd(9999, 12, 31).expect("a valid date"),
        };
        let candidates = may_come_due(store, policy, &like, on, latest_start).await?;
        if candidates.is_empty() {
            continue;
        }
        let mut contacts = contact_evidence(store, &policy.id, &like, on, Some(latest_start)).await?;
        for (h, judged) in candidates {
            let mut evidence = contacts.remove(&h.person_id).unwrap_or_default();
            if let Some(until) = judged {
                evidence.retain(|a| a.on > until);
            }
            let Some(due) = rule.becomes_unreachable_within(&evidence, on, within_days) else { continue };
            out.push(DueContact {
                person_id: h.person_id,
                id_number: h.id_number,
                name: h.name,
                phone: h.phone,
                residence_unit: h.residence_unit,
                policy: policy.id.clone(),
                due: due.to_string(),
                overdue: due <= on,
            });
        }
    }
    out.sort_by(|a, b| (&a.due, &a.id_number).cmp(&(&b.due, &b.id_number)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_their_field_and_a_code() {
        let errors = [
            RevocationError::Store(StoreError::Conflict { expected: 1, found: 2 }),
            RevocationError::Rejected(ProposalError::ReviewerIsProposer),
            RevocationError::UnknownPerson("440106197501011232".into()),
            RevocationError::UnknownProposal("x".into()),
            RevocationError::NothingToRevoke { id_number: "440106197501011232".into(), reason: "employed" },
            RevocationError::UnknownPolicy("gz-2099-1".into()),
            RevocationError::HouseholdReason,
            RevocationError::AtOfficeNotReached,
            RevocationError::EmptyActor,
            RevocationError::UnitPrefix("44%".into()),
        ];
        // Their words are the catalogue's (`yuanzhu_web::words`), which tests each in both languages.
        for e in errors {
            assert!(!e.code().is_empty());
            assert_eq!(e.field().is_none(), matches!(e, RevocationError::Store(_)), "{e}");
        }
    }
}
