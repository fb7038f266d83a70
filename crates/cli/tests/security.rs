//! The command line's part of the security hardening (issue #11 §4): API tokens expire unless
//! asked not to, and the audit chain's head is checked against copies kept outside the database
//! (`audit verify --expect-head`, signed checkpoints). Run on SQLite and, where installed, on a
//! throwaway PostgreSQL.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_yuanzhu");

fn yuanzhu(db: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("yuanzhu runs");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin written");
    child.wait_with_output().expect("yuanzhu finishes")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A SQLite database in `dir` and, where PostgreSQL is installed, a fresh PostgreSQL one; each
/// initialised.
fn databases(dir: &std::path::Path, name: &str) -> Vec<String> {
    let mut urls = vec![format!("sqlite:{}/{name}.db", dir.display())];
    if let Some(pg) = yuanzhu_test_support::shared() {
        urls.push(pg.create_database(&format!("cli_{name}_{}", std::process::id())));
    }
    for url in &urls {
        let init = yuanzhu(url, &["db", "init"], "");
        assert_eq!(init.status.code(), Some(0), "{}", text(&init.stderr));
    }
    urls
}

/// The expiry of every token, newest last.
fn token_expiries(url: &str) -> Vec<Option<String>> {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = yuanzhu_storage::Store::connect(url).await.unwrap();
        let rows: Vec<Option<String>> = sqlx::query_scalar("SELECT expires_at FROM api_tokens ORDER BY created_at")
            .fetch_all(store.pool())
            .await
            .unwrap();
        store.close().await;
        rows
    })
}

#[test]
fn a_token_expires_after_90_days_unless_never_is_asked_for_with_days_0() {
    let dir = tempfile::tempdir().unwrap();
    for db in databases(dir.path(), "tokens") {
        let add = yuanzhu(
            &db,
            &["user", "add", "--username", "etl", "--role", "auditor", "--unit", "440100", "--password-stdin"],
            "a-long-enough-password\n",
        );
        assert_eq!(add.status.code(), Some(0), "{}", text(&add.stderr));

        let default = yuanzhu(&db, &["token", "create", "--username", "etl"], "");
        assert_eq!(default.status.code(), Some(0), "{}", text(&default.stderr));
        assert!(text(&default.stderr).contains("expires in 90 days"), "{}", text(&default.stderr));
        let never = yuanzhu(&db, &["token", "create", "--username", "etl", "--days", "0"], "");
        assert_eq!(never.status.code(), Some(0), "{}", text(&never.stderr));
        assert!(text(&never.stderr).contains("never expires"), "{}", text(&never.stderr));
        let negative = yuanzhu(&db, &["token", "create", "--username", "etl", "--days", "-1"], "");
        assert_eq!(negative.status.code(), Some(2), "{}", text(&negative.stderr));

        let expiries = token_expiries(&db);
        assert_eq!(expiries.len(), 2, "{expiries:?}");
        let in_90_days = (chrono::Utc::now() + chrono::Duration::days(90)).format("%Y-%m-%d").to_string();
        let first = expiries[0].as_deref().expect("the default token expires");
        // The day may turn between the command and this line; either day is 90 days on.
        let in_89_days = (chrono::Utc::now() + chrono::Duration::days(89)).format("%Y-%m-%d").to_string();
        assert!(first.starts_with(&in_90_days) || first.starts_with(&in_89_days), "{first}");
        assert_eq!(expiries[1], None, "--days 0 is a token that never expires");
    }
}

#[test]
fn the_report_of_rejected_rows_opens_in_a_spreadsheet_without_running_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let db = &databases(dir.path(), "report")[0];
    let file = dir.path().join("reg.csv");
    std::fs::write(
        &file,
        "ref,id_number,name,residence_unit,registered_on\n\
         \"=cmd|' /C calc'!A0\",440106197501011233,张三,440104011,2016-03-01\n\
         @SUM(A1),440106197501011232,张三,440104011,2099-03-01\n",
    )
    .unwrap();
    let report = dir.path().join("report.csv");
    let out = yuanzhu(db, &["import", file.to_str().unwrap(), "--report", report.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report = std::fs::read_to_string(report).unwrap();
    let report = report.strip_prefix('\u{feff}').expect("a byte-order mark for Excel");
    let mut reader = csv::Reader::from_reader(report.as_bytes());
    let refs: Vec<String> = reader.records().map(|r| r.unwrap()[1].to_owned()).collect();
    assert_eq!(refs, ["'=cmd|' /C calc'!A0", "'@SUM(A1)"], "{report}");
}
