//! Revocation of recognised status (注销): 穗人社发〔2014〕4号 第六条, and for gd-2023-11 the exit list
//! of 粤人社规〔2019〕7号 第三章第五条, assumed unchanged in 2023 (provisional, notes §1.3).
//!
//! > 第六条 特困失业人员有下列情况之一的，公共就业服务机构应注销其“特困失业人员”资格：……
//!
//! The rules here only ever **propose** ([`RevocationProposal`]); a reviewer confirms or dismisses.
//! A record of contact attempts cannot tell whether a person was unreachable "因本人原因所致", nor a
//! refusal log whether a refusal was reasonable: those are a person's judgement, so the rule finds
//! the cases and the reviewer decides them.
//!
//! One file per part: `lost_contact` and `refusals` (the two rules that find cases), `proposal`
//! (proposals and their review), `errors` (why one cannot be made or decided), `cascade` (the
//! household cascade), `scope` (what a revocation ends under each policy) and `codes`. Every type
//! is used as `revocation::Name`; the tests sit beside what they test.

mod cascade;
mod codes;
mod errors;
mod lost_contact;
mod proposal;
mod refusals;
mod scope;

#[cfg(test)]
mod fixtures;

pub use cascade::{FAMILY_BASES, HouseholdMember, MemberRecognition, cascade};
pub use codes::REGISTRATION_NOTE;
pub use errors::ProposalError;
pub use lost_contact::{
    ContactAttempt, ContactChannel, LostContactRule, PeriodBound, becomes_unreachable_within, unreachable_since,
};
pub use proposal::{DismissedProposal, Grounds, Proposer, Revocation, RevocationProposal};
pub use refusals::{Refusal, RefusalRule, RefusalWindow, Service, refusals_within};
pub use scope::{ends, family_basis_ended, lists, revocable};

/// Why recognised status ends (`ExitReason`, glossary 注销/退出). Codes are those of the policy
/// files' `[[revocation.reasons]]`; each policy lists which of them it has, and carries the names
/// and citations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExitReason {
    /// gz 第六条第（一）项 已实现就业的; gd （五） 实现就业创业或注销失业登记.
    Employed,
    /// gz 第六条第（二）项 拒绝各级公共就业服务机构提供职业介绍、职业指导等就业服务的; gd （四）
    /// 6个月内3次以上拒绝公共就业服务、不再求职或申请退出.
    RefusedServices,
    /// gz 第六条第（三）项 本人书面明确放弃“特困失业人员”资格的.
    WrittenWaiver,
    /// gz 第六条第（四）项 丧失劳动能力的; gd （二） 完全丧失劳动能力.
    LostWorkCapacity,
    /// gz 第六条第（五）项 因本人原因所致，使其户籍所在地的公共就业服务机构连续1个月无法与其联络的;
    /// gd （十） 失去联系且未主动联系超过6个月.
    LostContact,
    /// gd （一） 领取基本养老金或达到法定退休年龄.
    ReachedRetirementOrPension,
    /// gd （三） 升学、应征入伍或出国（境）定居.
    SchoolMilitaryEmigration,
    /// gd （六） 零就业家庭或零转移就业家庭至少一名成员实现就业.
    FamilyMemberEmployed,
    /// gd （七） 被判处刑罚.
    CriminalSentence,
    /// gd （八） 以虚假材料取得认定.
    FalseInformation,
    /// gd （九） 骗取、挪用就业补助资金.
    SubsidyFraud,
}

impl ExitReason {
    pub const ALL: [ExitReason; 11] = [
        ExitReason::Employed,
        ExitReason::RefusedServices,
        ExitReason::WrittenWaiver,
        ExitReason::LostWorkCapacity,
        ExitReason::LostContact,
        ExitReason::ReachedRetirementOrPension,
        ExitReason::SchoolMilitaryEmigration,
        ExitReason::FamilyMemberEmployed,
        ExitReason::CriminalSentence,
        ExitReason::FalseInformation,
        ExitReason::SubsidyFraud,
    ];

    pub const fn code(self) -> &'static str {
        [
            "employed",
            "refused_services",
            "written_waiver",
            "lost_work_capacity",
            "lost_contact",
            "reached_retirement_or_pension",
            "school_military_emigration",
            "family_member_employed",
            "criminal_sentence",
            "false_information",
            "subsidy_fraud",
        ][self as usize]
    }

    pub fn from_code(code: &str) -> Option<ExitReason> {
        ExitReason::ALL.into_iter().find(|r| r.code() == code)
    }
}

impl serde::Serialize for ExitReason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use crate::revocation::fixtures::*;

    #[test]
    fn exit_reasons_are_exactly_those_of_the_policy_files() {
        let codes = |id: &str| -> Vec<String> { policy(id).revocation_reasons.into_iter().map(|r| r.code).collect() };
        assert_eq!(
            codes("gz-2014-4"),
            ["employed", "refused_services", "written_waiver", "lost_work_capacity", "lost_contact"]
        );
        assert_eq!(
            codes("gd-2023-11"),
            [
                "reached_retirement_or_pension",
                "lost_work_capacity",
                "school_military_emigration",
                "refused_services",
                "employed",
                "family_member_employed",
                "criminal_sentence",
                "false_information",
                "subsidy_fraud",
                "lost_contact",
            ]
        );
        let all: Vec<String> = codes("gz-2014-4").into_iter().chain(codes("gd-2023-11")).collect();
        assert!(all.iter().all(|c| ExitReason::from_code(c).is_some()));
        assert!(ExitReason::ALL.iter().all(|r| all.iter().any(|c| c == r.code())), "no reason outside the files");
    }
}
