//! The batch path: a whole registry on one date, without allocating per person and without
//! explanations. Reassessment calls this; explanations are produced afterwards, only for the
//! persons whose outcome changed.

use crate::calendar::Date;
use crate::clock::Cutoffs;
use crate::facts::Facts;
use crate::policy::{Outcome, Policy, Rules, gd_2023_11, gz_2014_4};

/// Assesses `facts[i]` into `out[i]` under `policy` on `on`.
///
/// # Panics
/// When the two slices differ in length.
pub fn assess_into(policy: &Policy, on: Date, facts: &[Facts], out: &mut [Outcome]) {
    assert_eq!(facts.len(), out.len(), "one outcome per person");
    let clock = Cutoffs::new(on);
    assess_with(policy, &clock, facts, out);
}

/// As [`assess_into`], with cutoffs already built (share them across threads and chunks).
pub fn assess_with(policy: &Policy, clock: &Cutoffs, facts: &[Facts], out: &mut [Outcome]) {
    let min_age = policy.minimum_working_age;
    // One match per batch, so the loop body is the rulebook alone and can be inlined.
    match &policy.rules {
        Rules::Gz2014(p) => {
            for (f, o) in facts.iter().zip(out.iter_mut()) {
                *o = gz_2014_4::evaluate(p, min_age, f, clock);
            }
        }
        Rules::Gd2023(p) => {
            for (f, o) in facts.iter().zip(out.iter_mut()) {
                *o = gd_2023_11::evaluate(p, min_age, f, clock);
            }
        }
    }
}

/// How many persons are eligible, and how many fall in each category (by bit).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub eligible: u64,
    pub by_category: [u64; 16],
    pub by_unmet: [u64; 8],
}

impl Counts {
    pub fn of(outcomes: &[Outcome]) -> Counts {
        let mut c = Counts::default();
        for o in outcomes {
            c.eligible += u64::from(o.eligible());
            for (bit, n) in c.by_category.iter_mut().enumerate() {
                *n += u64::from(o.categories >> bit & 1);
            }
            for (bit, n) in c.by_unmet.iter_mut().enumerate() {
                *n += u64::from(o.unmet >> bit & 1);
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Fact, FemaleRetirementTrack, Sex};
    use crate::policy::PolicySet;
    use proptest::prelude::*;

    fn facts() -> impl Strategy<Value = Facts> {
        (1940u32..2012, 1u32..=12, 1u32..=31, any::<bool>(), any::<bool>(), any::<u32>(), 0u8..16, 0u32..40, 0u32..40)
            .prop_map(|(y, m, d, male, cadre, bits, certs, since, reg)| {
                let birth = Date::from_ymd(y, m, d.min(crate::calendar::days_in_month(y, m))).unwrap();
                let mut f = Facts::born(birth, if male { Sex::Male } else { Sex::Female });
                if cadre {
                    f.female_retirement_track = FemaleRetirementTrack::Cadre;
                }
                for bit in 0..21u8 {
                    if bits >> bit & 1 == 1 {
                        f = f.with(ALL_FACTS[bit as usize]);
                    }
                }
                f.parent_certificates = certs;
                let anchor = Date::from_ymd(2013, 1, 31).unwrap();
                f.unemployed_since = (since < 36).then(|| anchor.add_months(since));
                f.unemployment_registered_on = (reg < 36).then(|| anchor.add_months(reg + 100));
                f
            })
    }

    const ALL_FACTS: [Fact; 21] = [
        Fact::HukouLocal,
        Fact::RuralToUrban,
        Fact::RegisteredUnemployed,
        Fact::AbleToWork,
        Fact::WillingToBeAssisted,
        Fact::Disabled,
        Fact::ZeroEmploymentFamily,
        Fact::MinimumLivingAllowance,
        Fact::LowIncomeFamily,
        Fact::SingleParentRaisingChildren,
        Fact::CollegeGraduate,
        Fact::HukouInProvince,
        Fact::WithoutWork,
        Fact::RuralHukou,
        Fact::FormerlyRegisteredPoorHousehold,
        Fact::LandlessFarmer,
        Fact::DrugRehabilitated,
        Fact::ReleasedPrisoner,
        Fact::MentalHealthRecovered,
        Fact::Veteran,
        Fact::CaregiverOfSeriouslyIllRelative,
    ];

    fn on_date() -> impl Strategy<Value = Date> {
        (0i64..5000).prop_map(|n| Date::from_days(Date::parse("2014-01-20").unwrap().to_days() + n * 3).unwrap())
    }

    proptest! {
        #[test]
        fn batch_agrees_with_single_assessment(people in proptest::collection::vec(facts(), 1..40), on in on_date()) {
            let set = PolicySet::embedded();
            for policy in set.policies() {
                let mut out = vec![Outcome::default(); people.len()];
                assess_into(policy, on, &people, &mut out);
                for (f, o) in people.iter().zip(&out) {
                    prop_assert_eq!(*o, policy.assess(f, on));
                }
            }
        }

        #[test]
        fn results_do_not_depend_on_record_order(mut people in proptest::collection::vec(facts(), 2..40), on in on_date(), seed in any::<u64>()) {
            let policy = &PolicySet::embedded().policies()[0].clone();
            let mut before = vec![Outcome::default(); people.len()];
            assess_into(policy, on, &people, &mut before);
            let mut pairs: Vec<(Facts, Outcome)> = people.iter().copied().zip(before).collect();
            // A deterministic shuffle: rotate and reverse by the seed.
            let k = (seed as usize) % people.len();
            pairs.rotate_left(k);
            pairs.reverse();
            people = pairs.iter().map(|p| p.0).collect();
            let mut after = vec![Outcome::default(); people.len()];
            assess_into(policy, on, &people, &mut after);
            for ((_, expected), got) in pairs.iter().zip(&after) {
                prop_assert_eq!(expected, got);
            }
        }

        #[test]
        fn age_never_decreases_and_age_categories_are_never_lost_before_retirement(f in facts(), days in 0i64..20_000, step in 1i64..800) {
            let set = PolicySet::embedded();
            let d1 = Date::from_days(f.birth_date.to_days() + days).unwrap();
            let d2 = Date::from_days(d1.to_days() + step).unwrap();
            prop_assert!(f.birth_date.age_on(d1) <= f.birth_date.age_on(d2));
            for policy in set.policies() {
                let (a, b) = (policy.assess(&f, d1), policy.assess(&f, d2));
                // Facts fixed, every category only grows with time (ages and durations); only
                // reaching retirement may take them away.
                if b.unmet & (1 << 5) == 0 {
                    prop_assert_eq!(a.categories & !b.categories, 0, "lost a category under {}", policy.id);
                }
            }
        }
    }

    #[test]
    fn counts_add_up() {
        let o = [Outcome { categories: 0b101, unmet: 0 }, Outcome { categories: 0, unmet: 0b1000000 }];
        let c = Counts::of(&o);
        assert_eq!(c.eligible, 1);
        assert_eq!(c.by_category[0], 1);
        assert_eq!(c.by_category[2], 1);
        assert_eq!(c.by_unmet[6], 1);
    }
}
