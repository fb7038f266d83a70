//! Exports of the registry: one row per person with the categories recognised now and the latest
//! unemployment registration (the one that counts), as CSV or xlsx.
//!
//! The header holds the machine names of the import columns (`id_number`, `name`, …), not Chinese
//! titles, so that a column means the same in both directions. `latest_registration` and
//! `categories` are the export's own.

use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use sqlx::{AssertSqlSafe, Row};

use crate::accounts::subtree_pattern;
use crate::audit::{self, NewEvent};
use crate::{Store, StoreError};

/// One person, as an export shows them. Dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PersonExportRow {
    pub id_number: String,
    pub name: String,
    /// `female` or `male`.
    pub sex: String,
    pub birth_date: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    /// A unit code.
    pub residence_unit: String,
    pub latest_registration: Option<String>,
    /// Codes of the categories recognised now (no end date), in the order they were recognised.
    pub categories: Vec<String>,
}

/// The header of both formats, in column order.
pub const COLUMNS: [&str; 9] = [
    "id_number",
    "name",
    "sex",
    "birth_date",
    "phone",
    "address",
    "residence_unit",
    "latest_registration",
    "categories",
];

/// Columns whose digits are an identifier, not a quantity: in xlsx they are text cells in text-
/// formatted columns, so that a spreadsheet neither rounds an ID number to 15 digits nor drops a
/// landline's leading zero, now or when someone edits the cell later.
const TEXT_COLUMNS: [u16; 3] = [0, 4, 6];

/// How categories are joined in one cell.
pub const CATEGORY_SEPARATOR: &str = ";";

/// The most rows an xlsx worksheet holds, the header included.
const XLSX_MAX_ROWS: usize = 1_048_576;

impl PersonExportRow {
    /// The cells in [`COLUMNS`] order, given the joined categories.
    fn cells<'a>(&'a self, categories: &'a str) -> [&'a str; 9] {
        [
            &self.id_number,
            &self.name,
            &self.sex,
            &self.birth_date,
            self.phone.as_deref().unwrap_or(""),
            self.address.as_deref().unwrap_or(""),
            &self.residence_unit,
            self.latest_registration.as_deref().unwrap_or(""),
            categories,
        ]
    }
}

/// Every person, ordered by ID number. One statement, so that the rows are one consistent
/// snapshot on both engines (a second query could see a later import on PostgreSQL).
pub async fn persons_rows(store: &Store) -> Result<Vec<PersonExportRow>, StoreError> {
    let rows = sqlx::query(AssertSqlSafe(format!("{SELECT_ROWS} ORDER BY p.id_number, c.recognized_on, c.category")))
        .fetch_all(store.pool())
        .await?;
    group(&rows)
}

/// The persons of one jurisdiction: those whose unit of residence or of hukou lies under
/// `unit_prefix` (a unit code; the city's code stands for its whole tree), as the rules of access
/// reach them.
pub async fn persons_rows_in(store: &Store, unit_prefix: &str) -> Result<Vec<PersonExportRow>, StoreError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{SELECT_ROWS} WHERE p.residence_unit LIKE $1 ESCAPE '\\' OR p.hukou_unit LIKE $1 ESCAPE '\\' \
         ORDER BY p.id_number, c.recognized_on, c.category"
    )))
    .bind(subtree_pattern(unit_prefix))
    .fetch_all(store.pool())
    .await?;
    group(&rows)
}

/// Records in the audit trail that `actor` exported `persons` persons of `unit_prefix`: a copy of
/// the registry leaving the system is as much a disclosure as an opened file.
pub async fn record_export(
    store: &Store,
    actor: &str,
    unit_prefix: &str,
    format: &str,
    persons: usize,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    audit::append(
        &mut tx,
        NewEvent {
            actor,
            action: "registry.exported",
            entity: "unit",
            entity_id: unit_prefix,
            after: Some(serde_json::json!({ "format": format, "persons": persons })),
            ..NewEvent::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

const SELECT_ROWS: &str = "SELECT p.id_number, p.name, p.sex, p.birth_date, p.phone, p.address, p.residence_unit, \
     (SELECT MAX(u.registered_on) FROM unemployment_registrations u WHERE u.person_id = p.id) AS latest_registration, \
     c.category \
     FROM persons p LEFT JOIN recognitions c ON c.person_id = p.id AND c.ended_on IS NULL";

/// One row per person from the rows of [`SELECT_ROWS`], ordered by person.
fn group(rows: &[sqlx::any::AnyRow]) -> Result<Vec<PersonExportRow>, StoreError> {
    let mut out: Vec<PersonExportRow> = Vec::new();
    for row in rows {
        let id_number: String = row.try_get("id_number")?;
        let category: Option<String> = row.try_get("category")?;
        if let Some(last) = out.last_mut().filter(|p| p.id_number == id_number) {
            // A category recognised under two policy versions is one category.
            if let Some(c) = category.filter(|c| !last.categories.contains(c)) {
                last.categories.push(c);
            }
            continue;
        }
        out.push(PersonExportRow {
            id_number,
            name: row.try_get("name")?,
            sex: row.try_get("sex")?,
            birth_date: row.try_get("birth_date")?,
            phone: row.try_get("phone")?,
            address: row.try_get("address")?,
            residence_unit: row.try_get("residence_unit")?,
            latest_registration: row.try_get("latest_registration")?,
            categories: category.into_iter().collect(),
        });
    }
    // Byte order, whatever the database's collation.
    out.sort_by(|a, b| a.id_number.cmp(&b.id_number));
    Ok(out)
}

/// Writes the rows as CSV (UTF-8, no byte-order mark), header first.
pub fn write_csv(rows: &[PersonExportRow], out: impl Write) -> Result<(), StoreError> {
    let fail = |e: csv::Error| StoreError::Io(format!("cannot write the CSV file: {e}"));
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS).map_err(fail)?;
    for row in rows {
        let categories = row.categories.join(CATEGORY_SEPARATOR);
        w.write_record(row.cells(&categories)).map_err(fail)?;
    }
    w.flush().map_err(|e| StoreError::Io(format!("cannot write the CSV file: {e}")))
}

/// Writes the rows as an xlsx workbook with one worksheet, `persons`.
pub fn write_xlsx(rows: &[PersonExportRow], path: &Path) -> Result<(), StoreError> {
    if rows.len() >= XLSX_MAX_ROWS {
        return Err(StoreError::Io(format!(
            "an xlsx worksheet holds at most {} persons and there are {}: export as CSV instead",
            XLSX_MAX_ROWS - 1,
            rows.len()
        )));
    }
    workbook(rows)
        .and_then(|mut book| book.save(path))
        .map_err(|e| StoreError::Io(format!("cannot write the xlsx file: {e}")))
}

/// The rows as the bytes of an xlsx workbook, for sending rather than saving.
pub fn xlsx_bytes(rows: &[PersonExportRow]) -> Result<Vec<u8>, StoreError> {
    if rows.len() >= XLSX_MAX_ROWS {
        return Err(StoreError::Io(format!(
            "an xlsx worksheet holds at most {} persons and there are {}: export as CSV instead",
            XLSX_MAX_ROWS - 1,
            rows.len()
        )));
    }
    workbook(rows)
        .and_then(|mut book| book.save_to_buffer())
        .map_err(|e| StoreError::Io(format!("cannot write the xlsx file: {e}")))
}

fn workbook(rows: &[PersonExportRow]) -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("persons")?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (c, width) in [20.0, 12.0, 8.0, 12.0, 14.0, 36.0, 14.0, 18.0, 40.0].into_iter().enumerate() {
        sheet.set_column_width(c as u16, width)?;
    }
    for c in TEXT_COLUMNS {
        sheet.set_column_format(c, &text)?;
    }
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (i, row) in rows.iter().enumerate() {
        // Below XLSX_MAX_ROWS, checked by the caller: fits in u32.
        let r = (i + 1) as u32;
        let categories = row.categories.join(CATEGORY_SEPARATOR);
        for (c, value) in row.cells(&categories).into_iter().enumerate() {
            let c = c as u16;
            // An absent value stays an empty cell rather than an empty string.
            if value.is_empty() {
                continue;
            }
            if TEXT_COLUMNS.contains(&c) {
                sheet.write_string_with_format(r, c, value, &text)?;
            } else {
                sheet.write_string(r, c, value)?;
            }
        }
    }
    Ok(book)
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader, Xlsx};

    use super::*;

    fn person(id_number: &str, phone: Option<&str>, categories: &[&str]) -> PersonExportRow {
        PersonExportRow {
            id_number: id_number.to_owned(),
            name: "张三".to_owned(),
            sex: "male".to_owned(),
            birth_date: "1975-01-01".to_owned(),
            phone: phone.map(str::to_owned),
            address: Some("越秀区东山街道, \"一号\"".to_owned()),
            residence_unit: "440104011".to_owned(),
            latest_registration: Some("2016-03-01".to_owned()),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn id_numbers_phones_and_unit_codes_are_text_cells_in_xlsx() {
        let rows = [
            person("440106197501011232", Some("02083826770"), &["older_unemployed", "disabled"]),
            person("11010519491231002X", None, &[]),
        ];
        let bytes = workbook(&rows).unwrap().save_to_buffer().unwrap();
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), ["persons"]);
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let header: Vec<&Data> = sheet.rows().next().unwrap().iter().collect();
        assert_eq!(header, COLUMNS.map(|c| Data::String(c.to_owned())).iter().collect::<Vec<_>>());
        let text = |r: u32, c: u32| sheet.get_value((r, c)).cloned();
        assert_eq!(text(1, 0), Some(Data::String("440106197501011232".into())));
        assert_eq!(text(1, 4), Some(Data::String("02083826770".into())));
        assert_eq!(text(1, 6), Some(Data::String("440104011".into())));
        assert_eq!(text(1, 8), Some(Data::String("older_unemployed;disabled".into())));
        assert_eq!(text(2, 0), Some(Data::String("11010519491231002X".into())));
        assert_eq!(text(2, 4), Some(Data::Empty));
        assert_eq!(text(2, 8), Some(Data::Empty));
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_joins_categories() {
        let mut out = Vec::new();
        write_csv(&[person("440106197501011232", Some("13800138000"), &["older_unemployed", "disabled"])], &mut out)
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "id_number,name,sex,birth_date,phone,address,residence_unit,latest_registration,categories\n\
             440106197501011232,张三,male,1975-01-01,13800138000,\"越秀区东山街道, \"\"一号\"\"\",440104011,2016-03-01,\
             older_unemployed;disabled\n"
        );
    }
}
