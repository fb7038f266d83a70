//! Black-box acceptance tests for `yuanzhu assess`, contract version 1
//! (`shared/contract/assess.md`).
//!
//! Every expected value was worked out by hand from the contract text, the domain
//! notes (section 2.3: the 2025 retirement schedule; section 3.1: the ID checksum) and
//! the policy text (穗人社发〔2014〕4号 第三条). Date arithmetic and ID check characters
//! were cross-checked with a separate Python computation. No value comes from the
//! implementation's output. The free-text `because` and the error `message` are
//! localised, so the tests only require them to be non-empty strings.
//!
//! Sections:
//!  1. test support: running the binary, building records and expectations, ID numbers
//!  2. output shape, `ref`, input order, blank lines, exit status, FILE argument
//!  3. choosing the policy and the validity windows; `--policy` what-if
//!  4. the assessment date: `as_of`, `--on`, today
//!  5. ages and working age under gz-2014-4 (and the age-16 / leap-day boundaries)
//!  6. the 2025 retirement schedule
//!  7. durations: six months unemployed, gd registration periods
//!  8. gz-2014-4 categories and preconditions
//!  9. gd-2023-11 categories and preconditions
//! 10. errors: order, invalid_json, unknown_field, missing_field, invalid_field, null
//! 11. resident ID numbers
//! 12. CSV input
//! 13. CSV output
//! 14. usage errors
//! 15. example files in tests/data

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Map, Value, json};

// =====================================================================================
// 1. Test support
// =====================================================================================

const BIN: &str = env!("CARGO_BIN_EXE_yuanzhu");

/// What one run of `yuanzhu assess` produced.
#[derive(Debug)]
struct Run {
    stdout: Vec<u8>,
    stderr: String,
    code: Option<i32>,
}

impl Run {
    fn stdout_text(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("standard output is not UTF-8")
    }

    /// Every output line parsed as JSON (a trailing newline is allowed, blank lines are not).
    fn json_lines(&self) -> Vec<Value> {
        let text = self.stdout_text();
        text.lines()
            .map(|line| {
                serde_json::from_str::<Value>(line).unwrap_or_else(|e| {
                    panic!("output line is not JSON ({e}): {line:?}\nstdout:\n{text}\nstderr:\n{}", self.stderr)
                })
            })
            .collect()
    }

    fn assert_usage_error(&self, what: &str) {
        assert_eq!(self.code, Some(2), "{what}: exit status should be 2 (usage error); stderr:\n{}", self.stderr);
        assert!(
            self.stdout.is_empty(),
            "{what}: a usage error writes nothing on stdout, got:\n{}",
            String::from_utf8_lossy(&self.stdout)
        );
        assert!(!self.stderr.trim().is_empty(), "{what}: a usage error writes a message on stderr");
    }
}

/// Runs `yuanzhu assess ARGS` with `stdin` as standard input.
fn run(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(BIN)
        .arg("assess")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("failed to start the yuanzhu binary");
    let mut pipe = child.stdin.take().expect("stdin pipe");
    let data = stdin.to_vec();
    // A usage error may end the process before it reads anything: a broken pipe is fine.
    let feeder = std::thread::spawn(move || pipe.write_all(&data).is_ok());
    let out = child.wait_with_output().expect("failed to wait for yuanzhu");
    let _fed_everything = feeder.join().expect("stdin feeder panicked");
    Run { stdout: out.stdout, stderr: String::from_utf8_lossy(&out.stderr).into_owned(), code: out.status.code() }
}

/// Records as JSON lines.
fn jsonl(records: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in records {
        out.extend_from_slice(r.to_string().as_bytes());
        out.push(b'\n');
    }
    out
}

/// Runs all records through one invocation, in order, and compares each output line
/// with its expectation. The exit status must be 1 when any expectation is an error
/// line, else 0.
fn check(args: &[&str], cases: &[(Value, Value)]) {
    let records: Vec<Value> = cases.iter().map(|(r, _)| r.clone()).collect();
    let expected: Vec<Value> = cases.iter().map(|(_, e)| e.clone()).collect();
    let labels: Vec<String> = records.iter().map(|r| format!("input {r}")).collect();
    let out = run(args, &jsonl(&records));
    verify(&out, args, &expected, &labels);
}

/// Like [`check`] for input given as raw bytes.
fn check_raw(args: &[&str], stdin: &[u8], expected: &[Value]) {
    let out = run(args, stdin);
    verify(&out, args, expected, &[]);
}

fn verify(out: &Run, args: &[&str], expected: &[Value], labels: &[String]) {
    let lines = out.json_lines();
    assert_eq!(
        lines.len(),
        expected.len(),
        "args {args:?}: expected {} output lines, got {}\nstdout:\n{}\nstderr:\n{}",
        expected.len(),
        lines.len(),
        out.stdout_text(),
        out.stderr
    );
    for (i, (actual, want)) in lines.iter().zip(expected).enumerate() {
        let label = labels.get(i).map(String::as_str).unwrap_or("");
        assert_line(actual, want, &format!("args {args:?}, output line {} ({label})", i + 1));
    }
    let status = if expected.iter().any(|e| e.get("error").is_some()) { 1 } else { 0 };
    assert_eq!(out.code, Some(status), "args {args:?}: exit status; stderr:\n{}", out.stderr);
}

fn assert_non_empty_string(v: Option<&Value>, what: &str) {
    match v {
        Some(Value::String(s)) if !s.trim().is_empty() => {}
        other => panic!("{what} should be a non-empty string, got {other:?}"),
    }
}

/// Compares one output line with an expectation built by [`result`] or [`error`].
/// `ref` must be present exactly when the expectation has it.
fn assert_line(actual: &Value, expected: &Value, ctx: &str) {
    let a = actual.as_object().unwrap_or_else(|| panic!("{ctx}: output line is not a JSON object: {actual}"));
    assert_eq!(a.get("ref"), expected.get("ref"), "{ctx}: `ref`\n  expected: {expected}\n  actual:   {actual}");
    if let Some(want) = expected.get("error") {
        let got = a
            .get("error")
            .and_then(Value::as_object)
            .unwrap_or_else(|| panic!("{ctx}: expected an error line {want}\n  actual: {actual}"));
        assert_eq!(got.get("code"), want.get("code"), "{ctx}: error code\n  expected: {want}\n  actual:   {actual}");
        assert_eq!(got.get("field"), want.get("field"), "{ctx}: error field\n  expected: {want}\n  actual:   {actual}");
        assert_non_empty_string(got.get("message"), &format!("{ctx}: error message"));
    } else {
        assert!(a.get("error").is_none(), "{ctx}: expected a result\n  expected: {expected}\n  actual:   {actual}");
        for key in
            ["as_of", "policy", "in_force", "provisional", "eligible", "categories", "recognition", "unmet", "age"]
        {
            assert_eq!(
                a.get(key),
                expected.get(key),
                "{ctx}: key `{key}`\n  expected: {expected}\n  actual:   {actual}"
            );
        }
        let reasons = a
            .get("reasons")
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("{ctx}: `reasons` should be an array: {actual}"));
        let got: Vec<Value> = reasons
            .iter()
            .map(|r| {
                assert_non_empty_string(r.get("because"), &format!("{ctx}: reason `because` in {r}"));
                json!({"code": r.get("code"), "citation": r.get("citation")})
            })
            .collect();
        assert_eq!(
            Some(&Value::Array(got)),
            expected.get("reasons"),
            "{ctx}: reasons (code, citation) in order\n  expected: {expected}\n  actual:   {actual}"
        );
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Policy {
    Gz,
    Gd,
}

/// gz-2014-4: (code, citation, recognition), in article order.
const GZ_CATEGORIES: [(&str, &str, &str); 8] = [
    ("older_unemployed", "第三条第（一）项", "automatic"),
    ("older_rural_converted", "第三条第（二）项", "automatic"),
    ("hardship_long_term_older", "第三条第（三）项第1目", "application"),
    ("hardship_zero_employment_family", "第三条第（三）项第2目", "application"),
    ("hardship_low_income", "第三条第（三）项第3目", "application"),
    ("hardship_single_parent", "第三条第（三）项第4目", "application"),
    ("hardship_family_graduate", "第三条第（四）项", "automatic"),
    ("disabled_unemployed", "第三条第（五）项", "automatic"),
];

/// gd-2023-11: category N cites 第一条第（N）项; every one is `application`.
const GD_CATEGORIES: [(&str, &str, &str); 12] = [
    ("older_unemployed", "第一条第（一）项", "application"),
    ("disabled", "第一条第（二）项", "application"),
    ("minimum_living_allowance", "第一条第（三）项", "application"),
    ("urban_zero_employment_family", "第一条第（四）项", "application"),
    ("rural_zero_transfer_poor_family", "第一条第（五）项", "application"),
    ("landless_farmer", "第一条第（六）项", "application"),
    ("long_term_unemployed", "第一条第（七）项", "application"),
    ("drug_rehabilitated", "第一条第（八）项", "application"),
    ("released_prisoner", "第一条第（九）项", "application"),
    ("mental_health_recovered", "第一条第（十）项", "application"),
    ("veteran_unemployed", "第一条第（十一）项", "application"),
    ("caregiver_of_seriously_ill", "第一条第（十二）项", "application"),
];

const GZ_UNMET: [&str; 7] = [
    "not_local_hukou",
    "not_registered_unemployed",
    "unable_to_work",
    "not_willing",
    "below_working_age",
    "above_working_age",
    "no_category",
];

const GD_UNMET: [&str; 7] = [
    "not_provincial_hukou",
    "has_work",
    "unable_to_work",
    "not_willing",
    "below_working_age",
    "above_working_age",
    "no_category",
];

impl Policy {
    fn id(self) -> &'static str {
        match self {
            Policy::Gz => "gz-2014-4",
            Policy::Gd => "gd-2023-11",
        }
    }

    fn provisional(self) -> bool {
        self == Policy::Gd
    }

    fn categories(self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self {
            Policy::Gz => &GZ_CATEGORIES,
            Policy::Gd => &GD_CATEGORIES,
        }
    }

    /// Article cited by unmet codes (and `no_category`).
    fn unmet_citation(self) -> &'static str {
        match self {
            Policy::Gz => "第三条",
            Policy::Gd => "第一条",
        }
    }

    fn unmet_codes(self) -> &'static [&'static str] {
        match self {
            Policy::Gz => &GZ_UNMET,
            Policy::Gd => &GD_UNMET,
        }
    }
}

/// The expected result line (in force, no `ref`). Categories and unmet codes must be
/// given in contract order; the test-writer checks below catch slips in this file.
fn result(p: Policy, as_of: &str, age: u32, categories: &[&str], unmet: &[&str]) -> Value {
    assert!(categories.is_empty() != unmet.is_empty(), "test bug: exactly one of categories/unmet must be empty");
    let order: Vec<&str> = p.categories().iter().map(|c| c.0).collect();
    let positions: Vec<usize> = categories
        .iter()
        .map(|c| {
            order.iter().position(|o| o == c).unwrap_or_else(|| panic!("test bug: {c} is not a {} category", p.id()))
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "test bug: categories out of order");
    let unmet_order = p.unmet_codes();
    let upos: Vec<usize> = unmet
        .iter()
        .map(|u| {
            unmet_order
                .iter()
                .position(|o| o == u)
                .unwrap_or_else(|| panic!("test bug: {u} is not a {} unmet code", p.id()))
        })
        .collect();
    assert!(upos.windows(2).all(|w| w[0] < w[1]), "test bug: unmet out of order");

    let mut recognition = Map::new();
    let mut reasons = Vec::new();
    for c in categories {
        let (_, citation, rec) = p.categories().iter().find(|x| x.0 == *c).copied().expect("known category");
        recognition.insert((*c).to_string(), json!(rec));
        reasons.push(json!({"code": c, "citation": citation}));
    }
    for u in unmet {
        reasons.push(json!({"code": u, "citation": p.unmet_citation()}));
    }
    json!({
        "as_of": as_of,
        "policy": p.id(),
        "in_force": true,
        "provisional": p.provisional(),
        "eligible": unmet.is_empty(),
        "categories": categories,
        "recognition": recognition,
        "unmet": unmet,
        "reasons": reasons,
        "age": age,
    })
}

fn eligible(p: Policy, as_of: &str, age: u32, categories: &[&str]) -> Value {
    result(p, as_of, age, categories, &[])
}

fn ineligible(p: Policy, as_of: &str, age: u32, unmet: &[&str]) -> Value {
    result(p, as_of, age, &[], unmet)
}

fn no_category(p: Policy, as_of: &str, age: u32) -> Value {
    ineligible(p, as_of, age, &["no_category"])
}

/// A result evaluated with `--policy` on a date outside (false) or inside (true) its window.
fn in_force(mut v: Value, in_force: bool) -> Value {
    v["in_force"] = json!(in_force);
    v
}

fn with_ref(mut v: Value, r: &str) -> Value {
    v["ref"] = json!(r);
    v
}

/// The expected error line (no `ref`); `field` None means the key is absent.
fn error(code: &str, field: Option<&str>) -> Value {
    let mut e = Map::new();
    e.insert("code".into(), json!(code));
    if let Some(f) = field {
        e.insert("field".into(), json!(f));
    }
    json!({ "error": e })
}

fn field_error(code: &str, field: &str) -> Value {
    error(code, Some(field))
}

fn invalid_json() -> Value {
    error("invalid_json", None)
}

/// A person meeting every gz-2014-4 precondition except, possibly, working age; no
/// category facts.
fn gz_person(as_of: &str, birth: &str, sex: &str) -> Value {
    json!({
        "as_of": as_of, "birth_date": birth, "sex": sex,
        "hukou_local": true, "registered_unemployed": true,
        "able_to_work": true, "willing_to_be_assisted": true,
    })
}

/// A person meeting every gd-2023-11 precondition except, possibly, working age.
fn gd_person(as_of: &str, birth: &str, sex: &str) -> Value {
    json!({
        "as_of": as_of, "birth_date": birth, "sex": sex,
        "hukou_local": true, "without_work": true,
        "able_to_work": true, "willing_to_be_assisted": true,
    })
}

/// A person whose record satisfies the required fields of both policies.
fn any_person(as_of: &str, birth: &str, sex: &str) -> Value {
    with(gz_person(as_of, birth, sex), json!({"without_work": true}))
}

/// The record with the given fields added or replaced (a `null` value stays a JSON null).
fn with(mut rec: Value, extra: Value) -> Value {
    let obj = rec.as_object_mut().expect("record is a JSON object");
    for (k, v) in extra.as_object().expect("extra fields are a JSON object") {
        obj.insert(k.clone(), v.clone());
    }
    rec
}

fn without(mut rec: Value, keys: &[&str]) -> Value {
    let obj = rec.as_object_mut().expect("record is a JSON object");
    for k in keys {
        obj.remove(*k);
    }
    rec
}

/// GB 11643 weights W_i = 2^(17-i) mod 11.
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

fn id_check_char(first17: &str) -> char {
    assert_eq!(first17.len(), 17, "test bug: {first17} is not 17 characters");
    let sum: u32 =
        first17.chars().zip(ID_WEIGHTS).map(|(c, w)| c.to_digit(10).expect("test bug: digit expected") * w).sum();
    b"10X98765432"[(sum % 11) as usize] as char
}

/// A checksum-valid 18-digit number: address code, birth date (YYYY-MM-DD or
/// YYYYMMDD; not checked, so impossible dates can be built) and a 3-digit sequence
/// (last digit odd = male).
fn id_number(addr: &str, birth: &str, seq: &str) -> String {
    let body = format!("{addr}{}{seq}", birth.replace('-', ""));
    let check = id_check_char(&body);
    format!("{body}{check}")
}

/// A valid number registered in 越秀区 (440104).
fn gz_id(birth: &str, seq: &str) -> String {
    id_number("440104", birth, seq)
}

const MALE_SEQ: &str = "013";
const FEMALE_SEQ: &str = "024";

/// The same number with a wrong check character.
fn with_wrong_check(id: &str) -> String {
    let (body, last) = id.split_at(17);
    let wrong = if last == "0" { '1' } else { '0' };
    format!("{body}{wrong}")
}

/// A minimal RFC 4180 reader (quotes, doubled quotes, CRLF or LF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut in_quotes = false;
    let mut pending = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cell.push('"');
                } else {
                    in_quotes = false;
                }
            } else {
                cell.push(c);
            }
            continue;
        }
        match c {
            '"' => {
                in_quotes = true;
                pending = true;
            }
            ',' => {
                row.push(std::mem::take(&mut cell));
                pending = true;
            }
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
                pending = false;
            }
            _ => {
                cell.push(c);
                pending = true;
            }
        }
    }
    if pending {
        row.push(cell);
        rows.push(row);
    }
    rows
}

fn csv_rows(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter().map(|r| r.iter().map(|c| (*c).to_string()).collect()).collect()
}

fn data_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("data").join(name)
}

fn expected_file(name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(data_path(name)).expect("read expected file");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad expected line ({e}): {l}")))
        .collect()
}

// =====================================================================================
// 2. Output shape, ref, input order, blank lines, exit status, FILE
// =====================================================================================

#[test]
fn result_line_carries_every_contract_key() {
    // The contract's own example: a man of 41 whose household receives 低保.
    let rec =
        with(gz_person("2016-06-01", "1975-01-10", "male"), json!({"ref": "A-17", "minimum_living_allowance": true}));
    let out = run(&[], &jsonl(&[rec]));
    assert_eq!(out.code, Some(0), "stderr:\n{}", out.stderr);
    let lines = out.json_lines();
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert!(line["as_of"].is_string());
    assert!(line["policy"].is_string());
    assert!(line["in_force"].is_boolean());
    assert!(line["provisional"].is_boolean());
    assert!(line["eligible"].is_boolean());
    assert!(line["categories"].is_array());
    assert!(line["recognition"].is_object());
    assert!(line["unmet"].is_array());
    assert!(line["reasons"].is_array());
    assert!(line["age"].is_u64(), "age should be a whole number: {line}");
    for r in line["reasons"].as_array().expect("array") {
        assert!(r["code"].is_string() && r["citation"].is_string(), "reason: {r}");
    }
    assert_line(
        line,
        &with_ref(eligible(Policy::Gz, "2016-06-01", 41, &["older_unemployed", "hardship_low_income"]), "A-17"),
        "contract example",
    );
}

#[test]
fn error_line_carries_ref_code_field_and_message() {
    let id = with_wrong_check(&gz_id("1980-05-15", MALE_SEQ));
    let rec = with(
        without(gz_person("2016-06-01", "1980-05-15", "male"), &["birth_date", "sex"]),
        json!({"ref": "A-18", "id_number": id}),
    );
    let out = run(&[], &jsonl(&[rec]));
    assert_eq!(out.code, Some(1), "stderr:\n{}", out.stderr);
    let lines = out.json_lines();
    assert_eq!(lines.len(), 1);
    assert!(lines[0]["error"].is_object(), "{}", lines[0]);
    assert_line(&lines[0], &with_ref(field_error("invalid_id_number", "id_number"), "A-18"), "contract error example");
}

#[test]
fn ref_is_echoed_exactly_when_the_input_has_one() {
    let p = gz_person("2016-06-01", "1990-01-01", "male");
    let d = "2016-06-01";
    check(
        &[],
        &[
            (with(p.clone(), json!({"ref": "r1"})), with_ref(no_category(Policy::Gz, d, 26), "r1")),
            (p.clone(), no_category(Policy::Gz, d, 26)),
            (with(p.clone(), json!({"ref": null})), no_category(Policy::Gz, d, 26)),
            (with(p.clone(), json!({"ref": ""})), with_ref(no_category(Policy::Gz, d, 26), "")),
            (
                with(without(p.clone(), &["hukou_local"]), json!({"ref": "r5"})),
                with_ref(field_error("missing_field", "hukou_local"), "r5"),
            ),
            (
                with(p.clone(), json!({"ref": "r6", "disabld": true})),
                with_ref(field_error("unknown_field", "disabld"), "r6"),
            ),
            (
                with(p.clone(), json!({"ref": "r7", "as_of": "2021-01-01"})),
                with_ref(field_error("no_policy_in_force", "as_of"), "r7"),
            ),
            (without(p.clone(), &["hukou_local"]), field_error("missing_field", "hukou_local")),
            (with(p, json!({"ref": "参考-８"})), with_ref(no_category(Policy::Gz, d, 26), "参考-８")),
        ],
    );
}

#[test]
fn output_order_equals_input_order() {
    let mut cases = Vec::new();
    for i in 0..12 {
        let r = format!("n{i}");
        let case = match i % 4 {
            0 => (
                with(gz_person("2016-06-01", "1990-01-01", "male"), json!({"ref": r, "disabled": true})),
                with_ref(eligible(Policy::Gz, "2016-06-01", 26, &["disabled_unemployed"]), &r),
            ),
            1 => (
                with(gd_person("2024-06-01", "1990-01-01", "female"), json!({"ref": r, "landless_farmer": true})),
                with_ref(eligible(Policy::Gd, "2024-06-01", 34, &["landless_farmer"]), &r),
            ),
            2 => (
                with(without(gz_person("2016-06-01", "1990-01-01", "male"), &["able_to_work"]), json!({"ref": r})),
                with_ref(field_error("missing_field", "able_to_work"), &r),
            ),
            _ => (
                with(gz_person("2017-03-01", "1990-01-01", "male"), json!({"ref": r})),
                with_ref(no_category(Policy::Gz, "2017-03-01", 27), &r),
            ),
        };
        cases.push(case);
    }
    check(&[], &cases);
}

#[test]
fn errors_never_stop_the_run() {
    let good = with(gz_person("2016-06-01", "1990-01-01", "male"), json!({"disabled": true}));
    let ok = eligible(Policy::Gz, "2016-06-01", 26, &["disabled_unemployed"]);
    let mut input = Vec::new();
    input.extend_from_slice(b"{not json\n");
    input.extend_from_slice(&jsonl(std::slice::from_ref(&good)));
    input.extend_from_slice(b"[1,2,3]\n");
    input.extend_from_slice(&jsonl(&[good.clone(), without(good, &["sex"])]));
    check_raw(&[], &input, &[invalid_json(), ok.clone(), invalid_json(), ok, field_error("missing_field", "sex")]);
}

#[test]
fn blank_lines_are_skipped_and_produce_nothing() {
    let a = with(gz_person("2016-06-01", "1990-01-01", "male"), json!({"ref": "a"}));
    let b = with(gz_person("2016-06-01", "1990-01-01", "male"), json!({"ref": "b"}));
    let mut input = b"\n".to_vec();
    input.extend_from_slice(&jsonl(&[a]));
    input.extend_from_slice(b"\n\n\n");
    input.extend_from_slice(&jsonl(&[b]));
    input.extend_from_slice(b"\n");
    check_raw(
        &[],
        &input,
        &[
            with_ref(no_category(Policy::Gz, "2016-06-01", 26), "a"),
            with_ref(no_category(Policy::Gz, "2016-06-01", 26), "b"),
        ],
    );
}

#[test]
fn last_line_without_a_newline_is_assessed() {
    let a = with(gz_person("2016-06-01", "1990-01-01", "male"), json!({"ref": "a"}));
    let b = with(gz_person("2016-06-01", "1990-01-01", "male"), json!({"ref": "b"}));
    let input = format!("{a}\n{b}");
    check_raw(
        &[],
        input.as_bytes(),
        &[
            with_ref(no_category(Policy::Gz, "2016-06-01", 26), "a"),
            with_ref(no_category(Policy::Gz, "2016-06-01", 26), "b"),
        ],
    );
}

#[test]
fn empty_input_produces_nothing_and_exits_zero() {
    check_raw(&[], b"", &[]);
    check_raw(&[], b"\n\n", &[]);
}

#[test]
fn ineligible_results_are_not_errors_so_exit_status_is_zero() {
    let p = gz_person("2016-06-01", "1990-01-01", "male");
    check(
        &[],
        &[
            (
                with(p.clone(), json!({"hukou_local": false})),
                ineligible(Policy::Gz, "2016-06-01", 26, &["not_local_hukou"]),
            ),
            (p, no_category(Policy::Gz, "2016-06-01", 26)),
        ],
    );
}

#[test]
fn exit_status_is_one_when_only_the_last_record_fails() {
    let p = gz_person("2016-06-01", "1990-01-01", "male");
    check(
        &[],
        &[
            (p.clone(), no_category(Policy::Gz, "2016-06-01", 26)),
            (p.clone(), no_category(Policy::Gz, "2016-06-01", 26)),
            (without(p, &["willing_to_be_assisted"]), field_error("missing_field", "willing_to_be_assisted")),
        ],
    );
}

#[test]
fn file_argument_and_dash_are_read_like_standard_input() {
    let recs = [
        with(gz_person("2016-06-01", "1990-01-01", "male"), json!({"ref": "f1", "disabled": true})),
        with(without(gz_person("2016-06-01", "1990-01-01", "male"), &["sex"]), json!({"ref": "f2"})),
    ];
    let expected = [
        with_ref(eligible(Policy::Gz, "2016-06-01", 26, &["disabled_unemployed"]), "f1"),
        with_ref(field_error("missing_field", "sex"), "f2"),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("records.jsonl");
    std::fs::write(&path, jsonl(&recs)).expect("write records");
    let path = path.to_str().expect("utf-8 path");
    // FILE given: standard input is ignored.
    let out = run(&[path], b"this is not read\n");
    verify(&out, &[path], &expected, &[]);
    // `-` is standard input.
    check_raw(&["-"], &jsonl(&recs), &expected);
}

#[test]
fn default_formats_can_be_named_explicitly() {
    let rec = with(gz_person("2016-06-01", "1990-01-01", "male"), json!({"disabled": true}));
    check(
        &["--format", "jsonl", "--output", "jsonl"],
        &[(rec, eligible(Policy::Gz, "2016-06-01", 26, &["disabled_unemployed"]))],
    );
}

// =====================================================================================
// 3. Choosing the policy; validity windows; --policy what-if
// =====================================================================================

#[test]
fn gz_validity_window_includes_both_end_days() {
    let p = |d: &str| with(gz_person(d, "1980-01-01", "male"), json!({"disabled": true}));
    check(
        &[],
        &[
            (p("2014-01-19"), field_error("no_policy_in_force", "as_of")),
            (p("2014-01-20"), eligible(Policy::Gz, "2014-01-20", 34, &["disabled_unemployed"])),
            (p("2019-01-19"), eligible(Policy::Gz, "2019-01-19", 39, &["disabled_unemployed"])),
            (p("2019-01-20"), field_error("no_policy_in_force", "as_of")),
        ],
    );
}

#[test]
fn gd_is_in_force_from_2023_08_01_with_no_end_and_is_provisional() {
    let p = |d: &str| with(gd_person(d, "1980-01-01", "male"), json!({"disabled": true}));
    check(
        &[],
        &[
            (p("2023-07-31"), field_error("no_policy_in_force", "as_of")),
            (p("2023-08-01"), eligible(Policy::Gd, "2023-08-01", 43, &["disabled"])),
            // Born 1980-01: retires at 63 (2043-01-01) under the 2025 schedule, so at 60
            // he is still of working age, and >= 50 makes him older_unemployed.
            (p("2040-01-01"), eligible(Policy::Gd, "2040-01-01", 60, &["older_unemployed", "disabled"])),
        ],
    );
}

#[test]
fn record_outside_every_policy_is_no_policy_in_force() {
    let p = |d: &str, r: &str| with(any_person(d, "1980-01-01", "male"), json!({"ref": r, "disabled": true}));
    check(
        &[],
        &[
            (p("2020-06-01", "gap"), with_ref(field_error("no_policy_in_force", "as_of"), "gap")),
            (p("2023-07-31", "gap-end"), with_ref(field_error("no_policy_in_force", "as_of"), "gap-end")),
            (p("2000-01-01", "before"), with_ref(field_error("no_policy_in_force", "as_of"), "before")),
        ],
    );
}

#[test]
fn policy_is_chosen_per_record_by_its_date() {
    let p = |d: &str| with(any_person(d, "1980-01-01", "male"), json!({"disabled": true}));
    check(
        &[],
        &[
            (p("2016-06-01"), eligible(Policy::Gz, "2016-06-01", 36, &["disabled_unemployed"])),
            (p("2024-06-01"), eligible(Policy::Gd, "2024-06-01", 44, &["disabled"])),
            (p("2021-01-01"), field_error("no_policy_in_force", "as_of")),
            (p("2018-12-31"), eligible(Policy::Gz, "2018-12-31", 38, &["disabled_unemployed"])),
        ],
    );
}

#[test]
fn what_if_gz_outside_its_window_is_not_in_force_and_not_an_error() {
    let p = |d: &str| with(any_person(d, "1980-01-01", "male"), json!({"disabled": true}));
    let gz = |d: &str, age: u32, cats: &[&str], f: bool| in_force(eligible(Policy::Gz, d, age, cats), f);
    check(
        &["--policy", "gz-2014-4"],
        &[
            (p("2014-01-19"), gz("2014-01-19", 34, &["disabled_unemployed"], false)),
            (p("2014-01-20"), gz("2014-01-20", 34, &["disabled_unemployed"], true)),
            (p("2019-01-19"), gz("2019-01-19", 39, &["disabled_unemployed"], true)),
            (p("2019-01-20"), gz("2019-01-20", 39, &["disabled_unemployed"], false)),
            (p("2021-01-01"), gz("2021-01-01", 41, &["older_unemployed", "disabled_unemployed"], false)),
            (p("2024-06-01"), gz("2024-06-01", 44, &["older_unemployed", "disabled_unemployed"], false)),
        ],
    );
}

#[test]
fn what_if_gd_before_its_start_is_not_in_force_but_still_provisional() {
    let p = |d: &str| with(any_person(d, "1980-01-01", "male"), json!({"disabled": true}));
    check(
        &["--policy", "gd-2023-11"],
        &[
            (p("2023-07-31"), in_force(eligible(Policy::Gd, "2023-07-31", 43, &["disabled"]), false)),
            (p("2023-08-01"), in_force(eligible(Policy::Gd, "2023-08-01", 43, &["disabled"]), true)),
            (p("2016-06-01"), in_force(eligible(Policy::Gd, "2016-06-01", 36, &["disabled"]), false)),
            (p("2021-01-01"), in_force(eligible(Policy::Gd, "2021-01-01", 41, &["disabled"]), false)),
            // Under gd a man of 45 is not older_unemployed (men >= 50).
            (
                any_person("2016-06-01", "1971-01-01", "male"),
                in_force(no_category(Policy::Gd, "2016-06-01", 45), false),
            ),
        ],
    );
}

#[test]
fn what_if_uses_the_required_fields_of_the_chosen_policy() {
    check(
        &["--policy", "gd-2023-11"],
        &[(gz_person("2016-06-01", "1990-01-01", "male"), field_error("missing_field", "without_work"))],
    );
    check(
        &["--policy", "gz-2014-4"],
        &[(gd_person("2024-06-01", "1990-01-01", "male"), field_error("missing_field", "registered_unemployed"))],
    );
}

#[test]
fn required_fields_follow_the_policy_in_force_on_the_record_date() {
    check(
        &[],
        &[
            // gz requires registered_unemployed; gd does not.
            (gd_person("2016-06-01", "1990-01-01", "male"), field_error("missing_field", "registered_unemployed")),
            (
                with(gd_person("2024-06-01", "1990-01-01", "male"), json!({"disabled": true})),
                eligible(Policy::Gd, "2024-06-01", 34, &["disabled"]),
            ),
            // gd requires without_work; gz does not.
            (gz_person("2024-06-01", "1990-01-01", "male"), field_error("missing_field", "without_work")),
            (gz_person("2016-06-01", "1990-01-01", "male"), no_category(Policy::Gz, "2016-06-01", 26)),
            // gz requires hukou_local itself; hukou_in_province does not stand in for it.
            (
                with(
                    without(any_person("2016-06-01", "1990-01-01", "male"), &["hukou_local"]),
                    json!({"hukou_in_province": true}),
                ),
                field_error("missing_field", "hukou_local"),
            ),
        ],
    );
}

// =====================================================================================
// 4. The assessment date
// =====================================================================================

#[test]
fn on_sets_the_date_of_records_without_as_of() {
    let p = without(any_person("x", "1980-01-01", "male"), &["as_of"]);
    check(
        &["--on", "2016-06-01"],
        &[(
            with(p.clone(), json!({"disabled": true})),
            eligible(Policy::Gz, "2016-06-01", 36, &["disabled_unemployed"]),
        )],
    );
    check(
        &["--on", "2024-06-01"],
        &[(with(p, json!({"disabled": true})), eligible(Policy::Gd, "2024-06-01", 44, &["disabled"]))],
    );
}

#[test]
fn as_of_overrides_on_per_record() {
    let p = with(without(any_person("x", "1980-01-01", "male"), &["as_of"]), json!({"disabled": true}));
    check(
        &["--on", "2016-06-01"],
        &[
            (with(p.clone(), json!({"as_of": "2024-06-01"})), eligible(Policy::Gd, "2024-06-01", 44, &["disabled"])),
            (p.clone(), eligible(Policy::Gz, "2016-06-01", 36, &["disabled_unemployed"])),
            (with(p.clone(), json!({"as_of": null})), eligible(Policy::Gz, "2016-06-01", 36, &["disabled_unemployed"])),
            (with(p, json!({"as_of": "2021-01-01"})), field_error("no_policy_in_force", "as_of")),
        ],
    );
}

#[test]
fn on_date_outside_every_policy_is_no_policy_in_force_on_as_of() {
    let p = without(any_person("x", "1980-01-01", "male"), &["as_of"]);
    check(
        &["--on", "2021-01-01"],
        &[(with(p, json!({"ref": "o"})), with_ref(field_error("no_policy_in_force", "as_of"), "o"))],
    );
}

fn local_today() -> String {
    let out = Command::new("date").arg("+%F").output().expect("run `date +%F`");
    String::from_utf8(out.stdout).expect("utf-8").trim().to_string()
}

#[test]
fn assessment_date_defaults_to_today() {
    let rec = with(without(gd_person("x", "1990-01-01", "male"), &["as_of"]), json!({"disabled": true}));
    let before = local_today();
    let out = run(&[], &jsonl(&[rec]));
    let after = local_today();
    assert_eq!(out.code, Some(0), "stderr:\n{}", out.stderr);
    let lines = out.json_lines();
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    let as_of = line["as_of"].as_str().expect("as_of string");
    assert!(as_of == before || as_of == after, "as_of {as_of} should be today ({before})");
    // Today is after 2023-08-01, so gd-2023-11 is in force.
    assert_eq!(line["policy"], json!("gd-2023-11"));
    assert_eq!(line["in_force"], json!(true));
    assert_eq!(line["provisional"], json!(true));
    assert_eq!(line["categories"], json!(["disabled"]));
    assert_eq!(line["eligible"], json!(true));
}

// =====================================================================================
// 5. Ages and working age (gz-2014-4)
// =====================================================================================

#[test]
fn male_reaches_older_category_on_40th_birthday() {
    let p = |d: &str| gz_person(d, "1976-06-01", "male");
    check(
        &[],
        &[
            (p("2016-05-31"), no_category(Policy::Gz, "2016-05-31", 39)),
            (p("2016-06-01"), eligible(Policy::Gz, "2016-06-01", 40, &["older_unemployed"])),
            (p("2016-06-02"), eligible(Policy::Gz, "2016-06-02", 40, &["older_unemployed"])),
        ],
    );
}

#[test]
fn female_reaches_older_category_on_35th_birthday() {
    let p = |d: &str| gz_person(d, "1981-06-01", "female");
    check(
        &[],
        &[
            (p("2016-05-31"), no_category(Policy::Gz, "2016-05-31", 34)),
            (p("2016-06-01"), eligible(Policy::Gz, "2016-06-01", 35, &["older_unemployed"])),
            (p("2016-06-02"), eligible(Policy::Gz, "2016-06-02", 35, &["older_unemployed"])),
            // A man of 35 is not older_unemployed.
            (gz_person("2016-06-01", "1981-06-01", "male"), no_category(Policy::Gz, "2016-06-01", 35)),
        ],
    );
}

#[test]
fn rural_converted_needs_30_for_women_and_35_for_men() {
    let p = |d: &str, b: &str, s: &str| with(gz_person(d, b, s), json!({"rural_to_urban": true}));
    let g = Policy::Gz;
    check(
        &[],
        &[
            (p("2016-05-31", "1986-06-01", "female"), no_category(g, "2016-05-31", 29)),
            (p("2016-06-01", "1986-06-01", "female"), eligible(g, "2016-06-01", 30, &["older_rural_converted"])),
            (p("2016-06-02", "1986-06-01", "female"), eligible(g, "2016-06-02", 30, &["older_rural_converted"])),
            (p("2016-05-31", "1981-06-01", "male"), no_category(g, "2016-05-31", 34)),
            (p("2016-06-01", "1981-06-01", "male"), eligible(g, "2016-06-01", 35, &["older_rural_converted"])),
            (p("2016-06-02", "1981-06-01", "male"), eligible(g, "2016-06-02", 35, &["older_rural_converted"])),
            // Both age categories together, in article order.
            (
                p("2016-06-01", "1976-06-01", "male"),
                eligible(g, "2016-06-01", 40, &["older_unemployed", "older_rural_converted"]),
            ),
            // Age alone, without the conversion, is no category.
            (gz_person("2016-06-01", "1986-06-01", "female"), no_category(g, "2016-06-01", 30)),
        ],
    );
}

#[test]
fn hardship_long_term_older_needs_45_for_men_and_40_for_women() {
    let p = |d: &str, b: &str, s: &str| with(gz_person(d, b, s), json!({"unemployed_since": "2015-01-01"}));
    let g = Policy::Gz;
    let both = ["older_unemployed", "hardship_long_term_older"];
    check(
        &[],
        &[
            (p("2016-05-31", "1971-06-01", "male"), eligible(g, "2016-05-31", 44, &["older_unemployed"])),
            (p("2016-06-01", "1971-06-01", "male"), eligible(g, "2016-06-01", 45, &both)),
            (p("2016-06-02", "1971-06-01", "male"), eligible(g, "2016-06-02", 45, &both)),
            (p("2016-05-31", "1976-06-01", "female"), eligible(g, "2016-05-31", 39, &["older_unemployed"])),
            (p("2016-06-01", "1976-06-01", "female"), eligible(g, "2016-06-01", 40, &both)),
            (p("2016-06-02", "1976-06-01", "female"), eligible(g, "2016-06-02", 40, &both)),
        ],
    );
}

#[test]
fn leap_day_birth_reaches_age_on_28_february() {
    let g = Policy::Gz;
    let woman = |d: &str| gz_person(d, "1980-02-29", "female");
    let man = |d: &str| with(gz_person(d, "1972-02-29", "male"), json!({"unemployed_since": "2016-08-31"}));
    check(
        &[],
        &[
            // 35 in the common year 2015: on 28 February.
            (woman("2015-02-27"), no_category(g, "2015-02-27", 34)),
            (woman("2015-02-28"), eligible(g, "2015-02-28", 35, &["older_unemployed"])),
            (woman("2015-03-01"), eligible(g, "2015-03-01", 35, &["older_unemployed"])),
            // 45 on 2017-02-28, the same day as six months from 2016-08-31.
            (man("2017-02-27"), eligible(g, "2017-02-27", 44, &["older_unemployed"])),
            (man("2017-02-28"), eligible(g, "2017-02-28", 45, &["older_unemployed", "hardship_long_term_older"])),
        ],
    );
    // Under gd: a man born 1976-02-29 is 50 on 2026-02-28.
    let gd_man = |d: &str| gd_person(d, "1976-02-29", "male");
    check(
        &[],
        &[
            (gd_man("2026-02-27"), no_category(Policy::Gd, "2026-02-27", 49)),
            (gd_man("2026-02-28"), eligible(Policy::Gd, "2026-02-28", 50, &["older_unemployed"])),
        ],
    );
}

#[test]
fn leap_day_birth_reaches_age_on_29_february_in_a_leap_year() {
    let p = |d: &str| gz_person(d, "1976-02-29", "male");
    check(
        &[],
        &[
            (p("2016-02-28"), no_category(Policy::Gz, "2016-02-28", 39)),
            (p("2016-02-29"), eligible(Policy::Gz, "2016-02-29", 40, &["older_unemployed"])),
        ],
    );
}

#[test]
fn working_age_starts_on_the_16th_birthday() {
    let p = |d: &str| gz_person(d, "2000-06-01", "female");
    check(
        &[],
        &[
            (p("2016-05-31"), ineligible(Policy::Gz, "2016-05-31", 15, &["below_working_age"])),
            (p("2016-06-01"), no_category(Policy::Gz, "2016-06-01", 16)),
            (
                with(p("2016-06-01"), json!({"disabled": true})),
                eligible(Policy::Gz, "2016-06-01", 16, &["disabled_unemployed"]),
            ),
        ],
    );
    let q = |d: &str| gd_person(d, "2008-03-15", "male");
    check(
        &[],
        &[
            (q("2024-03-14"), ineligible(Policy::Gd, "2024-03-14", 15, &["below_working_age"])),
            (q("2024-03-15"), no_category(Policy::Gd, "2024-03-15", 16)),
        ],
    );
}

#[test]
fn birth_on_the_assessment_date_is_age_zero_and_below_working_age() {
    check(
        &[],
        &[(
            gz_person("2016-06-01", "2016-06-01", "male"),
            ineligible(Policy::Gz, "2016-06-01", 0, &["below_working_age"]),
        )],
    );
}

#[test]
fn hardship_sub_types_match_from_age_16() {
    // From the OpenFisca peer's edge cases: 16 today, three hardship facts.
    let rec = with(
        gz_person("2016-06-01", "2000-06-01", "female"),
        json!({"zero_employment_family": true, "minimum_living_allowance": true, "single_parent_raising_children": true}),
    );
    check(
        &[],
        &[(
            rec,
            eligible(
                Policy::Gz,
                "2016-06-01",
                16,
                &["hardship_zero_employment_family", "hardship_low_income", "hardship_single_parent"],
            ),
        )],
    );
}

#[test]
fn woman_on_worker_track_is_above_working_age_from_her_50th_birthday() {
    let g = Policy::Gz;
    let p = |d: &str| gz_person(d, "1966-06-01", "female");
    let worker = |d: &str| with(p(d), json!({"female_retirement_track": "worker"}));
    check(
        &[],
        &[
            (p("2016-05-31"), eligible(g, "2016-05-31", 49, &["older_unemployed"])),
            (p("2016-06-01"), ineligible(g, "2016-06-01", 50, &["above_working_age"])),
            (p("2016-06-02"), ineligible(g, "2016-06-02", 50, &["above_working_age"])),
            (worker("2016-05-31"), eligible(g, "2016-05-31", 49, &["older_unemployed"])),
            (worker("2016-06-01"), ineligible(g, "2016-06-01", 50, &["above_working_age"])),
            // The same woman on the cadre track works until 55.
            (
                with(p("2016-06-01"), json!({"female_retirement_track": "cadre"})),
                eligible(g, "2016-06-01", 50, &["older_unemployed"]),
            ),
        ],
    );
}

#[test]
fn woman_on_cadre_track_is_above_working_age_from_her_55th_birthday() {
    let g = Policy::Gz;
    let p = |d: &str| with(gz_person(d, "1961-06-01", "female"), json!({"female_retirement_track": "cadre"}));
    check(
        &[],
        &[
            (p("2016-05-31"), eligible(g, "2016-05-31", 54, &["older_unemployed"])),
            (p("2016-06-01"), ineligible(g, "2016-06-01", 55, &["above_working_age"])),
            (p("2016-06-02"), ineligible(g, "2016-06-02", 55, &["above_working_age"])),
        ],
    );
}

#[test]
fn man_is_above_working_age_from_his_60th_birthday_whatever_the_track() {
    let g = Policy::Gz;
    let p = |d: &str| gz_person(d, "1956-06-01", "male");
    check(
        &[],
        &[
            (p("2016-05-31"), eligible(g, "2016-05-31", 59, &["older_unemployed"])),
            (p("2016-06-01"), ineligible(g, "2016-06-01", 60, &["above_working_age"])),
            (p("2016-06-02"), ineligible(g, "2016-06-02", 60, &["above_working_age"])),
            (
                with(p("2016-06-01"), json!({"female_retirement_track": "cadre"})),
                ineligible(g, "2016-06-01", 60, &["above_working_age"]),
            ),
            (
                with(p("2016-05-31"), json!({"female_retirement_track": "worker"})),
                eligible(g, "2016-05-31", 59, &["older_unemployed"]),
            ),
        ],
    );
}

#[test]
fn leap_day_birth_retires_on_28_february() {
    let p = |d: &str| gz_person(d, "1964-02-29", "female");
    check(
        &[],
        &[
            (p("2014-02-27"), eligible(Policy::Gz, "2014-02-27", 49, &["older_unemployed"])),
            (p("2014-02-28"), ineligible(Policy::Gz, "2014-02-28", 50, &["above_working_age"])),
        ],
    );
}

// =====================================================================================
// 6. The 2025 retirement schedule (notes 2.3)
// =====================================================================================

/// gd-2023-11 person with a retirement track for women.
fn gd_woman(d: &str, birth: &str, track: &str) -> Value {
    with(gd_person(d, birth, "female"), json!({"female_retirement_track": track}))
}

#[test]
fn man_born_january_1965_retires_one_month_after_his_60th_birthday() {
    let d = Policy::Gd;
    let p = |x: &str| gd_person(x, "1965-01-15", "male");
    check(
        &[],
        &[
            (p("2025-01-15"), eligible(d, "2025-01-15", 60, &["older_unemployed"])),
            (p("2025-02-14"), eligible(d, "2025-02-14", 60, &["older_unemployed"])),
            (p("2025-02-15"), ineligible(d, "2025-02-15", 60, &["above_working_age"])),
            (p("2025-02-16"), ineligible(d, "2025-02-16", 60, &["above_working_age"])),
        ],
    );
}

#[test]
fn man_born_december_1964_is_not_delayed() {
    let d = Policy::Gd;
    let p = |x: &str| gd_person(x, "1964-12-31", "male");
    check(
        &[],
        &[
            (p("2024-12-30"), eligible(d, "2024-12-30", 59, &["older_unemployed"])),
            (p("2024-12-31"), ineligible(d, "2024-12-31", 60, &["above_working_age"])),
        ],
    );
}

#[test]
fn woman_worker_born_29_february_1976_retires_on_2026_09_29() {
    // The contract's own example: delay 7 months, one period of 607 months.
    let d = Policy::Gd;
    let p = |x: &str| gd_woman(x, "1976-02-29", "worker");
    let default_track = |x: &str| gd_person(x, "1976-02-29", "female");
    check(
        &[],
        &[
            (p("2026-02-28"), eligible(d, "2026-02-28", 50, &["older_unemployed"])),
            (p("2026-09-28"), eligible(d, "2026-09-28", 50, &["older_unemployed"])),
            (p("2026-09-29"), ineligible(d, "2026-09-29", 50, &["above_working_age"])),
            (default_track("2026-09-28"), eligible(d, "2026-09-28", 50, &["older_unemployed"])),
            (default_track("2026-09-29"), ineligible(d, "2026-09-29", 50, &["above_working_age"])),
        ],
    );
}

#[test]
fn retirement_date_is_clamped_to_the_end_of_a_short_month() {
    // Woman worker born 1975-01-31: 50 years + 1 month lands on 2025-02-31 -> 2025-02-28.
    let d = Policy::Gd;
    let p = |x: &str| gd_woman(x, "1975-01-31", "worker");
    check(
        &[],
        &[
            (p("2025-02-27"), eligible(d, "2025-02-27", 50, &["older_unemployed"])),
            (p("2025-02-28"), ineligible(d, "2025-02-28", 50, &["above_working_age"])),
            (p("2025-03-01"), ineligible(d, "2025-03-01", 50, &["above_working_age"])),
        ],
    );
}

#[test]
fn woman_cadre_born_april_1971_retires_on_2026_08_10() {
    // 55 years + 4 months (notes: Female-55 1971-04 -> 2026-08).
    let d = Policy::Gd;
    let p = |x: &str| gd_woman(x, "1971-04-10", "cadre");
    check(
        &[],
        &[
            (p("2026-04-10"), eligible(d, "2026-04-10", 55, &["older_unemployed"])),
            (p("2026-08-09"), eligible(d, "2026-08-09", 55, &["older_unemployed"])),
            (p("2026-08-10"), ineligible(d, "2026-08-10", 55, &["above_working_age"])),
        ],
    );
}

#[test]
fn women_born_before_their_tracks_first_month_are_not_delayed() {
    let d = Policy::Gd;
    check(
        &[],
        &[
            (gd_woman("2024-12-19", "1969-12-20", "cadre"), eligible(d, "2024-12-19", 54, &["older_unemployed"])),
            (gd_woman("2024-12-20", "1969-12-20", "cadre"), ineligible(d, "2024-12-20", 55, &["above_working_age"])),
            (gd_woman("2024-12-19", "1974-12-20", "worker"), eligible(d, "2024-12-19", 49, &["older_unemployed"])),
            (gd_woman("2024-12-20", "1974-12-20", "worker"), ineligible(d, "2024-12-20", 50, &["above_working_age"])),
        ],
    );
}

#[test]
fn retirement_inside_the_retirement_month_counts_from_the_date() {
    // Man born 1965-05-20: 60 years + 2 months -> 2025-07-20.
    let d = Policy::Gd;
    let p = |x: &str| gd_person(x, "1965-05-20", "male");
    check(
        &[],
        &[
            (p("2025-07-01"), eligible(d, "2025-07-01", 60, &["older_unemployed"])),
            (p("2025-07-19"), eligible(d, "2025-07-19", 60, &["older_unemployed"])),
            (p("2025-07-20"), ineligible(d, "2025-07-20", 60, &["above_working_age"])),
            (p("2025-07-31"), ineligible(d, "2025-07-31", 60, &["above_working_age"])),
            (p("2025-08-01"), ineligible(d, "2025-08-01", 60, &["above_working_age"])),
        ],
    );
}

#[test]
fn schedule_reaches_the_final_ages_63_and_55() {
    let d = Policy::Gd;
    check(
        &[],
        &[
            // Man born 1976-09: 63 years.
            (gd_person("2039-09-09", "1976-09-10", "male"), eligible(d, "2039-09-09", 62, &["older_unemployed"])),
            (gd_person("2039-09-10", "1976-09-10", "male"), ineligible(d, "2039-09-10", 63, &["above_working_age"])),
            // Woman worker born 1985-01: 55 years.
            (gd_woman("2040-01-14", "1985-01-15", "worker"), eligible(d, "2040-01-14", 54, &["older_unemployed"])),
            (gd_woman("2040-01-15", "1985-01-15", "worker"), ineligible(d, "2040-01-15", 55, &["above_working_age"])),
        ],
    );
}

#[test]
fn schedule_applies_under_gz_too() {
    let g = Policy::Gz;
    let man = |x: &str| gz_person(x, "1965-01-15", "male");
    let cadre = |x: &str| with(gz_person(x, "1970-01-31", "female"), json!({"female_retirement_track": "cadre"}));
    check(
        &["--policy", "gz-2014-4"],
        &[
            (man("2025-02-14"), in_force(eligible(g, "2025-02-14", 60, &["older_unemployed"]), false)),
            (man("2025-02-15"), in_force(ineligible(g, "2025-02-15", 60, &["above_working_age"]), false)),
            // Woman cadre born 1970-01-31: 55 years + 1 month -> 2025-02-28.
            (cadre("2025-02-27"), in_force(eligible(g, "2025-02-27", 55, &["older_unemployed"]), false)),
            (cadre("2025-02-28"), in_force(ineligible(g, "2025-02-28", 55, &["above_working_age"]), false)),
        ],
    );
}

// =====================================================================================
// 7. Durations
// =====================================================================================

#[test]
fn unemployed_six_months_counts_from_month_end_clamp() {
    let g = Policy::Gz;
    let both = ["older_unemployed", "hardship_long_term_older"];
    // 2015-08-31 + 6 months = 2016-02-29 (leap year).
    let w = |d: &str| with(gz_person(d, "1970-05-05", "female"), json!({"unemployed_since": "2015-08-31"}));
    // 2016-08-31 + 6 months = 2017-02-28 (common year).
    let m = |d: &str| with(gz_person(d, "1960-01-01", "male"), json!({"unemployed_since": "2016-08-31"}));
    check(
        &[],
        &[
            (w("2016-02-28"), eligible(g, "2016-02-28", 45, &["older_unemployed"])),
            (w("2016-02-29"), eligible(g, "2016-02-29", 45, &both)),
            (w("2016-03-01"), eligible(g, "2016-03-01", 45, &both)),
            (m("2017-02-27"), eligible(g, "2017-02-27", 57, &["older_unemployed"])),
            (m("2017-02-28"), eligible(g, "2017-02-28", 57, &both)),
        ],
    );
}

#[test]
fn unemployed_six_months_on_an_ordinary_day() {
    let g = Policy::Gz;
    let p = |d: &str| with(gz_person(d, "1970-01-10", "male"), json!({"unemployed_since": "2015-12-10"}));
    check(
        &[],
        &[
            (p("2016-06-09"), eligible(g, "2016-06-09", 46, &["older_unemployed"])),
            (p("2016-06-10"), eligible(g, "2016-06-10", 46, &["older_unemployed", "hardship_long_term_older"])),
        ],
    );
}

#[test]
fn long_term_older_needs_unemployed_since() {
    let g = Policy::Gz;
    let p = gz_person("2016-06-01", "1970-05-05", "female");
    check(
        &[],
        &[
            (p.clone(), eligible(g, "2016-06-01", 46, &["older_unemployed"])),
            (with(p.clone(), json!({"unemployed_since": null})), eligible(g, "2016-06-01", 46, &["older_unemployed"])),
            // Unemployed since the assessment date itself: valid, but not six months.
            (with(p, json!({"unemployed_since": "2016-06-01"})), eligible(g, "2016-06-01", 46, &["older_unemployed"])),
        ],
    );
}

#[test]
fn gd_long_term_unemployed_one_year_after_registration() {
    let d = Policy::Gd;
    let p = |x: &str, reg: &str| with(gd_person(x, "1990-05-05", "male"), json!({"unemployment_registered_on": reg}));
    check(
        &[],
        &[
            // 2024-02-29 + 1 year = 2025-02-28.
            (p("2025-02-27", "2024-02-29"), no_category(d, "2025-02-27", 34)),
            (p("2025-02-28", "2024-02-29"), eligible(d, "2025-02-28", 34, &["long_term_unemployed"])),
            (p("2024-09-14", "2023-09-15"), no_category(d, "2024-09-14", 34)),
            (p("2024-09-15", "2023-09-15"), eligible(d, "2024-09-15", 34, &["long_term_unemployed"])),
            (p("2024-09-16", "2023-09-15"), eligible(d, "2024-09-16", 34, &["long_term_unemployed"])),
            (gd_person("2024-09-15", "1990-05-05", "male"), no_category(d, "2024-09-15", 34)),
        ],
    );
}

#[test]
fn gd_veteran_unemployed_six_months_after_registration() {
    let d = Policy::Gd;
    let vet = |x: &str| {
        with(gd_person(x, "1990-05-05", "male"), json!({"veteran": true, "unemployment_registered_on": "2023-08-31"}))
    };
    check(
        &[],
        &[
            // 2023-08-31 + 6 months = 2024-02-29.
            (vet("2024-02-28"), no_category(d, "2024-02-28", 33)),
            (vet("2024-02-29"), eligible(d, "2024-02-29", 33, &["veteran_unemployed"])),
            // A year after registration both registration categories hold.
            (vet("2024-08-31"), eligible(d, "2024-08-31", 34, &["long_term_unemployed", "veteran_unemployed"])),
            // A veteran never registered, and a registered non-veteran.
            (
                with(gd_person("2024-06-01", "1990-05-05", "male"), json!({"veteran": true})),
                no_category(d, "2024-06-01", 34),
            ),
            (
                with(
                    gd_person("2024-02-29", "1990-05-05", "male"),
                    json!({"unemployment_registered_on": "2023-08-31"}),
                ),
                no_category(d, "2024-02-29", 33),
            ),
        ],
    );
}

// =====================================================================================
// 8. gz-2014-4 categories and preconditions
// =====================================================================================

#[test]
fn gz_each_fact_category_alone() {
    let g = Policy::Gz;
    let p = |extra: Value| with(gz_person("2016-06-01", "1990-01-01", "male"), extra);
    let ok = |cat: &str| eligible(g, "2016-06-01", 26, &[cat]);
    let grad = |certs: Value| p(json!({"college_graduate": true, "parent_certificates": certs}));
    check(
        &[],
        &[
            (p(json!({"disabled": true})), ok("disabled_unemployed")),
            (p(json!({"zero_employment_family": true})), ok("hardship_zero_employment_family")),
            (p(json!({"minimum_living_allowance": true})), ok("hardship_low_income")),
            (p(json!({"low_income_family": true})), ok("hardship_low_income")),
            (p(json!({"minimum_living_allowance": true, "low_income_family": true})), ok("hardship_low_income")),
            (p(json!({"single_parent_raising_children": true})), ok("hardship_single_parent")),
            (grad(json!(["poor_worker"])), ok("hardship_family_graduate")),
            (grad(json!(["urban_minimum_living"])), ok("hardship_family_graduate")),
            (grad(json!(["rural_minimum_living"])), ok("hardship_family_graduate")),
            (grad(json!(["low_income_family"])), ok("hardship_family_graduate")),
            (grad(json!(["poor_worker", "low_income_family"])), ok("hardship_family_graduate")),
        ],
    );
}

#[test]
fn gz_all_categories_are_listed_in_article_order() {
    let rec = with(
        gz_person("2016-06-01", "1970-05-05", "female"),
        json!({
            "disabled": true, "college_graduate": true, "parent_certificates": ["rural_minimum_living"],
            "single_parent_raising_children": true, "minimum_living_allowance": true,
            "zero_employment_family": true, "unemployed_since": "2015-01-01", "rural_to_urban": true,
        }),
    );
    check(
        &[],
        &[(
            rec,
            eligible(
                Policy::Gz,
                "2016-06-01",
                46,
                &[
                    "older_unemployed",
                    "older_rural_converted",
                    "hardship_long_term_older",
                    "hardship_zero_employment_family",
                    "hardship_low_income",
                    "hardship_single_parent",
                    "hardship_family_graduate",
                    "disabled_unemployed",
                ],
            ),
        )],
    );
}

#[test]
fn gz_family_graduate_needs_both_degree_and_parent_certificate() {
    let g = Policy::Gz;
    let p = |extra: Value| with(gz_person("2016-06-01", "1994-01-01", "male"), extra);
    check(
        &[],
        &[
            (p(json!({"college_graduate": true})), no_category(g, "2016-06-01", 22)),
            (p(json!({"college_graduate": true, "parent_certificates": []})), no_category(g, "2016-06-01", 22)),
            (p(json!({"parent_certificates": ["poor_worker"]})), no_category(g, "2016-06-01", 22)),
            (
                p(json!({"college_graduate": false, "parent_certificates": ["poor_worker"]})),
                no_category(g, "2016-06-01", 22),
            ),
            (
                p(json!({"college_graduate": true, "parent_certificates": ["low_income_family"]})),
                eligible(g, "2016-06-01", 22, &["hardship_family_graduate"]),
            ),
        ],
    );
}

#[test]
fn gz_no_category_when_preconditions_hold_but_nothing_matches() {
    let g = Policy::Gz;
    let p = gz_person("2016-06-01", "1990-01-01", "male");
    check(
        &[],
        &[
            (p.clone(), no_category(g, "2016-06-01", 26)),
            (
                with(p.clone(), json!({"disabled": false, "zero_employment_family": false, "rural_to_urban": false})),
                no_category(g, "2016-06-01", 26),
            ),
            // gd-only facts are known but mean nothing under gz.
            (
                with(
                    p,
                    json!({
                        "veteran": true, "unemployment_registered_on": "2014-01-01", "landless_farmer": true,
                        "drug_rehabilitated": true, "released_prisoner": true, "mental_health_recovered": true,
                        "caregiver_of_seriously_ill_relative": true, "rural_hukou": true,
                        "formerly_registered_poor_household": true, "without_work": true, "hukou_in_province": true,
                    }),
                ),
                no_category(g, "2016-06-01", 26),
            ),
        ],
    );
}

#[test]
fn gz_each_precondition_alone() {
    let g = Policy::Gz;
    let p = |extra: Value| with(gz_person("2016-06-01", "1990-01-01", "male"), extra);
    check(
        &[],
        &[
            (p(json!({"hukou_local": false})), ineligible(g, "2016-06-01", 26, &["not_local_hukou"])),
            (
                p(json!({"registered_unemployed": false})),
                ineligible(g, "2016-06-01", 26, &["not_registered_unemployed"]),
            ),
            (p(json!({"able_to_work": false})), ineligible(g, "2016-06-01", 26, &["unable_to_work"])),
            (p(json!({"willing_to_be_assisted": false})), ineligible(g, "2016-06-01", 26, &["not_willing"])),
            // Provincial hukou does not replace local hukou under gz.
            (
                p(json!({"hukou_local": false, "hukou_in_province": true})),
                ineligible(g, "2016-06-01", 26, &["not_local_hukou"]),
            ),
        ],
    );
}

#[test]
fn gz_unmet_lists_every_failed_precondition_in_order() {
    let g = Policy::Gz;
    let all_false = json!({
        "hukou_local": false, "registered_unemployed": false,
        "able_to_work": false, "willing_to_be_assisted": false,
    });
    check(
        &[],
        &[
            (
                with(gz_person("2016-06-01", "2000-06-02", "male"), all_false.clone()),
                ineligible(
                    g,
                    "2016-06-01",
                    15,
                    &[
                        "not_local_hukou",
                        "not_registered_unemployed",
                        "unable_to_work",
                        "not_willing",
                        "below_working_age",
                    ],
                ),
            ),
            (
                with(gz_person("2016-06-01", "1950-01-01", "male"), all_false),
                ineligible(
                    g,
                    "2016-06-01",
                    66,
                    &[
                        "not_local_hukou",
                        "not_registered_unemployed",
                        "unable_to_work",
                        "not_willing",
                        "above_working_age",
                    ],
                ),
            ),
            (
                with(
                    gz_person("2016-06-01", "1990-01-01", "male"),
                    json!({"registered_unemployed": false, "willing_to_be_assisted": false}),
                ),
                ineligible(g, "2016-06-01", 26, &["not_registered_unemployed", "not_willing"]),
            ),
            (
                with(gz_person("2016-06-01", "1966-01-01", "female"), json!({"hukou_local": false})),
                ineligible(g, "2016-06-01", 50, &["not_local_hukou", "above_working_age"]),
            ),
        ],
    );
}

#[test]
fn failed_precondition_empties_categories_even_when_facts_match() {
    // categories, recognition and the category reasons are empty; only unmet is reported.
    let g = Policy::Gz;
    check(
        &[],
        &[
            (
                with(gz_person("2016-06-01", "1990-01-01", "male"), json!({"hukou_local": false, "disabled": true})),
                ineligible(g, "2016-06-01", 26, &["not_local_hukou"]),
            ),
            (
                with(
                    gz_person("2016-06-01", "2000-06-02", "male"),
                    json!({"hukou_local": false, "registered_unemployed": false, "able_to_work": false,
                           "willing_to_be_assisted": false, "disabled": true}),
                ),
                ineligible(
                    g,
                    "2016-06-01",
                    15,
                    &[
                        "not_local_hukou",
                        "not_registered_unemployed",
                        "unable_to_work",
                        "not_willing",
                        "below_working_age",
                    ],
                ),
            ),
        ],
    );
}

// =====================================================================================
// 9. gd-2023-11 categories and preconditions
// =====================================================================================

#[test]
fn gd_each_category_alone() {
    let d = Policy::Gd;
    let p = |extra: Value| with(gd_person("2024-06-01", "1990-01-01", "male"), extra);
    let ok = |cat: &str| eligible(d, "2024-06-01", 34, &[cat]);
    check(
        &[],
        &[
            (p(json!({"disabled": true})), ok("disabled")),
            (p(json!({"minimum_living_allowance": true})), ok("minimum_living_allowance")),
            (p(json!({"zero_employment_family": true})), ok("urban_zero_employment_family")),
            (p(json!({"zero_employment_family": true, "rural_hukou": false})), ok("urban_zero_employment_family")),
            (
                p(
                    json!({"zero_employment_family": true, "rural_hukou": true, "formerly_registered_poor_household": true}),
                ),
                ok("rural_zero_transfer_poor_family"),
            ),
            (p(json!({"landless_farmer": true})), ok("landless_farmer")),
            (p(json!({"unemployment_registered_on": "2023-06-01"})), ok("long_term_unemployed")),
            (p(json!({"drug_rehabilitated": true})), ok("drug_rehabilitated")),
            (p(json!({"released_prisoner": true})), ok("released_prisoner")),
            (p(json!({"mental_health_recovered": true})), ok("mental_health_recovered")),
            (p(json!({"veteran": true, "unemployment_registered_on": "2023-12-01"})), ok("veteran_unemployed")),
            (p(json!({"caregiver_of_seriously_ill_relative": true})), ok("caregiver_of_seriously_ill")),
        ],
    );
}

#[test]
fn gd_older_unemployed_needs_40_for_women_and_50_for_men() {
    let d = Policy::Gd;
    let w = |x: &str| gd_person(x, "1984-06-30", "female");
    let m = |x: &str| gd_person(x, "1974-03-15", "male");
    check(
        &[],
        &[
            (w("2024-06-29"), no_category(d, "2024-06-29", 39)),
            (w("2024-06-30"), eligible(d, "2024-06-30", 40, &["older_unemployed"])),
            (w("2024-07-01"), eligible(d, "2024-07-01", 40, &["older_unemployed"])),
            (m("2024-03-14"), no_category(d, "2024-03-14", 49)),
            (m("2024-03-15"), eligible(d, "2024-03-15", 50, &["older_unemployed"])),
            (m("2024-03-16"), eligible(d, "2024-03-16", 50, &["older_unemployed"])),
            // A man of 45 (the 2014 age) and a woman of 35 are not older under gd.
            (gd_person("2024-06-01", "1979-01-01", "male"), no_category(d, "2024-06-01", 45)),
            (gd_person("2024-06-01", "1989-01-01", "female"), no_category(d, "2024-06-01", 35)),
        ],
    );
}

#[test]
fn gd_all_categories_are_listed_in_article_order() {
    let d = Policy::Gd;
    let facts = json!({
        "caregiver_of_seriously_ill_relative": true, "veteran": true, "mental_health_recovered": true,
        "released_prisoner": true, "drug_rehabilitated": true, "unemployment_registered_on": "2023-01-01",
        "landless_farmer": true, "zero_employment_family": true, "minimum_living_allowance": true, "disabled": true,
    });
    let urban = with(gd_person("2024-06-01", "1970-01-01", "male"), facts.clone());
    let rural = with(urban.clone(), json!({"rural_hukou": true, "formerly_registered_poor_household": true}));
    fn cats(zero: &str) -> Vec<&str> {
        vec![
            "older_unemployed",
            "disabled",
            "minimum_living_allowance",
            zero,
            "landless_farmer",
            "long_term_unemployed",
            "drug_rehabilitated",
            "released_prisoner",
            "mental_health_recovered",
            "veteran_unemployed",
            "caregiver_of_seriously_ill",
        ]
    }
    let urban_cats = cats("urban_zero_employment_family");
    let rural_cats = cats("rural_zero_transfer_poor_family");
    check(
        &[],
        &[(urban, eligible(d, "2024-06-01", 54, &urban_cats)), (rural, eligible(d, "2024-06-01", 54, &rural_cats))],
    );
}

#[test]
fn gd_zero_employment_family_needs_the_matching_hukou_kind() {
    let d = Policy::Gd;
    let p = |extra: Value| with(gd_person("2024-06-01", "1990-01-01", "female"), extra);
    check(
        &[],
        &[
            (p(json!({"zero_employment_family": true, "rural_hukou": true})), no_category(d, "2024-06-01", 34)),
            (
                p(json!({"rural_hukou": true, "formerly_registered_poor_household": true})),
                no_category(d, "2024-06-01", 34),
            ),
            (p(json!({"formerly_registered_poor_household": true})), no_category(d, "2024-06-01", 34)),
            (
                p(json!({"zero_employment_family": true, "formerly_registered_poor_household": true})),
                eligible(d, "2024-06-01", 34, &["urban_zero_employment_family"]),
            ),
        ],
    );
}

#[test]
fn gd_does_not_know_the_dropped_2014_categories() {
    let d = Policy::Gd;
    let p = |b: &str, s: &str, extra: Value| with(gd_person("2024-06-01", b, s), extra);
    check(
        &[],
        &[
            (p("1990-01-01", "male", json!({"low_income_family": true})), no_category(d, "2024-06-01", 34)),
            (
                p("1990-01-01", "male", json!({"single_parent_raising_children": true})),
                no_category(d, "2024-06-01", 34),
            ),
            (
                p("1990-01-01", "male", json!({"college_graduate": true, "parent_certificates": ["poor_worker"]})),
                no_category(d, "2024-06-01", 34),
            ),
            (p("1985-01-01", "male", json!({"rural_to_urban": true})), no_category(d, "2024-06-01", 39)),
            (p("1986-01-01", "female", json!({})), no_category(d, "2024-06-01", 38)),
            (p("1975-01-01", "male", json!({"unemployed_since": "2020-01-01"})), no_category(d, "2024-06-01", 49)),
            (p("1990-01-01", "male", json!({"registered_unemployed": true})), no_category(d, "2024-06-01", 34)),
        ],
    );
}

#[test]
fn gd_each_precondition_alone() {
    let d = Policy::Gd;
    let p = |extra: Value| with(gd_person("2024-06-01", "1990-01-01", "male"), extra);
    check(
        &[],
        &[
            (p(json!({"hukou_local": false})), ineligible(d, "2024-06-01", 34, &["not_provincial_hukou"])),
            (p(json!({"without_work": false})), ineligible(d, "2024-06-01", 34, &["has_work"])),
            (p(json!({"able_to_work": false})), ineligible(d, "2024-06-01", 34, &["unable_to_work"])),
            (p(json!({"willing_to_be_assisted": false})), ineligible(d, "2024-06-01", 34, &["not_willing"])),
        ],
    );
}

#[test]
fn gd_unmet_lists_every_failed_precondition_in_order() {
    let d = Policy::Gd;
    let all_false = json!({
        "hukou_local": false, "hukou_in_province": false, "without_work": false,
        "able_to_work": false, "willing_to_be_assisted": false,
    });
    check(
        &[],
        &[
            (
                with(gd_person("2024-06-01", "2008-06-02", "male"), all_false.clone()),
                ineligible(
                    d,
                    "2024-06-01",
                    15,
                    &["not_provincial_hukou", "has_work", "unable_to_work", "not_willing", "below_working_age"],
                ),
            ),
            (
                with(gd_person("2024-06-01", "1960-01-01", "male"), all_false),
                ineligible(
                    d,
                    "2024-06-01",
                    64,
                    &["not_provincial_hukou", "has_work", "unable_to_work", "not_willing", "above_working_age"],
                ),
            ),
            (
                with(
                    gd_person("2024-06-01", "1990-01-01", "male"),
                    json!({"without_work": false, "willing_to_be_assisted": false}),
                ),
                ineligible(d, "2024-06-01", 34, &["has_work", "not_willing"]),
            ),
        ],
    );
}

#[test]
fn gd_registration_is_not_a_precondition() {
    let d = Policy::Gd;
    check(
        &[],
        &[(
            with(
                gd_person("2024-06-01", "1990-01-01", "male"),
                json!({"registered_unemployed": false, "disabled": true}),
            ),
            eligible(d, "2024-06-01", 34, &["disabled"]),
        )],
    );
}

#[test]
fn gd_provincial_hukou_comes_from_either_hukou_field() {
    let d = Policy::Gd;
    let base = without(gd_person("2024-06-01", "1990-01-01", "male"), &["hukou_local"]);
    let p = |extra: Value| with(base.clone(), extra);
    let ok = eligible(d, "2024-06-01", 34, &["disabled"]);
    check(
        &[],
        &[
            (p(json!({"hukou_in_province": true, "disabled": true})), ok.clone()),
            // hukou_local true counts whatever hukou_in_province says.
            (p(json!({"hukou_local": true, "hukou_in_province": false, "disabled": true})), ok.clone()),
            (p(json!({"hukou_local": false, "hukou_in_province": true, "disabled": true})), ok),
            (
                p(json!({"hukou_local": false, "hukou_in_province": false})),
                ineligible(d, "2024-06-01", 34, &["not_provincial_hukou"]),
            ),
            (p(json!({"hukou_in_province": false})), ineligible(d, "2024-06-01", 34, &["not_provincial_hukou"])),
            (p(json!({"hukou_local": false})), ineligible(d, "2024-06-01", 34, &["not_provincial_hukou"])),
        ],
    );
}

#[test]
fn gd_no_category_when_preconditions_hold_but_nothing_matches() {
    let d = Policy::Gd;
    check(
        &[],
        &[
            (gd_person("2024-06-01", "1990-01-01", "male"), no_category(d, "2024-06-01", 34)),
            (
                with(
                    gd_person("2024-06-01", "1990-01-01", "male"),
                    json!({"veteran": false, "landless_farmer": false}),
                ),
                no_category(d, "2024-06-01", 34),
            ),
        ],
    );
}

// =====================================================================================
// 10. Errors
// =====================================================================================

#[test]
fn first_error_wins_in_contract_order() {
    // One record, repaired one error at a time; each step shows the next error.
    let good_id = gz_id("1980-05-15", MALE_SEQ);
    let l1 = json!({
        "ref": "L1", "disabld": true, "as_of": "2016-13-01",
        "id_number": with_wrong_check(&good_id), "birth_date": "1980-05-16", "sex": "other",
        "registered_unemployed": true, "able_to_work": true, "willing_to_be_assisted": true, "disabled": true,
    });
    let l2 = with(without(l1.clone(), &["disabld"]), json!({"ref": "L2"}));
    let l3 = with(l2.clone(), json!({"ref": "L3", "as_of": "2020-06-01"}));
    let l4 = with(l3.clone(), json!({"ref": "L4", "as_of": "2016-06-01"}));
    let l5 = with(l4.clone(), json!({"ref": "L5", "hukou_local": true}));
    let l6 = with(l5.clone(), json!({"ref": "L6", "sex": "male"}));
    let l7 = with(l6.clone(), json!({"ref": "L7", "id_number": good_id}));
    let l8 = with(l7.clone(), json!({"ref": "L8", "birth_date": "1980-05-15"}));
    let mut input = br#"{"ref":"L0","ref":"L0","disabld":true,"as_of":"2016-13-01"}"#.to_vec();
    input.push(b'\n');
    input.extend_from_slice(&jsonl(&[l1, l2, l3, l4, l5, l6, l7, l8]));
    check_raw(
        &[],
        &input,
        &[
            invalid_json(),
            with_ref(field_error("unknown_field", "disabld"), "L1"),
            with_ref(field_error("invalid_field", "as_of"), "L2"),
            with_ref(field_error("no_policy_in_force", "as_of"), "L3"),
            with_ref(field_error("missing_field", "hukou_local"), "L4"),
            with_ref(field_error("invalid_field", "sex"), "L5"),
            with_ref(field_error("invalid_id_number", "id_number"), "L6"),
            with_ref(field_error("id_number_mismatch", "birth_date"), "L7"),
            with_ref(eligible(Policy::Gz, "2016-06-01", 36, &["disabled_unemployed"]), "L8"),
        ],
    );
}

#[test]
fn missing_field_wins_over_an_invalid_field_earlier_in_the_table() {
    let rec = with(
        without(gz_person("2016-06-01", "1990-01-01", "male"), &["willing_to_be_assisted"]),
        json!({"sex": "other", "hukou_local": "yes"}),
    );
    check(&[], &[(rec, field_error("missing_field", "willing_to_be_assisted"))]);
}

#[test]
fn invalid_field_wins_over_invalid_id_number_earlier_in_the_table() {
    let id = with_wrong_check(&gz_id("1990-01-01", MALE_SEQ));
    let rec = with(
        without(gz_person("2016-06-01", "1990-01-01", "male"), &["birth_date", "sex"]),
        json!({"id_number": id, "disabled": "yes"}),
    );
    check(&[], &[(rec, field_error("invalid_field", "disabled"))]);
}

#[test]
fn no_policy_in_force_wins_over_missing_and_invalid_fields() {
    check(
        &[],
        &[
            (json!({"ref": "e", "as_of": "2020-06-01"}), with_ref(field_error("no_policy_in_force", "as_of"), "e")),
            (json!({"as_of": "2023-07-31", "sex": "other"}), field_error("no_policy_in_force", "as_of")),
        ],
    );
}

#[test]
fn lines_that_are_not_json_objects_are_invalid_json() {
    let good = with(gz_person("2016-06-01", "1990-01-01", "male"), json!({"ref": "ok"}));
    let mut input = Vec::new();
    for bad in [
        r#"{"ref":"x","#,
        r#"{"ref":"x"} trailing"#,
        r#"{"ref":"x"}{"ref":"y"}"#,
        "[1,2]",
        r#""just a string""#,
        "42",
        "null",
        "true",
        "ref=x",
        r#"{'ref': 'x'}"#,
    ] {
        input.extend_from_slice(bad.as_bytes());
        input.push(b'\n');
    }
    input.extend_from_slice(&jsonl(&[good]));
    let mut expected = vec![invalid_json(); 10];
    expected.push(with_ref(no_category(Policy::Gz, "2016-06-01", 26), "ok"));
    check_raw(&[], &input, &expected);
}

#[test]
fn duplicate_key_is_invalid_json() {
    let good = with(gz_person("2016-06-01", "1990-01-01", "male"), json!({"ref": "ok"}));
    let dup_ref = r#"{"ref":"d1","ref":"d1","as_of":"2016-06-01","birth_date":"1990-01-01","sex":"male","hukou_local":true,"registered_unemployed":true,"able_to_work":true,"willing_to_be_assisted":true}"#;
    let dup_field = r#"{"ref":"d2","as_of":"2016-06-01","birth_date":"1990-01-01","sex":"male","hukou_local":true,"hukou_local":false,"registered_unemployed":true,"able_to_work":true,"willing_to_be_assisted":true}"#;
    let input = format!("{dup_ref}\n{dup_field}\n{good}\n");
    check_raw(
        &[],
        input.as_bytes(),
        &[invalid_json(), invalid_json(), with_ref(no_category(Policy::Gz, "2016-06-01", 26), "ok")],
    );
}

#[test]
fn invalid_utf8_is_invalid_json_and_the_run_continues() {
    let good = with(gz_person("2016-06-01", "1990-01-01", "male"), json!({"ref": "ok"}));
    let mut input = b"{\"ref\":\"u\xff\",\"as_of\":\"2016-06-01\"}\n".to_vec();
    input.extend_from_slice(b"\xc3\x28\xa0\xa1\n");
    input.extend_from_slice(&jsonl(&[good]));
    check_raw(
        &[],
        &input,
        &[invalid_json(), invalid_json(), with_ref(no_category(Policy::Gz, "2016-06-01", 26), "ok")],
    );
}

#[test]
fn unknown_field_names_the_field() {
    let p = gz_person("2016-06-01", "1990-01-01", "male");
    check(
        &[],
        &[
            (
                with(p.clone(), json!({"ref": "t1", "disabld": true})),
                with_ref(field_error("unknown_field", "disabld"), "t1"),
            ),
            (with(p.clone(), json!({"Disabled": true})), field_error("unknown_field", "Disabled")),
            (with(p.clone(), json!({"hukou": true})), field_error("unknown_field", "hukou")),
            // Also when the rest of the record is broken: unknown_field comes first.
            (
                json!({"ref": "t4", "as_of": "not a date", "veterans": true}),
                with_ref(field_error("unknown_field", "veterans"), "t4"),
            ),
            // Fields of gd-2023-11 are known to every policy.
            (with(p, json!({"veteran": true, "without_work": true})), no_category(Policy::Gz, "2016-06-01", 26)),
        ],
    );
}

#[test]
fn invalid_as_of_is_reported_before_policy_and_missing_fields() {
    let p = gz_person("x", "1990-01-01", "male");
    let bad = |v: Value| with(p.clone(), json!({"as_of": v}));
    let e = field_error("invalid_field", "as_of");
    check(
        &["--on", "2016-06-01"],
        &[
            (bad(json!("2016-02-30")), e.clone()),
            (bad(json!("2015-02-29")), e.clone()),
            (bad(json!("2016-13-01")), e.clone()),
            (bad(json!("2016-6-1")), e.clone()),
            (bad(json!("2016/06/01")), e.clone()),
            (bad(json!("20160601")), e.clone()),
            (bad(json!("2016-06-01T00:00:00")), e.clone()),
            (bad(json!("")), e.clone()),
            (bad(json!(20160601)), e.clone()),
            (bad(json!(true)), e.clone()),
            (json!({"as_of": "2016-02-30"}), e.clone()),
        ],
    );
    check(&["--policy", "gz-2014-4"], &[(json!({"ref": "w", "as_of": "2016-02-30"}), with_ref(e, "w"))]);
}

#[test]
fn missing_required_field_under_gz() {
    let p = gz_person("2016-06-01", "1990-01-01", "male");
    let mut cases = Vec::new();
    for f in ["hukou_local", "registered_unemployed", "able_to_work", "willing_to_be_assisted"] {
        cases.push((without(p.clone(), &[f]), field_error("missing_field", f)));
        cases.push((with(p.clone(), json!({ f: null })), field_error("missing_field", f)));
    }
    check(&[], &cases);
}

#[test]
fn missing_fields_are_reported_in_table_order() {
    let p = gz_person("2016-06-01", "1990-01-01", "male");
    check(
        &[],
        &[
            (
                without(p.clone(), &["willing_to_be_assisted", "hukou_local"]),
                field_error("missing_field", "hukou_local"),
            ),
            (
                without(p.clone(), &["able_to_work", "registered_unemployed"]),
                field_error("missing_field", "registered_unemployed"),
            ),
            (
                without(p.clone(), &["willing_to_be_assisted", "able_to_work"]),
                field_error("missing_field", "able_to_work"),
            ),
            (without(p, &["hukou_local", "birth_date", "sex"]), field_error("missing_field", "id_number")),
        ],
    );
}

#[test]
fn identity_missing_rules() {
    let p = gz_person("2016-06-01", "1990-01-01", "male");
    let id = gz_id("1990-01-01", MALE_SEQ);
    check(
        &[],
        &[
            (without(p.clone(), &["birth_date", "sex"]), field_error("missing_field", "id_number")),
            (
                with(p.clone(), json!({"birth_date": null, "sex": null, "id_number": null})),
                field_error("missing_field", "id_number"),
            ),
            (without(p.clone(), &["sex"]), field_error("missing_field", "sex")),
            (without(p.clone(), &["birth_date"]), field_error("missing_field", "birth_date")),
            (with(p.clone(), json!({"sex": null})), field_error("missing_field", "sex")),
            (with(p.clone(), json!({"birth_date": null})), field_error("missing_field", "birth_date")),
            (with(p.clone(), json!({"id_number": null})), no_category(Policy::Gz, "2016-06-01", 26)),
            (
                with(without(p.clone(), &["birth_date", "sex"]), json!({"id_number": id})),
                no_category(Policy::Gz, "2016-06-01", 26),
            ),
            (
                with(without(p.clone(), &["birth_date"]), json!({"id_number": id})),
                no_category(Policy::Gz, "2016-06-01", 26),
            ),
            (with(without(p, &["sex"]), json!({"id_number": id})), no_category(Policy::Gz, "2016-06-01", 26)),
        ],
    );
    // Identity is required under gd as well.
    check(
        &[],
        &[
            (
                without(gd_person("2024-06-01", "1990-01-01", "male"), &["birth_date", "sex"]),
                field_error("missing_field", "id_number"),
            ),
            (without(gd_person("2024-06-01", "1990-01-01", "male"), &["sex"]), field_error("missing_field", "sex")),
        ],
    );
}

#[test]
fn missing_required_field_under_gd() {
    let p = gd_person("2024-06-01", "1990-01-01", "male");
    check(
        &[],
        &[
            (without(p.clone(), &["without_work"]), field_error("missing_field", "without_work")),
            (without(p.clone(), &["able_to_work"]), field_error("missing_field", "able_to_work")),
            (without(p.clone(), &["willing_to_be_assisted"]), field_error("missing_field", "willing_to_be_assisted")),
            (with(p.clone(), json!({"without_work": null})), field_error("missing_field", "without_work")),
            // Neither hukou field: the error names hukou_in_province.
            (without(p.clone(), &["hukou_local"]), field_error("missing_field", "hukou_in_province")),
            (
                with(p.clone(), json!({"hukou_local": null, "hukou_in_province": null})),
                field_error("missing_field", "hukou_in_province"),
            ),
            // Order of the tables: hukou_in_province comes before without_work ...
            (without(p.clone(), &["hukou_local", "without_work"]), field_error("missing_field", "hukou_in_province")),
            // ... and fields of the first table come before those of the gd table.
            (without(p.clone(), &["hukou_local", "able_to_work"]), field_error("missing_field", "able_to_work")),
            (
                without(p, &["without_work", "willing_to_be_assisted"]),
                field_error("missing_field", "willing_to_be_assisted"),
            ),
        ],
    );
}

#[test]
fn wrong_types_enum_values_and_impossible_dates_are_invalid_field() {
    let p = gz_person("2016-06-01", "1990-01-01", "male");
    let w = gz_person("2016-06-01", "1990-01-01", "female");
    let bad = |rec: &Value, f: &str, v: Value| (with(rec.clone(), json!({ f: v })), field_error("invalid_field", f));
    check(
        &[],
        &[
            bad(&p, "hukou_local", json!("true")),
            bad(&p, "registered_unemployed", json!(1)),
            bad(&p, "able_to_work", json!("yes")),
            bad(&p, "willing_to_be_assisted", json!(0)),
            bad(&p, "disabled", json!("false")),
            bad(&p, "rural_to_urban", json!([])),
            bad(&p, "zero_employment_family", json!({})),
            bad(&p, "minimum_living_allowance", json!("TRUE")),
            bad(&p, "low_income_family", json!(1.0)),
            bad(&p, "single_parent_raising_children", json!("no")),
            bad(&p, "college_graduate", json!("true")),
            bad(&p, "sex", json!("other")),
            bad(&p, "sex", json!("M")),
            bad(&p, "sex", json!(true)),
            bad(&w, "female_retirement_track", json!("boss")),
            bad(&w, "female_retirement_track", json!(55)),
            bad(&p, "birth_date", json!("1990-02-30")),
            bad(&p, "birth_date", json!("1990/01/01")),
            bad(&p, "birth_date", json!("19900101")),
            bad(&p, "birth_date", json!(19900101)),
            bad(&p, "unemployed_since", json!("2015-13-01")),
            bad(&p, "unemployed_since", json!("2015-02-29")),
            bad(&p, "parent_certificates", json!("poor_worker")),
            bad(&p, "parent_certificates", json!(["rich"])),
            bad(&p, "parent_certificates", json!(["poor_worker", 3])),
            bad(&p, "parent_certificates", json!([""])),
        ],
    );
}

#[test]
fn non_string_ref_is_invalid_field() {
    // Whether a non-string ref is echoed is not settled by the contract; only the error is checked.
    let rec = with(gz_person("2016-06-01", "1990-01-01", "male"), json!({"ref": 5}));
    let out = run(&[], &jsonl(&[rec]));
    assert_eq!(out.code, Some(1), "stderr:\n{}", out.stderr);
    let lines = out.json_lines();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["error"]["code"], json!("invalid_field"), "{}", lines[0]);
    assert_eq!(lines[0]["error"]["field"], json!("ref"), "{}", lines[0]);
}

#[test]
fn every_known_field_is_validated_even_when_the_policy_does_not_use_it() {
    let gz = gz_person("2016-06-01", "1990-01-01", "male");
    let gd = gd_person("2024-06-01", "1990-01-01", "male");
    let bad = |rec: &Value, f: &str, v: Value| (with(rec.clone(), json!({ f: v })), field_error("invalid_field", f));
    check(
        &[],
        &[
            // gd-only fields under gz.
            bad(&gz, "veteran", json!("yes")),
            bad(&gz, "without_work", json!(1)),
            bad(&gz, "hukou_in_province", json!("true")),
            bad(&gz, "rural_hukou", json!("no")),
            bad(&gz, "formerly_registered_poor_household", json!("true")),
            bad(&gz, "landless_farmer", json!([true])),
            bad(&gz, "drug_rehabilitated", json!("x")),
            bad(&gz, "released_prisoner", json!(0)),
            bad(&gz, "mental_health_recovered", json!({})),
            bad(&gz, "caregiver_of_seriously_ill_relative", json!(1)),
            bad(&gz, "unemployment_registered_on", json!("2016-02-30")),
            bad(&gz, "unemployment_registered_on", json!("2016-06-02")),
            // gz-only fields under gd.
            bad(&gd, "rural_to_urban", json!("yes")),
            bad(&gd, "registered_unemployed", json!("no")),
            bad(&gd, "low_income_family", json!(0)),
            bad(&gd, "single_parent_raising_children", json!("x")),
            bad(&gd, "college_graduate", json!("true")),
            bad(&gd, "parent_certificates", json!(["rich"])),
            bad(&gd, "unemployed_since", json!("2024-02-30")),
            bad(&gd, "unemployed_since", json!("2024-06-02")),
            // The retirement track is validated for men, then ignored.
            bad(&gz, "female_retirement_track", json!("boss")),
            bad(&gd, "female_retirement_track", json!("boss")),
            (with(gz.clone(), json!({"female_retirement_track": "cadre"})), no_category(Policy::Gz, "2016-06-01", 26)),
            (with(gd.clone(), json!({"female_retirement_track": "worker"})), no_category(Policy::Gd, "2024-06-01", 34)),
        ],
    );
}

#[test]
fn invalid_fields_are_reported_in_table_order() {
    let p = gz_person("2016-06-01", "1990-01-01", "female");
    let q = gd_person("2024-06-01", "1990-01-01", "female");
    check(
        &[],
        &[
            (with(p.clone(), json!({"hukou_local": "yes", "sex": "other"})), field_error("invalid_field", "sex")),
            (
                with(p.clone(), json!({"birth_date": "1990-02-30", "sex": "other"})),
                field_error("invalid_field", "birth_date"),
            ),
            (
                with(p.clone(), json!({"hukou_local": "yes", "female_retirement_track": "boss"})),
                field_error("invalid_field", "female_retirement_track"),
            ),
            (
                with(p.clone(), json!({"unemployed_since": "2015-13-01", "rural_to_urban": "y"})),
                field_error("invalid_field", "rural_to_urban"),
            ),
            (
                with(p.clone(), json!({"able_to_work": 1, "unemployed_since": "2015-13-01"})),
                field_error("invalid_field", "unemployed_since"),
            ),
            (
                with(p.clone(), json!({"veteran": "yes", "parent_certificates": ["rich"]})),
                field_error("invalid_field", "parent_certificates"),
            ),
            (
                with(p.clone(), json!({"disabled": "yes", "birth_date": "2016-06-02"})),
                field_error("invalid_field", "birth_date"),
            ),
            (
                with(p, json!({"unemployment_registered_on": "2016-06-02", "disabled": "yes"})),
                field_error("invalid_field", "disabled"),
            ),
            (
                with(q.clone(), json!({"caregiver_of_seriously_ill_relative": 1, "hukou_in_province": "x"})),
                field_error("invalid_field", "hukou_in_province"),
            ),
            (
                with(q, json!({"veteran": "x", "landless_farmer": "x", "without_work": "x"})),
                field_error("invalid_field", "without_work"),
            ),
        ],
    );
}

#[test]
fn dates_after_the_assessment_date_are_invalid_field() {
    let gz = gz_person("2016-06-01", "1990-01-01", "male");
    let gd = gd_person("2024-06-01", "1990-01-01", "male");
    check(
        &[],
        &[
            (with(gz.clone(), json!({"birth_date": "2016-06-02"})), field_error("invalid_field", "birth_date")),
            (with(gz.clone(), json!({"birth_date": "2017-01-01"})), field_error("invalid_field", "birth_date")),
            (
                with(gz.clone(), json!({"unemployed_since": "2016-06-02"})),
                field_error("invalid_field", "unemployed_since"),
            ),
            (
                with(gz.clone(), json!({"unemployment_registered_on": "2016-06-02"})),
                field_error("invalid_field", "unemployment_registered_on"),
            ),
            (
                with(gd.clone(), json!({"unemployment_registered_on": "2024-06-02"})),
                field_error("invalid_field", "unemployment_registered_on"),
            ),
            (with(gd.clone(), json!({"birth_date": "2024-06-02"})), field_error("invalid_field", "birth_date")),
            // The assessment date itself is not after it.
            (with(gz.clone(), json!({"unemployed_since": "2016-06-01"})), no_category(Policy::Gz, "2016-06-01", 26)),
            (with(gz, json!({"unemployment_registered_on": "2016-06-01"})), no_category(Policy::Gz, "2016-06-01", 26)),
            (with(gd, json!({"unemployment_registered_on": "2024-06-01"})), no_category(Policy::Gd, "2024-06-01", 34)),
        ],
    );
    // "After as_of" uses the assessment date also when it comes from --on.
    let p = without(gz_person("x", "1990-01-01", "male"), &["as_of"]);
    check(
        &["--on", "2016-06-01"],
        &[
            (with(p.clone(), json!({"birth_date": "2016-06-02"})), field_error("invalid_field", "birth_date")),
            (with(p, json!({"unemployed_since": "2016-06-02"})), field_error("invalid_field", "unemployed_since")),
        ],
    );
}

#[test]
fn non_string_id_number_is_invalid_field() {
    let base = without(gz_person("2016-06-01", "1990-01-01", "male"), &["birth_date", "sex"]);
    let both = gz_person("2016-06-01", "1990-01-01", "male");
    check(
        &[],
        &[
            (
                with(base.clone(), json!({"id_number": 440104199001010133_u64})),
                field_error("invalid_field", "id_number"),
            ),
            (with(base.clone(), json!({"id_number": true})), field_error("invalid_field", "id_number")),
            (with(base, json!({"id_number": ["440104199001010133"]})), field_error("invalid_field", "id_number")),
            // With birth_date and sex present as well, still invalid_field.
            (with(both, json!({"id_number": 440104199001010133_u64})), field_error("invalid_field", "id_number")),
        ],
    );
}

#[test]
fn null_means_absent() {
    let g = Policy::Gz;
    let p = gz_person("2016-06-01", "1990-01-01", "male");
    check(
        &[],
        &[
            (
                with(p.clone(), json!({"disabled": null, "rural_to_urban": null, "veteran": null})),
                no_category(g, "2016-06-01", 26),
            ),
            (
                with(p.clone(), json!({"college_graduate": true, "parent_certificates": null})),
                no_category(g, "2016-06-01", 26),
            ),
            (
                with(p.clone(), json!({"unemployment_registered_on": null, "unemployed_since": null})),
                no_category(g, "2016-06-01", 26),
            ),
            (with(p.clone(), json!({"hukou_local": null})), field_error("missing_field", "hukou_local")),
            // An absent track is the worker track: above working age at 50.
            (
                with(gz_person("2016-06-01", "1966-06-01", "female"), json!({"female_retirement_track": null})),
                ineligible(g, "2016-06-01", 50, &["above_working_age"]),
            ),
        ],
    );
}

// =====================================================================================
// 11. Resident ID numbers
// =====================================================================================

fn id_record(as_of: &str, id: &str) -> Value {
    with(without(gz_person(as_of, "x", "x"), &["birth_date", "sex"]), json!({"id_number": id}))
}

#[test]
fn id_number_gives_birth_date_and_sex() {
    let g = Policy::Gz;
    // Same birth date, 35 on the assessment date: a woman is older_unemployed, a man is not.
    let woman = gz_id("1981-05-20", FEMALE_SEQ);
    let man = gz_id("1981-05-20", MALE_SEQ);
    let man40 = gz_id("1976-06-01", "111");
    check(
        &[],
        &[
            (id_record("2016-06-01", &woman), eligible(g, "2016-06-01", 35, &["older_unemployed"])),
            (id_record("2016-06-01", &man), no_category(g, "2016-06-01", 35)),
            (id_record("2016-05-31", &man40), no_category(g, "2016-05-31", 39)),
            (id_record("2016-06-01", &man40), eligible(g, "2016-06-01", 40, &["older_unemployed"])),
            (
                id_record("2016-06-01", &gz_id("1976-02-29", "020")),
                eligible(g, "2016-06-01", 40, &["older_unemployed"]),
            ),
        ],
    );
}

#[test]
fn check_character_x_is_accepted_in_either_case() {
    // Test-support self-check against values computed independently (notes 3.1 and Python).
    assert_eq!(id_number("110105", "19491231", "002"), "11010519491231002X");
    assert_eq!(id_number("110101", "19650101", "121"), "110101196501011213");
    assert_eq!(gz_id("1980-05-15", "018"), "44010419800515018X");
    assert_eq!(gz_id("1980-05-15", "069"), "44010419800515069X");
    let g = Policy::Gz;
    check(
        &[],
        &[
            (id_record("2016-06-01", "44010419800515018X"), eligible(g, "2016-06-01", 36, &["older_unemployed"])),
            (id_record("2016-06-01", "44010419800515018x"), eligible(g, "2016-06-01", 36, &["older_unemployed"])),
            (id_record("2016-06-01", "44010419800515069X"), no_category(g, "2016-06-01", 36)),
            (id_record("2016-06-01", "44010419800515069x"), no_category(g, "2016-06-01", 36)),
            (id_record("2016-06-01", "11010519491231002X"), ineligible(g, "2016-06-01", 66, &["above_working_age"])),
            // Born 1965-01-01, sequence 121: a man of 51.
            (id_record("2016-06-01", "110101196501011213"), eligible(g, "2016-06-01", 51, &["older_unemployed"])),
            (
                with(
                    id_record("2016-06-01", "44010419800515018x"),
                    json!({"birth_date": "1980-05-15", "sex": "female"}),
                ),
                eligible(g, "2016-06-01", 36, &["older_unemployed"]),
            ),
        ],
    );
}

#[test]
fn id_number_with_agreeing_birth_date_and_sex_is_accepted() {
    let id = gz_id("1990-01-01", MALE_SEQ);
    let rec = with(gz_person("2016-06-01", "1990-01-01", "male"), json!({"id_number": id, "disabled": true}));
    check(&[], &[(rec, eligible(Policy::Gz, "2016-06-01", 26, &["disabled_unemployed"]))]);
}

#[test]
fn wrong_check_character_is_invalid_id_number() {
    let e = field_error("invalid_id_number", "id_number");
    let valid_digit = gz_id("1990-01-01", MALE_SEQ);
    assert_ne!(valid_digit.chars().last(), Some('X'));
    let x_instead = format!("{}X", &valid_digit[..17]);
    check(
        &[],
        &[
            (id_record("2016-06-01", &with_wrong_check(&valid_digit)), e.clone()),
            (id_record("2016-06-01", &with_wrong_check("44010419800515018X")), e.clone()),
            (id_record("2016-06-01", &x_instead), e.clone()),
            // The notes' example with its X replaced by 1.
            (id_record("2016-06-01", "110105194912310021"), e.clone()),
            // From the peer's cases: a lower-case x where 7 is due.
            (id_record("2016-06-01", "11010519661231002x"), e),
        ],
    );
}

#[test]
fn wrong_length_is_invalid_id_number() {
    let e = field_error("invalid_id_number", "id_number");
    let valid = gz_id("1990-01-01", MALE_SEQ);
    check(
        &[],
        &[
            // 15-digit first-generation numbers are not accepted here.
            (id_record("2016-06-01", "440104900101013"), e.clone()),
            (id_record("2016-06-01", &valid[..17]), e.clone()),
            (id_record("2016-06-01", &format!("{valid}0")), e.clone()),
            (id_record("2016-06-01", ""), e),
        ],
    );
}

#[test]
fn bad_characters_are_invalid_id_number() {
    let e = field_error("invalid_id_number", "id_number");
    let valid = gz_id("1990-01-01", MALE_SEQ);
    let replace_at = |i: usize, c: &str| format!("{}{c}{}", &valid[..i], &valid[i + 1..]);
    check(
        &[],
        &[
            (id_record("2016-06-01", &replace_at(5, "X")), e.clone()),
            (id_record("2016-06-01", &replace_at(10, "A")), e.clone()),
            (id_record("2016-06-01", &replace_at(16, "-")), e.clone()),
            (id_record("2016-06-01", &format!(" {}", &valid[1..])), e),
        ],
    );
}

#[test]
fn impossible_birth_date_in_id_number_is_invalid_id_number() {
    let e = field_error("invalid_id_number", "id_number");
    check(
        &[],
        &[
            (id_record("2016-06-01", &gz_id("19800230", MALE_SEQ)), e.clone()),
            (id_record("2016-06-01", &gz_id("19810229", MALE_SEQ)), e.clone()),
            (id_record("2016-06-01", &gz_id("19801301", MALE_SEQ)), e.clone()),
            (id_record("2016-06-01", &gz_id("19800000", MALE_SEQ)), e.clone()),
            (id_record("2016-06-01", &gz_id("19800431", MALE_SEQ)), e),
            // 29 February of a leap year is a real date.
            (id_record("2016-06-01", &gz_id("19800229", MALE_SEQ)), no_category(Policy::Gz, "2016-06-01", 36)),
        ],
    );
}

#[test]
fn birth_date_in_id_number_after_the_assessment_date_is_invalid_id_number() {
    check(
        &[],
        &[
            (id_record("2016-06-01", &gz_id("2016-06-02", MALE_SEQ)), field_error("invalid_id_number", "id_number")),
            (id_record("2016-06-01", &gz_id("2020-01-01", FEMALE_SEQ)), field_error("invalid_id_number", "id_number")),
            (
                id_record("2016-06-01", &gz_id("2016-06-01", MALE_SEQ)),
                ineligible(Policy::Gz, "2016-06-01", 0, &["below_working_age"]),
            ),
        ],
    );
    // When birth_date agrees and is also in the future, the birth_date field error comes first.
    let rec = with(id_record("2016-06-01", &gz_id("2016-06-02", MALE_SEQ)), json!({"birth_date": "2016-06-02"}));
    check(&[], &[(rec, field_error("invalid_field", "birth_date"))]);
}

#[test]
fn id_number_mismatch_names_the_disagreeing_field() {
    let woman = gz_id("1980-05-15", FEMALE_SEQ);
    let p = |extra: Value| with(id_record("2016-06-01", &woman), extra);
    check(
        &[],
        &[
            (p(json!({"birth_date": "1980-05-16"})), field_error("id_number_mismatch", "birth_date")),
            (p(json!({"birth_date": "1980-05-16", "sex": "female"})), field_error("id_number_mismatch", "birth_date")),
            (p(json!({"sex": "male"})), field_error("id_number_mismatch", "sex")),
            (p(json!({"birth_date": "1980-05-15", "sex": "male"})), field_error("id_number_mismatch", "sex")),
            // Both disagree: birth_date comes first in the table.
            (p(json!({"birth_date": "1981-05-15", "sex": "male"})), field_error("id_number_mismatch", "birth_date")),
            (
                p(json!({"birth_date": "1980-05-15", "sex": "female"})),
                eligible(Policy::Gz, "2016-06-01", 36, &["older_unemployed"]),
            ),
            // The peer's cases: the notes' example number.
            (
                with(id_record("2016-06-01", "11010519491231002X"), json!({"birth_date": "1949-12-30"})),
                field_error("id_number_mismatch", "birth_date"),
            ),
            (
                with(id_record("2016-06-01", "11010519491231002X"), json!({"sex": "male"})),
                field_error("id_number_mismatch", "sex"),
            ),
        ],
    );
}

#[test]
fn id_numbers_work_under_gd_too() {
    let id = gz_id("1984-02-29", "002");
    assert_eq!(id, "440104198402290020");
    let rec = with(without(gd_person("2024-06-01", "x", "x"), &["birth_date", "sex"]), json!({"id_number": id}));
    check(
        &[],
        &[
            (rec.clone(), eligible(Policy::Gd, "2024-06-01", 40, &["older_unemployed"])),
            (with(rec, json!({"as_of": "2024-02-28"})), no_category(Policy::Gd, "2024-02-28", 39)),
        ],
    );
}

// =====================================================================================
// 12. CSV input
// =====================================================================================

const CSV_HEADER: &str =
    "ref,as_of,birth_date,sex,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,disabled";

fn csv_input(header: &str, rows: &[&str]) -> Vec<u8> {
    let mut s = format!("{header}\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s.into_bytes()
}

#[test]
fn csv_input_is_read_by_header() {
    let g = Policy::Gz;
    check_raw(
        &["--format", "csv"],
        &csv_input(
            CSV_HEADER,
            &[
                "c1,2016-06-01,1980-01-01,male,true,true,true,true,true",
                "c2,2016-06-01,1980-01-01,male,true,true,true,true,false",
                "c3,2016-06-01,1980-01-01,male,,true,true,true,",
                "c4,2016-06-01,1980-01-01,female,true,true,true,true,",
                "c5,2024-06-01,1980-01-01,female,true,true,true,true,",
            ],
        ),
        &[
            with_ref(eligible(g, "2016-06-01", 36, &["disabled_unemployed"]), "c1"),
            with_ref(no_category(g, "2016-06-01", 36), "c2"),
            with_ref(field_error("missing_field", "hukou_local"), "c3"),
            with_ref(eligible(g, "2016-06-01", 36, &["older_unemployed"]), "c4"),
            // No without_work column: gd requires it.
            with_ref(field_error("missing_field", "without_work"), "c5"),
        ],
    );
}

#[test]
fn csv_booleans_are_accepted_in_any_letter_case() {
    let g = Policy::Gz;
    check_raw(
        &["--format", "csv"],
        &csv_input(
            CSV_HEADER,
            &[
                "b1,2016-06-01,1990-01-01,male,TRUE,True,tRuE,true,TRUE",
                "b2,2016-06-01,1990-01-01,male,True,TRUE,true,TrUe,False",
                "b3,2016-06-01,1990-01-01,male,FALSE,true,true,true,fAlSe",
                "b4,2016-06-01,1990-01-01,male,true,true,true,true,yes",
                "b5,2016-06-01,1990-01-01,male,true,true,1,true,",
                "b6,2016-06-01,1990-01-01,male,t,true,true,true,",
            ],
        ),
        &[
            with_ref(eligible(g, "2016-06-01", 26, &["disabled_unemployed"]), "b1"),
            with_ref(no_category(g, "2016-06-01", 26), "b2"),
            with_ref(ineligible(g, "2016-06-01", 26, &["not_local_hukou"]), "b3"),
            with_ref(field_error("invalid_field", "disabled"), "b4"),
            with_ref(field_error("invalid_field", "able_to_work"), "b5"),
            with_ref(field_error("invalid_field", "hukou_local"), "b6"),
        ],
    );
}

#[test]
fn csv_empty_cell_means_absent() {
    let g = Policy::Gz;
    let header = format!("{CSV_HEADER},female_retirement_track,unemployed_since,id_number");
    check_raw(
        &["--format", "csv", "--on", "2016-06-01"],
        &csv_input(
            &header,
            &[
                ",2016-06-01,1990-01-01,male,true,true,true,true,,,,",
                "a2,,1990-01-01,male,true,true,true,true,true,,,",
                "a3,2016-06-01,1966-06-01,female,true,true,true,true,,,,",
                "a4,2016-06-01,,male,true,true,true,true,,,,",
                "a5,2016-06-01,1990-01-01,male,,true,true,true,,,,",
                "a6,2016-06-01,1970-05-05,female,true,true,true,true,,,,",
                "a7,2016-06-01,,,true,true,true,true,,,,",
            ],
        ),
        &[
            no_category(g, "2016-06-01", 26),
            with_ref(eligible(g, "2016-06-01", 26, &["disabled_unemployed"]), "a2"),
            with_ref(ineligible(g, "2016-06-01", 50, &["above_working_age"]), "a3"),
            with_ref(field_error("missing_field", "birth_date"), "a4"),
            with_ref(field_error("missing_field", "hukou_local"), "a5"),
            with_ref(eligible(g, "2016-06-01", 46, &["older_unemployed"]), "a6"),
            with_ref(field_error("missing_field", "id_number"), "a7"),
        ],
    );
}

#[test]
fn csv_parent_certificates_are_separated_by_semicolons() {
    let g = Policy::Gz;
    let header = "ref,as_of,birth_date,sex,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,college_graduate,parent_certificates";
    let row =
        |r: &str, grad: &str, certs: &str| format!("{r},2016-06-01,1994-01-01,male,true,true,true,true,{grad},{certs}");
    let rows = [
        row("p1", "true", "poor_worker"),
        row("p2", "true", "urban_minimum_living;rural_minimum_living;low_income_family"),
        row("p3", "true", "poor_worker;"),
        row("p4", "true", ";poor_worker"),
        row("p5", "true", "poor_worker;;low_income_family"),
        row("p6", "true", ";"),
        row("p7", "true", "poor_worker;rich"),
        row("p8", "true", ""),
        row("p9", "false", "poor_worker"),
    ];
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let bad = |r: &str| with_ref(field_error("invalid_field", "parent_certificates"), r);
    check_raw(
        &["--format", "csv"],
        &csv_input(header, &rows),
        &[
            with_ref(eligible(g, "2016-06-01", 22, &["hardship_family_graduate"]), "p1"),
            with_ref(eligible(g, "2016-06-01", 22, &["hardship_family_graduate"]), "p2"),
            bad("p3"),
            bad("p4"),
            bad("p5"),
            bad("p6"),
            bad("p7"),
            with_ref(no_category(g, "2016-06-01", 22), "p8"),
            with_ref(no_category(g, "2016-06-01", 22), "p9"),
        ],
    );
}

#[test]
fn csv_unknown_header_column_is_a_usage_error_naming_it() {
    let input = csv_input(
        "ref,as_of,birth_date,sex,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,disabld",
        &["u1,2016-06-01,1990-01-01,male,true,true,true,true,true"],
    );
    let out = run(&["--format", "csv"], &input);
    out.assert_usage_error("unknown CSV column");
    assert!(out.stderr.contains("disabld"), "stderr should name the column `disabld`:\n{}", out.stderr);
}

#[test]
fn csv_row_with_wrong_cell_count_is_invalid_json_and_the_run_continues() {
    check_raw(
        &["--format", "csv"],
        &csv_input(
            CSV_HEADER,
            &[
                "w1,2016-06-01,1990-01-01,male,true,true,true,true",
                "w2,2016-06-01,1990-01-01,male,true,true,true,true,true,extra",
                "w3,2016-06-01,1990-01-01,male,true,true,true,true,true",
                "w4",
            ],
        ),
        &[
            invalid_json(),
            invalid_json(),
            with_ref(eligible(Policy::Gz, "2016-06-01", 26, &["disabled_unemployed"]), "w3"),
            invalid_json(),
        ],
    );
}

#[test]
fn csv_quoted_cells_are_read() {
    let g = Policy::Gz;
    check_raw(
        &["--format", "csv"],
        &csv_input(
            CSV_HEADER,
            &[
                r#""A,1",2016-06-01,1990-01-01,male,true,true,true,true,true"#,
                r#""say ""hi""",2016-06-01,1990-01-01,male,true,true,true,true,"#,
                r#""q3","2016-06-01","1990-01-01","male","true","true","true","true","TRUE""#,
            ],
        ),
        &[
            with_ref(eligible(g, "2016-06-01", 26, &["disabled_unemployed"]), "A,1"),
            with_ref(no_category(g, "2016-06-01", 26), r#"say "hi""#),
            with_ref(eligible(g, "2016-06-01", 26, &["disabled_unemployed"]), "q3"),
        ],
    );
}

#[test]
fn csv_columns_may_come_in_any_order() {
    check_raw(
        &["--format", "csv"],
        &csv_input(
            "disabled,willing_to_be_assisted,sex,ref,hukou_local,birth_date,able_to_work,as_of,registered_unemployed",
            &["true,true,female,o1,true,1990-01-01,true,2016-06-01,true"],
        ),
        &[with_ref(eligible(Policy::Gz, "2016-06-01", 26, &["disabled_unemployed"]), "o1")],
    );
}

#[test]
fn csv_header_only_produces_nothing() {
    check_raw(&["--format", "csv"], &csv_input(CSV_HEADER, &[]), &[]);
}

#[test]
fn csv_blank_lines_are_skipped() {
    check_raw(
        &["--format", "csv"],
        &csv_input(
            CSV_HEADER,
            &[
                "k1,2016-06-01,1990-01-01,male,true,true,true,true,true",
                "",
                "k2,2016-06-01,1990-01-01,male,true,true,true,true,",
            ],
        ),
        &[
            with_ref(eligible(Policy::Gz, "2016-06-01", 26, &["disabled_unemployed"]), "k1"),
            with_ref(no_category(Policy::Gz, "2016-06-01", 26), "k2"),
        ],
    );
}

#[test]
fn csv_id_numbers_and_gd_columns() {
    let header = "ref,as_of,id_number,hukou_local,hukou_in_province,without_work,able_to_work,willing_to_be_assisted,veteran,unemployment_registered_on";
    check_raw(
        &["--format", "csv"],
        &csv_input(
            header,
            &[
                "i1,2024-06-01,44010419800515018x,,TRUE,true,true,true,,",
                "i2,2024-06-01,440104198005150130,false,,true,true,true,,",
                "i3,2024-06-01,440104199001010133,true,,true,true,true,true,2023-12-01",
                "i4,2024-06-01,440104199001010133,,,true,true,true,,",
            ],
        ),
        &[
            with_ref(eligible(Policy::Gd, "2024-06-01", 44, &["older_unemployed"]), "i1"),
            with_ref(field_error("invalid_id_number", "id_number"), "i2"),
            with_ref(eligible(Policy::Gd, "2024-06-01", 34, &["veteran_unemployed"]), "i3"),
            with_ref(field_error("missing_field", "hukou_in_province"), "i4"),
        ],
    );
    assert_eq!(gz_id("1990-01-01", MALE_SEQ), "440104199001010133");
    assert_ne!(gz_id("1980-05-15", MALE_SEQ), "440104198005150130");
}

#[test]
fn csv_input_from_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("people.csv");
    std::fs::write(&path, csv_input(CSV_HEADER, &["f1,2016-06-01,1990-01-01,male,true,true,true,true,true"]))
        .expect("write");
    let path = path.to_str().expect("utf-8 path");
    let args = ["--format", "csv", path];
    let out = run(&args, b"");
    verify(&out, &args, &[with_ref(eligible(Policy::Gz, "2016-06-01", 26, &["disabled_unemployed"]), "f1")], &[]);
}

// =====================================================================================
// 13. CSV output
// =====================================================================================

#[test]
fn csv_output_has_the_contract_header_and_one_row_per_record() {
    let mut input = jsonl(&[
        with(gz_person("2016-06-01", "1975-01-10", "male"), json!({"ref": "o1", "minimum_living_allowance": true})),
        gz_person("2016-06-01", "1990-01-01", "male"),
        with(
            gz_person("2016-06-01", "1990-01-01", "male"),
            json!({"ref": "o3", "hukou_local": false, "willing_to_be_assisted": false}),
        ),
        with(without(gz_person("2016-06-01", "1990-01-01", "male"), &["hukou_local"]), json!({"ref": "o4"})),
    ]);
    input.extend_from_slice(b"{broken\n");
    input.extend_from_slice(&jsonl(&[
        with(gz_person("2021-01-01", "1990-01-01", "male"), json!({"ref": "o6"})),
        with(
            gd_person("2024-06-01", "1990-01-01", "male"),
            json!({"ref": "o7", "disabled": true, "minimum_living_allowance": true}),
        ),
    ]));
    let out = run(&["--output", "csv"], &input);
    assert_eq!(out.code, Some(1), "stderr:\n{}", out.stderr);
    let text = out.stdout_text();
    assert_eq!(text.lines().next(), Some("ref,eligible,categories,unmet,error"), "header line:\n{text}");
    assert_eq!(
        parse_csv(&text),
        csv_rows(&[
            &["ref", "eligible", "categories", "unmet", "error"],
            &["o1", "true", "older_unemployed;hardship_low_income", "", ""],
            &["", "false", "", "no_category", ""],
            &["o3", "false", "", "not_local_hukou;not_willing", ""],
            &["o4", "", "", "", "missing_field"],
            &["", "", "", "", "invalid_json"],
            &["o6", "", "", "", "no_policy_in_force"],
            &["o7", "true", "disabled;minimum_living_allowance", "", ""],
        ]),
        "stdout:\n{text}"
    );
}

#[test]
fn csv_output_quotes_cells_that_need_it() {
    let input = jsonl(&[
        with(gz_person("2016-06-01", "1990-01-01", "male"), json!({"ref": "A,1", "disabled": true})),
        with(gz_person("2016-06-01", "1990-01-01", "male"), json!({"ref": "say \"hi\""})),
    ]);
    let out = run(&["--output", "csv"], &input);
    assert_eq!(out.code, Some(0), "stderr:\n{}", out.stderr);
    let text = out.stdout_text();
    assert_eq!(
        parse_csv(&text),
        csv_rows(&[
            &["ref", "eligible", "categories", "unmet", "error"],
            &["A,1", "true", "disabled_unemployed", "", ""],
            &["say \"hi\"", "false", "", "no_category", ""],
        ]),
        "stdout:\n{text}"
    );
}

#[test]
fn csv_output_from_csv_input() {
    let input = csv_input(
        CSV_HEADER,
        &[
            "x1,2016-06-01,1950-01-01,male,false,true,true,true,true",
            "x2,2016-06-01,1990-01-01,other,true,true,true,true,true",
            "x3,2016-06-01,1990-01-01,female,true,true,true,true,true",
            "x4,2016-06-01",
        ],
    );
    let out = run(&["--format", "csv", "--output", "csv"], &input);
    assert_eq!(out.code, Some(1), "stderr:\n{}", out.stderr);
    let text = out.stdout_text();
    assert_eq!(
        parse_csv(&text),
        csv_rows(&[
            &["ref", "eligible", "categories", "unmet", "error"],
            &["x1", "false", "", "not_local_hukou;above_working_age", ""],
            &["x2", "", "", "", "invalid_field"],
            &["x3", "true", "disabled_unemployed", "", ""],
            &["", "", "", "", "invalid_json"],
        ]),
        "stdout:\n{text}"
    );
}

#[test]
fn csv_output_for_empty_input_is_the_header_alone() {
    let out = run(&["--output", "csv"], b"");
    assert_eq!(out.code, Some(0), "stderr:\n{}", out.stderr);
    let text = out.stdout_text();
    assert_eq!(parse_csv(&text), csv_rows(&[&["ref", "eligible", "categories", "unmet", "error"]]), "stdout:\n{text}");
}

// =====================================================================================
// 14. Usage errors
// =====================================================================================

fn one_good_record() -> Vec<u8> {
    jsonl(&[gz_person("2016-06-01", "1990-01-01", "male")])
}

#[test]
fn unknown_option_is_a_usage_error() {
    run(&["--frobnicate"], &one_good_record()).assert_usage_error("--frobnicate");
    run(&["--on"], &one_good_record()).assert_usage_error("--on without a value");
}

#[test]
fn unknown_policy_is_a_usage_error() {
    run(&["--policy", "gz-2099-1"], &one_good_record()).assert_usage_error("--policy gz-2099-1");
    run(&["--policy", ""], &one_good_record()).assert_usage_error("--policy ''");
}

#[test]
fn invalid_on_date_is_a_usage_error() {
    for bad in ["2016-02-30", "2015-02-29", "tomorrow", "2016/06/01", "2016-6-1", "20160601"] {
        run(&["--on", bad], &one_good_record()).assert_usage_error(&format!("--on {bad}"));
    }
}

#[test]
fn unreadable_file_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("does-not-exist.jsonl");
    run(&[missing.to_str().expect("utf-8")], &one_good_record()).assert_usage_error("missing file");
    run(&[dir.path().to_str().expect("utf-8")], &one_good_record()).assert_usage_error("a directory");
}

#[test]
fn unknown_format_names_are_usage_errors() {
    run(&["--format", "xml"], &one_good_record()).assert_usage_error("--format xml");
    run(&["--output", "xml"], &one_good_record()).assert_usage_error("--output xml");
}

// =====================================================================================
// 15. Example files in tests/data (expected outputs written by hand)
// =====================================================================================

#[test]
fn jsonl_example_file_matches_its_hand_written_expectations() {
    let path = data_path("mixed.jsonl");
    let args = ["--on", "2024-06-01", path.to_str().expect("utf-8")];
    let out = run(&args, b"");
    verify(&out, &args, &expected_file("mixed.expected.jsonl"), &[]);
}

#[test]
fn peer_csv_error_cases_match_hand_written_expectations() {
    let path = data_path("peer_error_cases.csv");
    let args = ["--format", "csv", "--on", "2016-06-01", path.to_str().expect("utf-8")];
    let out = run(&args, b"");
    verify(&out, &args, &expected_file("peer_error_cases.expected.jsonl"), &[]);
}
