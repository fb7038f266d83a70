//! Proposals: made by the rules or reported by a caseworker, at most one open per person, policy
//! and reason.

// The module's imports and shared helpers (its errors, `blank`, the other sections' rows).
use super::*;

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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Proposal {
    pub id: String,
    pub id_number: String,
    pub name: String,
    pub residence_unit: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub reason: ExitReason,
    pub policy: String,
    pub citation: String,
    /// The domain's `Grounds`: `{"kind": "lost_contact", "since": …}` and so on.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub grounds: serde_json::Value,
    pub proposed_on: String,
    /// The caseworker who reported it, or, when `by_rule`, whoever ran the rule.
    pub proposed_by: String,
    pub by_rule: bool,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub state: ProposalState,
    pub decided_by: Option<String>,
    pub decided_on: Option<String>,
    pub decision_note: Option<String>,
    /// Pass it back to [`confirm`] or [`dismiss`]: a proposal changed since is a conflict.
    pub version: i64,
}

pub(super) const PROPOSAL_SELECT: &str = "SELECT rp.id, rp.person_id, p.id_number, p.name, p.residence_unit, rp.reason, \
     rp.policy, rp.citation, rp.grounds, rp.proposed_on, rp.proposed_by, rp.by_rule, rp.state, rp.decided_by, \
     rp.decided_on, rp.decision_note, rp.version FROM revocation_proposals rp JOIN persons p ON p.id = rp.person_id";

pub(super) fn proposal_of(r: &sqlx::any::AnyRow) -> Result<Proposal, StoreError> {
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
pub(super) async fn load(conn: &mut AnyConnection, id: &str) -> Result<(Proposal, String), RevocationError> {
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
pub(super) async fn record(
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

pub(super) async fn load_all(store: &Store, ids: &[(String, bool)]) -> Result<Vec<Proposal>, RevocationError> {
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
pub(super) enum Rule {
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
    sweep(store, policy, Rule::LostContact, on, actor, None).await
}

/// 第六条第（二）项 (gd （四） "6个月内3次以上"): the refusal rule ([`yuanzhu_domain::revocation::RefusalRule::of`])
/// applied like [`propose_unreachable`].
pub async fn propose_refused_services(
    store: &Store,
    policy: &Policy,
    on: Date,
    actor: &str,
) -> Result<SweepSummary, RevocationError> {
    sweep(store, policy, Rule::RefusedServices, on, actor, None).await
}

/// The refusal rule for one person, run when a refusal is logged for them (a declined offer of a
/// service): the proposal it makes, if the refusals now meet the policy's threshold and no
/// proposal for them is open. The same rule as [`propose_refused_services`], on one person.
pub async fn propose_refused_services_of(
    store: &Store,
    policy: &Policy,
    id_number: &str,
    on: Date,
    actor: &str,
) -> Result<Option<String>, RevocationError> {
    let row = sqlx::query("SELECT id, residence_unit FROM persons WHERE id_number = $1")
        .bind(id_number)
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| RevocationError::UnknownPerson(id_number.to_owned()))?;
    let person: String = row.try_get("id")?;
    let unit: String = row.try_get("residence_unit")?;
    let summary = sweep(store, policy, Rule::RefusedServices, on, actor, Some((&person, &unit))).await?;
    Ok(summary.proposed.into_iter().next())
}

pub(super) async fn sweep(
    store: &Store,
    policy: &Policy,
    rule: Rule,
    on: Date,
    actor: &str,
    // One person (their id and residence unit) instead of everyone.
    only: Option<(&str, &str)>,
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
    let like = only.map_or_else(|| "%".to_owned(), |(_, unit)| unit.to_owned());
    let mut holders = holders(store, policy, reason, &like, on).await?;
    if let Some((person, _)) = only {
        holders.retain(|h| h.person_id == person);
    }
    summary.checked = holders.len() as u64;
    let open = open_for(store, &policy.id, reason).await?;
    let judged = judged_until(store, &policy.id, reason).await?;
    let (mut contacts, mut refusals) = (HashMap::new(), HashMap::new());
    match rule {
        Rule::LostContact => contacts = contact_evidence(store, &policy.id, "%", on, None).await?,
        Rule::RefusedServices => refusals = refusal_evidence(store, &policy.id, on, only.map(|(p, _)| p)).await?,
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
