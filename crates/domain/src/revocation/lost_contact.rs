//! Lost contact (失去联系): the run of failed contact attempts that makes a proposal, and the
//! caseworker's queue of who is about to become unreachable.

use yuanzhu_rules::Date;
use yuanzhu_rules::policy::{Policy, Rules};

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
pub(super) struct Run {
    pub(super) first: Date,
    pub(super) last: Date,
    pub(super) failed: usize,
}

pub(super) fn open_run(attempts: &[ContactAttempt], on: Date) -> Option<Run> {
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

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::revocation::fixtures::*;

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
    }
}
