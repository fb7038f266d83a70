//! Proposals and their review: who proposes on what grounds, and the reviewer who confirms or
//! dismisses.

use yuanzhu_rules::policy::Policy;
use yuanzhu_rules::{Date, Lang};

use super::lost_contact::open_run;
use super::{ContactAttempt, ExitReason, LostContactRule, ProposalError, Refusal, RefusalRule, RefusalWindow};
use crate::application::blank;

/// Who proposed: a rule of this module, or a caseworker reporting a fact (employment found, a written
/// waiver, a court sentence…).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Proposer {
    Rule,
    Caseworker { id: String },
}

/// What the proposal rests on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Grounds {
    LostContact {
        since: Date,
        last_attempt: Date,
        failed_attempts: usize,
    },
    Refusals {
        window: RefusalWindow,
    },
    /// Only the family basis goes; `remaining` are the member's other categories, which stand.
    FamilyMemberEmployed {
        member: String,
        employed_on: Date,
        removed: Vec<String>,
        remaining: Vec<String>,
    },
    Reported {
        note: String,
    },
}

/// A proposal to revoke a person's status, awaiting review. Built only through the rules or a
/// caseworker's report, each checked against the policy's list of reasons.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RevocationProposal {
    person: String,
    policy: String,
    reason: ExitReason,
    /// Copied from the policy file, so that the proposal explains itself.
    citation: String,
    name: String,
    name_en: String,
    grounds: Grounds,
    proposed_by: Proposer,
    proposed_on: Date,
}

impl RevocationProposal {
    pub(super) fn new(
        policy: &Policy,
        person: &str,
        reason: ExitReason,
        grounds: Grounds,
        proposed_by: Proposer,
        on: Date,
    ) -> Result<RevocationProposal, ProposalError> {
        if blank(person) {
            return Err(ProposalError::EmptyPerson);
        }
        let listed = policy
            .revocation_reasons
            .iter()
            .find(|r| r.code == reason.code())
            .ok_or_else(|| ProposalError::ReasonNotInPolicy { policy: policy.id.clone(), reason })?;
        Ok(RevocationProposal {
            person: person.to_owned(),
            policy: policy.id.clone(),
            reason,
            citation: listed.citation.clone(),
            name: listed.name.clone(),
            name_en: listed.name_en.clone(),
            grounds,
            proposed_by,
            proposed_on: on,
        })
    }

    /// A caseworker reports a fact that ends status (for example 已实现就业 or 本人书面明确放弃).
    pub fn reported(
        policy: &Policy,
        person: &str,
        reason: ExitReason,
        note: &str,
        caseworker: &str,
        on: Date,
    ) -> Result<RevocationProposal, ProposalError> {
        if blank(caseworker) {
            return Err(ProposalError::EmptyProposer);
        }
        if blank(note) {
            return Err(ProposalError::EmptyNote);
        }
        let grounds = Grounds::Reported { note: note.trim().to_owned() };
        RevocationProposal::new(policy, person, reason, grounds, Proposer::Caseworker { id: caseworker.to_owned() }, on)
    }

    /// The policy's lost-contact rule ([`LostContactRule::of`]) applied on `on`.
    pub fn lost_contact(
        policy: &Policy,
        person: &str,
        attempts: &[ContactAttempt],
        on: Date,
    ) -> Result<Option<RevocationProposal>, ProposalError> {
        let rule = LostContactRule::of(policy);
        let Some(since) = rule.unreachable_since(attempts, on) else { return Ok(None) };
        let run = open_run(attempts, on).expect("a completed run is open");
        let grounds = Grounds::LostContact { since, last_attempt: run.last, failed_attempts: run.failed };
        RevocationProposal::new(policy, person, ExitReason::LostContact, grounds, Proposer::Rule, on).map(Some)
    }

    /// The policy's refusal rule ([`RefusalRule::of`]) applied on `on`.
    pub fn refused_services(
        policy: &Policy,
        person: &str,
        refusals: &[Refusal],
        on: Date,
    ) -> Result<Option<RevocationProposal>, ProposalError> {
        let Some(window) = RefusalRule::of(policy).window(refusals, on) else { return Ok(None) };
        let grounds = Grounds::Refusals { window };
        RevocationProposal::new(policy, person, ExitReason::RefusedServices, grounds, Proposer::Rule, on).map(Some)
    }

    pub fn person(&self) -> &str {
        &self.person
    }
    pub fn policy(&self) -> &str {
        &self.policy
    }
    pub const fn reason(&self) -> ExitReason {
        self.reason
    }
    pub fn citation(&self) -> &str {
        &self.citation
    }
    pub fn reason_name(&self, lang: Lang) -> &str {
        if lang == Lang::Zh { &self.name } else { &self.name_en }
    }
    pub const fn grounds(&self) -> &Grounds {
        &self.grounds
    }
    pub const fn proposed_by(&self) -> &Proposer {
        &self.proposed_by
    }
    pub const fn proposed_on(&self) -> Date {
        self.proposed_on
    }

    /// Whether confirming ends the person's status, or only removes a basis while others stand.
    pub fn ends_status(&self) -> bool {
        match &self.grounds {
            Grounds::FamilyMemberEmployed { remaining, .. } => remaining.is_empty(),
            _ => true,
        }
    }

    fn check_review(&self, reviewer: &str, on: Date) -> Result<(), ProposalError> {
        if blank(reviewer) {
            return Err(ProposalError::EmptyReviewer);
        }
        if matches!(&self.proposed_by, Proposer::Caseworker { id } if id.trim() == reviewer.trim()) {
            return Err(ProposalError::ReviewerIsProposer);
        }
        if on < self.proposed_on {
            return Err(ProposalError::BeforeProposal { on, proposed_on: self.proposed_on });
        }
        Ok(())
    }

    /// The reviewer agrees: status (or the family basis) ends on `on`, the exit date of the ledger.
    pub fn confirm(&self, reviewer: &str, on: Date) -> Result<Revocation, ProposalError> {
        self.check_review(reviewer, on)?;
        Ok(Revocation { proposal: self.clone(), confirmed_by: reviewer.to_owned(), revoked_on: on })
    }

    /// The reviewer disagrees (for example: the person was unreachable through no fault of their own).
    pub fn dismiss(&self, reviewer: &str, on: Date, reason: &str) -> Result<DismissedProposal, ProposalError> {
        self.check_review(reviewer, on)?;
        if blank(reason) {
            return Err(ProposalError::EmptyReason);
        }
        Ok(DismissedProposal {
            proposal: self.clone(),
            dismissed_by: reviewer.to_owned(),
            dismissed_on: on,
            reason: reason.trim().to_owned(),
        })
    }
}

/// A confirmed revocation: the exit date and reason the certificate's 就业援助卡 records (notes §1.4).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Revocation {
    proposal: RevocationProposal,
    confirmed_by: String,
    revoked_on: Date,
}

impl Revocation {
    pub const fn proposal(&self) -> &RevocationProposal {
        &self.proposal
    }
    pub fn confirmed_by(&self) -> &str {
        &self.confirmed_by
    }
    pub const fn revoked_on(&self) -> Date {
        self.revoked_on
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DismissedProposal {
    proposal: RevocationProposal,
    dismissed_by: String,
    dismissed_on: Date,
    reason: String,
}

impl DismissedProposal {
    pub const fn proposal(&self) -> &RevocationProposal {
        &self.proposal
    }
    pub fn dismissed_by(&self) -> &str {
        &self.dismissed_by
    }
    pub const fn dismissed_on(&self) -> Date {
        self.dismissed_on
    }
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

#[cfg(test)]
mod tests {
    use crate::revocation::fixtures::*;

    // ---- proposals and review ----

    #[test]
    fn a_rule_proposes_and_a_reviewer_confirms() {
        let gz = policy("gz-2014-4");
        let attempts = [failed("2024-01-10"), failed("2024-01-25"), failed("2024-02-10")];
        let p = RevocationProposal::lost_contact(&gz, "p1", &attempts, d("2024-02-12")).unwrap().unwrap();
        assert_eq!(
            (p.reason(), p.citation(), p.proposed_by()),
            (ExitReason::LostContact, "第六条第（五）项", &Proposer::Rule)
        );
        assert_eq!(
            p.grounds(),
            &Grounds::LostContact { since: d("2024-01-10"), last_attempt: d("2024-02-10"), failed_attempts: 3 }
        );
        assert_eq!(p.reason_name(Lang::Zh), "因本人原因连续1个月无法联络");
        assert!(p.ends_status());
        let done = p.confirm("reviewer", d("2024-02-15")).unwrap();
        assert_eq!((done.confirmed_by(), done.revoked_on()), ("reviewer", d("2024-02-15")));
        assert_eq!(done.proposal(), &p);
        let none = RevocationProposal::lost_contact(&gz, "p1", &attempts[..2], d("2024-02-12")).unwrap();
        assert!(none.is_none());
    }

    #[test]
    fn review_is_refused_without_a_reviewer_a_reason_or_in_the_past() {
        let gz = policy("gz-2014-4");
        let p =
            RevocationProposal::reported(&gz, "p1", ExitReason::Employed, "已签订劳动合同", "clerk-a", d("2024-05-02"))
                .unwrap();
        let cases = [
            (p.confirm("", d("2024-05-03")).unwrap_err(), ProposalError::EmptyReviewer),
            (p.confirm("clerk-a", d("2024-05-03")).unwrap_err(), ProposalError::ReviewerIsProposer),
            (
                p.confirm("clerk-b", d("2024-05-01")).unwrap_err(),
                ProposalError::BeforeProposal { on: d("2024-05-01"), proposed_on: d("2024-05-02") },
            ),
            (p.dismiss("clerk-b", d("2024-05-03"), "  ").unwrap_err(), ProposalError::EmptyReason),
            (p.dismiss("clerk-a", d("2024-05-03"), "合同未生效").unwrap_err(), ProposalError::ReviewerIsProposer),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
        assert!(p.confirm("clerk-b", d("2024-05-02")).is_ok());
        let dismissed = p.dismiss("clerk-b", d("2024-05-03"), " 合同未生效 ").unwrap();
        assert_eq!(
            (dismissed.reason(), dismissed.dismissed_by(), dismissed.dismissed_on()),
            ("合同未生效", "clerk-b", d("2024-05-03"))
        );
    }

    #[test]
    fn a_reason_must_be_in_the_policy_and_a_report_needs_a_note() {
        let (gz, gd) = (policy("gz-2014-4"), policy("gd-2023-11"));
        let on = d("2024-05-02");
        let e =
            RevocationProposal::reported(&gz, "p1", ExitReason::FamilyMemberEmployed, "女儿就业", "c", on).unwrap_err();
        assert_eq!(
            e,
            ProposalError::ReasonNotInPolicy { policy: "gz-2014-4".into(), reason: ExitReason::FamilyMemberEmployed }
        );
        let e = RevocationProposal::reported(&gd, "p1", ExitReason::WrittenWaiver, "书面放弃", "c", on).unwrap_err();
        assert_eq!(e.field(), "reason");
        let e = RevocationProposal::reported(&gz, "p1", ExitReason::WrittenWaiver, " ", "c", on).unwrap_err();
        assert_eq!(e, ProposalError::EmptyNote);
        let e = RevocationProposal::reported(&gz, "", ExitReason::WrittenWaiver, "书面放弃", "c", on).unwrap_err();
        assert_eq!(e, ProposalError::EmptyPerson);
        let e = RevocationProposal::reported(&gz, "p1", ExitReason::WrittenWaiver, "书面放弃", "", on).unwrap_err();
        assert_eq!(e, ProposalError::EmptyProposer);
        let ok = RevocationProposal::reported(&gz, "p1", ExitReason::WrittenWaiver, "书面放弃", "c", on).unwrap();
        assert_eq!(ok.citation(), "第六条第（三）项");
    }
}
