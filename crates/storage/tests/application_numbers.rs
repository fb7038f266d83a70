//! Application numbers people can read aloud (SQ-2026-000123), on SQLite and PostgreSQL: one
//! counter per year of the day received, never given twice, none spent by an application that was
//! refused.

mod common;

use std::sync::LazyLock;

use yuanzhu_domain::application::{Action, Application, ApplicationCategory, HardshipSubType as H};
use yuanzhu_rules::Date;
use yuanzhu_storage::applications::{self, ApplicationError};
use yuanzhu_storage::{Store, units};

/// The ID number of [`common::man`].
static ID: LazyLock<String> = LazyLock::new(|| common::man().id());

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

#[tokio::test]
async fn applications_are_numbered_per_year_received_and_a_refused_one_spends_no_number() {
    for (store, _dir) in common::stores("application_numbers").await {
        store.init().await.unwrap();
        common::register(&store, &[&common::man()], "importer").await;
        let category = || ApplicationCategory::hardship(H::MinimumLivingAllowanceOrLowIncome);

        let first = applications::open(&store, ID.as_str(), category(), "clerk", d("2016-03-02")).await.unwrap();
        assert_eq!(first.number, "SQ-2016-000001");
        // A second undecided application for the same category is refused, and takes no number.
        let refused = applications::open(&store, ID.as_str(), category(), "clerk", d("2016-03-03")).await;
        assert!(matches!(refused, Err(ApplicationError::AlreadyOpen { .. })), "{refused:?}");
        applications::withdraw(&store, &first.id, "clerk", d("2016-03-04"), first.version).await.unwrap();
        let second = applications::open(&store, ID.as_str(), category(), "clerk", d("2016-12-31")).await.unwrap();
        assert_eq!(second.number, "SQ-2016-000002");
        applications::withdraw(&store, &second.id, "clerk", d("2016-12-31"), second.version).await.unwrap();
        let next_year = applications::open(&store, ID.as_str(), category(), "clerk", d("2017-01-03")).await.unwrap();
        assert_eq!(next_year.number, "SQ-2017-000001");

        // The number is the application's for good: read back, and after every change.
        let loaded = applications::load(&store, &first.id).await.unwrap().unwrap();
        assert_eq!(loaded.number, "SQ-2016-000001");
        let all: Vec<_> =
            applications::of_person(&store, ID.as_str()).await.unwrap().into_iter().map(|a| a.number).collect();
        assert_eq!(all, ["SQ-2016-000001", "SQ-2016-000002", "SQ-2017-000001"]);
    }
}

// ---- migration 0021 on a registry that already has applications ----

/// An application as a registry before migration 0021 held it: received on `received`, recorded
/// (`created_at`) at `recorded`, and taken through `steps` after opening, each a day after the last.
struct Existing {
    received: &'static str,
    recorded: &'static str,
    steps: &'static [&'static str],
}

/// The application taken through `steps` ("complete" provides every document on the checklist)
/// by the domain itself, so that the history stored is one it accepts on replay.
fn taken_through(received: Date, steps: &[&str]) -> Application {
    let category = ApplicationCategory::hardship(H::MinimumLivingAllowanceOrLowIncome);
    let mut app = Application::new("p", category, "clerk", received).unwrap();
    let mut on = received;
    for step in steps {
        on = on.next_day();
        app = match *step {
            "complete" => app.checklist().into_iter().try_fold(app, |a, doc| a.provide(doc, "clerk", on)),
            "submit" => app.submit("clerk", on),
            "approve" => app.approve("officer", on),
            "reject" => app.reject("officer", on, "材料不实"),
            "withdraw" => app.withdraw("clerk", on),
            other => panic!("unknown step {other}"),
        }
        .unwrap();
    }
    app
}

/// An event's stored kind and payload, as `applications` writes them.
fn stored(action: &Action) -> (&'static str, serde_json::Value) {
    use serde_json::json;
    match action {
        Action::Create => ("create", json!({})),
        Action::Provide { document } => ("provide", json!({ "document": document.code() })),
        Action::Submit => ("submit", json!({})),
        Action::Approve => ("approve", json!({})),
        Action::Reject { reason } => ("reject", json!({ "reason": reason })),
        Action::Withdraw => ("withdraw", json!({})),
        other => panic!("not used here: {other:?}"),
    }
}

/// Writes `existing` as the registry before migration 0021 stored it: a person for each (the
/// `i`-th with ID number `person_id_number(i)`), the application's row and its events.
async fn write_before_0021(store: &Store, existing: &[Existing]) {
    for (i, e) in existing.iter().enumerate() {
        let (person, app_id) = (format!("person-{i}"), format!("application-{i}"));
        sqlx::query(
            "INSERT INTO persons (id, id_number, name, sex, birth_date, residence_unit, female_retirement_track, \
             facts, parent_certificates, version, created_at, updated_at) \
             VALUES ($1, $2, $3, 'male', '1975-01-01', '440104011', 'worker', 0, 0, 1, $4, $4)",
        )
        .bind(&person)
        .bind(person_id_number(i))
        .bind(format!("申请人{i}"))
        .bind(e.recorded)
        .execute(store.pool())
        .await
        .unwrap();
        let app = taken_through(d(e.received), e.steps);
        sqlx::query(
            "INSERT INTO applications (id, person_id, unit_code, policy, category, state, version, created_at, \
             updated_at) VALUES ($1, $2, '440104011', $3, $4, $5, $6, $7, $7)",
        )
        .bind(&app_id)
        .bind(&person)
        .bind(app.category().policy())
        .bind(app.category().code())
        .bind(app.state().kind().code())
        .bind(app.history().len() as i64)
        .bind(e.recorded)
        .execute(store.pool())
        .await
        .unwrap();
        for (seq, event) in app.history().iter().enumerate() {
            let (action, payload) = stored(&event.action);
            sqlx::query(
                "INSERT INTO application_events (id, application_id, seq, action, by_actor, on_date, payload, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(format!("{app_id}-{}", seq + 1))
            .bind(&app_id)
            .bind(seq as i64 + 1)
            .bind(action)
            .bind(&event.by)
            .bind(event.on.to_string())
            .bind(payload.to_string())
            .bind(e.recorded)
            .execute(store.pool())
            .await
            .unwrap();
        }
    }
}

fn person_id_number(i: usize) -> String {
    format!("44010619750101{i:04}")
}

#[tokio::test]
async fn migration_0021_numbers_the_applications_already_made_per_year_in_the_order_received() {
    // Numbers are taken when an application is opened (`applications::open`), whatever becomes of
    // it: drafts, refused and withdrawn applications have theirs, and only an opening that was
    // itself refused spends none. So every existing application gets one, and no year has a gap.
    let existing = [
        // 0: received 2016-03-10, recorded after 3 below on the same day; still a draft.
        Existing { received: "2016-03-10", recorded: "2016-03-10T06:00:00Z", steps: &[] },
        // 1: refused (不予认定).
        Existing { received: "2016-03-02", recorded: "2016-03-02T02:00:00Z", steps: &["complete", "submit", "reject"] },
        // 2: received on the last day of 2016 and recorded in 2017: a 2016 number.
        Existing { received: "2016-12-31", recorded: "2017-01-02T01:00:00Z", steps: &["withdraw"] },
        // 3: approved.
        Existing {
            received: "2016-03-10",
            recorded: "2016-03-10T01:00:00Z",
            steps: &["complete", "submit", "approve"],
        },
        // 4: back-dated: received in January, recorded in May; the one-time notice served.
        Existing { received: "2016-01-05", recorded: "2016-05-01T03:00:00Z", steps: &["submit"] },
        // 5-7: 2017, recorded in the opposite order to that received.
        Existing { received: "2017-06-30", recorded: "2017-07-01T01:00:00Z", steps: &["submit", "reject"] },
        Existing { received: "2017-02-01", recorded: "2017-02-01T08:00:00Z", steps: &["withdraw"] },
        Existing { received: "2017-01-03", recorded: "2017-01-03T08:00:00Z", steps: &["complete", "submit"] },
    ];
    let expected = [
        "SQ-2016-000004",
        "SQ-2016-000002",
        "SQ-2016-000005",
        "SQ-2016-000003",
        "SQ-2016-000001",
        "SQ-2017-000003",
        "SQ-2017-000002",
        "SQ-2017-000001",
    ];
    for (store, _dir) in common::stores("application_numbers_migration").await {
        sqlx::migrate!("./migrations").run_to(20, store.pool()).await.unwrap();
        units::load_divisions(&store).await.unwrap();
        write_before_0021(&store, &existing).await;
        let states: Vec<String> =
            sqlx::query_scalar("SELECT state FROM applications ORDER BY id").fetch_all(store.pool()).await.unwrap();
        let mut kinds = states.clone();
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds, ["approved", "deficient", "draft", "rejected", "submitted", "withdrawn"], "{states:?}");

        store.init().await.unwrap();

        for (i, want) in expected.iter().enumerate() {
            let app = applications::load(&store, &format!("application-{i}")).await.unwrap().unwrap();
            assert_eq!((i, app.number.as_str()), (i, *want));
            assert_eq!(app.application.state().kind().code(), states[i], "the history still replays");
        }
        let counters: Vec<(i64, i64)> =
            sqlx::query_as("SELECT year, last_number FROM application_numbers ORDER BY year")
                .fetch_all(store.pool())
                .await
                .unwrap();
        assert_eq!(counters, [(2016, 5), (2017, 3)]);

        // Numbering goes on from where the migration left each year, and starts afresh in a new one.
        let category = || ApplicationCategory::hardship(H::MinimumLivingAllowanceOrLowIncome);
        let next =
            applications::open(&store, &person_id_number(2), category(), "clerk", d("2017-08-01")).await.unwrap();
        assert_eq!(next.number, "SQ-2017-000004");
        let refused = applications::open(&store, &person_id_number(2), category(), "clerk", d("2017-08-02")).await;
        assert!(matches!(refused, Err(ApplicationError::AlreadyOpen { .. })), "{refused:?}");
        let new_year =
            applications::open(&store, &person_id_number(6), category(), "clerk", d("2018-01-02")).await.unwrap();
        assert_eq!(new_year.number, "SQ-2018-000001");
    }
}
