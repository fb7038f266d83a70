//! `yuanzhu export`: the persons export is a file `yuanzhu import` reads back, in both formats,
//! and the ledgers export is every event of every person's file. On the embedded database (the
//! storage crate's own tests run the same properties on PostgreSQL too).

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_yuanzhu");

fn yuanzhu(db: &str, args: &[&str]) -> Output {
    Command::new(BIN).arg("--db").arg(db).args(args).output().expect("yuanzhu runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs a command that must succeed; its standard output.
fn ok(db: &str, args: &[&str]) -> String {
    let out = yuanzhu(db, args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

fn db_in(dir: &Path, name: &str) -> String {
    format!("sqlite:{}/{name}.db", dir.display())
}

/// The number of events in the audit chain, from `audit verify`.
fn events(db: &str) -> u64 {
    let out = ok(db, &["audit", "verify"]);
    let n = out.split("intact: ").nth(1).and_then(|s| s.split(' ').next()).expect("intact: N events");
    n.parse().unwrap()
}

#[test]
fn the_persons_export_imports_back_unchanged_and_into_an_empty_registry_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let a = db_in(dir.path(), "a");
    ok(&a, &["demo", "--persons", "300", "--seed", "7"]);
    let a_csv = dir.path().join("a.csv");
    let written = ok(&a, &["export", "persons", "--format", "csv", "--out", a_csv.to_str().unwrap()]);
    assert!(written.starts_with("300 persons written"), "{written}");

    for format in ["csv", "xlsx"] {
        let file = dir.path().join(format!("a-export.{format}"));
        ok(&a, &["export", "persons", "--format", format, "--out", file.to_str().unwrap()]);

        // Into the same registry: every row unchanged, not one event more.
        let before = events(&a);
        let out = ok(&a, &["import", file.to_str().unwrap()]);
        assert!(
            out.contains(
                "persons: 0 created, 0 updated, 300 unchanged; registrations: 0; automatic recognitions: 0; rows rejected: 0"
            ),
            "{format}: {out}"
        );
        assert_eq!(events(&a), before, "{format}: the audit chain is as it was");

        // Into an empty registry (the demo's synthetic communities, no persons): the same export.
        let b = db_in(dir.path(), &format!("b-{format}"));
        ok(&b, &["demo", "--persons", "0", "--seed", "7"]);
        let out = ok(&b, &["import", file.to_str().unwrap()]);
        assert!(out.contains("persons: 300 created, 0 updated, 0 unchanged"), "{format}: {out}");
        let b_csv = dir.path().join(format!("b-{format}.csv"));
        ok(&b, &["export", "persons", "--format", "csv", "--out", b_csv.to_str().unwrap()]);
        let (a_text, b_text) = (std::fs::read_to_string(&a_csv).unwrap(), std::fs::read_to_string(&b_csv).unwrap());
        assert!(a_text == b_text, "{format}: the export of B differs from A's");
    }

    // ID numbers keep every digit and the check character, also X.
    let a_text = std::fs::read_to_string(&a_csv).unwrap();
    let a_text = a_text.strip_prefix('\u{feff}').expect("a byte-order mark for Excel");
    let mut lines = a_text.lines();
    // A Chinese export (the default) has Chinese headers, and imported back above as the fields
    // they name; an English one keeps the field names.
    assert!(lines.next().unwrap().starts_with("身份证号,姓名,联系电话,住址,居住地单位,登记日期,"));
    let en_csv = dir.path().join("a-en.csv");
    ok(&a, &["export", "persons", "--format", "csv", "--out", en_csv.to_str().unwrap(), "--lang", "en"]);
    let en_text = std::fs::read_to_string(&en_csv).unwrap();
    assert!(en_text.starts_with("\u{feff}id_number,name,phone,address,residence_unit,registered_on,"));
    assert_eq!(en_text.lines().skip(1).collect::<Vec<_>>(), a_text.lines().skip(1).collect::<Vec<_>>());
    let ids: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    assert!(ids.iter().all(|id| id.len() == 18 && id[..17].bytes().all(|b| b.is_ascii_digit())), "{ids:?}");
    assert!(ids.iter().any(|id| id.ends_with('X')), "the demo has check characters X");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ordered by ID number");
}

#[test]
fn the_ledgers_export_is_every_event_of_every_file_by_person_then_time() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path(), "l");
    ok(&db, &["demo", "--persons", "40", "--seed", "3"]);
    let file = dir.path().join("ledgers.csv");
    let total = events(&db);
    let out = ok(&db, &["export", "ledgers", "--format", "csv", "--out", file.to_str().unwrap(), "--lang", "en"]);
    assert_eq!(events(&db), total + 1, "the export itself is recorded in the audit trail");
    assert_eq!(
        out,
        format!("{total} ledger events written to {}\n", file.display()),
        "the demo's events are all a person's"
    );

    let mut reader = csv::Reader::from_path(&file).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, ["id_number", "name", "seq", "at", "actor", "action", "entity", "policy", "summary"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len() as u64, total);
    let keys: Vec<(String, u64)> = rows.iter().map(|r| (r[0].to_owned(), r[2].parse().unwrap())).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "by person, then time");

    // One person's rows are their file's timeline.
    let id = &rows[0][0];
    let shown: serde_json::Value = serde_json::from_str(&ok(&db, &["person", "show", id, "--json"])).unwrap();
    let timeline: Vec<(u64, String)> = shown["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["seq"].as_u64().unwrap(), e["action"].as_str().unwrap().to_owned()))
        .collect();
    let mine: Vec<(u64, String)> =
        rows.iter().filter(|r| &r[0] == id).map(|r| (r[2].parse().unwrap(), r[5].to_owned())).collect();
    assert_eq!(mine, timeline);
    let opened = rows.iter().find(|r| &r[5] == "person.created").unwrap();
    assert!(opened[8].starts_with("File opened: "), "{}", &opened[8]);
    // Times on the configured zone's clock (Asia/Shanghai by default), with the offset.
    assert!(opened[3].ends_with("+08:00"), "{}", &opened[3]);
    let zh = dir.path().join("ledgers-zh.csv");
    ok(&db, &["export", "ledgers", "--format", "csv", "--out", zh.to_str().unwrap()]);
    let zh_text = std::fs::read_to_string(&zh).unwrap();
    assert!(zh_text.starts_with("\u{feff}身份证号,姓名,序号,时间,经办人,事项,对象,政策,摘要"), "{}", &zh_text[..80]);

    let xlsx = dir.path().join("ledgers.xlsx");
    let out = ok(&db, &["export", "ledgers", "--format", "xlsx", "--out", xlsx.to_str().unwrap()]);
    assert!(out.starts_with(&format!("{total} ledger events written")), "{out}");
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"), "an xlsx file is a zip archive");
}

#[test]
fn a_failed_export_leaves_the_earlier_file_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("persons.csv");
    std::fs::write(&file, "the earlier export").unwrap();
    // A database that cannot be opened: its folder would be a file.
    let db = format!("sqlite:{}/persons.csv/r.db", dir.path().display());
    let out = yuanzhu(&db, &["export", "persons", "--format", "csv", "--out", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "the earlier export");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left, [std::ffi::OsString::from("persons.csv")], "no partial file is left behind");
}
