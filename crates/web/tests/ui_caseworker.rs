//! What a new caseworker trips on (issue #11 §5), through the whole application on SQLite and
//! PostgreSQL: an unknown address answers a page in the user's language, not JSON.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Answer, Client, TestApp, apps, id_number};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;
use yuanzhu_domain::access::Role;

/// A GET as a browser sends it: the session cookie, and `yz_lang=en` for English.
async fn page(app: &TestApp, client: &Client, uri: &str, english: bool) -> Answer {
    let mut cookies = Vec::new();
    if let Client::Session { cookie, .. } = client {
        cookies.push(cookie.clone());
    }
    if english {
        cookies.push("yz_lang=en".to_owned());
    }
    let mut r = Request::builder().method(Method::GET).uri(uri);
    if !cookies.is_empty() {
        r = r.header(header::COOKIE, cookies.join("; "));
    }
    let response = app.router.clone().oneshot(r.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Answer { status, headers, body: serde_json::from_slice(&bytes).unwrap_or_default(), text }
}

fn content_type(a: &Answer) -> &str {
    a.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn an_unknown_address_is_a_page_in_the_users_language_and_under_api_stays_json() {
    for app in apps("not_found").await {
        app.community("440104011001").await;
        let caseworker = app.user("cw", Role::CommunityWorker, "440104011001").await;
        let zh = page(&app, &caseworker, "/applicaitons/nothing", false).await;
        assert_eq!(zh.status, StatusCode::NOT_FOUND);
        assert!(content_type(&zh).starts_with("text/html"), "{}", content_type(&zh));
        assert!(zh.text.contains("页面不存在") && zh.text.contains("href=\"/\""), "{}", zh.text);
        assert!(!zh.text.contains("{\"error\""), "{}", zh.text);

        let en = page(&app, &caseworker, "/applicaitons/nothing", true).await;
        assert_eq!(en.status, StatusCode::NOT_FOUND);
        assert!(en.text.contains("Page not found") && en.text.contains("lang=\"en\""), "{}", en.text);

        // Signed out, too: a page, and the language switch still works from it.
        let visitor = page(&app, &Client::Anonymous, "/nowhere", true).await;
        assert_eq!(visitor.status, StatusCode::NOT_FOUND);
        assert!(visitor.text.contains("Page not found"), "{}", visitor.text);

        let api = page(&app, &caseworker, "/api/v1/nowhere", false).await;
        assert_eq!(api.status, StatusCode::NOT_FOUND);
        assert!(content_type(&api).starts_with("application/json"));
        assert_eq!(api.body["error"]["code"], "not_found");
    }
}

/// The review of revocation proposals is in the menu of the roles that decide them
/// (`Action::DecideRevocation` in `access.rs`): the street officer and the city administrator.
#[tokio::test]
async fn only_the_roles_that_decide_revocations_have_the_review_menu() {
    for app in apps("review_menu").await {
        app.community("440104011001").await;
        for (name, role, unit, menu) in [
            ("street", Role::StreetOfficer, "440104011", true),
            ("city", Role::CityAdmin, "440100", true),
            ("district", Role::DistrictSupervisor, "440104", false),
            ("cw", Role::CommunityWorker, "440104011001", false),
            ("social", Role::SocialWorker, "440104011", false),
            ("hotline", Role::HotlineOperator, "440100", false),
            ("auditor", Role::Auditor, "440100", false),
        ] {
            let client = app.user(name, role, unit).await;
            let home = page(&app, &client, "/", false).await;
            assert_eq!(home.status, StatusCode::OK, "{name}");
            assert_eq!(home.text.contains("href=\"/revocations\""), menu, "{name}");
            assert_eq!(home.text.contains("注销审核"), menu, "{name}");
        }
    }
}

const COMMUNITY: &str = "440104011001"; // 东山街道
const STREET: &str = "440104011";

/// A person on 低保 living in [`COMMUNITY`]; returns the ID number.
async fn person(app: &TestApp, serial: u32) -> String {
    let id = id_number("440104", "1975-03-01", serial);
    app.register(&[&format!(
        "p{serial},{id},陈{serial},13800138000,{COMMUNITY},2016-05-01,true,true,true,true,true,false"
    )])
    .await;
    id
}

/// A person's record key, by which pages link to the file.
async fn person_key(app: &TestApp, id_number: &str) -> String {
    yuanzhu_storage::search::reach(app.store(), id_number, "").await.unwrap().unwrap().person_id
}

/// Opens a draft application through the API, received on `on`.
async fn open(app: &TestApp, client: &Client, id: &str, category: &str, on: &str) -> serde_json::Value {
    let uri = format!("/api/v1/persons/{id}/applications");
    let a = app.call(Method::POST, &uri, client, Some(json!({"category": category, "on": on}))).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    a.body
}

/// Units are shown by name (东山街道, 越秀区东山街道 as an office), and printed forms carry the
/// application's number and the office's name, not the record's UUID.
#[tokio::test]
async fn units_show_by_name_and_printed_forms_carry_a_number_to_read_aloud() {
    for app in apps("unit_names").await {
        app.community(COMMUNITY).await;
        let caseworker = app.user("cw", Role::CommunityWorker, COMMUNITY).await;
        let officer = app.user("officer", Role::StreetOfficer, STREET).await;
        let id = person(&app, 1).await;
        let opened = open(&app, &caseworker, &id, "hardship_low_income", "2026-12-01").await;
        assert_eq!(opened["number"], "SQ-2026-000001", "{opened}");
        let uuid = opened["id"].as_str().unwrap();

        let home = page(&app, &officer, "/", false).await;
        assert!(home.text.contains("东山街道"), "{}", home.text);
        let print = page(&app, &caseworker, &format!("/applications/{uuid}/print"), false).await;
        assert_eq!(print.status, StatusCode::OK);
        assert!(print.text.contains("SQ-2026-000001"), "{}", print.text);
        assert!(print.text.contains("越秀区东山街道"), "{}", print.text);
        let sheets = print.text.split("class=\"app-sheet").skip(1).collect::<Vec<_>>().join("");
        assert!(!sheets.contains(uuid), "the printed form shows the record's UUID: {sheets}");

        let file = page(&app, &caseworker, &format!("/p/{}", person_key(&app, &id).await), true).await;
        assert_eq!(file.status, StatusCode::OK);
        assert!(file.text.contains("越秀区东山街道") && file.text.contains("SQ-2026-000001"), "{}", file.text);
    }
}
