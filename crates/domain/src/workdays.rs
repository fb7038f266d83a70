//! The working-day calendar (工作日): Monday to Friday, less the public holidays the State Council
//! publishes each year, plus the weekend days worked in their place (调休上班). Deadlines that the
//! policies count in working days (粤人社规〔2023〕11号: review within 10 working days) read it.
//!
//! The schedule is data, not code: the State Council announces each next year in November or
//! December, so a city loads a newer file (`date,kind,name`, `kind` = `off` or `work`) without a
//! release. The built-in schedule is `data/cn-workdays.csv` (2014–2026). For a year the schedule
//! does not cover, only weekends are rest days: such a deadline can come out early, never late, and
//! [`WorkCalendar::covers`] lets a caller say so.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use yuanzhu_rules::Date;

/// The built-in schedule.
const BUILT_IN: &str = include_str!("../../../data/cn-workdays.csv");

/// How a date departs from the Monday-to-Friday week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exception {
    /// A weekday that is a public holiday or a day off in lieu.
    Off,
    /// A Saturday or Sunday that is worked (调休上班).
    Work,
}

/// A line of a schedule that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("line {line}: `{text}` is not `date,kind,name` with a real date and kind `off` or `work`")]
    Line { line: usize, text: String },
    #[error("line {line}: {date} appears twice")]
    Twice { line: usize, date: Date },
}

/// Working days as the national schedule defines them.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    exceptions: HashMap<Date, Exception>,
    /// The years the schedule speaks for.
    years: BTreeSet<u32>,
}

impl WorkCalendar {
    /// The built-in national schedule, read once.
    pub fn national() -> &'static WorkCalendar {
        static CALENDAR: OnceLock<WorkCalendar> = OnceLock::new();
        CALENDAR.get_or_init(|| WorkCalendar::parse(BUILT_IN).expect("the built-in schedule is valid"))
    }

    /// Reads a schedule: a header line `date,kind,name`, then one line per exception.
    pub fn parse(text: &str) -> Result<WorkCalendar, CalendarError> {
        let mut calendar = WorkCalendar::default();
        for (i, line) in text.lines().enumerate().skip(1) {
            let line_no = i + 1;
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let bad = || CalendarError::Line { line: line_no, text: line.to_owned() };
            let mut cells = line.splitn(3, ',');
            let date = cells.next().and_then(|d| Date::parse(d.trim()).ok()).ok_or_else(bad)?;
            let kind = match cells.next().map(str::trim) {
                Some("off") => Exception::Off,
                Some("work") => Exception::Work,
                _ => return Err(bad()),
            };
            if calendar.exceptions.insert(date, kind).is_some() {
                return Err(CalendarError::Twice { line: line_no, date });
            }
            calendar.years.insert(date.year());
        }
        Ok(calendar)
    }

    /// Whether the schedule speaks for `year` (outside it, only weekends are rest days).
    pub fn covers(&self, year: u32) -> bool {
        self.years.contains(&year)
    }

    /// Whether people work on `date`.
    pub fn is_working_day(&self, date: Date) -> bool {
        match self.exceptions.get(&date) {
            Some(Exception::Off) => false,
            Some(Exception::Work) => true,
            None => !is_weekend(date),
        }
    }

    /// The `n`th working day after `date` (the day itself is not counted: 民法典 第二百零一条
    /// "开始的当日不计入"); `date` itself for `n == 0`; `None` past 9999-12-31.
    pub fn add_working_days(&self, date: Date, n: u32) -> Option<Date> {
        let mut day = date;
        for _ in 0..n {
            day = self.next_working_day(day)?;
        }
        Some(day)
    }

    /// The last day of a period of `days` calendar days after `from` (开始的当日不计入), moved to
    /// the next working day when it falls on a rest day (民法典 第二百零三条).
    pub fn period_end(&self, from: Date, days: u32) -> Option<Date> {
        let end = Date::from_days(from.to_days() + i64::from(days))?;
        if self.is_working_day(end) { Some(end) } else { self.next_working_day(end) }
    }

    /// The first working day after `date`.
    fn next_working_day(&self, date: Date) -> Option<Date> {
        let mut day = date;
        loop {
            day = Date::from_days(day.to_days() + 1)?;
            if self.is_working_day(day) {
                return Some(day);
            }
        }
    }
}

/// Saturday or Sunday; day 0 (1970-01-01) was a Thursday.
fn is_weekend(date: Date) -> bool {
    (date.to_days() + 3).rem_euclid(7) >= 5
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn national_day_week_2026_moves_a_five_working_day_deadline_to_13_october() {
        // 9-30 is a Wednesday; 10-1..7 are off, 10-10 (a Saturday) is worked.
        let cal = WorkCalendar::national();
        assert_eq!(cal.add_working_days(d("2026-09-30"), 5), Some(d("2026-10-13")));
        assert!(!cal.is_working_day(d("2026-10-05")));
        assert!(cal.is_working_day(d("2026-10-10")));
        assert!(!cal.is_working_day(d("2026-10-11")));
    }

    #[test]
    fn spring_festival_2026_and_its_worked_weekend() {
        let cal = WorkCalendar::national();
        let feb: Vec<bool> = (14..=28).map(|day| cal.is_working_day(d(&format!("2026-02-{day:02}")))).collect();
        // 2-14 (Sat) and 2-28 (Sat) are worked; 2-16..2-23 (Mon..Mon) are off.
        assert!(feb[0] && feb[14], "{feb:?}");
        assert!(feb[2..10].iter().all(|w| !w), "{feb:?}");
    }

    #[test]
    fn a_period_ending_on_a_holiday_moves_to_the_next_working_day() {
        let cal = WorkCalendar::national();
        // 30 days after 2026-09-01 is 10-01, National Day: the period runs to 10-08.
        assert_eq!(cal.period_end(d("2026-09-01"), 30), Some(d("2026-10-08")));
        assert_eq!(cal.period_end(d("2026-09-01"), 29), Some(d("2026-09-30")));
    }

    #[test]
    fn years_without_a_schedule_count_weekends_only() {
        let cal = WorkCalendar::national();
        assert!(cal.covers(2026));
        assert!(!cal.covers(2027));
        // 2027-10-01 is a Friday: a weekday, with no schedule to say otherwise.
        assert!(cal.is_working_day(d("2027-10-01")));
        assert_eq!(cal.add_working_days(d("2027-10-01"), 1), Some(d("2027-10-04")));
    }

    #[test]
    fn a_newer_schedule_is_loaded_as_data() {
        let cal =
            WorkCalendar::parse("date,kind,name\n2027-10-01,off,National Day\n2027-10-09,work,调休上班\n").unwrap();
        assert!(cal.covers(2027));
        assert!(!cal.is_working_day(d("2027-10-01")));
        assert!(cal.is_working_day(d("2027-10-09")));
    }

    #[test]
    fn a_bad_line_is_named() {
        assert_eq!(
            WorkCalendar::parse("date,kind,name\n2027-10-01,holiday,x\n").unwrap_err(),
            CalendarError::Line { line: 2, text: "2027-10-01,holiday,x".to_owned() }
        );
        assert!(matches!(
            WorkCalendar::parse("date,kind,name\n2027-02-30,off,x\n"),
            Err(CalendarError::Line { line: 2, .. })
        ));
        assert!(matches!(
            WorkCalendar::parse("date,kind,name\n2027-10-01,off,a\n2027-10-01,off,b\n"),
            Err(CalendarError::Twice { line: 3, .. })
        ));
    }

    proptest! {
        #[test]
        fn working_days_add_up_and_land_on_working_days(start in 16_000i64..21_000, a in 0u32..300, b in 0u32..300) {
            let cal = WorkCalendar::national();
            let from = Date::from_days(start).unwrap();
            let first = cal.add_working_days(from, a).unwrap();
            prop_assert_eq!(cal.add_working_days(first, b), cal.add_working_days(from, a + b));
            if a > 0 {
                prop_assert!(cal.is_working_day(first));
                prop_assert!(first > from);
            }
        }

        #[test]
        fn without_exceptions_only_weekends_rest(start in 0i64..40_000) {
            let day = Date::from_days(start).unwrap();
            prop_assert_eq!(WorkCalendar::default().is_working_day(day), !is_weekend(day));
        }
    }
}
