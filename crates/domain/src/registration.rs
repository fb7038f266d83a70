//! Registrations as they arrive in bulk: one row per unemployment registration (失业登记), with the
//! person's real-name record (第七条) and the facts the rules read.
//!
//! Columns are the `yuanzhu assess` contract's field names plus `name`, `phone`, `address`,
//! `residence_unit`, `registered_on`, `household_ref` and `relation`. Facts are checked exactly as
//! the contract checks them, as of the registration date. A bad row is reported with its row
//! number, field, code and message; it never stops the good rows.
//!
//! A registry export (`yuanzhu export persons`) is itself a registration file: it carries these
//! columns and, besides, [`EXPORT_ONLY`] columns that state what the registry decided. Those are
//! read past, never read: a recognised category is decided by the rules at registration (第四条)
//! or on application (第五条), never typed in. Any other unknown column is still refused, so that
//! a typo such as `disabld` is not silently dropped.

use std::collections::HashMap;

use yuanzhu_rules::contract::{Field, Raw, RawRecord, facts_of};
use yuanzhu_rules::{Date, Facts, IdNumber, Lang};

use crate::unit::UnitCode;

/// One valid registration row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// Spreadsheet row number (the header is row 1).
    pub row: usize,
    /// The caller's reference for the row, if the file has a `ref` column.
    pub reference: Option<String>,
    /// Always the 18-digit form; a 15-digit legacy number is upgraded.
    pub id_number: IdNumber,
    pub name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub residence_unit: UnitCode,
    pub registered_on: Date,
    pub household_ref: Option<String>,
    pub relation: Option<String>,
    pub facts: Facts,
}

/// Why a row was not imported: the row, the field, a stable code and a message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub row: usize,
    pub reference: Option<String>,
    pub field: Option<String>,
    pub code: String,
    pub message: String,
}

/// A file that cannot be read as registrations at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("the file has no header row")]
    NoHeader,
    #[error("unknown column `{0}`: neither a contract field nor a registration column")]
    UnknownColumn(String),
    #[error("column `{0}` appears twice")]
    DuplicateColumn(String),
    #[error("column `{0}` is required")]
    MissingColumn(&'static str),
    #[error("column `as_of` does not belong in a registration file: facts are recorded as of `registered_on`")]
    AsOf,
    #[error("the file cannot be read as CSV: {0}")]
    Csv(String),
}

/// The registration columns that are not contract fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Extra {
    Name,
    Phone,
    Address,
    ResidenceUnit,
    RegisteredOn,
    HouseholdRef,
    Relation,
}

const EXTRAS: [(&str, Extra); 7] = [
    ("name", Extra::Name),
    ("phone", Extra::Phone),
    ("address", Extra::Address),
    ("residence_unit", Extra::ResidenceUnit),
    ("registered_on", Extra::RegisteredOn),
    ("household_ref", Extra::HouseholdRef),
    ("relation", Extra::Relation),
];

/// Columns of an export that an import reads past: what the registry decided, not facts.
pub const EXPORT_ONLY: [&str; 1] = ["categories"];

/// The Chinese names of the registration's own columns; the contract's fields have theirs
/// ([`Field::name_zh`]). A Chinese export writes them as its header, and an import reads them as
/// the field names they stand for, so a Chinese export imports back.
const COLUMN_NAMES_ZH: [(&str, &str); 10] = [
    ("name", "姓名"),
    ("phone", "联系电话"),
    ("address", "住址"),
    ("residence_unit", "居住地单位"),
    ("registered_on", "登记日期"),
    ("household_ref", "家庭编号"),
    ("relation", "与户主关系"),
    ("hukou_unit", "户籍地单位"),
    ("categories", "认定类别"),
    ("facts", "情况"),
];

/// A column (or field) as a header or a message in `lang` names it: 姓名 for `name` in Chinese,
/// `name` in English; a name that is no column stays as it is.
pub fn column_name(name: &str, lang: Lang) -> &str {
    if lang == Lang::En {
        return name;
    }
    match COLUMN_NAMES_ZH.iter().find(|(n, _)| *n == name) {
        Some((_, zh)) => zh,
        None => yuanzhu_rules::contract::field_label(name, lang),
    }
}

/// The field a header names: a field name as it is, a Chinese name as its field's.
pub fn column_of(header: &str) -> &str {
    if let Some((name, _)) = COLUMN_NAMES_ZH.iter().find(|(_, zh)| *zh == header) {
        return name;
    }
    Field::ALL.iter().find(|f| f.name_zh() == header).map_or(header, |f| f.name())
}

#[derive(Debug, Clone, Copy)]
enum Column {
    Contract(Field),
    Extra(Extra),
    /// One of [`EXPORT_ONLY`].
    Ignored,
}

/// Whether a column is a given one.
type ColumnTest = fn(&Column) -> bool;

/// The columns of a registration file, by position.
#[derive(Debug, Clone)]
pub struct Header {
    columns: Vec<Column>,
}

impl Header {
    pub fn parse<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Header, FileError> {
        let mut columns = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, name) in names.into_iter().enumerate() {
            let name = column_of(if i == 0 { name.trim_start_matches('\u{feff}') } else { name }.trim());
            if !seen.insert(name.to_owned()) {
                return Err(FileError::DuplicateColumn(name.to_owned()));
            }
            let column = match (Field::from_name(name), EXTRAS.iter().find(|(n, _)| *n == name)) {
                (Some(Field::AsOf), _) => return Err(FileError::AsOf),
                (Some(f), _) => Column::Contract(f),
                (None, Some((_, e))) => Column::Extra(*e),
                (None, None) if EXPORT_ONLY.contains(&name) => Column::Ignored,
                (None, None) => return Err(FileError::UnknownColumn(name.to_owned())),
            };
            columns.push(column);
        }
        if columns.is_empty() {
            return Err(FileError::NoHeader);
        }
        let needed: [(&'static str, ColumnTest); 4] = [
            ("id_number", |c: &Column| matches!(c, Column::Contract(Field::IdNumber))),
            ("name", |c: &Column| matches!(c, Column::Extra(Extra::Name))),
            ("residence_unit", |c: &Column| matches!(c, Column::Extra(Extra::ResidenceUnit))),
            ("registered_on", |c: &Column| matches!(c, Column::Extra(Extra::RegisteredOn))),
        ];
        for (name, needed) in needed {
            if !columns.iter().any(needed) {
                return Err(FileError::MissingColumn(name));
            }
        }
        Ok(Header { columns })
    }

    /// Reads one row; `row` is its spreadsheet row number, `today` bounds registration dates.
    pub fn row(&self, row: usize, cells: &[&str], today: Date, lang: Lang) -> Result<Registration, RowError> {
        let mut extras: HashMap<Extra, &str> = HashMap::new();
        let mut raw = RawRecord::default();
        let reference = self
            .columns
            .iter()
            .zip(cells)
            .find(|(c, _)| matches!(c, Column::Contract(Field::Ref)))
            .map(|(_, v)| (*v).to_owned())
            .filter(|r| !r.is_empty());
        let fail = |field: Option<&str>, code: &str, zh: String, en: String| RowError {
            row,
            reference: reference.clone(),
            field: field.map(str::to_owned),
            code: code.to_owned(),
            message: if lang == Lang::Zh { zh } else { en },
        };
        if cells.len() != self.columns.len() {
            return Err(fail(
                None,
                "invalid_row",
                format!("该行有{}个单元格，表头有{}列", cells.len(), self.columns.len()),
                format!("the row has {} cells, the header {}", cells.len(), self.columns.len()),
            ));
        }
        let mut id_text = "";
        for (column, cell) in self.columns.iter().zip(cells) {
            let cell = crate::spreadsheet::read_cell(cell);
            if cell.is_empty() {
                continue;
            }
            match column {
                Column::Contract(Field::IdNumber) => id_text = cell,
                Column::Contract(f) => raw.values[*f as usize] = Some(Raw::Cell(cell)),
                Column::Extra(e) => {
                    extras.insert(*e, cell);
                }
                Column::Ignored => {}
            }
        }
        let required = |extra: Extra, name: &str| {
            extras.get(&extra).copied().ok_or_else(|| {
                fail(
                    Some(name),
                    "missing_field",
                    format!("缺少必填字段：{}", column_name(name, Lang::Zh)),
                    format!("required field {name} is missing"),
                )
            })
        };
        let name = required(Extra::Name, "name")?;
        if id_text.is_empty() {
            return Err(fail(
                Some("id_number"),
                "missing_field",
                "缺少必填字段：身份证号".to_owned(),
                "required field id_number is missing".to_owned(),
            ));
        }
        let id_number = IdNumber::parse_or_upgrade(id_text)
            .map_err(|e| fail(Some("id_number"), "invalid_id_number", e.message(Lang::Zh), e.message(Lang::En)))?;
        let unit_text = required(Extra::ResidenceUnit, "residence_unit")?;
        let residence_unit = UnitCode::parse(unit_text).map_err(|e| {
            fail(
                Some("residence_unit"),
                "invalid_field",
                format!("居住地单位须为6、9或12位的区划代码，实际为“{}”", e.0),
                e.to_string(),
            )
        })?;
        let registered_text = required(Extra::RegisteredOn, "registered_on")?;
        let registered_on = Date::parse(registered_text).map_err(|_| {
            fail(
                Some("registered_on"),
                "invalid_field",
                "登记日期须为 YYYY-MM-DD 格式的有效日期".to_owned(),
                "registered_on must be a real date YYYY-MM-DD".to_owned(),
            )
        })?;
        if registered_on > today {
            return Err(fail(
                Some("registered_on"),
                "invalid_field",
                format!("登记日期晚于今天（{today}）"),
                format!("registered_on is after today ({today})"),
            ));
        }
        let phone = match extras.get(&Extra::Phone) {
            None => None,
            Some(p) => Some(normalize_phone(p).ok_or_else(|| {
                fail(
                    Some("phone"),
                    "invalid_field",
                    "联系电话须为11位手机号码或带区号的固定电话".to_owned(),
                    "phone must be an 11-digit mobile number or a landline with its area code".to_owned(),
                )
            })?),
        };
        // The contract checks the facts; the normalised ID number joins them so that a birth date
        // or sex column must agree with it.
        let id_string = id_number.to_string();
        raw.values[Field::IdNumber as usize] = Some(Raw::Cell(&id_string));
        let facts = facts_of(&raw, registered_on).map_err(|e| {
            let field = e.field.as_deref();
            fail(field, e.code.code(), e.message(Lang::Zh), e.message(Lang::En))
        })?;
        let text = |e: Extra| extras.get(&e).map(|s| (*s).to_owned());
        Ok(Registration {
            row,
            reference,
            id_number,
            name: name.to_owned(),
            phone,
            address: text(Extra::Address),
            residence_unit,
            registered_on,
            household_ref: text(Extra::HouseholdRef),
            relation: text(Extra::Relation),
            facts,
        })
    }
}

/// Digits only: an 11-digit mobile number (1[3-9]…) or a landline with its area code
/// (0 + 2–3 digits + 7–8 digits). Spaces, hyphens and a leading +86 are dropped.
pub fn normalize_phone(text: &str) -> Option<String> {
    let trimmed = text.trim();
    let without_country = trimmed.strip_prefix("+86").unwrap_or(trimmed);
    let digits: String = without_country.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let b = digits.as_bytes();
    let mobile = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
    let landline = (10..=12).contains(&b.len()) && b[0] == b'0';
    (mobile || landline).then_some(digits)
}

/// Reads a CSV file of registrations: every good row and every bad one.
pub fn read_csv(bytes: &[u8], today: Date, lang: Lang) -> Result<Vec<Result<Registration, RowError>>, FileError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.records();
    let header = match records.next() {
        None => return Err(FileError::NoHeader),
        Some(r) => r.map_err(|e| FileError::Csv(e.to_string()))?,
    };
    let header = Header::parse(header.iter())?;
    let mut rows = Vec::new();
    for (i, record) in records.enumerate() {
        let row = i + 2;
        match record {
            Ok(r) if r.iter().all(|c| c.trim().is_empty()) => {}
            Ok(r) => {
                let cells: Vec<&str> = r.iter().collect();
                rows.push(header.row(row, &cells, today, lang));
            }
            Err(e) => rows.push(Err(RowError {
                row,
                reference: None,
                field: None,
                code: "invalid_row".to_owned(),
                message: e.to_string(),
            })),
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> Date {
        Date::parse("2026-11-26").unwrap()
    }

    const HEADER: &str = "ref,id_number,name,phone,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,disabled";

    fn read(rows: &[&str]) -> Vec<Result<Registration, RowError>> {
        let text = std::iter::once(HEADER).chain(rows.iter().copied()).collect::<Vec<_>>().join("\n");
        read_csv(text.as_bytes(), today(), Lang::En).unwrap()
    }

    #[test]
    fn a_good_row_becomes_a_registration_with_its_facts() {
        let rows = read(&["r1,440106197501011232,张三,138 0013 8000,440106001,2016-03-01,true,true,true,true,false"]);
        let r = rows[0].as_ref().unwrap();
        assert_eq!(r.row, 2);
        assert_eq!(r.name, "张三");
        assert_eq!(r.phone.as_deref(), Some("13800138000"));
        assert_eq!(r.facts.birth_date, Date::parse("1975-01-01").unwrap());
        assert!(r.facts.has(yuanzhu_rules::Fact::HukouLocal));
    }

    #[test]
    fn every_bad_row_is_reported_and_good_rows_are_kept() {
        let rows = read(&[
            "ok,440106197501011232,张三,,440106001,2016-03-01,true,true,true,true,",
            "bad-id,440106197501011233,李四,,440106001,2016-03-01,true,true,true,true,",
            "bad-unit,440106197501011232,王五,,4401,2016-03-01,true,true,true,true,",
            "bad-bool,440106197501011232,赵六,,440106001,2016-03-01,yes,true,true,true,",
            "future,440106197501011232,钱七,,440106001,2027-01-01,true,true,true,true,",
            "no-name,440106197501011232,,,440106001,2016-03-01,true,true,true,true,",
            "phone,440106197501011232,孙八,12345,440106001,2016-03-01,true,true,true,true,",
            "short,440106197501011232",
        ]);
        assert!(rows[0].is_ok());
        let errors: Vec<(usize, Option<&str>, &str)> = rows[1..]
            .iter()
            .map(|r| {
                let e = r.as_ref().unwrap_err();
                (e.row, e.field.as_deref(), e.code.as_str())
            })
            .collect();
        assert_eq!(
            errors,
            [
                (3, Some("id_number"), "invalid_id_number"),
                (4, Some("residence_unit"), "invalid_field"),
                (5, Some("hukou_local"), "invalid_field"),
                (6, Some("registered_on"), "invalid_field"),
                (7, Some("name"), "missing_field"),
                (8, Some("phone"), "invalid_field"),
                (9, None, "invalid_row"),
            ]
        );
    }

    #[test]
    fn legacy_15_digit_numbers_are_upgraded_on_import() {
        let rows = read(&["r,440106750101123,张三,,440106001,2016-03-01,true,true,true,true,"]);
        assert_eq!(rows[0].as_ref().unwrap().id_number.as_str(), "440106197501011232");
    }

    #[test]
    fn the_file_needs_its_key_columns_and_no_unknown_ones() {
        let e = read_csv(b"name,residence_unit,registered_on\n", today(), Lang::Zh).unwrap_err();
        assert_eq!(e, FileError::MissingColumn("id_number"));
        let e = read_csv(b"id_number,name,residence_unit,registered_on,disabld\n", today(), Lang::Zh).unwrap_err();
        assert_eq!(e, FileError::UnknownColumn("disabld".into()));
        let e = read_csv(b"id_number,name,residence_unit,registered_on,as_of\n", today(), Lang::Zh).unwrap_err();
        assert_eq!(e, FileError::AsOf);
    }

    #[test]
    fn an_exports_categories_column_is_read_past_and_a_misspelt_one_refused() {
        let file = "id_number,name,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,categories\n\
                    440106197501011232,张三,440106001,2016-03-01,true,true,true,true,older_unemployed;not_a_category\n";
        let rows = read_csv(file.as_bytes(), today(), Lang::En).unwrap();
        assert_eq!(rows[0].as_ref().unwrap().name, "张三", "{rows:?}");
        let e = read_csv(file.replace("categories", "categorie").as_bytes(), today(), Lang::En).unwrap_err();
        assert_eq!(e, FileError::UnknownColumn("categorie".into()));
        // Only the named columns: another column of the export's kind is still unknown.
        let e = read_csv(file.replace("categories", "latest_registration").as_bytes(), today(), Lang::En).unwrap_err();
        assert_eq!(e, FileError::UnknownColumn("latest_registration".into()));
    }

    #[test]
    fn a_chinese_header_reads_as_the_fields_it_names_and_messages_name_fields_in_chinese() {
        let english = "id_number,name,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,categories";
        let chinese: Vec<&str> = english.split(',').map(|c| column_name(c, Lang::Zh)).collect();
        assert_eq!(chinese[..4], ["身份证号", "姓名", "居住地单位", "登记日期"]);
        assert!(chinese.iter().all(|c| !c.is_ascii()), "{chinese:?}");
        let row = "440106197501011232,张三,440106001,2016-03-01,true,true,true,true,older_unemployed";
        let from_zh = read_csv(format!("{}\n{row}\n", chinese.join(",")).as_bytes(), today(), Lang::Zh).unwrap();
        let from_en = read_csv(format!("{english}\n{row}\n").as_bytes(), today(), Lang::Zh).unwrap();
        assert_eq!(from_zh, from_en);
        // Both names of one column are the same column.
        let twice = read_csv("id_number,身份证号,name,residence_unit,registered_on\n".as_bytes(), today(), Lang::Zh);
        assert!(matches!(twice, Err(FileError::DuplicateColumn(_))), "{twice:?}");
        // Every field has a Chinese name that reads back as it.
        for f in Field::ALL {
            assert_eq!(column_of(column_name(f.name(), Lang::Zh)), f.name());
        }
        for (name, _) in COLUMN_NAMES_ZH {
            assert_eq!(column_of(column_name(name, Lang::Zh)), name);
        }

        let e = read_csv(
            format!("{}\n440106197501011232,,440106001,2016-03-01,true,true,true,true,\n", chinese.join(","))
                .as_bytes(),
            today(),
            Lang::Zh,
        )
        .unwrap()
        .remove(0)
        .unwrap_err();
        assert_eq!(e.message, "缺少必填字段：姓名");
    }

    #[test]
    fn phones_are_normalised_or_refused() {
        assert_eq!(normalize_phone("+86 138-0013-8000").as_deref(), Some("13800138000"));
        assert_eq!(normalize_phone("020-83826770").as_deref(), Some("02083826770"));
        for bad in ["12345", "23800138000", "phone", "138001380001"] {
            assert_eq!(normalize_phone(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn reading_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut text = HEADER.as_bytes().to_vec();
            text.push(b'\n');
            text.extend(bytes);
            let _ = read_csv(&text, today(), Lang::Zh);
        }
    }
}
