//! `yuanzhu assess`: reads records, assesses them in parallel chunks, writes results in input order.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use yuanzhu_rules::PolicySet;
use yuanzhu_rules::contract::{Assessor, Context, CsvHeader, OutputFormat, Tally, is_blank, plain_cells};

use crate::pipeline::{self, Blocks, Output};
use crate::{LangArg, date_arg, usage_error};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Jsonl,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Assessment date for records without `as_of` (default: today).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = date_arg)]
    on: Option<yuanzhu_rules::Date>,
    /// Evaluate every record under this policy, also outside its validity (a what-if).
    #[arg(long, value_name = "ID")]
    policy: Option<String>,
    /// Input format.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: Format,
    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    output: Format,
    /// Language of explanations and messages.
    #[arg(long, value_enum, default_value = "zh")]
    lang: LangArg,
    /// Input file; standard input when absent or `-`.
    file: Option<PathBuf>,
}

pub fn run(args: &Args, policies: &PolicySet) -> ExitCode {
    let forced = match &args.policy {
        None => None,
        Some(id) => match policies.by_id(id) {
            Some(p) => Some(p),
            None => {
                let known: Vec<&str> = policies.policies().iter().map(|p| p.id.as_str()).collect();
                return usage_error(format!("unknown policy `{id}`; known: {}", known.join(", ")));
            }
        },
    };
    let reader: Box<dyn Read + Send> = match &args.file {
        Some(path) if path.as_os_str() != "-" => match std::fs::File::open(path) {
            Ok(f) => Box::new(f),
            Err(e) => return usage_error(format!("cannot read {}: {e}", path.display())),
        },
        _ => Box::new(std::io::stdin()),
    };
    let assessor = Assessor {
        context: Context { policies, forced, default_date: args.on.unwrap_or_else(crate::assess_today) },
        lang: args.lang.into(),
        output: match args.output {
            Format::Jsonl => OutputFormat::Jsonl,
            Format::Csv => OutputFormat::Csv,
        },
    };
    let blocks = pipeline::blocks(reader);
    // Nothing is written before the input proves readable: an unreadable file is a usage error.
    let first = match blocks.next() {
        Some(Ok(block)) => Some(block),
        Some(Err(e)) => return usage_error(format!("cannot read the input: {e}")),
        None => None,
    };
    let mut stdout = pipeline::Output::spawn(std::io::stdout());
    let outcome = stdout.write_all(assessor.header()).and_then(|()| match (args.format, first) {
        (_, None) => Ok(Tally::default()),
        (Format::Jsonl, Some(first)) => jsonl(&assessor, first, &blocks, &mut stdout),
        (Format::Csv, Some(first)) => csv(&assessor, first, blocks, &mut stdout),
    });
    let tally = match outcome.and_then(|t| stdout.finish().map(|()| t)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => return usage_error(e),
        Err(e) => {
            eprintln!("yuanzhu: {e}");
            return ExitCode::from(2);
        }
    };
    if PROGRESS_SHOWN.load(std::sync::atomic::Ordering::Relaxed) {
        eprintln!();
    }
    if tally.errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

fn jsonl(assessor: &Assessor<'_>, first: Vec<u8>, blocks: &Blocks, out: &mut Output) -> std::io::Result<Tally> {
    let work = |piece: &[u8], buf: &mut Vec<u8>, tally: &mut Tally| {
        for line in piece.split(|&b| b == b'\n') {
            assessor.jsonl_line(line.strip_suffix(b"\r").unwrap_or(line), buf, tally);
        }
    };
    let mut tally = pipeline::in_pieces(&first, out, &work)?;
    blocks.recycle(first);
    while let Some(block) = blocks.next() {
        let block = block?;
        tally += pipeline::in_pieces(&block, out, &work)?;
        blocks.recycle(block);
        progress(tally);
    }
    Ok(tally)
}

/// CSV input. Lines without quotes are split in parallel; from the first block holding a quote
/// character on, a full CSV reader takes over, since a quoted cell may hold a comma or a line break.
fn csv(assessor: &Assessor<'_>, first: Vec<u8>, blocks: Blocks, out: &mut Output) -> std::io::Result<Tally> {
    if memchr::memchr(b'"', &first).is_some() {
        return csv_quoted(assessor, None, pipeline::Rest::new(first, blocks), out);
    }
    let header_end = memchr::memchr(b'\n', &first).unwrap_or(first.len());
    let line = &first[..header_end];
    let header = CsvHeader::parse(plain_cells(line.strip_suffix(b"\r").unwrap_or(line))).map_err(invalid_input)?;
    let work =
        |piece: &[u8], buf: &mut Vec<u8>, tally: &mut Tally| assessor.csv_plain_lines(&header, piece, buf, tally);
    let mut tally = pipeline::in_pieces(first.get(header_end + 1..).unwrap_or_default(), out, &work)?;
    blocks.recycle(first);
    while let Some(block) = blocks.next() {
        let block = block?;
        if memchr::memchr(b'"', &block).is_some() {
            tally += csv_quoted(assessor, Some(header), pipeline::Rest::new(block, blocks), out)?;
            break;
        }
        tally += pipeline::in_pieces(&block, out, &work)?;
        blocks.recycle(block);
        progress(tally);
    }
    Ok(tally)
}

fn invalid_input(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string())
}

fn csv_quoted(
    assessor: &Assessor<'_>,
    mut header: Option<CsvHeader>,
    input: impl Read,
    out: &mut impl Write,
) -> std::io::Result<Tally> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
    let mut record = csv::ByteRecord::new();
    let mut tally = Tally::default();
    let mut buf = Vec::new();
    while reader.read_byte_record(&mut record).map_err(std::io::Error::other)? {
        let Some(h) = &header else {
            header = Some(CsvHeader::parse(record.iter()).map_err(invalid_input)?);
            continue;
        };
        if record.len() == 1 && is_blank(&record[0]) {
            continue;
        }
        assessor.csv_cells(h, record.iter(), &mut buf, &mut tally);
        if buf.len() > 1 << 20 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)?;
    Ok(tally)
}

static PROGRESS_SHOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// On a terminal, how far a long run has come (standard error, overwritten in place).
fn progress(tally: Tally) {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        PROGRESS_SHOWN.store(true, std::sync::atomic::Ordering::Relaxed);
        eprint!(
            "\r已评估 {} 条记录（其中错误 {} 条）/ {} records assessed, {} errors ",
            tally.results + tally.errors,
            tally.errors,
            tally.results + tally.errors,
            tally.errors
        );
    }
}
