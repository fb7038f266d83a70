//! Revocation in the registry (穗人社发〔2014〕4号 第六条; gd 第三章第五条), told once and run on both
//! databases: SQLite (embedded) and PostgreSQL.

mod common;

use yuanzhu_domain::Registration;
use yuanzhu_domain::registration::read_csv;
use yuanzhu_domain::revocation::{
    ContactChannel, ExitReason, HouseholdMember, MemberRecognition, ProposalError, Service, cascade,
};
use yuanzhu_rules::{Date, Lang, Policy, PolicySet};
use yuanzhu_storage::audit::{self, Verdict};
use yuanzhu_storage::revocations::{
    self, CHANNELS, ProposalState, RevocationError, SERVICES, SweepSummary, channel_code, service_code,
};
use yuanzhu_storage::{Store, StoreError, persons};

/// A fresh SQLite file, and a fresh PostgreSQL database when PostgreSQL is installed.
async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let out = common::stores("revocations").await;
    for (store, _) in &out {
        store.init().await.unwrap();
    }
    out
}

const HEADER: &str = "ref,id_number,name,phone,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,minimum_living_allowance,disabled";

fn rows(lines: &[&str]) -> Vec<Registration> {
    // A registration under gd-2023-11 answers whether the person is without work (it requires it).
    let header =
        if lines.iter().all(|l| l.contains(",2024-")) { format!("{HEADER},without_work") } else { HEADER.to_owned() };
    let lines = lines.iter().map(|l| if l.contains(",2024-") { format!("{l},true") } else { (*l).to_owned() });
    let text = std::iter::once(header).chain(lines).collect::<Vec<_>>().join("\n");
    read_csv(text.as_bytes(), d("2026-11-26"), Lang::Zh)
        .unwrap()
        .into_iter()
        .map(|r| r.expect("the test rows are valid"))
        .collect()
}

async fn import(store: &Store, lines: &[&str]) {
    let units = persons::unit_codes(store).await.unwrap();
    let s = persons::register_batch(store, &rows(lines), &units, "importer", &policies(), Lang::Zh).await.unwrap();
    assert!(s.rejected.is_empty(), "{:?}", s.rejected);
}

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn policies() -> PolicySet {
    PolicySet::embedded()
}

fn gz() -> Policy {
    policies().by_id("gz-2014-4").unwrap().clone()
}

fn gd() -> Policy {
    policies().by_id("gd-2023-11").unwrap().clone()
}

// 张三, born 1975-01-01 (41 in 2016), on 低保, registered at 越秀区东山街道 (440104011) on 2016-03-01:
// 大龄失业人员 is recognised automatically (第四条).
const ZHANG: &str = "440106197501011232";
const ZHANG_ROW: &str = "a,440106197501011232,张三,13800138000,440104011,2016-03-01,true,true,true,true,true,";
// 王五, born 1980 (36 in 2016), registered at 天河区五山街道 (440106001): no automatic category.
const WANG: &str = "440106198001011230";
const WANG_ROW: &str = "b,440106198001011230,王五,13900139000,440106001,2016-03-01,true,true,true,true,true,";

/// Recognition by application (第五条) as a decided application leaves it. The registry records
/// applications elsewhere; these tests need only the recognition row.
async fn grant(store: &Store, id_number: &str, policy: &str, category: &str, on: &str) {
    let policies = policies();
    let citation = &policies.by_id(policy).unwrap().categories.iter().find(|c| c.code == category).unwrap().citation;
    sqlx::query(
        "INSERT INTO recognitions (id, person_id, category, policy, citation, route, recognized_on, decided_by) \
         SELECT $1, id, $2, $3, $4, 'application', $5, 'district-reviewer' FROM persons WHERE id_number = $6",
    )
    .bind(format!("granted-{id_number}-{category}"))
    .bind(category)
    .bind(policy)
    .bind(citation.as_str())
    .bind(on)
    .bind(id_number)
    .execute(store.pool())
    .await
    .unwrap();
}

/// 张三 registered and recognised as 特困失业人员 (低保, 第三条第（三）项第3目) on 2016-03-15.
async fn zhang_in_hardship(store: &Store) {
    import(store, &[ZHANG_ROW]).await;
    grant(store, ZHANG, "gz-2014-4", "hardship_low_income", "2016-03-15").await;
}

async fn fail(store: &Store, id_number: &str, on: &str) {
    revocations::log_contact(store, id_number, d(on), ContactChannel::Phone, false, "", "clerk-a").await.unwrap();
}

async fn reach(store: &Store, id_number: &str, on: &str) {
    revocations::log_contact(store, id_number, d(on), ContactChannel::HomeVisit, true, "", "clerk-a").await.unwrap();
}

async fn sweep(store: &Store, on: &str) -> SweepSummary {
    revocations::propose_unreachable(store, &gz(), d(on), "system").await.unwrap()
}

async fn categories(store: &Store, id_number: &str) -> Vec<String> {
    persons::file(store, id_number).await.unwrap().unwrap().categories
}

async fn intact(store: &Store) -> bool {
    matches!(audit::verify(store).await.unwrap(), Verdict::Intact { .. })
}

// ---- the lost-contact rule (第六条第（五）项 连续1个月无法与其联络) ----

#[tokio::test]
async fn one_month_of_failed_contact_is_proposed_and_one_day_short_is_not() {
    for (store, _dir) in stores().await {
        zhang_in_hardship(&store).await;
        fail(&store, ZHANG, "2016-04-10").await;
        fail(&store, ZHANG, "2016-05-09").await;
        let short = sweep(&store, "2016-05-09").await;
        assert_eq!((short.listed, short.checked, short.proposed.len()), (true, 1, 0), "one day short");

        fail(&store, ZHANG, "2016-05-10").await;
        let s = sweep(&store, "2016-05-10").await;
        assert_eq!(s.proposed.len(), 1, "{:?}", store.backend());
        let open = revocations::open_proposals(&store, "").await.unwrap();
        assert_eq!(open.len(), 1);
        let p = &open[0];
        assert_eq!((p.id.as_str(), p.id_number.as_str(), p.name.as_str()), (s.proposed[0].as_str(), ZHANG, "张三"));
        assert_eq!(
            (p.reason, p.policy.as_str(), p.citation.as_str()),
            (ExitReason::LostContact, "gz-2014-4", "第六条第（五）项")
        );
        assert_eq!(
            p.grounds,
            serde_json::json!({"kind": "lost_contact", "since": "2016-04-10", "last_attempt": "2016-05-10", "failed_attempts": 3})
        );
        assert_eq!((p.proposed_on.as_str(), p.proposed_by.as_str(), p.by_rule), ("2016-05-10", "system", true));
        assert_eq!((p.state, p.version), (ProposalState::Proposed, 1));
        assert!(intact(&store).await);
    }
}

#[tokio::test]
async fn the_month_from_the_31st_ends_on_the_last_day_of_a_shorter_month() {
    for (store, _dir) in stores().await {
        zhang_in_hardship(&store).await;
        fail(&store, ZHANG, "2016-03-31").await;
        fail(&store, ZHANG, "2016-04-29").await;
        assert!(sweep(&store, "2016-04-29").await.proposed.is_empty());
        fail(&store, ZHANG, "2016-04-30").await;
        assert_eq!(sweep(&store, "2016-04-30").await.proposed.len(), 1, "31 March + 1 month = 30 April");
        let p = &revocations::open_proposals(&store, "").await.unwrap()[0];
        assert_eq!(p.grounds["since"], "2016-03-31");
    }
}

#[tokio::test]
async fn a_successful_contact_resets_the_month() {
    for (store, _dir) in stores().await {
        zhang_in_hardship(&store).await;
        fail(&store, ZHANG, "2016-04-10").await;
        reach(&store, ZHANG, "2016-04-20").await;
        fail(&store, ZHANG, "2016-04-21").await;
        fail(&store, ZHANG, "2016-05-10").await;
        assert!(sweep(&store, "2016-05-10").await.proposed.is_empty(), "the month starts again on 21 April");
        fail(&store, ZHANG, "2016-05-21").await;
        assert_eq!(sweep(&store, "2016-05-21").await.proposed.len(), 1);
        let p = &revocations::open_proposals(&store, "").await.unwrap()[0];
        assert_eq!(p.grounds["since"], "2016-04-21");
    }
}

#[tokio::test]
async fn registering_unemployment_in_person_counts_as_contact() {
    for (store, _dir) in stores().await {
        zhang_in_hardship(&store).await;
        fail(&store, ZHANG, "2016-04-10").await;
        import(&store, &[&ZHANG_ROW.replace("2016-03-01", "2016-04-20")]).await;
        fail(&store, ZHANG, "2016-05-10").await;
        assert!(sweep(&store, "2016-05-10").await.proposed.is_empty());
    }
}

#[tokio::test]
async fn running_the_rule_twice_proposes_once() {
    for (store, _dir) in stores().await {
        zhang_in_hardship(&store).await;
        fail(&store, ZHANG, "2016-04-10").await;
        fail(&store, ZHANG, "2016-05-10").await;
        assert_eq!(sweep(&store, "2016-05-10").await.proposed.len(), 1);
        let again = sweep(&store, "2016-05-10").await;
        assert_eq!((again.proposed.len(), again.already_open), (0, 1));
        fail(&store, ZHANG, "2016-05-20").await;
        assert!(sweep(&store, "2016-05-20").await.proposed.is_empty(), "still open: nothing new");
        let stored: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM revocation_proposals").fetch_one(store.pool()).await.unwrap();
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_events WHERE action = 'revocation.proposed'")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!((stored, events), (1, 1));
    }
}

#[tokio::test]
async fn under_gz_only_the_status_of_hardship_unemployed_persons_is_revoked() {
    // 第六条 revokes “特困失业人员”资格 (第三条第（三）项). 大龄失业人员, recognised automatically at
    // registration (第四条), is not named there, and stands.
    for (store, _dir) in stores().await {
        import(&store, &[ZHANG_ROW]).await;
        fail(&store, ZHANG, "2016-04-10").await;
        fail(&store, ZHANG, "2016-05-10").await;
        let s = sweep(&store, "2016-05-10").await;
        assert_eq!((s.checked, s.proposed.len()), (0, 0));
        let e = revocations::propose(
            &store,
            &policies(),
            ZHANG,
            ExitReason::Employed,
            "已签订劳动合同",
            "clerk-a",
            d("2016-05-10"),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, RevocationError::NothingToRevoke { .. }), "{e}");
        assert_eq!(e.field(), Some("reason"));
    }
}

// ---- review ----

/// 张三 proposed for lost contact on 2016-05-10; returns the proposal's id.
async fn proposed(store: &Store) -> String {
    zhang_in_hardship(store).await;
    fail(store, ZHANG, "2016-04-10").await;
    fail(store, ZHANG, "2016-05-10").await;
    sweep(store, "2016-05-10").await.proposed.pop().unwrap()
}

#[tokio::test]
async fn confirming_ends_the_recognition_and_the_file_no_longer_lists_it() {
    for (store, _dir) in stores().await {
        let id = proposed(&store).await;
        assert_eq!(categories(&store, ZHANG).await, ["older_unemployed", "hardship_low_income"]);
        let done = revocations::confirm(&store, &policies(), &id, "reviewer-b", d("2016-05-12"), 1).await.unwrap();
        assert_eq!(done.ended.iter().map(|e| e.category.as_str()).collect::<Vec<_>>(), ["hardship_low_income"]);
        assert!(done.ends_status);
        let p = &done.proposal;
        assert_eq!((p.state, p.version, p.decided_by.as_deref()), (ProposalState::Confirmed, 2, Some("reviewer-b")));
        assert_eq!(p.decided_on.as_deref(), Some("2016-05-12"));

        let file = persons::file(&store, ZHANG).await.unwrap().unwrap();
        assert_eq!(file.categories, ["older_unemployed"], "大龄 is not 特困 status and stands");
        let ended = file.recognitions.iter().find(|r| r.category == "hardship_low_income").unwrap();
        assert_eq!(
            (ended.ended_on.as_deref(), ended.end_reason.as_deref()),
            (Some("2016-05-12"), Some("lost_contact"))
        );
        let actions: Vec<&str> = file.timeline.iter().map(|e| e.action.as_str()).collect();
        assert!(
            actions.ends_with(&["revocation.proposed", "revocation.confirmed", "recognition.ended"]),
            "{actions:?}"
        );
        let event = file.timeline.last().unwrap();
        assert_eq!((event.actor.as_str(), event.policy.as_deref()), ("reviewer-b", Some("gz-2014-4")));
        assert!(event.before.as_deref().unwrap().contains("\"ended_on\":null"));
        assert!(event.after.as_deref().unwrap().contains("2016-05-12"));
        assert!(revocations::open_proposals(&store, "").await.unwrap().is_empty());
        assert_eq!(sweep(&store, "2016-06-30").await.checked, 0, "no status left to revoke");
        assert!(intact(&store).await);
    }
}

#[tokio::test]
async fn dismissing_keeps_the_recognition_and_the_judged_month_is_not_proposed_again() {
    for (store, _dir) in stores().await {
        let id = proposed(&store).await;
        let e =
            revocations::dismiss(&store, &policies(), &id, "reviewer-b", d("2016-05-12"), " ", 1).await.unwrap_err();
        assert!(matches!(e, RevocationError::Rejected(ProposalError::EmptyReason)), "{e}");
        let p =
            revocations::dismiss(&store, &policies(), &id, "reviewer-b", d("2016-05-12"), "住院治疗，非本人原因", 1)
                .await
                .unwrap();
        assert_eq!(
            (p.state, p.decision_note.as_deref(), p.version),
            (ProposalState::Dismissed, Some("住院治疗，非本人原因"), 2)
        );
        assert_eq!(categories(&store, ZHANG).await, ["older_unemployed", "hardship_low_income"]);
        assert!(sweep(&store, "2016-05-13").await.proposed.is_empty(), "the reviewer has judged that month");
        fail(&store, ZHANG, "2016-05-20").await;
        fail(&store, ZHANG, "2016-06-20").await;
        let again = sweep(&store, "2016-06-20").await;
        assert_eq!(again.proposed.len(), 1, "a new month of failed contact is new evidence");
        let open = revocations::open_proposals(&store, "").await.unwrap();
        assert_eq!(open[0].grounds["since"], "2016-05-20");
        let timeline = persons::file(&store, ZHANG).await.unwrap().unwrap().timeline;
        assert!(timeline.iter().any(|e| e.action == "revocation.dismissed" && e.actor == "reviewer-b"));
        assert!(intact(&store).await);
    }
}

#[tokio::test]
async fn the_reviewer_must_differ_from_the_proposer() {
    for (store, _dir) in stores().await {
        zhang_in_hardship(&store).await;
        let reported = revocations::propose(
            &store,
            &policies(),
            ZHANG,
            ExitReason::Employed,
            "已签订劳动合同",
            "clerk-a",
            d("2016-06-01"),
        )
        .await
        .unwrap();
        assert_eq!(reported.len(), 1);
        let p = &reported[0];
        assert_eq!((p.citation.as_str(), p.proposed_by.as_str(), p.by_rule), ("第六条第（一）项", "clerk-a", false));
        assert_eq!(p.grounds, serde_json::json!({"kind": "reported", "note": "已签订劳动合同"}));
        let e = revocations::confirm(&store, &policies(), &p.id, "clerk-a", d("2016-06-02"), 1).await.unwrap_err();
        assert!(matches!(e, RevocationError::Rejected(ProposalError::ReviewerIsProposer)), "{e}");
        assert_eq!(e.field(), Some("reviewer"));
        let e = revocations::dismiss(&store, &policies(), &p.id, "clerk-a", d("2016-06-02"), "合同未生效", 1)
            .await
            .unwrap_err();
        assert!(matches!(e, RevocationError::Rejected(ProposalError::ReviewerIsProposer)), "{e}");
        let e = revocations::confirm(&store, &policies(), &p.id, "clerk-b", d("2016-05-31"), 1).await.unwrap_err();
        assert!(matches!(e, RevocationError::Rejected(ProposalError::BeforeProposal { .. })), "{e}");
        assert_eq!(
            categories(&store, ZHANG).await,
            ["older_unemployed", "hardship_low_income"],
            "refusals change nothing"
        );
        let done = revocations::confirm(&store, &policies(), &p.id, "clerk-b", d("2016-06-02"), 1).await.unwrap();
        assert_eq!(done.ended[0].category, "hardship_low_income");
        assert!(intact(&store).await);
    }
}

#[tokio::test]
async fn whoever_ran_the_rule_cannot_decide_its_proposal() {
    for (store, _dir) in stores().await {
        zhang_in_hardship(&store).await;
        fail(&store, ZHANG, "2016-04-10").await;
        fail(&store, ZHANG, "2016-05-10").await;
        let s = revocations::propose_unreachable(&store, &gz(), d("2016-05-10"), "clerk-a").await.unwrap();
        let e =
            revocations::confirm(&store, &policies(), &s.proposed[0], "clerk-a", d("2016-05-11"), 1).await.unwrap_err();
        assert!(matches!(e, RevocationError::Rejected(ProposalError::ReviewerIsProposer)), "{e}");
        revocations::confirm(&store, &policies(), &s.proposed[0], "clerk-b", d("2016-05-11"), 1).await.unwrap();
    }
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_and_a_decided_proposal_stays_decided() {
    for (store, _dir) in stores().await {
        let id = proposed(&store).await;
        let e =
            revocations::dismiss(&store, &policies(), &id, "reviewer-b", d("2016-05-12"), "住院", 2).await.unwrap_err();
        assert!(matches!(e, RevocationError::Store(StoreError::Conflict { expected: 2, found: 1 })), "{e}");
        revocations::confirm(&store, &policies(), &id, "reviewer-b", d("2016-05-12"), 1).await.unwrap();
        let e = revocations::confirm(&store, &policies(), &id, "reviewer-c", d("2016-05-12"), 1).await.unwrap_err();
        assert!(matches!(e, RevocationError::Store(StoreError::Conflict { expected: 1, found: 2 })), "{e}");
        let e =
            revocations::dismiss(&store, &policies(), &id, "reviewer-c", d("2016-05-13"), "住院", 2).await.unwrap_err();
        assert!(matches!(e, RevocationError::AlreadyDecided { state: ProposalState::Confirmed, .. }), "{e}");
        let e = revocations::confirm(&store, &policies(), "no-such-id", "reviewer-c", d("2016-05-13"), 1)
            .await
            .unwrap_err();
        assert!(matches!(e, RevocationError::UnknownProposal(_)), "{e}");
    }
}

#[tokio::test]
async fn a_reported_reason_must_be_in_the_policy_and_reporting_twice_proposes_once() {
    for (store, _dir) in stores().await {
        zhang_in_hardship(&store).await;
        let on = d("2016-06-01");
        let report = |reason, note: &'static str| {
            let store = store.clone();
            async move { revocations::propose(&store, &policies(), ZHANG, reason, note, "clerk-a", on).await }
        };
        let e = report(ExitReason::CriminalSentence, "判处有期徒刑").await.unwrap_err();
        assert!(matches!(e, RevocationError::Rejected(ProposalError::ReasonNotInPolicy { .. })), "{e}");
        let e = report(ExitReason::WrittenWaiver, "  ").await.unwrap_err();
        assert!(matches!(e, RevocationError::Rejected(ProposalError::EmptyNote)), "{e}");
        let e = report(ExitReason::FamilyMemberEmployed, "女儿就业").await.unwrap_err();
        assert!(matches!(e, RevocationError::HouseholdReason), "{e}");
        let e = revocations::propose(&store, &policies(), WANG, ExitReason::Employed, "就业", "clerk-a", on)
            .await
            .unwrap_err();
        assert!(matches!(e, RevocationError::UnknownPerson(_)), "{e}");
        let first = report(ExitReason::WrittenWaiver, "本人书面放弃").await.unwrap();
        let second = report(ExitReason::WrittenWaiver, "本人书面放弃").await.unwrap();
        assert_eq!(first[0].id, second[0].id, "a double click proposes once");
        assert_eq!(first[0].citation, "第六条第（三）项");
        assert_eq!(revocations::proposals_of(&store, ZHANG).await.unwrap().len(), 1);
    }
}

// ---- queues ----

#[tokio::test]
async fn the_caseworker_queue_shows_who_is_about_to_become_unreachable_by_unit() {
    for (store, _dir) in stores().await {
        zhang_in_hardship(&store).await;
        import(&store, &[WANG_ROW]).await;
        grant(&store, WANG, "gz-2014-4", "hardship_single_parent", "2016-03-15").await;
        fail(&store, ZHANG, "2016-04-10").await;
        fail(&store, WANG, "2016-04-12").await;
        let queue = |prefix: &'static str, on: &'static str, days| {
            let store = store.clone();
            async move {
                revocations::about_to_become_unreachable(&store, &policies(), prefix, d(on), days)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|c| (c.id_number, c.due, c.overdue))
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(
            queue("", "2016-05-03", 7).await,
            [(ZHANG.to_owned(), "2016-05-10".to_owned(), false)],
            "王五 is due on 12 May, 9 days away"
        );
        assert_eq!(queue("", "2016-05-05", 7).await.len(), 2);
        assert_eq!(queue("440106", "2016-05-05", 7).await, [(WANG.to_owned(), "2016-05-12".to_owned(), false)]);
        assert_eq!(queue("440104011", "2016-05-11", 0).await, [(ZHANG.to_owned(), "2016-05-10".to_owned(), true)]);
        let due = &revocations::about_to_become_unreachable(&store, &policies(), "440104", d("2016-05-05"), 7)
            .await
            .unwrap()[0];
        assert_eq!(
            (due.name.as_str(), due.phone.as_deref(), due.policy.as_str()),
            ("张三", Some("13800138000"), "gz-2014-4")
        );

        fail(&store, ZHANG, "2016-05-10").await;
        fail(&store, WANG, "2016-05-12").await;
        assert_eq!(sweep(&store, "2016-05-12").await.proposed.len(), 2);
        assert!(queue("", "2016-05-12", 30).await.is_empty(), "both are with the reviewer now");
        assert_eq!(revocations::open_proposals(&store, "4401").await.unwrap().len(), 2);
        let yuexiu = revocations::open_proposals(&store, "440104").await.unwrap();
        assert_eq!(yuexiu.iter().map(|p| p.id_number.as_str()).collect::<Vec<_>>(), [ZHANG]);
        let e = revocations::open_proposals(&store, "4401%").await.unwrap_err();
        assert_eq!(e.field(), Some("unit"));
    }
}

/// The queue on `on`, looking `days` ahead, as (ID number, due, overdue).
async fn queue(store: &Store, prefix: &str, on: &str, days: u32) -> Vec<(String, String, bool)> {
    revocations::about_to_become_unreachable(store, &policies(), prefix, d(on), days)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.id_number, c.due, c.overdue))
        .collect()
}

/// What the person's row keeps of their contacts: (start of the run of failed attempts, latest attempt).
async fn kept(store: &Store, id_number: &str) -> (Option<String>, Option<String>) {
    sqlx::query_as("SELECT contact_run_from, last_contact_on FROM persons WHERE id_number = $1")
        .bind(id_number)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

fn due(id_number: &str, on: &str) -> Vec<(String, String, bool)> {
    vec![(id_number.to_owned(), on.to_owned(), false)]
}

#[tokio::test]
async fn each_logged_contact_moves_the_person_in_or_out_of_the_queue() {
    for (store, _dir) in stores().await {
        zhang_in_hardship(&store).await;
        assert_eq!(kept(&store, ZHANG).await, (None, None), "never contacted");
        fail(&store, ZHANG, "2016-04-10").await;
        assert_eq!(queue(&store, "440104", "2016-05-05", 7).await, due(ZHANG, "2016-05-10"));

        reach(&store, ZHANG, "2016-05-01").await;
        assert_eq!(kept(&store, ZHANG).await, (None, Some("2016-05-01".to_owned())));
        assert!(queue(&store, "440104", "2016-05-05", 7).await.is_empty(), "reached: the month starts again");

        fail(&store, ZHANG, "2016-05-03").await;
        fail(&store, ZHANG, "2016-05-20").await;
        assert_eq!(kept(&store, ZHANG).await, (Some("2016-05-03".to_owned()), Some("2016-05-20".to_owned())));
        assert_eq!(queue(&store, "440104", "2016-05-30", 7).await, due(ZHANG, "2016-06-03"));

        // Logged late: a failure before the last success changes nothing; a success after the
        // first failure of the run ends that run, and the next failure starts another.
        fail(&store, ZHANG, "2016-04-20").await;
        assert_eq!(queue(&store, "440104", "2016-05-30", 7).await, due(ZHANG, "2016-06-03"));
        reach(&store, ZHANG, "2016-05-10").await;
        assert_eq!(kept(&store, ZHANG).await, (Some("2016-05-20".to_owned()), Some("2016-05-20".to_owned())));
        assert!(queue(&store, "440104", "2016-05-30", 7).await.is_empty(), "due on 20 June now");
        assert_eq!(queue(&store, "440104", "2016-06-13", 7).await, due(ZHANG, "2016-06-20"));
        reach(&store, ZHANG, "2016-05-25").await;
        assert!(queue(&store, "440104", "2016-06-13", 7).await.is_empty());
    }
}

#[tokio::test]
async fn the_queue_on_a_past_day_reads_only_the_attempts_made_by_then() {
    for (store, _dir) in stores().await {
        zhang_in_hardship(&store).await;
        fail(&store, ZHANG, "2016-04-10").await;
        reach(&store, ZHANG, "2016-05-20").await;
        assert_eq!(queue(&store, "", "2016-05-05", 7).await, due(ZHANG, "2016-05-10"), "not reached by 5 May");
        assert!(queue(&store, "", "2016-05-20", 7).await.is_empty());
    }
}

#[tokio::test]
async fn under_gd_the_queue_shows_the_day_after_six_months() {
    for (store, _dir) in stores().await {
        gd_household(&store).await;
        fail(&store, CHEN, "2024-03-31").await;
        assert!(queue(&store, "440106", "2024-09-25", 5).await.is_empty(), "due on 1 October, six days away");
        assert_eq!(queue(&store, "440106", "2024-09-25", 6).await, due(CHEN, "2024-10-01"));
    }
}

#[tokio::test]
async fn the_migration_keeps_on_each_person_what_logging_a_contact_keeps() {
    for (store, _dir) in stores().await {
        zhang_in_hardship(&store).await;
        import(&store, &[WANG_ROW]).await;
        fail(&store, ZHANG, "2016-04-10").await;
        reach(&store, ZHANG, "2016-04-20").await;
        fail(&store, ZHANG, "2016-04-21").await;
        fail(&store, ZHANG, "2016-04-30").await;
        reach(&store, WANG, "2016-04-10").await;
        let logged = (kept(&store, ZHANG).await, kept(&store, WANG).await);
        assert_eq!(logged.0, (Some("2016-04-21".to_owned()), Some("2016-04-30".to_owned())));

        // The registry as it stood before migration 0009, then that migration's backfill.
        sqlx::query("UPDATE persons SET contact_run_from = NULL, last_contact_on = NULL")
            .execute(store.pool())
            .await
            .unwrap();
        let migration = include_str!("../migrations/0009_contact_run.sql");
        let statements: Vec<String> = migration
            .split(';')
            .map(|s| s.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n"))
            .filter(|s| s.trim_start().starts_with("UPDATE"))
            .collect();
        assert_eq!(statements.len(), 1);
        sqlx::query(sqlx::AssertSqlSafe(statements[0].clone())).execute(store.pool()).await.unwrap();
        assert_eq!((kept(&store, ZHANG).await, kept(&store, WANG).await), logged);
    }
}

// ---- contact and refusal logs ----

#[tokio::test]
async fn logging_a_contact_takes_two_clicks() {
    for (store, _dir) in stores().await {
        import(&store, &[ZHANG_ROW]).await;
        let logged =
            revocations::log_contact(&store, ZHANG, d("2016-04-10"), ContactChannel::Phone, false, " ", "clerk-a")
                .await
                .unwrap();
        assert_eq!(logged.note, "电话未接通", "a blank note takes the usual wording");
        revocations::log_contact(&store, ZHANG, d("2016-04-11"), ContactChannel::AtOffice, true, "来所咨询", "clerk-a")
            .await
            .unwrap();
        let list = revocations::contacts(&store, ZHANG).await.unwrap();
        assert_eq!(
            list.iter().map(|c| (c.on.as_str(), c.channel, c.reached)).collect::<Vec<_>>(),
            [("2016-04-10", ContactChannel::Phone, false), ("2016-04-11", ContactChannel::AtOffice, true)]
        );
        let timeline = persons::file(&store, ZHANG).await.unwrap().unwrap().timeline;
        let event = timeline.iter().find(|e| e.action == "contact.logged").unwrap();
        assert_eq!((event.actor.as_str(), event.entity_id.as_str()), ("clerk-a", logged.id.as_str()));
        assert!(event.after.as_deref().unwrap().contains("电话未接通"));

        let e =
            revocations::log_contact(&store, ZHANG, d("2016-04-12"), ContactChannel::AtOffice, false, "", "clerk-a")
                .await
                .unwrap_err();
        assert_eq!(e.field(), Some("reached"));
        let e = revocations::log_contact(&store, ZHANG, d("2016-04-12"), ContactChannel::Phone, false, "", " ")
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("actor"));
        let e = revocations::log_contact(&store, WANG, d("2016-04-12"), ContactChannel::Phone, false, "", "clerk-a")
            .await
            .unwrap_err();
        assert!(matches!(e, RevocationError::UnknownPerson(_)), "{e}");
        assert!(intact(&store).await);
    }
}

#[test]
fn stored_codes_are_the_domain_names() {
    for c in CHANNELS {
        assert_eq!(serde_json::to_value(c).unwrap(), channel_code(c));
        assert_eq!(revocations::parse_channel(channel_code(c)), Some(c));
    }
    for s in SERVICES {
        assert_eq!(serde_json::to_value(s).unwrap(), service_code(s));
        assert_eq!(revocations::parse_service(service_code(s)), Some(s));
    }
}

#[tokio::test]
async fn under_gz_one_refusal_of_services_is_proposed() {
    // 第六条第（二）项 names no number: one refusal is proposed, and the reviewer judges it.
    for (store, _dir) in stores().await {
        zhang_in_hardship(&store).await;
        revocations::log_refusal(&store, ZHANG, d("2016-04-01"), Service::JobReferral, "拒绝推荐的保安岗位", "clerk-a")
            .await
            .unwrap();
        let s = revocations::propose_refused_services(&store, &gz(), d("2016-04-02"), "system").await.unwrap();
        assert_eq!(s.proposed.len(), 1);
        let p = revocations::proposal(&store, &s.proposed[0]).await.unwrap().unwrap();
        assert_eq!((p.reason, p.citation.as_str()), (ExitReason::RefusedServices, "第六条第（二）项"));
        assert_eq!(p.grounds["window"]["count"], 1);
        let again = revocations::propose_refused_services(&store, &gz(), d("2016-04-03"), "system").await.unwrap();
        assert!(again.proposed.is_empty());
    }
}

// ---- gd-2023-11 ----

// Registered in 2024, when gd-2023-11 is in force (every category by application).
const LI: &str = "440106197805122345";
const ZHAO: &str = "440106197008153456";
const CHEN: &str = "440106198503034563";
const DAUGHTER: &str = "440106199006065670";

async fn gd_household(store: &Store) {
    import(
        store,
        &[
            "l,440106197805122345,李四,,440106001,2024-03-01,true,true,true,true,,",
            "z,440106197008153456,赵六,,440106001,2024-03-01,true,true,true,true,,true",
            "c,440106198503034563,陈七,,440106001,2024-03-01,true,true,true,true,,",
        ],
    )
    .await;
    grant(store, LI, "gd-2023-11", "urban_zero_employment_family", "2024-03-10").await;
    grant(store, ZHAO, "gd-2023-11", "urban_zero_employment_family", "2024-03-10").await;
    grant(store, ZHAO, "gd-2023-11", "disabled", "2024-03-10").await;
    grant(store, CHEN, "gd-2023-11", "minimum_living_allowance", "2024-03-10").await;
}

#[tokio::test]
async fn under_gd_a_family_member_finding_work_ends_only_the_family_basis() {
    for (store, _dir) in stores().await {
        gd_household(&store).await;
        let recognised = |person: &str, categories: &[&str]| HouseholdMember {
            person: person.to_owned(),
            recognition: Some(MemberRecognition {
                policy: "gd-2023-11".into(),
                categories: categories.iter().map(|c| (*c).to_owned()).collect(),
            }),
            employed_on: None,
        };
        let household = [
            HouseholdMember { person: DAUGHTER.to_owned(), recognition: None, employed_on: Some(d("2024-05-01")) },
            recognised(LI, &["urban_zero_employment_family"]),
            recognised(ZHAO, &["disabled", "urban_zero_employment_family"]),
            recognised(CHEN, &["minimum_living_allowance"]),
        ];
        let proposals = cascade(&gd(), &household, d("2024-05-10"));
        let stored = revocations::submit(&store, &proposals, "system").await.unwrap();
        assert_eq!(stored.iter().map(|p| p.id_number.as_str()).collect::<Vec<_>>(), [LI, ZHAO]);
        assert!(stored.iter().all(|p| p.by_rule && p.citation == "第三章第五条第（六）项"));

        let zhao = &stored[1];
        let done = revocations::confirm(&store, &policies(), &zhao.id, "reviewer-b", d("2024-05-12"), 1).await.unwrap();
        assert_eq!(
            done.ended.iter().map(|e| e.category.as_str()).collect::<Vec<_>>(),
            ["urban_zero_employment_family"]
        );
        assert!(!done.ends_status, "赵六 remains recognised as disabled");
        assert_eq!(categories(&store, ZHAO).await, ["disabled"]);
        let li =
            revocations::confirm(&store, &policies(), &stored[0].id, "reviewer-b", d("2024-05-12"), 1).await.unwrap();
        assert!(li.ends_status);
        assert!(categories(&store, LI).await.is_empty());
        assert_eq!(categories(&store, CHEN).await, ["minimum_living_allowance"]);
        assert!(intact(&store).await);
    }
}

#[tokio::test]
async fn under_gd_lost_contact_needs_more_than_six_months() {
    for (store, _dir) in stores().await {
        gd_household(&store).await;
        fail(&store, CHEN, "2024-03-31").await;
        fail(&store, CHEN, "2024-09-30").await;
        let s = revocations::propose_unreachable(&store, &gd(), d("2024-09-30"), "system").await.unwrap();
        assert_eq!((s.checked, s.proposed.len()), (3, 0), "six months exactly is not more than six");
        fail(&store, CHEN, "2024-10-01").await;
        let s = revocations::propose_unreachable(&store, &gd(), d("2024-10-01"), "system").await.unwrap();
        assert_eq!(s.proposed.len(), 1);
        let p = revocations::proposal(&store, &s.proposed[0]).await.unwrap().unwrap();
        assert_eq!((p.id_number.as_str(), p.citation.as_str()), (CHEN, "第三章第五条第（十）项"));
        let none = revocations::propose_unreachable(&store, &gz(), d("2024-10-01"), "system").await.unwrap();
        assert_eq!(none.checked, 0, "no one holds status under gz-2014-4");
    }
}
