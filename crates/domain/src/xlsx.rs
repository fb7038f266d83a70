//! Registration files in xlsx form, read exactly as [`read_csv`](crate::registration::read_csv)
//! reads CSV: the first worksheet, its first row the header, every other non-empty row one
//! registration or one reported error, numbered as the spreadsheet numbers its rows.
//!
//! A spreadsheet types its cells and CSV does not, so each cell is first turned back into the text
//! a caseworker typed. Where the spreadsheet has already lost that text, the row is refused rather
//! than guessed at (see `cell_text`).

use std::io::Cursor;

use calamine::{Data, ExcelDateTime, Reader, Xlsx};
use yuanzhu_rules::{Date, Lang};

use crate::registration::{FileError, Header, Registration, RowError};

/// An xlsx file that cannot be read as registrations at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XlsxError {
    #[error("the file cannot be read as an xlsx workbook: {0}")]
    Workbook(String),
    #[error(transparent)]
    File(#[from] FileError),
}

/// Excel keeps 15 significant digits of a number, and an `f64` holds every whole number only up
/// to 2^53 (about 9.007 × 10^15): a whole number below 10^15 survives both exactly.
const EXACT_BELOW: f64 = 1e15;

/// Reads the first worksheet of an xlsx file of registrations: every good row and every bad one.
pub fn read_xlsx(bytes: &[u8], today: Date, lang: Lang) -> Result<Vec<Result<Registration, RowError>>, XlsxError> {
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(|e| XlsxError::Workbook(e.to_string()))?;
    let sheet = match workbook.worksheet_range_at(0) {
        None => return Err(FileError::NoHeader.into()),
        Some(sheet) => sheet.map_err(|e| XlsxError::Workbook(e.to_string()))?,
    };
    // The used range may start below row 1 or right of column A; rows keep their sheet numbers.
    let first_row = sheet.start().map_or(0, |(row, _)| row as usize);
    let mut rows = sheet.rows();
    let Some(header_cells) = rows.next() else { return Err(FileError::NoHeader.into()) };
    let names: Vec<String> = header_cells.iter().map(|c| cell_text(c).unwrap_or_else(|_| c.to_string())).collect();
    // Empty cells right of the last column name are formatting, not columns.
    let width = names.iter().rposition(|n| !n.trim().is_empty()).map_or(0, |i| i + 1);
    let names = &names[..width];
    let header = Header::parse(names.iter().map(String::as_str))?;
    let ref_column = names.iter().position(|n| n.trim() == "ref");

    let mut out = Vec::new();
    for (i, cells) in rows.enumerate() {
        let row = first_row + i + 2;
        let used = cells.iter().rposition(|c| !is_blank(c)).map_or(0, |i| i + 1);
        if used == 0 {
            continue;
        }
        // A value right of the header is kept, so that the row is refused for its extra cell as a
        // CSV row would be.
        let cells = &cells[..used.max(width)];
        let mut texts = Vec::with_capacity(cells.len());
        let mut problem = None;
        for (column, cell) in cells.iter().enumerate() {
            match cell_text(cell) {
                Ok(text) => texts.push(text),
                Err(p) => {
                    if column < width && problem.is_none() {
                        problem = Some((column, p));
                    }
                    texts.push(String::new());
                }
            }
        }
        if let Some((column, p)) = problem {
            let reference = ref_column.and_then(|c| texts.get(c)).filter(|r| !r.is_empty()).cloned();
            out.push(Err(cell_error(row, reference, names[column].trim(), p, lang)));
            continue;
        }
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        out.push(header.row(row, &texts, today, lang));
    }
    Ok(out)
}

/// Why a cell's value cannot stand for what was typed into it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CellProblem {
    /// A whole number too long for the spreadsheet to have kept every digit.
    LostDigits,
    /// A formula that failed: `#N/A`, `#VALUE!`, ….
    Error(String),
}

fn is_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// The text a cell stands for, as it would appear in a CSV file:
/// - text as it is;
/// - a whole number without a decimal point or exponent (an ID number, unit code or phone number
///   typed into a cell formatted as a number), other numbers in their shortest exact form;
/// - `true` or `false`;
/// - a date as `YYYY-MM-DD` (with its time, `YYYY-MM-DD HH:MM:SS`, when it has one, so that a
///   date column refuses it as it would in CSV).
///
/// A whole number of 10^15 or more is refused. An 18-digit ID number typed into a number cell has
/// already lost its last digits: Excel keeps 15 significant digits (440106197501011232 is stored
/// as 440106197501011000), and a file written by another program holds an `f64`, exact only to
/// 2^53. Formatting such a cell as a number would yield a different, possibly valid, ID number
/// and file the registration under someone else; so the row is refused and the caseworker told to
/// retype the column as text. A 15-digit legacy ID number still fits, and is accepted.
fn cell_text(cell: &Data) -> Result<String, CellProblem> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => number_text(*f)?,
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => date_time_text(d),
        Data::DateTime(d) => number_text(d.as_f64())?,
        Data::DateTimeIso(s) => match s.split_once('T') {
            Some((date, time)) if time.chars().all(|c| matches!(c, '0' | ':' | '.')) => date.to_owned(),
            _ => s.replace('T', " "),
        },
        Data::Error(e) => return Err(CellProblem::Error(e.to_string())),
    })
}

fn number_text(f: f64) -> Result<String, CellProblem> {
    if !f.is_finite() || f.fract() != 0.0 {
        // Rust prints the shortest text that reads back as the same f64, never with an exponent.
        return Ok(f.to_string());
    }
    if f.abs() >= EXACT_BELOW {
        return Err(CellProblem::LostDigits);
    }
    // Exact: |f| < 10^15 is a whole number well inside i64.
    Ok((f as i64).to_string())
}

fn date_time_text(d: &ExcelDateTime) -> String {
    let (year, month, day, hour, minute, second, milli) = d.to_ymd_hms_milli();
    if (hour, minute, second, milli) == (0, 0, 0, 0) {
        format!("{year:04}-{month:02}-{day:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}")
    }
}

fn cell_error(row: usize, reference: Option<String>, column: &str, problem: CellProblem, lang: Lang) -> RowError {
    let (code, zh, en) = match problem {
        CellProblem::LostDigits if column == "id_number" => (
            "invalid_id_number",
            "身份证号码以数字格式保存，电子表格只保留15位有效数字，末几位已经丢失：请将该列设为文本格式后重新录入"
                .to_owned(),
            "the ID number is stored as a number and a spreadsheet keeps only 15 significant digits, so its last \
             digits are lost: format the column as text and type the number again"
                .to_owned(),
        ),
        CellProblem::LostDigits => (
            "invalid_field",
            format!("{column} 是超过15位的数字，电子表格只保留15位有效数字：请将该列设为文本格式后重新录入"),
            format!(
                "{column} is a number of more than 15 digits and a spreadsheet keeps only 15 significant digits: \
                 format the column as text and type it again"
            ),
        ),
        CellProblem::Error(e) => {
            ("invalid_field", format!("{column} 单元格是公式错误 {e}"), format!("{column} holds the formula error {e}"))
        }
    };
    RowError {
        row,
        reference,
        field: Some(column.to_owned()),
        code: code.to_owned(),
        message: if lang == Lang::Zh { zh } else { en },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registration::read_csv;
    use rust_xlsxwriter::{ExcelDateTime as WriteDate, Format, Workbook, Worksheet};

    fn today() -> Date {
        Date::parse("2026-11-26").unwrap()
    }

    const HEADER: [&str; 11] = [
        "ref",
        "id_number",
        "name",
        "phone",
        "residence_unit",
        "registered_on",
        "hukou_local",
        "registered_unemployed",
        "able_to_work",
        "willing_to_be_assisted",
        "disabled",
    ];

    /// A workbook whose first sheet has the header and whatever `fill` writes below it.
    fn workbook(fill: impl FnOnce(&mut Worksheet)) -> Vec<u8> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (c, name) in HEADER.iter().enumerate() {
            sheet.write_string(0, c as u16, *name).unwrap();
        }
        fill(sheet);
        book.save_to_buffer().unwrap()
    }

    /// Writes a CSV-like line as one row of text cells; an empty text leaves the cell empty.
    fn text_row(sheet: &mut Worksheet, row: u32, line: &str) {
        for (c, text) in line.split(',').enumerate() {
            if !text.is_empty() {
                sheet.write_string(row, c as u16, text).unwrap();
            }
        }
    }

    fn read(bytes: &[u8]) -> Vec<Result<Registration, RowError>> {
        read_xlsx(bytes, today(), Lang::En).unwrap()
    }

    #[test]
    fn typed_cells_read_as_the_text_a_caseworker_typed() {
        let bytes = workbook(|s| {
            s.write_string(1, 0, "typed").unwrap();
            s.write_string(1, 1, "440106197501011232").unwrap();
            s.write_string(1, 2, "张三").unwrap();
            s.write_number(1, 3, 13800138000.0).unwrap();
            s.write_number(1, 4, 440104011.0).unwrap();
            let date = WriteDate::from_ymd(2016, 3, 1).unwrap();
            s.write_datetime_with_format(1, 5, &date, &Format::new().set_num_format("yyyy-mm-dd")).unwrap();
            for c in 6..=9 {
                s.write_boolean(1, c, true).unwrap();
            }
            s.write_boolean(1, 10, false).unwrap();
        });
        let rows = read(&bytes);
        assert_eq!(rows.len(), 1);
        let r = rows[0].as_ref().unwrap();
        assert_eq!((r.row, r.reference.as_deref()), (2, Some("typed")));
        assert_eq!(r.id_number.as_str(), "440106197501011232");
        assert_eq!(r.phone.as_deref(), Some("13800138000"));
        assert_eq!(r.residence_unit.as_str(), "440104011");
        assert_eq!(r.registered_on, Date::parse("2016-03-01").unwrap());
        assert!(r.facts.has(yuanzhu_rules::Fact::HukouLocal));
        assert!(!r.facts.has(yuanzhu_rules::Fact::Disabled));
    }

    #[test]
    fn an_18_digit_id_number_stored_as_a_number_is_refused_not_guessed() {
        let bytes = workbook(|s| {
            text_row(s, 1, "lost,,张三,,440104011,2016-03-01,true,true,true,true,");
            s.write_number(1, 1, 440106197501011232.0).unwrap();
        });
        let e = read(&bytes).remove(0).unwrap_err();
        assert_eq!(
            (e.row, e.reference.as_deref(), e.field.as_deref(), e.code.as_str()),
            (2, Some("lost"), Some("id_number"), "invalid_id_number")
        );
        assert!(e.message.contains("text"), "{}", e.message);
    }

    #[test]
    fn a_15_digit_legacy_id_number_stored_as_a_number_is_exact_and_upgraded() {
        let bytes = workbook(|s| {
            text_row(s, 1, "old,,张三,,440104011,2016-03-01,true,true,true,true,");
            s.write_number(1, 1, 440106750101123.0).unwrap();
        });
        assert_eq!(read(&bytes)[0].as_ref().unwrap().id_number.as_str(), "440106197501011232");
    }

    #[test]
    fn rows_keep_their_sheet_numbers_and_empty_rows_are_skipped() {
        let bytes = workbook(|s| {
            text_row(s, 1, "a,440106197501011232,张三,,440104011,2016-03-01,true,true,true,true,");
            s.write_string(2, 2, "   ").unwrap();
            text_row(s, 4, "b,440106197501011233,李四,,440104011,2016-03-01,,,,,");
        });
        let rows = read(&bytes);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].as_ref().unwrap().row, 2);
        let e = rows[1].as_ref().unwrap_err();
        assert_eq!((e.row, e.field.as_deref(), e.code.as_str()), (5, Some("id_number"), "invalid_id_number"));
    }

    #[test]
    fn an_all_text_workbook_reads_exactly_as_the_same_csv() {
        let lines = [
            "ok,440106197501011232,张三,138 0013 8000,440104011,2016-03-01,true,true,true,true,",
            "bad-bool,440106197501011232,赵六,,440104011,2016-03-01,yes,true,true,true,",
            "no-name,440106197501011232,,,440104011,2016-03-01,true,true,true,true,",
            "future,440106197501011232,钱七,,440104011,2027-01-01,true,true,true,true,",
            "bad-unit,440106197501011232,王五,,4401,2016-03-01,true,true,true,true,",
        ];
        let bytes = workbook(|s| {
            for (i, line) in lines.iter().enumerate() {
                text_row(s, i as u32 + 1, line);
            }
        });
        let csv = std::iter::once(HEADER.join(",")).chain(lines.map(str::to_owned)).collect::<Vec<_>>().join("\n");
        let from_csv = read_csv(csv.as_bytes(), today(), Lang::Zh).unwrap();
        assert_eq!(read_xlsx(&bytes, today(), Lang::Zh).unwrap(), from_csv);
    }

    #[test]
    fn a_value_right_of_the_header_is_refused_as_in_csv() {
        let bytes = workbook(|s| {
            text_row(s, 1, "x,440106197501011232,张三,,440104011,2016-03-01,true,true,true,true,");
            s.write_string(1, 12, "stray").unwrap();
        });
        let e = read(&bytes).remove(0).unwrap_err();
        assert_eq!((e.row, e.field, e.code.as_str()), (2, None, "invalid_row"));
    }

    #[test]
    fn the_header_is_checked_as_in_csv() {
        let header_only = |names: &[&str]| {
            let mut book = Workbook::new();
            let sheet = book.add_worksheet();
            for (c, name) in names.iter().enumerate() {
                sheet.write_string(0, c as u16, *name).unwrap();
            }
            read_xlsx(&book.save_to_buffer().unwrap(), today(), Lang::En)
        };
        let missing = header_only(&["id_number", "name", "residence_unit"]);
        assert_eq!(missing, Err(XlsxError::File(FileError::MissingColumn("registered_on"))));
        let unknown = header_only(&["id_number", "name", "residence_unit", "registered_on", "disabld"]);
        assert_eq!(unknown, Err(XlsxError::File(FileError::UnknownColumn("disabld".into()))));
        let empty = Workbook::new().save_to_buffer().unwrap();
        assert_eq!(read_xlsx(&empty, today(), Lang::En), Err(XlsxError::File(FileError::NoHeader)));
    }

    #[test]
    fn a_file_that_is_not_a_workbook_is_refused_whole() {
        let e = read_xlsx(b"id_number,name\n", today(), Lang::En).unwrap_err();
        assert!(matches!(e, XlsxError::Workbook(_)), "{e:?}");
        assert!(e.to_string().starts_with("the file cannot be read as an xlsx workbook"), "{e}");
    }

    #[test]
    fn numbers_dates_and_errors_become_text_or_are_refused() {
        assert_eq!(number_text(440104011.0), Ok("440104011".to_owned()));
        assert_eq!(number_text(-0.0), Ok("0".to_owned()));
        assert_eq!(number_text(0.1), Ok("0.1".to_owned()));
        assert_eq!(number_text(999_999_999_999_999.0), Ok("999999999999999".to_owned()));
        assert_eq!(number_text(1e15), Err(CellProblem::LostDigits));
        assert_eq!(number_text(440106197501011232.0), Err(CellProblem::LostDigits));
        let date = |serial| Data::DateTime(ExcelDateTime::new(serial, calamine::ExcelDateTimeType::DateTime, false));
        assert_eq!(cell_text(&date(42430.0)), Ok("2016-03-01".to_owned()));
        assert_eq!(cell_text(&date(42430.5)), Ok("2016-03-01 12:00:00".to_owned()));
        assert_eq!(cell_text(&Data::DateTimeIso("2016-03-01T00:00:00".into())), Ok("2016-03-01".to_owned()));
        assert_eq!(cell_text(&Data::DateTimeIso("2016-03-01".into())), Ok("2016-03-01".to_owned()));
        assert_eq!(cell_text(&Data::Bool(true)), Ok("true".to_owned()));
        assert_eq!(cell_text(&Data::Error(calamine::CellErrorType::NA)), Err(CellProblem::Error("#N/A".to_owned())));
        let e = cell_error(7, None, "name", CellProblem::Error("#N/A".to_owned()), Lang::En);
        assert_eq!(
            (e.field.as_deref(), e.code.as_str(), e.message.as_str()),
            (Some("name"), "invalid_field", "name holds the formula error #N/A")
        );
    }
}
