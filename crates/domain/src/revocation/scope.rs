//! Which recognitions a revocation ends, under each policy's article, and which reasons a policy
//! lists. Storage asks these when it proposes, confirms or lists what may be revoked.

use yuanzhu_rules::Date;
use yuanzhu_rules::policy::{Policy, Rules};

use super::{ExitReason, FAMILY_BASES, Grounds, HouseholdMember, MemberRecognition, cascade};

/// Whether `policy` lists `reason` among its revocation reasons.
pub fn lists(policy: &Policy, reason: ExitReason) -> bool {
    policy.revocation_reasons.iter().any(|r| r.code == reason.code())
}

/// Whether a caseworker has anything to propose for revocation in a recognition of `category`
/// under `policy`: some reason the policy lists ends it. The household reason (gd （六）) is
/// proposed by the rule from the member who found work, never by hand, so it does not count.
pub fn revocable(policy: &Policy, category: &str) -> bool {
    ExitReason::ALL
        .into_iter()
        .any(|r| r != ExitReason::FamilyMemberEmployed && lists(policy, r) && ends(policy, r, category))
}

/// The persons of 第三条第（三）项, 特困失业人员, under gz-2014-4.
const GZ_HARDSHIP_CITATION: &str = "第三条第（三）项";

/// Whether a confirmed proposal for `reason` under `policy` ends a recognition of `category` under
/// the same policy.
///
/// gz-2014-4 第六条: "特困失业人员有下列情况之一的，公共就业服务机构应注销其‘特困失业人员’资格". The
/// article revokes the status of 特困失业人员, the persons of 第三条第（三）项, and no other: the
/// categories 第四条 recognises automatically at unemployment registration are not named, so no
/// reason of 第六条 ends them. gd: 粤人社规〔2019〕7号 第三章第五条 ends 就业困难人员 status as a whole,
/// except （六）, which ends only the family basis ([`FAMILY_BASES`]).
pub fn ends(policy: &Policy, reason: ExitReason, category: &str) -> bool {
    match policy.rules {
        Rules::Gz2014(_) => {
            policy.categories.iter().any(|c| c.code == category && c.citation.starts_with(GZ_HARDSHIP_CITATION))
        }
        Rules::Gd2023(_) => reason != ExitReason::FamilyMemberEmployed || FAMILY_BASES.contains(&category),
    }
}

/// What confirming a household proposal (gd （六）) ends today: the cascade run again on its
/// grounds (`member` found work on `employed_on`) against the categories `person` holds now
/// (`active`), as of the day it was proposed. Returns the family bases to remove, and whether that
/// leaves the person with no category at all. Nothing, if no family basis stands any more.
pub fn family_basis_ended(
    policy: &Policy,
    person: &str,
    member: &str,
    employed_on: Date,
    active: &[String],
    proposed_on: Date,
) -> (Vec<String>, bool) {
    let members = [
        HouseholdMember { person: member.to_owned(), recognition: None, employed_on: Some(employed_on) },
        HouseholdMember {
            person: person.to_owned(),
            recognition: Some(MemberRecognition { policy: policy.id.clone(), categories: active.to_vec() }),
            employed_on: None,
        },
    ];
    match cascade(policy, &members, proposed_on).into_iter().find(|q| q.person() == person) {
        Some(q) => match q.grounds() {
            Grounds::FamilyMemberEmployed { removed, .. } => (removed.clone(), q.ends_status()),
            _ => (Vec::new(), false),
        },
        None => (Vec::new(), false),
    }
}

#[cfg(test)]
mod tests {
    use yuanzhu_rules::PolicySet;

    use super::*;

    fn policy(id: &str) -> Policy {
        PolicySet::embedded().by_id(id).unwrap().clone()
    }

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn under_gz_2014_4_article_6_ends_the_hardship_status_only() {
        let gz = policy("gz-2014-4");
        for reason in [ExitReason::Employed, ExitReason::LostContact, ExitReason::RefusedServices] {
            assert!(lists(&gz, reason), "{reason:?}");
            assert!(ends(&gz, reason, "hardship_low_income"), "{reason:?}");
            assert!(!ends(&gz, reason, "older_unemployed"), "第四条's categories are not named in 第六条");
        }
        assert!(!lists(&gz, ExitReason::FamilyMemberEmployed));
        assert!(revocable(&gz, "hardship_single_parent"));
        assert!(!revocable(&gz, "disabled_unemployed"));
    }

    #[test]
    fn under_gd_2023_11_the_status_ends_whole_and_the_household_reason_only_the_family_basis() {
        let gd = policy("gd-2023-11");
        assert!(ends(&gd, ExitReason::Employed, "older_unemployed"));
        assert!(ends(&gd, ExitReason::FamilyMemberEmployed, "urban_zero_employment_family"));
        assert!(!ends(&gd, ExitReason::FamilyMemberEmployed, "older_unemployed"));
        assert!(revocable(&gd, "older_unemployed"));
    }

    #[test]
    fn a_household_proposal_ends_the_family_basis_the_person_still_holds() {
        let gd = policy("gd-2023-11");
        let both = ["urban_zero_employment_family".to_owned(), "older_unemployed".to_owned()];
        let (removed, whole) = family_basis_ended(&gd, "B", "A", d("2024-03-01"), &both, d("2024-03-04"));
        assert_eq!((removed, whole), (vec!["urban_zero_employment_family".to_owned()], false));
        let only = ["urban_zero_employment_family".to_owned()];
        let (_, whole) = family_basis_ended(&gd, "B", "A", d("2024-03-01"), &only, d("2024-03-04"));
        assert!(whole, "nothing else is left");
        // The basis ended meanwhile by another way: nothing left to end.
        let none = ["older_unemployed".to_owned()];
        assert_eq!(family_basis_ended(&gd, "B", "A", d("2024-03-01"), &none, d("2024-03-04")), (vec![], false));
    }
}
