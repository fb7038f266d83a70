//! Assistance in storage (#13), on SQLite and PostgreSQL: a service and the refusal a declined
//! offer is are written together or not at all; one active plan per person, also when two are
//! made at once; a stale change to a plan is refused and changes nothing; follow-ups fall due
//! per job and leave the queue once made; every write is in the audit chain, which verifies.

mod common;

use yuanzhu_domain::assistance::{NewAction, NewFollowUp, NewPlan, NewService, ServiceRecord};
use yuanzhu_rules::{Date, PolicySet};
use yuanzhu_storage::plans::{ActionChange, PlanStoreError};
use yuanzhu_storage::{Store, audit, employment, follow_ups, plans, services};

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

async fn ready(store: &Store) -> String {
    store.init().await.unwrap();
    let man = common::man();
    common::register(store, &[&man], "test").await;
    man.id()
}

fn service(kind: &str, on: &str, outcome: Option<&str>, note: &str) -> ServiceRecord {
    let policies = PolicySet::embedded();
    let n = NewService {
        kind: kind.into(),
        on: Some(d(on)),
        note: note.into(),
        outcome: outcome.map(str::to_owned),
        employer: (kind == "job_referral").then(|| "某公司".to_owned()),
        ..NewService::default()
    };
    n.check(policies.in_force_on(d(on)), d("2026-12-07")).unwrap()
}

async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_declined_offer_writes_its_refusal_with_it_and_a_stranger_writes_nothing() {
    for (store, _dir) in common::stores("asst_refusal").await {
        let id = ready(&store).await;
        let s = services::record(
            &store,
            &id,
            &service("job_referral", "2026-11-02", Some("declined"), "嫌远"),
            "440104011",
            "cw",
        )
        .await
        .unwrap();
        let refusal = s.refusal_id.clone().expect("a refusal");
        let (service_kind, note): (String, String) = sqlx::query_as("SELECT service, note FROM refusals WHERE id = $1")
            .bind(&refusal)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(service_kind, "job_referral");
        assert!(note.contains("某公司") && note.contains("嫌远"), "{note}");
        let accepted = services::record(
            &store,
            &id,
            &service("career_guidance", "2026-11-03", Some("accepted"), ""),
            "440104011",
            "cw",
        )
        .await
        .unwrap();
        assert!(accepted.refusal_id.is_none());
        let (before_services, before_refusals) =
            (count(&store, "service_records").await, count(&store, "refusals").await);
        let nobody = services::record(
            &store,
            "440104198001010019",
            &service("job_referral", "2026-11-02", Some("declined"), "x"),
            "440104011",
            "cw",
        )
        .await;
        assert!(nobody.is_err());
        assert_eq!(
            (count(&store, "service_records").await, count(&store, "refusals").await),
            (before_services, before_refusals)
        );
        let listed = services::of_person(&store, &id).await.unwrap();
        assert_eq!(
            listed.iter().map(|s| s.record.kind.code()).collect::<Vec<_>>(),
            ["job_referral", "career_guidance"]
        );
        assert_eq!(listed[0].record, s.record, "reads back as written");
        assert!(matches!(audit::verify(&store).await.unwrap(), audit::Verdict::Intact { .. }), "the chain verifies");
    }
}

fn plan(made_on: &str) -> yuanzhu_domain::assistance::Plan {
    let policies = PolicySet::embedded();
    NewPlan {
        goals: vec!["就业".into()],
        actions: vec![NewAction { kind: "career_guidance".into(), due: Some(d("2027-01-10")), owner: None }],
        review_on: Some(d("2027-03-01")),
    }
    .check(d(made_on), "cw", policies.in_force_on(d(made_on)))
    .unwrap()
}

#[tokio::test]
async fn one_active_plan_per_person_even_when_two_are_made_at_once() {
    for (store, _dir) in common::stores("asst_plan").await {
        let id = ready(&store).await;
        let p = plan("2026-12-07");
        let (a, b) = tokio::join!(
            plans::make(&store, &id, &p, "440104011", "cw"),
            plans::make(&store, &id, &p, "440104011", "cw2"),
        );
        let made = [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count();
        assert_eq!(made, 1, "{a:?} {b:?}");
        let loser = if a.is_ok() { b } else { a };
        assert!(matches!(loser, Err(PlanStoreError::ActivePlan(_))), "{loser:?}");
        let stored = plans::of_person(&store, &id).await.unwrap();
        assert_eq!(stored.len(), 1);
        let plan_id = stored[0].id.clone();
        // A stale version changes nothing.
        let changed = plans::change_action(
            &store,
            &plan_id,
            0,
            1,
            ActionChange::Reschedule { due: d("2027-02-01"), reason: "住院".into() },
            d("2026-12-08"),
            "cw",
        )
        .await
        .unwrap();
        assert_eq!(changed.version, 2);
        let stale = plans::change_action(
            &store,
            &plan_id,
            0,
            1,
            ActionChange::Drop { reason: "x".into() },
            d("2026-12-08"),
            "cw",
        )
        .await;
        assert!(matches!(stale, Err(PlanStoreError::Conflict { expected: 1, found: 2 })), "{stale:?}");
        let now = plans::get(&store, &plan_id).await.unwrap().unwrap();
        assert_eq!(
            (now.version, now.plan.actions[0].due, now.plan.actions[0].state.code()),
            (2, d("2027-02-01"), "open")
        );
        assert!(matches!(audit::verify(&store).await.unwrap(), audit::Verdict::Intact { .. }));
    }
}

#[tokio::test]
async fn follow_ups_fall_due_per_job_and_leave_the_queue_once_made() {
    for (store, _dir) in common::stores("asst_follow").await {
        let id = ready(&store).await;
        let job = employment::record(
            &store,
            &PolicySet::embedded(),
            &id,
            d("2026-06-10"),
            Some("某超市"),
            "cw",
            d("2026-06-10"),
        )
        .await
        .unwrap();
        let job_id = job.employment.id.clone();
        let due = follow_ups::due(&store, "4401", &[1, 3, 6], d("2027-01-01")).await.unwrap();
        assert_eq!(
            due.iter().map(|f| (f.months, f.due)).collect::<Vec<_>>(),
            [(1, d("2026-07-10")), (3, d("2026-09-10")), (6, d("2026-12-10"))]
        );
        assert!(
            follow_ups::due(&store, "440105", &[1, 3, 6], d("2027-01-01")).await.unwrap().is_empty(),
            "another district's queue"
        );
        let f = NewFollowUp {
            months: Some(1),
            on: Some(d("2026-07-11")),
            in_job: Some(true),
            channel: "phone".into(),
            need: String::new(),
        }
        .check(d("2026-06-10"), &[1, 3, 6], d("2026-12-07"))
        .unwrap();
        follow_ups::record(&store, &id, &job_id, &f, "440104011", "cw").await.unwrap();
        let twice = follow_ups::record(&store, &id, &job_id, &f, "440104011", "cw").await;
        assert!(matches!(twice, Err(follow_ups::FollowUpStoreError::Done)), "{twice:?}");
        let due = follow_ups::due(&store, "4401", &[1, 3, 6], d("2027-01-01")).await.unwrap();
        assert_eq!(due.len(), 2);
        assert!(matches!(audit::verify(&store).await.unwrap(), audit::Verdict::Intact { .. }));
    }
}
