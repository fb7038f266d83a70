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

/// Registers a person from a one-line CSV file (each registration appends audit events).
fn import_one(db: &str, dir: &std::path::Path, id: &str, name: &str) {
    let file = dir.join(format!("{id}.csv"));
    std::fs::write(
        &file,
        format!(
            "id_number,name,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted\n\
             {id},{name},440104011,2016-03-01,true,true,true,true\n"
        ),
    )
    .unwrap();
    let out = yuanzhu(db, &["import", file.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// The head `audit verify` prints: `SEQ:HASH`.
fn printed_head(db: &str) -> String {
    let out = yuanzhu(db, &["audit", "verify"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let stdout = text(&out.stdout);
    let head = stdout.lines().find_map(|l| l.strip_prefix("head: ")).expect("the head is printed").to_owned();
    let (seq, hash) = head.split_once(':').unwrap();
    assert!(seq.parse::<i64>().is_ok() && hash.len() == 64, "{head}");
    head
}

/// What someone who can write to the database does to hide a change: drops the last event, moves
/// the head back to the one before, and lets the application append a different event in its
/// place. The chain is whole again, every hash right.
fn rewrite_the_last_event(db: &str, dir: &std::path::Path) {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = yuanzhu_storage::Store::connect(db).await.unwrap();
        let head = yuanzhu_storage::audit::head(&store).await.unwrap();
        let previous: String = sqlx::query_scalar("SELECT prev_hash FROM audit_events WHERE seq = $1")
            .bind(head.seq)
            .fetch_one(store.pool())
            .await
            .unwrap();
        sqlx::query("DELETE FROM audit_events WHERE seq = $1").bind(head.seq).execute(store.pool()).await.unwrap();
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(head.seq - 1)
            .bind(previous)
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    });
    let out = yuanzhu(db, &["audit", "verify"], "");
    assert_eq!(out.status.code(), Some(0), "without a copy of the head the cut goes unseen: {}", text(&out.stdout));
    import_one(db, dir, "440106197501011259", "王替换");
}

#[test]
fn audit_verify_prints_the_head_and_an_expected_head_that_is_gone_or_changed_fails() {
    let dir = tempfile::tempdir().unwrap();
    for db in databases(dir.path(), "expect_head") {
        import_one(&db, dir.path(), "440106197501011232", "张三");
        let head = printed_head(&db);
        let ok = yuanzhu(&db, &["audit", "verify", "--expect-head", &head], "");
        assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stdout));
        // The chain grows: the head seen earlier still holds.
        import_one(&db, dir.path(), "440106197501011240", "李四");
        assert_eq!(yuanzhu(&db, &["audit", "verify", "--expect-head", &head], "").status.code(), Some(0));
        let later = printed_head(&db);

        rewrite_the_last_event(&db, dir.path());
        let changed = yuanzhu(&db, &["audit", "verify", "--expect-head", &later], "");
        assert_eq!(changed.status.code(), Some(1), "{}", text(&changed.stdout));
        assert!(text(&changed.stdout).contains("rewritten"), "{}", text(&changed.stdout));
        let (seq, hash) = later.split_once(':').unwrap();
        let beyond = format!("{}:{hash}", seq.parse::<i64>().unwrap() + 5);
        let gone = yuanzhu(&db, &["audit", "verify", "--expect-head", &beyond], "");
        assert_eq!(gone.status.code(), Some(1), "{}", text(&gone.stdout));
        assert!(text(&gone.stdout).contains("is gone"), "{}", text(&gone.stdout));
        let bad = yuanzhu(&db, &["audit", "verify", "--expect-head", "12:not-a-hash"], "");
        assert_eq!(bad.status.code(), Some(2), "{}", text(&bad.stderr));
    }
}

#[test]
fn a_signed_checkpoint_shows_a_rewritten_chain_and_cannot_be_forged() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("audit.key");
    let public = dir.path().join("audit.key.pub");
    let made = yuanzhu("sqlite::memory:", &["audit", "keygen", "--out", key.to_str().unwrap()], "");
    assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600, "the owner's only");
    }
    let again = yuanzhu("sqlite::memory:", &["audit", "keygen", "--out", key.to_str().unwrap()], "");
    assert_eq!(again.status.code(), Some(2), "a key is never overwritten");
    let other = dir.path().join("other.key");
    yuanzhu("sqlite::memory:", &["audit", "keygen", "--out", other.to_str().unwrap()], "");

    for (n, db) in databases(dir.path(), "checkpoint").into_iter().enumerate() {
        import_one(&db, dir.path(), "440106197501011232", "张三");
        import_one(&db, dir.path(), "440106197501011240", "李四");
        let out_dir = dir.path().join(format!("checkpoints-{n}"));
        std::fs::create_dir(&out_dir).unwrap();
        let made = yuanzhu(
            &db,
            &["audit", "checkpoint", "--key", key.to_str().unwrap(), "--out", out_dir.to_str().unwrap()],
            "",
        );
        assert_eq!(made.status.code(), Some(0), "{}", text(&made.stderr));
        let file = std::fs::read_dir(&out_dir).unwrap().next().unwrap().unwrap().path();
        let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert_eq!(format!("{}:{}", saved["seq"], saved["hash"].as_str().unwrap()), printed_head(&db));
        let verify = |public: &std::path::Path, file: &std::path::Path| {
            yuanzhu(
                &db,
                &["audit", "verify", "--checkpoint", file.to_str().unwrap(), "--public-key", public.to_str().unwrap()],
                "",
            )
        };
        let ok = verify(&public, &file);
        assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stdout));
        assert!(text(&ok.stdout).contains("holds the checkpoint"), "{}", text(&ok.stdout));

        // Opened with another key, or altered, it proves nothing.
        let wrong_key = verify(&dir.path().join("other.key.pub"), &file);
        assert_eq!(wrong_key.status.code(), Some(1), "{}", text(&wrong_key.stdout));
        let forged = dir.path().join(format!("forged-{n}.json"));
        let mut altered = saved.clone();
        altered["seq"] = serde_json::json!(saved["seq"].as_i64().unwrap() - 1);
        std::fs::write(&forged, altered.to_string()).unwrap();
        let refused = verify(&public, &forged);
        assert_eq!(refused.status.code(), Some(1), "{}", text(&refused.stdout));
        assert!(text(&refused.stdout).contains("signature"), "{}", text(&refused.stdout));

        rewrite_the_last_event(&db, dir.path());
        let caught = verify(&public, &file);
        assert_eq!(caught.status.code(), Some(1), "{}", text(&caught.stdout));
        assert!(text(&caught.stdout).contains("does not hold the checkpoint"), "{}", text(&caught.stdout));
    }
}
