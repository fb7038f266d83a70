//! Reading a policy file, and refusing a malformed one with the file, the key and the problem.

use serde::Deserialize;
use toml::value::Datetime;

use super::{
    AgeThreshold, Category, Policy, Provenance, Recognition, RevocationReason, Rules, ServiceSpec, gd_2023_11,
    gz_2014_4,
};
use crate::calendar::Date;

/// A policy file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{problem}", if key.is_empty() { String::new() } else { format!("key `{key}`: ") })]
pub struct PolicyError {
    pub file: String,
    pub key: String,
    pub problem: String,
}

impl PolicyError {
    pub(crate) fn new(file: &str, key: &str, problem: String) -> PolicyError {
        PolicyError { file: file.to_owned(), key: key.to_owned(), problem }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    id: String,
    rulebook: String,
    document: String,
    title: String,
    title_en: String,
    issuer: String,
    valid_from: Datetime,
    valid_until: Option<Datetime>,
    provisional: bool,
    preconditions_citation: String,
    minimum_working_age: u32,
    revocation: RevocationFile,
    services: Vec<ServiceSpec>,
    ledger_citation: String,
    plan_citation: String,
    #[serde(default)]
    provenance: Vec<Provenance>,
    categories: Vec<CategoryFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevocationFile {
    unreachable_months: u32,
    unreachable_citation: String,
    reasons: Vec<RevocationReason>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CategoryFile {
    code: String,
    citation: String,
    recognition: Recognition,
    name: String,
    name_en: String,
    female_age: Option<u32>,
    male_age: Option<u32>,
    months: Option<u32>,
}

/// A parameter a rule of a rulebook reads from its category's entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Param {
    FemaleAge,
    MaleAge,
    Months,
}

impl Param {
    fn key(self) -> &'static str {
        match self {
            Param::FemaleAge => "female_age",
            Param::MaleAge => "male_age",
            Param::Months => "months",
        }
    }
}

/// What a rulebook expects of each category entry, in article order.
#[derive(Debug)]
pub(super) struct CategorySpec {
    pub code: &'static str,
    pub params: &'static [Param],
}

/// The validated categories of a file, from which a rulebook reads its parameters.
pub(super) struct Entries<'a>(&'a [CategoryFile]);

impl Entries<'_> {
    fn get(&self, code: &str, param: Param) -> u32 {
        let entry = self.0.iter().find(|c| c.code == code).expect("validated against the rulebook");
        let value = match param {
            Param::FemaleAge => entry.female_age,
            Param::MaleAge => entry.male_age,
            Param::Months => entry.months,
        };
        value.expect("validated against the rulebook")
    }

    pub fn ages(&self, code: &str) -> AgeThreshold {
        AgeThreshold { female: self.get(code, Param::FemaleAge), male: self.get(code, Param::MaleAge) }
    }

    pub fn months(&self, code: &str) -> u32 {
        self.get(code, Param::Months)
    }
}

const RULEBOOKS: [&str; 2] = ["gz-2014-4", "gd-2023-11"];

pub(super) fn load(name: &str, text: &str) -> Result<Policy, PolicyError> {
    let raw: PolicyFile = toml::from_str(text).map_err(|e| syntax_error(name, text, &e))?;
    let err = |key: &str, problem: String| PolicyError::new(name, key, problem);
    let (specs, unmet_codes): (&[CategorySpec], &[&str]) = match raw.rulebook.as_str() {
        "gz-2014-4" => (gz_2014_4::CATEGORIES, gz_2014_4::UNMET),
        "gd-2023-11" => (gd_2023_11::CATEGORIES, gd_2023_11::UNMET),
        other => {
            return Err(err("rulebook", format!("unknown rulebook `{other}`; known: {}", RULEBOOKS.join(", "))));
        }
    };
    debug_assert!(specs.len() <= 16 && unmet_codes.len() <= 8, "outcome masks are u16 and u8");
    let valid_from =
        date(&raw.valid_from).ok_or_else(|| err("valid_from", "must be a date such as 2014-01-20".into()))?;
    let valid_until = match &raw.valid_until {
        None => None,
        Some(v) => Some(date(v).ok_or_else(|| err("valid_until", "must be a date such as 2019-01-19".into()))?),
    };
    if valid_until.is_some_and(|end| end < valid_from) {
        return Err(err("valid_until", "is before valid_from".into()));
    }
    if raw.id.trim().is_empty() {
        return Err(err("id", "must not be empty".into()));
    }
    if !(1..=30).contains(&raw.minimum_working_age) {
        return Err(err("minimum_working_age", format!("{} is not a plausible age", raw.minimum_working_age)));
    }
    if raw.revocation.unreachable_months == 0 {
        return Err(err("revocation.unreachable_months", "must be at least 1".into()));
    }
    if raw.provisional && raw.provenance.is_empty() {
        return Err(err("provenance", "a provisional policy must name the source of its items".into()));
    }
    for (i, p) in raw.provenance.iter().enumerate() {
        if !["V", "P", "U"].contains(&p.confidence.as_str()) {
            return Err(err(&format!("provenance[{i}].confidence"), "must be V, P or U".into()));
        }
    }
    check_categories(&raw.categories, specs).map_err(|(key, problem)| err(&key, problem))?;
    let entries = Entries(&raw.categories);
    let rules = match raw.rulebook.as_str() {
        "gz-2014-4" => Rules::Gz2014(gz_2014_4::Params::from_entries(&entries)),
        _ => Rules::Gd2023(gd_2023_11::Params::from_entries(&entries)),
    };
    let categories = specs
        .iter()
        .zip(raw.categories)
        .map(|(spec, c)| Category {
            code: spec.code,
            citation: c.citation,
            recognition: c.recognition,
            name: c.name,
            name_en: c.name_en,
        })
        .collect();
    Ok(Policy {
        id: raw.id,
        document: raw.document,
        title: raw.title,
        title_en: raw.title_en,
        issuer: raw.issuer,
        valid_from,
        valid_until,
        provisional: raw.provisional,
        preconditions_citation: raw.preconditions_citation,
        minimum_working_age: raw.minimum_working_age,
        unreachable_months: raw.revocation.unreachable_months,
        unreachable_citation: raw.revocation.unreachable_citation,
        revocation_reasons: raw.revocation.reasons,
        services: raw.services,
        ledger_citation: raw.ledger_citation,
        plan_citation: raw.plan_citation,
        provenance: raw.provenance,
        joined: super::JoinedCodes::new(specs.iter().map(|s| s.code), unmet_codes),
        categories,
        rules,
    })
}

fn check_categories(files: &[CategoryFile], specs: &[CategorySpec]) -> Result<(), (String, String)> {
    for (i, spec) in specs.iter().enumerate() {
        let Some(c) = files.get(i) else {
            return Err(("categories".into(), format!("category `{}` is missing (entry {i})", spec.code)));
        };
        if c.code != spec.code {
            return Err((
                format!("categories[{i}].code"),
                format!("expected `{}` here (the rulebook's article order), found `{}`", spec.code, c.code),
            ));
        }
        if c.citation.trim().is_empty() {
            return Err((format!("categories[{i}].citation"), "must cite an article".into()));
        }
        for param in [Param::FemaleAge, Param::MaleAge, Param::Months] {
            let value = match param {
                Param::FemaleAge => c.female_age,
                Param::MaleAge => c.male_age,
                Param::Months => c.months,
            };
            let key = format!("categories[{i}].{}", param.key());
            match (spec.params.contains(&param), value) {
                (true, None) => return Err((key, format!("category `{}` needs it", spec.code))),
                (false, Some(_)) => {
                    return Err((key, format!("category `{}` does not use it", spec.code)));
                }
                (true, Some(v)) if param != Param::Months && !(1..=100).contains(&v) => {
                    return Err((key, format!("{v} is not a plausible age")));
                }
                (true, Some(v)) if param == Param::Months && !(1..=120).contains(&v) => {
                    return Err((key, format!("{v} months is not a plausible duration")));
                }
                _ => {}
            }
        }
    }
    if files.len() > specs.len() {
        let extra = &files[specs.len()];
        return Err((
            format!("categories[{}].code", specs.len()),
            format!("the rulebook has no category `{}`", extra.code),
        ));
    }
    Ok(())
}

fn date(value: &Datetime) -> Option<Date> {
    match (value.date, value.time, value.offset) {
        (Some(d), None, None) => Date::from_ymd(u32::from(d.year), u32::from(d.month), u32::from(d.day)),
        _ => None,
    }
}

/// A parse or type error, with the line of the file it concerns (which shows the key).
fn syntax_error(name: &str, text: &str, e: &toml::de::Error) -> PolicyError {
    let (key, line) = match e.span() {
        Some(span) => {
            let line_no = text[..span.start.min(text.len())].matches('\n').count() + 1;
            let line_text = text.lines().nth(line_no - 1).unwrap_or("").trim();
            let key = line_text.split('=').next().unwrap_or("").trim().trim_matches(['[', ']']).to_owned();
            (key, format!("line {line_no}: "))
        }
        None => (String::new(), String::new()),
    };
    PolicyError::new(name, &key, format!("{line}{}", e.message().trim()))
}

#[cfg(test)]
mod tests {
    use super::super::EMBEDDED;
    use super::*;

    fn gz() -> &'static str {
        EMBEDDED[0].1
    }

    fn refused(text: &str) -> String {
        load("bad.toml", text).unwrap_err().to_string()
    }

    #[test]
    fn shipped_files_load() {
        for (name, text) in EMBEDDED {
            load(name, text).unwrap();
        }
    }

    #[test]
    fn an_unknown_key_is_refused_with_file_and_key() {
        let msg = refused(&gz().replace("provisional = false", "provisional = false\nprovisonal = true"));
        assert!(msg.starts_with("bad.toml: key `provisonal`"), "{msg}");
    }

    #[test]
    fn a_wrong_type_is_refused_naming_the_key() {
        let msg = refused(&gz().replace("minimum_working_age = 16", "minimum_working_age = \"16\""));
        assert!(msg.contains("minimum_working_age"), "{msg}");
    }

    #[test]
    fn a_missing_threshold_is_refused_naming_the_category() {
        let msg = refused(&gz().replacen("female_age = 35\n", "", 1));
        assert!(msg.contains("categories[0].female_age"), "{msg}");
    }

    #[test]
    fn categories_out_of_article_order_are_refused() {
        let msg = refused(&gz().replacen("code = \"older_unemployed\"", "code = \"disabled_unemployed\"", 1));
        assert!(msg.contains("categories[0].code"), "{msg}");
    }

    #[test]
    fn an_unknown_rulebook_is_refused() {
        let msg = refused(&gz().replace("rulebook = \"gz-2014-4\"", "rulebook = \"sz-2020\""));
        assert!(msg.contains("key `rulebook`") && msg.contains("sz-2020"), "{msg}");
    }

    #[test]
    fn an_end_before_the_start_is_refused() {
        let msg = refused(&gz().replace("valid_until = 2019-01-19", "valid_until = 2013-01-19"));
        assert!(msg.contains("valid_until"), "{msg}");
    }

    #[test]
    fn a_revised_threshold_is_taken_from_the_file() {
        let p = load("x.toml", &gz().replacen("male_age = 40", "male_age = 42", 1)).unwrap();
        let Rules::Gz2014(params) = p.rules else { panic!() };
        assert_eq!(params.older_unemployed.male, 42);
    }
}
