//! The registry's story, told once and run on both databases: SQLite (embedded) and PostgreSQL.

mod common;

use yuanzhu_domain::Registration;
use yuanzhu_domain::registration::read_csv;
use yuanzhu_rules::{Date, Lang, PolicySet};
use yuanzhu_storage::audit::{self, Verdict};
use yuanzhu_storage::persons::{self, ImportSummary};
use yuanzhu_storage::{Store, units};

/// A fresh SQLite file, and a fresh PostgreSQL database when PostgreSQL is installed.
async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    common::stores("registry").await
}

const HEADER: &str = "ref,id_number,name,phone,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,minimum_living_allowance,disabled";

fn rows(lines: &[&str]) -> Vec<Registration> {
    rows_under(HEADER, lines)
}

fn rows_under(header: &str, lines: &[&str]) -> Vec<Registration> {
    common::rows(header, lines)
}

async fn import(store: &Store, lines: &[&str]) -> ImportSummary {
    let units = persons::unit_codes(store).await.unwrap();
    persons::register_batch(store, &rows(lines), &units, "importer", &PolicySet::embedded(), Lang::Zh).await.unwrap()
}

// A man born 1975-01-01 (41 in 2016) on 低保, registered at 越秀区东山街道 (440104011).
const MAN: &str = "a,440106197501011232,张三,13800138000,440104011,2016-03-01,true,true,true,true,true,";

#[tokio::test]
async fn every_test_runs_on_both_databases_where_postgresql_is_installed() {
    let backends: Vec<_> = stores().await.iter().map(|(s, _)| s.backend()).collect();
    let expected = if yuanzhu_test_support::is_available() { 2 } else { 1 };
    assert_eq!(backends.len(), expected, "{backends:?}");
    assert_eq!(backends[0], yuanzhu_storage::Backend::Sqlite);
}

#[tokio::test]
async fn init_loads_the_unit_tree_once() {
    for (store, _dir) in stores().await {
        let first = store.init().await.unwrap();
        assert_eq!((first.added, first.present), (190, 0), "{:?}", store.backend());
        let again = store.init().await.unwrap();
        assert_eq!((again.added, again.present), (0, 190));
        let all = units::all(&store).await.unwrap();
        assert_eq!(all.iter().filter(|u| u.level == "district").count(), 11);
        assert_eq!(all.iter().filter(|u| u.level == "street" || u.level == "town").count(), 176);
        let dongshan = all.iter().find(|u| u.code == "440104011").unwrap();
        assert_eq!((dongshan.name.as_str(), dongshan.parent_code.as_deref()), ("东山街道", Some("440104")));
    }
}

#[tokio::test]
async fn registration_recognises_automatic_categories_under_the_policy_of_its_date() {
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        let s = import(&store, &[MAN]).await;
        assert_eq!((s.persons_created, s.registrations_recorded, s.recognitions_granted), (1, 1, 1));
        let file = persons::file(&store, "440106197501011232").await.unwrap().unwrap();
        // 第四条: 大龄 is automatic; 低保 (第三条第（三）项) needs an application (第五条).
        assert_eq!(file.categories, ["older_unemployed"]);
        let r = &file.recognitions[0];
        assert_eq!(
            (r.policy.as_str(), r.citation.as_str(), r.route.as_str()),
            ("gz-2014-4", "第三条第（一）项", "automatic")
        );
        assert_eq!(r.recognized_on, "2016-03-01");
        assert_eq!(file.registrations, ["2016-03-01"]);
        let actions: Vec<&str> = file.timeline.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["person.created", "registration.recorded", "recognition.granted"]);
        assert_eq!(file.timeline[2].policy.as_deref(), Some("gz-2014-4"));
        assert!(file.timeline.iter().all(|e| e.actor == "importer"));
    }
}

#[tokio::test]
async fn no_automatic_recognition_where_the_policy_needs_an_application() {
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        // Registered in 2024: gd-2023-11 is in force and every category goes by application.
        let units = persons::unit_codes(&store).await.unwrap();
        let row = rows_under(
            &format!("{HEADER},without_work"),
            &["b,440106197501011232,张三,,440104011,2024-03-01,true,true,true,true,,true,true"],
        );
        let s =
            persons::register_batch(&store, &row, &units, "importer", &PolicySet::embedded(), Lang::Zh).await.unwrap();
        assert_eq!((s.persons_created, s.recognitions_granted), (1, 0), "{:?}", s.rejected);
        // Registered between the policies: nothing is recognised, the registration still counts.
        let s = import(&store, &["c,11010519491231002X,李四,,440104011,2020-03-01,true,true,true,true,,true"]).await;
        assert_eq!((s.persons_created, s.registrations_recorded, s.recognitions_granted), (1, 1, 0));
    }
}

#[tokio::test]
async fn importing_the_same_rows_again_changes_nothing() {
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        import(&store, &[MAN]).await;
        let events_before = persons::file(&store, "440106197501011232").await.unwrap().unwrap().timeline.len();
        let s = import(&store, &[MAN]).await;
        assert_eq!((s.persons_created, s.persons_updated, s.persons_unchanged), (0, 0, 1));
        assert_eq!((s.registrations_recorded, s.recognitions_granted), (0, 0));
        let file = persons::file(&store, "440106197501011232").await.unwrap().unwrap();
        assert_eq!(file.timeline.len(), events_before);
        assert_eq!(file.version, 1);
    }
}

#[tokio::test]
async fn a_registration_read_again_does_not_grant_again_what_it_granted_and_was_since_ended() {
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        import(&store, &[MAN]).await;
        // Nothing in the product ends an automatic recognition under gz-2014-4 yet (第六条 ends
        // only 特困 status); an end at retirement age would, so the test ends it as that would.
        sqlx::query("UPDATE recognitions SET ended_on = '2017-01-01', end_reason = 'retired'")
            .execute(store.pool())
            .await
            .unwrap();
        let s = import(&store, &[MAN]).await;
        assert_eq!((s.persons_unchanged, s.registrations_recorded, s.recognitions_granted), (1, 0, 0));
        let file = persons::file(&store, "440106197501011232").await.unwrap().unwrap();
        assert!(file.categories.is_empty(), "{:?}", file.categories);
        // A new registration is a new recognition, dated that registration.
        let s =
            import(&store, &["a,440106197501011232,张三,13800138000,440104011,2017-06-01,true,true,true,true,true,"])
                .await;
        assert_eq!((s.registrations_recorded, s.recognitions_granted), (1, 1));
        let file = persons::file(&store, "440106197501011232").await.unwrap().unwrap();
        assert_eq!(file.categories, ["older_unemployed"]);
        assert_eq!(file.recognitions.len(), 2);
    }
}

#[tokio::test]
async fn a_corrected_row_updates_the_person_it_matches_with_before_and_after() {
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        import(&store, &[MAN]).await;
        let corrected = MAN.replace("13800138000", "13900139000");
        let s = import(&store, &[&corrected]).await;
        assert_eq!(s.persons_updated, 1);
        let file = persons::file(&store, "440106197501011232").await.unwrap().unwrap();
        assert_eq!(file.person.phone.as_deref(), Some("13900139000"));
        assert_eq!(file.version, 2);
        let update = file.timeline.iter().find(|e| e.action == "person.updated").unwrap();
        assert!(update.before.as_deref().unwrap().contains("13800138000"));
        assert!(update.after.as_deref().unwrap().contains("13900139000"));
    }
}

#[tokio::test]
async fn a_row_at_an_unknown_unit_is_reported_and_the_others_are_kept() {
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        let s = import(&store, &[MAN, "z,11010519491231002X,李四,,440199999,2016-03-01,true,true,true,true,,"]).await;
        assert_eq!(s.persons_created, 1);
        assert_eq!(s.rejected.len(), 1);
        let e = &s.rejected[0];
        assert_eq!((e.row, e.field.as_deref(), e.code.as_str()), (3, Some("residence_unit"), "unknown_unit"));
        assert_eq!(persons::count(&store).await.unwrap(), 1);
    }
}

#[tokio::test]
async fn the_audit_chain_verifies_and_a_changed_event_breaks_it() {
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        import(&store, &[MAN, "b,11010519491231002X,李四,,440104011,2016-03-01,true,true,true,true,,"]).await;
        let Verdict::Intact { events } = audit::verify(&store).await.unwrap() else { panic!("intact at first") };
        assert!(events >= 5, "{events}");
        sqlx::query("UPDATE audit_events SET actor = 'someone else' WHERE seq = 2")
            .execute(store.pool())
            .await
            .unwrap();
        match audit::verify(&store).await.unwrap() {
            Verdict::Broken { seq, .. } => assert_eq!(seq, 2),
            other => panic!("a changed event must break the chain: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_removed_event_breaks_the_chain() {
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        import(&store, &[MAN]).await;
        sqlx::query("DELETE FROM audit_events WHERE seq = 2").execute(store.pool()).await.unwrap();
        assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Broken { seq: 2, .. }));
    }
}

#[tokio::test]
async fn a_person_twice_in_one_batch_is_one_person_with_two_registrations() {
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        let later = MAN.replace("2016-03-01", "2016-09-01");
        let s = import(&store, &[MAN, &later]).await;
        assert_eq!((s.persons_created, s.persons_unchanged, s.registrations_recorded), (1, 1, 2));
        assert_eq!(s.recognitions_granted, 1, "the second registration finds the category already recognised");
        let file = persons::file(&store, "440106197501011232").await.unwrap().unwrap();
        assert_eq!(file.registrations, ["2016-03-01", "2016-09-01"]);
        assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
    }
}

#[tokio::test]
async fn a_person_created_and_corrected_in_one_batch_has_both_events_and_the_corrected_record() {
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        let corrected = MAN.replace("13800138000", "13900139000");
        let s = import(&store, &[MAN, &corrected]).await;
        assert_eq!((s.persons_created, s.persons_updated, s.registrations_recorded), (1, 1, 1));
        let file = persons::file(&store, "440106197501011232").await.unwrap().unwrap();
        assert_eq!(file.person.phone.as_deref(), Some("13900139000"));
        assert_eq!(file.version, 2, "one version per change, as if the rows came in two batches");
        let actions: Vec<&str> = file.timeline.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["person.created", "registration.recorded", "recognition.granted", "person.updated"]);
        let update = &file.timeline[3];
        assert!(update.before.as_deref().unwrap().contains("13800138000"));
        assert!(update.after.as_deref().unwrap().contains("13900139000"));
        // The same two rows again: the first is a change back, the second a change again.
        let again = import(&store, &[MAN, &corrected]).await;
        assert_eq!((again.persons_updated, again.registrations_recorded), (2, 0));
        assert_eq!(persons::file(&store, "440106197501011232").await.unwrap().unwrap().version, 4);
        assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
    }
}

#[tokio::test]
async fn the_latest_registration_kept_on_the_person_follows_every_batch() {
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        let d = |s: &str| Some(Date::parse(s).unwrap());
        import(&store, &[MAN]).await;
        assert_eq!(persons::latest_registration(&store, "440106197501011232").await.unwrap(), d("2016-03-01"));
        // A later registration in another batch moves it; an earlier one arriving after does not.
        import(&store, &[&MAN.replace("2016-03-01", "2016-09-01")]).await;
        import(&store, &[&MAN.replace("2016-03-01", "2016-05-01")]).await;
        let kept: Option<String> =
            sqlx::query_scalar("SELECT latest_registration FROM persons WHERE id_number = '440106197501011232'")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(kept.as_deref(), Some("2016-09-01"));
        assert_eq!(persons::latest_registration(&store, "440106197501011232").await.unwrap(), d("2016-09-01"));
    }
}

#[tokio::test]
async fn a_repeated_row_in_a_batch_records_the_same_file_as_the_row_once() {
    // The batch is planned in one pass: the repeated row finds its person as the first row left them.
    let lines = [MAN, "b,11010519491231002X,李四,,440104011,2016-03-01,true,true,true,true,,true"];
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        import(&store, &lines).await;
        let batch = persons::file(&store, "11010519491231002X").await.unwrap().unwrap();
        let (other, _other_dir) = stores().await.into_iter().find(|(s, _)| s.backend() == store.backend()).unwrap();
        other.init().await.unwrap();
        import(&other, &[lines[0], lines[1], lines[1]]).await;
        let rows = persons::file(&other, "11010519491231002X").await.unwrap().unwrap();
        assert_eq!(batch.person, rows.person);
        assert_eq!(batch.categories, rows.categories);
        assert_eq!(batch.registrations, rows.registrations);
        let actions = |f: &persons::PersonFile| f.timeline.iter().map(|e| e.action.clone()).collect::<Vec<_>>();
        assert_eq!(actions(&batch), actions(&rows));
        assert!(matches!(audit::verify(&other).await.unwrap(), Verdict::Intact { .. }));
    }
}

mod reassessment {
    use super::*;
    use yuanzhu_storage::reassess;

    fn gz() -> yuanzhu_rules::Policy {
        PolicySet::embedded().by_id("gz-2014-4").unwrap().clone()
    }

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    // Turns 40 on 2016-06-01; on 低保 from the start.
    const TURNING_40: &str = "t,440106197606011239,周九,,440104011,2016-03-01,true,true,true,true,true,";

    #[tokio::test]
    async fn reassessment_records_only_what_changed_and_is_idempotent() {
        for (store, _dir) in stores().await {
            store.init().await.unwrap();
            import(&store, &[MAN, TURNING_40]).await;
            let first =
                reassess::run(&store, &gz(), d("2016-05-31"), "test", reassess::PAGE, |_, _| true).await.unwrap();
            assert_eq!((first.assessed, first.changed), (2, 2), "everyone's first assessment is a change");
            let next =
                reassess::run(&store, &gz(), d("2016-06-01"), "test", reassess::PAGE, |_, _| true).await.unwrap();
            assert_eq!((next.assessed, next.changed), (2, 1), "only the 40th birthday changed anything");
            assert_eq!(next.entered.get("older_unemployed"), Some(&1));
            let again =
                reassess::run(&store, &gz(), d("2016-06-01"), "test", reassess::PAGE, |_, _| true).await.unwrap();
            assert_eq!(again.changed, 0);
            let file = persons::file(&store, "440106197606011239").await.unwrap().unwrap();
            let changes: Vec<_> = file.timeline.iter().filter(|e| e.action == "assessment.changed").collect();
            assert_eq!(changes.len(), 2);
            assert!(changes[1].after.as_deref().unwrap().contains("older_unemployed"));
            assert_eq!(changes[1].policy.as_deref(), Some("gz-2014-4"));
        }
    }

    /// The recognitions of a person, as (category, route, decided by, recognised, ended, reason).
    async fn recognitions(
        store: &Store,
        id: &str,
    ) -> Vec<(String, String, String, String, Option<String>, Option<String>)> {
        let file = persons::file(store, id).await.unwrap().unwrap();
        file.recognitions
            .into_iter()
            .map(|r| (r.category, r.route, r.decided_by, r.recognized_on, r.ended_on, r.end_reason))
            .collect()
    }

    #[tokio::test]
    async fn a_registered_unemployed_man_turning_40_is_recognised_by_the_reassessment() {
        for (store, _dir) in stores().await {
            store.init().await.unwrap();
            import(&store, &[MAN, TURNING_40]).await;
            let id = "440106197606011239";
            reassess::run(&store, &gz(), d("2016-05-31"), "cron", reassess::PAGE, |_, _| true).await.unwrap();
            assert!(persons::file(&store, id).await.unwrap().unwrap().categories.is_empty(), "39: nothing yet");
            let next =
                reassess::run(&store, &gz(), d("2016-06-01"), "cron", reassess::PAGE, |_, _| true).await.unwrap();
            assert_eq!(next.entered.get("older_unemployed"), Some(&1));
            assert_eq!(next.recognised.get("older_unemployed"), Some(&1), "{next:?}");
            let file = persons::file(&store, id).await.unwrap().unwrap();
            assert_eq!(file.categories, ["older_unemployed"], "the file says what the reassessment reported");
            let r = &file.recognitions[0];
            assert_eq!(
                (
                    r.policy.as_str(),
                    r.citation.as_str(),
                    r.route.as_str(),
                    r.recognized_on.as_str(),
                    r.decided_by.as_str()
                ),
                ("gz-2014-4", "第三条第（一）项", "automatic", "2016-06-01", "reassessment")
            );
            let granted = file.timeline.iter().find(|e| e.action == "recognition.granted").expect("an event");
            assert_eq!(granted.actor, "cron");
            assert!(granted.after.as_deref().unwrap().contains("第四条"), "{:?}", granted.after);
            // Recognised once: later runs grant nothing again, and the man of 41 is untouched.
            let later =
                reassess::run(&store, &gz(), d("2016-06-02"), "cron", reassess::PAGE, |_, _| true).await.unwrap();
            assert!(later.recognised.is_empty(), "{later:?}");
            assert_eq!(recognitions(&store, id).await.len(), 1);
            assert_eq!(recognitions(&store, "440106197501011232").await.len(), 1, "recognised at registration only");
            assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
        }
    }

    #[tokio::test]
    async fn a_man_who_found_work_before_turning_40_is_not_recognised() {
        for (store, _dir) in stores().await {
            store.init().await.unwrap();
            import(&store, &[TURNING_40]).await;
            let id = "440106197606011239";
            let (on, policies) = (d("2016-05-01"), PolicySet::embedded());
            yuanzhu_storage::employment::record(&store, &policies, id, on, None, "caseworker", on).await.unwrap();
            let run = reassess::run(&store, &gz(), d("2016-06-01"), "cron", reassess::PAGE, |_, _| true).await.unwrap();
            assert!(run.recognised.is_empty(), "no longer registered unemployed: {run:?}");
            assert!(persons::file(&store, id).await.unwrap().unwrap().categories.is_empty());
        }
    }

    // Turns 60, statutory retirement age for a man born before 1965, on 2016-06-15; 低保.
    const RETIRING: &str = "r,440106195606151232,吴十,,440104011,2016-03-01,true,true,true,true,true,";

    #[tokio::test]
    async fn reaching_retirement_ends_every_recognition_with_the_reason() {
        for (store, _dir) in stores().await {
            store.init().await.unwrap();
            import(&store, &[RETIRING]).await;
            let id = "440106195606151232";
            // 特困 第3目, approved on application, beside 大龄 recognised at registration.
            sqlx::query(
                "INSERT INTO recognitions (id, person_id, category, policy, citation, route, recognized_on, decided_by) \
                 SELECT 'rec-h', id, 'hardship_low_income', 'gz-2014-4', '第三条第（三）项第3目', 'application', '2016-04-01', 'street' \
                 FROM persons WHERE id_number = $1",
            )
            .bind(id)
            .execute(store.pool())
            .await
            .unwrap();
            let before =
                reassess::run(&store, &gz(), d("2016-06-14"), "cron", reassess::PAGE, |_, _| true).await.unwrap();
            assert_eq!(before.recognitions_ended, 0);
            let after =
                reassess::run(&store, &gz(), d("2016-06-20"), "cron", reassess::PAGE, |_, _| true).await.unwrap();
            assert_eq!((after.reached_retirement, after.recognitions_ended), (1, 2), "{after:?}");
            let ended = recognitions(&store, id).await;
            assert_eq!(ended.len(), 2);
            for (category, _, _, _, ended_on, reason) in &ended {
                assert_eq!(
                    (ended_on.as_deref(), reason.as_deref()),
                    (Some("2016-06-15"), Some("reached_retirement_or_pension")),
                    "{category} ends on the 60th birthday"
                );
            }
            let file = persons::file(&store, id).await.unwrap().unwrap();
            assert!(file.categories.is_empty());
            let events: Vec<_> = file.timeline.iter().filter(|e| e.action == "recognition.ended").collect();
            assert_eq!(events.len(), 2);
            assert!(events[0].after.as_deref().unwrap().contains("法定退休年龄"), "{:?}", events[0].after);
            assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
        }
    }

    #[tokio::test]
    async fn an_interrupted_reassessment_resumes_without_doing_anything_twice() {
        for (store, _dir) in stores().await {
            store.init().await.unwrap();
            import(
                &store,
                &[MAN, TURNING_40, "b,11010519491231002X,李四,,440104011,2016-03-01,true,true,true,true,,true"],
            )
            .await;
            // One person per page, and "crash" after the first committed page.
            let cut = reassess::run(&store, &gz(), d("2016-06-01"), "test", 1, |_, _| false).await.unwrap();
            assert_eq!(cut.assessed, 1);
            let resumed = reassess::run(&store, &gz(), d("2016-06-01"), "test", 1, |_, _| true).await.unwrap();
            assert!(resumed.resumed);
            assert_eq!(resumed.assessed, 3, "the resumed run counts the page done before the crash");
            let events: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'assessment.changed'")
                    .fetch_one(store.pool())
                    .await
                    .unwrap();
            assert_eq!(events, 3, "one first assessment per person, none twice");
            assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
        }
    }
}

mod households {
    use super::*;
    use yuanzhu_storage::{employment, households, reassess};

    const HEADER_H: &str = "ref,id_number,name,residence_unit,registered_on,household_ref,relation,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,zero_employment_family";

    async fn import_h(store: &Store, lines: &[&str]) {
        let text = std::iter::once(HEADER_H).chain(lines.iter().copied()).collect::<Vec<_>>().join("\n");
        let rows: Vec<Registration> = read_csv(text.as_bytes(), Date::parse("2026-11-26").unwrap(), Lang::Zh)
            .unwrap()
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        let units = persons::unit_codes(store).await.unwrap();
        persons::register_batch(store, &rows, &units, "importer", &PolicySet::embedded(), Lang::Zh).await.unwrap();
    }

    // Two working-age members of household H1, both registered unemployed; the typed column
    // says "false", but the household's status is derived, not typed.
    const HUSBAND: &str = "h,440106197501011232,张三,440104011,2016-03-01,H1,户主,true,true,true,true,false";
    const WIFE: &str = "w,110105198001010024,陈芳,440104011,2016-03-01,H1,配偶,true,true,true,true,false";

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[tokio::test]
    async fn zero_employment_is_derived_from_the_members_not_typed() {
        for (store, _dir) in stores().await {
            store.init().await.unwrap();
            import_h(&store, &[HUSBAND, WIFE]).await;
            let h = households::household(&store, "H1", d("2016-06-01")).await.unwrap().unwrap();
            assert_eq!(h.members.len(), 2);
            assert!(h.zero_employment, "nobody of working age works");
            let policies = PolicySet::embedded();
            let wife = "110105198001010024";
            employment::record(&store, &policies, wife, d("2016-07-01"), Some("某公司"), "caseworker", d("2016-07-01"))
                .await
                .unwrap();
            assert!(households::household(&store, "H1", d("2016-06-30")).await.unwrap().unwrap().zero_employment);
            assert!(!households::household(&store, "H1", d("2016-07-01")).await.unwrap().unwrap().zero_employment);
        }
    }

    #[tokio::test]
    async fn reassessment_follows_the_households_employment() {
        let gz = PolicySet::embedded().by_id("gz-2014-4").unwrap().clone();
        for (store, _dir) in stores().await {
            store.init().await.unwrap();
            import_h(&store, &[HUSBAND, WIFE]).await;
            reassess::run(&store, &gz, d("2016-06-01"), "test", reassess::PAGE, |_, _| true).await.unwrap();
            let policies = PolicySet::embedded();
            employment::record(
                &store,
                &policies,
                "110105198001010024",
                d("2016-07-01"),
                None,
                "caseworker",
                d("2016-07-01"),
            )
            .await
            .unwrap();
            let after = reassess::run(&store, &gz, d("2016-07-01"), "test", reassess::PAGE, |_, _| true).await.unwrap();
            assert_eq!(after.left.get("hardship_zero_employment_family"), Some(&2), "{after:?}");
            let file = persons::file(&store, "440106197501011232").await.unwrap().unwrap();
            assert_eq!(file.household.as_ref().unwrap().members.len(), 2);
        }
    }
}

#[tokio::test]
async fn same_name_and_birth_date_under_two_id_numbers_is_flagged_once_for_a_decision() {
    use yuanzhu_storage::duplicates;
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        // 张三 born 1975-01-01 twice: 440106… and a 110105… number (a typo, or a namesake).
        import(&store, &[MAN, "x,11010519750101123X,张三,,440104011,2016-03-01,true,true,true,true,,"]).await;
        assert_eq!(duplicates::flag_new(&store, "importer").await.unwrap().len(), 1);
        assert_eq!(duplicates::flag_new(&store, "importer").await.unwrap().len(), 0, "flagged once");
        let open = duplicates::open(&store).await.unwrap();
        assert_eq!(open.len(), 1);
        assert_eq!((open[0].name.as_str(), open[0].birth_date.as_str()), ("张三", "1975-01-01"));
        duplicates::decide(&store, &open[0].id, false, "reviewer", Date::parse("2016-03-02").unwrap()).await.unwrap();
        assert!(duplicates::open(&store).await.unwrap().is_empty());
        assert!(
            duplicates::decide(&store, &open[0].id, true, "reviewer", Date::parse("2016-03-02").unwrap())
                .await
                .is_err()
        );
        assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
    }
}

#[tokio::test]
async fn under_gd_a_member_finding_work_proposes_the_end_of_the_family_basis_for_the_others() {
    use yuanzhu_storage::{employment, households};
    let on = Date::parse("2024-06-01").unwrap();
    for (store, _dir) in stores().await {
        store.init().await.unwrap();
        let header = "ref,id_number,name,residence_unit,registered_on,household_ref,hukou_local,without_work,able_to_work,willing_to_be_assisted";
        let text = format!(
            "{header}\nh,440106197501011232,张三,440104011,2024-03-01,H9,true,true,true,true\nw,110105198001010024,陈芳,440104011,2024-03-01,H9,true,true,true,true\n"
        );
        let rows: Vec<Registration> =
            read_csv(text.as_bytes(), on, Lang::Zh).unwrap().into_iter().map(|r| r.unwrap()).collect();
        let units = persons::unit_codes(&store).await.unwrap();
        persons::register_batch(&store, &rows, &units, "importer", &PolicySet::embedded(), Lang::Zh).await.unwrap();
        // Both recognised on the family basis (第一条第（四）项), as an approved application would.
        for id_number in ["440106197501011232", "110105198001010024"] {
            sqlx::query(
                "INSERT INTO recognitions (id, person_id, category, policy, citation, route, recognized_on, decided_by) \
                 SELECT $1, id, 'urban_zero_employment_family', 'gd-2023-11', '第一条第（四）项', 'application', '2024-04-01', 'reviewer' \
                 FROM persons WHERE id_number = $2",
            )
            .bind(format!("rec-{id_number}"))
            .bind(id_number)
            .execute(store.pool())
            .await
            .unwrap();
        }
        let policies = PolicySet::embedded();
        assert!(households::propose_family_cascade(&store, &policies, "H9", on, "system").await.unwrap().is_empty());
        let started = Date::parse("2024-05-20").unwrap();
        employment::record(&store, &policies, "110105198001010024", started, None, "caseworker", on).await.unwrap();
        let proposals = households::propose_family_cascade(&store, &policies, "H9", on, "system").await.unwrap();
        assert_eq!(proposals.len(), 1, "{proposals:?}");
        let text = format!("{proposals:?}");
        assert!(text.contains("family_member_employed") && text.contains("440106197501011232"), "{text}");
        assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
    }
}
