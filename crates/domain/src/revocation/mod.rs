//! Revocation of recognised status (注销): 穗人社发〔2014〕4号 第六条, and for gd-2023-11 the exit list
//! of 粤人社规〔2019〕7号 第三章第五条, assumed unchanged in 2023 (provisional, notes §1.3).
//!
//! > 第六条 特困失业人员有下列情况之一的，公共就业服务机构应注销其“特困失业人员”资格：……
//!
//! The rules here only ever **propose** ([`RevocationProposal`]); a reviewer confirms or dismisses.
//! A record of contact attempts cannot tell whether a person was unreachable "因本人原因所致", nor a
//! refusal log whether a refusal was reasonable: those are a person's judgement, so the rule finds
//! the cases and the reviewer decides them.

use std::fmt;

use yuanzhu_rules::policy::{Policy, Rules};
use yuanzhu_rules::{Date, Lang};

use crate::application::{blank, pick};

mod codes;
mod scope;

pub use codes::REGISTRATION_NOTE;
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

// ---------------------------------------------------------------------------------------------
// Lost contact (失去联系)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactChannel {
    Phone,
    TextMessage,
    /// 入户家访 (第十二条第（一）项).
    HomeVisit,
    Letter,
    Online,
    /// The person came to the office or called in: for gd, "主动联系".
    AtOffice,
}

/// One attempt to reach the person, successful or not.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContactAttempt {
    pub on: Date,
    pub channel: ContactChannel,
    pub reached: bool,
    pub note: String,
}

/// How a period of N months is read against its end day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodBound {
    /// "连续N个月": complete on the period's end day itself.
    Reaching,
    /// "超过N个月": complete only after the end day (民法典 第一千二百五十九条: "超过" excludes the
    /// number itself).
    Exceeding,
}

/// The lost-contact rule of a policy.
///
/// Exactly: take the attempts on or before `on`. A successful contact resets: only failed attempts
/// strictly after the last successful one count (a failure on the day of a success does not: the
/// person was reached that day). The run of failures starts on its first attempt; it completes when
/// some failed attempt falls on or after [`LostContactRule::completes_on`] of that start, the end of
/// a period of `months` months by the one period rule ([`Date::add_months`], month ends clamped).
/// So a run needs an attempt at its start and one at its end; attempts in between are not required,
/// and a month with no attempt at all is not a month of failed contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct LostContactRule {
    pub months: u32,
    pub bound: PeriodBound,
}

/// The failed attempts since the last successful contact.
#[derive(Debug, Clone, Copy)]
struct Run {
    first: Date,
    last: Date,
    failed: usize,
}

fn open_run(attempts: &[ContactAttempt], on: Date) -> Option<Run> {
    let known = || attempts.iter().filter(move |a| a.on <= on);
    let last_reached = known().filter(|a| a.reached).map(|a| a.on).max();
    known().filter(|a| !a.reached && last_reached.is_none_or(|r| a.on > r)).fold(None, |run, a| {
        Some(match run {
            None => Run { first: a.on, last: a.on, failed: 1 },
            Some(r) => Run { first: r.first.min(a.on), last: r.last.max(a.on), failed: r.failed + 1 },
        })
    })
}

impl LostContactRule {
    /// gz-2014-4 第六条第（五）项 "连续1个月": [`PeriodBound::Reaching`]. gd "失去联系且未主动联系超过
    /// 6个月": [`PeriodBound::Exceeding`]. Months come from the policy file.
    pub fn of(policy: &Policy) -> LostContactRule {
        let bound = match policy.rules {
            Rules::Gz2014(_) => PeriodBound::Reaching,
            Rules::Gd2023(_) => PeriodBound::Exceeding,
        };
        LostContactRule { months: policy.unreachable_months, bound }
    }

    /// The first day on which a failed attempt completes a run that started on `start`.
    pub const fn completes_on(self, start: Date) -> Date {
        let end = start.add_months(self.months);
        match self.bound {
            PeriodBound::Reaching => end,
            PeriodBound::Exceeding => end.next_day(),
        }
    }

    /// The first failed attempt of a completed run: the person is proposed for revocation.
    pub fn unreachable_since(self, attempts: &[ContactAttempt], on: Date) -> Option<Date> {
        open_run(attempts, on).filter(|r| r.last >= self.completes_on(r.first)).map(|r| r.first)
    }

    /// For the caseworker's queue: a run not yet complete that one more failed attempt on or before
    /// `on + days` would complete. Returns the day from which that attempt completes it; a day on or
    /// before `on` means overdue: the next attempt either reaches the person or completes the rule.
    pub fn becomes_unreachable_within(self, attempts: &[ContactAttempt], on: Date, days: u32) -> Option<Date> {
        let run = open_run(attempts, on)?;
        let due = self.completes_on(run.first);
        let horizon = Date::from_days(on.to_days() + i64::from(days));
        (run.last < due && horizon.is_none_or(|h| due <= h)).then_some(due)
    }
}

/// [`LostContactRule::unreachable_since`] for "连续`months`个月" ([`PeriodBound::Reaching`]).
pub fn unreachable_since(attempts: &[ContactAttempt], months: u32, on: Date) -> Option<Date> {
    LostContactRule { months, bound: PeriodBound::Reaching }.unreachable_since(attempts, on)
}

/// [`LostContactRule::becomes_unreachable_within`] for "连续`months`个月".
pub fn becomes_unreachable_within(attempts: &[ContactAttempt], months: u32, on: Date, days: u32) -> Option<Date> {
    LostContactRule { months, bound: PeriodBound::Reaching }.becomes_unreachable_within(attempts, on, days)
}

// ---------------------------------------------------------------------------------------------
// Refused services (拒绝接受公共就业服务)
// ---------------------------------------------------------------------------------------------

/// The services whose refusal counts (第六条第（二）项 "职业介绍、职业指导等就业服务").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    JobReferral,
    CareerGuidance,
    VocationalTraining,
    PublicWelfarePost,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Refusal {
    pub on: Date,
    pub service: Service,
}

/// The refusals that meet the rule: the first and last of them, and how many fall in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct RefusalWindow {
    pub first: Date,
    pub last: Date,
    pub count: usize,
}

/// The refusal rule of a policy: `count` refusals, within `within_months` months if set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct RefusalRule {
    pub count: usize,
    pub within_months: Option<u32>,
}

impl RefusalRule {
    /// gz-2014-4 第六条第（二）项 names no number: one refusal is proposed, and the reviewer judges it.
    /// gd "6个月内3次以上拒绝" (notes §1.3): 3 or more ("以上" includes the number) within 6 months. The
    /// policy files do not carry these numbers yet.
    pub const fn of(policy: &Policy) -> RefusalRule {
        match policy.rules {
            Rules::Gz2014(_) => RefusalRule { count: 1, within_months: None },
            Rules::Gd2023(_) => RefusalRule { count: 3, within_months: Some(6) },
        }
    }

    /// The earliest window that meets the rule among refusals on or before `on`. A window starts on
    /// a refusal and runs to the end of the period of `within_months` months from it ("内" includes
    /// the end day, month ends clamped as in [`Date::add_months`]).
    pub fn window(self, refusals: &[Refusal], on: Date) -> Option<RefusalWindow> {
        let mut days: Vec<Date> = refusals.iter().map(|r| r.on).filter(|d| *d <= on).collect();
        days.sort_unstable();
        let need = self.count.max(1);
        (0..days.len()).find_map(|i| {
            let first = days[i];
            let end = self.within_months.map_or(on, |m| first.add_months(m).min(on));
            let count = days[i..].iter().take_while(|d| **d <= end).count();
            (count >= need).then(|| RefusalWindow { first, last: days[i + need - 1], count })
        })
    }
}

/// [`RefusalRule::window`] for `count` refusals within `months` months.
pub fn refusals_within(refusals: &[Refusal], count: usize, months: u32, on: Date) -> Option<RefusalWindow> {
    RefusalRule { count, within_months: Some(months) }.window(refusals, on)
}

// ---------------------------------------------------------------------------------------------
// Proposals and their review
// ---------------------------------------------------------------------------------------------

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
    fn new(
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

// ---------------------------------------------------------------------------------------------
// The household cascade (gd （六）)
// ---------------------------------------------------------------------------------------------

/// The categories whose basis is the household: gd-2023-11 第一条第（四）项、第（五）项.
pub const FAMILY_BASES: [&str; 2] = ["urban_zero_employment_family", "rural_zero_transfer_poor_family"];

/// A member's recognised status: the policy it was recognised under and the categories it rests on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MemberRecognition {
    pub policy: String,
    pub categories: Vec<String>,
}

/// One member of a household (same household hukou).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HouseholdMember {
    pub person: String,
    pub recognition: Option<MemberRecognition>,
    /// The day the member found work or started a business, if they did.
    pub employed_on: Option<Date>,
}

/// gd （六） "零就业家庭或零转移就业家庭至少一名成员实现就业": once any member has found work (on or
/// before `on`), proposes removing the family basis of every member recognised under `policy` on
/// [`FAMILY_BASES`], citing the earliest such member.
///
/// Members who found work themselves are left out: their own employment ends their whole status
/// under （五） [`ExitReason::Employed`], proposed from their employment record, and two proposals for
/// one fact would ask the reviewer twice. Empty when the policy has no such reason (gz-2014-4).
pub fn cascade(policy: &Policy, members: &[HouseholdMember], on: Date) -> Vec<RevocationProposal> {
    if !policy.revocation_reasons.iter().any(|r| r.code == ExitReason::FamilyMemberEmployed.code()) {
        return Vec::new();
    }
    let employed = |m: &HouseholdMember| m.employed_on.filter(|d| *d <= on);
    let Some((employed_on, member)) = members.iter().filter_map(|m| Some((employed(m)?, &m.person))).min() else {
        return Vec::new();
    };
    members
        .iter()
        .filter(|m| employed(m).is_none())
        .filter_map(|m| {
            let r = m.recognition.as_ref().filter(|r| r.policy == policy.id)?;
            let (removed, remaining): (Vec<String>, Vec<String>) =
                r.categories.iter().cloned().partition(|c| FAMILY_BASES.contains(&c.as_str()));
            if removed.is_empty() {
                return None;
            }
            let grounds = Grounds::FamilyMemberEmployed { member: member.clone(), employed_on, removed, remaining };
            // Only a blank person id can fail here: such a row names no one to revoke.
            RevocationProposal::new(policy, &m.person, ExitReason::FamilyMemberEmployed, grounds, Proposer::Rule, on)
                .ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use yuanzhu_rules::PolicySet;

    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn policy(id: &str) -> Policy {
        PolicySet::embedded().by_id(id).unwrap().clone()
    }

    fn failed(on: &str) -> ContactAttempt {
        ContactAttempt { on: d(on), channel: ContactChannel::Phone, reached: false, note: "无人接听".into() }
    }

    fn reached(on: &str) -> ContactAttempt {
        ContactAttempt { on: d(on), channel: ContactChannel::HomeVisit, reached: true, note: String::new() }
    }

    fn refusal(on: &str) -> Refusal {
        Refusal { on: d(on), service: Service::JobReferral }
    }

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

    // ---- lost contact ----

    #[test]
    fn gz_lost_contact_is_one_month_reaching_and_gd_six_months_exceeding() {
        assert_eq!(
            LostContactRule::of(&policy("gz-2014-4")),
            LostContactRule { months: 1, bound: PeriodBound::Reaching }
        );
        assert_eq!(
            LostContactRule::of(&policy("gd-2023-11")),
            LostContactRule { months: 6, bound: PeriodBound::Exceeding }
        );
    }

    #[test]
    fn unreachable_for_one_month_at_its_boundaries() {
        // (first failed attempt, last failed attempt, proposed?) under 第六条第（五）项 "连续1个月".
        let cases = [
            ("2024-01-10", "2024-02-09", false),
            ("2024-01-10", "2024-02-10", true),
            ("2024-01-31", "2024-02-28", false), // leap year: the month ends on the 29th
            ("2024-01-31", "2024-02-29", true),
            ("2023-01-31", "2023-02-27", false),
            ("2023-01-31", "2023-02-28", true), // clamped to the last day of February
            ("2024-03-31", "2024-04-29", false),
            ("2024-03-31", "2024-04-30", true),
            ("2024-12-31", "2025-01-30", false),
            ("2024-12-31", "2025-01-31", true),
        ];
        for (first, last, proposed) in cases {
            let attempts = [failed(first), failed(last)];
            let got = unreachable_since(&attempts, 1, d(last));
            assert_eq!(got, proposed.then(|| d(first)), "{first} … {last}");
        }
    }

    #[test]
    fn unreachable_for_more_than_six_months_under_gd() {
        let rule = LostContactRule::of(&policy("gd-2023-11"));
        let cases = [
            ("2024-01-31", "2024-07-31", false), // six months exactly is not more than six
            ("2024-01-31", "2024-08-01", true),
            ("2023-08-31", "2024-02-29", false), // clamped end day
            ("2023-08-31", "2024-03-01", true),
        ];
        for (first, last, proposed) in cases {
            let got = rule.unreachable_since(&[failed(first), failed(last)], d(last));
            assert_eq!(got, proposed.then(|| d(first)), "{first} … {last}");
        }
    }

    #[test]
    fn a_single_attempt_is_not_a_month_of_failed_contact() {
        assert_eq!(unreachable_since(&[failed("2024-01-10")], 1, d("2024-06-01")), None);
        assert_eq!(unreachable_since(&[], 1, d("2024-06-01")), None);
    }

    #[test]
    fn a_successful_contact_resets_the_month() {
        let on = d("2024-03-01");
        let interrupted = [failed("2024-01-10"), reached("2024-01-20"), failed("2024-02-15")];
        assert_eq!(unreachable_since(&interrupted, 1, on), None);
        let after = [failed("2024-01-10"), reached("2024-01-20"), failed("2024-01-21"), failed("2024-02-21")];
        assert_eq!(unreachable_since(&after, 1, on), Some(d("2024-01-21")));
        let same_day = [failed("2024-01-10"), reached("2024-01-10"), failed("2024-02-10")];
        assert_eq!(unreachable_since(&same_day, 1, on), None, "reached that day");
        let shuffled = [failed("2024-02-21"), failed("2024-01-21"), reached("2024-01-20")];
        assert_eq!(unreachable_since(&shuffled, 1, on), Some(d("2024-01-21")), "order of input does not matter");
    }

    #[test]
    fn attempts_after_the_assessment_day_are_not_known_yet() {
        let attempts = [failed("2024-01-10"), failed("2024-02-10")];
        assert_eq!(unreachable_since(&attempts, 1, d("2024-02-09")), None);
        assert_eq!(unreachable_since(&attempts, 1, d("2024-02-10")), Some(d("2024-01-10")));
    }

    #[test]
    fn caseworker_queue_shows_who_is_about_to_become_unreachable() {
        let attempts = [failed("2024-01-31")];
        assert_eq!(becomes_unreachable_within(&attempts, 1, d("2024-02-22"), 7), Some(d("2024-02-29")));
        assert_eq!(becomes_unreachable_within(&attempts, 1, d("2024-02-22"), 6), None);
        assert_eq!(becomes_unreachable_within(&attempts, 1, d("2024-03-05"), 0), Some(d("2024-02-29")), "overdue");
        let done = [failed("2024-01-31"), failed("2024-02-29")];
        assert_eq!(becomes_unreachable_within(&done, 1, d("2024-02-29"), 30), None, "already proposed");
        let reset = [failed("2024-01-31"), reached("2024-02-20")];
        assert_eq!(becomes_unreachable_within(&reset, 1, d("2024-02-22"), 30), None);
        let gd = LostContactRule::of(&policy("gd-2023-11"));
        assert_eq!(gd.becomes_unreachable_within(&attempts, d("2024-07-25"), 7), Some(d("2024-08-01")));
    }

    // ---- refusals ----

    #[test]
    fn three_refusals_within_six_months_at_the_boundaries() {
        let on = d("2025-01-01");
        // (refusals, expected window (first, last))
        /// Refusal days, and the window expected as (first, last).
        type Case<'a> = (&'a [&'a str], Option<(&'a str, &'a str)>);
        let cases: [Case; 6] = [
            (&["2024-01-31", "2024-03-15", "2024-07-31"], Some(("2024-01-31", "2024-07-31"))),
            (&["2024-01-31", "2024-03-15", "2024-08-01"], None),
            (&["2023-08-31", "2023-12-01", "2024-02-29"], Some(("2023-08-31", "2024-02-29"))), // clamped end
            (&["2023-08-31", "2023-12-01", "2024-03-01"], None),
            (&["2024-01-01", "2024-05-01", "2024-08-01", "2024-09-01"], Some(("2024-05-01", "2024-09-01"))),
            (&["2024-01-01", "2024-01-02"], None),
        ];
        for (days, want) in cases {
            let refusals: Vec<Refusal> = days.iter().map(|s| refusal(s)).collect();
            let got = refusals_within(&refusals, 3, 6, on).map(|w| (w.first, w.last));
            assert_eq!(got, want.map(|(a, b)| (d(a), d(b))), "{days:?}");
        }
        let four = ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"].map(refusal);
        assert_eq!(refusals_within(&four, 3, 6, on).unwrap().count, 4);
        assert_eq!(refusals_within(&four, 3, 6, d("2024-02-15")), None, "later refusals are not known yet");
    }

    #[test]
    fn gz_proposes_on_any_refusal_and_gd_on_three_in_six_months() {
        let gz = policy("gz-2014-4");
        let one = [refusal("2024-03-01")];
        assert_eq!(RefusalRule::of(&gz).window(&one, d("2024-03-01")).map(|w| w.count), Some(1));
        let gd = policy("gd-2023-11");
        assert_eq!(RefusalRule::of(&gd).window(&one, d("2024-03-01")), None);
        let p = RevocationProposal::refused_services(&gd, "p1", &one, d("2024-03-01")).unwrap();
        assert!(p.is_none());
        let three = ["2024-01-01", "2024-02-01", "2024-03-01"].map(refusal);
        let p = RevocationProposal::refused_services(&gd, "p1", &three, d("2024-03-02")).unwrap().unwrap();
        assert_eq!((p.reason(), p.citation()), (ExitReason::RefusedServices, "第三章第五条第（四）项"));
    }

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

    // ---- household cascade ----

    fn member(person: &str, policy: &str, categories: &[&str], employed_on: Option<&str>) -> HouseholdMember {
        HouseholdMember {
            person: person.into(),
            recognition: (!categories.is_empty()).then(|| MemberRecognition {
                policy: policy.into(),
                categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            }),
            employed_on: employed_on.map(d),
        }
    }

    #[test]
    fn a_member_finding_work_revokes_the_family_basis_of_the_others() {
        let gd = policy("gd-2023-11");
        let household = [
            member("a", "gd-2023-11", &["urban_zero_employment_family"], Some("2024-05-01")),
            member("b", "gd-2023-11", &["urban_zero_employment_family"], None),
            member("c", "gd-2023-11", &["disabled", "urban_zero_employment_family"], None),
            member("d", "gd-2023-11", &["older_unemployed"], None),
            member("e", "gz-2014-4", &["hardship_zero_employment_family"], None),
            member("f", "", &[], None),
            member("g", "gd-2023-11", &["rural_zero_transfer_poor_family"], None),
        ];
        let proposals = cascade(&gd, &household, d("2024-05-10"));
        let got: Vec<(&str, bool)> = proposals.iter().map(|p| (p.person(), p.ends_status())).collect();
        assert_eq!(got, [("b", true), ("c", false), ("g", true)]);
        let c = &proposals[1];
        assert_eq!(
            c.grounds(),
            &Grounds::FamilyMemberEmployed {
                member: "a".into(),
                employed_on: d("2024-05-01"),
                removed: vec!["urban_zero_employment_family".into()],
                remaining: vec!["disabled".into()],
            }
        );
        assert_eq!(
            (c.reason(), c.citation(), c.proposed_on()),
            (ExitReason::FamilyMemberEmployed, "第三章第五条第（六）项", d("2024-05-10"))
        );
        assert!(cascade(&gd, &household, d("2024-04-30")).is_empty(), "no one in work yet");
        assert!(cascade(&policy("gz-2014-4"), &household, d("2024-05-10")).is_empty(), "gz-2014-4 has no such reason");
    }

    #[test]
    fn the_cascade_cites_the_first_member_in_work_and_spares_those_in_work() {
        let gd = policy("gd-2023-11");
        let household = [
            member("a", "gd-2023-11", &["urban_zero_employment_family"], Some("2024-06-01")),
            member("b", "gd-2023-11", &["urban_zero_employment_family"], Some("2024-05-01")),
            member("c", "gd-2023-11", &["urban_zero_employment_family"], None),
        ];
        let proposals = cascade(&gd, &household, d("2024-06-02"));
        assert_eq!(proposals.len(), 1);
        assert!(matches!(proposals[0].grounds(), Grounds::FamilyMemberEmployed { member, .. } if member == "b"));
    }

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

    // ---- properties ----

    fn attempts() -> impl Strategy<Value = Vec<ContactAttempt>> {
        proptest::collection::vec((0i64..400, proptest::bool::weighted(0.2)), 0..12).prop_map(|v| {
            v.into_iter()
                .map(|(day, ok)| ContactAttempt {
                    on: Date::from_days(19_700 + day).unwrap(),
                    channel: ContactChannel::Phone,
                    reached: ok,
                    note: String::new(),
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn reaching_the_person_always_clears_the_rule(mut list in attempts(), months in 1u32..8) {
            let on = Date::from_days(19_700 + 401).unwrap();
            list.push(ContactAttempt { on, channel: ContactChannel::AtOffice, reached: true, note: String::new() });
            prop_assert_eq!(unreachable_since(&list, months, on), None);
            prop_assert_eq!(becomes_unreachable_within(&list, months, on, 10_000), None);
        }

        #[test]
        fn the_queue_and_the_rule_agree(mut list in attempts(), months in 1u32..8, exceeding: bool, days in 0u32..60) {
            let rule = LostContactRule { months, bound: if exceeding { PeriodBound::Exceeding } else { PeriodBound::Reaching } };
            let on = Date::from_days(19_700 + 400).unwrap();
            let proposed = rule.unreachable_since(&list, on);
            let due = rule.becomes_unreachable_within(&list, on, days);
            prop_assert!(proposed.is_none() || due.is_none(), "never both proposed and pending");
            if let Some(due) = due.filter(|due| *due <= on) {
                // Overdue: one more failed attempt today completes the rule.
                list.push(ContactAttempt { on, channel: ContactChannel::Phone, reached: false, note: String::new() });
                prop_assert!(rule.unreachable_since(&list, on).is_some(), "due {due}");
            }
            if let Some(since) = proposed {
                prop_assert!(list.iter().any(|a| !a.reached && a.on == since));
                prop_assert!(list.iter().all(|a| !(a.reached && a.on >= since && a.on <= on)));
            }
        }

        #[test]
        fn a_refusal_window_holds_enough_refusals_within_the_months(
            days in proptest::collection::vec(0i64..800, 0..10), count in 1usize..5, months in 1u32..12,
        ) {
            let refusals: Vec<Refusal> = days.iter().map(|x| Refusal {
                on: Date::from_days(19_000 + x).unwrap(), service: Service::CareerGuidance,
            }).collect();
            let on = Date::from_days(19_000 + 800).unwrap();
            match refusals_within(&refusals, count, months, on) {
                Some(w) => {
                    prop_assert!(w.count >= count);
                    prop_assert!(w.last <= w.first.add_months(months));
                    let inside = refusals.iter().filter(|r| r.on >= w.first && r.on <= w.last).count();
                    prop_assert!(inside >= count);
                }
                None => {
                    // No refusal starts a window holding `count` refusals.
                    for r in &refusals {
                        let end = r.on.add_months(months);
                        let n = refusals.iter().filter(|x| x.on >= r.on && x.on <= end).count();
                        prop_assert!(n < count);
                    }
                }
            }
        }
    }
}
