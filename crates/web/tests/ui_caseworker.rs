//! What a new caseworker trips on (issue #11 §5), through the whole application on SQLite and
//! PostgreSQL: an unknown address answers a page in the user's language, not JSON.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Answer, Client, TestApp, apps};
use http_body_util::BodyExt;
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
