//! The registry's command line: `db init`, `import`, `person show`, `audit verify`, `demo`, on
//! the embedded database (the storage crate's own tests run every query on PostgreSQL too).

use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_yuanzhu");

fn yuanzhu(db: &str, args: &[&str]) -> Output {
    Command::new(BIN).arg("--db").arg(db).args(args).output().expect("yuanzhu runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn import_keeps_good_rows_reports_bad_ones_and_shows_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}/r.db", dir.path().display());
    let init = yuanzhu(&db, &["db", "init"]);
    assert_eq!(init.status.code(), Some(0), "{}", text(&init.stderr));
    assert!(text(&init.stdout).contains("190 added"));

    let file = dir.path().join("reg.csv");
    std::fs::write(
        &file,
        "ref,id_number,name,phone,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted\n\
         A,440106197501011232,张三,13800138000,440104011,2016-03-01,true,true,true,true\n\
         B,440106197501011233,李四,,440104011,2016-03-01,true,true,true,true\n\
         C,11010519491231002X,王芳,,440199999,2016-03-01,true,true,true,true\n",
    )
    .unwrap();
    let report = dir.path().join("report.csv");
    let out = yuanzhu(&db, &["import", file.to_str().unwrap(), "--report", report.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "some rows rejected: exit 1; {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("1 created"), "{}", text(&out.stdout));
    let report = std::fs::read_to_string(report).unwrap();
    let lines: Vec<&str> = report.strip_prefix('\u{feff}').expect("a byte-order mark for Excel").lines().collect();
    assert_eq!(lines[0], "row,ref,field,code,message");
    assert!(lines[1].starts_with("3,B,id_number,invalid_id_number,"), "{report}");
    assert!(lines[2].starts_with("4,C,residence_unit,unknown_unit,"), "{report}");

    // The same file again: nothing changes.
    let again = yuanzhu(&db, &["import", file.to_str().unwrap()]);
    assert!(text(&again.stdout).contains("0 created, 0 updated, 1 unchanged"), "{}", text(&again.stdout));

    let show = yuanzhu(&db, &["person", "show", "440106197501011232", "--json"]);
    assert_eq!(show.status.code(), Some(0), "{}", text(&show.stderr));
    let file: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(file["categories"], serde_json::json!(["older_unemployed"]));
    assert_eq!(file["person"]["name"], "张三");
    assert_eq!(file["timeline"].as_array().unwrap().len(), 3);
    for part in ["applications", "contacts", "revocation_proposals"] {
        assert_eq!(file[part], serde_json::json!([]), "the file lists {part}");
    }

    let missing = yuanzhu(&db, &["person", "show", "11010519491231002X"]);
    assert_eq!(missing.status.code(), Some(1));

    let verify = yuanzhu(&db, &["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(0));
    assert!(text(&verify.stdout).contains("intact: 3 events"), "{}", text(&verify.stdout));
}

#[test]
fn import_without_a_unit_tree_asks_for_db_init() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}/r.db", dir.path().display());
    // The schema exists but no units: a fresh database given to import directly.
    let file = dir.path().join("reg.csv");
    std::fs::write(
        &file,
        "id_number,name,residence_unit,registered_on\n440106197501011232,张三,440104011,2016-03-01\n",
    )
    .unwrap();
    let out = yuanzhu(&db, &["import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("yuanzhu db init"), "{}", text(&out.stderr));
}

#[test]
fn demo_is_deterministic_and_verifiable() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}/d.db", dir.path().display());
    let out = yuanzhu(&db, &["demo", "--persons", "300", "--seed", "7"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("300 persons created"), "{}", text(&out.stdout));
    // Running it again with the same seed finds the same 300 persons.
    let again = yuanzhu(&db, &["demo", "--persons", "300", "--seed", "7"]);
    assert!(text(&again.stdout).contains("0 persons created, 300 unchanged"), "{}", text(&again.stdout));
    assert_eq!(yuanzhu(&db, &["audit", "verify"]).status.code(), Some(0));
}

/// Starts `yuanzhu ARGS`, kills it with SIGKILL once `ready` says so (or after `max`), and
/// returns whether it was still running when killed.
fn kill_9_during(db: &str, args: &[&str], ready: impl Fn() -> bool, max: std::time::Duration) -> bool {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while start.elapsed() < max && !ready() {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let running = child.try_wait().unwrap().is_none();
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    running
}

/// One number from the database, read through the storage crate.
fn count(db_file: &std::path::Path, sql: &'static str) -> i64 {
    let url = format!("sqlite:{}", db_file.display());
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = yuanzhu_storage::Store::connect(&url).await.unwrap();
        let n: i64 = sqlx_count(&store, sql).await;
        store.close().await;
        n
    })
}

async fn sqlx_count(store: &yuanzhu_storage::Store, sql: &'static str) -> i64 {
    use sqlx::Row;
    match sqlx::query(sql).fetch_one(store.pool()).await {
        Ok(row) => row.try_get::<i64, _>(0).unwrap(),
        // The table does not exist yet: nothing is stored.
        Err(_) => 0,
    }
}

#[test]
fn kill_9_during_import_loses_no_committed_batch_and_a_rerun_finishes_without_duplicates() {
    // Imports commit 10,000 rows per transaction: 25,000 persons are two whole batches and half a
    // third, so the kill lands inside a batch.
    const BATCH: i64 = 10_000;
    const PERSONS: &str = "25000";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("k.db");
    let db = format!("sqlite:{}", file.display());
    assert_eq!(yuanzhu(&db, &["db", "init"]).status.code(), Some(0));
    let persons = || {
        Command::new(BIN)
            .args(["--db", &db, "audit", "verify"])
            .output()
            .map(|o| text(&o.stdout))
            .unwrap_or_default()
            .contains("intact")
    };
    // Kill the demo import as soon as the database has grown past its first batch.
    let db_size = || count(&file, "SELECT COUNT(*) FROM persons") >= BATCH;
    let killed =
        kill_9_during(&db, &["demo", "--persons", PERSONS, "--seed", "3"], db_size, std::time::Duration::from_secs(60));
    assert!(persons(), "the audit chain is intact after the kill");
    let stored = count(&file, "SELECT COUNT(*) FROM persons");
    if killed {
        assert_eq!(stored % BATCH, 0, "only whole batches are committed, found {stored}");
    }
    let again = yuanzhu(&db, &["demo", "--persons", PERSONS, "--seed", "3"]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    let done = text(&again.stdout);
    let created: i64 = done.split(" persons created").next().unwrap().rsplit(' ').next().unwrap().parse().unwrap();
    let unchanged: i64 = done.split(" unchanged").next().unwrap().rsplit(' ').next().unwrap().parse().unwrap();
    assert_eq!(created + unchanged, 25_000, "{done}");
    assert_eq!(unchanged, stored, "the rerun finds exactly what was committed");
    assert_eq!(count(&file, "SELECT COUNT(*) FROM persons"), 25_000);
    assert_eq!(count(&file, "SELECT COUNT(*) FROM unemployment_registrations"), 25_000, "no duplicate registrations");
    assert!(persons());
}

#[test]
fn kill_9_during_reassessment_resumes_where_it_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.db");
    let db = format!("sqlite:{}", file.display());
    assert_eq!(yuanzhu(&db, &["demo", "--persons", "6000", "--seed", "5"]).status.code(), Some(0));
    let started = || count(&file, "SELECT COUNT(*) FROM assessments") > 0;
    kill_9_during(&db, &["reassess", "--on", "2016-06-01"], started, std::time::Duration::from_secs(60));
    let out = yuanzhu(&db, &["reassess", "--on", "2016-06-01"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["assessed"], 6000, "{summary}");
    assert_eq!(count(&file, "SELECT COUNT(*) FROM assessments"), 6000);
    assert_eq!(
        count(&file, "SELECT COUNT(*) FROM audit_events WHERE action = 'assessment.changed'"),
        6000,
        "every person assessed once, none twice"
    );
    let verify = yuanzhu(&db, &["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify.stdout));
}
