//! Civil dates and the one period rule of 民法典 第二百零二条, used for ages and durations alike.
//!
//! A period of N months (or years) that starts on day S ends on the same day of the month N months
//! later, or on that month's last day when it has no such day. A person reaches age N (满N周岁) on
//! `birth_date + N years`; someone born on 29 February reaches it on 28 February in a common year.
//!
//! [`Date`] packs year, month and day into one integer whose order is the calendar order, so that
//! "has the period ended by the assessment date" is a single comparison and adding months is a few
//! integer operations. That is what lets the batch path assess a province in well under a second.

use std::fmt;
use std::num::NonZeroU32;

/// A date of the proleptic Gregorian calendar, years 1 to 9999 when parsed.
///
/// Packed as `year << 9 | month << 5 | day`: comparing two dates compares the integers.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NonZeroU32);

/// Why a text is not a date (`YYYY-MM-DD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("not in the form YYYY-MM-DD")]
    Format,
    #[error("no such day in the calendar")]
    NoSuchDay,
}

impl Date {
    /// The date, or `None` when there is no such day (year 0 is not a year).
    pub const fn from_ymd(year: u32, month: u32, day: u32) -> Option<Date> {
        if year == 0 || year > 9999 || month == 0 || month > 12 || day == 0 {
            return None;
        }
        if day > days_in_month(year, month) {
            return None;
        }
        match NonZeroU32::new(year << 9 | month << 5 | day) {
            Some(v) => Some(Date(v)),
            None => None,
        }
    }

    /// Strict `YYYY-MM-DD`, exactly ten characters.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        Date::parse_bytes(text.as_bytes())
    }

    /// [`Date::parse`] on bytes, for readers that never made a `str`.
    pub fn parse_bytes(text: &[u8]) -> Result<Date, DateError> {
        let b: &[u8; 10] = text.try_into().map_err(|_| DateError::Format)?;
        if b[4] != b'-' || b[7] != b'-' {
            return Err(DateError::Format);
        }
        let mut n = [0u32; 8];
        for (slot, &i) in n.iter_mut().zip(&[0usize, 1, 2, 3, 5, 6, 8, 9]) {
            *slot = u32::from(b[i].wrapping_sub(b'0'));
        }
        if n.iter().any(|&d| d > 9) {
            return Err(DateError::Format);
        }
        let (y, m, d) = (n[0] * 1000 + n[1] * 100 + n[2] * 10 + n[3], n[4] * 10 + n[5], n[6] * 10 + n[7]);
        Date::from_ymd(y, m, d).ok_or(DateError::NoSuchDay)
    }

    pub const fn year(self) -> u32 {
        self.0.get() >> 9
    }
    pub const fn month(self) -> u32 {
        (self.0.get() >> 5) & 0xF
    }
    pub const fn day(self) -> u32 {
        self.0.get() & 0x1F
    }

    /// The packed integer; its order is the calendar order.
    pub const fn packed(self) -> u32 {
        self.0.get()
    }

    /// Unchecked packing for results of period arithmetic, whose year may pass 9999.
    const fn pack(year: u32, month: u32, day: u32) -> Date {
        match NonZeroU32::new(year << 9 | month << 5 | day) {
            Some(v) => Date(v),
            None => panic!("a packed date always has a day"),
        }
    }

    /// The end of a period of `months` months that starts on this date (民法典 第二百零二条):
    /// the same day of the month, or that month's last day when it has no such day.
    pub const fn add_months(self, months: u32) -> Date {
        let index = self.year() * 12 + (self.month() - 1) + months;
        let (year, month) = (index / 12, index % 12 + 1);
        let last = days_in_month(year, month);
        let day = if self.day() > last { last } else { self.day() };
        Date::pack(year, month, day)
    }

    /// The same day `months` months earlier, or that month's last day when it has no such day;
    /// `None` before year 1.
    pub const fn sub_months(self, months: u32) -> Option<Date> {
        let index = self.year() * 12 + (self.month() - 1);
        if months > index || (index - months) / 12 == 0 {
            return None;
        }
        let index = index - months;
        let (year, month) = (index / 12, index % 12 + 1);
        let last = days_in_month(year, month);
        let day = if self.day() > last { last } else { self.day() };
        Some(Date::pack(year, month, day))
    }

    /// The next day.
    pub const fn next_day(self) -> Date {
        if self.day() < days_in_month(self.year(), self.month()) {
            Date::pack(self.year(), self.month(), self.day() + 1)
        } else if self.month() < 12 {
            Date::pack(self.year(), self.month() + 1, 1)
        } else {
            Date::pack(self.year() + 1, 1, 1)
        }
    }

    /// The latest start date whose period of `months` months has ended on or before `on`:
    /// "has the period ended" becomes `start <= cutoff`. `None` when no start from year 1 on has.
    pub const fn latest_start_of_months(on: Date, months: u32) -> Option<Date> {
        let Some(mut start) = on.sub_months(months) else { return None };
        // Going back clamps to a month's last day; later days of that month may still reach `on`
        // (2016-02-29 + 12 months = 2017-02-28). At most three more days can.
        let mut i = 0;
        while i < 3 {
            let next = start.next_day();
            if next.add_months(months).packed() > on.packed() {
                break;
            }
            start = next;
            i += 1;
        }
        Some(start)
    }

    /// The end of a period of `years` years: the same rule as [`Date::add_months`].
    pub const fn add_years(self, years: u32) -> Date {
        self.add_months(years * 12)
    }

    /// Whether a period of `months` months starting on this date has been completed by `on`
    /// ("6个月以上" includes the sixth month's end day itself).
    pub const fn months_reached(self, months: u32, on: Date) -> bool {
        self.add_months(months).packed() <= on.packed()
    }

    /// Age in full years (周岁) on `on`, by the period rule; 0 before the birth date.
    pub const fn age_on(self, on: Date) -> u32 {
        if on.packed() < self.packed() {
            return 0;
        }
        let years = on.year() - self.year();
        if self.add_years(years).packed() <= on.packed() { years } else { years - 1 }
    }

    /// Days since 1970-01-01 (negative before), for counting days and searching by day.
    pub const fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let (m, d) = (self.month() as i64, self.day() as i64);
        let y = self.year() as i64 - if m <= 2 { 1 } else { 0 };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01; `None` outside years 1 to 9999.
    pub const fn from_days(days: i64) -> Option<Date> {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
        if y < 1 || y > 9999 {
            return None;
        }
        Date::from_ymd(y as u32, m as u32, d as u32)
    }

    /// Days from this date to `other` (negative when `other` is earlier).
    pub const fn days_until(self, other: Date) -> i64 {
        other.to_days() - self.to_days()
    }
}

/// The number of days in a month of the Gregorian calendar.
pub const fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

pub const fn is_leap_year(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year(), self.month(), self.day())
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::str::FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Date, DateError> {
        Date::parse(s)
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The latest start date whose period, as `end` computes it, has ended on or before `on`.
///
/// `end` must never decrease as the start advances, which holds for every period of this module
/// and for the retirement date. `None` when no start from year 1 on qualifies.
pub fn latest_start_reaching(on: Date, end: impl Fn(Date) -> Date) -> Option<Date> {
    let first = Date::pack(1, 1, 1);
    if end(first) > on {
        return None;
    }
    let (mut lo, mut hi) = (first.to_days(), on.to_days());
    // Invariant: end(lo) <= on; every start after hi ends after on (a period never ends before it starts).
    while lo < hi {
        let mid = lo + (hi - lo + 1) / 2;
        let start = Date::from_days(mid).expect("between two valid dates");
        if end(start) <= on {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Date::from_days(lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn month_end_clamps_to_the_last_day_of_a_shorter_month() {
        assert_eq!(d("2015-08-31").add_months(6), d("2016-02-29"));
        assert_eq!(d("2015-08-31").add_months(18), d("2017-02-28"));
        assert_eq!(d("2016-01-31").add_months(1), d("2016-02-29"));
        assert_eq!(d("2016-03-31").add_months(1), d("2016-04-30"));
        assert_eq!(d("2016-12-15").add_months(1), d("2017-01-15"));
    }

    #[test]
    fn leap_day_birth_reaches_age_on_28_february_in_a_common_year() {
        let birth = d("2000-02-29");
        assert_eq!(birth.add_years(16), d("2016-02-29"));
        assert_eq!(birth.add_years(17), d("2017-02-28"));
        assert_eq!(birth.age_on(d("2017-02-27")), 16);
        assert_eq!(birth.age_on(d("2017-02-28")), 17);
    }

    #[test]
    fn age_changes_on_the_birthday_itself() {
        let birth = d("1976-06-01");
        assert_eq!(birth.age_on(d("2016-05-31")), 39);
        assert_eq!(birth.age_on(d("2016-06-01")), 40);
        assert_eq!(birth.age_on(d("1976-05-31")), 0);
    }

    #[test]
    fn parse_is_strict() {
        for bad in ["2016-6-01", "2016-06-1", "16-06-01", "2016/06/01", "2016-06-01 ", "２016-06-01"] {
            assert_eq!(Date::parse(bad), Err(DateError::Format), "{bad}");
        }
        for impossible in ["2015-02-29", "2016-13-01", "2016-00-10", "2016-04-31", "0000-01-01"] {
            assert_eq!(Date::parse(impossible), Err(DateError::NoSuchDay), "{impossible}");
        }
        assert_eq!(d("1900-02-28").to_string(), "1900-02-28");
        assert!(Date::parse("1900-02-29").is_err());
        assert!(Date::parse("2000-02-29").is_ok());
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(d("1970-01-01").to_days(), 0);
        assert_eq!(d("2000-03-01").to_days(), 11_017);
        for s in ["0001-01-01", "1600-02-29", "1969-12-31", "2016-02-29", "9999-12-31"] {
            assert_eq!(Date::from_days(d(s).to_days()), Some(d(s)));
        }
        assert_eq!(d("2016-02-28").days_until(d("2016-03-01")), 2);
    }

    #[test]
    fn latest_start_of_months_matches_the_search() {
        for on in ["2017-02-28", "2016-02-29", "2016-03-31", "2016-12-31", "2016-06-01", "2015-04-30"] {
            let on = d(on);
            for m in [0, 1, 6, 12, 24, 35 * 12, 60 * 12 + 7] {
                assert_eq!(
                    Date::latest_start_of_months(on, m),
                    latest_start_reaching(on, |b| b.add_months(m)),
                    "{on} {m}"
                );
            }
        }
        assert_eq!(d("0001-06-01").sub_months(6), None);
        assert_eq!(d("2016-12-31").next_day(), d("2017-01-01"));
        assert_eq!(d("2016-02-28").next_day(), d("2016-02-29"));
    }

    #[test]
    fn latest_start_reaching_finds_the_cutoff() {
        // Born 2000-02-29 is 17 on 2017-02-28; born 2000-03-01 is not.
        let cut = latest_start_reaching(d("2017-02-28"), |b| b.add_years(17));
        assert_eq!(cut, Some(d("2000-02-29")));
        let cut = latest_start_reaching(d("2016-03-31"), |b| b.add_months(1));
        assert_eq!(cut, Some(d("2016-02-29")));
    }
}
