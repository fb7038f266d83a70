//! Policy versions: parameters and citations as data (`policies/*.toml`), rules as code.
//!
//! Each policy file names the rulebook (one module of this crate per policy text) that evaluates
//! it. The file supplies the validity window, the thresholds, the citations and the recognition
//! route of each category; the rulebook supplies the logic and the fixed contract codes. A city
//! that revises only parameters ships a new file, not a new build.

mod file;
pub mod gd_2023_11;
pub mod gz_2014_4;

use crate::calendar::Date;
use crate::clock::{Clock, OnDate};
use crate::explain::{self, Reason};
use crate::facts::{Facts, Sex};
use crate::lang::Lang;

pub use file::PolicyError;

/// How a category is recognised once its facts hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recognition {
    /// At unemployment registration, without an application (穗人社发〔2014〕4号 第四条).
    Automatic,
    /// On application at the street office, with documents (第五条).
    Application,
}

impl Recognition {
    pub const fn code(self) -> &'static str {
        match self {
            Recognition::Automatic => "automatic",
            Recognition::Application => "application",
        }
    }
}

/// A category as a policy file describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// The contract's stable code.
    pub code: &'static str,
    pub citation: String,
    pub recognition: Recognition,
    pub name: String,
    pub name_en: String,
}

/// A reason for which recognised status ends, as the policy lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevocationReason {
    pub code: String,
    pub citation: String,
    pub name: String,
    pub name_en: String,
}

/// An assistance service the policy promises (第七至十六条 of gz-2014-4): the article a service
/// record of this kind delivers, and its name. The kinds' codes are the domain's
/// (`yuanzhu_domain::assistance::ServiceKind`); a test there holds every policy file to them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    pub code: String,
    pub citation: String,
    pub name: String,
    pub name_en: String,
}

/// Where one item of a provisional policy comes from, and how sure we are of it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    pub item: String,
    /// `V` read in an official text, `P` partly verified, `U` unverified (notes' tags).
    pub confidence: String,
    pub source: String,
}

/// An age threshold that differs by sex (女满N周岁、男满M周岁).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeThreshold {
    pub female: u32,
    pub male: u32,
}

impl AgeThreshold {
    /// Indexed rather than matched: no branch on sex in the batch loop.
    pub const fn for_sex(self, sex: Sex) -> u32 {
        [self.female, self.male][sex as usize]
    }
}

/// The typed parameters of the rulebook that evaluates a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rules {
    Gz2014(gz_2014_4::Params),
    Gd2023(gd_2023_11::Params),
}

/// The result of the rules for one person: which categories match and which conditions fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Outcome {
    /// Bit i set: the policy's category i matches. Zero whenever a precondition fails.
    pub categories: u16,
    /// Bit i set: the rulebook's unmet code i applies; the last code is `no_category`.
    pub unmet: u8,
}

impl Outcome {
    pub const fn eligible(self) -> bool {
        self.unmet == 0
    }

    /// Puts preconditions and categories together as the contract says: categories only when
    /// every precondition holds, and `no_category` (bit `no_category_bit`) when none matches.
    pub const fn combine(failed_preconditions: u8, matched: u16, no_category_bit: u8) -> Outcome {
        if failed_preconditions != 0 {
            Outcome { categories: 0, unmet: failed_preconditions }
        } else if matched == 0 {
            Outcome { categories: 0, unmet: 1 << no_category_bit }
        } else {
            Outcome { categories: matched, unmet: 0 }
        }
    }
}

/// One version of the eligibility policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub id: String,
    /// The document number, e.g. 穗人社发〔2014〕4号.
    pub document: String,
    pub title: String,
    pub title_en: String,
    pub issuer: String,
    pub valid_from: Date,
    /// Last day in force (included); `None` while it has no end.
    pub valid_until: Option<Date>,
    /// Read partly from secondary copies: results carry `"provisional": true`.
    pub provisional: bool,
    pub preconditions_citation: String,
    pub minimum_working_age: u32,
    /// Months without contact after which revocation is proposed (第六条第（五）项 under gz-2014-4).
    pub unreachable_months: u32,
    pub unreachable_citation: String,
    pub revocation_reasons: Vec<RevocationReason>,
    /// The assistance services and the articles they deliver.
    pub services: Vec<ServiceSpec>,
    /// The article that keeps the ledger and follows placements up (第十九条 under gz-2014-4):
    /// what a placement in the ledger cites.
    pub ledger_citation: String,
    /// The article that asks for an assistance plan for each person (第十二条第（一）项 under
    /// gz-2014-4: "制定有针对性的援助计划").
    pub plan_citation: String,
    pub provenance: Vec<Provenance>,
    pub categories: Vec<Category>,
    pub rules: Rules,
    joined: JoinedCodes,
}

/// Every list of codes an outcome can produce, joined by `;` once at load, so that writing a
/// CSV row is a table lookup (2^12 lists at most).
#[derive(Debug, Clone, PartialEq, Eq)]
struct JoinedCodes {
    categories: Vec<String>,
    unmet: Vec<String>,
}

impl JoinedCodes {
    fn new<'a>(categories: impl Iterator<Item = &'a str> + Clone, unmet: &[&str]) -> JoinedCodes {
        fn all(codes: &[&str]) -> Vec<String> {
            (0..1usize << codes.len())
                .map(|mask| {
                    let picked: Vec<&str> =
                        codes.iter().enumerate().filter(|(i, _)| mask >> i & 1 == 1).map(|(_, c)| *c).collect();
                    picked.join(";")
                })
                .collect()
        }
        let categories: Vec<&str> = categories.collect();
        JoinedCodes { categories: all(&categories), unmet: all(unmet) }
    }
}

impl Policy {
    pub fn in_force_on(&self, date: Date) -> bool {
        self.valid_from <= date && self.valid_until.is_none_or(|end| date <= end)
    }

    /// The contract's unmet codes of this policy's rulebook, in order; the last is `no_category`.
    pub fn unmet_codes(&self) -> &'static [&'static str] {
        match self.rules {
            Rules::Gz2014(_) => gz_2014_4::UNMET,
            Rules::Gd2023(_) => gd_2023_11::UNMET,
        }
    }

    /// Evaluates the rules on the clock's date. No allocation: this is the batch path's kernel.
    #[inline]
    pub fn evaluate<C: Clock>(&self, facts: &Facts, clock: &C) -> Outcome {
        match &self.rules {
            Rules::Gz2014(p) => gz_2014_4::evaluate(p, self.minimum_working_age, facts, clock),
            Rules::Gd2023(p) => gd_2023_11::evaluate(p, self.minimum_working_age, facts, clock),
        }
    }

    /// Evaluates one person on one date.
    pub fn assess(&self, facts: &Facts, on: Date) -> Outcome {
        self.evaluate(facts, &OnDate(on))
    }

    /// One reason per matched category and per unmet code, with its citation.
    pub fn explain(&self, facts: &Facts, on: Date, outcome: Outcome, lang: Lang) -> Vec<Reason> {
        let mut reasons = Vec::with_capacity(4);
        for (i, category) in self.categories.iter().enumerate() {
            if outcome.categories & (1 << i) != 0 {
                let because = match &self.rules {
                    Rules::Gz2014(p) => gz_2014_4::because(p, category.code, facts, on, lang),
                    Rules::Gd2023(p) => gd_2023_11::because(p, category.code, facts, on, lang),
                };
                reasons.push(Reason { code: category.code, citation: category.citation.clone(), because });
            }
        }
        for (i, code) in self.unmet_codes().iter().enumerate() {
            if outcome.unmet & (1 << i) != 0 {
                let because = explain::unmet(code, self.minimum_working_age, facts, on, lang);
                reasons.push(Reason { code, citation: self.preconditions_citation.clone(), because });
            }
        }
        reasons
    }

    /// Why the rules do not grant category `code` on `on`: each failed precondition, or, the
    /// preconditions holding, what the category's own article asks that the facts lack. Empty
    /// when the category is granted or the policy has no such category.
    pub fn unmet_for(&self, code: &str, facts: &Facts, on: Date, lang: Lang) -> Vec<Reason> {
        let Some((i, category)) = self.categories.iter().enumerate().find(|(_, c)| c.code == code) else {
            return Vec::new();
        };
        let outcome = self.assess(facts, on);
        if outcome.categories & (1 << i) != 0 {
            return Vec::new();
        }
        let no_category = 1u8 << (self.unmet_codes().len() - 1);
        let failed = outcome.unmet & !no_category;
        if failed != 0 {
            return self.explain(facts, on, Outcome { categories: 0, unmet: failed }, lang);
        }
        let clock = OnDate(on);
        let because = match &self.rules {
            Rules::Gz2014(p) => gz_2014_4::why_not(p, code, facts, on, &clock, lang),
            Rules::Gd2023(p) => gd_2023_11::why_not(p, code, facts, on, lang),
        };
        vec![Reason { code: category.code, citation: category.citation.clone(), because }]
    }

    /// The categories of `mask` joined by `;` (the CSV output's form).
    pub fn joined_categories(&self, mask: u16) -> &str {
        &self.joined.categories[usize::from(mask)]
    }

    /// The unmet codes of `mask` joined by `;`.
    pub fn joined_unmet(&self, mask: u8) -> &str {
        &self.joined.unmet[usize::from(mask)]
    }

    /// The codes of the categories set in `mask`, in article order.
    pub fn category_codes(&self, mask: u16) -> impl Iterator<Item = &'static str> + '_ {
        self.categories.iter().enumerate().filter(move |(i, _)| mask & (1 << i) != 0).map(|(_, c)| c.code)
    }

    /// The unmet codes set in `mask`, in the contract's order.
    pub fn unmet_codes_in(&self, mask: u8) -> impl Iterator<Item = &'static str> + '_ {
        self.unmet_codes().iter().enumerate().filter(move |(i, _)| mask & (1 << i) != 0).map(|(_, c)| *c)
    }
}

/// The policies a process knows, with at most one in force on any date.
#[derive(Debug, Clone)]
pub struct PolicySet {
    policies: Vec<Policy>,
}

/// The policy files built into the binary.
pub const EMBEDDED: [(&str, &str); 2] = [
    ("gz-2014-4.toml", include_str!("../../../../policies/gz-2014-4.toml")),
    ("gd-2023-11.toml", include_str!("../../../../policies/gd-2023-11.toml")),
];

impl PolicySet {
    /// The policies shipped in the binary.
    pub fn embedded() -> PolicySet {
        PolicySet::from_sources(EMBEDDED.iter().map(|(n, t)| (*n, *t))).expect("the shipped policy files are valid")
    }

    /// Loads policy files given as (file name, text); refuses the lot on the first problem,
    /// naming the file, the key and the problem.
    pub fn from_sources<'a>(sources: impl IntoIterator<Item = (&'a str, &'a str)>) -> Result<PolicySet, PolicyError> {
        let mut policies: Vec<Policy> = Vec::new();
        for (name, text) in sources {
            let policy = file::load(name, text)?;
            if policies.iter().any(|p| p.id == policy.id) {
                return Err(PolicyError::new(
                    name,
                    "id",
                    format!("a policy with id `{}` is already loaded", policy.id),
                ));
            }
            if let Some(other) = policies.iter().find(|p| overlaps(p, &policy)) {
                return Err(PolicyError::new(
                    name,
                    "valid_from",
                    format!("its validity overlaps `{}`: only one policy may be in force on a date", other.id),
                ));
            }
            policies.push(policy);
        }
        if policies.is_empty() {
            return Err(PolicyError::new("(policies)", "", "no policy file was found".to_owned()));
        }
        policies.sort_by_key(|p| p.valid_from);
        Ok(PolicySet { policies })
    }

    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    pub fn by_id(&self, id: &str) -> Option<&Policy> {
        self.policies.iter().find(|p| p.id == id)
    }

    /// The policy in force on `date`, if any.
    pub fn in_force_on(&self, date: Date) -> Option<&Policy> {
        self.policies.iter().find(|p| p.in_force_on(date))
    }
}

fn overlaps(a: &Policy, b: &Policy) -> bool {
    let ends_before = |x: &Policy, y: &Policy| x.valid_until.is_some_and(|end| end < y.valid_from);
    !(ends_before(a, b) || ends_before(b, a))
}

/// What the rulebooks' tests share.
#[cfg(test)]
pub(crate) mod test_support {
    use super::{Outcome, Policy, PolicySet};
    use crate::calendar::Date;

    pub fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    pub fn policy(id: &str) -> Policy {
        PolicySet::embedded().by_id(id).unwrap().clone()
    }

    /// (category codes, unmet codes) of an outcome.
    pub fn codes(p: &Policy, o: Outcome) -> (Vec<&'static str>, Vec<&'static str>) {
        (p.category_codes(o.categories).collect(), p.unmet_codes_in(o.unmet).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn the_policy_in_force_is_chosen_by_date_with_both_window_ends_included() {
        let set = PolicySet::embedded();
        assert!(set.in_force_on(d("2014-01-19")).is_none());
        assert_eq!(set.in_force_on(d("2014-01-20")).unwrap().id, "gz-2014-4");
        assert_eq!(set.in_force_on(d("2019-01-19")).unwrap().id, "gz-2014-4");
        assert!(set.in_force_on(d("2019-01-20")).is_none());
        assert!(set.in_force_on(d("2023-07-31")).is_none());
        assert_eq!(set.in_force_on(d("2023-08-01")).unwrap().id, "gd-2023-11");
        assert_eq!(set.in_force_on(d("2099-12-31")).unwrap().id, "gd-2023-11");
    }

    #[test]
    fn only_the_provincial_policy_is_provisional() {
        let set = PolicySet::embedded();
        assert!(!set.by_id("gz-2014-4").unwrap().provisional);
        let gd = set.by_id("gd-2023-11").unwrap();
        assert!(gd.provisional);
        assert!(!gd.provenance.is_empty(), "a provisional policy names its sources");
    }

    #[test]
    fn overlapping_policies_are_refused() {
        let text = EMBEDDED[0].1;
        let copy = text.replace("id = \"gz-2014-4\"", "id = \"gz-2014-4-copy\"");
        let err = PolicySet::from_sources([("a.toml", text), ("b.toml", copy.as_str())]).unwrap_err();
        assert!(err.to_string().contains("b.toml"), "{err}");
        assert!(err.to_string().contains("overlaps"), "{err}");
    }
}
