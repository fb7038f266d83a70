//! Application numbers people can read aloud (SQ-2026-000123), on SQLite and PostgreSQL: one
//! counter per year of the day received, never given twice, none spent by an application that was
//! refused.

mod common;

use yuanzhu_domain::application::{ApplicationCategory, HardshipSubType as H};
use yuanzhu_domain::registration::read_csv;
use yuanzhu_rules::{Date, Lang, PolicySet};
use yuanzhu_storage::applications::{self, ApplicationError};
use yuanzhu_storage::persons;

const HEADER: &str = "ref,id_number,name,phone,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,minimum_living_allowance,disabled";
const MAN: &str = "a,440106197501011232,张三,13800138000,440104011,2016-03-01,true,true,true,true,true,";
const ID: &str = "440106197501011232";

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

#[tokio::test]
async fn applications_are_numbered_per_year_received_and_a_refused_one_spends_no_number() {
    for (store, _dir) in common::stores("application_numbers").await {
        store.init().await.unwrap();
        let text = format!("{HEADER}\n{MAN}");
        let rows: Vec<_> =
            read_csv(text.as_bytes(), d("2026-11-26"), Lang::Zh).unwrap().into_iter().map(Result::unwrap).collect();
        let units = persons::unit_codes(&store).await.unwrap();
        persons::register_batch(&store, &rows, &units, "importer", &PolicySet::embedded(), Lang::Zh).await.unwrap();
        let category = || ApplicationCategory::hardship(H::MinimumLivingAllowanceOrLowIncome);

        let first = applications::open(&store, ID, category(), "clerk", d("2016-03-02")).await.unwrap();
        assert_eq!(first.number, "SQ-2016-000001");
        // A second undecided application for the same category is refused, and takes no number.
        let refused = applications::open(&store, ID, category(), "clerk", d("2016-03-03")).await;
        assert!(matches!(refused, Err(ApplicationError::AlreadyOpen { .. })), "{refused:?}");
        applications::withdraw(&store, &first.id, "clerk", d("2016-03-04"), first.version).await.unwrap();
        let second = applications::open(&store, ID, category(), "clerk", d("2016-12-31")).await.unwrap();
        assert_eq!(second.number, "SQ-2016-000002");
        applications::withdraw(&store, &second.id, "clerk", d("2016-12-31"), second.version).await.unwrap();
        let next_year = applications::open(&store, ID, category(), "clerk", d("2017-01-03")).await.unwrap();
        assert_eq!(next_year.number, "SQ-2017-000001");

        // The number is the application's for good: read back, and after every change.
        let loaded = applications::load(&store, &first.id).await.unwrap().unwrap();
        assert_eq!(loaded.number, "SQ-2016-000001");
        let all: Vec<_> = applications::of_person(&store, ID).await.unwrap().into_iter().map(|a| a.number).collect();
        assert_eq!(all, ["SQ-2016-000001", "SQ-2016-000002", "SQ-2017-000001"]);
    }
}
