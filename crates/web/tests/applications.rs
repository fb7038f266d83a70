//! Applications for recognition through the API (穗人社发〔2014〕4号 第五条), on SQLite and PostgreSQL:
//! the whole story from opening to decision, the one-time deficiency notice, wrong transitions,
//! jurisdiction and roles, and bad input answered in the error shape.

mod common;

use axum::http::{Method, StatusCode};
use common::{Answer, Client, TestApp, apps};
use serde_json::{Value, json};
use yuanzhu_domain::access::Role;
use yuanzhu_test_support::office::OTHER_COMMUNITY;
use yuanzhu_test_support::person::PersonBuilder;

type Office = yuanzhu_test_support::office::Office<Client>;

/// The documents 第五条 asks of a 第3目 applicant (low income), in the article's order.
const LOW_INCOME_CHECKLIST: [&str; 3] = [
    "employment_unemployment_certificate",
    "hardship_application_form",
    "minimum_living_allowance_or_low_income_certificate",
];

/// Registers a person living in the standard office's community and returns their ID number.
async fn person(app: &TestApp, serial: u32) -> String {
    let person = PersonBuilder::new().serial(serial).phone("13800138000").minimum_living_allowance(true);
    app.register_persons(&[&person]).await;
    person.id()
}

async fn post(app: &TestApp, client: &Client, uri: &str, body: Value) -> Answer {
    app.call(Method::POST, uri, client, Some(body)).await
}

async fn get(app: &TestApp, client: &Client, uri: &str) -> Answer {
    app.call(Method::GET, uri, client, None).await
}

/// Asserts the answer is an error of the API's shape, with this status, code and field.
#[track_caller]
fn assert_error(a: &Answer, status: StatusCode, code: &str, field: Option<&str>) {
    assert_eq!(a.status, status, "{}", a.text);
    let e = &a.body["error"];
    assert_eq!(e["code"], code, "{}", a.text);
    assert_eq!(e["field"].as_str(), field, "{}", a.text);
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", a.text);
}

fn codes(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|d| d["document"].as_str().unwrap().to_owned()).collect()
}

/// Opens an application for `category`. Guangzhou's hardship sub-types are received on
/// 2016-05-02, while 穗人社发〔2014〕4号 was in force (it expired on 2019-01-19): approval reads the
/// policy and the facts of the day received. Other categories are received today.
async fn open(app: &TestApp, client: &Client, id: &str, category: &str) -> Value {
    let body = if category.starts_with("hardship_") {
        json!({"category": category, "on": "2016-05-02"})
    } else {
        json!({"category": category})
    };
    let a = post(app, client, &format!("/api/v1/persons/{id}/applications"), body).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    a.body
}

/// POSTs a change to the application, with its current version.
async fn change(app: &TestApp, client: &Client, application: &Value, step: &str, mut body: Value) -> Answer {
    body["version"] = application["version"].clone();
    let id = application["id"].as_str().unwrap();
    post(app, client, &format!("/api/v1/applications/{id}/{step}"), body).await
}

/// A well-formed body for each step, so that only access decides the answer.
fn body_for(step: &str) -> Value {
    match step {
        "documents" | "commitments" => json!({"documents": [LOW_INCOME_CHECKLIST[0]]}),
        "reject" => json!({"reason": "不符合条件"}),
        "deficiency-notice" => json!({"defective": [LOW_INCOME_CHECKLIST[0]]}),
        _ => json!({}),
    }
}

#[track_caller]
fn ok(a: Answer) -> Value {
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body
}

#[tokio::test]
async fn hardship_application_from_opening_through_the_one_time_notice_to_recognition() {
    for app in apps("app_story").await {
        let o = app.office().await;
        let id = person(&app, 11).await;

        let draft = open(&app, &o.caseworker, &id, "hardship_low_income").await;
        assert_eq!((draft["state"].as_str(), draft["policy"].as_str()), (Some("draft"), Some("gz-2014-4")));
        assert_eq!(codes(&draft["checklist"]), LOW_INCOME_CHECKLIST);
        assert_eq!(draft["missing"], json!(LOW_INCOME_CHECKLIST));
        assert_eq!(draft["checklist"][2]["citation"], "第五条第（三）项");

        let one =
            ok(change(&app, &o.caseworker, &draft, "documents", json!({"documents": [LOW_INCOME_CHECKLIST[0]]})).await);
        assert_eq!(one["checklist"][0]["supplied"], "provided");
        assert_eq!(one["version"], draft["version"].as_i64().unwrap() + 1);

        // Handing in an incomplete file serves the one-time notice listing everything missing.
        let deficient = ok(change(&app, &o.caseworker, &one, "submit", json!({})).await);
        assert_eq!(deficient["state"], "deficient");
        let notice = &deficient["deficiency_notice"];
        assert_eq!(codes(&notice["missing"]), LOW_INCOME_CHECKLIST[1..]);
        assert_eq!(notice["served_by"], "caseworker");
        assert_eq!(deficient["deadlines"]["days_since_notice"], 0);

        // The street's queue shows it, with what is still missing; no policy sets a deadline.
        let queue = ok(get(&app, &o.street_officer, "/api/v1/applications?waiting=documents").await);
        let row = queue.as_array().unwrap().iter().find(|r| r["application_id"] == deficient["id"]).unwrap();
        assert_eq!(codes(&row["still_missing"]), LOW_INCOME_CHECKLIST[1..]);
        assert_eq!((row["days_since_notice"].as_i64(), row["days_left"].as_i64()), (Some(0), None));
        assert_ne!(row["id_number"], id.as_str(), "lists mask ID numbers");
        assert!(row["id_number"].as_str().unwrap().contains('*'));

        // Not complete: neither approvable nor resubmittable.
        let a = change(&app, &o.street_officer, &deficient, "approve", json!({})).await;
        assert_error(&a, StatusCode::CONFLICT, "not_allowed_in_state", Some("state"));
        let a = change(&app, &o.caseworker, &deficient, "submit", json!({})).await;
        assert_error(&a, StatusCode::CONFLICT, "documents_still_missing", Some("documents"));

        let complete =
            ok(change(&app, &o.caseworker, &deficient, "documents", json!({"documents": &LOW_INCOME_CHECKLIST[1..]}))
                .await);
        assert_eq!(complete["missing"], json!([]));
        let submitted = ok(change(&app, &o.caseworker, &complete, "submit", json!({})).await);
        assert_eq!(submitted["state"], "submitted");
        let queue = ok(get(&app, &o.street_officer, "/api/v1/applications?waiting=documents").await);
        assert!(queue.as_array().unwrap().iter().all(|r| r["application_id"] != submitted["id"]), "no longer waiting");

        // The caseworker prepares; the street office decides.
        let a = change(&app, &o.caseworker, &submitted, "approve", json!({})).await;
        assert_error(&a, StatusCode::FORBIDDEN, "forbidden", None);
        let approved = ok(change(&app, &o.street_officer, &submitted, "approve", json!({})).await);
        assert_eq!(approved["state"], "approved");
        let history: Vec<&str> =
            approved["history"].as_array().unwrap().iter().map(|e| e["action"]["kind"].as_str().unwrap()).collect();
        assert_eq!(history, ["create", "provide", "submit", "provide", "provide", "submit", "approve"]);

        let file = ok(get(&app, &o.street_officer, &format!("/api/v1/persons/{id}")).await);
        assert!(file["categories"].as_array().unwrap().iter().any(|c| c == "hardship_low_income"), "{file}");

        let again =
            ok(get(&app, &o.street_officer, &format!("/api/v1/applications/{}", approved["id"].as_str().unwrap()))
                .await);
        assert_eq!(again["state"], "approved");
        let a = change(&app, &o.street_officer, &approved, "approve", json!({})).await;
        assert_error(&a, StatusCode::CONFLICT, "not_allowed_in_state", Some("state"));
        let a = change(&app, &o.caseworker, &approved, "withdraw", json!({})).await;
        assert_error(&a, StatusCode::CONFLICT, "not_allowed_in_state", Some("state"));
        // Recognised now: nothing left to apply for.
        let a = post(
            &app,
            &o.caseworker,
            &format!("/api/v1/persons/{id}/applications"),
            json!({"category": "hardship_low_income"}),
        )
        .await;
        assert_error(&a, StatusCode::CONFLICT, "already_recognised", Some("category"));
    }
}

#[tokio::test]
async fn review_serves_one_deficiency_notice_only_and_a_refusal_needs_a_reason() {
    for app in apps("app_review").await {
        let o = app.office().await;
        let id = person(&app, 12).await;
        let draft = open(&app, &o.caseworker, &id, "hardship_long_term_older").await;
        assert_eq!(codes(&draft["checklist"]), LOW_INCOME_CHECKLIST[..2]);
        let all = json!({"documents": &LOW_INCOME_CHECKLIST[..2]});
        let complete = ok(change(&app, &o.caseworker, &draft, "documents", all.clone()).await);
        let submitted = ok(change(&app, &o.caseworker, &complete, "submit", json!({})).await);

        let a = change(
            &app,
            &o.caseworker,
            &submitted,
            "deficiency-notice",
            json!({"defective": ["hardship_application_form"]}),
        )
        .await;
        assert_error(&a, StatusCode::FORBIDDEN, "forbidden", None);
        let a = change(&app, &o.street_officer, &submitted, "deficiency-notice", json!({"defective": []})).await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "nothing_missing", Some("defective"));
        let deficient = ok(change(
            &app,
            &o.street_officer,
            &submitted,
            "deficiency-notice",
            json!({"defective": ["hardship_application_form"]}),
        )
        .await);
        assert_eq!(deficient["state"], "deficient");
        assert_eq!(codes(&deficient["deficiency_notice"]["missing"]), ["hardship_application_form"]);

        let fixed = ok(change(
            &app,
            &o.caseworker,
            &deficient,
            "documents",
            json!({"documents": ["hardship_application_form"]}),
        )
        .await);
        let resubmitted = ok(change(&app, &o.caseworker, &fixed, "submit", json!({})).await);
        assert_eq!(resubmitted["state"], "submitted");
        let a = change(
            &app,
            &o.street_officer,
            &resubmitted,
            "deficiency-notice",
            json!({"defective": ["hardship_application_form"]}),
        )
        .await;
        assert_error(&a, StatusCode::CONFLICT, "second_deficiency_notice", Some("deficiency_notice"));

        for blank in ["", "   "] {
            let a = change(&app, &o.street_officer, &resubmitted, "reject", json!({"reason": blank})).await;
            assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "required", Some("reason"));
        }
        let a = change(&app, &o.street_officer, &resubmitted, "reject", json!({})).await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("reason"));
        let rejected =
            ok(change(&app, &o.street_officer, &resubmitted, "reject", json!({"reason": "连续失业未满6个月"})).await);
        assert_eq!(rejected["state"], "rejected");
        assert_eq!(rejected["refusal_notice"]["reason"], "连续失业未满6个月");
        assert_eq!(rejected["refusal_notice"]["served_by"], "officer");
        assert_eq!(rejected["deadlines"]["can_appeal"], false, "gz-2014-4 sets no re-review");

        // Refused, so a new application may be opened; it can be withdrawn, once.
        let second = open(&app, &o.caseworker, &id, "hardship_long_term_older").await;
        let a = post(
            &app,
            &o.caseworker,
            &format!("/api/v1/persons/{id}/applications"),
            json!({"category": "hardship_long_term_older"}),
        )
        .await;
        assert_error(&a, StatusCode::CONFLICT, "application_already_open", Some("category"));
        let withdrawn = ok(change(&app, &o.caseworker, &second, "withdraw", json!({})).await);
        assert_eq!(withdrawn["state"], "withdrawn");
        let a = change(&app, &o.caseworker, &withdrawn, "withdraw", json!({})).await;
        assert_error(&a, StatusCode::CONFLICT, "not_allowed_in_state", Some("state"));
        let a = change(&app, &o.caseworker, &withdrawn, "documents", all).await;
        assert_error(&a, StatusCode::CONFLICT, "not_allowed_in_state", Some("state"));
    }
}

#[tokio::test]
async fn a_change_on_a_stale_version_is_a_conflict_and_records_nothing() {
    for app in apps("app_stale").await {
        let o = app.office().await;
        let id = person(&app, 13).await;
        let draft = open(&app, &o.caseworker, &id, "hardship_low_income").await;
        ok(change(&app, &o.caseworker, &draft, "documents", json!({"documents": [LOW_INCOME_CHECKLIST[0]]})).await);
        // A second caseworker still looking at the draft's first version.
        let a = change(&app, &o.caseworker, &draft, "documents", json!({"documents": [LOW_INCOME_CHECKLIST[1]]})).await;
        assert_error(&a, StatusCode::CONFLICT, "version_conflict", Some("version"));
        let a = change(&app, &o.caseworker, &draft, "withdraw", json!({})).await;
        assert_error(&a, StatusCode::CONFLICT, "version_conflict", Some("version"));
        let now =
            ok(get(&app, &o.caseworker, &format!("/api/v1/applications/{}", draft["id"].as_str().unwrap())).await);
        assert_eq!((now["state"].as_str(), now["version"].as_i64()), (Some("draft"), Some(2)));
    }
}

#[tokio::test]
async fn outside_the_jurisdiction_an_application_does_not_exist() {
    for app in apps("app_reach").await {
        let o = app.office().await;
        let id = person(&app, 14).await;
        let draft = open(&app, &o.caseworker, &id, "hardship_low_income").await;
        let uri = format!("/api/v1/applications/{}", draft["id"].as_str().unwrap());
        let missing = get(&app, &o.stranger, "/api/v1/applications/0190f0a0-0000-7000-8000-000000000000").await;
        assert_error(&missing, StatusCode::NOT_FOUND, "not_found", None);
        let theirs = get(&app, &o.stranger, &uri).await;
        assert_error(&theirs, StatusCode::NOT_FOUND, "not_found", None);
        assert_eq!(theirs.text, missing.text, "the same answer as for an application that does not exist");
        for step in ["documents", "commitments", "submit", "deficiency-notice", "approve", "reject", "withdraw"] {
            let a = change(&app, &o.stranger, &draft, step, body_for(step)).await;
            assert_error(&a, StatusCode::NOT_FOUND, "not_found", None);
        }
        let a = post(
            &app,
            &o.stranger,
            &format!("/api/v1/persons/{id}/applications"),
            json!({"category": "hardship_low_income"}),
        )
        .await;
        assert_error(&a, StatusCode::NOT_FOUND, "not_found", None);
        // Nor does it wait in their queue.
        let deficient = ok(change(&app, &o.caseworker, &draft, "submit", json!({})).await);
        assert_eq!(deficient["state"], "deficient");
        let queue = ok(get(&app, &o.stranger, "/api/v1/applications?waiting=documents").await);
        assert_eq!(queue, json!([]));
        let queue = ok(get(&app, &o.hotline, "/api/v1/applications?waiting=documents").await);
        assert_eq!(queue.as_array().unwrap().len(), 1, "the district's hotline sees the district");
    }
}

#[tokio::test]
async fn a_hotline_operator_reads_an_application_but_neither_prepares_nor_decides_it() {
    for app in apps("app_hotline").await {
        let o = app.office().await;
        let id = person(&app, 15).await;
        let a = post(
            &app,
            &o.hotline,
            &format!("/api/v1/persons/{id}/applications"),
            json!({"category": "hardship_low_income"}),
        )
        .await;
        assert_error(&a, StatusCode::FORBIDDEN, "forbidden", None);
        let draft = open(&app, &o.caseworker, &id, "hardship_low_income").await;
        let seen = ok(get(&app, &o.hotline, &format!("/api/v1/applications/{}", draft["id"].as_str().unwrap())).await);
        assert!(seen["id_number"].as_str().unwrap().contains('*'), "the hotline does not see identities");
        let full =
            ok(get(&app, &o.caseworker, &format!("/api/v1/applications/{}", draft["id"].as_str().unwrap())).await);
        assert_eq!(full["id_number"], id.as_str());
        for step in ["documents", "commitments", "submit", "deficiency-notice", "approve", "reject", "withdraw"] {
            let a = change(&app, &o.hotline, &draft, step, body_for(step)).await;
            assert_error(&a, StatusCode::FORBIDDEN, "forbidden", None);
        }
    }
}

#[tokio::test]
async fn bad_bodies_are_answered_in_the_error_shape_naming_the_field() {
    for app in apps("app_bad").await {
        let o = app.office().await;
        let id = person(&app, 16).await;
        let opening = format!("/api/v1/persons/{id}/applications");
        let cases: [(Value, StatusCode, &str, Option<&str>); 7] = [
            (json!({}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("category")),
            (json!({"category": 7}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("category")),
            (
                json!({"category": "hardship_flying"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_category",
                Some("category"),
            ),
            (
                json!({"category": "hardship_family_graduate"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "recognised_automatically",
                Some("category"),
            ),
            (
                json!({"category": "hardship_low_income", "policy": "gz-1999"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_policy",
                Some("policy"),
            ),
            (
                json!({"category": "hardship_low_income", "on": "2024-13-45"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_date",
                Some("on"),
            ),
            (
                json!({"category": "hardship_low_income", "on": "2999-01-01"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "date_in_future",
                Some("on"),
            ),
        ];
        for (body, status, code, field) in cases {
            let a = post(&app, &o.caseworker, &opening, body.clone()).await;
            assert_error(&a, status, code, field);
        }
        let a = app.send(Method::POST, &opening, &o.caseworker, Some(b"{\"category\":".to_vec()), &[]).await;
        assert_error(&a, StatusCode::BAD_REQUEST, "invalid_json", None);

        let draft = open(&app, &o.caseworker, &id, "hardship_low_income").await;
        let uri = format!("/api/v1/applications/{}/documents", draft["id"].as_str().unwrap());
        let a = post(&app, &o.caseworker, &uri, json!({"documents": ["passport"], "version": 1})).await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "unknown_document", Some("documents"));
        assert!(
            a.body["error"]["message"].as_str().unwrap().contains("hardship_application_form"),
            "lists the checklist"
        );
        let a = post(&app, &o.caseworker, &uri, json!({"documents": [], "version": 1})).await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "required", Some("documents"));
        let a =
            post(&app, &o.caseworker, &uri, json!({"documents": ["household_labourers_certificates"], "version": 1}))
                .await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "not_on_checklist", Some("documents"));
        let a = post(&app, &o.caseworker, &uri, json!({"documents": [LOW_INCOME_CHECKLIST[0]]})).await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("version"));
        let a =
            post(&app, &o.caseworker, &uri, json!({"documents": [LOW_INCOME_CHECKLIST[0]], "version": "one"})).await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("version"));
        // All or none: one bad document records none of them.
        let a = post(
            &app,
            &o.caseworker,
            &uri,
            json!({"documents": [LOW_INCOME_CHECKLIST[0], "household_labourers_certificates"], "version": 1}),
        )
        .await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "not_on_checklist", Some("documents"));
        let commit = format!("/api/v1/applications/{}/commitments", draft["id"].as_str().unwrap());
        let a = post(&app, &o.caseworker, &commit, json!({"documents": [LOW_INCOME_CHECKLIST[2]], "version": 1})).await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "commitment_not_accepted", Some("documents"));
        let now =
            ok(get(&app, &o.caseworker, &format!("/api/v1/applications/{}", draft["id"].as_str().unwrap())).await);
        assert_eq!(now["version"], 1);

        // Without `waiting` it is the queue (see below); a `waiting` it does not know is refused.
        let a = get(&app, &o.street_officer, "/api/v1/applications?waiting=decision").await;
        assert_error(&a, StatusCode::BAD_REQUEST, "invalid_query", Some("waiting"));
        let a = get(&app, &o.caseworker, "/api/v1/persons/not-an-id/applications").await;
        assert_eq!(a.status, StatusCode::METHOD_NOT_ALLOWED, "{}", a.text);
        let a = post(
            &app,
            &o.caseworker,
            "/api/v1/persons/not-an-id/applications",
            json!({"category": "hardship_low_income"}),
        )
        .await;
        assert_error(&a, StatusCode::NOT_FOUND, "not_found", None);
    }
}

#[tokio::test]
async fn messages_follow_accept_language() {
    for app in apps("app_lang").await {
        let o = app.office().await;
        let id = person(&app, 17).await;
        let draft = open(&app, &o.caseworker, &id, "hardship_low_income").await;
        let uri = format!("/api/v1/applications/{}/approve", draft["id"].as_str().unwrap());
        let body = Some(serde_json::to_vec(&json!({"version": 1})).unwrap());
        let zh = app.send(Method::POST, &uri, &o.street_officer, body.clone(), &[]).await;
        let en = app.send(Method::POST, &uri, &o.street_officer, body, &[("accept-language", "en-GB,en;q=0.9")]).await;
        assert_error(&zh, StatusCode::CONFLICT, "not_allowed_in_state", Some("state"));
        assert_error(&en, StatusCode::CONFLICT, "not_allowed_in_state", Some("state"));
        assert_eq!(en.body["error"]["message"], "state: the application is a draft, so you cannot approve it");
        assert!(zh.body["error"]["message"].as_str().unwrap().starts_with("state（状态）：申请当前为“草稿”"));
    }
}

/// Values that are wrong for some field somewhere: wrong types, extremes, blanks, NUL bytes,
/// impossible dates.
fn bad_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(1.5),
        json!(""),
        json!(" "),
        json!("\u{0}"),
        json!("x".repeat(5000)),
        json!("２０２４-０１-０１"),
        json!("2024-02-30"),
        json!("0000-01-01"),
        json!("9999-12-31"),
        json!("'; DROP TABLE applications; --"),
        json!([]),
        json!([null]),
        json!(["\u{0}"]),
        json!({}),
        json!({"a": 1}),
    ]
}

/// Every field of `valid` replaced in turn by every bad value, plus the whole body replaced and
/// an unknown field added.
fn bad_bodies(valid: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for bad in bad_values() {
        for key in valid.as_object().unwrap().keys() {
            let mut body = valid.clone();
            body[key.as_str()] = bad.clone();
            out.push(body);
        }
        let mut extra = valid.clone();
        extra["unexpected"] = bad.clone();
        out.push(extra);
        out.push(bad);
    }
    out
}

/// Never a 500, and every error in the API's shape.
#[track_caller]
fn assert_no_server_error(a: &Answer, what: &str) {
    assert!(a.status.as_u16() < 500, "{what}: {} {}", a.status, a.text);
    if !a.status.is_success() {
        let e = &a.body["error"];
        assert!(e["code"].is_string() && e["message"].is_string(), "{what}: {}", a.text);
    }
}

#[tokio::test]
async fn generated_bad_input_never_gets_a_server_error() {
    for app in apps("app_fuzz").await {
        let o = app.office().await;
        let id = person(&app, 18).await;
        let draft = open(&app, &o.caseworker, &id, "hardship_low_income").await;
        let app_id = draft["id"].as_str().unwrap();
        let endpoints: [(String, Value); 9] = [
            (
                format!("/api/v1/persons/{id}/applications"),
                json!({"category": "hardship_long_term_older", "policy": "gz-2014-4", "on": "2026-01-05"}),
            ),
            (
                format!("/api/v1/applications/{app_id}/documents"),
                json!({"documents": [LOW_INCOME_CHECKLIST[0]], "version": 1, "on": "2026-01-05"}),
            ),
            (
                format!("/api/v1/applications/{app_id}/commitments"),
                json!({"documents": [LOW_INCOME_CHECKLIST[0]], "version": 1, "on": "2026-01-05"}),
            ),
            (format!("/api/v1/applications/{app_id}/submit"), json!({"version": 1, "on": "2026-01-05"})),
            (
                format!("/api/v1/applications/{app_id}/deficiency-notice"),
                json!({"defective": [LOW_INCOME_CHECKLIST[0]], "version": 1, "on": "2026-01-05"}),
            ),
            (format!("/api/v1/applications/{app_id}/approve"), json!({"version": 1, "on": "2026-01-05"})),
            (
                format!("/api/v1/applications/{app_id}/reject"),
                json!({"reason": "不符合条件", "version": 1, "on": "2026-01-05"}),
            ),
            (format!("/api/v1/applications/{app_id}/withdraw"), json!({"version": 1, "on": "2026-01-05"})),
            ("/api/v1/applications/%00/withdraw".to_owned(), json!({"version": 1})),
        ];
        for (uri, valid) in &endpoints {
            for body in bad_bodies(valid) {
                for client in [&o.caseworker, &o.street_officer] {
                    let a = post(&app, client, uri, body.clone()).await;
                    assert_no_server_error(&a, &format!("POST {uri} {body}"));
                }
            }
            for raw in [&b"{"[..], b"null", b"\xff\xfe", b"{\"version\": 1e999}", b""] {
                let a = app.send(Method::POST, uri, &o.caseworker, Some(raw.to_vec()), &[]).await;
                assert_no_server_error(&a, &format!("POST {uri} {raw:?}"));
            }
        }
        let paths = [
            "%00",
            "%FF",
            "..%2F..",
            "x",
            &"a".repeat(300),
            "0190f0a0-0000-7000-8000-000000000000",
            "%27%20OR%201%3D1%20--",
        ];
        for p in paths {
            let a = get(&app, &o.street_officer, &format!("/api/v1/applications/{p}")).await;
            assert_no_server_error(&a, p);
            assert!(matches!(a.status, StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST), "{p}: {}", a.text);
            let a = post(
                &app,
                &o.caseworker,
                &format!("/api/v1/persons/{p}/applications"),
                json!({"category": "hardship_low_income"}),
            )
            .await;
            assert_no_server_error(&a, p);
        }
        for q in [
            "waiting=%00",
            "waiting=",
            "waiting=documents&waiting=documents",
            "waiting[]=x",
            "waiting=documents&unit=%25",
        ] {
            let a = get(&app, &o.street_officer, &format!("/api/v1/applications?{q}")).await;
            assert_no_server_error(&a, q);
        }
    }
}

#[tokio::test]
async fn a_provincial_application_takes_a_written_commitment_and_carries_its_deadlines() {
    for app in apps("app_gd").await {
        let o = app.office().await;
        let id = person(&app, 19).await;
        // gd-2023-11 is in force today and lists the category: it is chosen without being named.
        let draft = open(&app, &o.caseworker, &id, "disabled").await;
        assert_eq!(draft["policy"], "gd-2023-11");
        assert_eq!(codes(&draft["checklist"]), ["application_form", "disabled"]);
        assert_eq!(draft["checklist"][1]["accepts_commitment"], true);

        // 告知承诺制 replaces the proof, never the application form.
        let a = change(&app, &o.caseworker, &draft, "commitments", json!({"documents": ["application_form"]})).await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "commitment_not_accepted", Some("documents"));
        let committed =
            ok(change(&app, &o.caseworker, &draft, "commitments", json!({"documents": ["disabled"]})).await);
        assert_eq!(committed["checklist"][1]["supplied"], "commitment_in_lieu_of_proof");
        let complete =
            ok(change(&app, &o.caseworker, &committed, "documents", json!({"documents": ["application_form"]})).await);
        let submitted = ok(change(&app, &o.caseworker, &complete, "submit", json!({})).await);
        assert_eq!(submitted["state"], "submitted");
        // Ten working days for the district's review.
        assert!(submitted["deadlines"]["review_deadline"].is_string(), "{submitted}");
        assert_eq!(submitted["deadlines"]["review_overdue"], false);

        let refused =
            ok(change(&app, &o.street_officer, &submitted, "reject", json!({"reason": "残疾人证已注销"})).await);
        assert!(refused["deadlines"]["appeal_deadline"].is_string(), "{refused}");
        assert_eq!(refused["deadlines"]["can_appeal"], true, "thirty days to ask for re-review");
        assert_eq!(refused["deadlines"]["review_deadline"], Value::Null);
    }
}

/// `GET /api/v1/applications?state=…&page=…` is the `/applications` page's queue as JSON: the
/// applications made at the caller's offices, newest first, fifty a page, names shown and ID
/// numbers masked; the roles the page refuses are refused, and a filter it does not know is an
/// error naming the field.
#[tokio::test]
async fn the_api_lists_the_queue_of_the_callers_offices_as_the_page_does() {
    for app in apps("applications_listing").await {
        let o = app.office().await;
        // 51 applicants in the caseworker's community (one more than a page), one in the next street.
        let persons: Vec<PersonBuilder> = (0..51)
            .map(|i| {
                let name = format!("林{i:02}");
                PersonBuilder::new()
                    .serial(100 + i)
                    .reference(&format!("p{i}"))
                    .name(&name)
                    .minimum_living_allowance(true)
            })
            .collect();
        app.register_persons(&persons.iter().collect::<Vec<_>>()).await;
        let ids: Vec<String> = persons.iter().map(PersonBuilder::id).collect();
        let neighbour = PersonBuilder::new().serial(300).born("1976-03-01").reference("x").name("农林甲");
        let neighbour = neighbour.residence_unit(OTHER_COMMUNITY).minimum_living_allowance(true);
        app.register_persons(&[&neighbour]).await;
        let elsewhere = neighbour.id();
        let mut drafts = Vec::new();
        for id in &ids {
            drafts.push(open(&app, &o.caseworker, id, "hardship_low_income").await);
        }
        open(&app, &o.stranger, &elsewhere, "hardship_low_income").await;
        let withdrawn = ok(change(&app, &o.caseworker, &drafts[0], "withdraw", json!({})).await);
        let deficient = ok(change(&app, &o.caseworker, &drafts[1], "submit", json!({})).await);

        // Undecided by default, newest first, fifty a page.
        let first = ok(get(&app, &o.street_officer, "/api/v1/applications").await);
        assert_eq!(
            (first["state"].as_str(), first["total"].as_i64(), first["pages"].as_u64()),
            (Some("open"), Some(50), Some(1))
        );
        let numbers = |page: &Value| -> Vec<String> {
            page["applications"].as_array().unwrap().iter().map(|a| a["number"].as_str().unwrap().to_owned()).collect()
        };
        let mut newest_first: Vec<String> =
            drafts[1..].iter().map(|d| d["number"].as_str().unwrap().to_owned()).collect();
        newest_first.reverse();
        assert_eq!(numbers(&first), newest_first);
        let row = first["applications"].as_array().unwrap().iter().find(|a| a["id"] == deficient["id"]).unwrap();
        assert_eq!((row["state"].as_str(), row["days_since_notice"].as_i64()), (Some("deficient"), Some(0)));
        assert_eq!(row["name"], "林01");
        assert!(row["id_number"].as_str().unwrap().contains('*') && !first.to_string().contains(&ids[1]));
        assert!(!first.to_string().contains("农林甲"), "another street's applications are not the officer's");

        let all = ok(get(&app, &o.street_officer, "/api/v1/applications?state=all&page=2").await);
        assert_eq!((all["total"].as_i64(), all["pages"].as_u64(), all["page"].as_u64()), (Some(51), Some(2), Some(2)));
        assert_eq!(numbers(&all), [drafts[0]["number"].as_str().unwrap()], "the oldest, on the second page");
        let only = ok(get(&app, &o.street_officer, "/api/v1/applications?state=withdrawn").await);
        assert_eq!(numbers(&only), [withdrawn["number"].as_str().unwrap()]);
        let theirs = ok(get(&app, &o.stranger, "/api/v1/applications?state=all").await);
        assert_eq!((theirs["total"].as_i64(), theirs["applications"][0]["name"].as_str()), (Some(1), Some("农林甲")));
        let district = ok(get(&app, &o.district_supervisor, "/api/v1/applications?state=all").await);
        assert_eq!(district["total"], 52);

        // The same queue the page shows.
        let page = get(&app, &o.street_officer, "/applications?state=all&page=2").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains(drafts[0]["number"].as_str().unwrap()), "{}", page.text);

        // Every role that prepares, decides or oversees applications sees its own units' queue:
        // the caseworker their community's, the city and its auditor the whole city's.
        let auditor = app.user("district_auditor", Role::Auditor, "440104").await;
        let street_auditor = app.user("street_auditor", Role::Auditor, "440104012").await;
        for (client, total) in [(&o.caseworker, 51), (&o.city_admin, 52), (&auditor, 52), (&street_auditor, 1)] {
            let seen = ok(get(&app, client, "/api/v1/applications?state=all").await);
            assert_eq!(seen["total"], total, "{seen}");
        }
        let caseworkers = ok(get(&app, &o.caseworker, "/api/v1/applications?state=all&page=1").await);
        assert!(!caseworkers.to_string().contains("农林甲"), "the next street's application is not the caseworker's");

        // Roles that neither prepare, decide nor oversee applications have no queue.
        for client in [&o.hotline, &o.social_worker] {
            assert_error(&get(&app, client, "/api/v1/applications").await, StatusCode::FORBIDDEN, "forbidden", None);
        }
        // A filter it does not know is refused naming the field, in the caller's language.
        let a = get(&app, &o.street_officer, "/api/v1/applications?state=pending").await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "unknown_state", Some("state"));
        let message = a.body["error"]["message"].as_str().unwrap();
        assert!(message.contains("状态") && message.contains("pending") && message.contains("submitted"), "{message}");
        let a = app
            .send(
                Method::GET,
                "/api/v1/applications?state=pending",
                &o.street_officer,
                None,
                &[("accept-language", "en")],
            )
            .await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "unknown_state", Some("state"));
        assert!(
            a.body["error"]["message"].as_str().unwrap().starts_with("state: there is no filter `pending`"),
            "{}",
            a.text
        );
        let a = get(&app, &o.street_officer, "/api/v1/applications?page=0").await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_page", Some("page"));
    }
}

/// Opens `category` received on `on`, supplies every document and submits it that day.
async fn submitted_on(app: &TestApp, o: &Office, id: &str, category: &str, on: &str) -> Value {
    let uri = format!("/api/v1/persons/{id}/applications");
    let draft = post(app, &o.caseworker, &uri, json!({"category": category, "policy": "gz-2014-4", "on": on})).await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
    let docs: Vec<Value> = draft.body["checklist"].as_array().unwrap().iter().map(|c| c["document"].clone()).collect();
    let full = ok(change(app, &o.caseworker, &draft.body, "documents", json!({"documents": docs, "on": on})).await);
    ok(change(app, &o.caseworker, &full, "submit", json!({"on": on})).await)
}

/// The case: a street officer approved 特困（大龄且连续失业6个月以上） under 穗人社发〔2014〕4号
/// for an application received 2026-12-07, for a person with no unemployed-since.
#[tokio::test]
async fn approval_refuses_what_the_rules_do_not_grant_and_says_why_in_the_callers_language() {
    for app in apps("app_rules").await {
        let o = app.office().await;
        let id = person(&app, 61).await;
        let today = chrono::Local::now().date_naive().to_string();
        let late = submitted_on(&app, &o, &id, "hardship_long_term_older", &today).await;
        let a = change(&app, &o.street_officer, &late, "approve", json!({})).await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "policy_not_in_force", Some("category"));
        assert!(a.body["error"]["message"].as_str().unwrap().contains("gd-2023-11"), "{}", a.text);

        // Received in 2016 under the policy then in force, the rules still do not grant it: she is
        // 41 (40 is enough for a woman), but nothing shows when her unemployment began.
        let id = person(&app, 62).await;
        let early = submitted_on(&app, &o, &id, "hardship_long_term_older", "2016-05-02").await;
        assert_eq!(early["received_on"], "2016-05-02");
        let uri = format!("/api/v1/applications/{}/approve", early["id"].as_str().unwrap());
        let body = serde_json::to_vec(&json!({"version": early["version"]})).unwrap();
        let en =
            app.send(Method::POST, &uri, &o.street_officer, Some(body.clone()), &[("accept-language", "en")]).await;
        assert_error(&en, StatusCode::UNPROCESSABLE_ENTITY, "rules_not_met", Some("category"));
        let message = en.body["error"]["message"].as_str().unwrap();
        assert!(message.contains("as of 2016-05-02") && message.contains("unemployed_since"), "{message}");
        let zh = app.send(Method::POST, &uri, &o.street_officer, Some(body), &[]).await;
        let message = zh.body["error"]["message"].as_str().unwrap();
        assert!(message.contains("连续失业起始日期") && message.contains("第三条第（三）项第1目"), "{message}");
        assert!(!message.contains("周岁"), "her age is not what is unmet: {message}");
        // Nothing was decided.
        let again =
            ok(get(&app, &o.street_officer, &format!("/api/v1/applications/{}", early["id"].as_str().unwrap())).await);
        assert_eq!((again["state"].as_str(), &again["version"]), (Some("submitted"), &early["version"]));
        let file = ok(get(&app, &o.street_officer, &format!("/api/v1/persons/{id}")).await);
        assert!(!file["categories"].as_array().unwrap().iter().any(|c| c == "hardship_long_term_older"), "{file}");

        // What the rules do grant (低保, 第3目) is approved as before.
        let granted = submitted_on(&app, &o, &id, "hardship_low_income", "2016-05-02").await;
        assert_eq!(ok(change(&app, &o.street_officer, &granted, "approve", json!({})).await)["state"], "approved");
    }
}
