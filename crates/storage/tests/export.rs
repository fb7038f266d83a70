//! Exports of the registry, run on both databases: SQLite (embedded) and PostgreSQL.
//!
//! The persons export is a registration file: imported into the same registry it changes
//! nothing, and into an empty one it gives a registry whose export is the same. The ledgers export
//! is every event of every person's file, by person and then time.

mod common;

use calamine::{Data, Reader, Xlsx};
use yuanzhu_domain::registration::{Registration, RowError, read_csv};
use yuanzhu_domain::xlsx::read_xlsx;
use yuanzhu_rules::{Date, Fact, IdNumber, Lang, PolicySet};
use yuanzhu_storage::export::{self, FileFormat, LedgerRow, Paged, Table};
use yuanzhu_storage::persons::{self, ImportSummary};
use yuanzhu_storage::{Store, audit};

/// A fresh SQLite file, and a fresh PostgreSQL database when PostgreSQL is installed.
async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    common::stores("export").await
}

fn today() -> Date {
    Date::parse("2026-11-26").unwrap()
}

/// Registers the rows of a registration file in one batch; every row must be valid.
async fn register(store: &Store, rows: Vec<Result<Registration, RowError>>) -> ImportSummary {
    let rows: Vec<Registration> = rows.into_iter().map(|r| r.expect("every row is valid")).collect();
    let units = persons::unit_codes(store).await.unwrap();
    let s = persons::register_batch(store, &rows, &units, "importer", &PolicySet::embedded(), Lang::Zh).await.unwrap();
    assert!(s.rejected.is_empty(), "{:?}", s.rejected);
    s
}

const HEADER: &str = "ref,id_number,name,phone,address,residence_unit,registered_on,household_ref,relation,\
     female_retirement_track,hukou_local,registered_unemployed,unemployed_since,able_to_work,willing_to_be_assisted,\
     disabled,college_graduate,parent_certificates,hukou_in_province,without_work";

async fn import(store: &Store, lines: &[&str]) -> ImportSummary {
    let text = std::iter::once(HEADER).chain(lines.iter().copied()).collect::<Vec<_>>().join("\n");
    register(store, read_csv(text.as_bytes(), today(), Lang::Zh).unwrap()).await
}

// A man born 1975-01-01, 41 when registered in 2016: 大龄 (第三条第（一）项) is recognised at
// registration (第四条). He registers again in 2017, the registration that counts.
const MAN: &str = "a,440106197501011232,张三,13800138000,\"越秀区东山街道, \"\"1号\"\"\",440104011,2016-03-01,H-0012,户主,\
     ,true,true,2015-08-31,true,true,false,false,,true,true";
const MAN_AGAIN: &str = "a2,440106197501011232,张三,13800138000,\"越秀区东山街道, \"\"1号\"\"\",440104011,2017-06-01,\
     H-0012,户主,,true,true,2015-08-31,true,true,false,false,,true,true";
// His wife, born 1949 on the cadre track, with a landline (a leading zero) and an ID number ending
// in X; above working age, so no category. Her address has two lines.
const WIFE: &str = "b,11010519491231002X,李四,020-83826770,\"东山街道\n二号楼\",440104011,2016-03-01,H-0012,配偶,\
     cadre,true,true,,true,true,true,false,,true,true";
// A graduate whose parents hold two hardship certificates (第三条第（四）项, automatic), written as a
// 15-digit legacy number; her 2017 registration arrives before an older one with another phone.
const GRADUATE_2017: &str = "c,440106940505002,王五,13900139000,,440105001,2017-01-10,,,,true,true,,true,true,false,\
     true,poor_worker;low_income_family,true,true";
const GRADUATE_2016: &str = "c0,440106940505002,王五,13700137000,,440105001,2016-07-01,,,,true,true,,true,true,false,\
     true,poor_worker;low_income_family,true,true";
// Registered under gd-2023-11, whose categories are all by application: none recognised.
const LATER: &str = "d,440106800101003,赵六,,,440104011,2024-03-01,,,,false,true,2023-12-01,true,true,false,false,,\
     true,true";

/// Registry A: every kind of value an export carries.
async fn fill(store: &Store) {
    store.init().await.unwrap();
    import(store, &[MAN, WIFE, GRADUATE_2017, LATER]).await;
    import(store, &[MAN_AGAIN, GRADUATE_2016]).await;
}

fn bytes_of<T: Table>(rows: &[T], format: FileFormat) -> Vec<u8> {
    let mut out = Vec::new();
    export::write_rows(rows, format, &mut out).unwrap();
    out
}

fn read(bytes: &[u8], format: FileFormat) -> Vec<Result<Registration, RowError>> {
    match format {
        FileFormat::Csv => read_csv(bytes, today(), Lang::Zh).unwrap(),
        FileFormat::Xlsx => read_xlsx(bytes, today(), Lang::Zh).unwrap(),
    }
}

/// The 18-digit number a 15-digit legacy one is upgraded to.
fn upgraded(legacy: &str) -> String {
    IdNumber::parse_or_upgrade(legacy).unwrap().to_string()
}

async fn event_count(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events").fetch_one(store.pool()).await.unwrap()
}

#[tokio::test]
async fn persons_are_exported_with_their_facts_current_categories_and_latest_registration() {
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        assert_eq!(export::persons_rows(&store).await.unwrap(), [], "an empty registry exports no one");
        fill(&store).await;
        let rows = export::persons_rows(&store).await.unwrap();
        let ids: Vec<&str> = rows.iter().map(|r| r.id_number.as_str()).collect();
        let (graduate_id, later_id) = (upgraded("440106940505002"), upgraded("440106800101003"));
        assert_eq!(ids, ["11010519491231002X", "440106197501011232", &later_id, &graduate_id]);
        let man = &rows[1];
        assert_eq!(
            (man.name.as_str(), man.phone.as_deref(), man.address.as_deref()),
            ("张三", Some("13800138000"), Some("越秀区东山街道, \"1号\""))
        );
        assert_eq!((man.registered_on.as_deref(), man.household_ref.as_deref()), (Some("2017-06-01"), Some("H-0012")));
        assert_eq!((man.relation.as_deref(), man.unemployed_since.as_deref()), (Some("户主"), Some("2015-08-31")));
        assert!(man.facts.has(Fact::HukouLocal) && !man.facts.has(Fact::Disabled));
        assert_eq!(man.categories, ["older_unemployed"]);
        let wife = &rows[0];
        assert_eq!((wife.phone.as_deref(), wife.female_retirement_track.as_str()), (Some("02083826770"), "cadre"));
        assert!(wife.facts.has(Fact::Disabled) && wife.categories.is_empty());
        let graduate = &rows[3];
        assert_eq!(graduate.registered_on.as_deref(), Some("2017-01-10"), "the latest, though imported first");
        assert_eq!(graduate.phone.as_deref(), Some("13700137000"), "the facts of the row imported last");
        assert_eq!(graduate.parent_certificates.count_ones(), 2);
        assert_eq!(graduate.categories, ["hardship_family_graduate"]);
        assert_eq!(rows[2].categories, Vec::<String>::new(), "gd-2023-11 recognises on application only");

        // A recognition that has ended is no longer a current category.
        sqlx::query("UPDATE recognitions SET ended_on = '2018-01-01', end_reason = 'employed'")
            .execute(store.pool())
            .await
            .unwrap();
        let rows = export::persons_rows(&store).await.unwrap();
        assert!(rows.iter().all(|r| r.categories.is_empty()), "{rows:?}");
    }
}

#[tokio::test]
async fn an_export_imported_into_the_same_registry_changes_nothing() {
    for (store, _dir) in stores().await {
        fill(&store).await;
        let rows = export::persons_rows(&store).await.unwrap();
        for format in [FileFormat::Csv, FileFormat::Xlsx] {
            let events = event_count(&store).await;
            let s = register(&store, read(&bytes_of(&rows, format), format)).await;
            let changed = (s.persons_created, s.persons_updated, s.registrations_recorded, s.recognitions_granted);
            assert_eq!(changed, (0, 0, 0, 0), "{format:?} on {:?}", store.backend());
            assert_eq!(s.persons_unchanged, rows.len() as u64, "every row reported unchanged");
            assert_eq!(event_count(&store).await, events, "no new event in the audit chain");
            assert_eq!(export::persons_rows(&store).await.unwrap(), rows);
        }
    }
}

#[tokio::test]
async fn an_export_imported_into_an_empty_registry_gives_the_same_export() {
    for (a, _dir) in stores().await {
        fill(&a).await;
        let rows = export::persons_rows(&a).await.unwrap();
        for format in [FileFormat::Csv, FileFormat::Xlsx] {
            // An empty registry on the same engine.
            let (b, _b_dir) = stores().await.into_iter().find(|(b, _)| b.backend() == a.backend()).unwrap();
            b.init().await.unwrap();
            let file = bytes_of(&rows, format);
            let s = register(&b, read(&file, format)).await;
            assert_eq!(s.persons_created, rows.len() as u64);
            let again = export::persons_rows(&b).await.unwrap();
            assert_eq!(again, rows, "{format:?} from {:?}", a.backend());
            assert_eq!(bytes_of(&again, FileFormat::Csv), bytes_of(&rows, FileFormat::Csv));
            b.close().await;
        }
    }
}

#[tokio::test]
async fn id_numbers_and_other_identifiers_are_text_in_both_formats() {
    for (store, _dir) in stores().await {
        fill(&store).await;
        let rows = export::persons_rows(&store).await.unwrap();
        let column = |name: &str| export::columns().iter().position(|c| *c == name).unwrap();

        let csv_bytes = bytes_of(&rows, FileFormat::Csv);
        let records: Vec<csv::StringRecord> =
            csv::Reader::from_reader(csv_bytes.as_slice()).records().map(Result::unwrap).collect();
        assert_eq!(&records[0][column("id_number")], "11010519491231002X");
        assert_eq!(&records[0][column("phone")], "02083826770");
        assert_eq!(&records[1][column("id_number")], "440106197501011232");

        let mut book = Xlsx::new(std::io::Cursor::new(bytes_of(&rows, FileFormat::Xlsx))).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let cell = |r: usize, name: &str| sheet.get_value((r as u32, column(name) as u32)).cloned().unwrap();
        // Text cells: an 18-digit number would have been stored as a float of 15 digits.
        assert_eq!(cell(1, "id_number"), Data::String("11010519491231002X".into()));
        assert_eq!(cell(2, "id_number"), Data::String("440106197501011232".into()));
        assert_eq!(cell(1, "phone"), Data::String("02083826770".into()));
        assert_eq!(cell(1, "residence_unit"), Data::String("440104011".into()));
        for row in sheet.rows() {
            for c in row {
                assert!(matches!(c, Data::String(_) | Data::Empty), "every cell is text or empty, found {c:?}");
            }
        }
    }
}

#[tokio::test]
async fn pages_cover_every_person_once_in_order_and_a_jurisdiction_only_its_own() {
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        // 2,500 persons (two and a half pages), every fifth one in another district.
        let lines: Vec<String> = (0..2500)
            .map(|i| {
                let unit = if i % 5 == 0 { "440105001" } else { "440104011" };
                format!(
                    "r{i},440106{:02}0101{:03},某{i},,,{unit},2016-03-01,,,,true,true,,true,true,false,false,,true,true",
                    60 + i / 1000,
                    i % 1000
                )
            })
            .collect();
        import(&store, &lines.iter().map(String::as_str).collect::<Vec<_>>()).await;
        let rows = export::persons_rows(&store).await.unwrap();
        assert_eq!(rows.len(), 2500);
        assert!(rows.windows(2).all(|w| w[0].id_number < w[1].id_number), "in ID-number order, each once");
        let mine = export::persons_rows_in(&store, "440104").await.unwrap();
        assert_eq!(mine.len(), 2000);
        assert!(mine.iter().all(|r| r.residence_unit == "440104011"));

        let ledger = all_ledgers(&store, None).await;
        let with_person: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE person_id IS NOT NULL")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(ledger.len() as i64, with_person);
        assert!(ledger.windows(2).all(|w| (&w[0].id_number, w[0].seq) < (&w[1].id_number, w[1].seq)));
        let theirs: std::collections::HashSet<&str> =
            rows.iter().filter(|r| r.residence_unit == "440105001").map(|r| r.id_number.as_str()).collect();
        let expected: Vec<&LedgerRow> = ledger.iter().filter(|r| theirs.contains(r.id_number.as_str())).collect();
        let got = all_ledgers(&store, Some("440105")).await;
        assert_eq!(got.iter().collect::<Vec<_>>(), expected, "the ledgers of the district's 500 persons");
    }
}

async fn all_ledgers(store: &Store, unit: Option<&str>) -> Vec<LedgerRow> {
    let mut pages = export::ledgers(store, unit, Lang::Zh).await.unwrap();
    let mut out = Vec::new();
    while let Some(page) = pages.next_page().await.unwrap() {
        out.extend(page);
    }
    out
}

#[tokio::test]
async fn the_ledgers_are_each_persons_file_event_by_event() {
    for (store, _dir) in stores().await {
        fill(&store).await;
        let ledger = all_ledgers(&store, None).await;
        let persons = export::persons_rows(&store).await.unwrap();
        let mut expected = Vec::new();
        for p in &persons {
            let file = persons::file(&store, &p.id_number).await.unwrap().unwrap();
            // Times as the configured zone's clock reads them (stored in UTC).
            let local = |at: &str| store.clock().stamp_local(at);
            expected.extend(file.timeline.iter().map(|e| (p.id_number.clone(), e.seq, e.action.clone(), local(&e.at))));
        }
        let got: Vec<_> = ledger.iter().map(|r| (r.id_number.clone(), r.seq, r.action.clone(), r.at.clone())).collect();
        assert_eq!(got, expected, "every event of every file, by person then time");

        let man: Vec<&LedgerRow> = ledger.iter().filter(|r| r.id_number == "440106197501011232").collect();
        let actions: Vec<&str> = man.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(
            actions,
            ["person.created", "registration.recorded", "recognition.granted", "registration.recorded"]
        );
        assert!(man.iter().all(|r| r.name == "张三" && r.actor == "importer"));
        assert_eq!(man[2].policy.as_deref(), Some("gz-2014-4"));
        assert!(
            man[1].summary.starts_with("失业登记：") && man[1].summary.contains("2016-03-01"),
            "{}",
            man[1].summary
        );
        assert!(man[2].summary.contains("older_unemployed"), "{}", man[2].summary);
        // The graduate's older row changed her phone: the change and nothing else.
        let update = ledger.iter().find(|r| r.action == "person.updated").unwrap();
        assert_eq!(update.summary, "信息变更：联系电话：13900139000 → 13700137000");

        let verdict = audit::verify(&store).await.unwrap();
        assert!(matches!(verdict, audit::Verdict::Intact { .. }), "reading the ledgers writes nothing");

        let mut book = Xlsx::new(std::io::Cursor::new(bytes_of(&ledger, FileFormat::Xlsx))).unwrap();
        assert_eq!(book.sheet_names(), ["ledgers"]);
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        assert_eq!(sheet.get_value((1, 0)), Some(&Data::String("11010519491231002X".into())));
        assert_eq!(sheet.height(), ledger.len() + 1);
        let csv_text = String::from_utf8(bytes_of(&ledger, FileFormat::Csv)).unwrap();
        let csv_text = csv_text.strip_prefix('\u{feff}').expect("a CSV file starts with a byte-order mark");
        assert!(
            csv_text.starts_with("id_number,name,seq,at,actor,action,entity,policy,summary\n11010519491231002X,李四,")
        );
    }
}

/// Cells a spreadsheet would run as formulas go out behind a quote (OWASP), the file starts with a
/// byte-order mark for Excel on Chinese Windows, and the export still imports back to the same
/// values: the quote is dropped on the way in.
#[tokio::test]
async fn a_formula_in_a_cell_goes_out_neutralised_and_imports_back_as_it_was() {
    let formulas = [
        ("=cmd|' /C calc'!A0", "+SUM(1,1)"),
        ("=HYPERLINK(\"http://evil.example\",\"点此\")", "@SUM(A1)"),
        ("=1+1", "-2+3"),
    ];
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        let lines: Vec<String> = formulas
            .iter()
            .enumerate()
            .map(|(i, (address, household))| {
                let id = IdNumber::parse_or_upgrade(&format!("440106750101{:03}", 110 + i)).unwrap();
                let quoted = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
                format!(
                    "f{i},{id},公式{i},,{},440104011,2016-03-01,{},户主,,true,true,,true,true,false,false,,true,true",
                    quoted(address),
                    quoted(household)
                )
            })
            .collect();
        import(&store, &lines.iter().map(String::as_str).collect::<Vec<_>>()).await;
        let mut rows = Vec::new();
        let mut pages = export::persons(&store, None).await.unwrap();
        while let Some(page) = pages.next_page().await.unwrap() {
            rows.extend(page);
        }
        let bytes = bytes_of(&rows, FileFormat::Csv);
        assert!(bytes.starts_with("\u{feff}".as_bytes()), "a byte-order mark first");
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        let column = |name: &str| header.iter().position(|c| c == name).unwrap();
        let written: Vec<(String, String)> = reader
            .records()
            .map(|r| r.unwrap())
            .map(|r| (r[column("address")].to_owned(), r[column("household_ref")].to_owned()))
            .collect();
        for (address, household) in &written {
            assert!(address.starts_with('\'') && household.starts_with('\''), "neutralised: {address:?} {household:?}");
        }
        // Read back, every value is the one imported, the tab included.
        let mut back: Vec<(String, String)> = read(&bytes, FileFormat::Csv)
            .into_iter()
            .map(|r| r.unwrap())
            .map(|r| (r.address.unwrap(), r.household_ref.unwrap()))
            .collect();
        let mut expected: Vec<(String, String)> =
            formulas.iter().map(|(a, h)| ((*a).to_owned(), (*h).to_owned())).collect();
        back.sort();
        expected.sort();
        assert_eq!(back, expected);
        // And the same export imported into the same registry changes nothing.
        let before = event_count(&store).await;
        let again = register(&store, read(&bytes, FileFormat::Csv)).await;
        assert_eq!((again.persons_created, again.persons_updated), (0, 0), "{again:?}");
        assert_eq!(event_count(&store).await, before);
    }
}
