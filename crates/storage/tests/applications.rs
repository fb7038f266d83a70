//! Applications for recognition (穗人社发〔2014〕4号 第五条), told as stories and run on both
//! databases: SQLite (embedded) and PostgreSQL.

mod common;

use std::sync::LazyLock;

use yuanzhu_domain::application::{
    ApplicationCategory, Document as D, HardshipSubType as H, State, StateKind, TransitionError,
};
use yuanzhu_rules::{Date, Lang, PolicySet};
use yuanzhu_storage::applications::{self, ApplicationError, StoredApplication};
use yuanzhu_storage::audit::{self, Verdict};
use yuanzhu_storage::{Store, StoreError, persons};
use yuanzhu_web::words::Describe;

/// A fresh SQLite file, and a fresh PostgreSQL database when PostgreSQL is installed, each with
/// the unit tree and [`common::man`] registered.
async fn registries() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let out = common::stores("applications").await;
    for (store, _) in &out {
        store.init().await.unwrap();
        common::register(store, &[&common::man()], "importer").await;
    }
    out
}

/// The ID number of [`common::man`].
static ID: LazyLock<String> = LazyLock::new(|| common::man().id());

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn low_income() -> ApplicationCategory {
    ApplicationCategory::hardship(H::MinimumLivingAllowanceOrLowIncome)
}

const CHECKLIST: [D; 3] =
    [D::EmploymentUnemploymentCertificate, D::HardshipApplicationForm, D::MinimumLivingAllowanceOrLowIncomeCertificate];

/// Opened on 2016-03-02 with every document, and submitted the same day.
async fn submitted(store: &Store) -> StoredApplication {
    let on = d("2016-03-02");
    let mut app = applications::open(store, ID.as_str(), low_income(), "clerk", on).await.unwrap();
    for doc in CHECKLIST {
        app = applications::provide(store, &app.id, doc, "clerk", on, app.version).await.unwrap();
    }
    let app = applications::submit(store, &app.id, "clerk", on, app.version).await.unwrap();
    assert_eq!((app.application.state().kind(), app.version), (StateKind::Submitted, 5));
    app
}

async fn audit_events(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_events").fetch_one(store.pool()).await.unwrap()
}

fn refusal(r: Result<StoredApplication, ApplicationError>) -> TransitionError {
    match r {
        Err(ApplicationError::Transition(e)) => e,
        other => panic!("expected a refused transition, got {other:?}"),
    }
}

#[tokio::test]
async fn a_file_completed_after_the_one_time_notice_is_approved_and_the_person_recognised() {
    for (store, _dir) in registries().await {
        let on = d("2016-03-02");
        let app = applications::open(&store, ID.as_str(), low_income(), "clerk", on).await.unwrap();
        assert_eq!((app.version, app.unit_code.as_str(), app.application.state()), (1, "440104011", &State::Draft));
        let mut app = app;
        for doc in [D::EmploymentUnemploymentCertificate, D::HardshipApplicationForm] {
            app = applications::provide(&store, &app.id, doc, "clerk", on, app.version).await.unwrap();
        }
        // Submitting an incomplete file serves the one-time notice at once.
        let app = applications::submit(&store, &app.id, "clerk", on, app.version).await.unwrap();
        let State::Deficient { notice } = app.application.state() else { panic!("deficient") };
        assert_eq!(notice.missing(), [D::MinimumLivingAllowanceOrLowIncomeCertificate]);

        let waiting = applications::waiting_for_documents(&store, "440104", d("2016-03-10")).await.unwrap();
        assert_eq!(waiting.len(), 1);
        let w = &waiting[0];
        assert_eq!(
            (w.application_id.as_str(), w.id_number.as_str(), w.name.as_str()),
            (app.id.as_str(), ID.as_str(), "张三")
        );
        assert_eq!((w.notice_served_on, w.days_since_notice), (on, 8));
        assert_eq!(w.still_missing, [D::MinimumLivingAllowanceOrLowIncomeCertificate]);
        assert_eq!((w.deadline, w.days_left), (None, None), "第五条 sets no time to complete the file");
        assert_eq!(applications::waiting_for_documents(&store, "", d("2016-03-10")).await.unwrap(), waiting);
        assert!(applications::waiting_for_documents(&store, "440105", d("2016-03-10")).await.unwrap().is_empty());

        let on = d("2016-03-10");
        let cert = D::MinimumLivingAllowanceOrLowIncomeCertificate;
        let app = applications::provide(&store, &app.id, cert, "clerk", on, app.version).await.unwrap();
        let app = applications::submit(&store, &app.id, "clerk", on, app.version).await.unwrap();
        assert_eq!(app.application.state(), &State::Submitted { on });
        assert!(applications::waiting_for_documents(&store, "440104", on).await.unwrap().is_empty());

        let approved = applications::approve(
            &store,
            &PolicySet::embedded(),
            &app.id,
            "district-yuexiu",
            d("2016-03-15"),
            app.version,
        )
        .await
        .unwrap();
        assert_eq!((approved.application.state().kind(), approved.version), (StateKind::Approved, 7));
        assert_eq!(applications::load(&store, &app.id).await.unwrap(), Some(approved.clone()));
        assert_eq!(applications::of_person(&store, ID.as_str()).await.unwrap(), [approved]);

        let file = persons::file(&store, ID.as_str()).await.unwrap().unwrap();
        assert_eq!(file.categories, ["older_unemployed", "hardship_low_income"]);
        let r = file.recognitions.iter().find(|r| r.category == "hardship_low_income").unwrap();
        assert_eq!(
            (r.policy.as_str(), r.citation.as_str(), r.route.as_str(), r.decided_by.as_str(), r.recognized_on.as_str()),
            ("gz-2014-4", "第三条第（三）项第3目", "application", "district-yuexiu", "2016-03-15")
        );
        let actions: Vec<&str> = file.timeline.iter().map(|e| e.action.as_str()).skip(3).collect();
        assert_eq!(
            actions,
            [
                "application.opened",
                "application.document_provided",
                "application.document_provided",
                "application.submitted",
                "application.document_provided",
                "application.submitted",
                "application.approved",
                "recognition.granted",
            ]
        );
        let ours = &file.timeline[3..];
        assert!(ours.iter().all(|e| e.policy.as_deref() == Some("gz-2014-4")));
        assert!(ours[0].before.is_none() && ours[1..7].iter().all(|e| e.before.is_some() && e.after.is_some()));
        let submitted = ours[3].after.as_deref().unwrap();
        assert!(submitted.contains(r#""state":"deficient""#), "{submitted}");
        assert_eq!((ours[6].actor.as_str(), ours[7].actor.as_str()), ("district-yuexiu", "district-yuexiu"));
        assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
    }
}

#[tokio::test]
async fn a_refusal_needs_a_reason_keeps_it_and_recognises_nothing() {
    for (store, _dir) in registries().await {
        let app = submitted(&store).await;
        let events = audit_events(&store).await;
        for blank in ["", "  "] {
            let e = refusal(applications::reject(&store, &app.id, blank, "district", d("2016-03-05"), 5).await);
            assert_eq!((e.field(), e.code()), ("reason", "required"));
        }
        assert_eq!(audit_events(&store).await, events, "a refused change writes nothing");
        assert_eq!(applications::load(&store, &app.id).await.unwrap().unwrap().version, 5);

        let refused = applications::reject(&store, &app.id, " 家庭成员中有人就业 ", "district", d("2016-03-05"), 5)
            .await
            .unwrap();
        let loaded = applications::load(&store, &app.id).await.unwrap().unwrap();
        assert_eq!(loaded, refused);
        let State::Rejected { notice } = loaded.application.state() else { panic!("rejected") };
        assert_eq!(
            (notice.reason(), notice.served_on(), notice.served_by()),
            ("家庭成员中有人就业", d("2016-03-05"), "district")
        );

        let file = persons::file(&store, ID.as_str()).await.unwrap().unwrap();
        assert_eq!(file.categories, ["older_unemployed"]);
        let last = file.timeline.last().unwrap();
        assert_eq!((last.action.as_str(), last.actor.as_str()), ("application.rejected", "district"));
        assert!(last.after.as_deref().unwrap().contains("家庭成员中有人就业"));
        // A decided application is final.
        let e = refusal(applications::withdraw(&store, &app.id, "clerk", d("2016-03-06"), 6).await);
        assert_eq!((e.field(), e.code()), ("state", "not_allowed_in_state"));
        assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
    }
}

#[tokio::test]
async fn the_deficiency_notice_is_served_once_and_a_second_is_refused() {
    for (store, _dir) in registries().await {
        let app = submitted(&store).await;
        let on = d("2016-03-07");
        let form = D::HardshipApplicationForm;
        let app = applications::mark_deficient(&store, &app.id, &[form], "street", on, app.version).await.unwrap();
        let State::Deficient { notice } = app.application.state() else { panic!("deficient") };
        assert_eq!((notice.missing(), notice.served_on()), (&[form][..], on));
        let app = applications::provide(&store, &app.id, form, "clerk", on, app.version).await.unwrap();
        let app = applications::submit(&store, &app.id, "clerk", on, app.version).await.unwrap();
        assert_eq!(app.application.state().kind(), StateKind::Submitted);

        let events = audit_events(&store).await;
        let cert = D::MinimumLivingAllowanceOrLowIncomeCertificate;
        let e = refusal(applications::mark_deficient(&store, &app.id, &[cert], "street", on, app.version).await);
        assert_eq!(e, TransitionError::SecondDeficiencyNotice { served_on: on });
        let err = ApplicationError::Transition(e);
        assert_eq!(err.field(), Some("deficiency_notice"));
        assert!(err.message(Lang::Zh).contains("不能再次告知"), "{}", err.message(Lang::Zh));
        assert!(err.message(Lang::En).starts_with("deficiency_notice:"));
        assert_eq!(applications::load(&store, &app.id).await.unwrap(), Some(app));
        assert_eq!(audit_events(&store).await, events);
    }
}

#[tokio::test]
async fn resubmitting_without_what_the_notice_asked_for_is_refused() {
    for (store, _dir) in registries().await {
        let on = d("2016-03-02");
        let app = applications::open(&store, ID.as_str(), low_income(), "clerk", on).await.unwrap();
        let app = applications::submit(&store, &app.id, "clerk", on, app.version).await.unwrap();
        assert_eq!(app.application.state().kind(), StateKind::Deficient);
        let e = refusal(applications::submit(&store, &app.id, "clerk", on, app.version).await);
        assert_eq!((e.field(), e.code()), ("documents", "documents_still_missing"));
        // The caseworker may then refuse the incomplete file.
        let refused = applications::reject(&store, &app.id, "材料不齐", "district", on, app.version).await.unwrap();
        assert_eq!(refused.application.state().kind(), StateKind::Rejected);
    }
}

#[tokio::test]
async fn a_change_on_a_stale_version_is_refused_with_a_conflict() {
    for (store, _dir) in registries().await {
        let on = d("2016-03-02");
        let opened = applications::open(&store, ID.as_str(), low_income(), "clerk", on).await.unwrap();
        // Two caseworkers read version 1; the first one's change lands.
        let first =
            applications::provide(&store, &opened.id, D::HardshipApplicationForm, "clerk-a", on, 1).await.unwrap();
        assert_eq!(first.version, 2);
        let second =
            applications::provide(&store, &opened.id, D::EmploymentUnemploymentCertificate, "clerk-b", on, 1).await;
        let e = second.unwrap_err();
        assert!(matches!(e, ApplicationError::Store(StoreError::Conflict { expected: 1, found: 2 })), "{e:?}");
        assert_eq!((e.field(), e.code()), (Some("version"), "version_conflict"));
        assert!(e.message(Lang::Zh).starts_with("version（版本）"));
        let loaded = applications::load(&store, &opened.id).await.unwrap().unwrap();
        assert_eq!((loaded.version, loaded.application.documents().len()), (2, 1));

        let missing = applications::submit(&store, "no-such-application", "clerk", on, 1).await.unwrap_err();
        assert!(matches!(missing, ApplicationError::NotFound { .. }), "{missing:?}");
        assert_eq!(applications::load(&store, "no-such-application").await.unwrap(), None);
    }
}

#[tokio::test]
async fn two_decisions_at_once_one_lands_and_the_other_is_told_it_is_stale() {
    for (store, _dir) in registries().await {
        let app = submitted(&store).await;
        let on = d("2016-03-05");
        let policies = PolicySet::embedded();
        let (approved, rejected) = tokio::join!(
            applications::approve(&store, &policies, &app.id, "district-a", on, app.version),
            applications::reject(&store, &app.id, "理由", "district-b", on, app.version),
        );
        let stale = |r: &Result<StoredApplication, ApplicationError>| {
            matches!(r, Err(ApplicationError::Store(StoreError::Conflict { expected: 5, found: 6 })))
        };
        assert!(
            (approved.is_ok() && stale(&rejected)) || (rejected.is_ok() && stale(&approved)),
            "{approved:?} / {rejected:?}"
        );
        let recognised = persons::file(&store, ID.as_str())
            .await
            .unwrap()
            .unwrap()
            .categories
            .contains(&"hardship_low_income".into());
        assert_eq!(recognised, approved.is_ok());
        assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
    }
}

#[tokio::test]
async fn an_application_is_refused_for_an_unknown_person_a_held_category_or_one_already_open() {
    for (store, _dir) in registries().await {
        let on = d("2016-03-02");
        let e = applications::open(&store, "11010519491231002X", low_income(), "clerk", on).await.unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("id_number"), "person_not_found"));
        assert!(matches!(
            applications::of_person(&store, "11010519491231002X").await,
            Err(ApplicationError::PersonNotFound { .. })
        ));
        let e = applications::open(&store, ID.as_str(), low_income(), " ", on).await.unwrap_err();
        assert_eq!(e.field(), Some("by"));

        let app = submitted(&store).await;
        let e = applications::open(&store, ID.as_str(), low_income(), "clerk", on).await.unwrap_err();
        assert!(matches!(&e, ApplicationError::AlreadyOpen { application_id } if *application_id == app.id), "{e:?}");
        // Behind the check, the schema holds one undecided application per person and category.
        let twin = sqlx::query(
            "INSERT INTO applications (id, person_id, unit_code, policy, category, state, version, created_at, \
             updated_at) SELECT 'twin', person_id, unit_code, policy, category, 'draft', 1, created_at, updated_at \
             FROM applications WHERE id = $1",
        )
        .bind(&app.id)
        .execute(store.pool())
        .await;
        assert!(twin.is_err(), "a second undecided application for the category must not be stored");
        // Another category may be applied for alongside.
        let single_parent = ApplicationCategory::hardship(H::SingleParentHousehold);
        let other = applications::open(&store, ID.as_str(), single_parent, "clerk", on).await.unwrap();

        applications::approve(&store, &PolicySet::embedded(), &app.id, "district", d("2016-03-05"), app.version)
            .await
            .unwrap();
        let e = applications::open(&store, ID.as_str(), low_income(), "clerk", d("2016-04-01")).await.unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("category"), "already_recognised"));
        assert!(e.message(Lang::Zh).contains("2016-03-05"));
        let ids: Vec<String> =
            applications::of_person(&store, ID.as_str()).await.unwrap().into_iter().map(|a| a.id).collect();
        assert_eq!(ids, [app.id, other.id]);
    }
}

#[tokio::test]
async fn the_waiting_list_takes_a_unit_code_prefix_and_nothing_else() {
    for (store, _dir) in registries().await {
        for bad in ["44%", "4401_", "4401040110011", "东山"] {
            let e = applications::waiting_for_documents(&store, bad, d("2016-03-02")).await.unwrap_err();
            assert_eq!((e.field(), e.code()), (Some("unit"), "invalid_unit"), "{bad}");
        }
        assert!(applications::waiting_for_documents(&store, "4401", d("2016-03-02")).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_stored_history_that_disagrees_with_its_row_is_reported_as_corrupt() {
    for (store, _dir) in registries().await {
        let app = submitted(&store).await;
        sqlx::query("UPDATE applications SET state = 'approved' WHERE id = $1")
            .bind(&app.id)
            .execute(store.pool())
            .await
            .unwrap();
        let e = applications::load(&store, &app.id).await.unwrap_err();
        assert!(matches!(e, ApplicationError::Store(StoreError::Corrupt(_))), "{e:?}");
        assert!(e.to_string().contains(&app.id));
    }
}

/// 特困（大龄且连续失业6个月以上）, 第三条第（三）项第1目, which asks for a man of 45 and six
/// months of unemployment: [`common::man`] is 41 and his file says nothing of when it began.
fn long_term_older() -> ApplicationCategory {
    ApplicationCategory::hardship(H::LongTermOlder)
}

/// Opened on `on` with every document of `category`'s checklist, and submitted that day.
async fn submitted_for(store: &Store, category: ApplicationCategory, on: Date) -> StoredApplication {
    let mut app = applications::open(store, ID.as_str(), category, "clerk", on).await.unwrap();
    for doc in app.application.checklist() {
        app = applications::provide(store, &app.id, doc, "clerk", on, app.version).await.unwrap();
    }
    applications::submit(store, &app.id, "clerk", on, app.version).await.unwrap()
}

#[tokio::test]
async fn approval_refuses_what_the_rules_do_not_grant_as_of_the_day_received() {
    for (store, _dir) in registries().await {
        let app = submitted_for(&store, long_term_older(), d("2016-03-02")).await;
        let events = audit_events(&store).await;
        let e = applications::approve(&store, &PolicySet::embedded(), &app.id, "street", d("2016-03-05"), app.version)
            .await
            .unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("category"), "rules_not_met"));
        let ApplicationError::RulesNotMet { received_on, unmet, .. } = &e else { panic!("{e:?}") };
        assert_eq!(*received_on, d("2016-03-02"));
        assert_eq!(unmet.len(), 1, "{unmet:?}");
        assert_eq!(unmet[0].citation, "第三条第（三）项第1目");
        assert!(unmet[0].zh.contains("未满45周岁") && unmet[0].zh.contains("unemployed_since"), "{unmet:?}");
        let (zh, en) = (e.message(Lang::Zh), e.message(Lang::En));
        assert!(
            zh.starts_with("category（申请类别）：按穗人社发〔2014〕4号") && zh.contains("unemployed_since"),
            "{zh}"
        );
        assert!(zh.contains("特困失业人员（大龄且连续失业6个月以上）") && zh.contains("2016-03-02"), "{zh}");
        assert!(en.contains("as of 2016-03-02") && en.contains("6 months cannot be shown"), "{en}");
        // Nothing was written: the application waits, the person holds nothing new.
        let loaded = applications::load(&store, &app.id).await.unwrap().unwrap();
        assert_eq!((loaded.application.state().kind(), loaded.version), (StateKind::Submitted, app.version));
        assert_eq!(audit_events(&store).await, events);
        let file = persons::file(&store, ID.as_str()).await.unwrap().unwrap();
        assert!(!file.categories.contains(&"hardship_long_term_older".to_owned()), "{:?}", file.categories);
        // The facts are read at approval: with six months of unemployment shown, what is left
        // unmet is his age (41, under 45) alone.
        sqlx::query("UPDATE persons SET unemployed_since = '2015-08-01' WHERE id_number = $1")
            .bind(ID.as_str())
            .execute(store.pool())
            .await
            .unwrap();
        let e = applications::approve(&store, &PolicySet::embedded(), &app.id, "street", d("2016-03-05"), app.version)
            .await
            .unwrap_err();
        let zh = e.message(Lang::Zh);
        assert!(zh.contains("男，41周岁，未满45周岁") && !zh.contains("unemployed_since"), "{zh}");
    }
}

#[tokio::test]
async fn an_application_under_a_policy_not_in_force_on_the_day_received_is_not_approved() {
    for (store, _dir) in registries().await {
        // 穗人社发〔2014〕4号 expired on 2019-01-19; on 2026-12-07 粤人社规〔2023〕11号 is in force.
        let app = submitted_for(&store, low_income(), d("2026-12-07")).await;
        assert_eq!(app.application.received_on(), d("2026-12-07"));
        let e = applications::approve(&store, &PolicySet::embedded(), &app.id, "street", d("2026-12-07"), app.version)
            .await
            .unwrap_err();
        assert_eq!((e.field(), e.code()), (Some("category"), "policy_not_in_force"));
        assert!(
            matches!(&e, ApplicationError::PolicyNotInForce { in_force: Some(p), .. } if p == "gd-2023-11"),
            "{e:?}"
        );
        assert!(e.message(Lang::Zh).contains("gd-2023-11") && e.message(Lang::En).contains("2026-12-07"));
        let file = persons::file(&store, ID.as_str()).await.unwrap().unwrap();
        assert!(!file.categories.contains(&"hardship_low_income".to_owned()));
    }
}
