//! The registration form as data: its fields for the policy in force on the registration date,
//! the values of a person on file (to change their registration), the body a submitted form makes
//! for `api::persons::register_one`, and what a submission would change in a file.
//!
//! The yes/no questions are three-way (unanswered, yes, no): a question left unanswered is
//! recorded as such, never as "no". Only the questions the policy in force on the registration
//! date reads are asked (第四条 assesses under that policy); a question it does not read is not
//! sent, so a person's answer on file stays as it is.

use serde_json::{Map, Value};
use yuanzhu_domain::text::TextField;
use yuanzhu_rules::contract::{Field, Kind, read_by, required};
use yuanzhu_rules::{Date, Policy, PolicySet};
use yuanzhu_storage::persons::PersonRecord;

use super::Ctx;

/// The person's columns of the form, in order, and whether each is required.
pub const PERSON_FIELDS: [(&str, bool); 9] = [
    ("id_number", true),
    ("name", true),
    ("phone", false),
    ("address", false),
    ("residence_unit", true),
    ("hukou_unit", false),
    ("registered_on", true),
    ("household_ref", false),
    ("relation", false),
];

/// The contract's facts a registration may ask: birth date and sex come from the ID number, the
/// registration date is the form's own, `ref` and `as_of` have no place in one registration.
fn askable(field: Field) -> bool {
    !matches!(
        field,
        Field::Ref | Field::AsOf | Field::IdNumber | Field::BirthDate | Field::Sex | Field::UnemploymentRegisteredOn
    )
}

/// One field of the form as the template draws it.
pub struct Input {
    pub name: &'static str,
    pub label: String,
    /// `text`, `date`, `yesno`, `track` or `unit`.
    pub kind: &'static str,
    pub required: bool,
    pub value: String,
    pub error: Option<String>,
    /// The most characters the field takes, for a text field of the person.
    pub max: Option<usize>,
    /// Whether the policy in force on the registration date asks it (facts only; the person's
    /// own fields are always asked).
    pub asked: bool,
    /// The policies that ask it, for the page's script: space-separated IDs.
    pub policies: String,
    /// The policies that require it (see [`Input::policies`]).
    pub required_by: String,
}

impl Input {
    pub fn selected(&self, v: &str) -> bool {
        self.value == v
    }
}

/// The policy in force on a registration date typed in the form, if it is a date and one is.
pub fn policy_on<'p>(policies: &'p PolicySet, date: &str) -> Option<&'p Policy> {
    Date::parse(date.trim()).ok().and_then(|d| policies.in_force_on(d))
}

/// The value of a field among the submitted values.
pub fn value_of(values: &[(String, String)], name: &str) -> String {
    values.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

/// The form's inputs for the values given, asking what `policy` reads.
pub fn inputs(
    ctx: &Ctx,
    values: &[(String, String)],
    with_units: bool,
    policy: Option<&Policy>,
) -> (Vec<Input>, Vec<Input>) {
    let person = PERSON_FIELDS
        .iter()
        .map(|&(name, required)| Input {
            name,
            label: ctx.label("register.field", name),
            kind: match name {
                "registered_on" => "date",
                "residence_unit" if with_units => "unit",
                _ => "text",
            },
            required,
            value: value_of(values, name),
            error: None,
            max: TextField::from_key(name).map(TextField::max_chars),
            asked: true,
            policies: String::new(),
            required_by: String::new(),
        })
        .collect();
    let ids = |f: Field, of: fn(&Policy) -> &'static [Field]| {
        ctx.policies
            .policies()
            .iter()
            .filter(|p| of(p).contains(&f))
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let facts = Field::ALL
        .into_iter()
        .filter(|f| askable(*f) && ctx.policies.policies().iter().any(|p| read_by(p).contains(f)))
        .map(|f| Input {
            name: f.name(),
            label: ctx.label("register.fact", f.name()),
            kind: match f.kind() {
                Kind::Bool => "yesno",
                Kind::Date => "date",
                Kind::Track => "track",
                _ => "text",
            },
            required: policy.is_some_and(|p| required(p).contains(&f)),
            value: value_of(values, f.name()),
            error: None,
            max: None,
            asked: policy.is_some_and(|p| read_by(p).contains(&f)),
            policies: ids(f, read_by),
            required_by: ids(f, required),
        })
        .collect();
    (person, facts)
}

/// The body a submitted form makes: every field of the person (an empty one clears a value on
/// file), and the questions asked; a question not asked is left out, so an answer on file stays.
pub fn body_of(person: &[Input], facts: &[Input], version: &str) -> Map<String, Value> {
    let mut body = Map::new();
    for input in person.iter().chain(facts.iter().filter(|f| f.asked)) {
        body.insert(input.name.to_owned(), Value::String(input.value.trim().to_owned()));
    }
    if !version.trim().is_empty() {
        body.insert("version".to_owned(), Value::String(version.trim().to_owned()));
    }
    body
}

/// The form's values for a person on file: what a change of their registration starts from.
/// `registered_on` is their latest registration (a new date records a new registration).
pub fn values_of_file(
    record: &PersonRecord,
    hukou_unit: Option<&str>,
    latest_registration: Option<&str>,
) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![
        ("id_number".into(), record.id_number.clone()),
        ("name".into(), record.name.clone()),
        ("phone".into(), record.phone.clone().unwrap_or_default()),
        ("address".into(), record.address.clone().unwrap_or_default()),
        ("residence_unit".into(), record.residence_unit.clone()),
        ("hukou_unit".into(), hukou_unit.unwrap_or_default().to_owned()),
        ("registered_on".into(), latest_registration.unwrap_or_default().to_owned()),
        ("household_ref".into(), record.household_ref.clone().unwrap_or_default()),
        ("relation".into(), record.relation.clone().unwrap_or_default()),
        ("female_retirement_track".into(), record.female_retirement_track.clone()),
        ("unemployed_since".into(), record.unemployed_since.clone().unwrap_or_default()),
        ("parent_certificates".into(), record.parent_certificates.join(";")),
    ];
    for f in Field::ALL.into_iter().filter(|f| f.fact().is_some()) {
        out.push((f.name().to_owned(), answer(record, f.name()).to_owned()));
    }
    out
}

/// A yes/no fact of a record as the form holds it: `true`, `false`, or empty when unanswered.
fn answer(record: &PersonRecord, fact: &str) -> &'static str {
    if record.unanswered.contains(&fact) {
        ""
    } else if record.facts.contains(&fact) {
        "true"
    } else {
        "false"
    }
}

/// One line of what a submission changes in a file.
pub struct Change {
    pub label: String,
    pub before: String,
    pub after: String,
    /// A value on file is replaced or cleared (not merely filled in).
    pub overwrites: bool,
}

/// What a registration changes in a person's file, field by field, as the page shows it.
pub fn changes(
    ctx: &Ctx,
    before: &PersonRecord,
    after: &PersonRecord,
    hukou: (Option<&str>, Option<&str>),
) -> Vec<Change> {
    let mut out = Vec::new();
    let mut line = |label: String, b: String, a: String| {
        if b != a {
            out.push(Change { overwrites: !b.is_empty(), label, before: b, after: a });
        }
    };
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let field = |name: &str| ctx.label("register.field", name);
    line(field("name"), before.name.clone(), after.name.clone());
    line(field("phone"), opt(&before.phone), opt(&after.phone));
    line(field("address"), opt(&before.address), opt(&after.address));
    line(field("hukou_unit"), hukou.0.unwrap_or_default().to_owned(), hukou.1.unwrap_or_default().to_owned());
    line(field("household_ref"), opt(&before.household_ref), opt(&after.household_ref));
    line(field("relation"), opt(&before.relation), opt(&after.relation));
    let fact = |name: &str| ctx.label("register.fact", name);
    line(fact("unemployed_since"), opt(&before.unemployed_since), opt(&after.unemployed_since));
    let track = |t: &str| ctx.label("register.track", t);
    line(
        fact("female_retirement_track"),
        track(&before.female_retirement_track),
        track(&after.female_retirement_track),
    );
    line(fact("parent_certificates"), before.parent_certificates.join(";"), after.parent_certificates.join(";"));
    let said = |v: &str| match v {
        "true" => ctx.t("common.yes").to_owned(),
        "false" => ctx.t("common.no").to_owned(),
        _ => String::new(),
    };
    for f in Field::ALL.into_iter().filter(|f| f.fact().is_some()) {
        line(fact(f.name()), said(answer(before, f.name())), said(answer(after, f.name())));
    }
    out
}
