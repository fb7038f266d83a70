//! "Has this period ended by the assessment date?", answered two ways.
//!
//! Rules ask a [`Clock`] instead of doing date arithmetic, so the same rule text serves a single
//! assessment ([`OnDate`], which adds the period to the start date) and a batch on one date
//! ([`Cutoffs`], which turns every period into the latest start date that has completed it, so a
//! rule becomes one integer comparison per person).

use crate::calendar::{Date, latest_start_reaching};
use crate::retirement::{RetirementTrack, retirement_date};

pub trait Clock {
    /// The assessment date.
    fn on(&self) -> Date;
    /// 满N周岁 on the assessment date.
    fn age_at_least(&self, birth: Date, years: u32) -> bool;
    /// A period of `months` months from `start` has been completed by the assessment date.
    fn months_reached(&self, start: Date, months: u32) -> bool;
    /// The statutory retirement date is on or before the assessment date.
    fn retired(&self, birth: Date, track: RetirementTrack) -> bool;

    /// A period from a start that may be unknown: never reached without a start.
    #[inline]
    fn months_reached_since(&self, start: Option<Date>, months: u32) -> bool {
        start.is_some_and(|s| self.months_reached(s, months))
    }
}

/// Computes each period from its start: right for one record, or records on many dates.
#[derive(Debug, Clone, Copy)]
pub struct OnDate(pub Date);

impl Clock for OnDate {
    fn on(&self) -> Date {
        self.0
    }
    fn age_at_least(&self, birth: Date, years: u32) -> bool {
        birth.add_years(years) <= self.0
    }
    fn months_reached(&self, start: Date, months: u32) -> bool {
        start.months_reached(months, self.0)
    }
    fn retired(&self, birth: Date, track: RetirementTrack) -> bool {
        retirement_date(birth, track) <= self.0
    }
}

/// Ages and durations the tables cover; policy files are refused beyond them (100 years,
/// 120 months), so a batch never leaves the tables.
const YEARS: usize = 151;
const MONTHS: usize = 121;

/// Precomputed latest start dates for one assessment date: ages 0–150 years, durations 0–120
/// months and the three retirement tracks. Costs some microseconds to build, so build it once
/// per date and share it across the batch.
#[derive(Debug, Clone)]
pub struct Cutoffs {
    on: Date,
    years: [u32; YEARS],
    months: [u32; MONTHS],
    retired: [u32; 3],
}

/// A packed date no real date is at or below: nobody has reached the period.
const NOBODY: u32 = 0;

fn cutoff(on: Date, end: impl Fn(Date) -> Date) -> u32 {
    latest_start_reaching(on, end).map_or(NOBODY, Date::packed)
}

impl Cutoffs {
    pub fn new(on: Date) -> Cutoffs {
        let months_cutoff = |m: u32| Date::latest_start_of_months(on, m).map_or(NOBODY, Date::packed);
        let years = std::array::from_fn(|n| months_cutoff(n as u32 * 12));
        let months = std::array::from_fn(|n| months_cutoff(n as u32));
        let retired = [RetirementTrack::Male, RetirementTrack::FemaleWorker, RetirementTrack::FemaleCadre]
            .map(|track| cutoff(on, |b| retirement_date(b, track)));
        Cutoffs { on, years, months, retired }
    }
}

/// Kept out of line so that the batch loop stays small enough to inline.
#[cold]
#[inline(never)]
fn beyond_the_tables(on: Date, start: Date, months: u32) -> bool {
    start.months_reached(months, on)
}

impl Clock for Cutoffs {
    fn on(&self) -> Date {
        self.on
    }
    #[inline]
    fn age_at_least(&self, birth: Date, years: u32) -> bool {
        match self.years.get(years as usize) {
            Some(&cut) => birth.packed() <= cut,
            None => beyond_the_tables(self.on, birth, years * 12),
        }
    }
    #[inline]
    fn months_reached(&self, start: Date, months: u32) -> bool {
        match self.months.get(months as usize) {
            Some(&cut) => start.packed() <= cut,
            None => beyond_the_tables(self.on, start, months),
        }
    }
    /// Without a branch: an unknown start compares as the latest possible date.
    #[inline]
    fn months_reached_since(&self, start: Option<Date>, months: u32) -> bool {
        match self.months.get(months as usize) {
            Some(&cut) => start.map_or(u32::MAX, Date::packed) <= cut,
            None => start.is_some_and(|s| beyond_the_tables(self.on, s, months)),
        }
    }
    #[inline]
    fn retired(&self, birth: Date, track: RetirementTrack) -> bool {
        birth.packed() <= self.retired[track as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date() -> impl Strategy<Value = Date> {
        (1900u32..2100, 1u32..=12, 1u32..=31)
            .prop_map(|(y, m, d)| Date::from_ymd(y, m, d.min(crate::calendar::days_in_month(y, m))).unwrap())
    }

    proptest! {
        /// The batch clock is only an optimisation: it must agree with the direct one everywhere.
        #[test]
        fn cutoffs_agree_with_direct_computation(on in date(), start in date(), n in 0u32..160) {
            let cut = Cutoffs::new(on);
            let direct = OnDate(on);
            prop_assert_eq!(cut.age_at_least(start, n), direct.age_at_least(start, n));
            prop_assert_eq!(cut.months_reached(start, n), direct.months_reached(start, n));
            for track in [RetirementTrack::Male, RetirementTrack::FemaleWorker, RetirementTrack::FemaleCadre] {
                prop_assert_eq!(cut.retired(start, track), direct.retired(start, track));
            }
        }
    }
}
