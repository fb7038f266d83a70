//! Security hardening (issue #11 §4 and the edges of §2) through the whole application on SQLite
//! and PostgreSQL: landline numbers masked like mobiles, the security headers of every page and
//! answer, who may read `/metrics`, idle sessions kept alive by activity, redirects only within
//! the site, and the status of an oversized body.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, apps, id_number};
use yuanzhu_domain::access::Role;
use yuanzhu_storage::search;

const COMMUNITY: &str = "440104011001";

/// A person at [`COMMUNITY`] whose phone is a Guangzhou landline; their ID number.
async fn person_with_landline(app: &TestApp) -> String {
    app.community(COMMUNITY).await;
    let id = id_number("440106", "1975-01-01", 321);
    app.register(&[&format!("a,{id},林固话,020-83001234,{COMMUNITY},2016-03-01,true,true,true,true,,")]).await;
    id
}

#[tokio::test]
async fn a_landline_is_masked_like_a_mobile_in_the_file_header_timeline_and_api() {
    for app in apps("security_landline").await {
        let id = person_with_landline(&app).await;
        let person_id = search::reach(app.store(), &id, "").await.unwrap().unwrap().person_id;
        let caseworker = app.user("caseworker", Role::CommunityWorker, COMMUNITY).await;
        let a = app.call(Method::GET, &format!("/api/v1/persons/{id}"), &caseworker, None).await;
        assert!(a.text.contains("02083001234"), "the caseworker sees the whole number: {}", a.text);

        let hotline = app.user("hotline", Role::HotlineOperator, "440104011").await;
        let api = app.call(Method::GET, &format!("/api/v1/persons/{id}"), &hotline, None).await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.text);
        assert_eq!(api.body["person"]["phone"], "020****1234", "{}", api.text);
        let list = app.call(Method::GET, "/api/v1/persons?q=%E6%9E%97%E5%9B%BA", &hotline, None).await;
        assert_eq!(list.body[0]["phone"], "020****1234", "{}", list.text);
        let page = app.call(Method::GET, &format!("/p/{person_id}"), &hotline, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("020****1234"), "the file header shows the masked landline");
        for answer in [&api, &list, &page] {
            assert!(!answer.text.contains("83001234"), "no trace of the local number: {}", answer.text);
        }
    }
}

#[tokio::test]
async fn a_landline_in_a_contact_note_is_masked_for_readers() {
    for app in apps("security_landline_note").await {
        let id = person_with_landline(&app).await;
        let caseworker = app.user("caseworker", Role::CommunityWorker, COMMUNITY).await;
        let body = serde_json::json!({
            "on": "2026-11-20", "channel": "phone", "reached": false,
            "note": "拨打 020-83001234 及 83001235 均无人接听",
        });
        let a = app.call(Method::POST, &format!("/api/v1/persons/{id}/contacts"), &caseworker, Some(body)).await;
        assert!(a.status.is_success(), "{}", a.text);
        let hotline = app.user("hotline", Role::HotlineOperator, "440104011").await;
        let file = app.call(Method::GET, &format!("/api/v1/persons/{id}"), &hotline, None).await;
        assert!(file.text.contains("020-****1234") && file.text.contains("****1235"), "{}", file.text);
        assert!(!file.text.contains("8300123"), "{}", file.text);
    }
}
