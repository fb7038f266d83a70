//! Administration on both databases: accounts managed by a city admin, social-worker
//! assignments, reassessment, audit verification, the duplicates queue, and households whose
//! zero-employment status follows recorded employment.

mod common;

use axum::http::{Method, StatusCode};
use common::{Answer, Client, PASSWORD, TestApp, apps, id_number};
use serde_json::json;
use yuanzhu_domain::access::Role;
use yuanzhu_test_support::person::PersonBuilder;

const STREET: &str = "440104011";
const OTHER_STREET: &str = "440105001";

/// A person living in [`STREET`] (not in one of its communities), by the row's reference, name,
/// birth day and the ID number's serial.
fn person(reference: &str, name: &str, born: &str, serial: u32) -> PersonBuilder {
    PersonBuilder::new().reference(reference).name(name).born(born).serial(serial).residence_unit(STREET)
}

/// A person of the other district's [`OTHER_STREET`].
fn person_elsewhere(reference: &str, name: &str, born: &str, serial: u32) -> PersonBuilder {
    person(reference, name, born, serial).area("440105").residence_unit(OTHER_STREET)
}

fn code(a: &Answer) -> &str {
    a.body["error"]["code"].as_str().unwrap_or_else(|| panic!("no error code in {} {}", a.status, a.text))
}

fn field(a: &Answer) -> Option<&str> {
    a.body["error"]["field"].as_str()
}

/// Registers persons straight in the store from a whole CSV text (header included).
async fn admin(app: &TestApp) -> Client {
    app.user("city.admin", Role::CityAdmin, "440100").await
}

fn new_user(username: &str, role: &str, unit: &str, password: &str) -> serde_json::Value {
    json!({"username": username, "role": role, "unit": unit, "password": password})
}

#[tokio::test]
async fn a_city_admin_creates_a_user_who_can_then_sign_in() {
    for app in apps("admin_create").await {
        let admin = admin(&app).await;
        let a = app
            .call(Method::POST, "/api/v1/users", &admin, Some(new_user("Li.Si", "community_worker", STREET, PASSWORD)))
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
        assert_eq!(a.body["username"], "li.si");
        assert_eq!(a.body["role"], "community_worker");
        assert!(a.body.get("password_hash").is_none() && !a.text.contains("argon2"), "{}", a.text);
        app.sign_in("li.si").await;

        let list = app.call(Method::GET, "/api/v1/users", &admin, None).await;
        assert_eq!(list.status, StatusCode::OK);
        let names: Vec<&str> = list.body.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
        assert!(names.contains(&"li.si") && names.contains(&"city.admin"), "{names:?}");

        let again =
            app.call(Method::POST, "/api/v1/users", &admin, Some(new_user("li.si", "auditor", STREET, PASSWORD))).await;
        assert_eq!(
            (again.status, code(&again), field(&again)),
            (StatusCode::CONFLICT, "username_taken", Some("username"))
        );
        let misfit = app
            .call(
                Method::POST,
                "/api/v1/users",
                &admin,
                Some(new_user("wang.wu", "street_officer", "440104", PASSWORD)),
            )
            .await;
        assert_eq!(
            (misfit.status, field(&misfit)),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("role")),
            "{}",
            misfit.text
        );
        let role =
            app.call(Method::POST, "/api/v1/users", &admin, Some(new_user("wang.wu", "root", STREET, PASSWORD))).await;
        assert_eq!((role.status, field(&role)), (StatusCode::UNPROCESSABLE_ENTITY, Some("role")));
        let unit = app
            .call(Method::POST, "/api/v1/users", &admin, Some(new_user("wang.wu", "auditor", "440104999", PASSWORD)))
            .await;
        assert_eq!(
            (unit.status, code(&unit), field(&unit)),
            (StatusCode::UNPROCESSABLE_ENTITY, "unknown_unit", Some("unit"))
        );
    }
}

#[tokio::test]
async fn anyone_but_a_city_admin_gets_403_on_users() {
    for app in apps("admin_forbidden").await {
        for (i, role) in [Role::DistrictSupervisor, Role::StreetOfficer, Role::Auditor].into_iter().enumerate() {
            let unit = if role == Role::DistrictSupervisor { "440104" } else { STREET };
            let client = app.user(&format!("u{i}"), role, unit).await;
            let list = app.call(Method::GET, "/api/v1/users", &client, None).await;
            assert_eq!((list.status, code(&list)), (StatusCode::FORBIDDEN, "forbidden"), "{role:?}");
            let create = app
                .call(Method::POST, "/api/v1/users", &client, Some(new_user("x.y", "auditor", STREET, PASSWORD)))
                .await;
            assert_eq!(create.status, StatusCode::FORBIDDEN, "{role:?}");
            let disable = app.call(Method::POST, "/api/v1/users/city.admin/disable", &client, None).await;
            assert_eq!(disable.status, StatusCode::FORBIDDEN, "{role:?}");
        }
        let anonymous = app.call(Method::GET, "/api/v1/users", &Client::Anonymous, None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_short_password_is_refused_naming_the_field_in_the_callers_language() {
    for app in apps("admin_password").await {
        let admin = admin(&app).await;
        let body = serde_json::to_vec(&new_user("short.pw", "auditor", STREET, "abc12")).unwrap();
        let a = app.send(Method::POST, "/api/v1/users", &admin, Some(body), &[("accept-language", "en")]).await;
        assert_eq!(
            (a.status, code(&a), field(&a)),
            (StatusCode::UNPROCESSABLE_ENTITY, "weak_password", Some("password"))
        );
        assert!(a.body["error"]["message"].as_str().unwrap().contains("at least 10 characters"), "{}", a.text);
        let zh = app
            .call(Method::POST, "/api/v1/users", &admin, Some(new_user("short.pw", "auditor", STREET, "abc12")))
            .await;
        assert!(zh.body["error"]["message"].as_str().unwrap().contains("密码"), "{}", zh.text);
        assert!(app.call(Method::GET, "/api/v1/users", &admin, None).await.text.find("short.pw").is_none());

        app.account("reset.me", Role::Auditor, STREET).await;
        let reset =
            app.call(Method::PUT, "/api/v1/users/reset.me/password", &admin, Some(json!({"password": "short"}))).await;
        assert_eq!((reset.status, field(&reset)), (StatusCode::UNPROCESSABLE_ENTITY, Some("password")));
        let missing = app.call(Method::POST, "/api/v1/users", &admin, Some(json!({"username": "no.pw"}))).await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", missing.text);
    }
}

#[tokio::test]
async fn disabling_a_user_ends_their_session_and_a_reset_password_signs_them_out() {
    for app in apps("admin_disable").await {
        let admin = admin(&app).await;
        let worker = app.user("wk", Role::CommunityWorker, STREET).await;
        assert_eq!(app.call(Method::GET, "/api/v1/persons?q=陈", &worker, None).await.status, StatusCode::OK);
        let a = app.call(Method::POST, "/api/v1/users/wk/disable", &admin, None).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(a.body["disabled"], true);
        let after = app.call(Method::GET, "/api/v1/persons?q=陈", &worker, None).await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.text);

        let enabled = app.call(Method::POST, "/api/v1/users/wk/enable", &admin, None).await;
        assert_eq!((enabled.status, &enabled.body["disabled"]), (StatusCode::OK, &json!(false)));
        let worker = app.sign_in("wk").await;

        let reset = app
            .call(
                Method::PUT,
                "/api/v1/users/wk/password",
                &admin,
                Some(json!({"password": "another long passphrase"})),
            )
            .await;
        assert_eq!(reset.status, StatusCode::OK, "{}", reset.text);
        assert_eq!(app.call(Method::GET, "/api/v1/persons?q=陈", &worker, None).await.status, StatusCode::UNAUTHORIZED);
        let new = app
            .call(
                Method::POST,
                "/api/v1/session",
                &Client::Anonymous,
                Some(json!({"username": "wk", "password": "another long passphrase"})),
            )
            .await;
        assert_eq!(new.status, StatusCode::OK);

        let myself = app.call(Method::POST, "/api/v1/users/city.admin/disable", &admin, None).await;
        assert_eq!((myself.status, code(&myself)), (StatusCode::UNPROCESSABLE_ENTITY, "cannot_disable_self"));
        let nobody = app.call(Method::POST, "/api/v1/users/nobody/disable", &admin, None).await;
        assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn an_assignment_lets_a_social_worker_open_exactly_that_persons_file() {
    for app in apps("admin_assign").await {
        let persons = [
            person("a", "陈甲", "1975-03-01", 11).phone("13800138000"),
            person("b", "陈乙", "1976-03-01", 12),
            person_elsewhere("c", "陈丙", "1977-03-01", 13),
        ];
        app.register_persons(&persons.each_ref()).await;
        let [a, b, c] = persons.map(|p| p.id());
        let officer = app.user("officer", Role::StreetOfficer, STREET).await;
        let sw = app.user("sw", Role::SocialWorker, STREET).await;
        app.account("not.sw", Role::CommunityWorker, STREET).await;

        assert_eq!(
            app.call(Method::GET, &format!("/api/v1/persons/{a}"), &sw, None).await.status,
            StatusCode::NOT_FOUND
        );
        let assigned = app
            .call(Method::POST, &format!("/api/v1/persons/{a}/assignments"), &officer, Some(json!({"username": "sw"})))
            .await;
        assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.text);
        assert_eq!(assigned.body["social_worker"], "sw");
        assert_eq!(app.call(Method::GET, &format!("/api/v1/persons/{a}"), &sw, None).await.status, StatusCode::OK);
        assert_eq!(
            app.call(Method::GET, &format!("/api/v1/persons/{b}"), &sw, None).await.status,
            StatusCode::NOT_FOUND
        );

        // Outside the officer's jurisdiction the person does not exist for them.
        let outside = app
            .call(Method::POST, &format!("/api/v1/persons/{c}/assignments"), &officer, Some(json!({"username": "sw"})))
            .await;
        assert_eq!(outside.status, StatusCode::NOT_FOUND);
        let unknown = app
            .call(
                Method::POST,
                "/api/v1/persons/440104199001011234/assignments",
                &officer,
                Some(json!({"username": "sw"})),
            )
            .await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        let not_sw = app
            .call(
                Method::POST,
                &format!("/api/v1/persons/{b}/assignments"),
                &officer,
                Some(json!({"username": "not.sw"})),
            )
            .await;
        assert_eq!(
            (not_sw.status, field(&not_sw)),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("username")),
            "{}",
            not_sw.text
        );
        let worker = app.user("caseworker", Role::CommunityWorker, STREET).await;
        let forbidden = app
            .call(Method::POST, &format!("/api/v1/persons/{b}/assignments"), &worker, Some(json!({"username": "sw"})))
            .await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);

        let ended = app.call(Method::DELETE, &format!("/api/v1/persons/{a}/assignments/sw"), &officer, None).await;
        assert_eq!(ended.status, StatusCode::NO_CONTENT, "{}", ended.text);
        assert_eq!(
            app.call(Method::GET, &format!("/api/v1/persons/{a}"), &sw, None).await.status,
            StatusCode::NOT_FOUND
        );
    }
}

async fn verify(app: &TestApp, client: &Client, query: &str) -> Answer {
    app.call(Method::GET, &format!("/api/v1/audit/verify{query}"), client, None).await
}

/// Intact for those who may verify, with the head as `yuanzhu audit verify` prints it (#11 §4):
/// the last event's number and hash, and `SEQ:HASH`; given back later as `expect_head`, the chain
/// must still hold that event unchanged.
#[tokio::test]
async fn audit_verification_says_intact_and_reports_the_head_for_those_who_may_verify() {
    for app in apps("admin_audit").await {
        let auditor = app.user("auditor", Role::Auditor, STREET).await;
        app.register_persons(&[&person("a", "陈甲", "1975-03-01", 11)]).await;
        let a = verify(&app, &auditor, "").await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(a.body["intact"], true);
        assert!(a.body["events"].as_i64().unwrap() > 0 && a.body.get("broken_at").is_none(), "{}", a.text);
        let recorded = yuanzhu_storage::audit::head(app.store()).await.unwrap();
        let head = &a.body["head"];
        assert_eq!((head["seq"].as_i64(), head["hash"].as_str()), (Some(recorded.seq), Some(recorded.hash.as_str())));
        assert_eq!(a.body["events"].as_i64(), Some(recorded.seq), "{}", a.text);
        let kept = head["text"].as_str().unwrap().to_owned();
        assert_eq!(kept, format!("{}:{}", recorded.seq, recorded.hash));
        assert_eq!(recorded.hash.len(), 64);

        let worker = app.user("worker", Role::CommunityWorker, STREET).await;
        assert_eq!(verify(&app, &worker, "").await.status, StatusCode::FORBIDDEN);

        // The chain grows; the head kept earlier still holds.
        app.register_persons(&[&person("b", "陈乙", "1975-03-01", 13)]).await;
        let a = verify(&app, &auditor, &format!("?expect_head={kept}")).await;
        assert_eq!(a.body["intact"], true, "{}", a.text);
        assert!(a.body["head"]["seq"].as_i64().unwrap() > recorded.seq, "{}", a.text);

        // A head the chain does not hold: an event with another hash, or one that is gone.
        let other = format!("{}:{}", recorded.seq, "0".repeat(64));
        let a = verify(&app, &auditor, &format!("?expect_head={other}")).await;
        assert_eq!((a.body["intact"].as_bool(), a.body["broken_at"].as_i64()), (Some(false), Some(recorded.seq)));
        assert!(a.body.get("head").is_none() && a.body["reason"].as_str().unwrap().contains("hash"), "{}", a.text);
        let a = verify(&app, &auditor, &format!("?expect_head=100000:{}", recorded.hash)).await;
        assert_eq!((a.body["intact"].as_bool(), a.body["broken_at"].as_i64()), (Some(false), Some(100000)));
        assert!(a.body["reason"].as_str().unwrap().contains("gone"), "{}", a.text);

        // Not a head at all: the field, in the caller's language.
        let a = verify(&app, &auditor, "?expect_head=12").await;
        assert_eq!(
            (a.status, code(&a), field(&a)),
            (StatusCode::UNPROCESSABLE_ENTITY, "invalid_head", Some("expect_head"))
        );
        assert!(a.body["error"]["message"].as_str().unwrap().contains("审计链头"), "{}", a.text);
    }
}

#[tokio::test]
async fn a_man_turning_40_is_recognised_by_the_reassessment_and_his_file_says_so() {
    for app in apps("admin_reassess_ageing").await {
        // Male (odd serial), 39 when he registered, 40 on 2016-06-01.
        let man = person("a", "周九", "1976-06-01", 13).registered_on("2016-03-01");
        app.register_persons(&[&man]).await;
        let id = man.id();
        let admin = admin(&app).await;
        let a = app.call(Method::POST, "/api/v1/reassess", &admin, Some(json!({"on": "2016-06-01"}))).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(a.body["entered"]["older_unemployed"], 1, "{}", a.text);
        assert_eq!(a.body["recognised"]["older_unemployed"], 1, "{}", a.text);
        let file = app.call(Method::GET, &format!("/api/v1/persons/{id}"), &admin, None).await;
        assert_eq!(file.body["categories"], json!(["older_unemployed"]), "{}", file.text);
        let r = &file.body["recognitions"][0];
        assert_eq!((r["route"].as_str(), r["decided_by"].as_str()), (Some("automatic"), Some("reassessment")), "{r}");
    }
}

#[tokio::test]
async fn a_city_admin_reassesses_the_registry_and_a_district_supervisor_is_told_why_not() {
    for app in apps("admin_reassess").await {
        app.register_persons(&[&person("a", "陈甲", "1975-03-01", 11)]).await;
        let admin = admin(&app).await;
        let a = app.call(Method::POST, "/api/v1/reassess", &admin, Some(json!({"on": "2026-11-26"}))).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!((a.body["assessed"].as_u64(), a.body["as_of"].as_str()), (Some(1), Some("2026-11-26")));
        assert!(a.body["revocation_proposals"]["lost_contact"].is_u64(), "{}", a.text);

        let bad = app.call(Method::POST, "/api/v1/reassess", &admin, Some(json!({"on": "2026-02-30"}))).await;
        assert_eq!((bad.status, field(&bad)), (StatusCode::UNPROCESSABLE_ENTITY, Some("on")));
        let policy = app.call(Method::POST, "/api/v1/reassess", &admin, Some(json!({"policy": "gz-1999"}))).await;
        assert_eq!((policy.status, field(&policy)), (StatusCode::UNPROCESSABLE_ENTITY, Some("policy")));
        let wrong_type = app.call(Method::POST, "/api/v1/reassess", &admin, Some(json!({"on": 20261126}))).await;
        assert_eq!(
            (wrong_type.status, field(&wrong_type)),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("on")),
            "{}",
            wrong_type.text
        );

        let district = app.user("district", Role::DistrictSupervisor, "440104").await;
        let d = app.call(Method::POST, "/api/v1/reassess", &district, Some(json!({}))).await;
        assert_eq!((d.status, code(&d)), (StatusCode::FORBIDDEN, "whole_registry_only"));
        let officer = app.user("officer", Role::StreetOfficer, STREET).await;
        let o = app.call(Method::POST, "/api/v1/reassess", &officer, Some(json!({}))).await;
        assert_eq!((o.status, code(&o)), (StatusCode::FORBIDDEN, "forbidden"));
    }
}

#[tokio::test]
async fn possible_duplicates_are_queued_within_jurisdiction_and_decided_once() {
    for app in apps("admin_duplicates").await {
        let persons = [
            person("a", "陈同名", "1975-03-01", 11),
            person("b", "陈同名", "1975-03-01", 12),
            person_elsewhere("c", "李同名", "1980-03-01", 21),
            person_elsewhere("d", "李同名", "1980-03-01", 22),
        ];
        app.register_persons(&persons.each_ref()).await;
        let [.., c, d] = persons.map(|p| p.id());
        yuanzhu_storage::duplicates::flag_new(app.store(), "test").await.unwrap();
        let officer = app.user("officer", Role::StreetOfficer, STREET).await;
        let q = app.call(Method::GET, "/api/v1/duplicates", &officer, None).await;
        assert_eq!(q.status, StatusCode::OK, "{}", q.text);
        let flags = q.body.as_array().unwrap();
        assert_eq!(flags.len(), 1, "{}", q.text);
        assert_eq!(flags[0]["name"], "陈同名");
        assert!(!q.text.contains(&c) && !q.text.contains(&d));
        let id = flags[0]["id"].as_str().unwrap().to_owned();

        let other = app.user("other", Role::StreetOfficer, OTHER_STREET).await;
        let theirs = app.call(Method::GET, "/api/v1/duplicates", &other, None).await;
        let other_id = theirs.body[0]["id"].as_str().unwrap().to_owned();
        assert_ne!(other_id, id);
        let not_mine = app
            .call(
                Method::POST,
                &format!("/api/v1/duplicates/{other_id}/decision"),
                &officer,
                Some(json!({"same_person": false})),
            )
            .await;
        assert_eq!(not_mine.status, StatusCode::NOT_FOUND);

        let worker = app.user("worker", Role::CommunityWorker, STREET).await;
        assert_eq!(app.call(Method::GET, "/api/v1/duplicates", &worker, None).await.status, StatusCode::FORBIDDEN);

        let bad = app
            .call(
                Method::POST,
                &format!("/api/v1/duplicates/{id}/decision"),
                &officer,
                Some(json!({"same_person": "yes"})),
            )
            .await;
        assert_eq!((bad.status, field(&bad)), (StatusCode::UNPROCESSABLE_ENTITY, Some("same_person")), "{}", bad.text);
        let decided = app
            .call(
                Method::POST,
                &format!("/api/v1/duplicates/{id}/decision"),
                &officer,
                Some(json!({"same_person": false})),
            )
            .await;
        assert_eq!(decided.status, StatusCode::NO_CONTENT, "{}", decided.text);
        let again = app
            .call(
                Method::POST,
                &format!("/api/v1/duplicates/{id}/decision"),
                &officer,
                Some(json!({"same_person": true})),
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        assert_eq!(app.call(Method::GET, "/api/v1/duplicates", &officer, None).await.body, json!([]));
    }
}

#[tokio::test]
async fn a_households_zero_employment_ends_when_a_member_finds_work() {
    for app in apps("admin_household").await {
        // Only the columns the household's file had: no phone, allowance or disability.
        let member = |p: PersonBuilder| p.without("phone").without("minimum_living_allowance").without("disabled");
        let persons = [
            member(person("a", "陈父", "1975-03-01", 11)).household("H1", "户主"),
            member(person("b", "陈母", "1978-06-01", 22)).household("H1", "配偶"),
        ];
        app.register_persons(&persons.each_ref()).await;
        let a = persons[0].id();
        let worker = app.user("worker", Role::CommunityWorker, STREET).await;
        let h = app.call(Method::GET, "/api/v1/households/H1", &worker, None).await;
        assert_eq!(h.status, StatusCode::OK, "{}", h.text);
        assert_eq!(h.body["zero_employment"], true, "{}", h.text);
        assert_eq!(h.body["members"].as_array().unwrap().len(), 2);
        assert!(h.text.contains(&a), "a caseworker sees full ID numbers");

        let auditor = app.user("auditor", Role::Auditor, STREET).await;
        let masked = app.call(Method::GET, "/api/v1/households/H1", &auditor, None).await;
        assert_eq!(masked.status, StatusCode::OK);
        assert!(!masked.text.contains(&a) && masked.text.contains("********"), "{}", masked.text);

        let stranger = app.user("stranger", Role::CommunityWorker, OTHER_STREET).await;
        assert_eq!(app.call(Method::GET, "/api/v1/households/H1", &stranger, None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.call(Method::GET, "/api/v1/households/H404", &worker, None).await.status, StatusCode::NOT_FOUND);
        let bad_on = app.call(Method::GET, "/api/v1/households/H1?on=yesterday", &worker, None).await;
        assert_eq!((bad_on.status, field(&bad_on)), (StatusCode::UNPROCESSABLE_ENTITY, Some("on")));

        let uri = format!("/api/v1/persons/{a}/employment");
        let future = app.call(Method::POST, &uri, &worker, Some(json!({"started_on": "2999-01-01"}))).await;
        assert_eq!((future.status, field(&future)), (StatusCode::UNPROCESSABLE_ENTITY, Some("started_on")));
        let not_a_date = app.call(Method::POST, &uri, &worker, Some(json!({"started_on": "11/01/2026"}))).await;
        assert_eq!((not_a_date.status, field(&not_a_date)), (StatusCode::UNPROCESSABLE_ENTITY, Some("started_on")));
        assert_eq!(
            app.call(Method::POST, &uri, &auditor, Some(json!({"started_on": "2026-11-01"}))).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.call(Method::POST, &uri, &stranger, Some(json!({"started_on": "2026-11-01"}))).await.status,
            StatusCode::NOT_FOUND
        );

        let e = app
            .call(Method::POST, &uri, &worker, Some(json!({"started_on": "2026-11-01", "employer": "某物流公司"})))
            .await;
        assert_eq!(e.status, StatusCode::CREATED, "{}", e.text);
        assert_eq!(e.body["household"]["zero_employment"], false, "{}", e.text);
        assert!(e.body["family_revocation_proposals"].is_array());
        let h = app.call(Method::GET, "/api/v1/households/H1", &worker, None).await;
        assert_eq!(h.body["zero_employment"], false, "{}", h.text);
        let before = app.call(Method::GET, "/api/v1/households/H1?on=2026-10-31", &worker, None).await;
        assert_eq!(before.body["zero_employment"], true, "{}", before.text);

        // The work ends (失业): the household counts the member as without work from the next day.
        let job = e.body["employment_id"].as_str().unwrap().to_owned();
        let end = format!("/api/v1/persons/{a}/employment/end");
        let early =
            app.call(Method::POST, &end, &worker, Some(json!({"employment_id": job, "ended_on": "2026-10-31"}))).await;
        assert_eq!(
            (early.status, field(&early), code(&early)),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("ended_on"), "ends_before_start"),
            "work that had not started cannot end: {}",
            early.text
        );
        let future =
            app.call(Method::POST, &end, &worker, Some(json!({"employment_id": job, "ended_on": "2999-01-01"}))).await;
        assert_eq!((future.status, field(&future)), (StatusCode::UNPROCESSABLE_ENTITY, Some("ended_on")));
        assert_eq!(
            app.call(Method::POST, &end, &auditor, Some(json!({"employment_id": job, "ended_on": "2026-11-10"})))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let ended =
            app.call(Method::POST, &end, &worker, Some(json!({"employment_id": job, "ended_on": "2026-11-10"}))).await;
        assert_eq!(ended.status, StatusCode::OK, "{}", ended.text);
        assert_eq!(ended.body["employment"]["ended_on"], "2026-11-10", "{}", ended.text);
        assert_eq!(ended.body["household"]["zero_employment"], true, "{}", ended.text);
        let during = app.call(Method::GET, "/api/v1/households/H1?on=2026-11-10", &worker, None).await;
        assert_eq!(during.body["zero_employment"], false, "the last day worked: {}", during.text);
        let again =
            app.call(Method::POST, &end, &worker, Some(json!({"employment_id": job, "ended_on": "2026-11-11"}))).await;
        assert_eq!(code(&again), "already_ended", "{}", again.text);
    }
}

/// A registration refused for its unit of hukou leaves nobody registered: the unit is checked
/// before anything is written.
#[tokio::test]
async fn a_registration_with_an_unknown_hukou_unit_is_refused_whole() {
    for app in apps("register_hukou").await {
        let worker = app.user("worker", Role::CommunityWorker, STREET).await;
        let id = id_number("440104", "1975-03-01", 61);
        let body = |hukou: &str| {
            json!({"id_number": id, "name": "陈测试", "residence_unit": STREET, "registered_on": "2016-05-01",
                "hukou_local": true, "registered_unemployed": true, "able_to_work": true,
                "willing_to_be_assisted": true, "hukou_unit": hukou})
        };
        for (hukou, code_wanted) in [("440199001", "unknown_unit"), ("4401", "invalid_unit")] {
            let a = app.call(Method::POST, "/api/v1/persons", &worker, Some(body(hukou))).await;
            assert_eq!(
                (a.status, field(&a), code(&a)),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("hukou_unit"), code_wanted),
                "{}",
                a.text
            );
            assert!(a.body["error"]["message"].as_str().unwrap().starts_with("hukou_unit"), "{}", a.text);
            let file = app.call(Method::GET, &format!("/api/v1/persons/{id}"), &worker, None).await;
            assert_eq!(file.status, StatusCode::NOT_FOUND, "nobody was registered: {}", file.text);
        }
        let a = app.call(Method::POST, "/api/v1/persons", &worker, Some(body("440104011"))).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    }
}

/// The test kit's standard office (`yuanzhu_test_support::office`): on each engine every post
/// signs in, and the server says it holds the post's role at the post's unit.
#[tokio::test]
async fn the_standard_office_signs_in_with_each_post_s_role_and_unit() {
    use yuanzhu_test_support::office::Office;
    for app in apps("admin_standard_office").await {
        let office = app.office().await;
        for (post, client) in Office::STANDARD.each().into_iter().zip(office.each()) {
            let me = app.call(Method::GET, "/api/v1/session", client, None).await;
            assert_eq!(me.status, StatusCode::OK, "{}: {}", post.username, me.text);
            assert_eq!(
                (me.body["username"].as_str(), me.body["role"].as_str(), me.body["unit"].as_str()),
                (Some(post.username), Some(post.role.code()), Some(post.unit)),
            );
        }
    }
}
