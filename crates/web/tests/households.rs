//! Households and employment through the API, on SQLite and PostgreSQL: one record for one job
//! however often it is sent, work before 16 or overlapping other work refused with the field
//! named, the end of work naming its record, and finding work ending the unemployment
//! registration with what rests on it.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Client, TestApp, apps, id_number};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use yuanzhu_domain::access::Role;

const STREET: &str = "440104011";

fn code(a: &common::Answer) -> &str {
    a.body["error"]["code"].as_str().unwrap_or("")
}

fn field(a: &common::Answer) -> Option<&str> {
    a.body["error"]["field"].as_str()
}

/// A person born 1975 (male), registered 2016 on the minimum living allowance.
async fn person(app: &TestApp, serial: u32) -> String {
    let id = id_number("440104", "1975-03-01", serial);
    app.register(&[&format!("r,{id},陈{serial},,{STREET},2016-03-01,true,true,true,true,true,")]).await;
    id
}

/// Sends one request on a router of its own, so that many run at once.
async fn post_on(router: axum::Router, uri: String, client: Client, body: Value) -> (StatusCode, Value) {
    let Client::Session { cookie, csrf } = client else { panic!("a session") };
    let request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header("x-csrf-token", csrf)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::to_vec(&body).unwrap()))
        .unwrap();
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn ten_identical_employment_posts_at_once_make_one_record() {
    for app in apps("hh_parallel").await {
        let id = person(&app, 11).await;
        let worker = app.user("worker", Role::CommunityWorker, STREET).await;
        let uri = format!("/api/v1/persons/{id}/employment");
        let body = json!({"started_on": "2026-11-01", "employer": "某物流公司"});
        let tries: Vec<_> = (0..10)
            .map(|_| tokio::spawn(post_on(app.router.clone(), uri.clone(), worker.clone(), body.clone())))
            .collect();
        let mut statuses = Vec::new();
        let mut ids = std::collections::BTreeSet::new();
        for t in tries {
            let (status, body) = t.await.unwrap();
            assert!(status.is_success(), "{status} {body}");
            statuses.push(status);
            ids.insert(body["employment_id"].as_str().unwrap().to_owned());
        }
        assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
        assert_eq!(ids.len(), 1, "every answer names the one record");
        let listed = app.call(Method::GET, &uri, &worker, None).await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
        assert_eq!(listed.body.as_array().unwrap().len(), 1, "{}", listed.text);
    }
}

#[tokio::test]
async fn work_before_sixteen_or_overlapping_other_work_is_refused_naming_started_on() {
    for app in apps("hh_refused").await {
        let id = person(&app, 12).await;
        let worker = app.user("worker", Role::CommunityWorker, STREET).await;
        let uri = format!("/api/v1/persons/{id}/employment");
        let young = app.call(Method::POST, &uri, &worker, Some(json!({"started_on": "1991-02-28"}))).await;
        assert_eq!(
            (young.status, code(&young), field(&young)),
            (StatusCode::UNPROCESSABLE_ENTITY, "below_working_age", Some("started_on")),
            "{}",
            young.text
        );
        assert!(young.body["error"]["message"].as_str().unwrap().contains("1991-03-01"), "{}", young.text);
        let first = app
            .call(Method::POST, &uri, &worker, Some(json!({"started_on": "2026-10-01", "employer": "甲公司"})))
            .await;
        assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
        let second = app
            .send(
                Method::POST,
                &uri,
                &worker,
                Some(serde_json::to_vec(&json!({"started_on": "2026-11-01", "employer": "乙公司"})).unwrap()),
                &[("accept-language", "en")],
            )
            .await;
        assert_eq!(
            (second.status, code(&second), field(&second)),
            (StatusCode::UNPROCESSABLE_ENTITY, "overlapping_employment", Some("started_on")),
            "{}",
            second.text
        );
        let message = second.body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("started_on: ") && message.contains("甲公司") && message.contains("2026-10-01"),
            "{message}"
        );

        // Ending work says which: the record's id, nothing else.
        let end = format!("/api/v1/persons/{id}/employment/end");
        let unnamed =
            app.call(Method::POST, &end, &worker, Some(json!({"employment_id": " ", "ended_on": "2026-10-31"}))).await;
        assert_eq!((unnamed.status, field(&unnamed)), (StatusCode::UNPROCESSABLE_ENTITY, Some("employment_id")));
        let wrong = app
            .call(
                Method::POST,
                &end,
                &worker,
                Some(json!({"employment_id": "0193a2c4-0000-7000-8000-000000000000", "ended_on": "2026-10-31"})),
            )
            .await;
        assert_eq!(
            (wrong.status, code(&wrong)),
            (StatusCode::UNPROCESSABLE_ENTITY, "employment_not_found"),
            "{}",
            wrong.text
        );
        let job = first.body["employment_id"].as_str().unwrap();
        let ended =
            app.call(Method::POST, &end, &worker, Some(json!({"employment_id": job, "ended_on": "2026-10-31"}))).await;
        assert_eq!(ended.status, StatusCode::OK, "{}", ended.text);
        let second = app
            .call(Method::POST, &uri, &worker, Some(json!({"started_on": "2026-11-01", "employer": "乙公司"})))
            .await;
        assert_eq!(second.status, StatusCode::CREATED, "once the first has ended: {}", second.text);
    }
}

#[tokio::test]
async fn finding_work_ends_the_registration_and_the_automatic_categories_in_one_answer() {
    for app in apps("hh_found_work").await {
        let id = person(&app, 13).await;
        let worker = app.user("worker", Role::CommunityWorker, STREET).await;
        let file = app.call(Method::GET, &format!("/api/v1/persons/{id}"), &worker, None).await;
        assert_eq!(file.body["categories"], json!(["older_unemployed"]), "{}", file.text);
        let uri = format!("/api/v1/persons/{id}/employment");
        let found = app.call(Method::POST, &uri, &worker, Some(json!({"started_on": "2026-11-01"}))).await;
        assert_eq!(found.status, StatusCode::CREATED, "{}", found.text);
        assert_eq!(found.body["registrations_ended"], json!(["2016-03-01"]), "{}", found.text);
        assert_eq!(found.body["recognitions_ended"][0]["category"], "older_unemployed", "{}", found.text);
        assert_eq!(found.body["employment"]["categories_at_start"][0]["category"], "older_unemployed");
        assert_eq!(
            found.body["revocation_proposals"],
            json!([]),
            "older_unemployed is not 特困 status: {}",
            found.text
        );
        let file = app.call(Method::GET, &format!("/api/v1/persons/{id}"), &worker, None).await;
        assert_eq!(file.body["categories"], json!([]), "{}", file.text);
        let listed = app.call(Method::GET, &uri, &worker, None).await;
        assert_eq!(listed.body[0]["categories_at_start"][0]["category"], "older_unemployed", "{}", listed.text);
    }
}

// ---------------------------------------------------------------------------------------------
// Households across jurisdictions
// ---------------------------------------------------------------------------------------------

const HERE: &str = "440104011001"; // 越秀区东山街道
const THERE: &str = "440105001001"; // 海珠区

struct TwoUnits {
    here: Client,
    there: Client,
    /// 王大明, living in [`THERE`], head of household H1: outside `here`'s jurisdiction.
    member: String,
}

/// A household H1 whose head lives in another district, and a caseworker on each side.
async fn two_units(app: &TestApp) -> TwoUnits {
    app.community(HERE).await;
    app.community(THERE).await;
    let member = id_number("440105", "1975-03-01", 31);
    let header = "ref,id_number,name,residence_unit,registered_on,household_ref,relation,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,without_work";
    app.register_csv(&format!("{header}\nm,{member},王大明,{THERE},2024-03-01,H1,户主,true,true,true,true,true")).await;
    TwoUnits {
        here: app.user("here", Role::CommunityWorker, HERE).await,
        there: app.user("there", Role::CommunityWorker, THERE).await,
        member,
    }
}

/// `here` registers 陈小红 into H1 through the API; her ID number.
async fn joiner(app: &TestApp, u: &TwoUnits) -> (String, common::Answer) {
    let id = id_number("440104", "1978-06-01", 32);
    let body = json!({
        "id_number": id, "name": "陈小红", "residence_unit": HERE, "registered_on": "2024-03-01",
        "household_ref": "H1", "relation": "配偶", "hukou_local": true, "without_work": true,
        "able_to_work": true, "willing_to_be_assisted": true,
    });
    let a = app.call(Method::POST, "/api/v1/persons", &u.here, Some(body)).await;
    (id, a)
}

#[track_caller]
fn shows_nothing_of(text: &str, member: &str) {
    assert!(!text.contains(member) && !text.contains("王大明"), "the member elsewhere shows: {text}");
}

#[tokio::test]
async fn joining_a_household_elsewhere_waits_for_that_unit_and_shows_its_members_masked() {
    for app in apps("hh_join").await {
        let u = two_units(&app).await;
        let (id, registered) = joiner(&app, &u).await;
        assert_eq!(registered.status, StatusCode::CREATED, "{}", registered.text);
        shows_nothing_of(&registered.text, &u.member);
        assert_eq!(registered.body["household_joins"][0]["state"], "pending", "{}", registered.text);
        let head = &registered.body["household"]["members"][0];
        assert_eq!((head["name"].as_str(), head["within_reach"].as_bool()), (Some("王**"), Some(false)), "{head}");
        assert!(head["relation"].is_null() && head["of_working_age"].is_null() && head["employed"].is_null(), "{head}");
        assert_eq!(head["id_number"], yuanzhu_domain::access::mask_id_number(&u.member));

        // Until the other unit accepts, she is not in the household.
        let theirs = app.call(Method::GET, "/api/v1/households/H1", &u.there, None).await;
        assert_eq!(theirs.body["members"].as_array().unwrap().len(), 1, "{}", theirs.text);
        assert_eq!(app.call(Method::GET, "/api/v1/households/H1", &u.here, None).await.status, StatusCode::NOT_FOUND);
        // Her unit cannot decide it; the household's unit sees it, with her identity masked.
        assert_eq!(app.call(Method::GET, "/api/v1/household-joins", &u.here, None).await.body, json!([]));
        let queue = app.call(Method::GET, "/api/v1/household-joins", &u.there, None).await;
        let claim = &queue.body[0];
        assert_eq!(
            (claim["name"].as_str(), claim["relation"].as_str()),
            (Some("陈**"), Some("配偶")),
            "{}",
            queue.text
        );
        assert!(!queue.text.contains(&id) && !queue.text.contains("陈小红"), "{}", queue.text);
        let uri = format!("/api/v1/household-joins/{}/accept", claim["id"].as_str().unwrap());
        let body = json!({"version": claim["version"]});
        let mine = app.call(Method::POST, &uri, &u.here, Some(body.clone())).await;
        assert_eq!(mine.status, StatusCode::NOT_FOUND, "the requester's unit does not accept its own claim");
        let accepted = app.call(Method::POST, &uri, &u.there, Some(body.clone())).await;
        assert_eq!(
            (accepted.status, accepted.body["state"].as_str()),
            (StatusCode::OK, Some("accepted")),
            "{}",
            accepted.text
        );
        let again = app.call(Method::POST, &uri, &u.there, Some(body)).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text);

        // Now a member: each side sees its own person in full and the other masked.
        let here = app.call(Method::GET, "/api/v1/households/H1", &u.here, None).await;
        assert_eq!(here.status, StatusCode::OK, "{}", here.text);
        shows_nothing_of(&here.text, &u.member);
        assert!(here.text.contains(&id) && here.text.contains("陈小红"), "{}", here.text);
        let there = app.call(Method::GET, "/api/v1/households/H1", &u.there, None).await;
        assert!(
            there.text.contains("陈**") && !there.text.contains("陈小红") && !there.text.contains(&id),
            "{}",
            there.text
        );
        let file = app.call(Method::GET, &format!("/api/v1/persons/{id}"), &u.here, None).await;
        shows_nothing_of(&file.text, &u.member);
    }
}

#[tokio::test]
async fn a_refused_join_takes_the_household_off_the_persons_record() {
    for app in apps("hh_refuse").await {
        let u = two_units(&app).await;
        let (id, _) = joiner(&app, &u).await;
        let queue = app.call(Method::GET, "/api/v1/household-joins", &u.there, None).await;
        let claim = &queue.body[0];
        let uri = format!("/api/v1/household-joins/{}/refuse", claim["id"].as_str().unwrap());
        let bare = app.call(Method::POST, &uri, &u.there, Some(json!({"version": claim["version"]}))).await;
        assert_eq!((bare.status, field(&bare)), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")), "{}", bare.text);
        let body = json!({"version": claim["version"], "reason": "经核实，该户无此成员"});
        let refused = app.call(Method::POST, &uri, &u.there, Some(body)).await;
        assert_eq!(refused.body["state"], "refused", "{}", refused.text);
        let file = app.call(Method::GET, &format!("/api/v1/persons/{id}"), &u.here, None).await;
        assert!(file.body["person"]["household_ref"].is_null() && file.body["household"].is_null(), "{}", file.text);
        assert_eq!(file.body["household_joins"][0]["state"], "refused", "{}", file.text);
        assert_eq!(file.body["household_joins"][0]["decision_note"], "经核实，该户无此成员");
    }
}

#[tokio::test]
async fn work_recorded_here_tells_the_other_members_unit_and_this_answer_nothing_about_them() {
    for app in apps("hh_effects").await {
        let u = two_units(&app).await;
        // 王大明 holds 城镇零就业家庭 under gd-2023-11 on application, approved by his street.
        let officer = app.user("officer-there", Role::StreetOfficer, &THERE[..9]).await;
        let open = format!("/api/v1/persons/{}/applications", u.member);
        let draft =
            app.call(Method::POST, &open, &u.there, Some(json!({"category": "urban_zero_employment_family"}))).await;
        assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
        let step = |s: &str| format!("/api/v1/applications/{}/{s}", draft.body["id"].as_str().unwrap());
        let docs = json!({"documents": draft.body["missing"], "version": draft.body["version"]});
        let full = app.call(Method::POST, &step("documents"), &u.there, Some(docs)).await;
        let sent =
            app.call(Method::POST, &step("submit"), &u.there, Some(json!({"version": full.body["version"]}))).await;
        let approved =
            app.call(Method::POST, &step("approve"), &officer, Some(json!({"version": sent.body["version"]}))).await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);

        let (id, _) = joiner(&app, &u).await;
        let queue = app.call(Method::GET, "/api/v1/household-joins", &u.there, None).await;
        let uri = format!("/api/v1/household-joins/{}/accept", queue.body[0]["id"].as_str().unwrap());
        app.call(Method::POST, &uri, &u.there, Some(json!({"version": queue.body[0]["version"]}))).await;

        // 陈小红 finds work: the household is no longer zero-employment.
        let today = chrono::Local::now().date_naive().to_string();
        let uri = format!("/api/v1/persons/{id}/employment");
        let found = app.call(Method::POST, &uri, &u.here, Some(json!({"started_on": today}))).await;
        assert_eq!(found.status, StatusCode::CREATED, "{}", found.text);
        shows_nothing_of(&found.text, &u.member);
        assert_eq!(found.body["family_revocation_proposals"], json!([]), "{}", found.text);
        assert!(found.text.contains("王**"), "the household shows its head masked: {}", found.text);

        // His unit is told: the proposal is in its review queue, the change in its households queue.
        let review = app.call(Method::GET, "/api/v1/revocation-proposals", &officer, None).await;
        let proposal = review.body.as_array().unwrap().iter().find(|p| p["reason"] == "family_member_employed");
        assert!(proposal.is_some(), "{}", review.text);
        assert!(
            !app.call(Method::GET, "/api/v1/revocation-proposals", &u.here, None)
                .await
                .text
                .contains("family_member_employed")
        );
        let told = app.call(Method::GET, "/api/v1/household-changes", &u.there, None).await;
        let change = &told.body[0];
        assert_eq!(
            (change["zero_employment"].as_bool(), change["cause"].as_str()),
            (Some(false), Some("employment.recorded")),
            "{}",
            told.text
        );
        assert_eq!(app.call(Method::GET, "/api/v1/household-changes", &u.here, None).await.body, json!([]));
        let seen = format!("/api/v1/household-changes/{}/seen", change["id"].as_str().unwrap());
        assert_eq!(app.call(Method::POST, &seen, &u.here, None).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.call(Method::POST, &seen, &u.there, None).await.status, StatusCode::OK);
        assert_eq!(app.call(Method::GET, "/api/v1/household-changes", &u.there, None).await.body, json!([]));
    }
}
