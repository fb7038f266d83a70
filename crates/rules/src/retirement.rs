//! Statutory retirement age (法定退休年龄) and the 2025 schedule.
//!
//! 全国人民代表大会常务委员会《关于实施渐进式延迟法定退休年龄的决定》 (2024-09-13, in force
//! 2025-01-01) and its annex, 国务院《关于渐进式延迟法定退休年龄的办法》: men 60→63 and women on the
//! 55 track 55→58 by one month per four birth months; women on the 50 track 50→55 by one month per
//! two birth months. It applies whatever employment policy is in force, so it is law in code here,
//! not a policy parameter.

use crate::calendar::Date;

/// Which statutory retirement age applies. A woman's track depends on her post (notes §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum RetirementTrack {
    /// Men: originally 60.
    Male,
    /// Women on worker posts: originally 50.
    FemaleWorker,
    /// Women on cadre (management or technical) posts: originally 55.
    FemaleCadre,
}

/// One track's schedule: original age A, first affected birth month S, one more month of delay per
/// `step` birth months, at most `max_delay` months (notes §2.3).
struct Schedule {
    original_age: u32,
    first_affected: (u32, u32),
    step: u32,
    max_delay: u32,
}

const fn schedule(track: RetirementTrack) -> Schedule {
    match track {
        RetirementTrack::Male => Schedule { original_age: 60, first_affected: (1965, 1), step: 4, max_delay: 36 },
        RetirementTrack::FemaleCadre => {
            Schedule { original_age: 55, first_affected: (1970, 1), step: 4, max_delay: 36 }
        }
        RetirementTrack::FemaleWorker => {
            Schedule { original_age: 50, first_affected: (1975, 1), step: 2, max_delay: 60 }
        }
    }
}

/// A statutory retirement age: whole years plus months of delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetirementAge {
    pub years: u32,
    pub delay_months: u32,
}

impl RetirementAge {
    pub const fn total_months(self) -> u32 {
        self.years * 12 + self.delay_months
    }
}

/// The statutory retirement age of a person born in `birth`'s month on `track`.
/// Only the birth year and month matter, never the day.
pub const fn retirement_age(birth: Date, track: RetirementTrack) -> RetirementAge {
    let s = schedule(track);
    let b = birth.year() * 12 + birth.month() - 1;
    let first = s.first_affected.0 * 12 + s.first_affected.1 - 1;
    let delay = if b < first {
        0
    } else {
        let d = (b - first) / s.step + 1;
        if d > s.max_delay { s.max_delay } else { d }
    };
    RetirementAge { years: s.original_age, delay_months: delay }
}

/// The statutory retirement date: one period of (12·A + delay) months from the birth date, by the
/// period rule. A person is above working age on and after this date.
pub const fn retirement_date(birth: Date, track: RetirementTrack) -> Date {
    birth.add_months(retirement_age(birth, track).total_months())
}

#[cfg(test)]
mod tests {
    use super::RetirementTrack::*;
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    /// Every test vector of notes §2.3: (track, birth month, years, months, retirement month).
    #[test]
    fn notes_test_vectors() {
        let vectors = [
            (Male, "1965-01", 60, 1, "2025-02"),
            (Male, "1965-04", 60, 1, "2025-05"),
            (Male, "1965-05", 60, 2, "2025-07"),
            (Male, "1966-01", 60, 4, "2026-05"),
            (Male, "1976-09", 63, 0, "2039-09"),
            (Male, "1964-12", 60, 0, "2024-12"),
            (FemaleCadre, "1970-01", 55, 1, "2025-02"),
            (FemaleCadre, "1971-04", 55, 4, "2026-08"),
            (FemaleWorker, "1975-01", 50, 1, "2025-02"),
            (FemaleWorker, "1975-03", 50, 2, "2025-05"),
            (FemaleWorker, "1984-11", 55, 0, "2039-11"),
            (FemaleWorker, "1985-01", 55, 0, "2040-01"),
        ];
        for (track, month, years, months, retires) in vectors {
            let birth = d(&format!("{month}-15"));
            let age = retirement_age(birth, track);
            let total = years * 12 + months;
            assert_eq!(age.total_months(), total, "{track:?} born {month}");
            let date = retirement_date(birth, track);
            assert_eq!(format!("{:04}-{:02}", date.year(), date.month()), retires, "{track:?} born {month}");
        }
    }

    #[test]
    fn contract_example_leap_day_worker_retires_on_29_september() {
        // Delay 7 months: 50 years + 7 months from 1976-02-29.
        let birth = d("1976-02-29");
        assert_eq!(retirement_age(birth, FemaleWorker).delay_months, 7);
        assert_eq!(retirement_date(birth, FemaleWorker), d("2026-09-29"));
    }

    #[test]
    fn before_the_first_affected_month_the_birthday_rule_applies() {
        assert_eq!(retirement_date(d("1964-12-31"), Male), d("2024-12-31"));
        assert_eq!(retirement_date(d("1969-12-10"), FemaleCadre), d("2024-12-10"));
        assert_eq!(retirement_date(d("1974-02-28"), FemaleWorker), d("2024-02-28"));
    }

    #[test]
    fn the_day_within_the_birth_month_does_not_change_the_delay() {
        for day in ["1965-05-01", "1965-05-31"] {
            assert_eq!(retirement_age(d(day), Male).delay_months, 2);
        }
    }
}
