//! Refused services (拒绝接受公共就业服务): the refusals that make a proposal.

use yuanzhu_rules::Date;
use yuanzhu_rules::policy::{Policy, Rules};

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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::revocation::fixtures::*;

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

    proptest! {
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
