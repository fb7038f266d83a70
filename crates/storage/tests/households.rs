//! Households across units, on both databases: a claim to join a household whose members live
//! outside the registering unit is held for their unit, the person is not counted in the
//! household until it accepts, a refusal takes the household off the record, and a change of
//! the household's zero-employment status is told to every other member's unit.

mod common;

use yuanzhu_domain::UnitCode;
use yuanzhu_domain::registration::{Registration, read_csv};
use yuanzhu_rules::{Date, Lang, PolicySet};
use yuanzhu_storage::audit::{self, Verdict};
use yuanzhu_storage::households::joins::{self, Claim, JoinError, JoinState};
use yuanzhu_storage::households::{self, changes};
use yuanzhu_storage::{Store, employment, persons};

const HEADER: &str = "ref,id_number,name,residence_unit,registered_on,household_ref,relation,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted";
/// 王大明 of 海珠区 (440105001), head of household H1.
const HEAD: &str = "h,440105197503010317,王大明,440105001,2016-03-01,H1,户主,true,true,true,true";
const HEAD_ID: &str = "440105197503010317";
/// 陈小红 of 越秀区东山街道 (440104011), registered into H1 there.
const JOINER: &str = "j,440104197806010326,陈小红,440104011,2016-03-01,H1,配偶,true,true,true,true";
const JOINER_ID: &str = "440104197806010326";

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn unit(code: &str) -> UnitCode {
    UnitCode::parse(code).unwrap()
}

async fn register(store: &Store, line: &str) {
    let text = format!("{HEADER}\n{line}");
    let rows: Vec<Registration> =
        read_csv(text.as_bytes(), d("2026-11-26"), Lang::Zh).unwrap().into_iter().map(|r| r.unwrap()).collect();
    let units = persons::unit_codes(store).await.unwrap();
    let s = persons::register_batch(store, &rows, &units, "importer", &PolicySet::embedded(), Lang::Zh).await.unwrap();
    assert!(s.rejected.is_empty(), "{:?}", s.rejected);
}

const CLAIM: Claim<'static> = Claim { id_number: JOINER_ID, household_ref: "H1", relation: Some("配偶") };

/// H1 with its head, and 陈小红 registered into it from 东山街道 (the claim held first, as the
/// server does).
async fn claimed() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let mut out = Vec::new();
    for (store, dir) in common::stores("households").await {
        store.init().await.unwrap();
        register(&store, HEAD).await;
        let held = joins::hold(&store, &[CLAIM], &unit("440104011"), "here", d("2016-03-01")).await.unwrap();
        assert_eq!(held.len(), 1, "the head lives outside 东山街道");
        register(&store, JOINER).await;
        out.push((store, dir));
    }
    out
}

async fn members(store: &Store) -> Vec<String> {
    let h = households::household(store, "H1", d("2016-06-01")).await.unwrap().unwrap();
    h.members.into_iter().map(|m| m.id_number).collect()
}

#[tokio::test]
async fn a_person_joining_a_household_elsewhere_is_not_counted_until_that_unit_accepts() {
    for (store, _dir) in claimed().await {
        assert_eq!(members(&store).await, [HEAD_ID], "pending: not a member");
        let outside = joins::members_outside(&store, "H1", &unit("440104011")).await.unwrap();
        assert_eq!(outside.iter().map(|m| m.id_number.as_str()).collect::<Vec<_>>(), [HEAD_ID]);
        assert!(
            joins::members_outside(&store, "H1", &unit("440100")).await.unwrap().is_empty(),
            "the city reaches all"
        );
        // Her work does not change a household she is not in.
        let policies = PolicySet::embedded();
        employment::record(&store, &policies, JOINER_ID, d("2016-05-01"), None, "here", d("2016-05-01")).await.unwrap();
        assert!(households::household(&store, "H1", d("2016-06-01")).await.unwrap().unwrap().zero_employment);
        assert!(changes::unseen(&store).await.unwrap().is_empty());

        let pending = joins::pending(&store).await.unwrap();
        assert_eq!(pending.len(), 1);
        let (claim, outside) = &pending[0];
        assert_eq!((claim.state, claim.requested_unit.as_str()), (JoinState::Pending, "440104011"));
        assert_eq!(outside[0].id_number, HEAD_ID);
        let stale = joins::decide(&store, &claim.id, true, "there", d("2016-06-01"), None, claim.version + 1).await;
        assert!(matches!(stale, Err(JoinError::Store(_))), "{stale:?}");
        let accepted =
            joins::decide(&store, &claim.id, true, "there", d("2016-06-01"), None, claim.version).await.unwrap();
        assert_eq!(accepted.state, JoinState::Accepted);
        assert_eq!(members(&store).await, [JOINER_ID, HEAD_ID], "accepted: counted");
        assert!(
            !households::household(&store, "H1", d("2016-06-01")).await.unwrap().unwrap().zero_employment,
            "she works"
        );
        let again =
            joins::decide(&store, &claim.id, false, "there", d("2016-06-02"), Some("x"), accepted.version).await;
        assert!(matches!(again, Err(JoinError::AlreadyDecided { .. })), "{again:?}");
        // Registering her into H1 again claims nothing: she is a member.
        assert!(joins::hold(&store, &[CLAIM], &unit("440104011"), "here", d("2016-07-01")).await.unwrap().is_empty());
        assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
    }
}

#[tokio::test]
async fn a_refused_claim_takes_the_household_off_the_persons_record() {
    for (store, _dir) in claimed().await {
        let (claim, _) = joins::pending(&store).await.unwrap().remove(0);
        let bare = joins::decide(&store, &claim.id, false, "there", d("2016-06-01"), Some("  "), claim.version).await;
        assert!(matches!(bare, Err(JoinError::ReasonRequired)), "{bare:?}");
        let refused =
            joins::decide(&store, &claim.id, false, "there", d("2016-06-01"), Some("该户无此成员"), claim.version)
                .await
                .unwrap();
        assert_eq!((refused.state, refused.decision_note.as_deref()), (JoinState::Refused, Some("该户无此成员")));
        let file = persons::file(&store, JOINER_ID).await.unwrap().unwrap();
        assert_eq!((file.person.household_ref, file.person.relation), (None, None));
        let actions: Vec<&str> = file.timeline.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"household.join_refused") && actions.contains(&"person.updated"), "{actions:?}");
        assert_eq!(members(&store).await, [HEAD_ID]);
        assert!(joins::pending(&store).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn registering_where_every_member_is_reached_settles_an_open_claim() {
    for (store, _dir) in claimed().await {
        // The city reaches both units: what it registers needs no one's acceptance.
        let held = joins::hold(&store, &[CLAIM], &unit("440100"), "city", d("2016-06-01")).await.unwrap();
        assert!(held.is_empty());
        let claims = joins::of_person(&store, JOINER_ID).await.unwrap();
        assert_eq!((claims[0].state, claims[0].decided_by.as_deref()), (JoinState::Accepted, Some("city")));
        assert_eq!(members(&store).await.len(), 2);
    }
}

#[tokio::test]
async fn work_turning_a_household_around_tells_every_other_members_unit() {
    for (store, _dir) in claimed().await {
        let (claim, _) = joins::pending(&store).await.unwrap().remove(0);
        joins::decide(&store, &claim.id, true, "there", d("2016-03-02"), None, claim.version).await.unwrap();
        let policies = PolicySet::embedded();
        let job = employment::record(&store, &policies, JOINER_ID, d("2016-05-01"), None, "here", d("2016-05-01"))
            .await
            .unwrap()
            .employment;
        let told = changes::unseen(&store).await.unwrap();
        assert_eq!(told.len(), 1, "{told:?}");
        assert_eq!(
            (told[0].id_number.as_str(), told[0].on.as_str(), told[0].zero_employment, told[0].cause.as_str()),
            (HEAD_ID, "2016-05-01", false, "employment.recorded")
        );
        // The same job again changes nothing more.
        employment::record(&store, &policies, JOINER_ID, d("2016-05-01"), None, "here", d("2016-05-01")).await.unwrap();
        assert_eq!(changes::unseen(&store).await.unwrap().len(), 1);
        let seen = changes::mark_seen(&store, &told[0].id, "there").await.unwrap().unwrap();
        assert_eq!(seen.seen_by.as_deref(), Some("there"));
        assert!(changes::unseen(&store).await.unwrap().is_empty());
        // Her work ends: from the next day the household is zero-employment again, and he is told.
        employment::end(&store, JOINER_ID, &job.id, d("2016-08-31"), "here").await.unwrap();
        let told = changes::unseen(&store).await.unwrap();
        assert_eq!(
            (told[0].on.as_str(), told[0].zero_employment, told[0].cause.as_str()),
            ("2016-09-01", true, "employment.ended")
        );
        let file = persons::file(&store, HEAD_ID).await.unwrap().unwrap();
        assert!(file.timeline.iter().any(|e| e.action == "household.status_changed"), "in his own file");
        assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
    }
}
