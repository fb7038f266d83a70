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

mod evidence;
mod proposals;
mod queue;
mod review;

pub use evidence::*;
pub use proposals::*;
pub use queue::*;
pub use review::*;

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
