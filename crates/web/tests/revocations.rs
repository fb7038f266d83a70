//! Revocation through the API (穗人社发〔2014〕4号 第六条), on SQLite and PostgreSQL: contact attempts
//! and refusals as evidence, proposals with a reason from the policy's list, and the review that
//! confirms (the status ends) or dismisses (it stands); roles, jurisdiction and bad input.

mod common;

use axum::http::{Method, StatusCode};
use common::{Answer, Client, TestApp, apps, id_number};
use serde_json::{Value, json};
use yuanzhu_domain::access::Role;
use yuanzhu_rules::Date;

const COMMUNITY: &str = "440104011001"; // 东山街道
const STREET: &str = "440104011";
const OTHER_STREET: &str = "440104012"; // 农林街道

struct Office {
    caseworker: Client,
    officer: Client,
    stranger: Client,
    hotline: Client,
}

async fn office(app: &TestApp) -> Office {
    app.community(COMMUNITY).await;
    Office {
        caseworker: app.user("caseworker", Role::CommunityWorker, COMMUNITY).await,
        officer: app.user("officer", Role::StreetOfficer, STREET).await,
        stranger: app.user("stranger", Role::StreetOfficer, OTHER_STREET).await,
        hotline: app.user("hotline", Role::HotlineOperator, "440104").await,
    }
}

async fn post(app: &TestApp, client: &Client, uri: &str, body: Value) -> Answer {
    app.call(Method::POST, uri, client, Some(body)).await
}

async fn get(app: &TestApp, client: &Client, uri: &str) -> Answer {
    app.call(Method::GET, uri, client, None).await
}

#[track_caller]
fn assert_error(a: &Answer, status: StatusCode, code: &str, field: Option<&str>) {
    assert_eq!(a.status, status, "{}", a.text);
    let e = &a.body["error"];
    assert_eq!(e["code"], code, "{}", a.text);
    assert_eq!(e["field"].as_str(), field, "{}", a.text);
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", a.text);
}

#[track_caller]
fn status(a: Answer, want: StatusCode) -> Value {
    assert_eq!(a.status, want, "{}", a.text);
    a.body
}

/// Registers a person in [`COMMUNITY`] (no hardship status) and returns their ID number.
async fn registered(app: &TestApp, serial: u32) -> String {
    let id = id_number("440104", "1975-03-01", serial);
    app.register(&[&format!(
        "p{serial},{id},陈{serial},13800138000,{COMMUNITY},2016-05-01,true,true,true,true,true,false"
    )])
    .await;
    id
}

/// A person recognised today as 特困失业人员 (第三条第（三）项第3目) by application: the status 第六条
/// revokes.
async fn in_hardship(app: &TestApp, o: &Office, serial: u32) -> String {
    let id = registered(app, serial).await;
    let a = post(
        app,
        &o.caseworker,
        &format!("/api/v1/persons/{id}/applications"),
        json!({"category": "hardship_low_income", "on": "2016-05-02"}),
    )
    .await;
    let draft = status(a, StatusCode::CREATED);
    let uri = |step: &str| format!("/api/v1/applications/{}/{step}", draft["id"].as_str().unwrap());
    let documents = json!({"documents": draft["missing"], "version": draft["version"]});
    let complete = status(post(app, &o.caseworker, &uri("documents"), documents).await, StatusCode::OK);
    let submitted =
        status(post(app, &o.caseworker, &uri("submit"), json!({"version": complete["version"]})).await, StatusCode::OK);
    status(post(app, &o.officer, &uri("approve"), json!({"version": submitted["version"]})).await, StatusCode::OK);
    assert!(categories(app, o, &id).await.contains(&"hardship_low_income".to_owned()));
    id
}

async fn categories(app: &TestApp, o: &Office, id: &str) -> Vec<String> {
    let file = status(get(app, &o.officer, &format!("/api/v1/persons/{id}")).await, StatusCode::OK);
    file["categories"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect()
}

async fn propose(app: &TestApp, client: &Client, id: &str, reason: &str, note: &str) -> Answer {
    post(app, client, &format!("/api/v1/persons/{id}/revocation-proposals"), json!({"reason": reason, "note": note}))
        .await
}

/// Proposes and returns the one proposal made.
async fn proposed(app: &TestApp, client: &Client, id: &str, reason: &str, note: &str) -> Value {
    let made = status(propose(app, client, id, reason, note).await, StatusCode::CREATED);
    assert_eq!(made.as_array().unwrap().len(), 1, "{made}");
    made[0].clone()
}

async fn decide(app: &TestApp, client: &Client, proposal: &Value, body: Value) -> Answer {
    let mut body = body;
    if body.get("version").is_none() {
        body["version"] = proposal["version"].clone();
    }
    post(app, client, &format!("/api/v1/revocation-proposals/{}/decision", proposal["id"].as_str().unwrap()), body)
        .await
}

#[tokio::test]
async fn a_confirmed_proposal_ends_the_hardship_status() {
    for app in apps("rev_confirm").await {
        let o = office(&app).await;
        let id = in_hardship(&app, &o, 21).await;

        let p = proposed(&app, &o.caseworker, &id, "employed", "已与某公司签订劳动合同").await;
        assert_eq!((p["state"].as_str(), p["policy"].as_str()), (Some("proposed"), Some("gz-2014-4")));
        assert_eq!(p["citation"], "第六条第（一）项");
        assert_eq!(p["grounds"]["note"], "已与某公司签订劳动合同");
        assert_eq!(p["proposed_by"], "caseworker");
        assert!(!p["reason_name"].as_str().unwrap().is_empty());
        // Proposing again while one is open returns the open one.
        let again = proposed(&app, &o.caseworker, &id, "employed", "再次报告").await;
        assert_eq!(again["id"], p["id"]);

        let queue = status(get(&app, &o.officer, "/api/v1/revocation-proposals").await, StatusCode::OK);
        let row = queue.as_array().unwrap().iter().find(|r| r["id"] == p["id"]).expect("in the street's queue");
        assert!(row["id_number"].as_str().unwrap().contains('*'), "lists mask ID numbers");

        // Only a reviewer decides, on the version they read.
        assert_error(
            &decide(&app, &o.caseworker, &p, json!({"confirm": true})).await,
            StatusCode::FORBIDDEN,
            "forbidden",
            None,
        );
        assert_error(
            &decide(&app, &o.hotline, &p, json!({"confirm": true})).await,
            StatusCode::FORBIDDEN,
            "forbidden",
            None,
        );
        let stale = decide(&app, &o.officer, &p, json!({"confirm": true, "version": 7})).await;
        assert_error(&stale, StatusCode::CONFLICT, "version_conflict", Some("version"));

        let done = status(decide(&app, &o.officer, &p, json!({"confirm": true})).await, StatusCode::OK);
        assert_eq!(done["proposal"]["state"], "confirmed");
        assert_eq!(done["proposal"]["decided_by"], "officer");
        assert_eq!(done["ends_status"], true);
        assert_eq!(done["ended"][0]["category"], "hardship_low_income");

        assert!(!categories(&app, &o, &id).await.contains(&"hardship_low_income".to_owned()), "the status has ended");
        let file = status(get(&app, &o.officer, &format!("/api/v1/persons/{id}")).await, StatusCode::OK);
        let ended =
            file["recognitions"].as_array().unwrap().iter().find(|r| r["category"] == "hardship_low_income").unwrap();
        assert_eq!(ended["end_reason"], "employed", "{ended}");
        assert_eq!(file["revocation_proposals"][0]["state"], "confirmed");

        let twice = decide(&app, &o.officer, &done["proposal"], json!({"confirm": false, "note": "改判"})).await;
        assert_error(&twice, StatusCode::CONFLICT, "already_decided", Some("proposal"));
        let queue = status(get(&app, &o.officer, "/api/v1/revocation-proposals").await, StatusCode::OK);
        assert!(queue.as_array().unwrap().iter().all(|r| r["id"] != p["id"]), "decided, so no longer queued");
        // Nothing left that the reasons of 第六条 end.
        let a = propose(&app, &o.caseworker, &id, "written_waiver", "本人书面放弃").await;
        assert_error(&a, StatusCode::CONFLICT, "nothing_to_revoke", Some("reason"));
    }
}

#[tokio::test]
async fn a_dismissed_proposal_keeps_the_status_and_needs_a_reason() {
    for app in apps("rev_dismiss").await {
        let o = office(&app).await;
        let id = in_hardship(&app, &o, 22).await;
        let p = proposed(&app, &o.caseworker, &id, "written_waiver", "本人表示不再需要援助").await;
        for body in [json!({"confirm": false}), json!({"confirm": false, "note": "  "})] {
            assert_error(
                &decide(&app, &o.officer, &p, body).await,
                StatusCode::UNPROCESSABLE_ENTITY,
                "required",
                Some("note"),
            );
        }
        let done = status(
            decide(&app, &o.officer, &p, json!({"confirm": false, "note": "未见书面放弃声明"})).await,
            StatusCode::OK,
        );
        assert_eq!(done["proposal"]["state"], "dismissed");
        assert_eq!(done["proposal"]["decision_note"], "未见书面放弃声明");
        assert_eq!((done["ends_status"].as_bool(), done["ended"].as_array().unwrap().len()), (Some(false), 0));
        assert!(categories(&app, &o, &id).await.contains(&"hardship_low_income".to_owned()), "the status stands");
        let one = status(
            get(&app, &o.caseworker, &format!("/api/v1/revocation-proposals/{}", p["id"].as_str().unwrap())).await,
            StatusCode::OK,
        );
        assert_eq!((one["state"].as_str(), one["id_number"].as_str()), (Some("dismissed"), Some(id.as_str())));
    }
}

#[tokio::test]
async fn whoever_proposed_cannot_also_decide() {
    for app in apps("rev_self").await {
        let o = office(&app).await;
        let id = in_hardship(&app, &o, 23).await;
        let p = proposed(&app, &o.officer, &id, "lost_work_capacity", "经鉴定完全丧失劳动能力").await;
        let a = decide(&app, &o.officer, &p, json!({"confirm": true})).await;
        assert_error(&a, StatusCode::FORBIDDEN, "reviewer_is_proposer", Some("reviewer"));
        let a = decide(&app, &o.officer, &p, json!({"confirm": false, "note": "撤回"})).await;
        assert_error(&a, StatusCode::FORBIDDEN, "reviewer_is_proposer", Some("reviewer"));
        assert!(categories(&app, &o, &id).await.contains(&"hardship_low_income".to_owned()));
    }
}

#[tokio::test]
async fn a_reason_must_come_from_the_policys_list_with_a_note() {
    for app in apps("rev_reasons").await {
        let o = office(&app).await;
        let id = in_hardship(&app, &o, 24).await;
        let cases: [(&str, &str, StatusCode, &str, &str); 5] = [
            ("flying_away", "说明", StatusCode::UNPROCESSABLE_ENTITY, "unknown_code", "reason"),
            // 粤人社规 only: 第六条 has no such reason.
            ("subsidy_fraud", "说明", StatusCode::UNPROCESSABLE_ENTITY, "reason_not_in_policy", "reason"),
            ("family_member_employed", "说明", StatusCode::UNPROCESSABLE_ENTITY, "household_reason", "reason"),
            ("employed", "", StatusCode::UNPROCESSABLE_ENTITY, "required", "note"),
            ("employed", "   ", StatusCode::UNPROCESSABLE_ENTITY, "required", "note"),
        ];
        for (reason, note, want, code, field) in cases {
            assert_error(&propose(&app, &o.caseworker, &id, reason, note).await, want, code, Some(field));
        }
        let uri = format!("/api/v1/persons/{id}/revocation-proposals");
        let a = post(&app, &o.caseworker, &uri, json!({"reason": "employed"})).await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("note"));
        let a = post(&app, &o.caseworker, &uri, json!({"reason": "employed", "note": "x", "on": "yesterday"})).await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "invalid_date", Some("on"));
        let queue = status(get(&app, &o.officer, "/api/v1/revocation-proposals").await, StatusCode::OK);
        assert_eq!(queue, json!([]), "nothing was proposed");

        // A person holding no status that 第六条 ends has nothing to revoke.
        let plain = registered(&app, 25).await;
        let a = propose(&app, &o.caseworker, &plain, "employed", "已就业").await;
        assert_error(&a, StatusCode::CONFLICT, "nothing_to_revoke", Some("reason"));
        let a = propose(&app, &o.hotline, &id, "employed", "已就业").await;
        assert_error(&a, StatusCode::FORBIDDEN, "forbidden", None);
    }
}

#[tokio::test]
async fn a_hotline_operator_logs_contacts_and_refusals_but_does_not_decide() {
    for app in apps("rev_hotline").await {
        let o = office(&app).await;
        let id = in_hardship(&app, &o, 26).await;
        let contacts = format!("/api/v1/persons/{id}/contacts");
        let c = status(
            post(&app, &o.hotline, &contacts, json!({"channel": "phone", "reached": false})).await,
            StatusCode::CREATED,
        );
        assert_eq!((c["channel"].as_str(), c["reached"].as_bool()), (Some("phone"), Some(false)));
        assert_eq!((c["note"].as_str(), c["actor"].as_str()), (Some("电话未接通"), Some("hotline")));
        let refusals = format!("/api/v1/persons/{id}/refusals");
        let r = post(&app, &o.hotline, &refusals, json!({"service": "job_referral", "note": "拒绝面试"})).await;
        let r = status(r, StatusCode::CREATED);
        assert_eq!((r["service"].as_str(), r["note"].as_str()), (Some("job_referral"), Some("拒绝面试")));
        let file = status(get(&app, &o.officer, &format!("/api/v1/persons/{id}")).await, StatusCode::OK);
        assert_eq!(file["contacts"][0]["note"], "电话未接通");

        let p = proposed(&app, &o.caseworker, &id, "refused_services", "拒绝职业介绍").await;
        assert_error(
            &decide(&app, &o.hotline, &p, json!({"confirm": true})).await,
            StatusCode::FORBIDDEN,
            "forbidden",
            None,
        );

        let cases: [(Value, StatusCode, &str, Option<&str>); 6] = [
            (
                json!({"channel": "pigeon", "reached": false}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_code",
                Some("channel"),
            ),
            (
                json!({"channel": "at_office", "reached": false}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "at_office_not_reached",
                Some("reached"),
            ),
            (json!({"channel": "phone"}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", Some("reached")),
            (
                json!({"channel": "phone", "reached": "no"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                Some("reached"),
            ),
            (
                json!({"channel": "phone", "reached": true, "on": "2999-12-31"}),
                StatusCode::UNPROCESSABLE_ENTITY,
                "date_in_future",
                Some("on"),
            ),
            (json!("phone"), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body", None),
        ];
        for (body, want, code, field) in cases {
            assert_error(&post(&app, &o.hotline, &contacts, body).await, want, code, field);
        }
        let a = post(&app, &o.hotline, &format!("/api/v1/persons/{id}/refusals"), json!({"service": "nap"})).await;
        assert_error(&a, StatusCode::UNPROCESSABLE_ENTITY, "unknown_code", Some("service"));
    }
}

#[tokio::test]
async fn outside_the_jurisdiction_persons_and_proposals_do_not_exist() {
    for app in apps("rev_reach").await {
        let o = office(&app).await;
        let id = in_hardship(&app, &o, 27).await;
        let p = proposed(&app, &o.caseworker, &id, "employed", "已就业").await;
        let missing = get(&app, &o.stranger, "/api/v1/revocation-proposals/0190f0a0-0000-7000-8000-000000000000").await;
        assert_error(&missing, StatusCode::NOT_FOUND, "not_found", None);
        let theirs =
            get(&app, &o.stranger, &format!("/api/v1/revocation-proposals/{}", p["id"].as_str().unwrap())).await;
        assert_eq!(theirs.text, missing.text);
        assert_error(
            &decide(&app, &o.stranger, &p, json!({"confirm": true})).await,
            StatusCode::NOT_FOUND,
            "not_found",
            None,
        );
        let queue = status(get(&app, &o.stranger, "/api/v1/revocation-proposals").await, StatusCode::OK);
        assert_eq!(queue, json!([]));
        let a = post(
            &app,
            &o.stranger,
            &format!("/api/v1/persons/{id}/contacts"),
            json!({"channel": "phone", "reached": false}),
        )
        .await;
        assert_error(&a, StatusCode::NOT_FOUND, "not_found", None);
        let a = post(&app, &o.stranger, &format!("/api/v1/persons/{id}/refusals"), json!({"service": "job_referral"}))
            .await;
        assert_error(&a, StatusCode::NOT_FOUND, "not_found", None);
        let a = propose(&app, &o.stranger, &id, "employed", "已就业").await;
        assert_error(&a, StatusCode::NOT_FOUND, "not_found", None);
        // Still undecided: the stranger changed nothing.
        assert!(categories(&app, &o, &id).await.contains(&"hardship_low_income".to_owned()));
    }
}

#[tokio::test]
async fn the_caseworker_sees_who_is_about_to_become_unreachable() {
    for app in apps("rev_soon").await {
        let o = office(&app).await;
        let id = in_hardship(&app, &o, 28).await;
        let today = yuanzhu_storage::clock::Clock::default().today();
        let first = Date::from_days(today.to_days() - 20).unwrap();
        let body = json!({"channel": "home_visit", "reached": false, "on": first.to_string()});
        status(post(&app, &o.caseworker, &format!("/api/v1/persons/{id}/contacts"), body).await, StatusCode::CREATED);

        // 第六条第（五）项 "连续1个月": a failed attempt a month after the first completes it.
        let soon = status(
            get(&app, &o.caseworker, "/api/v1/revocation-proposals/unreachable-soon?within_days=30").await,
            StatusCode::OK,
        );
        let rows = soon.as_array().unwrap();
        assert_eq!(rows.len(), 1, "{soon}");
        assert_eq!(rows[0]["due"], first.add_months(1).to_string());
        assert_eq!(rows[0]["overdue"], false);
        assert!(rows[0]["id_number"].as_str().unwrap().contains('*') && rows[0]["phone"] == "138****8000");
        let later = status(
            get(&app, &o.caseworker, "/api/v1/revocation-proposals/unreachable-soon?within_days=2").await,
            StatusCode::OK,
        );
        assert_eq!(later, json!([]));
        let theirs = status(
            get(&app, &o.stranger, "/api/v1/revocation-proposals/unreachable-soon?within_days=30").await,
            StatusCode::OK,
        );
        assert_eq!(theirs, json!([]));
        let a = get(&app, &o.caseworker, "/api/v1/revocation-proposals/unreachable-soon?within_days=soon").await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.text);
        assert_eq!(a.body["error"]["code"], "invalid_query");

        // Reaching the person clears it.
        let reached = json!({"channel": "phone", "reached": true});
        status(
            post(&app, &o.caseworker, &format!("/api/v1/persons/{id}/contacts"), reached).await,
            StatusCode::CREATED,
        );
        let soon = status(
            get(&app, &o.caseworker, "/api/v1/revocation-proposals/unreachable-soon?within_days=30").await,
            StatusCode::OK,
        );
        assert_eq!(soon, json!([]));
    }
}

#[tokio::test]
async fn messages_follow_accept_language() {
    for app in apps("rev_lang").await {
        let o = office(&app).await;
        let id = in_hardship(&app, &o, 29).await;
        let uri = format!("/api/v1/persons/{id}/revocation-proposals");
        let body = Some(serde_json::to_vec(&json!({"reason": "subsidy_fraud", "note": "x"})).unwrap());
        let en = app.send(Method::POST, &uri, &o.caseworker, body.clone(), &[("accept-language", "en")]).await;
        assert_error(&en, StatusCode::UNPROCESSABLE_ENTITY, "reason_not_in_policy", Some("reason"));
        assert_eq!(en.body["error"]["message"], "reason: policy `gz-2014-4` has no exit reason `subsidy_fraud`");
        let zh = app.send(Method::POST, &uri, &o.caseworker, body, &[]).await;
        assert!(zh.body["error"]["message"].as_str().unwrap().starts_with("reason（注销原因）"), "{}", zh.text);

        let p = proposed(&app, &o.caseworker, &id, "employed", "已就业").await;
        let mut again = app
            .send(
                Method::POST,
                &format!("/api/v1/revocation-proposals/{}/decision", p["id"].as_str().unwrap()),
                &o.officer,
                Some(serde_json::to_vec(&json!({"confirm": false, "version": p["version"]})).unwrap()),
                &[("accept-language", "en")],
            )
            .await;
        assert_error(&again, StatusCode::UNPROCESSABLE_ENTITY, "required", Some("note"));
        assert_eq!(again.body["error"]["message"], "note: dismissing a proposal needs a reason");
        status(decide(&app, &o.officer, &p, json!({"confirm": true})).await, StatusCode::OK);
        again = app
            .send(
                Method::POST,
                &format!("/api/v1/revocation-proposals/{}/decision", p["id"].as_str().unwrap()),
                &o.officer,
                Some(serde_json::to_vec(&json!({"confirm": true, "version": 2})).unwrap()),
                &[("accept-language", "en")],
            )
            .await;
        assert_error(&again, StatusCode::CONFLICT, "already_decided", Some("proposal"));
        assert!(again.body["error"]["message"].as_str().unwrap().starts_with("proposal: already confirmed by officer"));
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
        json!("备注\u{0}"),
        json!("x".repeat(5000)),
        json!("2024-02-30"),
        json!("0000-01-01"),
        json!("9999-12-31"),
        json!("'; DROP TABLE revocation_proposals; --"),
        json!([]),
        json!(["\u{0}"]),
        json!({}),
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
    for app in apps("rev_fuzz").await {
        let o = office(&app).await;
        let id = in_hardship(&app, &o, 30).await;
        let p = proposed(&app, &o.caseworker, &id, "employed", "已就业").await;
        let pid = p["id"].as_str().unwrap();
        let endpoints: [(String, Value); 5] = [
            (
                format!("/api/v1/persons/{id}/contacts"),
                json!({"channel": "phone", "reached": false, "note": "未接", "on": "2026-01-05"}),
            ),
            (
                format!("/api/v1/persons/{id}/refusals"),
                json!({"service": "job_referral", "note": "拒绝", "on": "2026-01-05"}),
            ),
            (
                format!("/api/v1/persons/{id}/revocation-proposals"),
                json!({"reason": "written_waiver", "note": "放弃", "on": "2026-01-05"}),
            ),
            // Dismissal first: a confirmation would end the status and change what follows.
            (
                format!("/api/v1/revocation-proposals/{pid}/decision"),
                json!({"confirm": false, "note": "不予注销", "version": 1, "on": "2026-01-05"}),
            ),
            ("/api/v1/revocation-proposals/%00/decision".to_owned(), json!({"confirm": true, "version": 1})),
        ];
        for (uri, valid) in &endpoints {
            for body in bad_bodies(valid) {
                for client in [&o.caseworker, &o.officer] {
                    let a = post(&app, client, uri, body.clone()).await;
                    assert_no_server_error(&a, &format!("POST {uri} {body}"));
                }
            }
            for raw in [&b"{"[..], b"null", b"\xff\xfe", b"{\"version\": 1e999}", b""] {
                let a = app.send(Method::POST, uri, &o.caseworker, Some(raw.to_vec()), &[]).await;
                assert_no_server_error(&a, &format!("POST {uri} {raw:?}"));
            }
        }
        for path in ["%00", "%FF", "x", &"a".repeat(300), "%27%20OR%201%3D1%20--"] {
            let a = get(&app, &o.officer, &format!("/api/v1/revocation-proposals/{path}")).await;
            assert_no_server_error(&a, path);
        }
        for q in
            ["within_days=-1", "within_days=99999999999", "within_days=%00", "within_days=4294967295", "within_days="]
        {
            let a = get(&app, &o.caseworker, &format!("/api/v1/revocation-proposals/unreachable-soon?{q}")).await;
            assert_no_server_error(&a, q);
        }
        // None of it touched the status.
        assert!(categories(&app, &o, &id).await.contains(&"hardship_low_income".to_owned()));
    }
}

#[tokio::test]
async fn a_social_worker_reaches_only_the_persons_assigned_to_them() {
    for app in apps("rev_social").await {
        let o = office(&app).await;
        let mine = in_hardship(&app, &o, 31).await;
        let other = in_hardship(&app, &o, 32).await;
        app.account("social", Role::SocialWorker, STREET).await;
        let on = yuanzhu_storage::clock::Clock::default().today();
        yuanzhu_storage::sessions::assign(app.store(), &mine, "social", "test", on).await.unwrap();
        let social = app.sign_in("social").await;

        let contact = json!({"channel": "home_visit", "reached": true, "note": "入户见到本人"});
        status(
            post(&app, &social, &format!("/api/v1/persons/{mine}/contacts"), contact.clone()).await,
            StatusCode::CREATED,
        );
        let a = post(&app, &social, &format!("/api/v1/persons/{other}/contacts"), contact).await;
        assert_error(&a, StatusCode::NOT_FOUND, "not_found", None);

        let p = proposed(&app, &social, &mine, "employed", "本人告知已就业").await;
        let theirs = proposed(&app, &o.caseworker, &other, "employed", "已就业").await;
        let queue = status(get(&app, &social, "/api/v1/revocation-proposals").await, StatusCode::OK);
        let ids: Vec<&Value> = queue.as_array().unwrap().iter().map(|r| &r["id"]).collect();
        assert_eq!(ids, [&p["id"]], "only their own person's proposal");
        let a = get(&app, &social, &format!("/api/v1/revocation-proposals/{}", theirs["id"].as_str().unwrap())).await;
        assert_error(&a, StatusCode::NOT_FOUND, "not_found", None);
        // A social worker proposes; a reviewer decides.
        assert_error(
            &decide(&app, &social, &p, json!({"confirm": true})).await,
            StatusCode::FORBIDDEN,
            "forbidden",
            None,
        );
        status(decide(&app, &o.officer, &p, json!({"confirm": true})).await, StatusCode::OK);
        assert!(!categories(&app, &o, &mine).await.contains(&"hardship_low_income".to_owned()));
        assert!(categories(&app, &o, &other).await.contains(&"hardship_low_income".to_owned()));
    }
}
