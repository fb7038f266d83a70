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
    let lines: Vec<&str> = report.lines().collect();
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
