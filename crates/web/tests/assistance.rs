//! Assistance through the API (#13 §1, 穗人社发〔2014〕4号 第八至十六条, 第十九条), on SQLite and
//! PostgreSQL: services recorded to the interface (`POST /persons/{id}/services`), the article each
//! cites under the policy of its day, the ledger (`GET /persons/{id}/ledger`), a declined offer as
//! the refusal 第六条第（二）项 counts, bad input, roles and jurisdiction.

mod common;

use axum::http::{Method, StatusCode};
use common::{Answer, Client, TestApp, apps, id_number};
use serde_json::{Value, json};
use yuanzhu_domain::access::Role;

const COMMUNITY: &str = "440104011001";
const STREET: &str = "440104011";
const OTHER_STREET: &str = "440104012";

struct Office {
    caseworker: Client,
    officer: Client,
    social_worker: Client,
    stranger: Client,
    hotline: Client,
    auditor: Client,
}

async fn office(app: &TestApp) -> Office {
    app.community(COMMUNITY).await;
    Office {
        caseworker: app.user("caseworker", Role::CommunityWorker, COMMUNITY).await,
        officer: app.user("officer", Role::StreetOfficer, STREET).await,
        social_worker: app.user("sw", Role::SocialWorker, STREET).await,
        stranger: app.user("stranger", Role::StreetOfficer, OTHER_STREET).await,
        hotline: app.user("hotline", Role::HotlineOperator, "440104").await,
        auditor: app.user("auditor", Role::Auditor, "440104").await,
    }
}

async fn registered(app: &TestApp, serial: u32) -> String {
    let id = id_number("440104", "1975-03-01", serial);
    app.register(&[&format!(
        "p{serial},{id},陈{serial},13800138000,{COMMUNITY},2016-05-01,true,true,true,true,true,false"
    )])
    .await;
    id
}

async fn give(app: &TestApp, client: &Client, id: &str, body: Value) -> Answer {
    app.call(Method::POST, &format!("/api/v1/persons/{id}/services"), client, Some(body)).await
}

async fn ledger(app: &TestApp, client: &Client, id: &str) -> Answer {
    app.call(Method::GET, &format!("/api/v1/persons/{id}/ledger"), client, None).await
}

#[track_caller]
fn status(a: Answer, want: StatusCode) -> Value {
    assert_eq!(a.status, want, "{}", a.text);
    a.body
}

#[tokio::test]
async fn a_service_is_recorded_citing_the_article_of_the_policy_of_its_day() {
    for app in apps("svc_record").await {
        let o = office(&app).await;
        let id = registered(&app, 1).await;
        // 2016: 穗人社发〔2014〕4号 第八条 (guidance first, free of charge).
        let body = json!({"kind": "career_guidance", "date": "2016-05-03", "note": "职业指导：讲解求职技巧"});
        let made = status(give(&app, &o.caseworker, &id, body).await, StatusCode::CREATED);
        assert!(made["id"].as_str().is_some_and(|i| !i.is_empty()), "{made}");
        assert_eq!((made["policy"].as_str(), made["article"].as_str()), (Some("gz-2014-4"), Some("第八条")));
        assert_eq!(made["unit"], COMMUNITY);
        assert_eq!(made["actor"], "caseworker");
        // 2026: the successor rules cite the 2014 article they carry on.
        let body = json!({"kind": "home_visit", "date": "2026-11-20"});
        let visit = status(give(&app, &o.officer, &id, body).await, StatusCode::CREATED);
        assert_eq!(visit["policy"], "gd-2023-11");
        assert!(visit["article"].as_str().unwrap().contains("第十二条"), "{visit}");
        // The social worker's session (第十三条) by the worker assigned to the person.
        let assign = json!({"username": "sw"});
        let a = app.call(Method::POST, &format!("/api/v1/persons/{id}/assignments"), &o.officer, Some(assign)).await;
        assert!(a.status.is_success(), "{}", a.text);
        let body =
            json!({"kind": "social_work_session", "date": "2026-11-21", "note": "一对一辅导", "outcome": "accepted"});
        let session = status(give(&app, &o.social_worker, &id, body).await, StatusCode::CREATED);
        assert_eq!(session["outcome"], "accepted");

        // The ledger lists them in date order with their articles; the file shows the same.
        let l = status(ledger(&app, &o.caseworker, &id).await, StatusCode::OK);
        let entries = l["entries"].as_array().unwrap();
        let kinds: Vec<&str> = entries.iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["career_guidance", "home_visit", "social_work_session"], "{l}");
        let dates: Vec<&str> = entries.iter().map(|e| e["date"].as_str().unwrap()).collect();
        assert_eq!(dates, ["2016-05-03", "2026-11-20", "2026-11-21"]);
        assert_eq!(entries[0]["article"], "第八条");
        assert!(entries[0]["summary"].as_str().unwrap().contains("职业指导"), "{l}");
        assert!(entries[0]["summary_en"].as_str().unwrap().contains("Career guidance"), "{l}");
        let file =
            status(app.call(Method::GET, &format!("/api/v1/persons/{id}"), &o.caseworker, None).await, StatusCode::OK);
        assert_eq!(file["ledger"].as_array().map(Vec::len), Some(3), "{}", file["ledger"]);
        // Every record is an audited change, under its policy.
        let recorded: Vec<&Value> =
            file["timeline"].as_array().unwrap().iter().filter(|e| e["action"] == "service.recorded").collect();
        assert_eq!(recorded.len(), 3);
        assert_eq!(recorded[0]["policy"], "gz-2014-4");
        assert_eq!(recorded[0]["actor"], "caseworker");
    }
}

#[tokio::test]
async fn a_placement_and_its_end_are_in_the_ledger() {
    for app in apps("svc_placement").await {
        let o = office(&app).await;
        let id = registered(&app, 2).await;
        let body = json!({"kind": "job_referral", "date": "2026-10-01", "employer": "广州某物业管理有限公司", "outcome": "accepted"});
        status(give(&app, &o.caseworker, &id, body).await, StatusCode::CREATED);
        let work = json!({"started_on": "2026-10-08", "employer": "广州某物业管理有限公司"});
        let a = app.call(Method::POST, &format!("/api/v1/persons/{id}/employment"), &o.caseworker, Some(work)).await;
        assert!(a.status.is_success(), "{}", a.text);
        let job = a.body["employment_id"].as_str().unwrap().to_owned();
        let end = json!({"employment_id": job, "ended_on": "2026-11-30"});
        let a = app.call(Method::POST, &format!("/api/v1/persons/{id}/employment/end"), &o.caseworker, Some(end)).await;
        assert!(a.status.is_success(), "{}", a.text);
        let l = status(ledger(&app, &o.caseworker, &id).await, StatusCode::OK);
        let kinds: Vec<&str> = l["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["job_referral", "placement", "placement_ended"], "{l}");
        assert_eq!(l["entries"][2]["date"], "2026-11-30");
        assert!(l["entries"][1]["article"].as_str().unwrap().contains("第十九条"), "{l}");
        assert!(l["entries"][0]["summary"].as_str().unwrap().contains("介绍至广州某物业管理有限公司"), "{l}");
    }
}

#[tokio::test]
async fn a_declined_offer_is_logged_as_a_refusal_with_the_persons_reason() {
    for app in apps("svc_declined").await {
        let o = office(&app).await;
        let id = registered(&app, 3).await;
        let body = json!({"kind": "job_referral", "date": "2026-11-02", "employer": "某超市", "outcome": "declined"});
        let a = give(&app, &o.caseworker, &id, body).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
        assert_eq!(
            (a.body["error"]["code"].as_str(), a.body["error"]["field"].as_str()),
            (Some("reason_required"), Some("note"))
        );
        let body = json!({"kind": "job_referral", "date": "2026-11-02", "employer": "某超市", "outcome": "declined",
            "note": "嫌路远"});
        let made = status(give(&app, &o.caseworker, &id, body).await, StatusCode::CREATED);
        assert!(made["refusal_id"].as_str().is_some(), "{made}");
        let file =
            status(app.call(Method::GET, &format!("/api/v1/persons/{id}"), &o.caseworker, None).await, StatusCode::OK);
        let actions: Vec<&str> =
            file["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"service.recorded"), "{actions:?}");
        // An accepted offer is no refusal.
        let body = json!({"kind": "career_guidance", "date": "2026-11-03", "outcome": "accepted"});
        let made = status(give(&app, &o.caseworker, &id, body).await, StatusCode::CREATED);
        assert!(made["refusal_id"].is_null(), "{made}");
    }
}

#[tokio::test]
async fn every_wrong_field_is_named_in_the_users_language() {
    for app in apps("svc_bad").await {
        let o = office(&app).await;
        let id = registered(&app, 4).await;
        let body = json!({"kind": "massage", "date": "2099-01-01", "outcome": "perhaps", "loan_amount": "1.005"});
        let a = give(&app, &o.caseworker, &id, body).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
        let fields: Vec<&str> =
            a.body["error"]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        for f in ["kind", "date", "outcome", "loan_amount"] {
            assert!(fields.contains(&f), "{f} not named: {}", a.text);
        }
        assert!(a.body["error"]["message"].as_str().unwrap().starts_with("loan_amount（"), "Chinese first: {}", a.text);
        let bad_date = serde_json::to_vec(&json!({"kind": "home_visit", "date": "2026-13-01"})).unwrap();
        let uri = format!("/api/v1/persons/{id}/services");
        let a = app.send(Method::POST, &uri, &o.caseworker, Some(bad_date), &[("accept-language", "en")]).await;
        assert_eq!(a.body["error"]["field"], "date", "{}", a.text);
        assert!(a.body["error"]["message"].as_str().unwrap().contains("is not a date"), "{}", a.text);
        // A missing date is required, not today by default: a ledger records when help was given.
        let a = give(&app, &o.caseworker, &id, json!({"kind": "home_visit"})).await;
        assert_eq!(
            (a.body["error"]["code"].as_str(), a.body["error"]["field"].as_str()),
            (Some("required"), Some("date"))
        );
        // A referral says where to.
        let a = give(&app, &o.caseworker, &id, json!({"kind": "job_referral", "date": "2026-11-01"})).await;
        assert_eq!(a.body["error"]["field"], "employer", "{}", a.text);
        // Nothing was written by the refused requests.
        let l = status(ledger(&app, &o.caseworker, &id).await, StatusCode::OK);
        assert_eq!(l["entries"].as_array().map(Vec::len), Some(0), "{l}");
    }
}

#[tokio::test]
async fn another_units_account_meets_a_stranger_and_roles_that_do_not_serve_are_refused() {
    for app in apps("svc_access").await {
        let o = office(&app).await;
        let id = registered(&app, 5).await;
        let body = json!({"kind": "career_guidance", "date": "2026-11-01"});
        let a = give(&app, &o.stranger, &id, body.clone()).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text);
        assert_eq!(ledger(&app, &o.stranger, &id).await.status, StatusCode::NOT_FOUND);
        for who in [&o.hotline, &o.auditor] {
            assert_eq!(give(&app, who, &id, body.clone()).await.status, StatusCode::FORBIDDEN);
        }
        // The social worker reaches only the persons assigned to them.
        assert_eq!(give(&app, &o.social_worker, &id, body.clone()).await.status, StatusCode::NOT_FOUND);
        // The auditor reads the ledger; nothing was written by the refused requests.
        let l = status(ledger(&app, &o.auditor, &id).await, StatusCode::OK);
        assert_eq!(l["entries"].as_array().map(Vec::len), Some(0), "{l}");
        // An ID number nobody has is the same 404.
        let nobody = id_number("440104", "1980-01-01", 999);
        assert_eq!(give(&app, &o.caseworker, &nobody, body).await.status, StatusCode::NOT_FOUND);
    }
}

async fn post(app: &TestApp, client: &Client, uri: &str, body: Value) -> Answer {
    app.call(Method::POST, uri, client, Some(body)).await
}

#[tokio::test]
async fn a_plan_is_made_once_and_its_actions_are_done_rescheduled_or_dropped_with_a_reason() {
    for app in apps("svc_plan").await {
        let o = office(&app).await;
        let id = registered(&app, 6).await;
        let plans = format!("/api/v1/persons/{id}/plans");
        // Every wrong field named by its place.
        let bad = json!({"goals": [], "actions": [{"kind": "career_guidance", "due": "2020-01-01"},
            {"kind": "nap", "due": "2027-13-01", "owner": "nobody"}], "review_on": "2020-01-01"});
        let a = post(&app, &o.caseworker, &plans, bad).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
        let fields: Vec<&str> =
            a.body["error"]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        for f in ["goals", "actions[0].due", "actions[1].kind", "actions[1].due", "actions[1].owner", "review_on"] {
            assert!(fields.contains(&f), "{f} not named: {fields:?}");
        }
        let good = json!({"goals": ["三个月内实现就业"], "actions": [
            {"kind": "career_guidance", "due": "2027-01-15"},
            {"kind": "job_referral", "due": "2027-02-15", "owner": "officer"},
            {"kind": "training_recommendation", "due": "2027-03-01"}], "review_on": "2027-04-01"});
        let plan = status(post(&app, &o.caseworker, &plans, good.clone()).await, StatusCode::CREATED);
        assert!(plan["article"].as_str().unwrap().contains("第十二条第（一）项"), "{plan}");
        assert_eq!(plan["actions"][0]["owner"], "caseworker", "the author owns what names no owner");
        assert_eq!(plan["actions"][1]["owner"], "officer");
        let again = post(&app, &o.caseworker, &plans, good).await;
        assert_eq!((again.status, again.body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("plan_active")));

        let action = |i: usize| format!("/api/v1/plans/{}/actions/{i}", plan["id"].as_str().unwrap());
        // Done by a service record of this person.
        let given = status(
            give(&app, &o.caseworker, &id, json!({"kind": "career_guidance", "date": "2026-12-01"})).await,
            StatusCode::CREATED,
        );
        let done = json!({"change": "done", "service": given["id"], "version": plan["version"]});
        let plan2 = status(post(&app, &o.caseworker, &action(0), done).await, StatusCode::OK);
        assert_eq!(
            (plan2["actions"][0]["state"].as_str(), plan2["actions"][0]["service"].as_str()),
            (Some("done"), given["id"].as_str())
        );
        // A stale version is a conflict; nothing changes.
        let stale = json!({"change": "drop", "reason": "不需要", "version": plan["version"]});
        assert_eq!(post(&app, &o.caseworker, &action(1), stale).await.status, StatusCode::CONFLICT);
        // Rescheduling and dropping need a reason.
        let no_reason = json!({"change": "reschedule", "due": "2027-03-15", "version": plan2["version"]});
        let a = post(&app, &o.caseworker, &action(1), no_reason).await;
        assert_eq!(
            (a.body["error"]["code"].as_str(), a.body["error"]["field"].as_str()),
            (Some("reason_required"), Some("reason")),
            "{}",
            a.text
        );
        let moved =
            json!({"change": "reschedule", "due": "2027-03-15", "reason": "本人住院", "version": plan2["version"]});
        let plan3 = status(post(&app, &o.caseworker, &action(1), moved).await, StatusCode::OK);
        assert_eq!(plan3["actions"][1]["due"], "2027-03-15");
        let dropped = json!({"change": "drop", "reason": "已自行报名培训", "version": plan3["version"]});
        let plan4 = status(post(&app, &o.caseworker, &action(2), dropped).await, StatusCode::OK);
        assert_eq!(plan4["actions"][2]["state"], "dropped");
        // A done action stays done.
        let undo = json!({"change": "drop", "reason": "x", "version": plan4["version"]});
        let a = post(&app, &o.caseworker, &action(0), undo).await;
        assert_eq!(a.body["error"]["code"], "action_closed", "{}", a.text);
        // Another person's service record does not do this person's action.
        let other = registered(&app, 7).await;
        let theirs = status(
            give(&app, &o.caseworker, &other, json!({"kind": "job_information", "date": "2026-12-01"})).await,
            StatusCode::CREATED,
        );
        let foreign = json!({"change": "done", "service": theirs["id"], "version": plan4["version"]});
        assert_eq!(post(&app, &o.caseworker, &action(1), foreign).await.body["error"]["code"], "unknown_service");
        // Another unit's account: the plan does not exist for it.
        let stranger = json!({"change": "drop", "reason": "x", "version": plan4["version"]});
        assert_eq!(post(&app, &o.stranger, &action(1), stranger).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.call(Method::GET, &plans, &o.stranger, None).await.status, StatusCode::NOT_FOUND);
        // The file shows the plan; the timeline records each change with its reason.
        let file =
            status(app.call(Method::GET, &format!("/api/v1/persons/{id}"), &o.caseworker, None).await, StatusCode::OK);
        assert_eq!(file["plans"][0]["version"], plan4["version"]);
        let changes =
            file["timeline"].as_array().unwrap().iter().filter(|e| e["action"] == "plan.action_changed").count();
        assert_eq!(changes, 3);
    }
}

async fn queue(app: &TestApp, client: &Client, before: &str) -> Answer {
    app.call(Method::GET, &format!("/api/v1/queues/follow-ups?due_before={before}"), client, None).await
}

#[tokio::test]
async fn follow_ups_fall_due_after_a_placement_and_leave_the_queue_once_made() {
    for app in apps("svc_follow").await {
        let o = office(&app).await;
        let id = registered(&app, 8).await;
        let work = json!({"started_on": "2026-06-10", "employer": "演示超市"});
        let a = post(&app, &o.caseworker, &format!("/api/v1/persons/{id}/employment"), work).await;
        assert!(a.status.is_success(), "{}", a.text);
        let job = a.body["employment_id"].as_str().unwrap().to_owned();
        // 1, 3 and 6 months after 2026-06-10: 07-10, 09-10, 12-10.
        let q = status(queue(&app, &o.caseworker, "2026-12-31").await, StatusCode::OK);
        let dues: Vec<(&str, u64)> = q["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["due"].as_str().unwrap(), i["months"].as_u64().unwrap()))
            .collect();
        assert_eq!(dues, [("2026-07-10", 1), ("2026-09-10", 3), ("2026-12-10", 6)], "{q}");
        assert_eq!(q["items"][0]["kind"], "follow_up");
        assert_ne!(q["items"][0]["id_number"], id.as_str(), "masked as in lists");
        assert!(q["items"][0]["id_number"].as_str().unwrap().contains('*'));
        let q = status(queue(&app, &o.caseworker, "2026-09-01").await, StatusCode::OK);
        assert_eq!(q["items"].as_array().map(Vec::len), Some(1), "only what is due before the day: {q}");
        let q = status(queue(&app, &o.stranger, "2026-12-31").await, StatusCode::OK);
        assert_eq!(q["items"].as_array().map(Vec::len), Some(0), "another unit's account sees none: {q}");

        let uri = format!("/api/v1/persons/{id}/follow-ups");
        let bad = json!({"employment_id": job, "months": 2, "date": "2026-05-01", "channel": "pigeon"});
        let a = post(&app, &o.caseworker, &uri, bad).await;
        let fields: Vec<&str> =
            a.body["error"]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["months", "date", "in_job", "channel"], "{}", a.text);
        let made = json!({"employment_id": job, "months": 1, "date": "2026-07-12", "in_job": true, "channel": "phone", "need": "希望调班"});
        let f = status(post(&app, &o.caseworker, &uri, made.clone()).await, StatusCode::CREATED);
        assert_eq!((f["due"].as_str(), f["in_job"].as_bool()), (Some("2026-07-10"), Some(true)));
        let again = post(&app, &o.caseworker, &uri, made).await;
        assert_eq!(
            (again.status, again.body["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("follow_up_done"))
        );
        let q = status(queue(&app, &o.caseworker, "2026-12-31").await, StatusCode::OK);
        assert_eq!(q["items"].as_array().map(Vec::len), Some(2), "the month-1 follow-up is made: {q}");
        // Another person's job is not this person's.
        let other = registered(&app, 9).await;
        let theirs =
            json!({"employment_id": job, "months": 3, "date": "2026-09-12", "in_job": true, "channel": "phone"});
        let a = post(&app, &o.caseworker, &format!("/api/v1/persons/{other}/follow-ups"), theirs).await;
        assert_eq!(a.body["error"]["code"], "unknown_employment", "{}", a.text);
        // The ledger shows it, with the ledger's article.
        let l = status(ledger(&app, &o.caseworker, &id).await, StatusCode::OK);
        let follow = l["entries"].as_array().unwrap().iter().find(|e| e["kind"] == "follow_up").unwrap();
        assert!(follow["summary"].as_str().unwrap().contains("仍在岗"), "{follow}");
        assert!(follow["article"].as_str().unwrap().contains("第十九条"), "{follow}");
    }
}

/// A person recognised as 特困失业人员 by application in 2016 (穗人社发〔2014〕4号 第五条).
async fn in_hardship(app: &TestApp, o: &Office, serial: u32) -> String {
    let id = registered(app, serial).await;
    let open = json!({"category": "hardship_low_income", "on": "2016-05-02"});
    let draft = status(
        post(app, &o.caseworker, &format!("/api/v1/persons/{id}/applications"), open).await,
        StatusCode::CREATED,
    );
    let uri = |step: &str| format!("/api/v1/applications/{}/{step}", draft["id"].as_str().unwrap());
    let documents = json!({"documents": draft["missing"], "version": draft["version"]});
    let complete = status(post(app, &o.caseworker, &uri("documents"), documents).await, StatusCode::OK);
    let submitted =
        status(post(app, &o.caseworker, &uri("submit"), json!({"version": complete["version"]})).await, StatusCode::OK);
    status(post(app, &o.officer, &uri("approve"), json!({"version": submitted["version"]})).await, StatusCode::OK);
    id
}

#[tokio::test]
async fn a_declined_referral_that_meets_the_threshold_proposes_revocation_citing_it() {
    for app in apps("svc_threshold").await {
        let o = office(&app).await;
        let id = in_hardship(&app, &o, 10).await;
        // Status recognised today under 穗人社发〔2014〕4号 (the application was made in 2016) ends
        // under its 第六条第（二）项, which names no number: one refusal is proposed, and the reviewer
        // judges it.
        let today = yuanzhu_storage::clock::Clock::default().today().to_string();
        let body = json!({"kind": "job_referral", "date": today, "employer": "某物业公司", "outcome": "declined",
            "note": "本人表示不愿从事保安工作"});
        let made = status(give(&app, &o.caseworker, &id, body).await, StatusCode::CREATED);
        let proposal = made["revocation_proposal"].as_str().expect("a proposal was made").to_owned();
        let p = status(
            app.call(Method::GET, &format!("/api/v1/revocation-proposals/{proposal}"), &o.officer, None).await,
            StatusCode::OK,
        );
        assert_eq!(p["reason"], "refused_services", "{p}");
        assert_eq!(p["citation"], "第六条第（二）项", "{p}");
        assert_eq!(p["policy"], "gz-2014-4");
        assert!(p["grounds"].to_string().contains(&today), "the refusal counted is cited: {p}");
        // Declining again while the proposal is open does not make another.
        let body = json!({"kind": "career_guidance", "date": today, "outcome": "declined", "note": "不需要"});
        let again = status(give(&app, &o.caseworker, &id, body).await, StatusCode::CREATED);
        assert!(again.get("revocation_proposal").is_none(), "{again}");
        // A refusal logged by hand goes through the same rule.
        let other = in_hardship(&app, &o, 12).await;
        let refusal = json!({"service": "career_guidance", "note": "拒绝参加职业指导", "on": today});
        let logged = status(
            post(&app, &o.caseworker, &format!("/api/v1/persons/{other}/refusals"), refusal).await,
            StatusCode::CREATED,
        );
        assert!(logged["revocation_proposal"].as_str().is_some(), "{logged}");
        // A person without hardship status is not proposed.
        let plain = registered(&app, 11).await;
        let body = json!({"kind": "career_guidance", "date": today, "outcome": "declined", "note": "不需要"});
        let made = status(give(&app, &o.caseworker, &plain, body).await, StatusCode::CREATED);
        assert!(made.get("revocation_proposal").is_none(), "{made}");
    }
}

#[tokio::test]
async fn a_hardship_person_without_an_active_plan_is_in_the_queue_until_one_is_made() {
    for app in apps("svc_without_plan").await {
        let o = office(&app).await;
        let id = in_hardship(&app, &o, 13).await;
        let plain = registered(&app, 14).await;
        let queue = |client| app.call(Method::GET, "/api/v1/queues/without-plan", client, None);
        let q = status(queue(&o.caseworker).await, StatusCode::OK);
        let names: Vec<&str> = q["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["陈13"], "only the hardship person: {q}");
        assert!(q["items"][0]["id_number"].as_str().unwrap().contains('*'), "masked as in lists");
        assert!(!q.to_string().contains(&plain));
        let stranger = status(queue(&o.stranger).await, StatusCode::OK);
        assert_eq!(stranger["items"].as_array().map(Vec::len), Some(0), "{stranger}");
        let plan = json!({"goals": ["就业"], "actions": [{"kind": "career_guidance", "due": "2027-01-15"}], "review_on": "2027-04-01"});
        status(post(&app, &o.caseworker, &format!("/api/v1/persons/{id}/plans"), plan).await, StatusCode::CREATED);
        let q = status(queue(&o.caseworker).await, StatusCode::OK);
        assert_eq!(q["items"].as_array().map(Vec::len), Some(0), "{q}");
    }
}
