//! The CSV fast path (`Assessor::csv_plain_lines`) is only an optimisation: on any text of plain
//! lines it must write the very bytes, and count the very tally, of the generic path that reads
//! the text line by line (split on `\n`, drop one trailing `\r`, skip blank lines, then
//! `csv_cells` on the line's cells). Contract: /work/shared/contract/assess.md, precise point 7.
//!
//! The texts mix clean rows (which the fast path decodes itself) with every kind of row it must
//! hand back to the generic path: invalid or empty cells, ID numbers, dates after `as_of`, rows
//! with a cell too few or too many, blank lines, lines of spaces, `\r\n` endings, invalid UTF-8.

use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::TestRunner;
use yuanzhu_rules::contract::{Assessor, Context, CsvHeader, OutputFormat, Tally, is_blank, plain_cells};
use yuanzhu_rules::{Date, Lang, PolicySet};

/// Every input field of the contract, in table order.
const FIELDS: [&str; 30] = [
    "ref",
    "as_of",
    "id_number",
    "birth_date",
    "sex",
    "female_retirement_track",
    "hukou_local",
    "rural_to_urban",
    "registered_unemployed",
    "unemployed_since",
    "able_to_work",
    "willing_to_be_assisted",
    "disabled",
    "zero_employment_family",
    "minimum_living_allowance",
    "low_income_family",
    "single_parent_raising_children",
    "college_graduate",
    "parent_certificates",
    "hukou_in_province",
    "without_work",
    "rural_hukou",
    "formerly_registered_poor_household",
    "landless_farmer",
    "unemployment_registered_on",
    "drug_rehabilitated",
    "released_prisoner",
    "mental_health_recovered",
    "veteran",
    "caregiver_of_seriously_ill_relative",
];

/// The columns a row needs to be assessed (not rejected) under either policy: most headers
/// hold them all, so that many rows take the fast path to the end.
const CORE: [&str; 7] = [
    "birth_date",
    "sex",
    "hukou_local",
    "registered_unemployed",
    "able_to_work",
    "willing_to_be_assisted",
    "without_work",
];

const CERTIFICATES: [&str; 4] = ["poor_worker", "urban_minimum_living", "rural_minimum_living", "low_income_family"];

static POLICIES: LazyLock<PolicySet> = LazyLock::new(PolicySet::embedded);

/// The assessors under test: both output formats, the policy chosen per record's date, and a
/// forced `gd-2023-11` (a what-if, also on dates outside its validity).
fn assessors() -> Vec<(&'static str, Assessor<'static>)> {
    let set: &'static PolicySet = &POLICIES;
    let default_date = Date::parse("2016-06-01").unwrap();
    let forced = set.by_id("gd-2023-11").expect("gd-2023-11 is embedded");
    let auto = Context { policies: set, forced: None, default_date };
    let what_if = Context { policies: set, forced: Some(forced), default_date };
    vec![
        ("policy by date, csv output", Assessor { context: auto, lang: Lang::Zh, output: OutputFormat::Csv }),
        ("policy by date, jsonl output", Assessor { context: auto, lang: Lang::Zh, output: OutputFormat::Jsonl }),
        ("forced gd-2023-11, csv output", Assessor { context: what_if, lang: Lang::Zh, output: OutputFormat::Csv }),
        ("forced gd-2023-11, jsonl output", Assessor { context: what_if, lang: Lang::En, output: OutputFormat::Jsonl }),
    ]
}

// ---------------------------------------------------------------------------------------------
// The two paths.

/// The generic path, line by line: the reference.
fn generic(a: &Assessor<'_>, header: &CsvHeader, text: &[u8]) -> (Vec<u8>, Tally) {
    let mut out = Vec::new();
    let mut tally = Tally::default();
    for line in text.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !is_blank(line) {
            a.csv_cells(header, plain_cells(line), &mut out, &mut tally);
        }
    }
    (out, tally)
}

/// The fast path, one call per piece, outputs concatenated and tallies summed.
fn fast(a: &Assessor<'_>, header: &CsvHeader, pieces: &[&[u8]]) -> (Vec<u8>, Tally) {
    let mut out = Vec::new();
    let mut tally = Tally::default();
    for piece in pieces {
        a.csv_plain_lines(header, piece, &mut out, &mut tally);
    }
    (out, tally)
}

/// Cuts `text` at the chosen line breaks. Each break either ends the piece before it or is
/// dropped between the two pieces (as the command line's splitter does).
fn cut_at_line_breaks<'t>(text: &'t [u8], cuts: &[(usize, bool)]) -> Vec<&'t [u8]> {
    let breaks: Vec<usize> = text.iter().enumerate().filter(|&(_, &b)| b == b'\n').map(|(i, _)| i).collect();
    if breaks.is_empty() {
        return vec![text];
    }
    let mut chosen: Vec<(usize, bool)> = cuts.iter().map(|&(i, keep)| (breaks[i % breaks.len()], keep)).collect();
    chosen.sort_unstable();
    chosen.dedup_by_key(|(at, _)| *at);
    let mut pieces = Vec::new();
    let mut start = 0;
    for (at, keep_break) in chosen {
        pieces.push(&text[start..if keep_break { at + 1 } else { at }]);
        start = at + 1;
    }
    pieces.push(&text[start..]);
    pieces
}

/// The first line where two outputs differ, for the failure message.
fn first_difference(fast: &[u8], generic: &[u8]) -> String {
    let f: Vec<&[u8]> = fast.split(|&b| b == b'\n').collect();
    let g: Vec<&[u8]> = generic.split(|&b| b == b'\n').collect();
    let i = f.iter().zip(&g).position(|(a, b)| a != b).unwrap_or(f.len().min(g.len()));
    let show = |v: &[&[u8]]| v.get(i).map_or("(no line)".to_owned(), |l| String::from_utf8_lossy(l).into_owned());
    format!("output line {}:\n  fast:    {}\n  generic: {}", i + 1, show(&f), show(&g))
}

/// Both paths on `text`, whole and cut into pieces at line breaks, under every assessor.
fn check_same(header: &[&str], text: &[u8], cuts: &[(usize, bool)]) -> Result<(), TestCaseError> {
    let header_line = header.join(",");
    let parsed = CsvHeader::parse(plain_cells(header_line.as_bytes())).expect("the generated header is valid");
    let pieces = cut_at_line_breaks(text, cuts);
    for (name, a) in assessors() {
        let expected = generic(&a, &parsed, text);
        for (how, pieces) in [("in one call", vec![text]), ("in pieces", pieces.clone())] {
            let got = fast(&a, &parsed, &pieces);
            prop_assert!(
                got == expected,
                "csv_plain_lines {how} differs from the generic path ({name})\nheader: {header_line}\n\
                 text: b\"{}\"\npieces: {:?}\ntally fast {:?}, generic {:?}\n{}\n--- fast output:\n{}\n--- generic output:\n{}",
                text.escape_ascii(),
                pieces.iter().map(|p| p.escape_ascii().to_string()).collect::<Vec<_>>(),
                got.1,
                expected.1,
                first_difference(&got.0, &expected.0),
                String::from_utf8_lossy(&got.0),
                String::from_utf8_lossy(&expected.0),
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Generators.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Ref,
    AsOf,
    IdNumber,
    BirthDate,
    Sex,
    Track,
    Bool,
    /// `unemployed_since`, `unemployment_registered_on`.
    PeriodStart,
    Certificates,
}

fn column(name: &str) -> Column {
    match name {
        "ref" => Column::Ref,
        "as_of" => Column::AsOf,
        "id_number" => Column::IdNumber,
        "birth_date" => Column::BirthDate,
        "sex" => Column::Sex,
        "female_retirement_track" => Column::Track,
        "unemployed_since" | "unemployment_registered_on" => Column::PeriodStart,
        "parent_certificates" => Column::Certificates,
        _ => Column::Bool,
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Years whose dates sit next to an age threshold (16, 30, 35, 40, 45, 50, 55, 60) on the
/// assessment dates used, plus the first births of the 2025 retirement schedule, plus births
/// after every assessment date.
fn birth_years() -> Vec<u32> {
    let mut years = vec![1964, 1965, 1966, 1971, 1975, 1976, 2017, 2025];
    for anchor in [2016, 2017, 2024, 2025, 2026] {
        for age in [16, 30, 35, 40, 45, 50, 55, 60] {
            years.extend([anchor - age - 1, anchor - age]);
        }
    }
    years.sort_unstable();
    years.dedup();
    years
}

/// A valid `YYYY-MM-DD` in one of `years`, with month ends and 29 February often.
fn date_in(years: Vec<u32>) -> BoxedStrategy<String> {
    let month = prop_oneof![1u32..=12, select(vec![2u32, 5, 6, 12])];
    let day = prop_oneof![1u32..=31, select(vec![1u32, 2, 28, 29, 30, 31])];
    (select(years), month, day).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{:02}", d.min(days_in_month(y, m)))).boxed()
}

/// A date `months` months before `anchor`, on a day near the anchor's: the anchor's day, the
/// days on either side, or a month end (clamped to the month), where the date rule has its edges.
fn months_before(anchor: &str, months: u32, day: u8) -> String {
    let [y, m, d] = [&anchor[0..4], &anchor[5..7], &anchor[8..10]].map(|t| t.parse::<u32>().unwrap());
    let index = y * 12 + (m - 1) - months;
    let (y, m) = (index / 12, index % 12 + 1);
    let last = days_in_month(y, m);
    let d = match day {
        0 => d,
        1 => d.saturating_sub(1).max(1),
        2 => d + 1,
        3 => 28,
        4 => 29,
        5 => 1,
        _ => last,
    };
    format!("{y:04}-{m:02}-{:02}", d.min(last))
}

/// Dates at the edges of the rules on the anchors (assessment dates): births that reach an age
/// (16, 30, 35, 40, 45, 50, 55, 60) on the day or a day before or after, births whose
/// retirement date (with a delay of up to 36 months, the 2025 schedule) falls near the anchor,
/// and starts of unemployment or registration 6, 12 or 24 months back.
fn near(anchors: &[&'static str], months_back: BoxedStrategy<u32>) -> BoxedStrategy<String> {
    (select(anchors.to_vec()), months_back, 0u8..8).prop_map(|(a, months, day)| months_before(a, months, day)).boxed()
}

fn birth_months_back() -> BoxedStrategy<u32> {
    prop_oneof![
        3 => (select(vec![16u32, 30, 35, 40, 45, 50, 55, 60]), select(vec![0u32, 0, 0, 1])).prop_map(|(a, k)| (a + k) * 12),
        1 => (select(vec![50u32, 55, 60]), 0u32..=36).prop_map(|(a, delay)| a * 12 + delay),
    ]
    .boxed()
}

fn period_months_back() -> BoxedStrategy<u32> {
    select(vec![0u32, 1, 5, 6, 6, 7, 11, 12, 12, 13, 24]).boxed()
}

/// The assessment dates of a text, and the birth dates and period starts near them: so that
/// most rows are assessed and many sit on an edge of the rules, with some dates outside every
/// policy and some after the assessment date.
#[derive(Debug, Clone)]
struct Era {
    as_of: BoxedStrategy<String>,
    birth_date: BoxedStrategy<String>,
    period_start: BoxedStrategy<String>,
    /// The weight of noisy rows against 12 of quiet ones.
    noisy_rows: u32,
}

const GZ_AS_OF: [&str; 7] =
    ["2016-06-01", "2016-05-31", "2016-06-02", "2016-02-29", "2017-02-28", "2014-01-20", "2019-01-19"];
const GD_AS_OF: [&str; 5] = ["2024-06-01", "2024-02-29", "2023-08-01", "2025-02-28", "2026-09-29"];
/// `--on` of the assessors: the date of rows without `as_of`.
const DEFAULT_DATE: &str = "2016-06-01";

/// An era whose assessment dates are drawn from `as_of`, with edges computed from `anchors`.
fn era_of(as_of: BoxedStrategy<String>, anchors: &[&'static str], period_years: Vec<u32>, noisy_rows: u32) -> Era {
    Era {
        as_of,
        birth_date: prop_oneof![2 => near(anchors, birth_months_back()), 1 => date_in(birth_years())].boxed(),
        period_start: prop_oneof![2 => near(anchors, period_months_back()), 1 => date_in(period_years)].boxed(),
        noisy_rows,
    }
}

/// Around 2016-06-01 (gz-2014-4, in force 2014-01-20..=2019-01-19), around 2024-06-01
/// (gd-2023-11, from 2023-08-01, into the 2025 retirement schedule), or both at once; some
/// dates in no policy (2014-01-19, 2019-01-20, 2023-07-31).
fn era() -> BoxedStrategy<Era> {
    let gz = prop_oneof![12 => one_of(&GZ_AS_OF), 4 => date_in(vec![2016]), 1 => one_of(&["2014-01-19", "2019-01-20"])];
    let gd = prop_oneof![12 => one_of(&GD_AS_OF), 4 => date_in(vec![2024]), 1 => one_of(&["2023-07-31", "2019-01-20"])];
    let mut all: Vec<&'static str> = GZ_AS_OF.to_vec();
    all.extend(GD_AS_OF);
    prop_oneof![
        Just(era_of(gz.clone().boxed(), &GZ_AS_OF, vec![2014, 2015, 2016], 3)),
        Just(era_of(gd.clone().boxed(), &GD_AS_OF, vec![2022, 2023, 2024], 3)),
        Just(era_of(prop_oneof![gz, gd].boxed(), &all, vec![2014, 2015, 2016, 2022, 2023, 2024], 3)),
    ]
    .boxed()
}

/// One assessment date for (nearly) every row of a long text: hundreds of rows in a row on the
/// date the fast path caches, past the point where it builds its batch clock. Empty `as_of`
/// cells and texts without the column take the default date.
fn long_run_era() -> BoxedStrategy<Era> {
    let mut dates: Vec<&'static str> = GZ_AS_OF.to_vec();
    dates.extend(GD_AS_OF);
    select(dates)
        .prop_map(|main| {
            let as_of = prop_oneof![999 => Just(main.to_owned()), 1 => one_of(&GZ_AS_OF), 1 => one_of(&GD_AS_OF)];
            let years = (2014..=2026).collect();
            era_of(as_of.boxed(), &[main, main, main, DEFAULT_DATE], years, 1)
        })
        .boxed()
}

const CHECK_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The GB 11643 check character of 17 digits.
fn check_character(body: &str) -> char {
    let sum: u32 = body.bytes().zip(CHECK_WEIGHTS).map(|(b, w)| u32::from(b - b'0') * w).sum();
    char::from(b"10X98765432"[(sum % 11) as usize])
}

/// 18-character ID numbers: valid ones (some with a lower-case `x`) and ones with a wrong check
/// character, a wrong length, an impossible birth date or a letter inside.
fn id_number(birth_date: BoxedStrategy<String>) -> BoxedStrategy<String> {
    (select(vec!["440106", "440103", "110101", "650102"]), birth_date, 0u32..1000, 0u8..10)
        .prop_map(|(region, birth, sequence, variant)| {
            let body = format!("{region}{}{sequence:03}", birth.replace('-', ""));
            let check = check_character(&body);
            match variant {
                0..=4 => format!("{body}{check}"),
                5 => format!("{body}{}", check.to_ascii_lowercase()),
                6 => {
                    let codes = "10X98765432";
                    let i = codes.find(check).unwrap();
                    format!("{body}{}", codes.as_bytes()[(i + 1) % 11] as char)
                }
                7 => body,
                8 => format!("{body}{check}0"),
                _ => {
                    let impossible = format!("{region}19760230{sequence:03}");
                    let check = check_character(&impossible);
                    format!("{impossible}{check}")
                }
            }
        })
        .boxed()
}

fn certificates() -> BoxedStrategy<String> {
    proptest::collection::vec(select(CERTIFICATES.to_vec()), 1..=3).prop_map(|names| names.join(";")).boxed()
}

fn one_of(values: &[&'static str]) -> BoxedStrategy<String> {
    select(values.to_vec()).prop_map(str::to_owned).boxed()
}

/// A value the column accepts.
fn valid(column: Column, era: &Era) -> BoxedStrategy<String> {
    match column {
        Column::Ref => {
            prop_oneof!["[A-Z]{1,2}-[0-9]{1,4}", "张三-[0-9]{1,2}", "[a-z0-9 ;:/_\t-]{1,8}", Just("é😀x".to_owned()),]
                .boxed()
        }
        Column::AsOf => era.as_of.clone(),
        Column::IdNumber => prop_oneof![Just(String::new()), id_number(era.birth_date.clone())].boxed(),
        Column::BirthDate => era.birth_date.clone(),
        Column::Sex => one_of(&["female", "male"]),
        Column::Track => one_of(&["worker", "cadre"]),
        // Mostly true, so that the preconditions often hold and the categories decide.
        Column::Bool => prop_oneof![
            8 => Just("true".to_owned()),
            3 => Just("false".to_owned()),
            1 => one_of(&["TRUE", "False", "FALSE", "True", "tRuE"]),
        ]
        .boxed(),
        Column::PeriodStart => era.period_start.clone(),
        Column::Certificates => certificates(),
    }
}

const BAD_DATES: [&str; 13] = [
    "2016-02-30",
    "2015-02-29",
    "2016-6-1",
    "2016-06-1",
    "16-06-01",
    "2016/06/01",
    "2016-13-01",
    "2016-00-10",
    "0000-01-01",
    "2016-06-01 ",
    "２０１６-06-01",
    "yes",
    "2016-06-31",
];

/// A value the column refuses (for `ref`, which takes any text: odd text).
fn invalid(column: Column) -> BoxedStrategy<String> {
    match column {
        Column::Ref => one_of(&[" ", "\u{feff}", "a\rb", "；", "\u{3000}", "x\t"]),
        Column::AsOf | Column::BirthDate | Column::PeriodStart => one_of(&BAD_DATES),
        Column::IdNumber => one_of(&[
            "44010619760230123X",
            "4401061976A2291234",
            "440106760229123",
            "４４０１０６１９７６０２２９１２３４",
            "yes",
        ]),
        Column::Sex => one_of(&["Male", "FEMALE", "f", "女", "unknown", " male"]),
        Column::Track => one_of(&["Worker", "CADRE", "manager", "干部", "worker "]),
        Column::Bool => one_of(&["yes", "no", "1", "0", " true", "false ", "t", "是", "truee"]),
        Column::Certificates => one_of(&[
            ";",
            "poor_worker;",
            ";low_income_family",
            "poor_worker;;urban_minimum_living",
            "poor",
            "POOR_WORKER",
            "poor_worker; low_income_family",
            "贫困职工",
        ]),
    }
}

/// One cell: valid with weight `100 - noise`, else empty or invalid.
fn cell(column: Column, noise: u32, era: &Era) -> BoxedStrategy<String> {
    prop_oneof![
        100 - noise => valid(column, era),
        noise / 2 + 1 => Just(String::new()),
        noise / 2 + 1 => invalid(column),
    ]
    .boxed()
}

/// The cells of a row, one per column.
fn cells(columns: &[Column], noise: u32, era: &Era) -> BoxedStrategy<Vec<String>> {
    columns.iter().map(|&c| cell(c, noise, era)).collect::<Vec<_>>().boxed()
}

/// A cell added to a row that already has all its cells.
fn extra_cell() -> BoxedStrategy<String> {
    prop_oneof![Just(String::new()), one_of(&["true", "male", "2016-06-01", "x"])].boxed()
}

/// One line without its ending: mostly rows (quiet or noisy), sometimes a row with one cell
/// too few or too many, an empty line or a line of spaces.
fn line(columns: &[Column], era: &Era) -> BoxedStrategy<String> {
    let row = prop_oneof![12 => cells(columns, 1, era), era.noisy_rows => cells(columns, 20, era)];
    prop_oneof![
        24 => row.clone().prop_map(|c| c.join(",")),
        1 => (row.clone(), any::<Index>()).prop_map(|(mut c, i)| {
            c.remove(i.index(c.len()));
            c.join(",")
        }),
        1 => (row, any::<Index>(), extra_cell()).prop_map(|(mut c, i, extra)| {
            c.insert(i.index(c.len() + 1), extra);
            c.join(",")
        }),
        1 => Just(String::new()),
        1 => "[ \t]{1,6}",
    ]
    .boxed()
}

/// A text of lines ended by `\n` or `\r\n`; the last line's ending may be missing.
fn text(columns: &[Column], lines: std::ops::Range<usize>, era: &Era) -> BoxedStrategy<String> {
    let ending = prop_oneof![4 => Just("\n"), 1 => Just("\r\n")];
    (proptest::collection::vec((line(columns, era), ending), lines), any::<bool>())
        .prop_map(|(lines, last_ended)| {
            let mut text = String::new();
            for (line, ending) in &lines {
                text.push_str(line);
                text.push_str(ending);
            }
            if !last_ended && let Some((_, ending)) = lines.last() {
                text.truncate(text.len() - ending.len());
            }
            text
        })
        .boxed()
}

/// A header: usually the core columns and some others, sometimes any few columns; in any order.
fn header() -> BoxedStrategy<Vec<&'static str>> {
    let dense: Vec<_> = FIELDS
        .iter()
        .map(|f| match *f {
            f if CORE.contains(&f) => proptest::bool::weighted(0.99),
            // Without `as_of`, rows take the default date, 2016-06-01.
            "as_of" => proptest::bool::weighted(0.75),
            _ => proptest::bool::weighted(0.35),
        })
        .collect();
    let sparse: Vec<_> = FIELDS.iter().map(|_| proptest::bool::weighted(0.25)).collect();
    prop_oneof![9 => dense, 1 => sparse]
        .prop_map(|keep| {
            let mut names: Vec<&'static str> = FIELDS.iter().zip(keep).filter(|(_, k)| *k).map(|(f, _)| *f).collect();
            if names.is_empty() {
                names.push("ref");
            }
            names
        })
        .prop_shuffle()
        .boxed()
}

/// A header and a text of rows under it.
fn csv(lines: std::ops::Range<usize>, era: BoxedStrategy<Era>) -> BoxedStrategy<(Vec<&'static str>, String)> {
    (header(), era)
        .prop_flat_map(move |(names, era)| {
            let columns: Vec<Column> = names.iter().map(|n| column(n)).collect();
            (Just(names), text(&columns, lines.clone(), &era))
        })
        .boxed()
}

/// Where a text is cut into pieces: one to three line breaks (by number, modulo their count),
/// each kept at the end of its piece or dropped.
fn cuts() -> impl Strategy<Value = Vec<(usize, bool)>> {
    proptest::collection::vec((any::<usize>(), any::<bool>()), 1..=3)
}

/// Byte sequences that are not UTF-8: a stray byte, a lone lead or continuation byte, a
/// truncated sequence, an overlong encoding, a surrogate, a code point above U+10FFFF.
fn not_utf8() -> impl Strategy<Value = Vec<u8>> {
    select(vec![
        vec![0xFF],
        vec![0xC3],
        vec![0x80],
        vec![0xE4, 0xB8],
        vec![0xC0, 0x80],
        vec![0xED, 0xA0, 0x80],
        vec![0xF4, 0x90, 0x80, 0x80],
    ])
}

fn config(cases: u32) -> ProptestConfig {
    // No regression file: a failure is to be written down as a test of its own.
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------------------------
// Properties.

proptest! {
    #![proptest_config(config(300))]

    /// Clean rows decoded by the fast path and every row it hands back give the generic path's
    /// output, in order, with the same tally.
    #[test]
    fn fast_path_output_and_tally_equal_generic_path_line_by_line(
        (header, text) in csv(0..40, era()),
    ) {
        check_same(&header, text.as_bytes(), &[])?;
    }

    /// Cutting the text at line breaks into several calls (as the command line does for its
    /// parallel pieces) changes nothing: the outputs concatenate to the generic path's output.
    #[test]
    fn cutting_text_at_line_breaks_into_several_calls_changes_nothing(
        (header, text) in csv(1..40, era()),
        cuts in cuts(),
    ) {
        check_same(&header, text.as_bytes(), &cuts)?;
    }

    /// Invalid UTF-8 anywhere in the text, whole or in one piece only: the fast path falls back,
    /// and the bad row is `invalid_json` exactly as the generic path says.
    #[test]
    fn invalid_utf8_in_a_cell_gives_the_generic_paths_output(
        (header, text) in csv(1..30, era()),
        bad in proptest::collection::vec((any::<Index>(), not_utf8()), 1..=2),
        cuts in cuts(),
    ) {
        let mut bytes = text.into_bytes();
        for (at, sequence) in bad {
            let at = at.index(bytes.len() + 1);
            bytes.splice(at..at, sequence);
        }
        prop_assume!(std::str::from_utf8(&bytes).is_err());
        check_same(&header, &bytes, &cuts)?;
    }
}

proptest! {
    #![proptest_config(config(32))]

    /// Long runs on one date (the `as_of` column on each row, or absent for the default date):
    /// the results after the fast path switches to its precomputed clock still equal the
    /// generic path's.
    #[test]
    fn long_runs_on_one_assessment_date_equal_generic_path(
        (header, text) in csv(500..900, long_run_era()),
        cuts in cuts(),
    ) {
        check_same(&header, text.as_bytes(), &cuts)?;
    }
}

/// Guards the properties against being vacuous: the generated rows are often assessed (rows
/// the fast path can finish itself), not only rejected.
#[test]
fn generated_texts_hold_many_rows_that_are_assessed() {
    let mut runner = TestRunner::deterministic();
    let strategy = csv(0..40, era());
    let set: &PolicySet = &POLICIES;
    let a = Assessor {
        context: Context { policies: set, forced: None, default_date: Date::parse("2016-06-01").unwrap() },
        lang: Lang::Zh,
        output: OutputFormat::Csv,
    };
    let mut total = Tally::default();
    for _ in 0..200 {
        let (names, text) = strategy.new_tree(&mut runner).unwrap().current();
        let header = CsvHeader::parse(plain_cells(names.join(",").as_bytes())).unwrap();
        let mut out = Vec::new();
        a.csv_plain_lines(&header, text.as_bytes(), &mut out, &mut total);
    }
    let records = total.results + total.errors;
    assert!(records > 1000, "too few records: {total:?}");
    assert!(total.results * 4 > records, "too few rows assessed: {total:?}");
    assert!(total.errors * 10 > records, "too few rows rejected: {total:?}");
}

/// The examples the generators aim at, written out: they run even if the generators drift.
#[test]
fn hand_written_mix_of_clean_and_fallback_rows_equals_generic_path() {
    let header = [
        "ref",
        "as_of",
        "birth_date",
        "sex",
        "hukou_local",
        "registered_unemployed",
        "able_to_work",
        "willing_to_be_assisted",
        "without_work",
        "unemployed_since",
        "parent_certificates",
        "college_graduate",
    ];
    let text = "A-1,2016-06-01,1976-02-29,male,true,true,true,true,false,2015-08-31,poor_worker;low_income_family,TRUE\n\
                A-2,,1976-06-01,female,TRUE,False,true,true,,2015-12-01,,false\r\n\
                \n\
                \x20\x20\x20\n\
                A-3,2016-06-01,2016-02-30,male,true,true,true,true,,,,\n\
                A-4,2016-06-01,1976-06-01,male,yes,true,true,true,,,,\n\
                A-5,2016-06-01,1976-06-01,male,true,true,true,true,,,poor_worker;,true\n\
                A-6,2016-06-01,2016-06-02,male,true,true,true,true,,,,\n\
                A-7,2016-06-01,1976-06-01,male,true,true,true,true,,2016-06-02,,\n\
                A-8,2016-06-01,1976-06-01,male,true,true,true,true,,,\n\
                A-9,2016-06-01,1976-06-01,male,true,true,true,true,,,,,\n\
                A-10,2016-6-1,1976-06-01,male,true,true,true,true,,,,\n\
                张三,2024-06-01,1974-06-01,female,true,true,true,true,true,,,\r\n\
                A-12,2024-06-01,1974-06-01,other,true,true,true,true,true,,,";
    let cuts = [(3, true), (9, false)];
    check_same(&header, text.as_bytes(), &cuts).unwrap();
    let mut bad = text.as_bytes().to_vec();
    bad.splice(3..3, [0xFF]);
    check_same(&header, &bad, &cuts).unwrap();
}
