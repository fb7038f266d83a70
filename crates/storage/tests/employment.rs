//! Employment records (就业登记) and their end (失业), and the zero-employment household (第三条
//! 第（三）项第2目) that follows from them, on both databases. Finding work ends the unemployment
//! registration and the categories recognised automatically with it (第三条, 第四条), keeps on the
//! record what the person held that day (第二十条), and proposes what 第六条第（一）项 ends.

mod common;

use yuanzhu_domain::registration::{Registration, read_csv};
use yuanzhu_rules::{Date, Lang, PolicySet};
use yuanzhu_storage::audit::{self, Verdict};
use yuanzhu_storage::employment::{self, EmploymentError};
use yuanzhu_storage::{Store, households, persons, revocations};
use yuanzhu_web::words::Describe;

const HEADER: &str = "ref,id_number,name,residence_unit,registered_on,household_ref,relation,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted";
const HUSBAND: &str = "h,440106197501011232,张三,440104011,2016-03-01,H1,户主,true,true,true,true";
const HUSBAND_ID: &str = "440106197501011232";
const WIFE: &str = "w,110105198001010024,陈芳,440104011,2016-03-01,H1,配偶,true,true,true,true";
const WIFE_ID: &str = "110105198001010024";

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn policies() -> PolicySet {
    PolicySet::embedded()
}

async fn household_store() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let mut out = Vec::new();
    for (store, dir) in common::stores("employment").await {
        store.init().await.unwrap();
        let text = [HEADER, HUSBAND, WIFE].join("\n");
        let rows: Vec<Registration> =
            read_csv(text.as_bytes(), d("2026-11-26"), Lang::Zh).unwrap().into_iter().map(|r| r.unwrap()).collect();
        let units = persons::unit_codes(&store).await.unwrap();
        persons::register_batch(&store, &rows, &units, "importer", &policies(), Lang::Zh).await.unwrap();
        out.push((store, dir));
    }
    out
}

async fn zero(store: &Store, on: &str) -> bool {
    households::household(store, "H1", d(on)).await.unwrap().unwrap().zero_employment
}

/// Records work from `on` (recorded that day).
async fn start(
    store: &Store,
    id: &str,
    on: &str,
    employer: Option<&str>,
) -> Result<employment::Recorded, EmploymentError> {
    employment::record(store, &policies(), id, d(on), employer, "caseworker", d(on)).await
}

async fn count(store: &Store, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(store.pool()).await.unwrap()
}

#[tokio::test]
async fn a_member_losing_work_makes_the_household_zero_employment_again_from_the_next_day() {
    for (store, _dir) in household_store().await {
        let job = start(&store, WIFE_ID, "2016-07-01", Some("某公司")).await.unwrap().employment;
        assert!(!zero(&store, "2016-08-01").await);
        let ended = employment::end(&store, WIFE_ID, &job.id, d("2016-09-30"), "caseworker").await.unwrap();
        assert_eq!(ended.ended_on.as_deref(), Some("2016-09-30"));
        assert!(!zero(&store, "2016-09-30").await, "the last day worked is a day of work");
        assert!(zero(&store, "2016-10-01").await, "from the next day nobody of working age works");
        assert!(!zero(&store, "2016-08-01").await, "the past stays as it was");

        let listed = employment::of_person(&store, WIFE_ID).await.unwrap();
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
async fn ending_work_names_the_record_and_refuses_what_cannot_end() {
    for (store, _dir) in household_store().await {
        let none = employment::end(&store, WIFE_ID, "0193a2c4-0000-7000-8000-000000000000", d("2016-09-30"), "c").await;
        assert!(matches!(none, Err(EmploymentError::UnknownRecord(_))), "{none:?}");
        let job = start(&store, WIFE_ID, "2016-07-01", None).await.unwrap().employment;
        // A record of someone else is no record of hers.
        let other = employment::end(&store, HUSBAND_ID, &job.id, d("2016-08-01"), "c").await;
        assert!(matches!(other, Err(EmploymentError::UnknownRecord(_))), "{other:?}");
        // Work that starts after the day named cannot have ended on it.
        let early = employment::end(&store, WIFE_ID, &job.id, d("2016-06-30"), "c").await.unwrap_err();
        assert_eq!((early.code(), early.field()), ("ends_before_start", Some("ended_on")));
        assert!(
            early.message(Lang::Zh).starts_with("ended_on（最后工作日）：2016-06-30早于"),
            "{}",
            early.message(Lang::Zh)
        );
        employment::end(&store, WIFE_ID, &job.id, d("2016-07-01"), "c").await.unwrap();
        // Ended once: a second end is refused and says when it ended.
        let again = employment::end(&store, WIFE_ID, &job.id, d("2016-08-01"), "c").await.unwrap_err();
        assert_eq!((again.code(), again.field()), ("already_ended", Some("employment_id")));
        assert!(again.message(Lang::En).contains("2016-07-01"), "{}", again.message(Lang::En));
        let unknown = employment::end(&store, "440106197501011240", &job.id, d("2016-08-01"), "c").await;
        assert!(matches!(unknown, Err(EmploymentError::UnknownPerson(_))));
        assert_eq!(count(&store, "SELECT COUNT(*) FROM audit_events WHERE action = 'employment.ended'").await, 1);
    }
}

#[tokio::test]
async fn ten_identical_records_sent_at_once_make_one() {
    for (store, _dir) in household_store().await {
        let tries: Vec<_> = (0..10)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { start(&store, WIFE_ID, "2016-07-01", Some("某物流公司")).await })
            })
            .collect();
        let mut created = 0;
        let mut ids = std::collections::HashSet::new();
        for t in tries {
            let r = t.await.unwrap().unwrap();
            created += usize::from(r.created);
            ids.insert(r.employment.id);
        }
        assert_eq!((created, ids.len()), (1, 1), "one record, the same for every request");
        assert_eq!(count(&store, "SELECT COUNT(*) FROM employment_records").await, 1);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM audit_events WHERE action = 'employment.recorded'").await, 1);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM audit_events WHERE action = 'registration.ended'").await, 1);
        // Another employer from the same day is another job, which the first one overlaps.
        let other = start(&store, WIFE_ID, "2016-07-01", Some("另一公司")).await.unwrap_err();
        assert_eq!(other.code(), "overlapping_employment");
    }
}

#[tokio::test]
async fn work_before_the_sixteenth_birthday_is_refused() {
    for (store, _dir) in household_store().await {
        // 陈芳 was born on 1980-01-01: 16 on 1996-01-01.
        let e = start(&store, WIFE_ID, "1995-12-31", None).await.unwrap_err();
        assert_eq!((e.code(), e.field()), ("below_working_age", Some("started_on")));
        assert!(e.message(Lang::Zh).contains("1996-01-01") && e.message(Lang::En).contains("under 16"), "{e}");
        assert_eq!(count(&store, "SELECT COUNT(*) FROM employment_records").await, 0, "nothing stored");
        let r = start(&store, WIFE_ID, "1996-01-01", None).await.unwrap();
        assert!(r.created, "from the 16th birthday work is recorded");
    }
}

#[tokio::test]
async fn a_job_overlapping_another_is_refused_until_that_one_has_ended() {
    for (store, _dir) in household_store().await {
        let first = start(&store, WIFE_ID, "2016-07-01", Some("甲公司")).await.unwrap().employment;
        let e = start(&store, WIFE_ID, "2016-08-01", Some("乙公司")).await.unwrap_err();
        assert_eq!((e.code(), e.field()), ("overlapping_employment", Some("started_on")));
        let zh = e.message(Lang::Zh);
        assert!(
            zh.starts_with("started_on（就业日期）：") && zh.contains("甲公司") && zh.contains("2016-07-01"),
            "{zh}"
        );
        assert!(e.message(Lang::En).contains("record the end of that work first"), "{}", e.message(Lang::En));
        employment::end(&store, WIFE_ID, &first.id, d("2016-07-31"), "c").await.unwrap();
        // A start inside the ended job still overlaps it; the day after its last day does not.
        let inside = start(&store, WIFE_ID, "2016-07-31", Some("乙公司")).await.unwrap_err();
        assert_eq!(inside.code(), "overlapping_employment");
        assert!(start(&store, WIFE_ID, "2016-08-01", Some("乙公司")).await.unwrap().created);
        assert_eq!(employment::of_person(&store, WIFE_ID).await.unwrap().len(), 2);
    }
}

/// 张三 (male, 41 on registration day) holds 大龄失业人员 (第三条第（一）项, automatic at his
/// registration) and, on application, 特困（低保） (第三条第（三）项第3目).
async fn with_hardship(store: &Store) {
    sqlx::query(
        "INSERT INTO recognitions (id, person_id, category, policy, citation, route, recognized_on, decided_by) \
         SELECT 'rec-hardship', id, 'hardship_low_income', 'gz-2014-4', '第三条第（三）项第3目', 'application', '2016-04-01', 'street' \
         FROM persons WHERE id_number = $1",
    )
    .bind(HUSBAND_ID)
    .execute(store.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn finding_work_ends_the_registration_and_the_automatic_categories_and_proposes_the_rest() {
    for (store, _dir) in household_store().await {
        with_hardship(&store).await;
        let before = persons::file(&store, HUSBAND_ID).await.unwrap().unwrap();
        assert_eq!(before.categories, ["older_unemployed", "hardship_low_income"]);
        let r = start(&store, HUSBAND_ID, "2016-07-01", Some("某物流公司")).await.unwrap();
        // The record keeps what he held that day (第二十条).
        let held: Vec<&str> =
            r.employment.categories_at_start.as_ref().unwrap().iter().map(|h| h.category.as_str()).collect();
        assert_eq!(held, ["older_unemployed", "hardship_low_income"]);
        assert_eq!(r.registrations_ended, ["2016-03-01"]);
        assert_eq!(r.recognitions_ended, [("older_unemployed".to_owned(), "gz-2014-4".to_owned())]);
        assert_eq!(r.proposals.len(), 1, "第六条第（一）项 proposes the end of the hardship status");

        let file = persons::file(&store, HUSBAND_ID).await.unwrap().unwrap();
        assert_eq!(file.categories, ["hardship_low_income"], "a reviewer decides the rest");
        let older = file.recognitions.iter().find(|r| r.category == "older_unemployed").unwrap();
        assert_eq!((older.ended_on.as_deref(), older.end_reason.as_deref()), (Some("2016-07-01"), Some("employed")));
        assert!(!file.person.facts.contains(&"registered_unemployed"), "{:?}", file.person.facts);
        let (ended_on, reason): (Option<String>, Option<String>) = sqlx::query_as(
            "SELECT r.ended_on, r.end_reason FROM unemployment_registrations r JOIN persons p ON p.id = r.person_id \
             WHERE p.id_number = $1",
        )
        .bind(HUSBAND_ID)
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!((ended_on.as_deref(), reason.as_deref()), (Some("2016-07-01"), Some("employed")));
        let proposals = revocations::proposals_of(&store, HUSBAND_ID).await.unwrap();
        assert_eq!(proposals.len(), 1);
        assert_eq!((proposals[0].reason.code(), proposals[0].citation.as_str()), ("employed", "第六条第（一）项"));
        let actions: Vec<&str> = file.timeline.iter().map(|e| e.action.as_str()).collect();
        for a in
            ["employment.recorded", "registration.ended", "recognition.ended", "person.updated", "revocation.proposed"]
        {
            assert!(actions.contains(&a), "{a} is in the file: {actions:?}");
        }
        assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
        // The listing reads back what was kept.
        let listed = employment::of_person(&store, HUSBAND_ID).await.unwrap();
        assert_eq!(listed[0].categories_at_start, r.employment.categories_at_start);
    }
}

#[tokio::test]
async fn finding_work_with_nothing_to_revoke_proposes_nothing() {
    for (store, _dir) in household_store().await {
        let r = start(&store, WIFE_ID, "2016-07-01", None).await.unwrap();
        assert_eq!(r.recognitions_ended.len(), 1, "大龄 (F 36) ended with the registration: {r:?}");
        assert!(r.proposals.is_empty(), "第六条 ends only 特困 status, which she never held");
        assert!(revocations::proposals_of(&store, WIFE_ID).await.unwrap().is_empty());
        let file = persons::file(&store, WIFE_ID).await.unwrap().unwrap();
        assert!(file.categories.is_empty());
        let revocable = file
            .recognitions
            .iter()
            .filter(|r| r.ended_on.is_none())
            .any(|r| yuanzhu_domain::revocation::revocable(policies().by_id(&r.policy).unwrap(), &r.category));
        assert!(!revocable, "nothing left to revoke");
    }
}
