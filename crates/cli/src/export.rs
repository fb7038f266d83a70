//! `yuanzhu export persons`: every person with their current categories and latest registration,
//! as CSV or xlsx. Wiring only: the store reads and writes the rows.

use std::path::Path;
use std::process::ExitCode;

use yuanzhu_storage::{Store, StoreError, export};

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// UTF-8 CSV: for programs. A spreadsheet opening it turns 18-digit ID numbers into numbers.
    Csv,
    /// An Excel workbook whose ID numbers, phone numbers and unit codes are text cells.
    Xlsx,
}

/// Writes every person to `out`; prints how many. Exit 2 with a message on any error.
pub async fn export_persons(url: &str, format: ExportFormat, out: &Path) -> ExitCode {
    let rows = async {
        let store = Store::connect(url).await?;
        let rows = export::persons_rows(&store).await;
        store.close().await;
        rows
    }
    .await;
    let rows = match rows {
        Ok(rows) => rows,
        Err(e) => return crate::usage_error(e),
    };
    let written = match format {
        ExportFormat::Csv => std::fs::File::create(out)
            .map_err(|e| StoreError::Io(format!("cannot create the file: {e}")))
            .and_then(|file| export::write_csv(&rows, file)),
        ExportFormat::Xlsx => export::write_xlsx(&rows, out),
    };
    match written {
        Ok(()) => {
            println!("{} persons written to {}", rows.len(), out.display());
            ExitCode::SUCCESS
        }
        Err(e) => crate::usage_error(format!("{}: {e}", out.display())),
    }
}
