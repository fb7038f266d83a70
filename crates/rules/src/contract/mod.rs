//! The `yuanzhu assess` contract (version 1): records in, one result or error per record out,
//! in input order. Bytes in, bytes out: reading files and threads belong to the caller.

mod error;
mod fast;
mod fields;
mod input;
mod output;
mod record;

pub use error::{ErrorCode, Problem, RecordError};
pub use fields::{Field, Kind, label as field_label};
pub use input::{CsvHeader, HeaderError, JsonRecord, plain_cells};
pub use output::{CSV_HEADER, ErrorLine, ResultLine};
pub use record::{Context, Raw, RawRecord, Valid, facts_of, read_by, required, validate};

use crate::lang::Lang;

/// The shape of the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// The contract's result and error objects, one per line, with reasons.
    Jsonl,
    /// `ref,eligible,categories,unmet,error`, without reasons.
    Csv,
}

/// How many records produced a result and how many an error.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub results: u64,
    pub errors: u64,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, other: Tally) {
        self.results += other.results;
        self.errors += other.errors;
    }
}

/// Assesses records and writes one output line each.
#[derive(Debug, Clone, Copy)]
pub struct Assessor<'p> {
    pub context: Context<'p>,
    pub lang: Lang,
    pub output: OutputFormat,
}

/// A line with nothing but white space produces nothing.
pub fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

impl Assessor<'_> {
    /// The first line of the output, if the format has one.
    pub fn header(&self) -> &'static [u8] {
        match self.output {
            OutputFormat::Jsonl => b"",
            OutputFormat::Csv => CSV_HEADER,
        }
    }

    /// One JSONL input line (without its line break).
    pub fn jsonl_line(&self, line: &[u8], out: &mut Vec<u8>, tally: &mut Tally) {
        if is_blank(line) {
            return;
        }
        match JsonRecord::parse(line) {
            Ok(record) => self.record(&record.raw(), out, tally),
            Err(e) => self.error(None, &e, out, tally),
        }
    }

    /// CSV lines (after the header) that hold no quote character: the fast path. The text is
    /// checked as UTF-8 once; a piece that is not falls back to checking line by line.
    pub fn csv_plain_lines(&self, header: &CsvHeader, text: &[u8], out: &mut Vec<u8>, tally: &mut Tally) {
        let Ok(text) = std::str::from_utf8(text) else {
            for line in text.split(|&b| b == b'\n') {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if !is_blank(line) {
                    self.csv_cells(header, plain_cells(line), out, tally);
                }
            }
            return;
        };
        let mut raw = RawRecord::default();
        let mut dates = fast::DateCache::default();
        let mut seps = fast::Separators::new(text.as_bytes(), 0);
        let mut start = 0;
        while start < text.len() {
            let (end, clean) = header.fast.row(text, start, &mut seps, &self.context, &mut dates);
            match clean {
                Some((reference, valid)) if self.output == OutputFormat::Csv => {
                    tally.results += 1;
                    output::csv_result(out, reference, valid.policy, dates.evaluate(&valid));
                }
                Some((reference, valid)) => {
                    // Cut from valid UTF-8 at ASCII commas, so still valid.
                    let reference = reference.and_then(|r| std::str::from_utf8(r).ok());
                    self.result(reference.map(Raw::Cell), &valid, out, tally);
                }
                None => {
                    let line = &text[start..end];
                    let line = line.strip_suffix('\r').unwrap_or(line);
                    if !is_blank(line.as_bytes()) {
                        match header.plain_record(line, &mut raw) {
                            Ok(()) => self.record(&raw, out, tally),
                            Err(e) => self.error(None, &e, out, tally),
                        }
                    }
                }
            }
            start = end + 1;
        }
    }

    /// One CSV row, from any reader of CSV (quoted cells included).
    pub fn csv_cells<'a>(
        &self,
        header: &CsvHeader,
        cells: impl IntoIterator<Item = &'a [u8]>,
        out: &mut Vec<u8>,
        tally: &mut Tally,
    ) {
        match header.record(cells) {
            Ok(raw) => self.record(&raw, out, tally),
            Err(e) => self.error(None, &e, out, tally),
        }
    }

    /// Validates, assesses and writes one record.
    pub fn record(&self, raw: &RawRecord<'_>, out: &mut Vec<u8>, tally: &mut Tally) {
        let reference = raw.get(Field::Ref);
        match validate(raw, &self.context) {
            Ok(valid) => self.result(reference, &valid, out, tally),
            Err(e) => self.error(reference, &e, out, tally),
        }
    }

    fn result(&self, reference: Option<Raw<'_>>, valid: &Valid<'_>, out: &mut Vec<u8>, tally: &mut Tally) {
        tally.results += 1;
        match self.output {
            OutputFormat::Jsonl => output::json_line(out, &ResultLine::new(reference, valid, self.lang)),
            OutputFormat::Csv => {
                let outcome = valid.policy.assess(&valid.facts, valid.as_of);
                output::csv_result(out, output::csv_reference_bytes(reference).as_deref(), valid.policy, outcome);
            }
        }
    }

    fn error(&self, reference: Option<Raw<'_>>, e: &RecordError, out: &mut Vec<u8>, tally: &mut Tally) {
        tally.errors += 1;
        match self.output {
            OutputFormat::Jsonl => output::json_line(out, &ErrorLine::new(reference, e, self.lang)),
            OutputFormat::Csv => output::csv_error(out, reference, e),
        }
    }
}
