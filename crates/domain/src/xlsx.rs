//! Registration files in xlsx form, read exactly as [`read_csv`](crate::registration::read_csv)
//! reads CSV: the first worksheet, its first row the header, every other non-empty row one
//! registration or one reported error, numbered as the spreadsheet numbers its rows.
//!
//! A spreadsheet types its cells and CSV does not, so each cell is first turned back into the text
//! a caseworker typed. Where the spreadsheet has already lost that text, the row is refused rather
//! than guessed at (see `cell_text`).

use std::io::{Cursor, Read};

use calamine::{Data, DataRef, ExcelDateTime, Reader, Xlsx, XlsxCellReader};
use yuanzhu_rules::{Date, Lang};

use crate::registration::{FileError, Header, Registration, RowError};

/// An xlsx file that cannot be read as registrations at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XlsxError {
    #[error("the file cannot be read as an xlsx workbook: {0}")]
    Workbook(String),
    #[error(transparent)]
    File(#[from] FileError),
    /// The workbook unpacks to more than the limit (a few kilobytes of zip can hold gigabytes).
    #[error(
        "the workbook unpacks to more than {} MiB, more than an import takes: split it into smaller files",
        .limit_bytes / (1024 * 1024)
    )]
    TooLarge { limit_bytes: u64 },
    /// The worksheet has more rows than an import takes.
    #[error("the worksheet has more than {limit} rows, more than an import takes: split it into smaller files")]
    TooManyRows { limit: usize },
}

impl XlsxError {
    /// What went wrong, in the caseworker's language (a file's own problems keep their codes'
    /// messages, which the caller words).
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (XlsxError::TooLarge { limit_bytes }, Lang::Zh) => format!(
                "工作簿解压后超过 {} MiB，超出导入上限：请拆分为较小的文件后分别导入",
                limit_bytes / (1024 * 1024)
            ),
            (XlsxError::TooManyRows { limit }, Lang::Zh) => {
                format!("工作表超过 {limit} 行，超出导入上限：请拆分为较小的文件后分别导入")
            }
            (XlsxError::Workbook(detail), Lang::Zh) => format!("文件无法按 xlsx 工作簿读取：{detail}"),
            (e, _) => e.to_string(),
        }
    }
}

/// How much an xlsx file may hold, checked while it is read: its parts unpacked, and the data rows
/// of its worksheet. A zip bomb (a megabyte of workbook holding a gigabyte of sheet) is refused
/// before it is parsed, and a sheet is read a row at a time, never whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XlsxLimits {
    /// The most bytes all the workbook's parts may unpack to, counted as they unpack: a part's
    /// declared size is checked first, and then what it really unpacks to.
    pub max_unpacked_bytes: u64,
    /// The most data rows (the header and empty rows not counted).
    pub max_rows: usize,
}

impl Default for XlsxLimits {
    /// What a worksheet can hold at most, and a gigabyte unpacked: for the command line, whose
    /// files are the operator's own.
    fn default() -> Self {
        XlsxLimits { max_unpacked_bytes: 1 << 30, max_rows: 1_048_575 }
    }
}

/// Excel keeps 15 significant digits of a number, and an `f64` holds every whole number only up
/// to 2^53 (about 9.007 × 10^15): a whole number below 10^15 survives both exactly.
const EXACT_BELOW: f64 = 1e15;

/// The columns a worksheet has (XFD): a cell further right is read as a stray value.
const MAX_COLUMNS: u32 = 16_384;

/// Reads the first worksheet of an xlsx file of registrations, within [`XlsxLimits::default`].
pub fn read_xlsx(bytes: &[u8], today: Date, lang: Lang) -> Result<Vec<Result<Registration, RowError>>, XlsxError> {
    read_xlsx_within(bytes, today, lang, XlsxLimits::default())
}

/// Reads the first worksheet of an xlsx file of registrations: every good row and every bad one;
/// or refuses the whole file if it is beyond `limits`.
pub fn read_xlsx_within(
    bytes: &[u8],
    today: Date,
    lang: Lang,
    limits: XlsxLimits,
) -> Result<Vec<Result<Registration, RowError>>, XlsxError> {
    check_unpacked(bytes, limits.max_unpacked_bytes)?;
    let workbook_error = |e: calamine::XlsxError| XlsxError::Workbook(e.to_string());
    let mut workbook = Xlsx::new(Cursor::new(bytes)).map_err(workbook_error)?;
    let Some(first) = workbook.sheet_names().first().cloned() else { return Err(FileError::NoHeader.into()) };
    let mut rows = match workbook.worksheet_cells_reader(&first) {
        Ok(cells) => SheetRows { cells, pending: None, done: false },
        // A chart sheet first: no rows at all.
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Err(FileError::NoHeader.into()),
        Err(e) => return Err(workbook_error(e)),
    };
    // The header is the first row with a value; its leftmost value is the first column, and rows
    // keep their sheet numbers wherever the table starts.
    let Some((_, header_cells)) = rows.next_row().map_err(workbook_error)? else {
        return Err(FileError::NoHeader.into());
    };
    let origin = header_cells.first().map_or(0, |(column, _)| *column);
    let (header_cells, _) = lay_out(header_cells, origin);
    let names: Vec<String> = header_cells.iter().map(|c| cell_text(c).unwrap_or_else(|_| c.to_string())).collect();
    // Empty cells right of the last column name are formatting, not columns.
    let width = names.iter().rposition(|n| !n.trim().is_empty()).map_or(0, |i| i + 1);
    let names = &names[..width];
    let header = Header::parse(names.iter().map(String::as_str))?;
    let ref_column = names.iter().position(|n| n.trim() == "ref");

    let mut out = Vec::new();
    while let Some((sheet_row, cells)) = rows.next_row().map_err(workbook_error)? {
        let row = sheet_row as usize + 1;
        let (cells, stray) = lay_out(cells, origin);
        let used = cells.iter().rposition(|c| !is_blank(c)).map_or(0, |i| i + 1);
        if used == 0 && !stray {
            continue;
        }
        if out.len() == limits.max_rows {
            return Err(XlsxError::TooManyRows { limit: limits.max_rows });
        }
        // A value right of the header (or left of it) is kept, so that the row is refused for its
        // extra cell as a CSV row would be.
        let mut cells = cells;
        cells.resize(used.max(width) + usize::from(stray && used <= width), Data::Empty);
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

/// Unpacks every part of the workbook into nothing, counting: refuses it as soon as the parts'
/// declared or real sizes pass `limit`. A zip entry may declare a small size and unpack to a huge
/// one, so what it really unpacks to is what counts; reading stops one byte past the limit.
fn check_unpacked(bytes: &[u8], limit: u64) -> Result<(), XlsxError> {
    let unreadable = |e: &dyn std::fmt::Display| XlsxError::Workbook(e.to_string());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let too_large = XlsxError::TooLarge { limit_bytes: limit };
    let declared = (0..zip.len()).try_fold(0u64, |sum, i| {
        let size = zip.by_index_raw(i).map_err(|e| unreadable(&e))?.size();
        sum.checked_add(size).filter(|s| *s <= limit).ok_or_else(|| too_large.clone())
    })?;
    debug_assert!(declared <= limit);
    let mut unpacked = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| unreadable(&e))?;
        let left = limit - unpacked;
        let read = std::io::copy(&mut entry.take(left + 1), &mut std::io::sink()).map_err(|e| unreadable(&e))?;
        if read > left {
            return Err(too_large);
        }
        unpacked += read;
    }
    Ok(())
}

/// A row of a worksheet: its index in the sheet (from 0), and its cells with a value by column.
type SheetRow = (u32, Vec<(u32, Data)>);

/// A worksheet's cells, a row at a time, in the order the file keeps them.
struct SheetRows<'a, R: std::io::Read + std::io::Seek> {
    cells: XlsxCellReader<'a, R>,
    /// The first cell of the next row, read while finishing the one before.
    pending: Option<(u32, u32, Data)>,
    /// Whether the reader has come to the end of the sheet (asked again, it would fail).
    done: bool,
}

impl<R: std::io::Read + std::io::Seek> SheetRows<'_, R> {
    /// The next row that has a cell with a value.
    fn next_row(&mut self) -> Result<Option<SheetRow>, calamine::XlsxError> {
        let mut row: Option<SheetRow> = None;
        loop {
            let next = match self.pending.take() {
                Some(cell) => Some(cell),
                None if self.done => None,
                None => self.cells.next_cell()?.map(|c| {
                    let (r, col) = c.get_position();
                    (r, col, owned(c.get_value()))
                }),
            };
            let Some((r, column, value)) = next else {
                self.done = true;
                return Ok(row);
            };
            if matches!(value, Data::Empty) {
                continue;
            }
            match &mut row {
                None => row = Some((r, vec![(column, value)])),
                Some((current, cells)) if *current == r => cells.push((column, value)),
                Some(_) => {
                    self.pending = Some((r, column, value));
                    return Ok(row);
                }
            }
        }
    }
}

fn owned(value: &DataRef<'_>) -> Data {
    Data::from(value.clone())
}

/// A row's cells by column from `origin` on, and whether it has a value left of `origin` or
/// beyond the last column a worksheet has (such a value is not kept, but makes the row one cell
/// too long, as it would be in CSV).
fn lay_out(cells: Vec<(u32, Data)>, origin: u32) -> (Vec<Data>, bool) {
    let mut out = Vec::new();
    let mut stray = false;
    for (column, value) in cells {
        match column.checked_sub(origin).filter(|c| *c < MAX_COLUMNS) {
            Some(c) => {
                let c = c as usize;
                if out.len() <= c {
                    out.resize(c + 1, Data::Empty);
                }
                out[c] = value;
            }
            None => stray |= !is_blank(&value),
        }
    }
    (out, stray)
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

    /// `workbook` with its first worksheet replaced by a header, `padding` bytes of whitespace
    /// between elements (which XML allows and deflate packs a thousand to one) and `rows` rows of
    /// one text cell each, written as XML straight into the zip. With `declared`, the zip's records
    /// claim that size for the sheet instead of the true one, as a crafted file may.
    fn with_huge_sheet(workbook: &[u8], padding: usize, rows: usize, declared: Option<u32>) -> Vec<u8> {
        use std::io::Write;
        let mut original = zip::ZipArchive::new(Cursor::new(workbook)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let sheet = "xl/worksheets/sheet1.xml";
        for i in 0..original.len() {
            let entry = original.by_index_raw(i).unwrap();
            if entry.name().unwrap() != sheet {
                out.raw_copy_file(entry).unwrap();
            }
        }
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        out.start_file(sheet, options).unwrap();
        out.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>").unwrap();
        out.write_all(b"<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>id_number</t></is></c></row>").unwrap();
        let spaces = vec![b' '; 1 << 16];
        for _ in 0..padding / spaces.len() {
            out.write_all(&spaces).unwrap();
        }
        for r in 2..rows + 2 {
            write!(out, "<row r=\"{r}\"><c r=\"A{r}\" t=\"inlineStr\"><is><t>x</t></is></c></row>").unwrap();
        }
        out.write_all(b"</sheetData></worksheet>").unwrap();
        let mut bytes = out.finish().unwrap().into_inner();
        if let Some(size) = declared {
            // The uncompressed size in the sheet's local header (offset 22) and central directory
            // record (offset 24).
            for (signature, offset) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
                let name_at = if signature[2] == 3 { 30 } else { 46 };
                let at = (0..bytes.len() - name_at - sheet.len())
                    .find(|&i| {
                        &bytes[i..i + 4] == signature
                            && &bytes[i + name_at..i + name_at + sheet.len()] == sheet.as_bytes()
                    })
                    .expect("the sheet's record");
                bytes[at + offset..at + offset + 4].copy_from_slice(&size.to_le_bytes());
            }
        }
        bytes
    }

    #[test]
    fn a_zip_bomb_is_refused_before_its_sheet_is_read() {
        let limits = XlsxLimits { max_unpacked_bytes: 4 << 20, max_rows: 1_000_000 };
        let bomb = with_huge_sheet(&workbook(|_| {}), 16 << 20, 10, None);
        assert!(bomb.len() < 1 << 20, "a small file: {} bytes", bomb.len());
        let e = read_xlsx_within(&bomb, today(), Lang::En, limits).unwrap_err();
        assert_eq!(e, XlsxError::TooLarge { limit_bytes: 4 << 20 });
        assert!(e.to_string().contains("more than 4 MiB"), "{e}");
        assert!(e.message(Lang::Zh).contains("解压后超过 4 MiB"), "{}", e.message(Lang::Zh));
        // A sheet that claims to be small is counted as it unpacks.
        let lying = with_huge_sheet(&workbook(|_| {}), 16 << 20, 10, Some(1000));
        let e = read_xlsx_within(&lying, today(), Lang::En, limits).unwrap_err();
        assert!(matches!(e, XlsxError::TooLarge { .. } | XlsxError::Workbook(_)), "{e:?}");
        // Within the limit, the same shape of file is read (its rows refused for their content).
        let small = with_huge_sheet(&workbook(|_| {}), 1 << 20, 10, None);
        assert!(matches!(
            read_xlsx_within(&small, today(), Lang::En, limits),
            Err(XlsxError::File(FileError::MissingColumn(_)))
        ));
    }

    #[test]
    fn a_sheet_with_more_rows_than_an_import_takes_is_refused_whole() {
        let bytes = workbook(|s| {
            for r in 1..=5 {
                text_row(s, r, &format!("r{r},440106197501011232,张三,,440104011,2016-03-01,true,true,true,true,"));
            }
            // Empty rows do not count.
            s.write_string(6, 2, "  ").unwrap();
        });
        let limits = |max_rows| XlsxLimits { max_unpacked_bytes: 1 << 20, max_rows };
        assert_eq!(read_xlsx_within(&bytes, today(), Lang::En, limits(5)).unwrap().len(), 5);
        let e = read_xlsx_within(&bytes, today(), Lang::En, limits(4)).unwrap_err();
        assert_eq!(e, XlsxError::TooManyRows { limit: 4 });
        assert!(e.message(Lang::Zh).contains("超过 4 行"), "{}", e.message(Lang::Zh));
    }

    #[test]
    fn a_value_left_of_the_header_is_refused_as_a_stray_cell() {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        for (c, name) in HEADER.iter().enumerate() {
            sheet.write_string(2, c as u16 + 1, *name).unwrap();
        }
        text_row_at(sheet, 3, 1, "ok,440106197501011232,张三,,440104011,2016-03-01,true,true,true,true,");
        text_row_at(sheet, 4, 1, "x,440106197501011232,张三,,440104011,2016-03-01,true,true,true,true,");
        sheet.write_string(4, 0, "stray").unwrap();
        let rows = read(&book.save_to_buffer().unwrap());
        assert_eq!(rows[0].as_ref().unwrap().row, 4, "rows keep their sheet numbers");
        let e = rows[1].as_ref().unwrap_err();
        assert_eq!((e.row, e.code.as_str()), (5, "invalid_row"));
    }

    fn text_row_at(sheet: &mut Worksheet, row: u32, from: u16, line: &str) {
        for (c, text) in line.split(',').enumerate() {
            if !text.is_empty() {
                sheet.write_string(row, from + c as u16, text).unwrap();
            }
        }
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
