//! The revocation pages (第六条) and contact attempts through HTTP, on SQLite and PostgreSQL:
//! propose with a confirmation step, confirm (the status ends) or dismiss (it stands), a stale
//! decision answered with a conflict, a contact attempt logged by one form post, and forms
//! without their token refused.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Answer, Client, TestApp, apps, id_number};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use yuanzhu_domain::access::Role;

const COMMUNITY: &str = "440104011001";
const STREET: &str = "440104011";

struct Office {
    caseworker: Client,
    officer: Client,
}

async fn office(app: &TestApp) -> Office {
    app.community(COMMUNITY).await;
    Office {
        caseworker: app.user("caseworker", Role::CommunityWorker, COMMUNITY).await,
        officer: app.user("officer", Role::StreetOfficer, STREET).await,
    }
}

fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A form post as a browser sends it: the session cookie, the fields urlencoded, and the page's
/// token only if the form carries it (`csrf_token` among the fields).
async fn form(app: &TestApp, client: &Client, uri: &str, fields: &[(&str, &str)]) -> Answer {
    let Client::Session { cookie, .. } = client else { panic!("a browser has a session") };
    let body = fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
    let request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Answer { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null), text }
}

fn token(client: &Client) -> &str {
    match client {
        Client::Session { csrf, .. } => csrf,
        _ => "",
    }
}

async fn page(app: &TestApp, client: &Client, uri: &str) -> Answer {
    app.send(Method::GET, uri, client, None, &[]).await
}

fn location(a: &Answer) -> String {
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
    a.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned()
}

#[track_caller]
fn status(a: Answer, want: StatusCode) -> Value {
    assert_eq!(a.status, want, "{}", a.text);
    a.body
}

/// A person recognised as 特困失业人员 by application (the status 第六条 revokes): their ID number
/// and record key.
async fn in_hardship(app: &TestApp, o: &Office, serial: u32) -> (String, String) {
    let id = id_number("440104", "1975-03-01", serial);
    app.register(&[&format!(
        "p{serial},{id},陈{serial},13800138000,{COMMUNITY},2016-05-01,true,true,true,true,true,false"
    )])
    .await;
    let post = |client: &Client, uri: String, body: Value| {
        let client = client.clone();
        async move { app.call(Method::POST, &uri, &client, Some(body)).await }
    };
    let draft = status(
        post(
            &o.caseworker,
            format!("/api/v1/persons/{id}/applications"),
            json!({"category": "hardship_low_income", "on": "2016-05-02"}),
        )
        .await,
        StatusCode::CREATED,
    );
    let uri = |step: &str| format!("/api/v1/applications/{}/{step}", draft["id"].as_str().unwrap());
    let documents = json!({"documents": draft["missing"], "version": draft["version"]});
    let complete = status(post(&o.caseworker, uri("documents"), documents).await, StatusCode::OK);
    let submitted =
        status(post(&o.caseworker, uri("submit"), json!({"version": complete["version"]})).await, StatusCode::OK);
    status(post(&o.officer, uri("approve"), json!({"version": submitted["version"]})).await, StatusCode::OK);
    let person_id = yuanzhu_storage::search::reach(app.store(), &id, "").await.unwrap().unwrap().person_id;
    assert!(categories(app, o, &id).await.contains(&"hardship_low_income".to_owned()));
    (id, person_id)
}

async fn categories(app: &TestApp, o: &Office, id: &str) -> Vec<String> {
    let file = status(page(app, &o.officer, &format!("/api/v1/persons/{id}")).await, StatusCode::OK);
    file["categories"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect()
}

async fn version(app: &TestApp, o: &Office, proposal: &str) -> String {
    let p = status(page(app, &o.officer, &format!("/api/v1/revocation-proposals/{proposal}")).await, StatusCode::OK);
    p["version"].to_string()
}

/// The category paragraph of the person's file page.
fn categories_shown(html: &str) -> &str {
    let start = html.find("id=\"categories\"").expect("the file shows its categories");
    &html[start..start + html[start..].find("</p>").unwrap()]
}

#[tokio::test]
async fn a_proposal_sent_after_its_confirmation_step_and_confirmed_ends_the_category() {
    for app in apps("ui_rev_confirm").await {
        let o = office(&app).await;
        let (_, pid) = in_hardship(&app, &o, 31).await;
        let csrf = token(&o.caseworker).to_owned();

        let form_page = page(&app, &o.caseworker, &format!("/p/{pid}/revoke")).await;
        assert_eq!(form_page.status, StatusCode::OK, "{}", form_page.text);
        assert!(
            form_page.text.contains("第六条第（一）项") && form_page.text.contains("已实现就业"),
            "{}",
            form_page.text
        );

        // A note is required, and said next to its field.
        let missing =
            form(&app, &o.caseworker, &format!("/p/{pid}/revoke"), &[("csrf_token", &csrf), ("reason", "employed")])
                .await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(missing.text.contains("id=\"note-error\""), "{}", missing.text);

        // The first post only shows what will be sent.
        let fields = [("csrf_token", csrf.as_str()), ("reason", "employed"), ("note", "已于某公司签订劳动合同")];
        let review = form(&app, &o.caseworker, &format!("/p/{pid}/revoke"), &fields).await;
        assert_eq!(review.status, StatusCode::OK, "{}", review.text);
        assert!(review.text.contains("id=\"send-proposal\""), "{}", review.text);
        let queue = status(page(&app, &o.officer, "/api/v1/revocation-proposals").await, StatusCode::OK);
        assert_eq!(queue.as_array().unwrap().len(), 0, "nothing is proposed before the confirmation");

        let mut send = fields.to_vec();
        send.push(("send", "1"));
        let to = location(&form(&app, &o.caseworker, &format!("/p/{pid}/revoke"), &send).await);
        assert!(to.starts_with("/revocations/") && to.ends_with("?done=proposed"), "{to}");
        let proposal = to.trim_start_matches("/revocations/").split('?').next().unwrap().to_owned();

        // The reviewer's queue lists it, masked.
        let queue = page(&app, &o.officer, "/revocations").await;
        assert_eq!(queue.status, StatusCode::OK, "{}", queue.text);
        assert!(
            queue.text.contains(&format!("/revocations/{proposal}")) && queue.text.contains("****"),
            "{}",
            queue.text
        );

        // The proposer cannot decide: no forms for them.
        let own = page(&app, &o.caseworker, &format!("/revocations/{proposal}")).await;
        assert!(!own.text.contains("/confirm\""), "{}", own.text);

        let v = version(&app, &o, &proposal).await;
        let officer_csrf = token(&o.officer).to_owned();
        let step = form(
            &app,
            &o.officer,
            &format!("/revocations/{proposal}/confirm"),
            &[("csrf_token", &officer_csrf), ("version", &v), ("note", "已电话核实本人书面申请")],
        )
        .await;
        assert_eq!(step.status, StatusCode::OK, "{}", step.text);
        assert!(step.text.contains("确认后该人员的认定将终止"), "{}", step.text);
        assert!(
            step.text.contains("name=\"note\" value=\"已电话核实本人书面申请\""),
            "the note goes on: {}",
            step.text
        );
        assert!(
            categories(&app, &o, &categories_id(&app, &pid).await).await.contains(&"hardship_low_income".to_owned())
        );

        let done = form(
            &app,
            &o.officer,
            &format!("/revocations/{proposal}/confirm"),
            &[("csrf_token", &officer_csrf), ("version", &v), ("sure", "1"), ("note", "已电话核实本人书面申请")],
        )
        .await;
        assert!(location(&done).ends_with("?done=confirmed"));
        let decided = page(&app, &o.officer, &format!("/revocations/{proposal}")).await;
        assert!(decided.text.contains("已电话核实本人书面申请"), "the confirmation's note is kept: {}", decided.text);
        let file = page(&app, &o.officer, &format!("/p/{pid}")).await;
        assert_eq!(file.status, StatusCode::OK);
        let hardship = app.state.policies.policies()[0]
            .categories
            .iter()
            .find(|c| c.code == "hardship_low_income")
            .map(|c| c.name.clone())
            .unwrap();
        assert!(!categories_shown(&file.text).contains(&hardship), "{}", categories_shown(&file.text));
        assert!(file.text.contains(&hardship), "the ended recognition stays in the record");

        // Deciding again from a stale page is a conflict, said in words.
        let stale = form(
            &app,
            &o.officer,
            &format!("/revocations/{proposal}/confirm"),
            &[("csrf_token", &officer_csrf), ("version", &v), ("sure", "1")],
        )
        .await;
        assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
        assert!(stale.text.contains("该提议已被他人处理或修改"), "{}", stale.text);
    }
}

async fn categories_id(app: &TestApp, pid: &str) -> String {
    yuanzhu_storage::search::id_number_of(app.store(), pid).await.unwrap().unwrap()
}

#[tokio::test]
async fn a_dismissed_proposal_needs_a_note_and_keeps_the_category() {
    for app in apps("ui_rev_dismiss").await {
        let o = office(&app).await;
        let (id, pid) = in_hardship(&app, &o, 32).await;
        let made = app
            .call(
                Method::POST,
                &format!("/api/v1/persons/{id}/revocation-proposals"),
                &o.caseworker,
                Some(json!({"reason": "lost_work_capacity", "note": "据家属反映"})),
            )
            .await;
        let proposal = status(made, StatusCode::CREATED)[0]["id"].as_str().unwrap().to_owned();
        let v = version(&app, &o, &proposal).await;
        let csrf = token(&o.officer).to_owned();
        let uri = format!("/revocations/{proposal}/dismiss");

        let bare = form(&app, &o.officer, &uri, &[("csrf_token", &csrf), ("version", &v), ("note", " ")]).await;
        assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bare.text);
        assert!(bare.text.contains("id=\"dismiss-error\"") && bare.text.contains("aria-invalid"), "{}", bare.text);

        let note = "经核实仍具备劳动能力";
        let done = form(&app, &o.officer, &uri, &[("csrf_token", &csrf), ("version", &v), ("note", note)]).await;
        let to = location(&done);
        assert!(to.ends_with("?done=dismissed"), "{to}");
        let shown = page(&app, &o.officer, &to).await;
        assert!(shown.text.contains(note) && shown.text.contains("不予注销"), "{}", shown.text);
        assert!(categories(&app, &o, &id).await.contains(&"hardship_low_income".to_owned()));
        let file = page(&app, &o.officer, &format!("/p/{pid}")).await;
        assert!(categories_shown(&file.text).contains("特困"), "{}", categories_shown(&file.text));
    }
}

#[tokio::test]
async fn a_contact_attempt_logged_by_one_post_appears_in_the_file() {
    for app in apps("ui_rev_contact").await {
        let o = office(&app).await;
        let (_, pid) = in_hardship(&app, &o, 33).await;
        let csrf = token(&o.caseworker).to_owned();

        let buttons = page(&app, &o.caseworker, &format!("/p/{pid}/contact")).await;
        assert_eq!(buttons.status, StatusCode::OK, "{}", buttons.text);
        assert!(buttons.text.contains("value=\"phone:0\"") && buttons.text.contains("value=\"home_visit:1\""));
        assert!(!buttons.text.contains("value=\"at_office:0\""), "coming to the office is being reached");

        let note = "电话无人接听（测试）";
        let to = location(
            &form(
                &app,
                &o.caseworker,
                &format!("/p/{pid}/contact"),
                &[("csrf_token", &csrf), ("channel", "phone"), ("reached", "0"), ("note", note)],
            )
            .await,
        );
        assert!(to.starts_with(&format!("/p/{pid}?done=contact")), "{to}");
        let file = page(&app, &o.caseworker, &format!("/p/{pid}")).await;
        assert!(file.text.contains(note), "{}", file.text);

        // The button form: channel and outcome in one value.
        let again = form(
            &app,
            &o.caseworker,
            &format!("/p/{pid}/contact"),
            &[("csrf_token", &csrf), ("attempt", "home_visit:1")],
        )
        .await;
        location(&again);
        let listed = page(&app, &o.caseworker, &format!("/p/{pid}/contact")).await;
        assert!(listed.text.contains("入户家访") && listed.text.contains(note), "{}", listed.text);

        // A refusal of services from the list.
        let refused = form(
            &app,
            &o.caseworker,
            &format!("/p/{pid}/refusal"),
            &[("csrf_token", &csrf), ("service", "job_referral"), ("note", "拒绝面试")],
        )
        .await;
        location(&refused);
        let unknown = form(
            &app,
            &o.caseworker,
            &format!("/p/{pid}/refusal"),
            &[("csrf_token", &csrf), ("service", "nonsense"), ("note", "他说下周再谈")],
        )
        .await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unknown.text);
        assert!(unknown.text.contains("id=\"service-error\""), "{}", unknown.text);
        assert!(unknown.text.contains("value=\"他说下周再谈\""), "the typed note is kept: {}", unknown.text);
        // The same for an attempt's note.
        let wrong = form(
            &app,
            &o.caseworker,
            &format!("/p/{pid}/contact"),
            &[("csrf_token", &csrf), ("attempt", "pigeon:1"), ("note", "托邻居转告")],
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.text);
        assert!(wrong.text.contains("value=\"托邻居转告\""), "the typed note is kept: {}", wrong.text);
    }
}

#[tokio::test]
async fn forms_without_their_token_are_refused() {
    for app in apps("ui_rev_csrf").await {
        let o = office(&app).await;
        let (id, pid) = in_hardship(&app, &o, 34).await;
        for (uri, fields) in [
            (format!("/p/{pid}/contact"), vec![("channel", "phone"), ("reached", "0")]),
            (format!("/p/{pid}/refusal"), vec![("service", "job_referral")]),
            (format!("/p/{pid}/revoke"), vec![("reason", "employed"), ("note", "x"), ("send", "1")]),
        ] {
            let a = form(&app, &o.caseworker, &uri, &fields).await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{uri}: {}", a.text);
            let mut wrong = fields.clone();
            wrong.push(("csrf_token", "not-the-token"));
            assert_eq!(form(&app, &o.caseworker, &uri, &wrong).await.status, StatusCode::FORBIDDEN, "{uri}");
        }
        let contacts = yuanzhu_storage::revocations::contacts(app.store(), &id).await.unwrap();
        assert!(contacts.is_empty(), "{contacts:?}");
        let queue = status(page(&app, &o.officer, "/api/v1/revocation-proposals").await, StatusCode::OK);
        assert_eq!(queue.as_array().unwrap().len(), 0);
    }
}
