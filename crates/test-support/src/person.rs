//! A person as the tests register them: named fields instead of positional CSV lines.
//!
//! ```
//! use yuanzhu_test_support::person::{PersonBuilder, REGISTRATION_HEADER};
//!
//! let chen = PersonBuilder::new().serial(11).name("陈甲").residence_unit("440104011").minimum_living_allowance(true);
//! // A row under the registration header, as `TestApp::register` and storage's `common::rows` take it …
//! let csv = format!("{REGISTRATION_HEADER}\n{}", chen.csv_row());
//! // … or the body of `POST /api/v1/persons`.
//! assert_eq!(chen.json()["id_number"], chen.id());
//! ```
//!
//! The ID number is made from the area, the birth day and a serial with its check character
//! computed by `yuanzhu_rules::synthetic::with_check` (GB 11643), so it is always valid unless a
//! test sets one of its own with [`PersonBuilder::id_number`].

use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::{Map, Value};
use yuanzhu_rules::Sex;
use yuanzhu_rules::synthetic::with_check;

use crate::office::{COMMUNITY, DISTRICT};

/// The columns of [`PersonBuilder::csv_row`]: the registration file's usual columns, the ones the
/// server tests' `TestApp::register` takes.
pub const REGISTRATION_HEADER: &str = "ref,id_number,name,phone,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,minimum_living_allowance,disabled";

/// Columns a person has before a test says otherwise: the four facts every registration must
/// answer (true: a registered unemployed local who can work and wants help), no allowance and no
/// disability.
const DEFAULT_FACTS: [(&str, &str); 6] = [
    ("hukou_local", "true"),
    ("registered_unemployed", "true"),
    ("able_to_work", "true"),
    ("willing_to_be_assisted", "true"),
    ("minimum_living_allowance", "false"),
    ("disabled", "false"),
];

/// The registration columns that are text or dates rather than true/false facts; everything else
/// is a boolean in [`PersonBuilder::json`].
const TEXT_COLUMNS: [&str; 11] = [
    "ref",
    "id_number",
    "name",
    "phone",
    "address",
    "residence_unit",
    "registered_on",
    "household_ref",
    "relation",
    "unemployed_since",
    "unemployment_registered_on",
];

/// One person to register. Every setter takes and returns the builder, so a person reads as one
/// expression; [`PersonBuilder::csv_row`], [`PersonBuilder::json`] and [`csv`] say it in the
/// form the way in under test takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonBuilder {
    area: String,
    born: String,
    serial: u32,
    id_number: Option<String>,
    /// Every column but `id_number`, in the order first set.
    columns: Vec<(String, String)>,
}

impl Default for PersonBuilder {
    fn default() -> Self {
        PersonBuilder::new()
    }
}

impl PersonBuilder {
    /// A person of [`DISTRICT`] born on 1975-03-01, living in the standard office's
    /// [`COMMUNITY`], registered on 2016-05-01: a registered unemployed local who can work and
    /// wants help, with no allowance and no disability. Its serial (the ID number's 15th to 17th
    /// digits) is the next of this process, counting down from 999 so that it stays clear of the
    /// small serials tests choose with [`PersonBuilder::serial`].
    pub fn new() -> PersonBuilder {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let serial = 999 - NEXT.fetch_add(1, Ordering::Relaxed) % 900;
        let mut person = PersonBuilder {
            area: DISTRICT.to_owned(),
            born: "1975-03-01".to_owned(),
            serial,
            id_number: None,
            columns: vec![],
        };
        person = person.set("ref", format!("p{serial}")).set("name", format!("陈{serial}")).set("phone", "");
        person = person.residence_unit(COMMUNITY).registered_on("2016-05-01");
        DEFAULT_FACTS.iter().fold(person, |p, (column, value)| p.set(column, *value))
    }

    /// The ID number's sequence code (0..=999); its parity is the sex (odd: male). Unless the
    /// test set them, the row's reference (`p{serial}`) and the name (`陈{serial}`) follow it.
    pub fn serial(mut self, serial: u32) -> PersonBuilder {
        assert!(serial < 1000, "an ID number's sequence code has three digits, not {serial}");
        let (default_ref, default_name) = (format!("p{}", self.serial), format!("陈{}", self.serial));
        self.serial = serial;
        if self.get("ref") == Some(default_ref.as_str()) {
            self = self.set("ref", format!("p{serial}"));
        }
        if self.get("name") == Some(default_name.as_str()) {
            self = self.set("name", format!("陈{serial}"));
        }
        self
    }

    /// The six-digit area code at the head of the ID number (the place of first registration).
    pub fn area(mut self, area: &str) -> PersonBuilder {
        self.area = area.to_owned();
        self
    }

    /// The birth day, `YYYY-MM-DD`, as the ID number carries it.
    pub fn born(mut self, day: &str) -> PersonBuilder {
        self.born = day.to_owned();
        self
    }

    /// The sex, as the serial's parity carries it: moves the serial by one if it has the other.
    pub fn sex(self, sex: Sex) -> PersonBuilder {
        let odd = self.serial % 2 == 1;
        match (sex, odd) {
            (Sex::Male, false) | (Sex::Female, true) => {
                let serial = if self.serial == 0 { 1 } else { self.serial - 1 };
                self.serial(serial)
            }
            _ => self,
        }
    }

    /// An ID number of the test's own, taken as it is (valid or not): for tests of bad input,
    /// of 15-digit numbers, or of a number that must match one on file.
    pub fn id_number(mut self, id: &str) -> PersonBuilder {
        self.id_number = Some(id.to_owned());
        self
    }

    pub fn reference(self, reference: &str) -> PersonBuilder {
        self.set("ref", reference)
    }

    pub fn name(self, name: &str) -> PersonBuilder {
        self.set("name", name)
    }

    pub fn phone(self, phone: &str) -> PersonBuilder {
        self.set("phone", phone)
    }

    pub fn address(self, address: &str) -> PersonBuilder {
        self.set("address", address)
    }

    /// The unit the person lives in (a street or a community code).
    pub fn residence_unit(self, unit: &str) -> PersonBuilder {
        self.set("residence_unit", unit)
    }

    pub fn registered_on(self, day: &str) -> PersonBuilder {
        self.set("registered_on", day)
    }

    pub fn hukou_local(self, yes: bool) -> PersonBuilder {
        self.fact("hukou_local", yes)
    }

    pub fn registered_unemployed(self, yes: bool) -> PersonBuilder {
        self.fact("registered_unemployed", yes)
    }

    pub fn unemployed_since(self, day: &str) -> PersonBuilder {
        self.set("unemployed_since", day)
    }

    pub fn able_to_work(self, yes: bool) -> PersonBuilder {
        self.fact("able_to_work", yes)
    }

    pub fn willing_to_be_assisted(self, yes: bool) -> PersonBuilder {
        self.fact("willing_to_be_assisted", yes)
    }

    pub fn minimum_living_allowance(self, yes: bool) -> PersonBuilder {
        self.fact("minimum_living_allowance", yes)
    }

    pub fn disabled(self, yes: bool) -> PersonBuilder {
        self.fact("disabled", yes)
    }

    /// The household the row joins (`household_ref`) and the person's relation in it.
    pub fn household(self, reference: &str, relation: &str) -> PersonBuilder {
        self.set("household_ref", reference).set("relation", relation)
    }

    /// Any true/false fact of the contract by its field name (`zero_employment_family`,
    /// `low_income_family`, `veteran`, …).
    pub fn fact(self, field: &str, yes: bool) -> PersonBuilder {
        self.set(field, if yes { "true" } else { "false" })
    }

    /// Leaves a column empty: the fact unanswered, the text absent.
    pub fn blank(self, column: &str) -> PersonBuilder {
        self.set(column, "")
    }

    /// Leaves a column out altogether: the file does not have it (unless another person in it
    /// does), the body does not name it.
    pub fn without(mut self, column: &str) -> PersonBuilder {
        self.columns.retain(|(c, _)| c != column);
        self
    }

    /// Any column by its name, as its text in the file.
    pub fn set(mut self, column: &str, value: impl Into<String>) -> PersonBuilder {
        let value = value.into();
        if column == "id_number" {
            self.id_number = Some(value);
        } else if let Some(slot) = self.columns.iter_mut().find(|(c, _)| c == column) {
            slot.1 = value;
        } else {
            self.columns.push((column.to_owned(), value));
        }
        self
    }

    /// A column's text, `None` if the person does not have the column.
    pub fn get(&self, column: &str) -> Option<&str> {
        if column == "id_number" {
            return None;
        }
        self.columns.iter().find(|(c, _)| c == column).map(|(_, v)| v.as_str())
    }

    /// The ID number: the test's own, or made from area, birth day and serial.
    pub fn id(&self) -> String {
        self.id_number.clone().unwrap_or_else(|| {
            let digits = format!("{}{}{:03}", self.area, self.born.replace('-', ""), self.serial);
            with_check(&digits)
        })
    }

    /// The person's row under [`REGISTRATION_HEADER`]. Panics if the person has a column that
    /// header lacks: use [`csv`] for those.
    pub fn csv_row(&self) -> String {
        let header: Vec<&str> = REGISTRATION_HEADER.split(',').collect();
        if let Some((extra, _)) = self.columns.iter().find(|(c, _)| !header.contains(&c.as_str())) {
            panic!("{extra} is not a column of REGISTRATION_HEADER: write the file with person::csv");
        }
        self.row(&header)
    }

    fn row(&self, header: &[&str]) -> String {
        let id = self.id();
        let cell = |column: &&str| if *column == "id_number" { id.as_str() } else { self.get(column).unwrap_or("") };
        header.iter().map(cell).map(quoted).collect::<Vec<_>>().join(",")
    }

    /// The body of `POST /api/v1/persons`: texts as strings, facts as booleans; an empty column
    /// is left out.
    pub fn json(&self) -> Value {
        let mut body = Map::new();
        body.insert("id_number".to_owned(), Value::String(self.id()));
        for (column, value) in &self.columns {
            if column == "ref" || value.is_empty() {
                continue;
            }
            let value = match value.as_str() {
                "true" if !TEXT_COLUMNS.contains(&column.as_str()) => Value::Bool(true),
                "false" if !TEXT_COLUMNS.contains(&column.as_str()) => Value::Bool(false),
                text => Value::String(text.to_owned()),
            };
            body.insert(column.clone(), value);
        }
        Value::Object(body)
    }
}

/// A registration file of these persons: the columns any of them has, [`REGISTRATION_HEADER`]'s
/// first and in its order, then the others in the order first set; a cell a person lacks is empty.
pub fn csv(persons: &[&PersonBuilder]) -> String {
    let has = |column: &str| column == "id_number" || persons.iter().any(|p| p.get(column).is_some());
    let mut header: Vec<&str> = REGISTRATION_HEADER.split(',').filter(|c| has(c)).collect();
    for person in persons {
        for (column, _) in &person.columns {
            if !header.contains(&column.as_str()) {
                header.push(column);
            }
        }
    }
    let rows = persons.iter().map(|p| p.row(&header));
    std::iter::once(header.join(",")).chain(rows).collect::<Vec<_>>().join("\n")
}

/// A CSV cell: quoted when it holds a comma, a quote or a line break.
fn quoted(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use yuanzhu_rules::{Date, IdNumber, Sex};

    use super::*;

    #[test]
    fn the_id_numbers_the_builder_makes_are_valid_and_carry_birth_and_sex() {
        for serial in [0, 1, 11, 500, 999] {
            for born in ["1960-02-29", "1975-03-01", "2000-12-31"] {
                let person = PersonBuilder::new().serial(serial).born(born).area("440106");
                let id = IdNumber::parse(&person.id()).unwrap_or_else(|e| panic!("{}: {e:?}", person.id()));
                assert_eq!(id.birth_date(), Date::parse(born).unwrap());
                assert_eq!(id.address_code(), "440106");
                assert_eq!(id.sex() == Sex::Male, serial % 2 == 1);
            }
        }
        for sex in [Sex::Male, Sex::Female] {
            for serial in [0, 1, 2, 999] {
                let id = PersonBuilder::new().serial(serial).sex(sex).id();
                assert_eq!(IdNumber::parse(&id).unwrap().sex(), sex, "{id}");
            }
        }
    }

    #[test]
    fn persons_made_one_after_another_have_their_own_id_numbers() {
        let ids: std::collections::HashSet<String> = (0..50).map(|_| PersonBuilder::new().id()).collect();
        assert_eq!(ids.len(), 50);
        assert!(ids.iter().all(|id| IdNumber::parse(id).is_ok()));
    }

    #[test]
    fn the_row_is_the_positional_line_the_tests_typed() {
        let person = PersonBuilder::new().serial(11).name("陈甲").phone("13800138000").residence_unit("440104011");
        let id = person.id();
        assert_eq!(
            person.csv_row(),
            format!("p11,{id},陈甲,13800138000,440104011,2016-05-01,true,true,true,true,false,false")
        );
        let blank = PersonBuilder::new().serial(3).blank("disabled").minimum_living_allowance(true).reference("a");
        assert!(blank.csv_row().starts_with("a,"));
        assert!(blank.csv_row().ends_with(",true,true,true,true,true,"), "{}", blank.csv_row());
        assert_eq!(blank.get("name"), Some("陈3"), "the default name follows the serial");
        let named = PersonBuilder::new().reference("a").name("陈甲").serial(12);
        assert_eq!((named.get("ref"), named.get("name")), (Some("a"), Some("陈甲")), "what the test set stays");
    }

    #[test]
    fn a_file_carries_every_column_any_person_has() {
        let a = PersonBuilder::new().serial(1).unemployed_since("2015-10-01").household("H-1", "户主");
        let b = PersonBuilder::new().serial(2).fact("zero_employment_family", true).address("东山路1号, 2楼");
        let text = csv(&[&a, &b]);
        let mut lines = text.lines();
        assert_eq!(
            lines.next().unwrap(),
            format!("{REGISTRATION_HEADER},unemployed_since,household_ref,relation,zero_employment_family,address")
        );
        assert!(lines.next().unwrap().ends_with(",2015-10-01,H-1,户主,,"));
        assert!(lines.next().unwrap().ends_with(",,,,true,\"东山路1号, 2楼\""));
        let panicked = std::panic::catch_unwind(|| a.csv_row()).is_err();
        let short = PersonBuilder::new().serial(4).without("phone").without("disabled").household("H1", "户主");
        assert_eq!(
            csv(&[&short]).lines().next().unwrap(),
            "ref,id_number,name,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,\
             willing_to_be_assisted,minimum_living_allowance,household_ref,relation",
            "a column no one has is left out"
        );
        assert!(panicked, "a column outside the header is not dropped silently");
    }

    #[test]
    fn the_json_body_has_texts_as_strings_and_facts_as_booleans() {
        let person = PersonBuilder::new().serial(7).unemployed_since("2015-10-01").blank("disabled").name("true");
        let body = person.json();
        assert_eq!(body["id_number"], person.id());
        assert_eq!(body["name"], "true", "a name is text whatever it says");
        assert_eq!(body["hukou_local"], true);
        assert_eq!(body["minimum_living_allowance"], false);
        assert_eq!(body["unemployed_since"], "2015-10-01");
        assert_eq!(body["residence_unit"], COMMUNITY);
        for absent in ["ref", "phone", "disabled"] {
            assert!(body.get(absent).is_none(), "{absent}: {body}");
        }
    }
}
