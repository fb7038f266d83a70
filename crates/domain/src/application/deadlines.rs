//! Working days and deadlines: the time limits of each policy, and the deadlines of an application
//! counted on the national calendar of working days ([`WorkCalendar`]).

use yuanzhu_rules::Date;

use super::{Application, ApplicationCategory, CategoryRule, State};
use crate::workdays::WorkCalendar;

/// The time limits of an application procedure, per policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct TimeLimits {
    /// Working days the district has to review a complete file, if the policy sets a limit.
    pub review_working_days: Option<u32>,
    /// Days to ask for re-review (重核) after receiving a refusal notice, if the policy allows it.
    pub appeal_days: Option<u32>,
    /// Days to complete a file after the one-time deficiency notice, if the policy sets a limit.
    ///
    /// Neither 穗人社发〔2014〕4号 第五条 nor 粤人社规〔2023〕11号 (as read, notes §1.4) sets one, and an
    /// invented limit would let a caseworker refuse an applicant on a rule that does not exist. So
    /// there is none: the queue of files waiting for documents shows the days since the notice,
    /// longest wait first, and the caseworker decides when to follow up or refuse (refusal is
    /// allowed from `Deficient`).
    pub completion_days: Option<u32>,
}

impl TimeLimits {
    /// 穗人社发〔2014〕4号 sets neither limit.
    pub const GZ_2014_4: TimeLimits =
        TimeLimits { review_working_days: None, appeal_days: None, completion_days: None };
    /// 粤人社规〔2023〕11号 chapter 2 (notes §1.4, provisional): "the county (district) PES completes
    /// review within 10 working days of receiving the file"; re-review "within 30 days of receiving
    /// the notice".
    pub const GD_2023_11: TimeLimits =
        TimeLimits { review_working_days: Some(10), appeal_days: Some(30), completion_days: None };

    /// The limits of the category's rulebook. The policy files do not carry these yet.
    pub const fn of(category: &ApplicationCategory) -> TimeLimits {
        match category.rule() {
            CategoryRule::Gz2014(_) => TimeLimits::GZ_2014_4,
            CategoryRule::Gd2023(_) => TimeLimits::GD_2023_11,
        }
    }
}

impl Application {
    /// The last day for the district's review of a submitted file: [`TimeLimits::review_working_days`]
    /// working days after submission. The district's own receipt date is not recorded, so the count
    /// starts at submission: the deadline can come early, never late. `None` if not submitted or if
    /// the policy sets no limit.
    pub fn review_deadline(&self) -> Option<Date> {
        match (self.state(), self.time_limits().review_working_days) {
            (State::Submitted { on }, Some(n)) => WorkCalendar::national().add_working_days(*on, n),
            _ => None,
        }
    }

    /// The last day to complete a deficient file: [`TimeLimits::completion_days`] after the one-time
    /// notice, a last day on a rest day moved to the next working day. `None` unless deficient
    /// under a policy that sets a limit (none does: see [`TimeLimits::completion_days`]).
    pub fn completion_deadline(&self) -> Option<Date> {
        match (self.state(), self.time_limits().completion_days) {
            (State::Deficient { notice }, Some(days)) => WorkCalendar::national().period_end(notice.served_on(), days),
            _ => None,
        }
    }

    /// Whether a submitted file is still undecided after its review deadline.
    pub fn review_overdue(&self, today: Date) -> bool {
        self.review_deadline().is_some_and(|last| today > last)
    }

    /// The last day to ask for re-review (重核) of a refusal: "within 30 days of receiving the notice"
    /// (notes §1.4). Counted from the day the notice was served (received in person at the office),
    /// that day not counted (民法典 第二百零一条); a last day on a rest day (a weekend or a public holiday)
    /// moves to the next working day (第二百零三条).
    /// `None` unless refused under a policy that provides re-review (gz-2014-4's text does not).
    pub fn appeal_deadline(&self) -> Option<Date> {
        match (self.state(), self.time_limits().appeal_days) {
            (State::Rejected { notice }, Some(days)) => WorkCalendar::national().period_end(notice.served_on(), days),
            _ => None,
        }
    }

    /// Whether re-review may be asked for on `on`: from the notice's day to the deadline, inclusive.
    pub fn can_appeal(&self, on: Date) -> bool {
        match (self.state(), self.appeal_deadline()) {
            (State::Rejected { notice }, Some(last)) => notice.served_on() <= on && on <= last,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::application::fixtures::*;

    // ---- deadlines ----

    #[test]
    fn provincial_review_deadline_is_ten_working_days_after_submission() {
        let on = d("2023-08-01");
        let gd = draft(ApplicationCategory::provincial(ProvincialCategory::Disabled));
        let gd = Application::new("person-1", gd.category().clone(), "clerk", on).unwrap();
        let app = with_all(&gd, on).submit("clerk", on).unwrap();
        assert_eq!(app.review_deadline(), Some(d("2023-08-15")));
        assert!(!app.review_overdue(d("2023-08-15")));
        assert!(app.review_overdue(d("2023-08-16")));
        assert_eq!(app.approve("district", on).unwrap().review_deadline(), None);
        assert_eq!(in_state(StateKind::Submitted).review_deadline(), None, "gz-2014-4 sets no limit");
    }

    #[test]
    fn the_national_day_holidays_move_the_review_deadline() {
        // Submitted on Wednesday 2026-09-30: 10-01..07 are off and Saturday 10-10 is worked, so the
        // tenth working day is Tuesday 10-20, not Wednesday 10-14 as weekends alone would give.
        let on = d("2026-09-30");
        let gd = Application::new("p", ApplicationCategory::provincial(ProvincialCategory::Disabled), "c", on).unwrap();
        let app = with_all(&gd, on).submit("c", on).unwrap();
        assert_eq!(app.review_deadline(), Some(d("2026-10-20")));
        // A refusal served on 2026-09-01: day 30 is National Day, so re-review may be asked until 10-08.
        assert_eq!(gd_refused("2026-09-01").appeal_deadline(), Some(d("2026-10-08")));
    }

    fn gd_refused(served: &str) -> Application {
        let on = d(served);
        let gd = Application::new("p", ApplicationCategory::provincial(ProvincialCategory::Disabled), "c", on).unwrap();
        with_all(&gd, on).submit("c", on).unwrap().reject("district", on, "残疾人证已注销").unwrap()
    }

    #[test]
    fn re_review_window_is_30_days_from_the_notice() {
        // (notice served, last day to ask for 重核)
        let cases = [
            ("2024-03-04", "2024-04-03"), // Monday; ends on a Wednesday
            ("2024-03-01", "2024-04-01"), // day 30 is Sunday 2024-03-31 → Monday
            ("2024-02-29", "2024-04-01"), // day 30 is Saturday 2024-03-30 → Monday
            ("2023-12-31", "2024-01-30"),
        ];
        for (served, last) in cases {
            let app = gd_refused(served);
            assert_eq!(app.appeal_deadline(), Some(d(last)), "{served}");
            assert!(app.can_appeal(d(served)), "on the day it was served");
            assert!(app.can_appeal(d(last)), "on the last day");
            assert!(!app.can_appeal(d(last).next_day()), "the day after");
        }
        let app =
            gd_refused("2024-03-04").with_time_limits(TimeLimits { appeal_days: Some(15), ..TimeLimits::GD_2023_11 });
        assert_eq!(app.appeal_deadline(), Some(d("2024-03-19")));
    }

    #[test]
    fn no_policy_sets_a_completion_limit_and_one_that_did_would_count_from_the_notice() {
        let deficient = in_state(StateKind::Deficient);
        assert_eq!(deficient.completion_deadline(), None, "gz-2014-4 sets none");
        let gd = deficient.clone().with_time_limits(TimeLimits::GD_2023_11);
        assert_eq!(gd.completion_deadline(), None, "nor does gd-2023-11 as read");
        // Served Monday 2024-03-04: 26 days later is Saturday 03-30, moved to Monday 04-01.
        let limited = deficient.with_time_limits(TimeLimits { completion_days: Some(26), ..TimeLimits::GZ_2014_4 });
        assert_eq!(limited.completion_deadline(), Some(d("2024-04-01")));
        assert_eq!(in_state(StateKind::Submitted).completion_deadline(), None);
    }

    #[test]
    fn no_re_review_window_under_gz_2014_4_or_before_refusal() {
        let refused = in_state(StateKind::Rejected);
        assert_eq!((refused.appeal_deadline(), refused.can_appeal(d("2024-03-05"))), (None, false));
        let approved = in_state(StateKind::Approved).with_time_limits(TimeLimits::GD_2023_11);
        assert_eq!((approved.appeal_deadline(), approved.can_appeal(d("2024-03-05"))), (None, false));
    }
}
