//! Employment records (就业登记) and their end (失业), and the zero-employment household (第三条
//! 第（三）项第2目) that follows from them, on both databases.

mod common;

use yuanzhu_domain::registration::{Registration, read_csv};
use yuanzhu_rules::{Date, Lang, PolicySet};
use yuanzhu_storage::audit::{self, Verdict};
use yuanzhu_storage::{Store, households, persons};

const HEADER: &str = "ref,id_number,name,residence_unit,registered_on,household_ref,relation,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted";
const HUSBAND: &str = "h,440106197501011232,张三,440104011,2016-03-01,H1,户主,true,true,true,true";
const WIFE: &str = "w,110105198001010024,陈芳,440104011,2016-03-01,H1,配偶,true,true,true,true";
const WIFE_ID: &str = "110105198001010024";

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

async fn household_store() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let mut out = Vec::new();
    for (store, dir) in common::stores("employment").await {
        store.init().await.unwrap();
        let text = [HEADER, HUSBAND, WIFE].join("\n");
        let rows: Vec<Registration> =
            read_csv(text.as_bytes(), d("2026-11-26"), Lang::Zh).unwrap().into_iter().map(|r| r.unwrap()).collect();
        let units = persons::unit_codes(&store).await.unwrap();
        persons::register_batch(&store, &rows, &units, "importer", &PolicySet::embedded(), Lang::Zh).await.unwrap();
        out.push((store, dir));
    }
    out
}

async fn zero(store: &Store, on: &str) -> bool {
    households::household(store, "H1", d(on)).await.unwrap().unwrap().zero_employment
}

#[tokio::test]
async fn a_member_losing_work_makes_the_household_zero_employment_again_from_the_next_day() {
    for (store, _dir) in household_store().await {
        households::record_employment(&store, WIFE_ID, d("2016-07-01"), Some("某公司"), "caseworker").await.unwrap();
        assert!(!zero(&store, "2016-08-01").await);
        let ended = households::end_employment(&store, WIFE_ID, d("2016-09-30"), "caseworker").await.unwrap();
        assert_eq!(ended.len(), 1);
        assert!(!zero(&store, "2016-09-30").await, "the last day worked is a day of work");
        assert!(zero(&store, "2016-10-01").await, "from the next day nobody of working age works");
        assert!(!zero(&store, "2016-08-01").await, "the past stays as it was");

        let listed = households::employment_of(&store, WIFE_ID).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (listed[0].started_on.as_str(), listed[0].ended_on.as_deref(), listed[0].employer.as_deref()),
            ("2016-07-01", Some("2016-09-30"), Some("某公司"))
        );
        let Verdict::Intact { .. } = audit::verify(&store).await.unwrap() else { panic!("chain broken") };
        let file = persons::file(&store, WIFE_ID).await.unwrap().unwrap();
        let end = file.timeline.iter().find(|e| e.action == "employment.ended").expect("the end is in the file");
        assert_eq!(end.actor, "caseworker");
        assert!(end.before.as_deref().unwrap().contains("\"ended_on\":null"), "{:?}", end.before);
        assert!(end.after.as_deref().unwrap().contains("2016-09-30"), "{:?}", end.after);
    }
}

#[tokio::test]
async fn ending_work_that_is_not_open_or_has_not_started_ends_nothing() {
    for (store, _dir) in household_store().await {
        assert!(households::end_employment(&store, WIFE_ID, d("2016-09-30"), "c").await.unwrap().is_empty());
        households::record_employment(&store, WIFE_ID, d("2016-07-01"), None, "c").await.unwrap();
        // Work that starts after the day named cannot have ended on it.
        assert!(households::end_employment(&store, WIFE_ID, d("2016-06-30"), "c").await.unwrap().is_empty());
        assert_eq!(households::end_employment(&store, WIFE_ID, d("2016-07-01"), "c").await.unwrap().len(), 1);
        // Ended once: a second end finds nothing open.
        assert!(households::end_employment(&store, WIFE_ID, d("2016-08-01"), "c").await.unwrap().is_empty());
        assert!(households::end_employment(&store, "440106197501011240", d("2016-08-01"), "c").await.is_err());
    }
}
