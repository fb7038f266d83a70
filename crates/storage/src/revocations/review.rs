//! Review: a proposal confirmed or dismissed, and what a confirmation ends.

// The module's imports and shared helpers (its errors, `blank`, the other sections' rows).
use super::*;

/// The domain proposal a review is checked against ([`RevocationProposal::confirm`],
/// [`RevocationProposal::dismiss`]), rebuilt from the stored one with its stored proposer.
///
/// A proposal a rule made is rebuilt as reported by whoever ran the rule, so that person cannot
/// decide it either: stricter than the domain (which lets anyone review a rule's proposal), on
/// purpose: the run is a person's act too, and a second person looks at every revocation. Rules run
/// as a service account in practice, which never reviews. The stored record is what is reviewed:
/// evidence logged after the proposal (a successful contact dated before it, say) is for the
/// reviewer to weigh, not a reason to refuse the review.
pub(super) fn subject(policy: &Policy, p: &Proposal) -> Result<RevocationProposal, RevocationError> {
    let note = match p.grounds.get("note").and_then(serde_json::Value::as_str) {
        Some(note) => note.to_owned(),
        None => p.grounds.to_string(),
    };
    Ok(RevocationProposal::reported(policy, &p.id_number, p.reason, &note, &p.proposed_by, date(&p.proposed_on)?)?)
}

pub(super) fn check_open(p: &Proposal, expected_version: i64) -> Result<(), RevocationError> {
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
pub(super) async fn decide(
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
pub(super) fn family_basis(
    policy: &Policy,
    p: &Proposal,
    active: &[String],
) -> Result<(Vec<String>, bool), RevocationError> {
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
