//! The persons export: one row per person, a registration file that `yuanzhu import` reads back.
//!
//! Its columns are the import's: `id_number`, `name`, `phone`, `address`, `residence_unit`,
//! `registered_on` (the latest registration, the one that counts), `household_ref`, `relation`
//! and every field of the assess contract the registry keeps, each fact written `true` or
//! `false`, or left empty where the file holds no answer (an empty cell imports as "no answer"). Three contract fields are left out: `ref` (a caller's row reference, not kept),
//! `as_of` (refused by the import: facts hold as of `registered_on`) and
//! `unemployment_registered_on` (the registration date itself, which the import takes from
//! `registered_on`). The last column, `categories`, is the export's own: the codes recognised now,
//! which the import reads past (`yuanzhu_domain::registration::EXPORT_ONLY`).
//!
//! Importing the export into the same registry therefore changes nothing, and into an empty one
//! gives the same persons, facts and latest registrations. The categories come out the same where
//! 第四条 recognised them automatically at that latest registration; one recognised on application
//! (第五条), or under an earlier registration's policy, is a decision an import does not repeat.

use std::borrow::Cow;
use std::sync::LazyLock;

use sqlx::Row;
use yuanzhu_rules::contract::Field;
use yuanzhu_rules::{FactSet, ParentCertificate};

use super::{Paged, Pages, Table, id_number_of};
use crate::{Store, StoreError};

/// One person, as the export shows them. Dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonExportRow {
    pub id_number: String,
    pub name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// A unit code.
    pub residence_unit: String,
    /// The latest unemployment registration.
    pub registered_on: Option<String>,
    pub household_ref: Option<String>,
    pub relation: Option<String>,
    pub birth_date: String,
    /// `female` or `male`.
    pub sex: String,
    /// `worker` or `cadre`.
    pub female_retirement_track: String,
    pub facts: FactSet,
    /// The facts answered (yes or no); the others are written empty.
    pub answered: FactSet,
    /// Bits of [`ParentCertificate`].
    pub parent_certificates: u8,
    pub unemployed_since: Option<String>,
    /// Codes of the categories recognised now (no end date), in code order.
    pub categories: Vec<String>,
}

/// How categories and parent certificates are joined in one cell (the contract's separator).
pub const CATEGORY_SEPARATOR: &str = ";";

/// The registration columns before the contract's fields.
const HEAD: [&str; 8] =
    ["id_number", "name", "phone", "address", "residence_unit", "registered_on", "household_ref", "relation"];

/// The contract fields a registration file carries and the registry keeps, in the contract's
/// order (`id_number` comes first, with [`HEAD`]).
static CONTRACT_FIELDS: LazyLock<Vec<Field>> = LazyLock::new(|| {
    let left_out = [Field::Ref, Field::AsOf, Field::IdNumber, Field::UnemploymentRegisteredOn];
    Field::ALL.into_iter().filter(|f| !left_out.contains(f)).collect()
});

static COLUMNS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| HEAD.into_iter().chain(CONTRACT_FIELDS.iter().map(|f| f.name())).chain(["categories"]).collect());

/// The header of the persons export, in column order.
pub fn columns() -> &'static [&'static str] {
    &COLUMNS
}

fn text(value: &Option<String>) -> Cow<'_, str> {
    Cow::Borrowed(value.as_deref().unwrap_or(""))
}

impl PersonExportRow {
    fn contract_cell(&self, field: Field) -> Cow<'_, str> {
        if let Some(fact) = field.fact() {
            return Cow::Borrowed(match (self.answered.has(fact), self.facts.has(fact)) {
                (false, _) => "",
                (true, true) => "true",
                (true, false) => "false",
            });
        }
        match field {
            Field::BirthDate => Cow::Borrowed(&self.birth_date),
            Field::Sex => Cow::Borrowed(&self.sex),
            Field::FemaleRetirementTrack => Cow::Borrowed(&self.female_retirement_track),
            Field::UnemployedSince => text(&self.unemployed_since),
            Field::ParentCertificates => Cow::Owned(
                ParentCertificate::ALL
                    .iter()
                    .filter(|c| self.parent_certificates & c.bit() != 0)
                    .map(|c| c.code())
                    .collect::<Vec<_>>()
                    .join(CATEGORY_SEPARATOR),
            ),
            // CONTRACT_FIELDS holds no other field; the test of the columns says so.
            _ => Cow::Borrowed(""),
        }
    }
}

impl Table for PersonExportRow {
    const SHEET: &'static str = "persons";

    fn columns() -> &'static [&'static str] {
        columns()
    }

    fn text_columns() -> &'static [&'static str] {
        &["id_number", "phone", "residence_unit", "household_ref"]
    }

    fn cells(&self) -> Vec<Cow<'_, str>> {
        let mut cells = Vec::with_capacity(COLUMNS.len());
        cells.extend([
            Cow::Borrowed(self.id_number.as_str()),
            Cow::Borrowed(&self.name),
            text(&self.phone),
            text(&self.address),
            Cow::Borrowed(&self.residence_unit),
            text(&self.registered_on),
            text(&self.household_ref),
            text(&self.relation),
        ]);
        cells.extend(CONTRACT_FIELDS.iter().map(|f| self.contract_cell(*f)));
        cells.push(Cow::Owned(self.categories.join(CATEGORY_SEPARATOR)));
        cells
    }
}

/// The persons of an export, a page at a time.
#[derive(Debug)]
pub struct PersonPages(Pages);

/// Every person (`unit_prefix` `None`), or those of one jurisdiction: whose unit of residence or
/// of hukou lies under `unit_prefix` (a unit code; the city's code stands for its whole tree).
pub async fn persons(store: &Store, unit_prefix: Option<&str>) -> Result<PersonPages, StoreError> {
    Ok(PersonPages(Pages::open(store, unit_prefix).await?))
}

const SELECT: &str = "SELECT p.id_number, p.name, p.phone, p.address, p.residence_unit, \
     p.latest_registration, p.household_ref, p.relation, p.birth_date, p.sex, p.female_retirement_track, p.facts, \
     p.facts_known, p.parent_certificates, p.unemployed_since, c.category \
     FROM persons p LEFT JOIN recognitions c ON c.person_id = p.id AND c.ended_on IS NULL";

impl Paged for PersonPages {
    type Row = PersonExportRow;

    /// The next page of persons in ID-number order; `None` when all have been read.
    async fn next_page(&mut self) -> Result<Option<Vec<PersonExportRow>>, StoreError> {
        let Some(rows) = self.0.next(SELECT, "c.category").await? else { return Ok(None) };
        let mut out: Vec<PersonExportRow> = Vec::new();
        for row in &rows {
            let id_number = id_number_of(row)?;
            let category: Option<String> = row.try_get("category")?;
            if let Some(last) = out.last_mut().filter(|p| p.id_number == id_number) {
                // A category recognised under two policy versions is one category; the rows
                // come in category order, so a repeat follows its first.
                if let Some(c) = category.filter(|c| last.categories.last() != Some(c)) {
                    last.categories.push(c);
                }
                continue;
            }
            let facts: i64 = row.try_get("facts")?;
            let certificates: i64 = row.try_get("parent_certificates")?;
            out.push(PersonExportRow {
                id_number,
                name: row.try_get("name")?,
                phone: row.try_get("phone")?,
                address: row.try_get("address")?,
                residence_unit: row.try_get("residence_unit")?,
                registered_on: row.try_get("latest_registration")?,
                household_ref: row.try_get("household_ref")?,
                relation: row.try_get("relation")?,
                birth_date: row.try_get("birth_date")?,
                sex: row.try_get("sex")?,
                female_retirement_track: row.try_get("female_retirement_track")?,
                facts: FactSet::from_bits(u32::try_from(facts).map_err(|_| corrupt("facts", facts))?),
                // Files registered before answers were kept answered every question.
                answered: match row.try_get::<Option<i64>, _>("facts_known")? {
                    Some(bits) => FactSet::from_bits(u32::try_from(bits).map_err(|_| corrupt("facts_known", bits))?),
                    None => FactSet::from_bits(u32::MAX),
                },
                parent_certificates: u8::try_from(certificates)
                    .map_err(|_| corrupt("parent_certificates", certificates))?,
                unemployed_since: row.try_get("unemployed_since")?,
                categories: category.into_iter().collect(),
            });
        }
        Ok(Some(out))
    }
}

fn corrupt(column: &str, value: i64) -> StoreError {
    StoreError::Corrupt(format!("persons.{column} holds {value}, not a set of flags"))
}

/// Every person, ordered by ID number, as one consistent snapshot.
pub async fn persons_rows(store: &Store) -> Result<Vec<PersonExportRow>, StoreError> {
    collect(persons(store, None).await?).await
}

/// The persons of one jurisdiction (see [`persons`]), ordered by ID number.
pub async fn persons_rows_in(store: &Store, unit_prefix: &str) -> Result<Vec<PersonExportRow>, StoreError> {
    collect(persons(store, Some(unit_prefix)).await?).await
}

async fn collect(mut pages: PersonPages) -> Result<Vec<PersonExportRow>, StoreError> {
    let mut all = Vec::new();
    while let Some(page) = pages.next_page().await? {
        all.extend(page);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader, Xlsx};
    use yuanzhu_rules::Fact;

    use super::super::{FileFormat, write_rows};
    use super::*;

    fn person(id_number: &str, phone: Option<&str>, categories: &[&str]) -> PersonExportRow {
        PersonExportRow {
            id_number: id_number.to_owned(),
            name: "张三".to_owned(),
            phone: phone.map(str::to_owned),
            address: Some("越秀区东山街道, \"一号\"".to_owned()),
            residence_unit: "440104011".to_owned(),
            registered_on: Some("2016-03-01".to_owned()),
            household_ref: Some("0012".to_owned()),
            relation: None,
            birth_date: "1975-01-01".to_owned(),
            sex: "male".to_owned(),
            female_retirement_track: "worker".to_owned(),
            facts: FactSet::default().with(Fact::HukouLocal).with(Fact::Disabled),
            answered: FactSet::from_bits(u32::MAX),
            parent_certificates: ParentCertificate::LowIncomeFamily.bit() | ParentCertificate::PoorWorker.bit(),
            unemployed_since: None,
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn the_columns_are_every_import_column_the_registry_keeps_and_categories() {
        let mut expected: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
        expected.retain(|n| !["ref", "as_of", "unemployment_registered_on"].contains(n));
        expected.extend(["name", "phone", "address", "residence_unit", "registered_on", "household_ref", "relation"]);
        expected.push("categories");
        let mut got = columns().to_vec();
        expected.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, expected);
        let person = person("440106197501011232", None, &[]);
        let cells = person.cells();
        assert_eq!(cells.len(), columns().len());
        // Every contract column has a value: none falls through to the empty default.
        for (name, cell) in columns().iter().zip(&cells) {
            let optional = ["phone", "relation", "unemployed_since", "categories"];
            assert!(optional.contains(name) || !cell.is_empty(), "{name} is empty");
        }
    }

    #[test]
    fn identifiers_are_text_cells_in_xlsx() {
        let rows = [
            person("440106197501011232", Some("02083826770"), &["disabled_unemployed", "older_unemployed"]),
            person("11010519491231002X", None, &[]),
        ];
        let mut bytes = Vec::new();
        write_rows(&rows, FileFormat::Xlsx, &mut bytes).unwrap();
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["persons"]);
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let column = |name: &str| columns().iter().position(|c| *c == name).unwrap() as u32;
        let cell = |r: u32, name: &str| sheet.get_value((r, column(name))).cloned();
        assert_eq!(cell(0, "id_number"), Some(Data::String("id_number".into())));
        assert_eq!(cell(1, "id_number"), Some(Data::String("440106197501011232".into())));
        assert_eq!(cell(2, "id_number"), Some(Data::String("11010519491231002X".into())));
        assert_eq!(cell(1, "phone"), Some(Data::String("02083826770".into())));
        assert_eq!(cell(1, "household_ref"), Some(Data::String("0012".into())));
        assert_eq!(cell(1, "residence_unit"), Some(Data::String("440104011".into())));
        assert_eq!(cell(1, "disabled"), Some(Data::String("true".into())));
        assert_eq!(cell(1, "veteran"), Some(Data::String("false".into())));
        assert_eq!(cell(1, "parent_certificates"), Some(Data::String("poor_worker;low_income_family".into())));
        assert_eq!(cell(1, "categories"), Some(Data::String("disabled_unemployed;older_unemployed".into())));
        assert_eq!(cell(2, "phone"), Some(Data::Empty));
        assert_eq!(cell(2, "categories"), Some(Data::Empty));
    }

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let mut out = Vec::new();
        write_rows(
            &[person("440106197501011232", Some("13800138000"), &["older_unemployed"])],
            FileFormat::Csv,
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.strip_prefix('\u{feff}').expect("a byte-order mark for Excel").lines();
        assert_eq!(lines.next().unwrap(), columns().join(","));
        let row = lines.next().unwrap();
        assert!(
            row.starts_with(
                "440106197501011232,张三,13800138000,\"越秀区东山街道, \"\"一号\"\"\",440104011,2016-03-01,0012,,1975-01-01,male,worker,true,false,"
            ),
            "{row}"
        );
        assert!(row.ends_with(",older_unemployed"), "{row}");
    }
}
