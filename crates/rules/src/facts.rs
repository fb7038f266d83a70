//! The facts about a person that the rules read, already validated.
//!
//! Compact and free of heap data (20 bytes), so a registry of millions fits in cache-friendly
//! arrays and the batch path never allocates per person.

use crate::calendar::Date;
use crate::retirement::RetirementTrack;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Sex {
    Female = 0,
    Male = 1,
}

/// Which statutory retirement age applies to a woman; ignored for men.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FemaleRetirementTrack {
    /// 50, rising to 55 (the contract's default).
    #[default]
    Worker,
    /// 55, rising to 58.
    Cadre,
}

/// A yes/no fact of the contract. The discriminant is its bit in [`FactSet`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Fact {
    HukouLocal,
    RuralToUrban,
    RegisteredUnemployed,
    AbleToWork,
    WillingToBeAssisted,
    Disabled,
    ZeroEmploymentFamily,
    MinimumLivingAllowance,
    LowIncomeFamily,
    SingleParentRaisingChildren,
    CollegeGraduate,
    HukouInProvince,
    WithoutWork,
    RuralHukou,
    FormerlyRegisteredPoorHousehold,
    LandlessFarmer,
    DrugRehabilitated,
    ReleasedPrisoner,
    MentalHealthRecovered,
    Veteran,
    CaregiverOfSeriouslyIllRelative,
}

/// The set of facts that hold; an absent fact is false.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FactSet(u32);

impl FactSet {
    /// The set as bits, for storage.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// A set from stored bits; bits of no fact are dropped.
    pub const fn from_bits(bits: u32) -> FactSet {
        FactSet(bits & ((1 << 21) - 1))
    }

    pub const fn has(self, fact: Fact) -> bool {
        self.0 & (1 << fact as u8) != 0
    }
    pub const fn with(self, fact: Fact) -> FactSet {
        FactSet(self.0 | 1 << fact as u8)
    }
    pub fn set(&mut self, fact: Fact, value: bool) {
        if value {
            self.0 |= 1 << fact as u8;
        } else {
            self.0 &= !(1 << fact as u8);
        }
    }
}

/// A hardship certificate held by a parent (第三条第（四）项).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ParentCertificate {
    /// 《广州市特困职工证》
    PoorWorker,
    /// 《广州市城镇居民最低生活保障金领取证》
    UrbanMinimumLiving,
    /// 《广州市农村村民最低生活保障金领取证》
    RuralMinimumLiving,
    /// 《广州市低收入困难家庭证》
    LowIncomeFamily,
}

impl ParentCertificate {
    pub const ALL: [ParentCertificate; 4] = [
        ParentCertificate::PoorWorker,
        ParentCertificate::UrbanMinimumLiving,
        ParentCertificate::RuralMinimumLiving,
        ParentCertificate::LowIncomeFamily,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            ParentCertificate::PoorWorker => "poor_worker",
            ParentCertificate::UrbanMinimumLiving => "urban_minimum_living",
            ParentCertificate::RuralMinimumLiving => "rural_minimum_living",
            ParentCertificate::LowIncomeFamily => "low_income_family",
        }
    }

    pub fn from_code(code: &str) -> Option<ParentCertificate> {
        ParentCertificate::ALL.into_iter().find(|c| c.code() == code)
    }

    pub const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// Everything the rules may read about one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Facts {
    pub birth_date: Date,
    pub sex: Sex,
    pub female_retirement_track: FemaleRetirementTrack,
    pub facts: FactSet,
    /// Bits of [`ParentCertificate::bit`].
    pub parent_certificates: u8,
    /// First day of the current continuous unemployment.
    pub unemployed_since: Option<Date>,
    /// Date of the most recent unemployment registration.
    pub unemployment_registered_on: Option<Date>,
}

impl Facts {
    /// A person with no yes/no fact set, born on `birth_date`: a starting point for builders.
    pub const fn born(birth_date: Date, sex: Sex) -> Facts {
        Facts {
            birth_date,
            sex,
            female_retirement_track: FemaleRetirementTrack::Worker,
            facts: FactSet(0),
            parent_certificates: 0,
            unemployed_since: None,
            unemployment_registered_on: None,
        }
    }

    pub const fn has(&self, fact: Fact) -> bool {
        self.facts.has(fact)
    }

    pub const fn with(mut self, fact: Fact) -> Facts {
        self.facts = self.facts.with(fact);
        self
    }

    /// Men: [`RetirementTrack::Male`]; women: the track of their post. Computed by arithmetic
    /// rather than a match, so the batch path has no branch on sex to mispredict.
    pub const fn retirement_track(&self) -> RetirementTrack {
        const TRACKS: [RetirementTrack; 3] =
            [RetirementTrack::Male, RetirementTrack::FemaleWorker, RetirementTrack::FemaleCadre];
        let female = matches!(self.sex, Sex::Female) as usize;
        let cadre = matches!(self.female_retirement_track, FemaleRetirementTrack::Cadre) as usize;
        TRACKS[female * (1 + cadre)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_stay_small_enough_for_the_batch_path() {
        assert_eq!(std::mem::size_of::<Facts>(), 20);
    }
}
