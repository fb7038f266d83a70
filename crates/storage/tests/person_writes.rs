//! How a person's record is written (issue #11), on both databases: a registration never takes a
//! person over from another unit nor moves them, a column left out leaves the file as it is, a
//! required question left empty is refused, and a change made on a stale version is refused.

mod common;

use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::{Role, User};
use yuanzhu_domain::registration::{Registration, RowError};
use yuanzhu_rules::{Lang, PolicySet};
use yuanzhu_storage::audit::{self, Verdict};
use yuanzhu_storage::persons::{self, ImportSummary, PersonFile, Writer};
use yuanzhu_storage::{Store, StoreError, units};

async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let out = common::stores("person_writes").await;
    for (store, _) in &out {
        store.init().await.unwrap();
        units::add_community(store, "440104011001", "测试社区001", "440104011", true).await.unwrap();
    }
    out
}

const FULL: &str = "ref,id_number,name,phone,address,residence_unit,registered_on,household_ref,relation,unemployed_since,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,disabled,minimum_living_allowance";
// 张三, born 1975-01-01: 41 in 2016 (older unemployed), living in 东山街道.
const ZHANG: &str = "440106197501011232";
const ZHANG_FULL: &str = "a,440106197501011232,张三,13800138000,东山路1号,440104011,2016-03-01,H-1,户主,2015-08-31,true,true,true,true,false,true";

fn rows(header: &str, lines: &[&str]) -> Vec<Registration> {
    common::rows(header, lines)
}

async fn import_as(store: &Store, writer: Writer<'_>, header: &str, lines: &[&str]) -> ImportSummary {
    let units = persons::unit_codes(store).await.unwrap();
    let policies = PolicySet::embedded();
    persons::register_batch_as(store, &rows(header, lines), &units, writer, "importer", &policies, Lang::Zh)
        .await
        .unwrap()
}

async fn import(store: &Store, header: &str, lines: &[&str]) -> ImportSummary {
    import_as(store, Writer::OPERATOR, header, lines).await
}

async fn file(store: &Store, id_number: &str) -> PersonFile {
    persons::file(store, id_number).await.unwrap().unwrap()
}

fn caseworker(unit: &str) -> User {
    User {
        account_id: "acc".into(),
        username: "caseworker".into(),
        role: Role::CommunityWorker,
        unit: UnitCode::parse(unit).unwrap(),
    }
}

fn codes(s: &ImportSummary) -> Vec<(usize, Option<&str>, &str)> {
    s.rejected.iter().map(|e| (e.row, e.field.as_deref(), e.code.as_str())).collect()
}

// ---------------------------------------------------------------------------------------------
// Item 1: no takeover, no silent move

#[tokio::test]
async fn a_users_import_refuses_a_person_on_file_outside_their_jurisdiction_and_writes_nothing() {
    for (store, _dir) in stores().await {
        // 李四 lives in 越秀区's 农林街道 (440104012): outside a caseworker of 东山街道's community.
        let li = "b,11010519491231002X,李四,13900139000,,440104012,2016-03-01,,,,true,true,true,true,false,";
        import(&store, FULL, &[li]).await;
        let before = file(&store, "11010519491231002X").await;
        let me = caseworker("440104011001");
        let writer = Writer { user: Some(&me), versioned: false };
        // The same ID number, claimed for the caseworker's own community.
        let takeover = "b,11010519491231002X,李四改,,,440104011001,2016-05-01,,,,true,true,true,true,false,";
        let s = import_as(&store, writer, FULL, &[takeover]).await;
        assert_eq!(codes(&s), [(2, Some("residence_unit"), "outside_jurisdiction")]);
        assert_eq!((s.persons_created, s.persons_updated, s.persons_unchanged, s.registrations_recorded), (0, 0, 0, 0));
        // The words are those of a row at a unit outside the jurisdiction: nothing tells the
        // importer that the ID number is on file elsewhere.
        let elsewhere = rows(FULL, &[takeover]).remove(0);
        let outside_unit = RowError::outside_jurisdiction(&elsewhere, Lang::Zh);
        assert_eq!(s.rejected[0], outside_unit);
        let after = file(&store, "11010519491231002X").await;
        assert_eq!(after, before, "nothing of the person changed, their history included");
        assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
    }
}

#[tokio::test]
async fn a_users_import_still_updates_a_person_within_their_jurisdiction() {
    for (store, _dir) in stores().await {
        let street = User { role: Role::StreetOfficer, ..caseworker("440104011") };
        import(&store, FULL, &[ZHANG_FULL]).await;
        let writer = Writer { user: Some(&street), versioned: false };
        let s = import_as(&store, writer, FULL, &[&ZHANG_FULL.replace("13800138000", "13700137000")]).await;
        assert_eq!((s.persons_updated, s.rejected.len()), (1, 0), "{:?}", s.rejected);
        assert_eq!(file(&store, ZHANG).await.person.phone.as_deref(), Some("13700137000"));
    }
}

#[tokio::test]
async fn a_registration_never_moves_a_person_to_another_unit() {
    for (store, _dir) in stores().await {
        import(&store, FULL, &[ZHANG_FULL]).await;
        let before = file(&store, ZHANG).await;
        // Even the command line, which reaches everyone: a move is a transfer.
        let moved = ZHANG_FULL.replace(",440104011,", ",440104011001,").replace("2016-03-01", "2016-06-01");
        let s = import(&store, FULL, &[&moved]).await;
        assert_eq!(codes(&s), [(2, Some("residence_unit"), "transfer_required")]);
        assert!(s.rejected[0].message.contains("440104011"), "{}", s.rejected[0].message);
        assert_eq!(file(&store, ZHANG).await, before, "no registration recorded, no unit changed");
    }
}

// ---------------------------------------------------------------------------------------------
// Item 2: absent means unchanged

#[tokio::test]
async fn a_row_that_leaves_out_columns_changes_only_what_it_gives() {
    for (store, _dir) in stores().await {
        import(&store, FULL, &[ZHANG_FULL]).await;
        let before = file(&store, ZHANG).await;
        // A new name and nothing else of the record.
        let header = "id_number,name,residence_unit,registered_on";
        let s = import(&store, header, &["440106197501011232,张叁,440104011,2016-03-01"]).await;
        assert_eq!((s.persons_updated, s.rejected.len()), (1, 0), "{:?}", s.rejected);
        let after = file(&store, ZHANG).await;
        assert_eq!(after.person.name, "张叁");
        let unchanged = |f: &PersonFile| {
            let p = &f.person;
            (
                p.phone.clone(),
                p.address.clone(),
                p.household_ref.clone(),
                p.relation.clone(),
                p.unemployed_since.clone(),
            )
        };
        assert_eq!(unchanged(&after), unchanged(&before));
        assert_eq!(
            unchanged(&after),
            (
                Some("13800138000".into()),
                Some("东山路1号".into()),
                Some("H-1".into()),
                Some("户主".into()),
                Some("2015-08-31".into())
            )
        );
        assert_eq!((&after.person.facts, &after.person.unanswered), (&before.person.facts, &before.person.unanswered));
        assert_eq!(after.categories, before.categories, "older_unemployed stays recognised");
        // The audit event records the change: the name before and after, the rest the same.
        let update = after.timeline.iter().find(|e| e.action == "person.updated").unwrap();
        let (b, a): (serde_json::Value, serde_json::Value) = (
            serde_json::from_str(update.before.as_deref().unwrap()).unwrap(),
            serde_json::from_str(update.after.as_deref().unwrap()).unwrap(),
        );
        assert_eq!((b["name"].as_str(), a["name"].as_str()), (Some("张三"), Some("张叁")));
        assert_eq!((&b["phone"], &b["address"]), (&a["phone"], &a["address"]));
    }
}

#[tokio::test]
async fn an_empty_cell_in_a_column_that_is_there_clears_the_value() {
    for (store, _dir) in stores().await {
        import(&store, FULL, &[ZHANG_FULL]).await;
        let header = "id_number,name,phone,residence_unit,registered_on,minimum_living_allowance";
        let s = import(&store, header, &["440106197501011232,张三,,440104011,2016-03-01,"]).await;
        assert_eq!((s.persons_updated, s.rejected.len()), (1, 0), "{:?}", s.rejected);
        let p = file(&store, ZHANG).await.person;
        assert_eq!(p.phone, None, "cleared");
        assert_eq!(p.address.as_deref(), Some("东山路1号"), "left out, kept");
        assert!(!p.facts.contains(&"minimum_living_allowance"), "{:?}", p.facts);
        assert!(p.unanswered.contains(&"minimum_living_allowance"), "an empty yes/no cell means no answer");
        assert!(!p.unanswered.contains(&"disabled"), "disabled was answered no and was left out: {:?}", p.unanswered);
    }
}

#[tokio::test]
async fn a_registration_that_leaves_a_fact_out_is_assessed_with_the_fact_on_file() {
    for (store, _dir) in stores().await {
        // 王五, born 1990 (too young for older_unemployed), holds a disability certificate:
        // 第三条第（五）项, recognised on registration.
        let wang = "w,440106199001011235,王五,,,440104011,2016-03-01,,,,true,true,true,true,true,";
        import(&store, FULL, &[wang]).await;
        assert_eq!(file(&store, "440106199001011235").await.categories, ["disabled_unemployed"]);
        sqlx::query("UPDATE recognitions SET ended_on = '2016-12-01', end_reason = 'employed'")
            .execute(store.pool())
            .await
            .unwrap();
        // Registered again in 2017, the row says nothing of the certificate: the file's answer holds.
        let header = "id_number,name,residence_unit,registered_on";
        let s = import(&store, header, &["440106199001011235,王五,440104011,2017-06-01"]).await;
        assert_eq!((s.registrations_recorded, s.recognitions_granted, s.persons_unchanged), (1, 1, 1), "{s:?}");
        assert_eq!(file(&store, "440106199001011235").await.categories, ["disabled_unemployed"]);
    }
}

// ---------------------------------------------------------------------------------------------
// Item 5: the contract's own validation, as of the registration date

#[tokio::test]
async fn an_empty_required_column_is_refused_and_a_missing_one_is_refused_for_a_new_person() {
    for (store, _dir) in stores().await {
        // 2016: 穗人社发〔2014〕4号 requires hukou_local.
        let empty = "c,440106198001011230,陈一,,,440104011,2016-03-01,,,,,true,true,true,false,";
        let s = import(&store, FULL, &[empty]).await;
        assert_eq!(codes(&s), [(2, Some("hukou_local"), "missing_field")]);
        let header =
            "id_number,name,residence_unit,registered_on,registered_unemployed,able_to_work,willing_to_be_assisted";
        let s = import(&store, header, &["440106198001011230,陈一,440104011,2016-03-01,true,true,true"]).await;
        assert_eq!(codes(&s), [(2, Some("hukou_local"), "missing_field")], "left out, for a new person");
        assert_eq!(persons::count(&store).await.unwrap(), 0);
        // A person on file keeps the answer a later row leaves out, but cannot have it emptied.
        import(&store, FULL, &[ZHANG_FULL]).await;
        let s = import(&store, header, &["440106197501011232,张三,440104011,2016-09-01,true,true,true"]).await;
        assert_eq!((s.registrations_recorded, s.rejected.len()), (1, 0), "{:?}", s.rejected);
        let s = import(
            &store,
            "id_number,name,residence_unit,registered_on,hukou_local",
            &["440106197501011232,张三,440104011,2016-10-01,"],
        )
        .await;
        assert_eq!(codes(&s), [(2, Some("hukou_local"), "missing_field")]);
    }
}

// ---------------------------------------------------------------------------------------------
// Item 4: versions

fn versioned(mut r: Registration, version: Option<i64>) -> Registration {
    r.base_version = version;
    r
}

async fn edit(store: &Store, row: Registration) -> Result<ImportSummary, StoreError> {
    let units = persons::unit_codes(store).await.unwrap();
    let writer = Writer { user: None, versioned: true };
    persons::register_batch_as(store, &[row], &units, writer, "editor", &PolicySet::embedded(), Lang::Zh).await
}

#[tokio::test]
async fn a_change_to_a_known_person_needs_the_version_it_was_based_on() {
    for (store, _dir) in stores().await {
        import(&store, FULL, &[ZHANG_FULL]).await;
        let v = file(&store, ZHANG).await.version;
        let row = rows(FULL, &[&ZHANG_FULL.replace("13800138000", "13700137000")]).remove(0);
        assert!(
            matches!(edit(&store, versioned(row.clone(), None)).await, Err(StoreError::VersionRequired { found }) if found == v)
        );
        assert!(matches!(edit(&store, versioned(row.clone(), Some(v + 1))).await, Err(StoreError::Conflict { .. })));
        assert_eq!(file(&store, ZHANG).await.person.phone.as_deref(), Some("13800138000"), "nothing written");
        let s = edit(&store, versioned(row.clone(), Some(v))).await.unwrap();
        assert_eq!(s.persons_updated, 1);
        assert_eq!(file(&store, ZHANG).await.version, v + 1);
        // The same change on the version it replaced is stale now.
        let again = rows(FULL, &[&ZHANG_FULL.replace("13800138000", "13600136000")]).remove(0);
        assert!(
            matches!(edit(&store, versioned(again, Some(v))).await, Err(StoreError::Conflict { expected, found }) if expected == v && found == v + 1)
        );
        // A new person needs none.
        let new =
            rows(FULL, &["n,11010519491231002X,李四,,,440104011,2016-03-01,,,,true,true,true,true,false,"]).remove(0);
        assert_eq!(edit(&store, new).await.unwrap().persons_created, 1);
    }
}

#[tokio::test]
async fn ten_parallel_changes_on_one_version_let_exactly_one_through() {
    for (store, _dir) in stores().await {
        import(&store, FULL, &[ZHANG_FULL]).await;
        let v = file(&store, ZHANG).await.version;
        let mut tasks = Vec::new();
        for i in 0..10 {
            let store = store.clone();
            let row = rows(FULL, &[&ZHANG_FULL.replace("13800138000", &format!("1370013700{i}"))]).remove(0);
            tasks.push(tokio::spawn(async move { edit(&store, versioned(row, Some(v))).await }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(s) => {
                    assert_eq!(s.persons_updated, 1);
                    ok += 1;
                }
                Err(StoreError::Conflict { expected, .. }) => assert_eq!(expected, v),
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(ok, 1, "{:?}", store.backend());
        let f = file(&store, ZHANG).await;
        assert_eq!(f.version, v + 1);
        assert_eq!(f.timeline.iter().filter(|e| e.action == "person.updated").count(), 1);
        assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
    }
}

// ---------------------------------------------------------------------------------------------
// Items 3 and 6: possible duplicates

#[tokio::test]
async fn a_second_file_of_the_same_name_and_birth_date_is_flagged_at_once_and_in_neither_history() {
    use yuanzhu_storage::duplicates;
    for (store, _dir) in stores().await {
        import(&store, FULL, &[ZHANG_FULL]).await;
        assert!(duplicates::flag_person(&store, ZHANG, "counter").await.unwrap().is_empty(), "alone");
        // 张三 born 1975-01-01 again, under a 110105… number, in another district.
        let twin = "t,11010519750101123X,张三,,,440105001,2016-03-01,,,,true,true,true,true,false,";
        import(&store, FULL, &[twin]).await;
        let flagged = duplicates::flag_person(&store, "11010519750101123X", "counter").await.unwrap();
        assert_eq!(flagged.len(), 1);
        let places = [&flagged[0].a.residence_unit, &flagged[0].b.residence_unit];
        assert!(places.contains(&&"440104011".to_owned()) && places.contains(&&"440105001".to_owned()), "{flagged:?}");
        assert!(duplicates::flag_person(&store, ZHANG, "counter").await.unwrap().is_empty(), "flagged once");
        assert!(duplicates::flag_new(&store, "importer").await.unwrap().is_empty(), "and not again by an import");
        let open = duplicates::open(&store).await.unwrap();
        duplicates::decide(&store, &open[0].id, false, "reviewer", yuanzhu_rules::Date::parse("2026-11-26").unwrap())
            .await
            .unwrap();
        // Whoever reads one file may not reach the other: neither history tells of the flag.
        for id in [ZHANG, "11010519750101123X"] {
            let f = file(&store, id).await;
            assert!(f.timeline.iter().all(|e| !e.action.starts_with("duplicate.")), "{:?}", f.timeline);
        }
        let events: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_events WHERE action LIKE 'duplicate.%' AND person_id IS NULL",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(events, 2, "the flag and its decision are in the audit trail");
        assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
    }
}
