//! The household cascade (gd （六）): a member finding work ends the family basis of the others.

use yuanzhu_rules::Date;
use yuanzhu_rules::policy::Policy;

use super::{ExitReason, Grounds, Proposer, RevocationProposal};

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
    use crate::revocation::fixtures::*;

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
}
