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

/// The person's file is documented by its types: every key the API answers is a property of the
/// schema (the stored file and its sections), and every property the schema requires is there.
/// A section added without its type, or a type that no longer matches, fails here.
#[tokio::test]
async fn the_person_file_answers_what_its_schema_documents() {
    let doc = serde_json::to_value(yuanzhu_web::openapi()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let parts: Vec<&serde_json::Value> = schemas["WholeFile"]["allOf"]
        .as_array()
        .expect("the whole file is the stored file and its sections")
        .iter()
        .map(|r| &schemas[r["$ref"].as_str().unwrap().trim_start_matches("#/components/schemas/")])
        .collect();
    let documented: std::collections::BTreeSet<&str> =
        parts.iter().flat_map(|p| p["properties"].as_object().unwrap().keys().map(String::as_str)).collect();
    let required: Vec<&str> =
        parts.iter().flat_map(|p| p["required"].as_array().unwrap().iter().map(|k| k.as_str().unwrap())).collect();
    for section in ["applications", "contacts", "revocation_proposals", "household", "household_joins", "timeline"] {
        assert!(documented.contains(section), "the schema documents no `{section}`: {documented:?}");
    }
    for app in common::apps("file_schema").await {
        app.community("440104011001").await;
        let clerk = app.user("clerk", yuanzhu_domain::access::Role::CommunityWorker, "440104011").await;
        let id = common::id_number("440104", "1978-06-01", 32);
        let body = serde_json::json!({
            "id_number": id, "name": "陈小红", "residence_unit": "440104011001", "registered_on": "2024-03-01",
            "household_ref": "H1", "relation": "户主", "hukou_local": true, "without_work": true,
            "able_to_work": true, "willing_to_be_assisted": true,
        });
        let registered = app.call(Method::POST, "/api/v1/persons", &clerk, Some(body)).await;
        assert_eq!(registered.status, StatusCode::CREATED, "{}", registered.text);
        let file = app.call(Method::GET, &format!("/api/v1/persons/{id}"), &clerk, None).await;
        assert_eq!(file.status, StatusCode::OK, "{}", file.text);
        let answered = file.body.as_object().unwrap();
        for key in answered.keys() {
            assert!(documented.contains(key.as_str()), "`{key}` is answered but not documented");
        }
        for key in &required {
            assert!(answered.contains_key(*key), "`{key}` is required by the schema but not answered");
        }
        assert!(file.body["household"]["members"].is_array(), "{}", file.text);
    }
}
