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
