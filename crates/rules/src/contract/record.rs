//! From the values of one input record to validated [`Facts`], with the contract's precise
//! order of errors (precise point 1): unknown_field, invalid as_of, no_policy_in_force,
//! missing_field, invalid_field, invalid_id_number, id_number_mismatch.

use super::error::{ErrorCode, Problem, RecordError};
use super::fields::{COUNT, Field, Kind};
use crate::calendar::Date;
use crate::facts::{FactSet, Facts, FemaleRetirementTrack, ParentCertificate, Sex};
use crate::id_number::IdNumber;
use crate::policy::{Policy, PolicySet, Rules};

/// One value as it arrived: a CSV cell (all text) or a JSON value (typed).
#[derive(Debug, Clone, Copy)]
pub enum Raw<'a> {
    Cell(&'a str),
    Json(&'a serde_json::Value),
}

/// The values of one record, by field; `None` is absent (also a JSON `null` or an empty cell).
#[derive(Debug, Clone, Copy)]
pub struct RawRecord<'a> {
    pub values: [Option<Raw<'a>>; COUNT],
    /// The first field no policy knows, if any.
    pub unknown: Option<&'a str>,
}

impl Default for RawRecord<'_> {
    fn default() -> Self {
        RawRecord { values: [None; COUNT], unknown: None }
    }
}

impl<'a> RawRecord<'a> {
    pub fn get(&self, field: Field) -> Option<Raw<'a>> {
        self.values[field as usize]
    }
    fn has(&self, field: Field) -> bool {
        self.values[field as usize].is_some()
    }
}

/// What a record is assessed against when it does not say.
#[derive(Debug, Clone, Copy)]
pub struct Context<'p> {
    pub policies: &'p PolicySet,
    /// `--policy ID`: every record under this policy, also outside its validity (a what-if).
    pub forced: Option<&'p Policy>,
    /// `--on`, else today: the date of records without `as_of`.
    pub default_date: Date,
}

/// A record ready for the rules.
#[derive(Debug, Clone, Copy)]
pub struct Valid<'p> {
    pub as_of: Date,
    pub policy: &'p Policy,
    pub in_force: bool,
    pub facts: Facts,
}

/// Fields each rulebook requires besides identity, in table order. Under gd-2023-11 the hukou
/// requirement is met by either hukou field and is named `hukou_in_province` (precise point 5).
pub fn required(policy: &Policy) -> &'static [Field] {
    match policy.rules {
        Rules::Gz2014(_) => {
            &[Field::HukouLocal, Field::RegisteredUnemployed, Field::AbleToWork, Field::WillingToBeAssisted]
        }
        Rules::Gd2023(_) => {
            &[Field::AbleToWork, Field::WillingToBeAssisted, Field::HukouInProvince, Field::WithoutWork]
        }
    }
}

/// The fields each rulebook reads besides identity, in table order: what a registration under it
/// has to ask (`unemployment_registered_on` is the registration's own date, not a question).
pub fn read_by(policy: &Policy) -> &'static [Field] {
    use Field::*;
    match policy.rules {
        Rules::Gz2014(_) => &[
            FemaleRetirementTrack,
            HukouLocal,
            RuralToUrban,
            RegisteredUnemployed,
            UnemployedSince,
            AbleToWork,
            WillingToBeAssisted,
            Disabled,
            ZeroEmploymentFamily,
            MinimumLivingAllowance,
            LowIncomeFamily,
            SingleParentRaisingChildren,
            CollegeGraduate,
            ParentCertificates,
        ],
        Rules::Gd2023(_) => &[
            FemaleRetirementTrack,
            HukouLocal,
            AbleToWork,
            WillingToBeAssisted,
            Disabled,
            ZeroEmploymentFamily,
            MinimumLivingAllowance,
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
        ],
    }
}

pub fn validate<'p>(raw: &RawRecord<'_>, ctx: &Context<'p>) -> Result<Valid<'p>, RecordError> {
    if let Some(name) = raw.unknown {
        return Err(RecordError::unknown(name));
    }
    let as_of = match raw.get(Field::AsOf) {
        Some(v) => date(v).map_err(|p| RecordError::new(ErrorCode::InvalidField, Field::AsOf, p))?,
        None => ctx.default_date,
    };
    let (policy, in_force) = match ctx.forced {
        Some(p) => (p, p.in_force_on(as_of)),
        None => match ctx.policies.in_force_on(as_of) {
            Some(p) => (p, true),
            None => {
                return Err(RecordError::new(ErrorCode::NoPolicyInForce, Field::AsOf, Problem::NoPolicy(as_of)));
            }
        },
    };
    if let Some(field) = missing(|f| raw.has(f), policy) {
        return Err(RecordError::new(ErrorCode::MissingField, field, Problem::Missing));
    }
    let facts = checked_facts(raw, as_of)?;
    Ok(Valid { as_of, policy, in_force, facts })
}

/// The facts of a record, checked as the contract checks them but without choosing a policy:
/// for registries that store facts and assess them later, on other dates, under other policies.
/// Identity (an ID number, or birth date and sex) is required; nothing else is.
pub fn facts_of(raw: &RawRecord<'_>, as_of: Date) -> Result<Facts, RecordError> {
    if let Some(field) = missing_identity(|f| raw.has(f)) {
        return Err(RecordError::new(ErrorCode::MissingField, field, Problem::Missing));
    }
    checked_facts(raw, as_of)
}

/// Every field's value, the ID number, and agreement between them (the contract's order from
/// invalid_field on).
fn checked_facts(raw: &RawRecord<'_>, as_of: Date) -> Result<Facts, RecordError> {
    let parsed = parse_fields(raw, as_of)?;
    let id = match parsed.id_number {
        None => None,
        Some(text) => {
            let id = IdNumber::parse(text)
                .map_err(|e| RecordError::new(ErrorCode::InvalidIdNumber, Field::IdNumber, Problem::IdNumber(e)))?;
            if id.birth_date() > as_of {
                let p = Problem::IdBirthAfterAsOf(as_of);
                return Err(RecordError::new(ErrorCode::InvalidIdNumber, Field::IdNumber, p));
            }
            Some(id)
        }
    };
    let (birth_date, sex) = match id {
        Some(id) => {
            let mismatch = |field, from_id: String| {
                RecordError::new(ErrorCode::IdNumberMismatch, field, Problem::Disagrees { from_id })
            };
            if parsed.birth_date.is_some_and(|b| b != id.birth_date()) {
                return Err(mismatch(Field::BirthDate, id.birth_date().to_string()));
            }
            if parsed.sex.is_some_and(|s| s != id.sex()) {
                return Err(mismatch(Field::Sex, sex_code(id.sex()).to_owned()));
            }
            (id.birth_date(), id.sex())
        }
        None => match (parsed.birth_date, parsed.sex) {
            (Some(b), Some(s)) => (b, s),
            _ => unreachable!("identity was checked by missing()"),
        },
    };
    Ok(Facts {
        birth_date,
        sex,
        female_retirement_track: parsed.track.unwrap_or_default(),
        facts: parsed.facts,
        parent_certificates: parsed.certificates,
        unemployed_since: parsed.unemployed_since,
        unemployment_registered_on: parsed.registered_on,
    })
}

/// An absent identity: the ID number, or the one of birth date and sex that is missing.
fn missing_identity(has: impl Fn(Field) -> bool) -> Option<Field> {
    if has(Field::IdNumber) {
        return None;
    }
    match (has(Field::BirthDate), has(Field::Sex)) {
        (false, false) => Some(Field::IdNumber),
        (true, false) => Some(Field::Sex),
        (false, true) => Some(Field::BirthDate),
        (true, true) => None,
    }
}

/// The first required field that is absent, in table order (precise point 5 for identity).
pub(super) fn missing(has: impl Fn(Field) -> bool, policy: &Policy) -> Option<Field> {
    if let Some(field) = missing_identity(&has) {
        return Some(field);
    }
    required(policy).iter().copied().find(|&f| match f {
        Field::HukouInProvince => !has(Field::HukouLocal) && !has(Field::HukouInProvince),
        f => !has(f),
    })
}

#[derive(Default)]
struct Parsed<'a> {
    id_number: Option<&'a str>,
    birth_date: Option<Date>,
    sex: Option<Sex>,
    track: Option<FemaleRetirementTrack>,
    facts: FactSet,
    certificates: u8,
    unemployed_since: Option<Date>,
    registered_on: Option<Date>,
}

/// Checks every present field in table order (precise point 3: also those the policy ignores).
fn parse_fields<'a>(raw: &RawRecord<'a>, as_of: Date) -> Result<Parsed<'a>, RecordError> {
    let mut out = Parsed::default();
    for (i, value) in raw.values.iter().enumerate() {
        let Some(value) = *value else { continue };
        let field = Field::ALL[i];
        let invalid = |p| RecordError::new(ErrorCode::InvalidField, field, p);
        match field.kind() {
            Kind::Bool => {
                let b = boolean(value).map_err(invalid)?;
                out.facts.set(field.fact().expect("every boolean field is a fact"), b);
            }
            Kind::Date => {
                let d = date(value).map_err(invalid)?;
                if field != Field::AsOf && d > as_of {
                    return Err(invalid(Problem::AfterAsOf(as_of)));
                }
                match field {
                    Field::BirthDate => out.birth_date = Some(d),
                    Field::UnemployedSince => out.unemployed_since = Some(d),
                    Field::UnemploymentRegisteredOn => out.registered_on = Some(d),
                    _ => {}
                }
            }
            Kind::Text => {
                let s = text(value).ok_or_else(|| invalid(Problem::WrongType(Kind::Text)))?;
                if field == Field::IdNumber {
                    out.id_number = Some(s);
                }
            }
            Kind::Sex => {
                out.sex = Some(match one_of(value, Kind::Sex, &["female", "male"]).map_err(invalid)? {
                    0 => Sex::Female,
                    _ => Sex::Male,
                });
            }
            Kind::Track => {
                out.track = Some(match one_of(value, Kind::Track, &["worker", "cadre"]).map_err(invalid)? {
                    0 => FemaleRetirementTrack::Worker,
                    _ => FemaleRetirementTrack::Cadre,
                });
            }
            Kind::Certificates => out.certificates = certificates(value).map_err(invalid)?,
        }
    }
    Ok(out)
}

fn text(value: Raw<'_>) -> Option<&str> {
    match value {
        Raw::Cell(s) => Some(s),
        Raw::Json(v) => v.as_str(),
    }
}

fn date(value: Raw<'_>) -> Result<Date, Problem> {
    let s = text(value).ok_or(Problem::WrongType(Kind::Date))?;
    Date::parse(s).map_err(Problem::Date)
}

/// JSON booleans are typed; CSV cells are `true`/`false` in any letter case (precise point 7).
fn boolean(value: Raw<'_>) -> Result<bool, Problem> {
    match value {
        Raw::Json(serde_json::Value::Bool(b)) => Ok(*b),
        Raw::Cell(s) => cell_bool(s).ok_or(Problem::WrongType(Kind::Bool)),
        Raw::Json(_) => Err(Problem::WrongType(Kind::Bool)),
    }
}

/// A CSV boolean: `true`/`false` in any letter case.
#[inline]
pub(super) fn cell_bool(s: &str) -> Option<bool> {
    match s {
        "true" => Some(true),
        "false" => Some(false),
        s if s.eq_ignore_ascii_case("true") => Some(true),
        s if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn one_of(value: Raw<'_>, kind: Kind, allowed: &'static [&'static str]) -> Result<usize, Problem> {
    let s = text(value).ok_or(Problem::WrongType(kind))?;
    allowed.iter().position(|a| *a == s).ok_or(Problem::NotOneOf(allowed))
}

const CERTIFICATE_CODES: &[&str] =
    &["poor_worker", "urban_minimum_living", "rural_minimum_living", "low_income_family"];

pub(super) fn certificate(name: &str) -> Result<u8, Problem> {
    match name {
        "" => Err(Problem::EmptyCertificate),
        _ => ParentCertificate::from_code(name).map(ParentCertificate::bit).ok_or(Problem::NotOneOf(CERTIFICATE_CODES)),
    }
}

/// A JSON array of names, or a CSV cell of names separated by `;`.
fn certificates(value: Raw<'_>) -> Result<u8, Problem> {
    match value {
        Raw::Cell(s) => s.split(';').try_fold(0, |acc, name| Ok(acc | certificate(name)?)),
        Raw::Json(serde_json::Value::Array(items)) => items.iter().try_fold(0, |acc, item| {
            let name = item.as_str().ok_or(Problem::WrongType(Kind::Certificates))?;
            Ok(acc | certificate(name)?)
        }),
        Raw::Json(_) => Err(Problem::WrongType(Kind::Certificates)),
    }
}

pub(crate) const fn sex_code(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "female",
        Sex::Male => "male",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registration_asks_every_field_its_policy_requires() {
        for policy in PolicySet::embedded().policies() {
            for field in required(policy) {
                assert!(read_by(policy).contains(field), "{} requires {field:?}", policy.id);
            }
            assert!(!read_by(policy).contains(&Field::UnemploymentRegisteredOn));
        }
    }
}
