//! Exports of the registry as CSV or xlsx: the persons ([`persons`], one row per person, a file
//! `yuanzhu import` reads back) and their ledgers ([`ledger`], one row per event of each person's
//! file, 第十九条 “一人一档、一帮扶一台帐”).
//!
//! Both are read a page of persons at a time, in ID-number order, inside one read-only
//! transaction: the whole export is one consistent snapshot, and memory holds one page, not the
//! registry. An English export's header is the field names (`id_number`, `name`, …), a Chinese
//! one's their Chinese names (身份证号, 姓名, …); `import` reads either, so a column means the same
//! in both directions.

use std::borrow::Cow;
use std::io::Write;
use std::marker::PhantomData;

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use sqlx::{AssertSqlSafe, Row};
use yuanzhu_domain::spreadsheet;

use yuanzhu_rules::Lang;

use crate::accounts::subtree_pattern;
use crate::audit::AuditAction;
use crate::audit::{self, NewEvent};
use crate::{Backend, Store, StoreError};

pub mod ledger;
mod persons;

pub use ledger::{LedgerPages, LedgerRow, ledgers};
pub use persons::{CATEGORY_SEPARATOR, PersonExportRow, PersonPages, columns, persons, persons_rows, persons_rows_in};

/// A table an export writes: its header and each row's cells.
pub trait Table {
    /// The worksheet's name in xlsx.
    const SHEET: &'static str;
    /// The header, in column order.
    fn columns() -> &'static [&'static str];
    /// The header as written in `lang`: the field names in English, their Chinese names in
    /// Chinese (which `import` reads as the same fields).
    fn header(lang: Lang) -> Vec<&'static str> {
        Self::columns().iter().map(|c| yuanzhu_domain::registration::column_name(c, lang)).collect()
    }
    /// Columns whose digits are an identifier, not a quantity: in xlsx they are text cells in
    /// text-formatted columns, so that a spreadsheet neither rounds an 18-digit ID number to 15
    /// digits nor drops a landline's leading zero, now or when someone edits the cell later.
    fn text_columns() -> &'static [&'static str];
    /// The cells in [`Table::columns`] order; an empty one is an absent value.
    fn cells(&self) -> Vec<Cow<'_, str>>;
}

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// UTF-8 CSV with a byte-order mark, cells that would start a formula behind a quote
    /// ([`yuanzhu_domain::spreadsheet`]).
    Csv,
    /// An Excel workbook with one worksheet, every cell text.
    Xlsx,
}

/// The most rows an xlsx worksheet holds, the header included.
pub const XLSX_MAX_ROWS: usize = 1_048_576;

/// Writes a table to `out` as rows come, page by page. A CSV goes out as it is written; an xlsx
/// worksheet's rows go to a temporary file as they come (the worksheet's constant-memory mode:
/// a million persons held as cells took 6 GB), and [`TableWriter::finish`] zips the workbook.
pub struct TableWriter<W: Write + Send, T: Table> {
    sink: Sink<W>,
    rows: usize,
    table: PhantomData<T>,
}

impl<W: Write + Send, T: Table> std::fmt::Debug for TableWriter<W, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let format = match self.sink {
            Sink::Csv(_) => FileFormat::Csv,
            Sink::Xlsx { .. } => FileFormat::Xlsx,
        };
        f.debug_struct("TableWriter")
            .field("table", &T::SHEET)
            .field("format", &format)
            .field("rows", &self.rows)
            .finish()
    }
}

enum Sink<W: Write + Send> {
    Csv(csv::Writer<W>),
    Xlsx { book: Box<Workbook>, text: Format, text_columns: Vec<u16>, out: W },
}

fn csv_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Io(format!("cannot write the CSV file: {e}"))
}

fn xlsx_error(e: XlsxError) -> StoreError {
    StoreError::Io(format!("cannot write the xlsx file: {e}"))
}

impl<W: Write + Send, T: Table> TableWriter<W, T> {
    /// A writer whose header (in `lang`, see [`Table::header`]) is already written.
    pub fn new(format: FileFormat, out: W, lang: Lang) -> Result<Self, StoreError> {
        let sink = match format {
            FileFormat::Csv => {
                let mut out = out;
                out.write_all(spreadsheet::BOM.as_bytes()).map_err(csv_error)?;
                let mut w = csv::Writer::from_writer(out);
                w.write_record(T::header(lang)).map_err(csv_error)?;
                Sink::Csv(w)
            }
            FileFormat::Xlsx => {
                let (book, text, text_columns) = workbook::<T>(lang).map_err(xlsx_error)?;
                Sink::Xlsx { book: Box::new(book), text, text_columns, out }
            }
        };
        Ok(TableWriter { sink, rows: 0, table: PhantomData })
    }

    /// Whether `more` rows still fit (always in CSV; within a worksheet's rows in xlsx).
    pub fn fits(&self, more: usize) -> bool {
        match self.sink {
            Sink::Csv(_) => true,
            Sink::Xlsx { .. } => self.rows + more < XLSX_MAX_ROWS,
        }
    }

    /// Rows written so far, the header not counted.
    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn write(&mut self, rows: &[T]) -> Result<(), StoreError> {
        if !self.fits(rows.len()) {
            return Err(StoreError::Io(format!(
                "an xlsx worksheet holds at most {} rows and this export has more: export as CSV instead",
                XLSX_MAX_ROWS - 1
            )));
        }
        match &mut self.sink {
            Sink::Csv(w) => {
                for row in rows {
                    let cells = row.cells();
                    let cells = cells.iter().map(|c| spreadsheet::neutralize(c));
                    w.write_record(cells.collect::<Vec<_>>().iter().map(|c| c.as_bytes())).map_err(csv_error)?;
                }
            }
            Sink::Xlsx { book, text, text_columns, .. } => {
                let sheet = book.worksheet_from_index(0).map_err(xlsx_error)?;
                for (i, row) in rows.iter().enumerate() {
                    // Below XLSX_MAX_ROWS, checked above: fits in u32.
                    let r = (self.rows + i + 1) as u32;
                    for (c, value) in row.cells().iter().enumerate() {
                        let c = c as u16;
                        // An absent value stays an empty cell rather than an empty string.
                        if value.is_empty() {
                            continue;
                        }
                        let written = if text_columns.contains(&c) {
                            sheet.write_string_with_format(r, c, value.as_ref(), text)
                        } else {
                            sheet.write_string(r, c, value.as_ref())
                        };
                        written.map_err(xlsx_error)?;
                    }
                }
            }
        }
        self.rows += rows.len();
        Ok(())
    }

    /// Completes and flushes the file; gives back what it was written to.
    pub fn finish(self) -> Result<W, StoreError> {
        match self.sink {
            Sink::Csv(w) => w.into_inner().map_err(|e| csv_error(e.error())),
            Sink::Xlsx { mut book, mut out, .. } => {
                book.save_to_writer(&mut out).map_err(xlsx_error)?;
                out.flush().map_err(|e| StoreError::Io(format!("cannot write the xlsx file: {e}")))?;
                Ok(out)
            }
        }
    }
}

/// A workbook with the table's one worksheet and its header; the text format and the indexes
/// of the text columns.
fn workbook<T: Table>(lang: Lang) -> Result<(Workbook, Format, Vec<u16>), XlsxError> {
    let mut book = Workbook::new();
    // Rows are written in order, which is all constant-memory mode asks.
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(T::SHEET)?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let mut text_columns = Vec::new();
    for (c, (name, title)) in T::columns().iter().zip(T::header(lang)).enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, title, &bold)?;
        // A Chinese character is about two columns wide.
        let width = title.chars().map(|ch| if ch.is_ascii() { 1.0 } else { 2.0 }).sum::<f64>();
        sheet.set_column_width(c, width.max(10.0) + 2.0)?;
        if T::text_columns().contains(name) {
            sheet.set_column_format(c, &text)?;
            text_columns.push(c);
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok((book, text, text_columns))
}

/// An export read a page of persons at a time.
pub trait Paged {
    type Row: Table;
    /// The next page's rows, by person; `None` when every person has been read.
    fn next_page(&mut self) -> impl Future<Output = Result<Option<Vec<Self::Row>>, StoreError>> + Send;
}

/// Writes every page to `out` in `format`, the header in `lang`; returns how many rows.
pub async fn write_all<P: Paged, W: Write + Send>(
    pages: &mut P,
    format: FileFormat,
    out: W,
    lang: Lang,
) -> Result<usize, StoreError> {
    let mut w = TableWriter::new(format, out, lang)?;
    while let Some(page) = pages.next_page().await? {
        w.write(&page)?;
    }
    let rows = w.rows();
    w.finish()?;
    Ok(rows)
}

/// Writes `rows` whole, in `format`, the header in English (the field names).
pub fn write_rows<T: Table>(rows: &[T], format: FileFormat, out: impl Write + Send) -> Result<(), StoreError> {
    let mut w = TableWriter::new(format, out, Lang::En)?;
    w.write(rows)?;
    w.finish().map(drop)
}

/// Persons read a page at a time in ID-number order, all pages from one snapshot: SQLite's
/// read transaction sees the database as its first read found it (WAL), PostgreSQL's
/// repeatable-read one likewise. A later import goes unseen instead of half-seen.
pub(crate) struct Pages {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    /// The LIKE pattern of a jurisdiction's unit subtree, or `None` for every person.
    pattern: Option<String>,
    /// The last ID number read; empty before the first page.
    after: String,
    done: bool,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("pattern", &self.pattern)
            .field("after", &self.after)
            .field("done", &self.done)
            .finish()
    }
}

/// Persons per page.
const PAGE: usize = 1000;

/// The persons of a jurisdiction: those whose unit of residence or of hukou lies under its
/// pattern ($n), as the rules of access reach them.
fn jurisdiction(n: usize) -> String {
    format!(" AND (p.residence_unit LIKE ${n} ESCAPE '\\' OR p.hukou_unit LIKE ${n} ESCAPE '\\')")
}

impl Pages {
    /// `unit_prefix` is a unit code; the city's code stands for its whole tree.
    pub(crate) async fn open(store: &Store, unit_prefix: Option<&str>) -> Result<Pages, StoreError> {
        let mut tx = store.pool().begin().await?;
        if store.backend() == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute(&mut *tx).await?;
        }
        Ok(Pages { tx, pattern: unit_prefix.map(subtree_pattern), after: String::new(), done: false })
    }

    /// The rows of `select` for the next page of persons, ordered by ID number and then by
    /// `order`; `None` once every person has been read. `select` names the persons table `p` and
    /// ends where a WHERE clause may follow.
    pub(crate) async fn next(
        &mut self,
        select: &str,
        order: &str,
    ) -> Result<Option<Vec<sqlx::any::AnyRow>>, StoreError> {
        if self.done {
            return Ok(None);
        }
        // ID numbers are 18 characters of digits and `X`: every collation orders them as bytes
        // do, so the page's bounds and the ORDER BY agree on either engine.
        let filter = if self.pattern.is_some() { jurisdiction(2) } else { String::new() };
        let bound = format!(
            "SELECT MAX(id_number) FROM (SELECT p.id_number FROM persons p WHERE p.id_number > $1{filter} \
             ORDER BY p.id_number LIMIT {PAGE}) AS next_page"
        );
        let mut q = sqlx::query_scalar::<_, Option<String>>(AssertSqlSafe(bound)).bind(&self.after);
        if let Some(pattern) = &self.pattern {
            q = q.bind(pattern);
        }
        let Some(last) = q.fetch_one(&mut *self.tx).await? else {
            self.done = true;
            return Ok(None);
        };
        let filter = if self.pattern.is_some() { jurisdiction(3) } else { String::new() };
        let sql =
            format!("{select} WHERE p.id_number > $1 AND p.id_number <= $2{filter} ORDER BY p.id_number, {order}");
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(&self.after).bind(&last);
        if let Some(pattern) = &self.pattern {
            q = q.bind(pattern);
        }
        let rows = q.fetch_all(&mut *self.tx).await?;
        self.after = last;
        Ok(Some(rows))
    }
}

/// The ID number of a page's row, to group its rows by person.
pub(crate) fn id_number_of(row: &sqlx::any::AnyRow) -> Result<String, sqlx::Error> {
    row.try_get("id_number")
}

/// Records in the audit trail that `actor` exported `rows` rows of `table` (`persons` or
/// `ledgers`) of `unit_prefix`: a copy of the registry leaving the system is as much a disclosure
/// as an opened file.
pub async fn record_export(
    store: &Store,
    actor: &str,
    unit_prefix: &str,
    table: &str,
    format: &str,
    rows: usize,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    audit::append(
        &mut tx,
        NewEvent {
            actor,
            action: AuditAction::RegistryExported.code(),
            entity: "unit",
            entity_id: unit_prefix,
            after: Some(serde_json::json!({ "table": table, "format": format, "rows": rows })),
            ..NewEvent::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
