//! The home pages' counts and lists, on both databases: status by unit and category for a
//! subtree, record keys by ID number, possible duplicates within a subtree and a social worker's
//! assigned persons.

mod common;

use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::Role;
use yuanzhu_domain::registration::read_csv;
use yuanzhu_rules::{Date, Lang, PolicySet};
use yuanzhu_storage::stats::{self, StatusCount};
use yuanzhu_storage::{Store, accounts, duplicates, persons, sessions};

const HEADER: &str = "id_number,name,sex,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,disabled";

/// A valid 18-digit ID number (check character computed).
fn id(area: &str, birth: &str, serial: u32) -> String {
    let body = format!("{area}{birth}{serial:03}");
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

/// Registered 2016-03-01 under gz-2014-4: a man of 56 who is disabled (older_unemployed and
/// disabled_unemployed), a woman of 46 and a man of 55 elsewhere (older_unemployed), a man of 26
/// (nothing), and two pairs sharing name and birth date, one pair across two districts.
fn rows() -> Vec<String> {
    let r = |id: String, name: &str, sex: &str, unit: &str, disabled: &str| {
        format!("{id},{name},{sex},{unit},2016-03-01,true,true,true,true,{disabled}")
    };
    vec![
        r(id("440106", "19600101", 11), "甲", "male", "440104011", "true"),
        r(id("440106", "19700101", 22), "乙", "female", "440104003", ""),
        r(id("440106", "19610101", 31), "丙", "male", "440105001", ""),
        r(id("440106", "19900101", 41), "丁", "male", "440104011", ""),
        r(id("440106", "19880808", 51), "赵六", "male", "440104011", ""),
        r(id("440106", "19880808", 53), "赵六", "male", "440104011", ""),
        r(id("440106", "19850505", 61), "孙七", "male", "440104011", ""),
        r(id("440106", "19850505", 63), "孙七", "male", "440105001", ""),
    ]
}

async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let stores = common::stores("stats").await;
    let text = std::iter::once(HEADER.to_owned()).chain(rows()).collect::<Vec<_>>().join("\n");
    let rows: Vec<_> = read_csv(text.as_bytes(), Date::parse("2026-11-26").unwrap(), Lang::Zh)
        .unwrap()
        .into_iter()
        .map(|r| r.expect("the test rows are valid"))
        .collect();
    for (store, _) in &stores {
        store.init().await.unwrap();
        let units = persons::unit_codes(store).await.unwrap();
        let s =
            persons::register_batch(store, &rows, &units, "importer", &PolicySet::embedded(), Lang::Zh).await.unwrap();
        assert!(s.rejected.is_empty(), "{:?}", s.rejected);
        duplicates::flag_new(store, "importer").await.unwrap();
    }
    stores
}

fn count(unit: &str, category: &str, persons: i64) -> StatusCount {
    StatusCount { unit: unit.into(), category: category.into(), persons }
}

#[tokio::test]
async fn a_city_counts_its_districts_and_a_district_its_streets_in_one_query() {
    for (store, _dir) in stores().await {
        assert_eq!(
            stats::status_by_unit(&store, "4401", 6).await.unwrap(),
            [
                count("440104", "disabled_unemployed", 1),
                count("440104", "older_unemployed", 2),
                count("440105", "older_unemployed", 1)
            ]
        );
        assert_eq!(
            stats::status_by_unit(&store, "440104", 9).await.unwrap(),
            [
                count("440104003", "older_unemployed", 1),
                count("440104011", "disabled_unemployed", 1),
                count("440104011", "older_unemployed", 1)
            ]
        );
        assert!(stats::status_by_unit(&store, "440106", 9).await.unwrap().is_empty());
        assert!(stats::status_by_unit(&store, "44%", 6).await.is_err(), "a wildcard is not a prefix");
    }
}

#[tokio::test]
async fn record_keys_come_back_for_known_id_numbers_only() {
    for (store, _dir) in stores().await {
        let known = id("440106", "19600101", 11);
        let ids = stats::person_ids(&store, &[known.clone(), id("440106", "19600101", 12)]).await.unwrap();
        assert_eq!(ids.len(), 1);
        assert_eq!(yuanzhu_storage::search::id_number_of(&store, &ids[&known]).await.unwrap(), Some(known));
        assert!(stats::person_ids(&store, &[]).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_possible_duplicate_shows_only_where_both_persons_live_within_the_subtree() {
    for (store, _dir) in stores().await {
        let (city, total) = stats::open_duplicates_under(&store, "4401", 10).await.unwrap();
        assert_eq!((city.len(), total), (2, 2));
        let (district, total) = stats::open_duplicates_under(&store, "440104", 10).await.unwrap();
        assert_eq!(total, 1);
        assert_eq!(district[0].name, "赵六");
        assert_ne!(district[0].person_a, district[0].person_b);
        let (first, total) = stats::open_duplicates_under(&store, "4401", 1).await.unwrap();
        assert_eq!((first.len(), total), (1, 2), "bounded, with the count of all");
        assert_eq!(stats::open_duplicates_under(&store, "440105", 10).await.unwrap().1, 0);
    }
}

#[tokio::test]
async fn a_social_worker_sees_the_persons_assigned_to_them() {
    for (store, _dir) in stores().await {
        let unit = UnitCode::parse("440104").unwrap();
        let worker = accounts::create(&store, "sw", Role::SocialWorker, &unit, "hash", "admin").await.unwrap();
        assert_eq!(stats::assigned_persons(&store, &worker.id, 10).await.unwrap().1, 0);
        let on = Date::parse("2026-01-05").unwrap();
        sessions::assign(&store, &id("440106", "19700101", 22), "sw", "admin", on).await.unwrap();
        let (list, total) = stats::assigned_persons(&store, &worker.id, 10).await.unwrap();
        assert_eq!(total, 1);
        assert_eq!((list[0].name.as_str(), list[0].residence_unit.as_str()), ("乙", "440104003"));
    }
}

#[tokio::test]
async fn unit_names_come_from_the_tree() {
    for (store, _dir) in stores().await {
        let names = stats::unit_names(&store, &["440104".into(), "999999".into()]).await.unwrap();
        assert_eq!(names.len(), 1);
        assert!(!names["440104"].is_empty());
    }
}
