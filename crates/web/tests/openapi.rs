//! The OpenAPI document is an interface: a change to it must be deliberate. The snapshot lives in
//! `crates/web/openapi.json`; after a deliberate change, regenerate it with
//! `UPDATE_SNAPSHOTS=1 cargo test -p yuanzhu-web --test openapi` and review the diff.

mod common;

use axum::http::{Method, StatusCode};
use common::Client;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");

#[test]
fn the_openapi_document_matches_its_snapshot() {
    let now = serde_json::to_string_pretty(&yuanzhu_web::openapi()).unwrap() + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(SNAPSHOT, &now).unwrap();
        return;
    }
    let before = std::fs::read_to_string(SNAPSHOT).unwrap_or_default();
    if before != now {
        let diff_at = before.lines().zip(now.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "the OpenAPI document changed (first difference at line {}: `{}` became `{}`); if deliberate, run \
             UPDATE_SNAPSHOTS=1 cargo test -p yuanzhu-web --test openapi",
            diff_at + 1,
            before.lines().nth(diff_at).unwrap_or(""),
            now.lines().nth(diff_at).unwrap_or("")
        );
    }
}

#[test]
fn every_operation_documents_its_errors_in_the_error_shape() {
    let doc = serde_json::to_value(yuanzhu_web::openapi()).unwrap();
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.keys().any(|s| s.starts_with('2')), "{method} {path} documents no success");
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{method} {path} has no tag");
        }
    }
}

#[tokio::test]
async fn the_document_and_its_docs_page_are_served_and_need_no_network() {
    let app = common::apps("openapi").await.into_iter().next().unwrap();
    let doc = app.call(Method::GET, "/api/openapi.json", &Client::Anonymous, None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body, serde_json::to_value(yuanzhu_web::openapi()).unwrap());
    let page = app.call(Method::GET, "/api/docs/", &Client::Anonymous, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert!(page.text.contains("swagger-ui"), "{}", page.text);
    for external in ["src=\"http", "href=\"http", "src='http", "href='http", "//cdn", "unpkg.com"] {
        assert!(!page.text.contains(external), "the docs page loads `{external}` from the network");
    }
    let script = app.call(Method::GET, "/api/docs/swagger-ui-bundle.js", &Client::Anonymous, None).await;
    assert_eq!(script.status, StatusCode::OK, "the docs page's script is served by the server itself");
}
