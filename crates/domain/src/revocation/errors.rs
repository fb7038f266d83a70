//! Why a proposal cannot be made, confirmed or dismissed.

use std::fmt;

use yuanzhu_rules::{Date, Lang};

use super::ExitReason;
use crate::application::pick;

/// Why a proposal cannot be made, confirmed or dismissed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProposalError {
    EmptyPerson,
    ReasonNotInPolicy {
        policy: String,
        reason: ExitReason,
    },
    EmptyNote,
    EmptyProposer,
    EmptyReviewer,
    /// Whoever proposed cannot also decide: the point of proposing is a second look.
    ReviewerIsProposer,
    BeforeProposal {
        on: Date,
        proposed_on: Date,
    },
    EmptyReason,
}

impl ProposalError {
    pub const fn field(&self) -> &'static str {
        match self {
            ProposalError::EmptyPerson => "person",
            ProposalError::ReasonNotInPolicy { .. } | ProposalError::EmptyReason => "reason",
            ProposalError::EmptyNote => "note",
            ProposalError::EmptyProposer => "proposed_by",
            ProposalError::EmptyReviewer | ProposalError::ReviewerIsProposer => "reviewer",
            ProposalError::BeforeProposal { .. } => "on",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        use ProposalError as E;
        match self {
            E::EmptyPerson => pick(lang, "person（人员）：不能为空".into(), "person: required".into()),
            E::ReasonNotInPolicy { policy, reason } => pick(
                lang,
                format!("reason（注销原因）：政策“{policy}”没有注销原因“{}”", reason.code()),
                format!("reason: policy `{policy}` has no exit reason `{}`", reason.code()),
            ),
            E::EmptyNote => {
                pick(lang, "note（情况说明）：须写明所报告的情况".into(), "note: say what is being reported".into())
            }
            E::EmptyProposer => pick(lang, "proposed_by（提出人）：不能为空".into(), "proposed_by: required".into()),
            E::EmptyReviewer => pick(lang, "reviewer（审核人）：不能为空".into(), "reviewer: required".into()),
            E::ReviewerIsProposer => pick(
                lang,
                "reviewer（审核人）：提出注销的人不能同时审核".into(),
                "reviewer: whoever proposed the revocation cannot also review it".into(),
            ),
            E::BeforeProposal { on, proposed_on } => pick(
                lang,
                format!("on（日期）：{on}早于提出注销的日期{proposed_on}"),
                format!("on: {on} is before the proposal's date {proposed_on}"),
            ),
            E::EmptyReason => pick(
                lang,
                "reason（理由）：不予注销须写明理由".into(),
                "reason: dismissing a proposal needs a reason".into(),
            ),
        }
    }
}

impl fmt::Display for ProposalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for ProposalError {}

#[cfg(test)]
mod tests {
    use crate::revocation::fixtures::*;

    #[test]
    fn messages_name_the_field_in_both_languages() {
        let errors = [
            ProposalError::EmptyPerson,
            ProposalError::ReasonNotInPolicy { policy: "gz-2014-4".into(), reason: ExitReason::SubsidyFraud },
            ProposalError::EmptyNote,
            ProposalError::EmptyProposer,
            ProposalError::EmptyReviewer,
            ProposalError::ReviewerIsProposer,
            ProposalError::BeforeProposal { on: d("2024-01-01"), proposed_on: d("2024-01-02") },
            ProposalError::EmptyReason,
        ];
        for e in errors {
            let (zh, en) = (e.message(Lang::Zh), e.message(Lang::En));
            assert!(zh.starts_with(e.field()) && en.starts_with(e.field()), "{zh} / {en}");
            assert_ne!(zh, en);
            assert_eq!(e.to_string(), zh);
        }
    }
}
