//! The one clock. Timestamps are stored in UTC (`2026-12-06T17:30:00.000000Z`, see
//! [`stamp_now`]); what a person reads, and the day that counts as "today", are in the city's
//! zone (`time_zone` in the configuration, `Asia/Shanghai` by default). A server whose own zone is
//! UTC, or anything else, shows the same times and dates: nothing here asks the machine's zone.
//!
//! The zone comes from `chrono-tz`, chronotope's companion to the `chrono` this workspace already
//! uses: the IANA database is built into the binary, so a container without `tzdata` shows the
//! same times, and no second date-time library enters the workspace.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;
use yuanzhu_rules::Date;

/// The zone of a city in China, the default.
pub const DEFAULT_ZONE: &str = "Asia/Shanghai";

/// Today, now, and stored timestamps, in one configured zone.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    zone: Tz,
}

impl Default for Clock {
    fn default() -> Self {
        Clock { zone: chrono_tz::Asia::Shanghai }
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.zone.name())
    }
}

/// A minute on the local clock: what a page, an export or a printed form shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalTime {
    pub date: Date,
    pub hour: u32,
    pub minute: u32,
}

impl fmt::Display for LocalTime {
    /// `2026-12-07 01:30`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:02}:{:02}", self.date, self.hour, self.minute)
    }
}

impl Clock {
    /// The clock of an IANA zone (`Asia/Shanghai`, `Asia/Urumqi`), or an error naming it.
    pub fn new(zone: &str) -> Result<Clock, String> {
        Tz::from_str(zone.trim()).map(|zone| Clock { zone }).map_err(|_| {
            format!("time_zone: `{zone}` is not a time zone of the IANA database (for example {DEFAULT_ZONE})")
        })
    }

    /// The zone's IANA name.
    pub fn zone(&self) -> &'static str {
        self.zone.name()
    }

    /// Today in the zone.
    pub fn today(&self) -> Date {
        self.date_of(Utc::now())
    }

    /// Now in the zone, to the minute.
    pub fn now(&self) -> LocalTime {
        self.local_of(Utc::now())
    }

    /// A stored timestamp (ISO-8601 with `Z` or an offset; a bare date-time is read as UTC, the
    /// form every timestamp column holds) on the local clock; `None` if it is not a timestamp.
    pub fn local(&self, stamp: &str) -> Option<LocalTime> {
        parse_utc(stamp).map(|t| self.local_of(t))
    }

    /// A stored timestamp as `2026-12-07 01:30` in the zone; anything else (a plain date, a
    /// damaged value) is shown as it is, so that nothing is hidden.
    pub fn show(&self, stamp: &str) -> String {
        self.local(stamp).map_or_else(|| stamp.to_owned(), |t| t.to_string())
    }

    /// A stored timestamp as ISO-8601 on the local clock with its offset, to the second
    /// (`2026-12-07T01:30:00+08:00`): what an export writes, exact and still read as local.
    pub fn stamp_local(&self, stamp: &str) -> String {
        parse_utc(stamp).map_or_else(
            || stamp.to_owned(),
            |t| t.with_timezone(&self.zone).to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        )
    }

    /// The local day of a stored timestamp, or of a plain date (which is already a day).
    pub fn day_of(&self, stamp: &str) -> Option<Date> {
        match self.local(stamp) {
            Some(t) => Some(t.date),
            None => stamp.get(..10).and_then(|d| Date::parse(d).ok()),
        }
    }

    fn date_of(&self, t: DateTime<Utc>) -> Date {
        self.local_of(t).date
    }

    fn local_of(&self, t: DateTime<Utc>) -> LocalTime {
        let l = t.with_timezone(&self.zone);
        LocalTime {
            date: Date::from_ymd(l.year() as u32, l.month(), l.day()).expect("a real instant has a real date"),
            hour: l.hour(),
            minute: l.minute(),
        }
    }
}

impl<'de> serde::Deserialize<'de> for Clock {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Clock::new(&name).map_err(serde::de::Error::custom)
    }
}

impl FromStr for Clock {
    type Err = String;

    fn from_str(zone: &str) -> Result<Self, Self::Err> {
        Clock::new(zone)
    }
}

/// Today in the machine's own zone: only for `yuanzhu assess`, whose contract (assess.md, rule 4)
/// defaults the assessment date to "today's date in the machine's local time zone" unless a zone
/// is named.
pub fn machine_today() -> Date {
    let d = chrono::Local::now().date_naive();
    Date::from_ymd(d.year() as u32, d.month(), d.day()).expect("the clock shows a real date")
}

/// Now, as the ISO-8601 text every timestamp column holds (UTC, microseconds).
pub fn stamp_now() -> String {
    Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn parse_utc(stamp: &str) -> Option<DateTime<Utc>> {
    let stamp = stamp.trim();
    if stamp.len() < 16 {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(stamp) {
        return Some(t.with_timezone(&Utc));
    }
    let bare = stamp.trim_end_matches('Z').replacen(' ', "T", 1);
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(&bare, f).ok())
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_evening_in_utc_is_the_next_morning_in_guangzhou() {
        let clock = Clock::default();
        assert_eq!(clock.show("2026-12-06T17:30:00Z"), "2026-12-07 01:30");
        assert_eq!(clock.show("2026-12-06T17:30:00.123456Z"), "2026-12-07 01:30");
        assert_eq!(clock.day_of("2026-12-06T17:30:00Z"), Some(Date::parse("2026-12-07").unwrap()));
        assert_eq!(clock.show("2026-12-06T09:30:00+08:00"), "2026-12-06 09:30");
        assert_eq!(clock.stamp_local("2026-12-06T17:30:00.5Z"), "2026-12-07T01:30:00+08:00");
    }

    #[test]
    fn another_zone_is_configured_by_its_iana_name() {
        let utc = Clock::new("UTC").unwrap();
        assert_eq!(utc.show("2026-12-06T17:30:00Z"), "2026-12-06 17:30");
        let urumqi = Clock::new("Asia/Urumqi").unwrap();
        assert_eq!(urumqi.show("2026-12-06T17:30:00Z"), "2026-12-06 23:30");
        let e = Clock::new("Asia/Guangzhou").unwrap_err();
        assert!(e.contains("time_zone") && e.contains("Asia/Guangzhou"), "{e}");
    }

    #[test]
    fn what_is_not_a_timestamp_is_shown_as_it_is() {
        let clock = Clock::default();
        assert_eq!(clock.show("2016-06-01"), "2016-06-01");
        assert_eq!(clock.show(""), "");
        assert_eq!(clock.day_of("2016-06-01"), Some(Date::parse("2016-06-01").unwrap()));
        assert_eq!(clock.day_of("garbage"), None);
    }

    #[test]
    fn the_stored_form_reads_back() {
        let stamp = stamp_now();
        assert!(stamp.ends_with('Z') && Clock::default().local(&stamp).is_some(), "{stamp}");
    }
}
