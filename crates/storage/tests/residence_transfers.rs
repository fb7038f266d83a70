//! Moves of residence (居住地转移), on both databases: proposed, then accepted (the person moves)
//! or refused or withdrawn (nothing moves), or made at once; one open at a time; every step in the
//! person's history with both units.

mod common;

use yuanzhu_domain::UnitCode;
use yuanzhu_domain::residence_transfer::Side;
use yuanzhu_rules::{Lang, PolicySet};
use yuanzhu_storage::audit::{self, Verdict};
use yuanzhu_storage::residence_transfers::{self, Actor, Closing, TransferError};
use yuanzhu_storage::{Store, persons, units};

const HEADER: &str =
    "id_number,name,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted";
const ZHANG: &str = "440106197501011232";

async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let out = common::stores("residence_transfers").await;
    for (store, _) in &out {
        store.init().await.unwrap();
        units::add_community(store, "440104011001", "测试社区001", "440104011", true).await.unwrap();
        let rows = common::rows(HEADER, &[&format!("{ZHANG},张三,440104011001,2016-03-01,true,true,true,true")]);
        let known = persons::unit_codes(store).await.unwrap();
        persons::register_batch(store, &rows, &known, "test", &PolicySet::embedded(), Lang::Zh).await.unwrap();
    }
    out
}

const HERE: Actor<'static> = Actor { username: "here", account_id: "acc-here" };
const THERE: Actor<'static> = Actor { username: "there", account_id: "acc-there" };

fn unit(code: &str) -> UnitCode {
    UnitCode::parse(code).unwrap()
}

async fn residence(store: &Store) -> (String, i64) {
    let f = persons::file(store, ZHANG).await.unwrap().unwrap();
    (f.person.residence_unit, f.version)
}

#[tokio::test]
async fn a_proposed_move_takes_effect_when_the_other_side_accepts_it() {
    for (store, _dir) in stores().await {
        let (_, version) = residence(&store).await;
        let t = residence_transfers::start(&store, ZHANG, &unit("440104012"), Some(Side::From), Some("搬家"), HERE)
            .await
            .unwrap();
        assert_eq!(
            (t.state.as_str(), t.from_unit.as_str(), t.to_unit.as_str()),
            ("proposed", "440104011001", "440104012")
        );
        assert_eq!(residence(&store).await, ("440104011001".to_owned(), version), "nothing moves on a proposal");
        assert_eq!(
            residence_transfers::open_under(&store, "440104012", 10).await.unwrap().len(),
            1,
            "in the receiving unit's queue"
        );
        assert_eq!(
            residence_transfers::open_under(&store, "440104011", 10).await.unwrap().len(),
            1,
            "and in the sending unit's"
        );
        let done = residence_transfers::close(&store, &t.id, Closing::Accept, None, THERE).await.unwrap();
        assert_eq!((done.state.as_str(), done.decided_by.as_deref()), ("accepted", Some("there")));
        assert_eq!(residence(&store).await, ("440104012".to_owned(), version + 1));
        let file = persons::file(&store, ZHANG).await.unwrap().unwrap();
        let steps: Vec<(&str, &str)> = file
            .timeline
            .iter()
            .filter(|e| e.action.starts_with("transfer.") || e.action == "person.moved")
            .map(|e| (e.action.as_str(), e.actor.as_str()))
            .collect();
        assert_eq!(steps, [("transfer.proposed", "here"), ("transfer.accepted", "there"), ("person.moved", "there")]);
        for e in file.timeline.iter().filter(|e| e.action.starts_with("transfer.") || e.action == "person.moved") {
            let json = format!("{:?}{:?}", e.before, e.after);
            assert!(json.contains("440104011001") && json.contains("440104012"), "both units: {json}");
        }
        assert!(residence_transfers::open_under(&store, "440104", 10).await.unwrap().is_empty());
        assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
    }
}

#[tokio::test]
async fn a_refused_or_withdrawn_move_moves_nobody_and_one_move_is_open_at_a_time() {
    for (store, _dir) in stores().await {
        let before = residence(&store).await;
        let to = unit("440104012");
        let t = residence_transfers::start(&store, ZHANG, &to, Some(Side::To), None, THERE).await.unwrap();
        let again = residence_transfers::start(&store, ZHANG, &to, Some(Side::From), None, HERE).await;
        assert!(matches!(again, Err(TransferError::AlreadyOpen)), "{again:?}");
        residence_transfers::close(&store, &t.id, Closing::Refuse, Some("不在本辖区居住"), HERE).await.unwrap();
        let twice = residence_transfers::close(&store, &t.id, Closing::Accept, None, HERE).await;
        assert!(matches!(twice, Err(TransferError::Closed(_))), "{twice:?}");
        let t = residence_transfers::start(&store, ZHANG, &to, Some(Side::From), None, HERE).await.unwrap();
        residence_transfers::close(&store, &t.id, Closing::Withdraw, None, HERE).await.unwrap();
        assert_eq!(residence(&store).await, before);
        let all = residence_transfers::of_person(
            &store,
            &persons::file(&store, ZHANG).await.unwrap().unwrap().timeline[0].person_id.clone().unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(all.iter().map(|t| t.state.as_str()).collect::<Vec<_>>(), ["refused", "withdrawn"]);
    }
}

#[tokio::test]
async fn a_move_made_at_once_moves_the_person_in_one_step() {
    for (store, _dir) in stores().await {
        let (_, version) = residence(&store).await;
        let t = residence_transfers::start(&store, ZHANG, &unit("440104012"), None, None, HERE).await.unwrap();
        assert_eq!((t.state.as_str(), t.proposed_by_side.as_str()), ("done", "both"));
        assert_eq!(residence(&store).await, ("440104012".to_owned(), version + 1));
        let unknown = residence_transfers::start(&store, ZHANG, &unit("440199001"), None, None, HERE).await;
        assert!(matches!(unknown, Err(TransferError::UnknownUnit(_))), "{unknown:?}");
    }
}

#[tokio::test]
async fn accepting_a_move_of_a_person_who_moved_meanwhile_changes_nothing() {
    for (store, _dir) in stores().await {
        let t =
            residence_transfers::start(&store, ZHANG, &unit("440104012"), Some(Side::From), None, HERE).await.unwrap();
        sqlx::query("UPDATE persons SET residence_unit = '440104011' WHERE id_number = $1")
            .bind(ZHANG)
            .execute(store.pool())
            .await
            .unwrap();
        let r = residence_transfers::close(&store, &t.id, Closing::Accept, None, THERE).await;
        assert!(matches!(r, Err(TransferError::Moved)), "{r:?}");
        assert_eq!(residence_transfers::get(&store, &t.id).await.unwrap().unwrap().state, "proposed", "rolled back");
        assert_eq!(residence(&store).await.0, "440104011");
    }
}
