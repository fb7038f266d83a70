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

use yuanzhu_rules::contract::{ErrorCode, Field, Problem, Raw, RawRecord, RecordError, facts_of, required};
use yuanzhu_rules::{Date, FactSet, Facts, IdNumber, Lang, PolicySet};

use crate::text::{self, TextField};
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
    /// What the row says; a column it lacks reads as the contract reads an absent field.
    pub facts: Facts,
    /// Which columns the row gives, and which of them hold a value. For a person already
    /// registered, a column the row lacks leaves the stored value as it is; an empty one clears it.
    pub given: Given,
    /// The version of the person's file that the change was based on: a registration through the
    /// API or the page says which file it corrects; an import (a batch, last writer wins) does not.
    pub base_version: Option<i64>,
}

/// The registration columns that are not contract fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Extra {
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

/// The columns a row gives: `present` (in the file's header, a key of the body, a field of the
/// form), and `filled` (present and not empty). Contract fields are bits by their index, the
/// registration's own columns after them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Given {
    present: u64,
    filled: u64,
}

const EXTRA_BASE: u32 = 40;

impl Given {
    /// Every column, every one filled: a registration made whole, as the demo registry makes them.
    pub const fn all() -> Given {
        Given { present: u64::MAX, filled: u64::MAX }
    }

    const fn bit_of_field(f: Field) -> u64 {
        1 << (f as u32)
    }

    const fn bit_of_extra(e: Extra) -> u64 {
        1 << (EXTRA_BASE + e as u32)
    }

    fn mark(&mut self, bit: u64, filled: bool) {
        self.present |= bit;
        if filled {
            self.filled |= bit;
        }
    }

    /// Whether the row has this field's column (empty or not).
    pub const fn has_field(self, f: Field) -> bool {
        self.present & Given::bit_of_field(f) != 0
    }

    /// Whether the row gives this field a value.
    pub const fn fills_field(self, f: Field) -> bool {
        self.filled & Given::bit_of_field(f) != 0
    }

    pub const fn has_extra(self, e: Extra) -> bool {
        self.present & Given::bit_of_extra(e) != 0
    }

    /// The yes/no facts whose column the row has: answered where filled, made unknown where empty.
    pub fn facts(self) -> FactSet {
        Given::fact_bits(self.present)
    }

    /// The yes/no facts the row answers (yes or no).
    pub fn answered(self) -> FactSet {
        Given::fact_bits(self.filled)
    }

    fn fact_bits(bits: u64) -> FactSet {
        let mut set = FactSet::default();
        for f in Field::ALL {
            if let Some(fact) = f.fact()
                && bits & Given::bit_of_field(f) != 0
            {
                set.set(fact, true);
            }
        }
        set
    }
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

impl RowError {
    /// A row about a person or a unit outside the importer's jurisdiction. The same words for
    /// both, so that a refused row does not tell whether the ID number is registered elsewhere.
    pub fn outside_jurisdiction(reg: &Registration, lang: Lang) -> RowError {
        RowError {
            row: reg.row,
            reference: reg.reference.clone(),
            field: Some("residence_unit".to_owned()),
            code: "outside_jurisdiction".to_owned(),
            message: match lang {
                Lang::Zh => "本行的居住单位或人员不在您的管辖范围内，本行未导入".to_owned(),
                Lang::En => {
                    "the unit of residence or the person of this row is outside your jurisdiction: the row was not imported"
                        .to_owned()
                }
            },
        }
    }

    /// A row whose unit of residence is not in the unit tree.
    pub fn unknown_unit(reg: &Registration, lang: Lang) -> RowError {
        RowError {
            row: reg.row,
            reference: reg.reference.clone(),
            field: Some("residence_unit".to_owned()),
            code: "unknown_unit".to_owned(),
            message: match lang {
                Lang::Zh => format!("单位代码 {} 不在单位树中", reg.residence_unit),
                Lang::En => format!("unit {} is not in the unit tree", reg.residence_unit),
            },
        }
    }

    /// A row that would move a person on file at `on_file` to another unit: a move of residence
    /// is a transfer, proposed by one unit and accepted by the other, never a side effect of a
    /// registration.
    pub fn transfer_required(reg: &Registration, on_file: &str, lang: Lang) -> RowError {
        let unit = &reg.residence_unit;
        RowError {
            row: reg.row,
            reference: reg.reference.clone(),
            field: Some("residence_unit".to_owned()),
            code: "transfer_required".to_owned(),
            message: match lang {
                Lang::Zh => format!(
                    "居住单位 {unit} 与档案中的 {on_file} 不同：迁移居住地须从档案中办理“转移”，经另一单位确认，登记不会改变居住单位"
                ),
                Lang::En => format!(
                    "unit {unit} differs from the file's {on_file}: a move of residence is a transfer, made from the person's file and accepted by the other unit; a registration never changes it"
                ),
            },
        }
    }
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

/// The Chinese names of the ledgers export's columns (第十九条 台帐), which no import reads.
const LEDGER_COLUMN_NAMES_ZH: [(&str, &str); 9] = [
    ("id_number", "身份证号"),
    ("name", "姓名"),
    ("seq", "序号"),
    ("at", "时间"),
    ("actor", "经办人"),
    ("action", "事项"),
    ("entity", "对象"),
    ("policy", "政策"),
    ("summary", "摘要"),
];

/// A column of the ledgers export as its header in `lang` names it; one that is no column of
/// it stays as it is.
pub fn ledger_column_name(name: &str, lang: Lang) -> &str {
    match LEDGER_COLUMN_NAMES_ZH.iter().find(|(n, _)| *n == name) {
        Some((_, zh)) if lang == Lang::Zh => zh,
        _ => name,
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

/// An ID number of the right form, for checking the other fields of a row whose own ID number
/// is wrong (that problem is reported by itself).
const STAND_IN_ID: &str = "11010519491231002X";

/// A cell's value, or `None` when it is empty: an empty cell, a blank string or a JSON `null`.
fn value_of(cell: Raw<'_>) -> Option<Raw<'_>> {
    match cell {
        Raw::Cell(s) => Some(crate::spreadsheet::read_cell(s)).filter(|t| !t.is_empty()).map(Raw::Cell),
        Raw::Json(v) if v.is_null() => None,
        Raw::Json(v) => match v.as_str() {
            Some(s) if s.trim().is_empty() => None,
            Some(s) => Some(Raw::Cell(s.trim())),
            None => Some(Raw::Json(v)),
        },
    }
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

    /// Reads one row of text cells (a file's); `row` is its spreadsheet row number, `today` bounds
    /// registration dates. A row with several problems is reported by the first.
    pub fn row(&self, row: usize, cells: &[&str], today: Date, lang: Lang) -> Result<Registration, RowError> {
        let cells: Vec<Raw<'_>> = cells.iter().map(|c| Raw::Cell(c)).collect();
        self.read(row, &cells, today, lang, None).map_err(|mut problems| problems.swap_remove(0))
    }

    /// Reads one row of cells, text or typed JSON values, and reports every problem it has (at
    /// least one when it is refused), in the order of the columns' checks: the row's key
    /// columns, the person's text, then the contract's fields in the contract's order; with
    /// `policies`, then the questions the policy in force on the registration date requires that
    /// the row gives empty (see [`Registration::unanswered`]).
    pub fn read(
        &self,
        row: usize,
        cells: &[Raw<'_>],
        today: Date,
        lang: Lang,
        policies: Option<&PolicySet>,
    ) -> Result<Registration, Vec<RowError>> {
        let reference =
            self.columns.iter().zip(cells).find(|(c, _)| matches!(c, Column::Contract(Field::Ref))).and_then(
                |(_, v)| match value_of(*v) {
                    Some(Raw::Cell(s)) => Some(s.chars().take(TextField::Reference.max_chars()).collect::<String>()),
                    _ => None,
                },
            );
        let fail = |field: Option<&str>, code: &str, zh: String, en: String| RowError {
            row,
            reference: reference.clone(),
            field: field.map(str::to_owned),
            code: code.to_owned(),
            message: if lang == Lang::Zh { zh } else { en },
        };
        if cells.len() != self.columns.len() {
            return Err(vec![fail(
                None,
                "invalid_row",
                format!("该行有{}个单元格，表头有{}列", cells.len(), self.columns.len()),
                format!("the row has {} cells, the header {}", cells.len(), self.columns.len()),
            )]);
        }
        let mut errors = Vec::new();
        let mut given = Given::default();
        let mut extras: HashMap<Extra, &str> = HashMap::new();
        let mut raw = RawRecord::default();
        let mut id_value: Option<Raw<'_>> = None;
        for (column, cell) in self.columns.iter().zip(cells) {
            let value = value_of(*cell);
            match column {
                Column::Contract(f) => given.mark(Given::bit_of_field(*f), value.is_some()),
                Column::Extra(e) => given.mark(Given::bit_of_extra(*e), value.is_some()),
                Column::Ignored => {}
            }
            let Some(value) = value else { continue };
            match column {
                Column::Contract(Field::IdNumber) => id_value = Some(value),
                Column::Contract(f) => raw.values[*f as usize] = Some(value),
                Column::Extra(e) => match value {
                    Raw::Cell(text) => {
                        extras.insert(*e, text);
                    }
                    Raw::Json(_) => {
                        let name = EXTRAS.iter().find(|(_, x)| x == e).map_or("", |(n, _)| *n);
                        errors.push(fail(
                            Some(name),
                            "invalid_field",
                            format!("{}须为文本", column_name(name, Lang::Zh)),
                            format!("{name} must be a string"),
                        ));
                    }
                },
                Column::Ignored => {}
            }
        }
        let required = |errors: &mut Vec<RowError>, extra: Extra, name: &str| {
            let found = extras.get(&extra).copied();
            if found.is_none() && !errors.iter().any(|e| e.field.as_deref() == Some(name)) {
                errors.push(fail(
                    Some(name),
                    "missing_field",
                    format!("缺少必填字段：{}", column_name(name, Lang::Zh)),
                    format!("required field {name} is missing"),
                ));
            }
            found
        };
        let text_ok = |errors: &mut Vec<RowError>, field: TextField, value: &str| {
            let checked = text::check(field, value);
            if let Err(p) = checked {
                errors.push(fail(Some(field.key()), p.code(), p.message(field, Lang::Zh), p.message(field, Lang::En)));
            }
            checked.is_ok()
        };
        let name = required(&mut errors, Extra::Name, "name");
        let name = name.filter(|n| text_ok(&mut errors, TextField::Name, n));
        let id_number = match id_value {
            None => {
                errors.push(fail(
                    Some("id_number"),
                    "missing_field",
                    "缺少必填字段：身份证号".to_owned(),
                    "required field id_number is missing".to_owned(),
                ));
                None
            }
            Some(Raw::Json(_)) => {
                errors.push(fail(
                    Some("id_number"),
                    "invalid_field",
                    "身份证号须为文本".to_owned(),
                    "id_number must be a string".to_owned(),
                ));
                None
            }
            Some(Raw::Cell(text)) => match IdNumber::parse_or_upgrade(text) {
                Ok(id) => Some(id),
                Err(e) => {
                    errors.push(fail(Some("id_number"), "invalid_id_number", e.message(Lang::Zh), e.message(Lang::En)));
                    None
                }
            },
        };
        let residence_unit = required(&mut errors, Extra::ResidenceUnit, "residence_unit").and_then(|text| {
            match UnitCode::parse(text) {
                Ok(unit) => Some(unit),
                Err(e) => {
                    errors.push(fail(
                        Some("residence_unit"),
                        "invalid_field",
                        format!("居住地单位须为6、9或12位的区划代码，实际为“{}”", e.0),
                        e.to_string(),
                    ));
                    None
                }
            }
        });
        let registered_on = required(&mut errors, Extra::RegisteredOn, "registered_on").and_then(|text| {
            let problem = match Date::parse(text) {
                Ok(d) if d <= today => return Some(d),
                Ok(_) => (format!("登记日期晚于今天（{today}）"), format!("registered_on is after today ({today})")),
                Err(_) => (
                    "登记日期须为 YYYY-MM-DD 格式的有效日期".to_owned(),
                    "registered_on must be a real date YYYY-MM-DD".to_owned(),
                ),
            };
            errors.push(fail(Some("registered_on"), "invalid_field", problem.0, problem.1));
            None
        });
        let phone = match extras.get(&Extra::Phone) {
            Some(p) if text_ok(&mut errors, TextField::Phone, p) => match normalize_phone(p) {
                Some(p) => Some(p),
                None => {
                    errors.push(fail(
                        Some("phone"),
                        "invalid_field",
                        "联系电话须为11位手机号码或带区号的固定电话".to_owned(),
                        "phone must be an 11-digit mobile number or a landline with its area code".to_owned(),
                    ));
                    None
                }
            },
            _ => None,
        };
        let mut text = |e: Extra, field: TextField| {
            extras.get(&e).filter(|v| text_ok(&mut errors, field, v)).map(|v| (*v).to_owned())
        };
        let address = text(Extra::Address, TextField::Address);
        let household_ref = text(Extra::HouseholdRef, TextField::HouseholdRef);
        let relation = text(Extra::Relation, TextField::Relation);
        if let Some(Raw::Cell(r)) = raw.values[Field::Ref as usize] {
            text_ok(&mut errors, TextField::Reference, r);
        }
        // The contract checks the facts, as of the registration date; the normalised ID number
        // joins them so that a birth date or sex column must agree with it. Each field found
        // wrong is reported and set aside, and the rest checked again, so that every wrong field
        // is named at once.
        let id_string = id_number.as_ref().map_or_else(
            || {
                raw.values[Field::BirthDate as usize] = None;
                raw.values[Field::Sex as usize] = None;
                STAND_IN_ID.to_owned()
            },
            ToString::to_string,
        );
        raw.values[Field::IdNumber as usize] = Some(Raw::Cell(&id_string));
        let as_of = registered_on.unwrap_or(today);
        let facts = loop {
            match facts_of(&raw, as_of) {
                Ok(facts) => break Some(facts),
                Err(e) => {
                    let field = e.field.as_deref().and_then(Field::from_name).filter(|f| *f != Field::IdNumber);
                    if id_number.is_some() || field.is_some() {
                        errors.push(fail(e.field.as_deref(), e.code.code(), e.message(Lang::Zh), e.message(Lang::En)));
                    }
                    match field {
                        Some(f) if raw.values[f as usize].is_some() => raw.values[f as usize] = None,
                        _ => break None,
                    }
                }
            }
        };
        if let (Some(policies), Some(on)) = (policies, registered_on) {
            errors.extend(given.unanswered(on, policies, row, reference.as_deref(), lang).cleared);
        }
        match (name, id_number, residence_unit, registered_on, facts) {
            (Some(name), Some(id_number), Some(residence_unit), Some(registered_on), Some(facts))
                if errors.is_empty() =>
            {
                Ok(Registration {
                    row,
                    reference,
                    id_number,
                    name: name.to_owned(),
                    phone,
                    address,
                    residence_unit,
                    registered_on,
                    household_ref,
                    relation,
                    facts,
                    given,
                    base_version: None,
                })
            }
            _ if errors.is_empty() => {
                Err(vec![fail(None, "invalid_row", "该行无法读取".to_owned(), "the row cannot be read".to_owned())])
            }
            _ => Err(errors),
        }
    }
}

/// The required questions of a registration that it leaves without an answer.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Unanswered {
    /// Given empty: refused, whoever the person is (an empty cell is an absent field).
    pub cleared: Vec<RowError>,
    /// Not asked at all (the column is missing): refused for a person not yet registered; a
    /// person already registered keeps the answer on file.
    pub absent: Vec<RowError>,
}

impl Registration {
    /// What the policy in force on the registration date requires and this registration does not
    /// answer, checked as the contract checks a record as of that date. A date no policy covers
    /// requires nothing: the registration is recorded, and nobody is recognised under it.
    pub fn unanswered(&self, policies: &PolicySet, lang: Lang) -> Unanswered {
        self.given.unanswered(self.registered_on, policies, self.row, self.reference.as_deref(), lang)
    }
}

impl Given {
    /// [`Registration::unanswered`] for a row registered on `on`.
    fn unanswered(self, on: Date, policies: &PolicySet, row: usize, reference: Option<&str>, lang: Lang) -> Unanswered {
        let mut out = Unanswered::default();
        let Some(policy) = policies.in_force_on(on) else { return out };
        let g = self;
        for &field in required(policy) {
            // Under gd-2023-11 either hukou field answers the hukou question (precise point 5).
            let columns: &[Field] =
                if field == Field::HukouInProvince { &[Field::HukouLocal, Field::HukouInProvince] } else { &[field] };
            if columns.iter().any(|f| g.fills_field(*f)) {
                continue;
            }
            let e = RecordError::new(ErrorCode::MissingField, field, Problem::Missing);
            let error = RowError {
                row,
                reference: reference.map(str::to_owned),
                field: Some(field.name().to_owned()),
                code: e.code.code().to_owned(),
                message: e.message(lang),
            };
            if columns.iter().all(|f| g.has_field(*f)) {
                out.cleared.push(error);
            } else {
                out.absent.push(error);
            }
        }
        out
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

    #[test]
    fn a_row_says_which_columns_it_gives_and_which_it_leaves_empty() {
        let file = "id_number,name,phone,residence_unit,registered_on,hukou_local,disabled\n\
                    440106197501011232,张三,,440106001,2016-03-01,true,\n";
        let r = read_csv(file.as_bytes(), today(), Lang::En).unwrap().remove(0).unwrap();
        let g = r.given;
        assert!(g.has_extra(Extra::Phone) && !g.has_extra(Extra::Address), "phone is given empty, address not at all");
        assert!(g.has_field(Field::Disabled) && !g.fills_field(Field::Disabled), "disabled: given empty");
        assert!(g.fills_field(Field::HukouLocal) && !g.has_field(Field::AbleToWork));
        assert!(g.facts().has(yuanzhu_rules::Fact::Disabled) && !g.answered().has(yuanzhu_rules::Fact::Disabled));
    }

    #[test]
    fn every_problem_of_a_row_is_reported_at_once() {
        let header = Header::parse([
            "id_number",
            "name",
            "phone",
            "residence_unit",
            "registered_on",
            "hukou_local",
            "unemployed_since",
            "address",
        ])
        .unwrap();
        let long = "路".repeat(201);
        let cells =
            ["440106197501011233", "张\u{202E}三", "123", "4401", "2016-03-01", "yes", "2016-13-01", long.as_str()];
        let errors = header.read(2, &cells.map(Raw::Cell), today(), Lang::En, None).unwrap_err();
        let fields: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_deref().unwrap(), e.code.as_str())).collect();
        assert_eq!(
            fields,
            [
                ("name", "invalid_field"),
                ("id_number", "invalid_id_number"),
                ("residence_unit", "invalid_field"),
                ("phone", "invalid_field"),
                ("address", "too_long"),
                ("hukou_local", "invalid_field"),
                ("unemployed_since", "invalid_field"),
            ]
        );
        // One problem per row for a file: the first.
        let first = header.row(2, &cells, today(), Lang::En).unwrap_err();
        assert_eq!(first, errors[0]);
    }

    #[test]
    fn a_json_number_where_text_belongs_is_an_invalid_field_naming_it() {
        let body = serde_json::json!({
            "id_number": "440106197501011232", "name": 123, "phone": 13800138000_u64,
            "residence_unit": "440106001", "registered_on": "2016-03-01", "hukou_local": true,
            "address": null
        });
        let map = body.as_object().unwrap();
        let header = Header::parse(map.keys().map(String::as_str)).unwrap();
        let cells: Vec<Raw<'_>> = map.values().map(Raw::Json).collect();
        let errors = header.read(1, &cells, today(), Lang::Zh, None).unwrap_err();
        let mut fields: Vec<(&str, &str)> =
            errors.iter().map(|e| (e.field.as_deref().unwrap(), e.code.as_str())).collect();
        fields.sort_unstable();
        assert_eq!(fields, [("name", "invalid_field"), ("phone", "invalid_field")], "{errors:?}");
        let id_as_number = serde_json::json!({"id_number": 440106197501011232_u64, "name": "张三",
            "residence_unit": "440106001", "registered_on": "2016-03-01"});
        let map = id_as_number.as_object().unwrap();
        let header = Header::parse(map.keys().map(String::as_str)).unwrap();
        let cells: Vec<Raw<'_>> = map.values().map(Raw::Json).collect();
        let errors = header.read(1, &cells, today(), Lang::Zh, None).unwrap_err();
        assert_eq!((errors[0].field.as_deref(), errors[0].code.as_str()), (Some("id_number"), "invalid_field"));
    }

    #[test]
    fn a_required_question_left_empty_is_refused_and_one_left_out_waits_for_the_file() {
        let policies = PolicySet::embedded();
        // 2016: 穗人社发〔2014〕4号 requires hukou_local, registered_unemployed, able_to_work and
        // willing_to_be_assisted. hukou_local is given empty, the other three not at all.
        let file =
            "id_number,name,residence_unit,registered_on,hukou_local\n440106197501011232,张三,440106001,2016-03-01,\n";
        let r = read_csv(file.as_bytes(), today(), Lang::En).unwrap().remove(0).unwrap();
        let u = r.unanswered(&policies, Lang::En);
        let names = |v: &[RowError]| v.iter().map(|e| e.field.clone().unwrap()).collect::<Vec<_>>();
        assert_eq!(names(&u.cleared), ["hukou_local"]);
        assert_eq!(names(&u.absent), ["registered_unemployed", "able_to_work", "willing_to_be_assisted"]);
        assert!(u.cleared.iter().all(|e| e.code == "missing_field"));
        // 2024: 粤人社规〔2023〕11号 takes either hukou field.
        let file = "id_number,name,residence_unit,registered_on,hukou_in_province,without_work,able_to_work,willing_to_be_assisted\n\
                    440106197501011232,张三,440106001,2024-03-01,true,true,true,false\n";
        let r = read_csv(file.as_bytes(), today(), Lang::En).unwrap().remove(0).unwrap();
        assert_eq!(r.unanswered(&policies, Lang::En), Unanswered::default());
        // A date no policy covers asks nothing.
        let file = "id_number,name,residence_unit,registered_on\n440106197501011232,张三,440106001,2020-03-01\n";
        let r = read_csv(file.as_bytes(), today(), Lang::En).unwrap().remove(0).unwrap();
        assert_eq!(r.unanswered(&policies, Lang::En), Unanswered::default());
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
