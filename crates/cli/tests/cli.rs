//! The `yuanzhu` command beyond the assess contract: policy directories, languages, the policy
//! list, and inputs large enough to cross the reader's blocks.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_yuanzhu");

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the yuanzhu binary runs");
    let mut pipe = child.stdin.take().expect("stdin");
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().expect("yuanzhu finishes");
    writer.join().expect("stdin writer");
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const POLICIES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies");

const MAN_41: &str = r#"{"ref":"a","as_of":"2016-06-01","birth_date":"1975-01-01","sex":"male","hukou_local":true,"registered_unemployed":true,"able_to_work":true,"willing_to_be_assisted":true}"#;

#[test]
fn a_policy_directory_replaces_the_built_in_policies() {
    let dir = tempfile::tempdir().unwrap();
    let gz = std::fs::read_to_string(format!("{POLICIES}/gz-2014-4.toml")).unwrap();
    // A city raising the men's threshold of 第三条第（一）项 from 40 to 42, without a rebuild.
    let revised = gz.replacen("male_age = 40", "male_age = 42", 1);
    std::fs::write(dir.path().join("gz-2014-4.toml"), revised).unwrap();
    let out = run(&["--policies", dir.path().to_str().unwrap(), "assess"], MAN_41.as_bytes());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["unmet"], serde_json::json!(["no_category"]), "41 < 42 under the revised file");

    let out = run(&["assess"], MAN_41.as_bytes());
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["categories"], serde_json::json!(["older_unemployed"]), "the built-in file says 40");
}

#[test]
fn a_malformed_policy_file_is_refused_naming_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let gz = std::fs::read_to_string(format!("{POLICIES}/gz-2014-4.toml")).unwrap();
    std::fs::write(dir.path().join("broken.toml"), gz.replacen("female_age = 35", "female_age = \"35\"", 1)).unwrap();
    let out = run(&["--policies", dir.path().to_str().unwrap(), "assess"], MAN_41.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = text(&out.stderr);
    assert!(err.contains("broken.toml") && err.contains("female_age"), "{err}");
}

#[test]
fn explanations_are_chinese_by_default_and_english_on_request() {
    let zh: serde_json::Value = serde_json::from_slice(&run(&["assess"], MAN_41.as_bytes()).stdout).unwrap();
    assert_eq!(zh["reasons"][0]["because"], "男，41周岁，满40周岁");
    let en: serde_json::Value =
        serde_json::from_slice(&run(&["assess", "--lang", "en"], MAN_41.as_bytes()).stdout).unwrap();
    assert_eq!(en["reasons"][0]["because"], "male, age 41 >= 40");
    let bad = run(&["assess", "--lang", "en"], br#"{"ref":"x","sex":"male"}"#);
    let err: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(err["error"]["message"], "required field birth_date is missing");
}

#[test]
fn policies_lists_every_policy_with_its_window() {
    let out = run(&["policies"], b"");
    let listing = text(&out.stdout);
    assert!(listing.contains("gz-2014-4\t2014-01-20 – 2019-01-19"), "{listing}");
    assert!(listing.contains("gd-2023-11\t2023-08-01 – …") && listing.contains("provisional"), "{listing}");
}

/// Rows of the contract's CSV, numbered, for inputs larger than one reader block (8 MiB).
fn many_rows(n: usize, quote_from: Option<usize>) -> Vec<u8> {
    let mut csv = b"ref,as_of,birth_date,sex,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,disabled,zero_employment_family,minimum_living_allowance,low_income_family,single_parent_raising_children,college_graduate,rural_to_urban,female_retirement_track\n".to_vec();
    for i in 0..n {
        let year = 1950 + i % 60;
        let sex = if i % 2 == 0 { "female" } else { "male" };
        let reference = if quote_from.is_some_and(|q| i >= q) { format!("\"r,{i}\"") } else { format!("r{i}") };
        let disabled = if i % 7 == 0 { "true" } else { "false" };
        writeln!(
            csv,
            "{reference},2016-06-01,{year}-0{}-1{},{sex},true,true,true,true,{disabled},false,false,false,false,false,false,worker",
            1 + i % 9,
            i % 10
        )
        .unwrap();
    }
    csv
}

fn refs_in_order(out: &[u8]) -> Vec<String> {
    let mut reader = csv::Reader::from_reader(out);
    reader.records().map(|r| r.unwrap()[0].to_owned()).collect()
}

#[test]
fn output_keeps_input_order_across_reader_blocks() {
    let rows = 120_000;
    let input = many_rows(rows, None);
    assert!(input.len() > 8 << 20, "the input spans more than one block");
    let out = run(&["assess", "--format", "csv", "--output", "csv"], &input);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let refs = refs_in_order(&out.stdout);
    assert_eq!(refs.len(), rows);
    assert!(refs.iter().enumerate().all(|(i, r)| *r == format!("r{i}")), "results are in input order");
}

#[test]
fn a_quote_after_the_first_block_switches_to_the_full_csv_reader() {
    let rows = 120_000;
    let input = many_rows(rows, Some(110_000));
    let out = run(&["assess", "--format", "csv", "--output", "csv"], &input);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let refs = refs_in_order(&out.stdout);
    assert_eq!(refs.len(), rows);
    assert_eq!(refs[109_999], "r109999");
    assert_eq!(refs[110_000], "r,110000", "a quoted ref with a comma comes back whole");
    assert_eq!(refs[rows - 1], format!("r,{}", rows - 1));
}

#[test]
fn the_example_files_in_the_repository_assess() {
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
    let out = Command::new(BIN).args(["assess", &format!("{examples}/persons.jsonl")]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "the example shows three error records too");
    let lines: Vec<serde_json::Value> = text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 12);
    assert_eq!(lines.iter().filter(|l| l.get("error").is_some()).count(), 3);
    let out = Command::new(BIN)
        .args(["assess", "--format", "csv", "--output", "csv", &format!("{examples}/persons.csv")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(refs_in_order(&out.stdout).len(), 6);
}
