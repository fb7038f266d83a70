//! Finding persons within a user's reach, assignments to social workers and the record of who
//! opened which file, on both databases.

mod common;

use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::{Role, Target};
use yuanzhu_domain::registration::read_csv;
use yuanzhu_rules::{Date, Lang, PolicySet};
use yuanzhu_storage::accounts::{self, Account};
use yuanzhu_storage::audit::{self, Verdict};
use yuanzhu_storage::search::{self, Scope};
use yuanzhu_storage::{Store, persons, sessions};
use yuanzhu_web::words::Describe;

const HEADER: &str = "ref,id_number,name,phone,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,minimum_living_allowance,disabled";

// 张三 (1975) is recognised as older unemployed at registration in 2016 (gz-2014-4 第三条第（一）项);
// the others registered in 2020, between the policies, and hold no category.
const ZHANG_1975: &str = "440106197501011232";
const ZHANG_1990: &str = "440106199005051234";
const ZHANG_SANFENG: &str = "440106198002021019";
const WANG: &str = "440105198503032027";
const LI: &str = "440106197501011240";
const ROWS: [&str; 5] = [
    "a,440106197501011232,张三,13800138000,440104011,2016-03-01,true,true,true,true,true,",
    "b,440106199005051234,张三,13900139000,440104011,2020-03-01,true,true,true,true,,",
    "c,440106198002021019,张三丰,,440104003,2020-03-01,true,true,true,true,,",
    "d,440105198503032027,王五,,440105001,2020-03-01,true,true,true,true,,",
    "e,440106197501011240,李四,,440105002,2020-03-01,true,true,true,true,,",
];

/// A store on each database, initialised and holding the five persons above.
async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let stores = common::stores("search").await;
    let text = std::iter::once(HEADER).chain(ROWS).collect::<Vec<_>>().join("\n");
    let rows: Vec<_> = read_csv(text.as_bytes(), Date::parse("2026-11-26").unwrap(), Lang::Zh)
        .unwrap()
        .into_iter()
        .map(|r| r.expect("the test rows are valid"))
        .collect();
    for (store, _) in &stores {
        store.init().await.unwrap();
        let units = persons::unit_codes(store).await.unwrap();
        persons::register_batch(store, &rows, &units, "importer", &PolicySet::embedded(), Lang::Zh).await.unwrap();
    }
    stores
}

async fn ids(store: &Store, q: &str, scope: Scope<'_>) -> Vec<String> {
    search::search(store, q, scope, 50).await.unwrap().into_iter().map(|h| h.id_number).collect()
}

const CITY: Scope<'static> = Scope::Units("440100");

fn unit(code: &str) -> UnitCode {
    UnitCode::parse(code).unwrap()
}

async fn social_worker(store: &Store, name: &str) -> Account {
    accounts::create(store, name, Role::SocialWorker, &unit("440104"), "hash", "admin").await.unwrap()
}

#[tokio::test]
async fn finds_by_full_id_legacy_id_phone_and_id_prefix() {
    for (store, _dir) in stores().await {
        assert_eq!(ids(&store, " 440106197501011232 ", CITY).await, [ZHANG_1975]);
        // The 15-digit first-generation number of the same person, upgraded.
        assert_eq!(ids(&store, "440106750101123", CITY).await, [ZHANG_1975]);
        assert_eq!(ids(&store, "13900139000", CITY).await, [ZHANG_1990]);
        assert_eq!(ids(&store, "139-0013-9000", CITY).await, [ZHANG_1990]);
        assert_eq!(ids(&store, "4401061975", CITY).await, [ZHANG_1975, LI]);
        assert_eq!(ids(&store, "4401", CITY).await.len(), 5);
        assert!(ids(&store, "440106197501011233", CITY).await.is_empty(), "no such number");
        assert!(ids(&store, "   ", CITY).await.is_empty());
    }
}

#[tokio::test]
async fn a_name_finds_exact_matches_then_names_that_start_with_it() {
    for (store, _dir) in stores().await {
        assert_eq!(ids(&store, "张三", CITY).await, [ZHANG_1975, ZHANG_1990, ZHANG_SANFENG]);
        assert_eq!(ids(&store, "张", CITY).await, [ZHANG_1975, ZHANG_1990, ZHANG_SANFENG]);
        assert_eq!(ids(&store, "张三丰", CITY).await, [ZHANG_SANFENG]);
        assert_eq!(ids(&store, "王五", CITY).await, [WANG]);
        assert!(ids(&store, "张%", CITY).await.is_empty(), "wildcards are taken literally");
        let first = search::search(&store, "张", CITY, 1).await.unwrap();
        assert_eq!(first.len(), 1);
        let hit = &first[0];
        assert_eq!(
            (hit.name.as_str(), hit.sex.as_str(), hit.birth_date.as_str(), hit.phone.as_deref()),
            ("张三", "male", "1975-01-01", Some("13800138000"))
        );
        assert_eq!(
            (hit.residence_unit.as_str(), hit.categories.clone()),
            ("440104011", vec!["older_unemployed".into()])
        );
        let all = search::search(&store, "张", CITY, 1000).await.unwrap();
        assert!(all[1..].iter().all(|h| h.categories.is_empty()), "{all:?}");
    }
}

#[tokio::test]
async fn a_unit_sees_its_subtree_and_persons_whose_hukou_is_in_it() {
    for (store, _dir) in stores().await {
        let yuexiu = Scope::Units("440104");
        let haizhu = Scope::Units("440105");
        assert_eq!(ids(&store, "张", yuexiu).await.len(), 3);
        assert!(ids(&store, "张", haizhu).await.is_empty());
        assert!(ids(&store, ZHANG_1975, Scope::Units("440104003")).await.is_empty(), "another street");
        assert_eq!(ids(&store, ZHANG_1975, Scope::Units("440104011")).await, [ZHANG_1975]);
        assert_eq!(ids(&store, "李四", haizhu).await, [LI]);
        assert!(ids(&store, "13800138000", haizhu).await.is_empty());

        search::set_hukou_unit(&store, ZHANG_SANFENG, Some(&unit("440105001")), "clerk").await.unwrap();
        assert_eq!(ids(&store, "张", haizhu).await, [ZHANG_SANFENG]);
        assert_eq!(ids(&store, "张", Scope::Units("440105001")).await, [ZHANG_SANFENG]);
        assert_eq!(ids(&store, "张", yuexiu).await.len(), 3, "the unit of residence still sees him");
        let file = persons::file(&store, ZHANG_SANFENG).await.unwrap().unwrap();
        assert_eq!(file.version, 2);
        assert_eq!(file.timeline.last().unwrap().action, "person.hukou_unit_set");
        // Setting it again changes nothing; clearing it hides him from Haizhu again.
        search::set_hukou_unit(&store, ZHANG_SANFENG, Some(&unit("440105001")), "clerk").await.unwrap();
        assert_eq!(persons::file(&store, ZHANG_SANFENG).await.unwrap().unwrap().version, 2);
        search::set_hukou_unit(&store, ZHANG_SANFENG, None, "clerk").await.unwrap();
        assert!(ids(&store, "张", haizhu).await.is_empty());
        assert!(search::set_hukou_unit(&store, ZHANG_SANFENG, Some(&unit("440199001")), "clerk").await.is_err());
        assert!(search::set_hukou_unit(&store, "440106197501011259", None, "clerk").await.is_err());
    }
}

/// A street's or a community's search reads its own persons first, a district's or the city's
/// the key's index first (`search::Read`); both must find exactly what the rule says, in the
/// same order, whatever the key, the scope and the limit. Checked against the rule computed here
/// over every person.
#[tokio::test]
async fn every_scope_finds_what_the_rule_says_in_order_whichever_way_it_reads() {
    const NAMES: [&str; 8] = ["张三", "张三丰", "张丽", "李四", "李", "王五", "黄明", "黄明华"];
    const HOMES: [&str; 5] = ["440104011001", "440104011002", "440104011", "440104003", "440105001"];
    const BORN_IN: [&str; 3] = ["440106", "440105", "440104"];
    struct P {
        id_number: String,
        name: &'static str,
        birth_date: String,
        home: &'static str,
        hukou: Option<&'static str>,
    }
    let mut people = Vec::new();
    let mut lines = vec![HEADER.to_owned()];
    for i in 0..48usize {
        let (yy, mm, dd) = (70 + (i * 7) % 30, 1 + i % 12, 1 + (i * 5) % 28);
        let legacy = format!("{}{yy:02}{mm:02}{dd:02}{:03}", BORN_IN[i % 3], 100 + i);
        let id_number = yuanzhu_rules::IdNumber::parse_or_upgrade(&legacy).unwrap().as_str().to_owned();
        let hukou = (i % 7 == 3).then_some(HOMES[(i + 2) % 5]);
        lines.push(format!("r{i},{legacy},{},,{},2020-03-01,true,true,true,true,,", NAMES[i % 8], HOMES[i % 5]));
        let birth_date = format!("19{yy:02}-{mm:02}-{dd:02}");
        people.push(P { id_number, name: NAMES[i % 8], birth_date, home: HOMES[i % 5], hukou });
    }
    let rows: Vec<_> = read_csv(lines.join("\n").as_bytes(), Date::parse("2026-11-26").unwrap(), Lang::Zh)
        .unwrap()
        .into_iter()
        .map(|r| r.expect("the rows are valid"))
        .collect();
    for (store, _dir) in common::stores("search_scopes").await {
        store.init().await.unwrap();
        for code in &HOMES[..2] {
            yuanzhu_storage::units::add_community(&store, code, "测试社区", &code[..9], true).await.unwrap();
        }
        let units = persons::unit_codes(&store).await.unwrap();
        persons::register_batch(&store, &rows, &units, "importer", &PolicySet::embedded(), Lang::Zh).await.unwrap();
        for p in &people {
            if let Some(h) = p.hukou {
                search::set_hukou_unit(&store, &p.id_number, Some(&unit(h)), "clerk").await.unwrap();
            }
        }
        for scope in
            ["440100", "440104", "440105", "440104011", "440104011001", "440104011002", "440104003", "440105001"]
        {
            let within = unit(scope);
            let reached: Vec<&P> = people
                .iter()
                .filter(|p| within.contains(&unit(p.home)) || p.hukou.is_some_and(|h| within.contains(&unit(h))))
                .collect();
            for q in ["张", "张三", "李", "黄明", "王五", "赵", "4401", "440106", "4401051975", "440104197"] {
                let mut expected: Vec<&P>;
                if q.bytes().all(|b| b.is_ascii_digit()) {
                    expected = reached.iter().copied().filter(|p| p.id_number.starts_with(q)).collect();
                    expected.sort_by(|a, b| a.id_number.cmp(&b.id_number));
                } else {
                    let key = |p: &&P| (p.birth_date.clone(), p.id_number.clone());
                    expected = reached.iter().copied().filter(|p| p.name == q).collect();
                    expected.sort_by_key(key);
                    let mut starting: Vec<&P> =
                        reached.iter().copied().filter(|p| p.name != q && p.name.starts_with(q)).collect();
                    starting.sort_by_key(|p| (p.name, p.birth_date.clone(), p.id_number.clone()));
                    expected.extend(starting);
                }
                for limit in [1usize, 2, 50] {
                    let want: Vec<&str> = expected.iter().take(limit).map(|p| p.id_number.as_str()).collect();
                    let found = search::search(&store, q, Scope::Units(within.prefix()), limit as u32).await.unwrap();
                    let found: Vec<&str> = found.iter().map(|h| h.id_number.as_str()).collect();
                    assert_eq!(found, want, "{q:?} within {scope}, limit {limit}");
                }
            }
        }
    }
}

#[tokio::test]
async fn a_social_worker_finds_only_the_persons_assigned_to_them() {
    for (store, _dir) in stores().await {
        let sw = social_worker(&store, "sw1").await;
        let other = social_worker(&store, "sw2").await;
        let on = Date::parse("2026-03-01").unwrap();
        let mine = Scope::AssignedTo(&sw.id);
        assert!(ids(&store, "张", mine).await.is_empty());
        sessions::assign(&store, ZHANG_1990, "SW1", "officer", on).await.unwrap();
        sessions::assign(&store, ZHANG_1990, "sw1", "officer", on).await.unwrap();
        sessions::assign(&store, WANG, "sw2", "officer", on).await.unwrap();
        assert_eq!(ids(&store, "张", mine).await, [ZHANG_1990]);
        assert_eq!(ids(&store, ZHANG_1990, mine).await, [ZHANG_1990]);
        assert!(ids(&store, "王五", mine).await.is_empty());
        assert_eq!(ids(&store, "王五", Scope::AssignedTo(&other.id)).await, [WANG]);

        let reach = search::reach(&store, ZHANG_1990, &sw.id).await.unwrap().unwrap();
        assert!(reach.assigned_to_user);
        assert!(sw.user().reaches(Target::Person(reach.person())));
        let not_theirs = search::reach(&store, ZHANG_1975, &sw.id).await.unwrap().unwrap();
        assert!(!sw.user().reaches(Target::Person(not_theirs.person())));

        sessions::unassign(&store, ZHANG_1990, "sw1", "officer").await.unwrap();
        sessions::unassign(&store, ZHANG_1990, "sw1", "officer").await.unwrap();
        assert!(ids(&store, "张", mine).await.is_empty());
        assert!(!search::reach(&store, ZHANG_1990, &sw.id).await.unwrap().unwrap().assigned_to_user);

        // Assigned once, unassigned once: the repeated calls recorded nothing.
        let id = reach.person_id;
        let actions: Vec<String> = audit::of_person(&store, &id).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions[actions.len() - 2..], ["person.assigned", "person.unassigned"]);
        assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
    }
}

#[tokio::test]
async fn only_a_social_worker_can_be_assigned_an_existing_person() {
    for (store, _dir) in stores().await {
        social_worker(&store, "sw1").await;
        accounts::create(&store, "clerk", Role::CommunityWorker, &unit("440104011"), "hash", "admin").await.unwrap();
        let on = Date::parse("2026-03-01").unwrap();
        let e = sessions::assign(&store, ZHANG_1975, "clerk", "officer", on).await.unwrap_err();
        assert_eq!((e.code(), e.field()), ("not_a_social_worker", Some("username")));
        let e = sessions::assign(&store, ZHANG_1975, "nobody", "officer", on).await.unwrap_err();
        assert_eq!((e.code(), e.field()), ("account_not_found", Some("username")));
        let e = sessions::assign(&store, "440106197501011259", "sw1", "officer", on).await.unwrap_err();
        assert_eq!((e.code(), e.field()), ("person_not_found", Some("id_number")));
        assert!(e.message(Lang::Zh).contains("440106197501011259"));
        let e = sessions::unassign(&store, ZHANG_1975, "nobody", "officer").await.unwrap_err();
        assert_eq!(e.code(), "account_not_found");
    }
}

#[tokio::test]
async fn reach_names_the_units_of_residence_and_hukou() {
    for (store, _dir) in stores().await {
        let sw = social_worker(&store, "sw1").await;
        assert_eq!(search::reach(&store, "440106197501011259", &sw.id).await.unwrap(), None);
        search::set_hukou_unit(&store, LI, Some(&unit("440104011")), "clerk").await.unwrap();
        let r = search::reach(&store, LI, &sw.id).await.unwrap().unwrap();
        assert_eq!(
            (r.residence_unit, r.hukou_unit, r.assigned_to_user),
            (unit("440105002"), Some(unit("440104011")), false)
        );
    }
}

#[tokio::test]
async fn every_opening_of_a_file_is_recorded_and_the_chain_still_verifies() {
    for (store, _dir) in stores().await {
        let Verdict::Intact { events: before } = audit::verify(&store).await.unwrap() else { panic!("broken") };
        search::record_view(&store, WANG, "zhang.caseworker").await.unwrap();
        search::record_view(&store, WANG, "li.auditor").await.unwrap();
        assert_eq!(audit::verify(&store).await.unwrap(), Verdict::Intact { events: before + 2 });
        let person_id = search::reach(&store, WANG, "nobody").await.unwrap().unwrap().person_id;
        let trail = audit::of_person(&store, &person_id).await.unwrap();
        let views: Vec<(&str, &str)> = trail
            .iter()
            .filter(|e| e.action == "person.viewed")
            .map(|e| (e.actor.as_str(), e.entity.as_str()))
            .collect();
        assert_eq!(views, [("zhang.caseworker", "person"), ("li.auditor", "person")]);
        // The file's timeline is the history of the case: the openings are in the trail only.
        let timeline = persons::file(&store, WANG).await.unwrap().unwrap().timeline;
        assert!(timeline.iter().all(|e| e.action != "person.viewed"), "{timeline:?}");
        assert_eq!(timeline.len(), trail.len() - 2);
        assert!(search::record_view(&store, "440106197501011259", "x").await.is_err());
    }
}

/// Openings that arrive together are committed together, and each reader is answered only after
/// the commit that holds their opening: every answered opening is in the verified chain, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_openings_are_grouped_and_none_is_lost() {
    use yuanzhu_storage::views::{View, ViewLog};
    for (store, _dir) in stores().await {
        let Verdict::Intact { events: before } = audit::verify(&store).await.unwrap() else { panic!("broken") };
        let person_id = search::reach(&store, WANG, "nobody").await.unwrap().unwrap().person_id;
        let log = ViewLog::start(store.clone());
        let readers: Vec<_> = (0..200)
            .map(|i| {
                let (log, person_id) = (log.clone(), person_id.clone());
                tokio::spawn(async move { log.record(View { person_id, actor: format!("reader{i:03}") }).await })
            })
            .collect();
        for r in readers {
            r.await.unwrap().expect("each opening is committed");
        }
        assert_eq!(audit::verify(&store).await.unwrap(), Verdict::Intact { events: before + 200 });
        let mut actors: Vec<String> = audit::of_person(&store, &person_id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "person.viewed")
            .map(|e| e.actor)
            .collect();
        actors.sort();
        assert_eq!(actors, (0..200).map(|i| format!("reader{i:03}")).collect::<Vec<_>>());
    }
}

/// Prefixes are ranges where text compares by code point (SQLite; PostgreSQL under C.UTF-8, as
/// the test clusters are made), and ranges with a `LIKE` beside them under a linguistic
/// collation, where a range alone could return a wrong person: the hits are the same.
#[tokio::test]
async fn prefixes_find_the_same_persons_under_a_linguistic_collation() {
    for (store, _dir) in stores().await {
        assert!(store.code_point_order(), "{:?}", store.backend());
    }
    let Some(pg) = yuanzhu_test_support::shared() else { return };
    let name = format!("search_icu_{}", std::process::id());
    let created = std::panic::catch_unwind(|| {
        pg.psql(
            &pg.url(),
            &format!(
                "CREATE DATABASE \"{name}\" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'zh' LOCALE 'C.UTF-8'"
            ),
        )
    });
    if created.is_err() {
        eprintln!("this PostgreSQL has no ICU collations: only the code-point order is tested");
        return;
    }
    let store = Store::connect(&pg.database_url(&name)).await.unwrap();
    assert!(!store.code_point_order());
    store.init().await.unwrap();
    let text = std::iter::once(HEADER).chain(ROWS).collect::<Vec<_>>().join("\n");
    let rows: Vec<_> = read_csv(text.as_bytes(), Date::parse("2026-11-26").unwrap(), Lang::Zh)
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    let units = persons::unit_codes(&store).await.unwrap();
    persons::register_batch(&store, &rows, &units, "importer", &PolicySet::embedded(), Lang::Zh).await.unwrap();
    assert_eq!(ids(&store, "张三", CITY).await, [ZHANG_1975, ZHANG_1990, ZHANG_SANFENG]);
    assert_eq!(ids(&store, "张", CITY).await, [ZHANG_1975, ZHANG_1990, ZHANG_SANFENG]);
    assert!(ids(&store, "张%", CITY).await.is_empty(), "wildcards are taken literally");
    assert_eq!(ids(&store, "4401061975", CITY).await, [ZHANG_1975, LI]);
    assert_eq!(ids(&store, "4401", CITY).await.len(), 5);
}

/// A server's SQLite store checkpoints its log in the background, and its connections leave
/// the log to it: they would checkpoint themselves only at 10,000 pages.
#[tokio::test]
async fn a_serving_sqlite_store_checkpoints_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}/t.db", dir.path().display());
    let plain = Store::connect(&url).await.unwrap();
    plain.init().await.unwrap();
    assert_eq!(plain.checkpoints(), None);
    plain.close().await;

    let store = Store::connect_serving(&url).await.unwrap();
    let limit: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint").fetch_one(store.pool()).await.unwrap();
    assert_eq!(limit, 10_000);
    let views: Vec<_> =
        (0..200).map(|i| yuanzhu_storage::views::View { person_id: format!("p{i}"), actor: "reader".into() }).collect();
    for chunk in views.chunks(10) {
        yuanzhu_storage::views::record(&store, chunk).await.unwrap();
    }
    let started = std::time::Instant::now();
    let copied = loop {
        let c = store.checkpoints().expect("a serving SQLite store checkpoints");
        if c.copied_pages > 0 {
            break c;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "no checkpoint copied anything: {c:?}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(copied.runs >= 1 && copied.failures == 0, "{copied:?}");
    assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
    store.close().await;
    if let Some(pg) = yuanzhu_test_support::shared() {
        let pg = Store::connect_serving(&pg.create_database(&format!("serving_{}", std::process::id()))).await.unwrap();
        assert_eq!(pg.checkpoints(), None, "PostgreSQL checkpoints by itself");
    }
}

#[tokio::test]
async fn reach_of_many_persons_at_once_is_the_reach_of_each() {
    for (store, _dir) in stores().await {
        let ids: Vec<String> =
            [ZHANG_1975, ZHANG_1990, ZHANG_SANFENG, WANG, LI, "440106197501011259"].map(String::from).to_vec();
        let all = search::reach_all(&store, &ids, "nobody").await.unwrap();
        assert_eq!(all.len(), 5, "the unregistered one is left out");
        for id in &ids {
            assert_eq!(all.get(id), search::reach(&store, id, "nobody").await.unwrap().as_ref(), "{id}");
        }
    }
}

/// The 18-character number of a legacy 15-digit one: its check character computed.
fn upgraded(legacy: &str) -> String {
    yuanzhu_rules::IdNumber::parse_or_upgrade(legacy).unwrap().as_str().to_owned()
}

/// A legacy number born on 1975-01-01 in `district` whose 18-character number ends in X.
fn ending_in_x(district: &str) -> String {
    (100..1000).map(|s| format!("{district}750101{s}")).find(|l| upgraded(l).ends_with('X')).unwrap()
}

/// Registers `rows` (CSV rows after [`HEADER`]) on a store.
async fn register(store: &Store, rows: &[String]) -> persons::ImportSummary {
    let text = std::iter::once(HEADER.to_owned()).chain(rows.iter().cloned()).collect::<Vec<_>>().join("\n");
    let rows: Vec<_> = read_csv(text.as_bytes(), Date::parse("2026-11-26").unwrap(), Lang::Zh)
        .unwrap()
        .into_iter()
        .map(|r| r.expect("the test rows are valid"))
        .collect();
    let units = persons::unit_codes(store).await.unwrap();
    persons::register_batch(store, &rows, &units, "importer", &PolicySet::embedded(), Lang::Zh).await.unwrap()
}

/// Persons whose names, phones and ID numbers hold what caseworkers type: 测试 within 甲测试,
/// the given name 伟芳, the phone tails 5678 and 0115 (a landline), an ID number ending in X.
/// 乙测试 lives in Haizhu, outside Yuexiu (440104) and its streets.
#[derive(Debug, Clone, Copy)]
struct Fragments {
    jia: &'static str,
    ceshi: &'static str,
    ceshiyuan: &'static str,
    wang: &'static str,
    yi: &'static str,
    chen: &'static str,
    li: &'static str,
    weifang: &'static str,
}

async fn fragment_stores() -> Vec<(Store, Option<tempfile::TempDir>, Fragments)> {
    let jia = ending_in_x("440106");
    let id = |legacy: &str| -> &'static str { upgraded(legacy).leak() };
    let f = Fragments {
        jia: id(&jia),
        ceshi: id("440106800202101"),
        ceshiyuan: id("440106800202103"),
        wang: id("440104850303105"),
        yi: id("440105850303107"),
        chen: id("440103900404109"),
        li: id("440103900404111"),
        weifang: id("440103900404113"),
    };
    let rows: Vec<String> = [
        format!("a,{jia},甲测试,13812345678,440104011,2020-03-01,true,true,true,true,,"),
        "b,440106800202101,测试,,440104003,2020-03-01,true,true,true,true,,".to_owned(),
        "c,440106800202103,测试员,020-83010115,440104011,2020-03-01,true,true,true,true,,".to_owned(),
        "d,440104850303105,王小测试,,440104011,2020-03-01,true,true,true,true,,".to_owned(),
        "e,440105850303107,乙测试,13900005678,440105001,2020-03-01,true,true,true,true,,".to_owned(),
        "f,440103900404109,陈伟芳,13700000115,440104011,2020-03-01,true,true,true,true,,".to_owned(),
        "g,440103900404111,李伟芳,,440104003,2020-03-01,true,true,true,true,,".to_owned(),
        "h,440103900404113,伟芳,,440104011,2020-03-01,true,true,true,true,,".to_owned(),
    ]
    .into();
    let mut out = Vec::new();
    for (store, dir) in common::stores("fragments").await {
        store.init().await.unwrap();
        register(&store, &rows).await;
        out.push((store, dir, f));
    }
    out
}

#[tokio::test]
async fn a_fragment_of_a_name_finds_the_names_that_hold_it_after_the_name_itself_and_its_prefixes() {
    for (store, _dir, f) in fragment_stores().await {
        // The name itself, the names that start with it, then the names that hold it further
        // in, by what follows it (all 测试 here), then by name.
        assert_eq!(ids(&store, "测试", CITY).await, [f.ceshi, f.ceshiyuan, f.yi, f.wang, f.jia]);
        assert_eq!(ids(&store, "测试", Scope::Units("440104")).await, [f.ceshi, f.ceshiyuan, f.wang, f.jia]);
        // A street reads its own persons and matches each name: the same rule.
        assert_eq!(ids(&store, "测试", Scope::Units("440104011")).await, [f.ceshiyuan, f.wang, f.jia]);
        assert_eq!(ids(&store, "测试", Scope::Units("440105001")).await, [f.yi]);
        // A given name.
        assert_eq!(ids(&store, "伟芳", CITY).await, [f.weifang, f.li, f.chen]);
        assert_eq!(ids(&store, "伟芳", Scope::Units("440104011")).await, [f.weifang, f.chen]);
        // Further in, and ranked by what follows: 小测试 after every 测试….
        assert_eq!(ids(&store, "小测", CITY).await, [f.wang]);
        assert_eq!(ids(&store, "小测试", Scope::Units("440104011")).await, [f.wang]);
        // One character is the start of a name only, as before.
        assert_eq!(ids(&store, "测", CITY).await, [f.ceshi, f.ceshiyuan]);
        assert!(ids(&store, "芳", CITY).await.is_empty());
        assert!(ids(&store, "测%", CITY).await.is_empty(), "wildcards are taken literally");
        assert!(ids(&store, "试_", Scope::Units("440104011")).await.is_empty(), "wildcards are taken literally");
    }
}

#[tokio::test]
async fn the_last_digits_of_a_phone_or_an_id_number_find_it() {
    for (store, _dir, f) in fragment_stores().await {
        // Phone tails: a mobile's and a landline's (020-83010115), ranked by name.
        assert_eq!(ids(&store, "5678", CITY).await, [f.yi, f.jia]);
        assert_eq!(ids(&store, "12345678", CITY).await, [f.jia]);
        assert_eq!(ids(&store, "0115", CITY).await, [f.ceshiyuan, f.chen]);
        assert_eq!(ids(&store, "83010115", CITY).await, [f.ceshiyuan]);
        assert_eq!(ids(&store, "0000 0115", CITY).await, [f.chen], "groups are read as one number");
        // ID tails, the check character X included, typed either case.
        let tail = &f.jia[14..];
        assert!(tail.ends_with('X'));
        assert_eq!(ids(&store, tail, CITY).await, [f.jia]);
        assert_eq!(ids(&store, &tail.to_lowercase(), CITY).await, [f.jia]);
        assert_eq!(ids(&store, &f.jia[12..], CITY).await, [f.jia]);
        let li_tail = &f.li[13..];
        assert_eq!(ids(&store, li_tail, CITY).await, [f.li]);
        // Tails before the ID numbers that start with the digits: 4401 is everyone's start.
        let found = ids(&store, "4401", CITY).await;
        assert_eq!(found.len(), 8);
        let by_tail: Vec<&str> = [f.jia, f.ceshi, f.ceshiyuan, f.wang, f.yi, f.chen, f.li, f.weifang]
            .into_iter()
            .filter(|id| id.ends_with("4401"))
            .collect();
        assert_eq!(found[..by_tail.len()], by_tail);
        // Within a unit, only its own.
        assert_eq!(ids(&store, "5678", Scope::Units("440104")).await, [f.jia]);
        assert!(ids(&store, "5678", Scope::Units("440104003")).await.is_empty());
        assert!(ids(&store, tail, Scope::Units("440105")).await.is_empty());
        assert!(ids(&store, "9999", CITY).await.is_empty());
    }
}

#[tokio::test]
async fn a_match_outside_the_scope_is_neither_shown_nor_counted() {
    for (store, _dir, f) in fragment_stores().await {
        let yuexiu = Scope::Units("440104");
        // Four within Yuexiu and 乙测试 outside: a page of four has nothing more to show.
        let found = search::find(&store, "测试", yuexiu, 4).await.unwrap();
        assert_eq!((found.hits.len(), found.more), (4, false));
        let found = search::find(&store, "测试", yuexiu, 3).await.unwrap();
        assert_eq!((found.hits.len(), found.more), (3, true));
        let found = search::find(&store, "5678", yuexiu, 1).await.unwrap();
        assert_eq!((found.hits.len(), found.more), (1, false));
        let found = search::find(&store, "5678", CITY, 1).await.unwrap();
        assert_eq!((found.hits.len(), found.more), (1, true));
        let found = search::find(&store, "伟芳", Scope::Units("440104011"), 2).await.unwrap();
        assert_eq!((found.hits.len(), found.more), (2, false));
        let found = search::find(&store, "伟芳", CITY, 2).await.unwrap();
        assert_eq!((found.hits.len(), found.more), (2, true));
        assert_eq!(search::find(&store, "无此人", CITY, 20).await.unwrap(), search::Found::default());

        // A person whose hukou is in the unit is within it, whichever the key.
        search::set_hukou_unit(&store, f.yi, Some(&unit("440104011")), "clerk").await.unwrap();
        assert_eq!(ids(&store, "5678", Scope::Units("440104011")).await, [f.yi, f.jia]);
        assert_eq!(ids(&store, "测试", Scope::Units("440104011")).await, [f.ceshiyuan, f.yi, f.wang, f.jia]);
        assert_eq!(ids(&store, &f.yi[12..], Scope::Units("440104")).await, [f.yi]);

        // A social worker: only the persons assigned.
        let sw = social_worker(&store, "sw1").await;
        let mine = Scope::AssignedTo(&sw.id);
        assert!(ids(&store, "测试", mine).await.is_empty());
        sessions::assign(&store, f.wang, "sw1", "officer", Date::parse("2026-03-01").unwrap()).await.unwrap();
        assert_eq!(ids(&store, "测试", mine).await, [f.wang]);
        assert!(ids(&store, "5678", mine).await.is_empty());
        let found = search::find(&store, "测试", mine, 1).await.unwrap();
        assert_eq!((found.hits.len(), found.more), (1, false));
    }
}

#[tokio::test]
async fn the_index_follows_a_rename_a_new_phone_and_an_import_update() {
    for (store, _dir, f) in fragment_stores().await {
        // 甲测试 registers again as 甲试验 with a new phone; 陈伟芳 with a new phone only.
        let jia = f.jia;
        let summary = register(
            &store,
            &[
                format!("a,{jia},甲试验,13811112222,440104011,2020-03-01,true,true,true,true,,"),
                "f,440103900404109,陈伟芳,13700009999,440104011,2020-03-01,true,true,true,true,,".to_owned(),
            ],
        )
        .await;
        assert_eq!(summary.persons_updated, 2, "{summary:?}");
        assert_eq!(ids(&store, "测试", CITY).await, [f.ceshi, f.ceshiyuan, f.yi, f.wang]);
        assert_eq!(ids(&store, "试验", CITY).await, [jia]);
        assert_eq!(ids(&store, "试验", Scope::Units("440104011")).await, [jia]);
        assert_eq!(ids(&store, "5678", CITY).await, [f.yi]);
        assert_eq!(ids(&store, "2222", CITY).await, [jia]);
        assert_eq!(ids(&store, "0115", CITY).await, [f.ceshiyuan]);
        assert_eq!(ids(&store, "9999", CITY).await, [f.chen]);
        assert_eq!(ids(&store, "伟芳", CITY).await, [f.weifang, f.li, f.chen], "the name did not change");
        // The ID number's tail is still there, once.
        assert_eq!(ids(&store, &jia[12..], CITY).await, [jia]);

        // Registered again unchanged: nothing is written, and the index is as it was.
        let summary =
            register(&store, &[format!("a,{jia},甲试验,13811112222,440104011,2020-03-01,true,true,true,true,,")]).await;
        assert_eq!(summary.persons_unchanged, 1, "{summary:?}");
        assert_eq!(ids(&store, "试验", CITY).await, [jia]);
        assert_eq!(index_rows(&store).await, rebuilt_index_rows(&store).await);
    }
}

/// A name that holds the fragment twice is found once, and ranked by the least of its parts that
/// start with it, whichever way the search reads.
#[tokio::test]
async fn a_name_holding_the_fragment_twice_comes_once_ranked_by_its_least_part() {
    let rows = [
        "a,440106800202101,丙甲测乙,,440104011,2020-03-01,true,true,true,true,,".to_owned(),
        "b,440106800202103,乙甲测甲测,,440104011,2020-03-01,true,true,true,true,,".to_owned(),
        "c,440106800202105,甲测乙,,440104011,2020-03-01,true,true,true,true,,".to_owned(),
    ];
    let (a, b, c) = (upgraded("440106800202101"), upgraded("440106800202103"), upgraded("440106800202105"));
    for (store, _dir) in common::stores("fragment_twice").await {
        store.init().await.unwrap();
        register(&store, &rows).await;
        // 甲测乙 starts with it; then 乙甲测甲测 by 甲测 (not 甲测甲测), before 丙甲测乙 by 甲测乙.
        for scope in [CITY, Scope::Units("440104"), Scope::Units("440104011")] {
            assert_eq!(ids(&store, "甲测", scope).await, [&c, &b, &a].map(String::as_str), "{scope:?}");
            let found = search::find(&store, "甲测", scope, 2).await.unwrap();
            assert_eq!((found.hits.len(), found.more), (2, true));
        }
    }
}

/// Every row of the search index's table, in order.
async fn index_rows(store: &Store) -> Vec<(String, String, String, String)> {
    sqlx::query_as("SELECT part, name, birth_date, id_number FROM person_name_parts ORDER BY 1, 2, 3, 4")
        .fetch_all(store.pool())
        .await
        .unwrap()
}

/// The index's table as migration 0022 builds it from the persons stored: emptied, then filled
/// by the migration's own statement.
async fn rebuilt_index_rows(store: &Store) -> Vec<(String, String, String, String)> {
    const MIGRATION: &str = include_str!("../migrations/0022_search_by_fragment.sql");
    let from = MIGRATION.find("-- The persons registered before this migration").unwrap();
    // Up to its backfill of the number tails, a table migration 0023 drops.
    let to = MIGRATION.find("INSERT INTO person_number_tails").unwrap();
    sqlx::raw_sql("DELETE FROM person_name_parts").execute(store.pool()).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(&MIGRATION[from..to])).execute(store.pool()).await.unwrap();
    index_rows(store).await
}

/// The migration's SQL gives the rows the write path gives, for long names, repeated parts,
/// landlines, no phone and ID numbers ending in X.
#[tokio::test]
async fn the_migration_builds_the_index_the_write_path_keeps() {
    let long: String = (0..120u32).map(|i| char::from_u32(0x4E00 + i * 7).unwrap()).collect();
    let text = [
        HEADER.to_owned(),
        format!("a,{},甲测试,13812345678,440104011,2020-03-01,true,true,true,true,,", ending_in_x("440106")),
        "b,440106800202101,长名,,440104003,2020-03-01,true,true,true,true,,".to_owned(),
        "c,440106800202103,哈哈,020-83010115,440104011,2020-03-01,true,true,true,true,,".to_owned(),
        "d,440104850303105,测试测试测试,,440104011,2020-03-01,true,true,true,true,,".to_owned(),
        "e,440105850303107,Maria Lopez-García,0203-8301011,440105001,2020-03-01,true,true,true,true,,".to_owned(),
        "f,440103900404109,李,,440104011,2020-03-01,true,true,true,true,,".to_owned(),
    ]
    .join("\n");
    let mut rows: Vec<_> = read_csv(text.as_bytes(), Date::parse("2026-11-26").unwrap(), Lang::Zh)
        .unwrap()
        .into_iter()
        .map(|r| r.expect("the test rows are valid"))
        .collect();
    // Longer than any name the registration form takes, as a record written before limits were.
    rows[1].name = long.clone();
    rows[2].name = "哈".repeat(40);
    for (store, _dir) in common::stores("fragment_migration").await {
        store.init().await.unwrap();
        let units = persons::unit_codes(&store).await.unwrap();
        persons::register_batch(&store, &rows, &units, "importer", &PolicySet::embedded(), Lang::Zh).await.unwrap();
        let written = index_rows(&store).await;
        assert!(written.len() > 100, "{}", written.len());
        assert_eq!(rebuilt_index_rows(&store).await, written);
        // And what it holds finds them.
        assert_eq!(ids(&store, "测试测试", CITY).await.len(), 1);
        assert_eq!(ids(&store, "Lopez", CITY).await.len(), 1);
        assert_eq!(ids(&store, "哈".repeat(30).as_str(), CITY).await.len(), 1);
        // A part starts at the 100th character at the latest.
        assert_eq!(ids(&store, &long.chars().skip(98).take(3).collect::<String>(), CITY).await.len(), 1);
        assert!(ids(&store, &long.chars().skip(100).take(3).collect::<String>(), CITY).await.is_empty());
    }
}

/// A person of a random registry: indexes into [`HOMES`] and [`BIRTHS`].
#[derive(Debug, Clone)]
struct RandomPerson {
    name: String,
    phone: Option<String>,
    home: usize,
    hukou: Option<usize>,
    born: usize,
    assigned: bool,
}

const HOMES: [&str; 5] = ["440104011001", "440104011002", "440104011", "440104003", "440105001"];
const BIRTHS: [&str; 3] = ["750101", "800202", "750102"];

fn random_person() -> impl proptest::strategy::Strategy<Value = RandomPerson> {
    use proptest::prelude::*;
    // Few letters and digits, so that fragments and tails are shared, and names hold one twice.
    let name = prop::collection::vec(prop::sample::select(vec!['甲', '乙', '测', 'A']), 1..7);
    let digits = prop::collection::vec(prop::sample::select(vec!['0', '1', '5']), 9);
    let phone = prop::option::of((digits, any::<bool>()));
    (name, phone, 0..HOMES.len(), prop::option::of(0..HOMES.len()), 0..BIRTHS.len(), any::<bool>()).prop_map(
        |(name, phone, home, hukou, born, assigned)| RandomPerson {
            name: name.into_iter().collect(),
            phone: phone.map(|(d, mobile)| {
                let d: String = d.into_iter().collect();
                if mobile { format!("13{d}") } else { format!("020{}", &d[..8]) }
            }),
            home,
            hukou,
            born,
            assigned,
        },
    )
}

/// A person as the rule sees them.
struct Known {
    id_number: String,
    name: String,
    birth_date: String,
    phone: Option<String>,
}

/// What a search of `q` must return among `reached` (the persons within the scope), in order:
/// the rule as the issue and `search::find` state it, computed over every person.
fn by_rule<'a>(q: &str, reached: &[&'a Known]) -> Vec<&'a Known> {
    let sorted = |mut v: Vec<&'a Known>, key: &dyn Fn(&Known) -> (String, String, String)| {
        v.sort_by_key(|p| key(p));
        v
    };
    let by_name = |p: &Known| (p.name.clone(), p.birth_date.clone(), p.id_number.clone());
    let compact = q.replace([' ', '-'], "").to_uppercase();
    if compact.len() >= 4 && compact.bytes().all(|b| b.is_ascii_digit() || b == b'X') {
        let landline = compact.starts_with('0') && (10..=12).contains(&compact.len());
        assert!(![11, 15, 18].contains(&compact.len()) && !landline, "{q}: no whole numbers here");
        let digits = compact.bytes().all(|b| b.is_ascii_digit());
        let id_tail = compact.len() <= 17 && compact[..compact.len() - 1].bytes().all(|b| b.is_ascii_digit());
        let ends = |p: &&Known| {
            (digits && compact.len() <= 11 && p.phone.as_deref().is_some_and(|ph| ph.ends_with(&compact)))
                || (id_tail && p.id_number.ends_with(&compact))
        };
        let mut out = sorted(reached.iter().copied().filter(ends).collect(), &by_name);
        let starts: Vec<&Known> =
            reached.iter().copied().filter(|p| !ends(p) && p.id_number.starts_with(&compact)).collect();
        out.extend(sorted(starts, &|p| (p.id_number.clone(), String::new(), String::new())));
        return out;
    }
    let q = q.trim();
    let exact = reached.iter().copied().filter(|p| p.name == q).collect();
    let mut out = sorted(exact, &|p| (p.birth_date.clone(), p.id_number.clone(), String::new()));
    out.extend(sorted(reached.iter().copied().filter(|p| p.name != q && p.name.starts_with(q)).collect(), &by_name));
    let len = q.chars().count();
    if (2..=32).contains(&len) {
        // The name from the fragment on (at most 32 characters), where the fragment starts at
        // the second character or later, the 100th at the latest; the least if it is there twice.
        let part = |p: &Known| -> Option<String> {
            let chars: Vec<char> = p.name.chars().collect();
            (1..chars.len().min(100))
                .filter(|&s| chars[s..].starts_with(&q.chars().collect::<Vec<_>>()))
                .map(|s| chars[s..chars.len().min(s + 32)].iter().collect())
                .min()
        };
        let mut holding: Vec<(String, &Known)> = reached
            .iter()
            .copied()
            .filter(|p| !p.name.starts_with(q))
            .filter_map(|p| part(p).map(|part| (part, p)))
            .collect();
        holding.sort_by_key(|(part, p)| (part.clone(), by_name(p)));
        out.extend(holding.into_iter().map(|(_, p)| p));
    }
    out
}

/// What the caseworker types, picked from the registry by `(what, who, at, len)`.
fn typed(people: &[Known], (what, who, at, len): (u8, usize, usize, usize)) -> String {
    const LETTERS: [char; 6] = ['甲', '乙', '测', '试', 'A', 'a'];
    let p = &people[who % people.len()];
    match what % 8 {
        0 | 6 | 7 => {
            let chars: Vec<char> = p.name.chars().collect();
            let at = at % chars.len();
            chars[at..chars.len().min(at + 1 + len % 4)].iter().collect()
        }
        1 => [LETTERS[at % 6], LETTERS[len % 6]].iter().collect(),
        2 => match &p.phone {
            Some(phone) => phone[phone.len() - (4 + len % 5)..].to_owned(),
            None => "5150".to_owned(),
        },
        3 => {
            let tail = &p.id_number[18 - (4 + len % 3)..];
            if len % 2 == 0 { tail.to_lowercase() } else { tail.to_owned() }
        }
        4 => p.id_number[..4 + len % 7].to_owned(),
        _ => (0..4).map(|i| ['0', '1', '5'][(at >> (2 * i)) % 3]).collect(),
    }
}

/// The index and the scans of a street or a social worker's caseload find, on both engines and
/// in every scope, exactly the persons a scan of every person by the rule finds, in its order,
/// and say there are more exactly when there are.
#[test]
fn search_finds_what_a_scan_of_every_person_by_the_rule_finds() {
    use proptest::prelude::*;
    let config = ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    proptest!(config, |(
        people in prop::collection::vec(random_person(), 8..40),
        queries in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>(), any::<usize>()), 30),
    )| {
        runtime.block_on(check_against_rule(people, queries));
    });
}

async fn check_against_rule(people: Vec<RandomPerson>, queries: Vec<(u8, usize, usize, usize)>) {
    let lines: Vec<String> = people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let legacy = format!("{}{}{:03}", ["440106", "440104"][i % 2], BIRTHS[p.born], 100 + i);
            let phone = p.phone.clone().unwrap_or_default();
            format!("r{i},{legacy},{},{phone},{},2020-03-01,true,true,true,true,,", p.name, HOMES[p.home])
        })
        .collect();
    let known: Vec<Known> = people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let legacy = format!("{}{}{:03}", ["440106", "440104"][i % 2], BIRTHS[p.born], 100 + i);
            let id_number = upgraded(&legacy);
            let birth_date = format!("19{}-{}-{}", &BIRTHS[p.born][..2], &BIRTHS[p.born][2..4], &BIRTHS[p.born][4..]);
            Known { id_number, name: p.name.clone(), birth_date, phone: p.phone.clone() }
        })
        .collect();
    let queries: Vec<String> = queries.into_iter().map(|q| typed(&known, q)).collect();
    for (store, _dir) in common::stores("search_rule").await {
        store.init().await.unwrap();
        for code in &HOMES[..2] {
            yuanzhu_storage::units::add_community(&store, code, "测试社区", &code[..9], true).await.unwrap();
        }
        register(&store, &lines).await;
        let sw = social_worker(&store, "sw").await;
        for (p, k) in people.iter().zip(&known) {
            if let Some(h) = p.hukou {
                search::set_hukou_unit(&store, &k.id_number, Some(&unit(HOMES[h])), "clerk").await.unwrap();
            }
            if p.assigned {
                sessions::assign(&store, &k.id_number, "sw", "officer", Date::parse("2026-03-01").unwrap())
                    .await
                    .unwrap();
            }
        }
        let mut scopes: Vec<(Scope<'_>, Vec<&Known>)> = Vec::new();
        for code in ["440100", "440104", "440105", "440104011", "440104011001", "440104003"] {
            let within = unit(code);
            let reached = people
                .iter()
                .zip(&known)
                .filter(|(p, _)| {
                    within.contains(&unit(HOMES[p.home])) || p.hukou.is_some_and(|h| within.contains(&unit(HOMES[h])))
                })
                .map(|(_, k)| k)
                .collect();
            scopes.push((Scope::Units(code), reached));
        }
        let assigned = people.iter().zip(&known).filter(|(p, _)| p.assigned).map(|(_, k)| k).collect();
        scopes.push((Scope::AssignedTo(&sw.id), assigned));
        for q in &queries {
            for (scope, reached) in &scopes {
                let expected: Vec<&str> = by_rule(q, reached).iter().map(|p| p.id_number.as_str()).collect();
                for limit in [2usize, 100] {
                    let found = search::find(&store, q, *scope, limit as u32).await.unwrap();
                    let ids: Vec<&str> = found.hits.iter().map(|h| h.id_number.as_str()).collect();
                    let want = &expected[..expected.len().min(limit)];
                    assert_eq!(ids, want, "{q:?} within {scope:?}, limit {limit}, {:?}", store.backend());
                    assert_eq!(found.more, expected.len() > limit, "{q:?} within {scope:?}, limit {limit}");
                }
            }
        }
    }
}
