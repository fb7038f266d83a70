//! `yuanzhu export persons|ledgers`: the registry as CSV or xlsx. Wiring only: the store reads the
//! rows a page at a time and writes them.

use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use yuanzhu_rules::Lang;
use yuanzhu_storage::StoreError;
use yuanzhu_storage::export::{self, FileFormat, Paged};

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// UTF-8 CSV: for programs, and for `yuanzhu import`. A spreadsheet opening it turns 18-digit
    /// ID numbers into numbers.
    Csv,
    /// An Excel workbook whose cells are text: ID numbers, phone numbers and unit codes keep
    /// every digit. Holds at most 1,048,575 rows.
    Xlsx,
}

impl From<ExportFormat> for FileFormat {
    fn from(f: ExportFormat) -> FileFormat {
        match f {
            ExportFormat::Csv => FileFormat::Csv,
            ExportFormat::Xlsx => FileFormat::Xlsx,
        }
    }
}

/// What to export.
#[derive(Debug, Clone, Copy)]
pub enum Table {
    /// One row per person, a file `yuanzhu import` reads back; the header in this language.
    Persons(Lang),
    /// One row per event of each person's file, header and summaries in this language.
    Ledgers(Lang),
}

/// Writes the table to `out`; prints how many rows. Exit 2 with a message on any error, leaving
/// any earlier file at `out` as it was.
pub async fn run(url: &str, table: Table, format: ExportFormat, out: &Path) -> ExitCode {
    // Written beside the target and renamed when complete: an error or a kill never leaves a
    // half-written file under the name asked for.
    let partial = partial_path(out);
    let written = async {
        let file = std::fs::File::create(&partial)
            .map_err(|e| StoreError::Io(format!("cannot create {}: {e}", partial.display())))?;
        let file = BufWriter::new(file);
        let store = crate::connect(url).await?;
        let written = match table {
            Table::Persons(lang) => write(export::persons(&store, None).await, format, file, lang).await,
            Table::Ledgers(lang) => write(export::ledgers(&store, None, lang).await, format, file, lang).await,
        };
        let rows = match written {
            Ok(rows) => rows,
            Err(e) => {
                store.close().await;
                return Err(e);
            }
        };
        std::fs::rename(&partial, out)
            .map_err(|e| StoreError::Io(format!("cannot rename {} to {}: {e}", partial.display(), out.display())))?;
        // A copy of the registry leaving the system is recorded as the web's exports are.
        let name = match table {
            Table::Persons(_) => "persons",
            Table::Ledgers(_) => "ledgers",
        };
        let format_code = match format {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        };
        let recorded = export::record_export(&store, &crate::registry::actor(), "4401", name, format_code, rows).await;
        store.close().await;
        recorded?;
        Ok::<_, StoreError>(rows)
    }
    .await;
    match written {
        Ok(rows) => {
            let what = match table {
                Table::Persons(_) => "persons",
                Table::Ledgers(_) => "ledger events",
            };
            println!("{rows} {what} written to {}", out.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            crate::usage_error(format!("{}: {e}", out.display()))
        }
    }
}

async fn write<P: Paged>(
    pages: Result<P, StoreError>,
    format: ExportFormat,
    file: BufWriter<std::fs::File>,
    lang: Lang,
) -> Result<usize, StoreError> {
    export::write_all(&mut pages?, format.into(), file, lang).await
}

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    out.with_file_name(name)
}
