//! How a person's record is written through the server (issue #11), on both databases: the API
//! and the registration page never take over a person of another unit, never overwrite a value
//! the request leaves out, never overwrite a file changed meanwhile, name every wrong field at
//! once, and ask before they replace what a file holds.

mod common;

use axum::http::{Method, StatusCode};
use common::{Answer, Client, TestApp, apps, id_number};
use serde_json::{Value, json};
use yuanzhu_domain::access::Role;
use yuanzhu_storage::{audit, persons, residence_transfers, search};
use yuanzhu_test_support::person::PersonBuilder;

const COMMUNITY: &str = "440104011001"; // 东山街道
const OTHER_STREET: &str = "440104012"; // 农林街道

/// A caseworker of [`COMMUNITY`], and a person of [`OTHER_STREET`], out of the caseworker's reach.
async fn office(app: &TestApp) -> (Client, String) {
    app.community(COMMUNITY).await;
    let caseworker = app.user("caseworker", Role::CommunityWorker, COMMUNITY).await;
    let elsewhere = PersonBuilder::new().serial(11).reference("e").name("林外").phone("13800138011");
    let elsewhere = elsewhere.residence_unit(OTHER_STREET).minimum_living_allowance(true);
    app.register_persons(&[&elsewhere]).await;
    (caseworker, elsewhere.id())
}

/// The body of a registration through the API: every column but the allowance, which is left
/// unanswered.
fn registration(id: &str, name: &str, unit: &str) -> Value {
    let person = PersonBuilder::new().id_number(id).name(name).residence_unit(unit).phone("13900139000");
    let person = person.address("东山路1号").household("H-7", "户主").unemployed_since("2015-10-01");
    person.without("minimum_living_allowance").json()
}

/// A CSV import through the API.
async fn import_csv(app: &TestApp, client: &Client, csv: String) -> Answer {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let Client::Session { cookie, csrf } = client else { panic!("signed in") };
    let r = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/api/v1/imports")
        .header("cookie", cookie)
        .header("x-csrf-token", csrf)
        .header("content-type", "text/csv")
        .body(axum::body::Body::from(csv))
        .unwrap();
    let response = app.router.clone().oneshot(r).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Answer { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null), text }
}

fn code(a: &Answer) -> &str {
    a.body["error"]["code"].as_str().unwrap_or("")
}

/// What the store holds of a person: the whole file (history included) and its audit trail.
async fn snapshot(app: &TestApp, id: &str) -> String {
    let file = persons::file(app.store(), id).await.unwrap();
    let reach = search::reach(app.store(), id, "").await.unwrap().unwrap();
    let events = audit::of_person(app.store(), &reach.person_id).await.unwrap().len();
    format!("{file:?}\n{events}")
}

// ---------------------------------------------------------------------------------------------
// Item 1: a registration never takes a person over

#[tokio::test]
async fn registering_the_id_number_of_a_person_out_of_reach_answers_as_for_anyone_out_of_reach() {
    for app in apps("writes_takeover").await {
        let (caseworker, elsewhere) = office(&app).await;
        let before = snapshot(&app, &elsewhere).await;
        let a = app
            .call(Method::POST, "/api/v1/persons", &caseworker, Some(registration(&elsewhere, "夺取", COMMUNITY)))
            .await;
        let file = app.call(Method::GET, &format!("/api/v1/persons/{elsewhere}"), &caseworker, None).await;
        assert_eq!((a.status, code(&a)), (StatusCode::NOT_FOUND, "not_found"), "{}", a.text);
        assert_eq!((a.status, a.text.as_str()), (file.status, file.text.as_str()), "the answer to a file out of reach");
        assert!(!a.text.contains("林外") && !a.text.contains(OTHER_STREET), "{}", a.text);
        assert_eq!(snapshot(&app, &elsewhere).await, before, "nothing read into the answer, nothing written");
        // The same with the unit outside too: refused for the unit, before any look-up, exactly as
        // for an ID number nobody has.
        let ghost = id_number("440104", "1950-01-01", 1);
        let theirs = app
            .call(Method::POST, "/api/v1/persons", &caseworker, Some(registration(&elsewhere, "夺取", OTHER_STREET)))
            .await;
        let nobody = app
            .call(Method::POST, "/api/v1/persons", &caseworker, Some(registration(&ghost, "夺取", OTHER_STREET)))
            .await;
        assert_eq!((theirs.status, theirs.text.clone()), (nobody.status, nobody.text.clone()));
        assert_eq!(theirs.status, StatusCode::FORBIDDEN);
        assert_eq!(snapshot(&app, &elsewhere).await, before);
    }
}

#[tokio::test]
async fn an_import_row_for_a_person_out_of_reach_is_refused_in_the_words_of_a_unit_out_of_reach() {
    for app in apps("writes_takeover_import").await {
        let (caseworker, elsewhere) = office(&app).await;
        let before = snapshot(&app, &elsewhere).await;
        let ghost = id_number("440104", "1950-01-01", 1);
        let csv = format!(
            "{}\nmine,{elsewhere},夺取,,{COMMUNITY},2016-06-01,true,true,true,true,,\nthere,{ghost},某人,,{OTHER_STREET},2016-06-01,true,true,true,true,,",
            common::REGISTRATION_HEADER
        );
        let a = import_csv(&app, &caseworker, csv).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        let rejected = a.body["rejected"].as_array().unwrap();
        assert_eq!(rejected.len(), 2, "{}", a.text);
        let strip = |r: &Value| json!({"code": r["code"], "field": r["field"], "message": r["message"]});
        assert_eq!(strip(&rejected[0]), strip(&rejected[1]), "the same words for both rows: {}", a.text);
        assert_eq!(rejected[0]["code"], "outside_jurisdiction");
        assert_eq!((a.body["created"].as_u64(), a.body["updated"].as_u64()), (Some(0), Some(0)));
        assert_eq!(a.body["duplicates_flagged"], 0);
        assert!(!a.text.contains("林外"));
        assert_eq!(snapshot(&app, &elsewhere).await, before);
    }
}

#[tokio::test]
async fn a_registration_that_would_move_a_person_is_refused_as_a_transfer() {
    for app in apps("writes_move").await {
        app.community(COMMUNITY).await;
        let officer = app.user("officer", Role::StreetOfficer, "440104011").await;
        let id = id_number("440104", "1975-03-01", 21);
        let a = app.call(Method::POST, "/api/v1/persons", &officer, Some(registration(&id, "周迁", "440104011"))).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
        let mut moved = registration(&id, "周迁", COMMUNITY);
        moved["version"] = a.body["version"].clone();
        let a = app.call(Method::POST, "/api/v1/persons", &officer, Some(moved)).await;
        assert_eq!(
            (a.status, code(&a), a.body["error"]["field"].as_str()),
            (StatusCode::CONFLICT, "transfer_required", Some("residence_unit")),
            "{}",
            a.text
        );
        let file = persons::file(app.store(), &id).await.unwrap().unwrap();
        assert_eq!(file.person.residence_unit, "440104011");
    }
}

// ---------------------------------------------------------------------------------------------
// Items 2 and 4: absent means unchanged; versions

#[tokio::test]
async fn a_key_left_out_keeps_the_value_and_null_clears_it() {
    for app in apps("writes_absent").await {
        let (caseworker, _) = office(&app).await;
        let id = id_number("440104", "1975-03-01", 31);
        let a =
            app.call(Method::POST, "/api/v1/persons", &caseworker, Some(registration(&id, "吴全", COMMUNITY))).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
        let version = a.body["version"].as_i64().unwrap();
        // A new name and nothing else.
        let body = json!({"id_number": id, "name": "吴泉", "residence_unit": COMMUNITY, "registered_on": "2016-05-01", "version": version});
        let a = app.call(Method::POST, "/api/v1/persons", &caseworker, Some(body)).await;
        assert_eq!(a.status, StatusCode::OK, "a known person's change: {}", a.text);
        let p = &a.body["person"];
        assert_eq!(p["name"], "吴泉");
        for (key, value) in [
            ("phone", "13900139000"),
            ("address", "东山路1号"),
            ("household_ref", "H-7"),
            ("relation", "户主"),
            ("unemployed_since", "2015-10-01"),
        ] {
            assert_eq!(p[key], value, "{key} left out, kept: {}", a.text);
        }
        assert_eq!(a.body["categories"], json!(["older_unemployed"]));
        // null clears; a yes/no fact given null has no answer any more.
        let body = json!({"id_number": id, "name": "吴泉", "residence_unit": COMMUNITY, "registered_on": "2016-05-01",
            "phone": null, "disabled": null, "version": a.body["version"]});
        let a = app.call(Method::POST, "/api/v1/persons", &caseworker, Some(body)).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(a.body["person"]["phone"], Value::Null);
        assert_eq!(a.body["person"]["address"], "东山路1号");
        assert!(a.body["person"]["unanswered"].as_array().unwrap().contains(&json!("disabled")), "{}", a.text);
        let updates: Vec<&Value> =
            a.body["timeline"].as_array().unwrap().iter().filter(|e| e["action"] == "person.updated").collect();
        assert_eq!(updates.len(), 2, "each change is an audit event with before and after");
        assert!(
            updates[0]["before"].as_str().unwrap().contains("吴全")
                && updates[0]["after"].as_str().unwrap().contains("吴泉")
        );
        assert_eq!(a.body["version"].as_i64(), Some(version + 2));
    }
}

#[tokio::test]
async fn a_change_without_its_version_or_on_a_stale_one_is_409_and_says_to_reload() {
    for app in apps("writes_versions").await {
        let (caseworker, _) = office(&app).await;
        let id = id_number("440104", "1975-03-01", 41);
        let a =
            app.call(Method::POST, "/api/v1/persons", &caseworker, Some(registration(&id, "郑版", COMMUNITY))).await;
        let version = a.body["version"].as_i64().unwrap();
        let mut change = registration(&id, "郑版", COMMUNITY);
        change["phone"] = json!("13700137000");
        let a = app.call(Method::POST, "/api/v1/persons", &caseworker, Some(change.clone())).await;
        assert_eq!((a.status, code(&a)), (StatusCode::CONFLICT, "version_required"), "{}", a.text);
        change["version"] = json!(version + 5);
        for (lang, word) in [("zh-CN", "刷新"), ("en", "reload")] {
            let body = serde_json::to_vec(&change).unwrap();
            let a =
                app.send(Method::POST, "/api/v1/persons", &caseworker, Some(body), &[("accept-language", lang)]).await;
            assert_eq!((a.status, code(&a)), (StatusCode::CONFLICT, "conflict"), "{}", a.text);
            assert!(a.body["error"]["message"].as_str().unwrap().contains(word), "{lang}: {}", a.text);
        }
        let file = persons::file(app.store(), &id).await.unwrap().unwrap();
        assert_eq!((file.version, file.person.phone.as_deref()), (version, Some("13900139000")), "nothing written");
    }
}

#[tokio::test]
async fn ten_parallel_changes_on_one_version_give_one_success_and_nine_conflicts() {
    for app in apps("writes_parallel").await {
        let (caseworker, _) = office(&app).await;
        let id = id_number("440104", "1975-03-01", 51);
        let a =
            app.call(Method::POST, "/api/v1/persons", &caseworker, Some(registration(&id, "钱并", COMMUNITY))).await;
        let version = a.body["version"].as_i64().unwrap();
        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        for i in 0..10 {
            let (app, caseworker) = (app.clone(), caseworker.clone());
            let mut change = registration(&id, "钱并", COMMUNITY);
            change["phone"] = json!(format!("1370013700{i}"));
            change["version"] = json!(version);
            tasks.push(tokio::spawn(async move {
                app.call(Method::POST, "/api/v1/persons", &caseworker, Some(change)).await
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap().status);
        }
        let ok = statuses.iter().filter(|s| s.is_success()).count();
        let conflicts = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
        assert_eq!((ok, conflicts), (1, 9), "{statuses:?}");
        assert_eq!(persons::file(app.store(), &id).await.unwrap().unwrap().version, version + 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Item 5: bad input, every problem at once

#[tokio::test]
async fn every_wrong_field_of_a_registration_is_named_at_once() {
    for app in apps("writes_bad").await {
        let (caseworker, _) = office(&app).await;
        let id = id_number("440104", "1975-03-01", 61);
        let mut body = registration(&id, "x", COMMUNITY);
        body["name"] = json!(123);
        body["phone"] = json!(13800138000_u64);
        body["address"] = json!("路".repeat(201));
        body["hukou_local"] = json!("");
        let a = app.call(Method::POST, "/api/v1/persons", &caseworker, Some(body)).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
        let error = &a.body["error"];
        assert_eq!(
            (error["code"].as_str(), error["field"].as_str()),
            (Some("invalid_field"), Some("name")),
            "the first, as before"
        );
        let all: Vec<(String, String)> = error["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned()))
            .collect();
        let want = [("name", "invalid_field"), ("phone", "invalid_field"), ("address", "too_long")];
        for (field, code) in want {
            assert!(all.contains(&(field.to_owned(), code.to_owned())), "{field}: {all:?}");
        }
        assert!(all.contains(&("hukou_local".to_owned(), "missing_field".to_owned())), "{all:?}");
        assert_eq!(persons::count(app.store()).await.unwrap(), 1, "nobody new");

        for bad in ["张\u{202E}三", "张\u{200B}三", "张\u{0}三"] {
            let a =
                app.call(Method::POST, "/api/v1/persons", &caseworker, Some(registration(&id, bad, COMMUNITY))).await;
            assert_eq!(
                (a.status, code(&a), a.body["error"]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", Some("name")),
                "{bad:?}: {}",
                a.text
            );
        }
        // A new person under a policy that needs answers left out: each is named.
        let body = json!({"id_number": id, "name": "孙缺", "residence_unit": COMMUNITY, "registered_on": "2016-05-01"});
        let a = app.call(Method::POST, "/api/v1/persons", &caseworker, Some(body)).await;
        let fields: Vec<&str> =
            a.body["error"]["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(
            fields,
            ["hukou_local", "registered_unemployed", "able_to_work", "willing_to_be_assisted"],
            "{}",
            a.text
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The registration page

fn form_of(id: &str, name: &str, phone: &str, token: &str) -> Vec<(String, String)> {
    [
        ("csrf_token", token),
        ("id_number", id),
        ("name", name),
        ("phone", phone),
        ("address", "东山路1号"),
        ("residence_unit", COMMUNITY),
        ("hukou_unit", ""),
        ("registered_on", "2016-05-01"),
        ("household_ref", ""),
        ("relation", ""),
        ("policy", "gz-2014-4"),
        ("hukou_local", "true"),
        ("registered_unemployed", "true"),
        ("able_to_work", "true"),
        ("willing_to_be_assisted", "true"),
        ("disabled", "false"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn token(c: &Client) -> String {
    match c {
        Client::Session { csrf, .. } => csrf.clone(),
        _ => String::new(),
    }
}

async fn post_form(app: &TestApp, client: &Client, fields: &[(String, String)]) -> Answer {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.form(client, "/register", &pairs).await
}

/// The hidden inputs of the confirmation page, to send it as a browser would.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for part in html.split("<input type=\"hidden\" name=\"").skip(1) {
        let name = part.split('"').next().unwrap().to_owned();
        let value = part.split("value=\"").nth(1).unwrap().split('"').next().unwrap();
        let value = value
            .replace("&#34;", "\"")
            .replace("&amp;", "&")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">");
        out.push((name, value));
    }
    out
}

#[tokio::test]
async fn the_page_shows_what_a_change_overwrites_and_asks_before_writing_it() {
    for app in apps("writes_page_confirm").await {
        let (caseworker, _) = office(&app).await;
        let id = id_number("440104", "1975-03-01", 71);
        let a = post_form(&app, &caseworker, &form_of(&id, "冯页", "13900139000", &token(&caseworker))).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
        let before = snapshot(&app, &id).await;
        // The same person again, another phone and the address emptied: nothing is written yet.
        let mut again = form_of(&id, "冯页", "13700137000", &token(&caseworker));
        again.iter_mut().find(|(k, _)| k == "address").unwrap().1.clear();
        let a = post_form(&app, &caseworker, &again).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert!(a.text.contains("id=\"register-changes\""), "the changes are listed: {}", a.text);
        for shown in ["13900139000", "13700137000", "东山路1号", "register-overwrite"] {
            assert!(a.text.contains(shown), "{shown}: {}", a.text);
        }
        assert_eq!(snapshot(&app, &id).await, before, "asked first, nothing written");
        // Confirmed: written, with the version the page read.
        let mut confirmed = hidden_fields(&a.text);
        assert!(confirmed.iter().any(|(k, v)| k == "confirm" && v == "1"));
        confirmed.retain(|(k, _)| k != "back");
        let a = post_form(&app, &caseworker, &confirmed).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
        let file = persons::file(app.store(), &id).await.unwrap().unwrap();
        assert_eq!((file.person.phone.as_deref(), file.person.address.as_deref()), (Some("13700137000"), None));
        // Sending the same confirmation again is a change on a stale version: refused, with what
        // was typed kept and the latest file a click away.
        let a = post_form(&app, &caseworker, &confirmed).await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text);
        assert!(a.text.contains("id=\"register-reload\"") && a.text.contains("value=\"13700137000\""), "{}", a.text);
    }
}

#[tokio::test]
async fn the_page_opens_a_known_person_with_their_answers_and_their_version() {
    for app in apps("writes_page_prefill").await {
        let (caseworker, elsewhere) = office(&app).await;
        let id = id_number("440104", "1975-03-01", 81);
        post_form(&app, &caseworker, &form_of(&id, "褚填", "13900139000", &token(&caseworker))).await;
        let person_id = search::reach(app.store(), &id, "").await.unwrap().unwrap().person_id;
        let a = app.call(Method::GET, &format!("/register?person={person_id}"), &caseworker, None).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert!(a.text.contains("name=\"version\" value=\"1\""), "{}", a.text);
        assert!(a.text.contains("value=\"褚填\"") && a.text.contains("id=\"register-editing\""));
        // Unchanged, submitted as it opened: nothing to confirm, nothing changed.
        let fields = hidden_fields(&a.text);
        assert!(fields.iter().any(|(k, _)| k == "version"));
        // Out of reach: not found, as everywhere.
        let theirs = search::reach(app.store(), &elsewhere, "").await.unwrap().unwrap().person_id;
        let a = app.call(Method::GET, &format!("/register?person={theirs}"), &caseworker, None).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        assert!(!a.text.contains("林外"));
    }
}

#[tokio::test]
async fn the_page_says_so_when_the_id_number_is_out_of_reach_and_keeps_what_was_typed() {
    for app in apps("writes_page_elsewhere").await {
        let (caseworker, elsewhere) = office(&app).await;
        let before = snapshot(&app, &elsewhere).await;
        let a = post_form(&app, &caseworker, &form_of(&elsewhere, "夺取", "13700137000", &token(&caseworker))).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.text);
        assert!(a.text.contains("id=\"register-notice\"") && a.text.contains("value=\"夺取\""), "{}", a.text);
        assert!(!a.text.contains("林外") && !a.text.contains(OTHER_STREET), "{}", a.text);
        assert_eq!(snapshot(&app, &elsewhere).await, before);
    }
}

#[tokio::test]
async fn the_page_marks_every_wrong_field_and_limits_lengths_before_submitting() {
    for app in apps("writes_page_errors").await {
        let (caseworker, _) = office(&app).await;
        let form = app.call(Method::GET, "/register", &caseworker, None).await;
        for limit in ["id=\"f-name\"", "maxlength=\"50\"", "maxlength=\"200\""] {
            assert!(form.text.contains(limit), "{limit}");
        }
        let mut fields = form_of("440104197503010001", "张\u{202E}三", "123", &token(&caseworker));
        fields.iter_mut().find(|(k, _)| k == "hukou_local").unwrap().1.clear();
        let a = post_form(&app, &caseworker, &fields).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
        for field in ["name", "id_number", "phone", "hukou_local"] {
            assert!(a.text.contains(&format!("id=\"{field}-error\"")), "{field}: {}", a.text);
        }
        assert!(a.text.contains("value=\"123\""), "what was typed stays");
    }
}

// ---------------------------------------------------------------------------------------------
// Item 1: a move of residence is a transfer

const OTHER_COMMUNITY: &str = "440104012001"; // 农林街道

/// Caseworkers of [`COMMUNITY`] and [`OTHER_COMMUNITY`], and a person of each serial at [`COMMUNITY`].
async fn two_units(app: &TestApp, serials: &[u32]) -> (Client, Client, Vec<String>) {
    app.community(COMMUNITY).await;
    app.community(OTHER_COMMUNITY).await;
    let here = app.user("here", Role::CommunityWorker, COMMUNITY).await;
    let there = app.user("there", Role::CommunityWorker, OTHER_COMMUNITY).await;
    let ids: Vec<String> = serials.iter().map(|s| id_number("440104", "1975-03-01", *s)).collect();
    let lines: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| format!("t{i},{id},迁{i},,{COMMUNITY},2016-05-01,true,true,true,true,true,false"))
        .collect();
    app.register(&lines.iter().map(String::as_str).collect::<Vec<_>>()).await;
    (here, there, ids)
}

async fn queue(app: &TestApp, client: &Client) -> Vec<Value> {
    let a = app.call(Method::GET, "/api/v1/transfers", client, None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_move_proposed_by_one_unit_takes_effect_when_the_other_accepts_it() {
    for app in apps("writes_transfer").await {
        let (here, there, ids) = two_units(&app, &[91]).await;
        let p = &ids[0];
        let a = app
            .call(
                Method::POST,
                &format!("/api/v1/persons/{p}/transfers"),
                &here,
                Some(json!({"to_unit": OTHER_COMMUNITY, "note": "搬家"})),
            )
            .await;
        assert_eq!((a.status, a.body["state"].as_str()), (StatusCode::CREATED, Some("proposed")), "{}", a.text);
        let id = a.body["id"].as_str().unwrap().to_owned();
        let theirs = queue(&app, &there).await;
        assert_eq!(theirs.len(), 1, "in the receiving unit's queue");
        assert_eq!(
            (theirs[0]["name"].as_str(), theirs[0]["from_unit"].as_str(), theirs[0]["may_decide"].as_bool()),
            (Some("迁0"), Some(COMMUNITY), Some(true))
        );
        let mine = queue(&app, &here).await;
        assert_eq!(
            (mine[0]["may_decide"].as_bool(), mine[0]["may_withdraw"].as_bool()),
            (Some(false), Some(true)),
            "and in the proposing unit's"
        );
        let own = app.call(Method::POST, &format!("/api/v1/transfers/{id}/accept"), &here, Some(json!({}))).await;
        assert_eq!((own.status, code(&own)), (StatusCode::FORBIDDEN, "not_your_side"), "{}", own.text);
        let file = format!("/api/v1/persons/{p}");
        assert_eq!(app.call(Method::GET, &file, &there, None).await.status, StatusCode::NOT_FOUND, "not theirs yet");
        let a = app
            .call(Method::POST, &format!("/api/v1/transfers/{id}/accept"), &there, Some(json!({"note": "已核实"})))
            .await;
        assert_eq!((a.status, a.body["state"].as_str()), (StatusCode::OK, Some("accepted")), "{}", a.text);
        let f = app.call(Method::GET, &file, &there, None).await;
        assert_eq!(
            (f.status, f.body["person"]["residence_unit"].as_str()),
            (StatusCode::OK, Some(OTHER_COMMUNITY)),
            "{}",
            f.text
        );
        assert_eq!(app.call(Method::GET, &file, &here, None).await.status, StatusCode::NOT_FOUND, "no longer theirs");
        let steps: Vec<&str> = f.body["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["action"].as_str())
            .filter(|a| a.starts_with("transfer.") || *a == "person.moved")
            .collect();
        assert_eq!(steps, ["transfer.proposed", "transfer.accepted", "person.moved"]);
        let again = app.call(Method::POST, &format!("/api/v1/transfers/{id}/refuse"), &there, Some(json!({}))).await;
        assert_eq!((again.status, code(&again)), (StatusCode::CONFLICT, "transfer_closed"), "{}", again.text);
    }
}

#[tokio::test]
async fn a_unit_asks_for_a_person_by_id_number_and_name_and_their_unit_decides() {
    for app in apps("writes_transfer_ask").await {
        let (here, there, ids) = two_units(&app, &[92]).await;
        let q = &ids[0];
        let ghost = id_number("440104", "1950-01-01", 1);
        let ask = |id: &str, name: &str| json!({"id_number": id, "name": name, "to_unit": OTHER_COMMUNITY});
        let wrong = app.call(Method::POST, "/api/v1/transfers", &there, Some(ask(q, "别人"))).await;
        let nobody = app.call(Method::POST, "/api/v1/transfers", &there, Some(ask(&ghost, "别人"))).await;
        assert_eq!(
            (wrong.status, wrong.text.as_str()),
            (StatusCode::NOT_FOUND, nobody.text.as_str()),
            "a wrong name names nobody"
        );
        let a = app.call(Method::POST, "/api/v1/transfers", &there, Some(ask(q, "迁0"))).await;
        assert_eq!((a.status, a.body["proposed_by_side"].as_str()), (StatusCode::CREATED, Some("to")), "{}", a.text);
        assert_eq!(a.body["from_unit"], Value::Null, "where the person lives is not told before their unit accepts");
        assert!(!a.text.contains(COMMUNITY), "{}", a.text);
        let id = a.body["id"].as_str().unwrap().to_owned();
        let mine = queue(&app, &here).await;
        assert_eq!(mine[0]["may_decide"], true, "the unit they live in decides");
        let refused = app
            .call(Method::POST, &format!("/api/v1/transfers/{id}/refuse"), &here, Some(json!({"note": "未迁出"})))
            .await;
        assert_eq!(
            (refused.status, refused.body["state"].as_str()),
            (StatusCode::OK, Some("refused")),
            "{}",
            refused.text
        );
        assert_eq!(
            app.call(Method::GET, &format!("/api/v1/persons/{q}"), &there, None).await.status,
            StatusCode::NOT_FOUND
        );
        let file = persons::file(app.store(), q).await.unwrap().unwrap();
        assert_eq!(file.person.residence_unit, COMMUNITY);
    }
}

#[tokio::test]
async fn a_supervisor_over_both_units_moves_a_person_at_once() {
    for app in apps("writes_transfer_now").await {
        let (_, _, ids) = two_units(&app, &[93]).await;
        let district = app.user("district", Role::DistrictSupervisor, "440104").await;
        let a = app
            .call(
                Method::POST,
                &format!("/api/v1/persons/{}/transfers", ids[0]),
                &district,
                Some(json!({"to_unit": OTHER_COMMUNITY})),
            )
            .await;
        assert_eq!((a.status, a.body["state"].as_str()), (StatusCode::CREATED, Some("done")), "{}", a.text);
        assert_eq!(persons::file(app.store(), &ids[0]).await.unwrap().unwrap().person.residence_unit, OTHER_COMMUNITY);
        let same = app
            .call(
                Method::POST,
                &format!("/api/v1/persons/{}/transfers", ids[0]),
                &district,
                Some(json!({"to_unit": OTHER_COMMUNITY})),
            )
            .await;
        assert_eq!((same.status, code(&same)), (StatusCode::UNPROCESSABLE_ENTITY, "same_unit"), "{}", same.text);
    }
}

#[tokio::test]
async fn the_file_offers_a_transfer_and_the_receiving_home_page_accepts_it() {
    for app in apps("writes_transfer_pages").await {
        let (here, there, ids) = two_units(&app, &[94]).await;
        let person_id = search::reach(app.store(), &ids[0], "").await.unwrap().unwrap().person_id;
        let file = app.call(Method::GET, &format!("/p/{person_id}"), &here, None).await;
        assert!(file.text.contains("id=\"transfer-residence\""), "the file offers the action");
        let form = app.call(Method::GET, &format!("/p/{person_id}/transfer"), &here, None).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text);
        let a = app
            .form(
                &here,
                &format!("/p/{person_id}/transfer"),
                &[("csrf_token", &token(&here)), ("to_unit", "4401"), ("note", "搬家")],
            )
            .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
        assert!(
            a.text.contains("id=\"transfer-error\"") && a.text.contains("搬家"),
            "what was typed stays: {}",
            a.text
        );
        let a = app
            .form(
                &here,
                &format!("/p/{person_id}/transfer"),
                &[("csrf_token", &token(&here)), ("to_unit", OTHER_COMMUNITY), ("note", "搬家")],
            )
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
        let home = app.call(Method::GET, "/", &there, None).await;
        assert!(home.text.contains("id=\"queue-transfers\"") && home.text.contains("迁0"), "{}", home.text);
        let id = residence_transfers::open_under(app.store(), OTHER_COMMUNITY, 10).await.unwrap()[0].id.clone();
        assert!(home.text.contains(&format!("/transfers/{id}/accept")));
        let a = app.form(&there, &format!("/transfers/{id}/accept"), &[("csrf_token", &token(&there))]).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
        assert_eq!(persons::file(app.store(), &ids[0]).await.unwrap().unwrap().person.residence_unit, OTHER_COMMUNITY);
        // From the registration page: an ID number out of reach offers to ask for the person.
        let more = id_number("440104", "1975-03-01", 95);
        app.register(&[&format!("t9,{more},迁九,,{COMMUNITY},2016-05-01,true,true,true,true,true,false")]).await;
        let mut fields = form_of(&more, "迁九", "", &token(&there));
        fields.iter_mut().find(|(k, _)| k == "residence_unit").unwrap().1 = OTHER_COMMUNITY.to_owned();
        let a = post_form(&app, &there, &fields).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        assert!(a.text.contains("id=\"ask-transfer\""), "{}", a.text);
        let asked = hidden_fields(a.text.split("id=\"ask-transfer\"").nth(1).unwrap().split("</form>").next().unwrap());
        let pairs: Vec<(&str, &str)> = asked.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let a = app.form(&there, "/transfers/request", &pairs).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
        assert_eq!(residence_transfers::open_under(app.store(), COMMUNITY, 10).await.unwrap().len(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Items 3 and 6: possible duplicates at the counter, within reach only

#[tokio::test]
async fn a_namesake_registered_at_the_counter_is_flagged_at_once_and_decided_on_its_page() {
    for app in apps("writes_duplicates").await {
        let (caseworker, _) = office(&app).await;
        let officer = app.user("officer", Role::StreetOfficer, "440104011").await;
        let (first, second) = (id_number("440104", "1975-03-01", 71), id_number("440104", "1975-03-01", 72));
        for id in [&first, &second] {
            let a =
                app.call(Method::POST, "/api/v1/persons", &caseworker, Some(registration(id, "同名", COMMUNITY))).await;
            assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
        }
        let q = app.call(Method::GET, "/api/v1/duplicates", &officer, None).await;
        assert_eq!(q.body.as_array().map(Vec::len), Some(1), "flagged at the counter, no import needed: {}", q.text);
        // The registration's result tells the caseworker, who reaches both files.
        let person_id = search::reach(app.store(), &second, "").await.unwrap().unwrap().person_id;
        let result = app.call(Method::GET, &format!("/register/result/{person_id}"), &caseworker, None).await;
        assert!(result.text.contains("id=\"possible-duplicate\""), "{}", result.text);
        // The officer's page shows the pair and records the decision.
        let page = app.call(Method::GET, "/duplicates", &officer, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains(&first) && page.text.contains(&second), "{}", page.text);
        let flag = q.body[0]["id"].as_str().unwrap().to_owned();
        let a = app
            .form(
                &officer,
                &format!("/duplicates/{flag}/decision"),
                &[("csrf_token", &token(&officer)), ("same_person", "false")],
            )
            .await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
        let page = app.call(Method::GET, "/duplicates", &officer, None).await;
        assert!(page.text.contains("id=\"duplicates-empty\""), "{}", page.text);
        // A caseworker does not decide.
        assert_eq!(app.call(Method::GET, "/duplicates", &caseworker, None).await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_namesake_out_of_reach_is_neither_counted_nor_shown() {
    for app in apps("writes_oracle").await {
        let (caseworker, elsewhere) = office(&app).await;
        // 林外 of 农林街道, born 1975-03-01: a namesake in the caseworker's community.
        let twin = id_number("440104", "1975-03-01", 12);
        let csv =
            format!("{}\nt,{twin},林外,,{COMMUNITY},2016-06-01,true,true,true,true,,", common::REGISTRATION_HEADER);
        let a = import_csv(&app, &caseworker, csv).await;
        assert_eq!(
            (a.status, a.body["created"].as_u64(), a.body["duplicates_flagged"].as_u64()),
            (StatusCode::OK, Some(1), Some(0)),
            "{}",
            a.text
        );
        // The flag exists, for someone who reaches both.
        let city = app.user("city", Role::CityAdmin, "440100").await;
        let q = app.call(Method::GET, "/api/v1/duplicates", &city, None).await;
        assert!(q.text.contains(&elsewhere), "{}", q.text);
        // Nothing the caseworker reads tells of it: their person's file and its result.
        let file = app.call(Method::GET, &format!("/api/v1/persons/{twin}"), &caseworker, None).await;
        assert!(!file.text.contains("duplicate") && !file.text.contains(&elsewhere), "{}", file.text);
        let person_id = search::reach(app.store(), &twin, "").await.unwrap().unwrap().person_id;
        let result = app.call(Method::GET, &format!("/register/result/{person_id}"), &caseworker, None).await;
        assert!(!result.text.contains("possible-duplicate"), "{}", result.text);
        let home = app.call(Method::GET, "/", &caseworker, None).await;
        assert!(home.text.contains("<h3 id=\"h-duplicates\">"), "{}", home.text);
        assert!(!home.text.contains(&elsewhere));
    }
}

// ---------------------------------------------------------------------------------------------
// Item 7: the page asks what the policy in force needs, three ways, and nothing silently

/// The part of a page that draws the question `name`.
fn question<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html.find(&format!("id=\"q-{name}\"")).unwrap_or_else(|| panic!("no question {name}"));
    let start = html[..start].rfind('<').unwrap();
    let end = html[start..].find("</div>").unwrap() + start;
    &html[start..end]
}

#[tokio::test]
async fn the_page_asks_the_questions_of_the_policy_in_force_on_the_registration_date() {
    for app in apps("writes_page_policy").await {
        let (caseworker, _) = office(&app).await;
        // Today: 粤人社规〔2023〕11号, which asks whether the person is without work and not
        // whether they registered as unemployed (the registration is that).
        let form = app.call(Method::GET, "/register", &caseworker, None).await;
        assert!(form.text.contains("name=\"policy\" id=\"register-policy\" value=\"gd-2023-11\""), "{}", form.text);
        let without_work = question(&form.text, "without_work");
        assert!(
            !without_work.contains(" hidden") && !without_work.contains("disabled") && without_work.contains(" *"),
            "{without_work}"
        );
        let registered = question(&form.text, "registered_unemployed");
        assert!(registered.contains(" hidden") && registered.contains("disabled"), "{registered}");
        // Every yes/no question has three answers: unanswered, yes, no; none is chosen for the user.
        assert!(
            without_work.contains("<option value=\"\">未回答</option>") && !without_work.contains("selected"),
            "{without_work}"
        );

        // A 2016 date on a form drawn for today's policy: the questions follow the date, and
        // nothing is registered until they are answered.
        let id = id_number("440104", "1975-03-01", 81);
        let mut fields = form_of(&id, "时改", "", &token(&caseworker));
        fields.iter_mut().find(|(k, _)| k == "policy").unwrap().1 = "gd-2023-11".to_owned();
        let a = post_form(&app, &caseworker, &fields).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert!(a.text.contains("id=\"register-notice\"") && a.text.contains("value=\"gz-2014-4\""), "{}", a.text);
        assert!(!question(&a.text, "registered_unemployed").contains(" hidden"));
        assert_eq!(persons::count(app.store()).await.unwrap(), 1, "nobody registered yet");
    }
}

#[tokio::test]
async fn an_unanswered_question_is_kept_unanswered_and_a_required_one_is_named() {
    for app in apps("writes_page_unanswered").await {
        let (caseworker, _) = office(&app).await;
        let id = id_number("440104", "1975-03-01", 82);
        let mut fields = form_of(&id, "未答", "", &token(&caseworker));
        fields.iter_mut().find(|(k, _)| k == "able_to_work").unwrap().1.clear();
        for (cookie, said) in [("yz_lang=zh", "须回答"), ("yz_lang=en", "An answer is needed")] {
            let a = post_form_with_cookie(&app, &caseworker, &fields, cookie).await;
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
            let error = a.text.split("id=\"able_to_work-error\">").nth(1).unwrap_or_else(|| panic!("{}", a.text));
            assert!(error.split('<').next().unwrap().contains(said), "{error}");
        }
        // Left unanswered where the policy does not require it: recorded as unanswered, not as no.
        fields.iter_mut().find(|(k, _)| k == "able_to_work").unwrap().1 = "true".to_owned();
        fields.iter_mut().find(|(k, _)| k == "disabled").unwrap().1.clear();
        let a = post_form(&app, &caseworker, &fields).await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
        let p = persons::file(app.store(), &id).await.unwrap().unwrap().person;
        assert!(p.unanswered.contains(&"disabled") && !p.unanswered.contains(&"able_to_work"), "{:?}", p.unanswered);
        // Opened again, the question shows unanswered, not "no".
        let person_id = search::reach(app.store(), &id, "").await.unwrap().unwrap().person_id;
        let form = app.call(Method::GET, &format!("/register?person={person_id}"), &caseworker, None).await;
        let disabled = question(&form.text, "disabled");
        assert!(!disabled.contains("selected"), "{disabled}");
        assert!(question(&form.text, "able_to_work").contains("value=\"true\" selected"));
    }
}

/// [`post_form`] with another cookie beside the session's (the language).
async fn post_form_with_cookie(app: &TestApp, client: &Client, fields: &[(String, String)], cookie: &str) -> Answer {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let Client::Session { cookie: session, .. } = client else { panic!("signed in") };
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", common::url_encode(k), common::url_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let r = axum::http::Request::builder()
        .method(Method::POST)
        .uri("/register")
        .header("cookie", format!("{session}; {cookie}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(body))
        .unwrap();
    let response = app.router.clone().oneshot(r).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer { status, headers, body: Value::Null, text: String::from_utf8_lossy(&bytes).into_owned() }
}

#[tokio::test]
async fn ten_parallel_registrations_of_one_new_person_make_one_file() {
    for app in apps("writes_parallel_new").await {
        let (caseworker, _) = office(&app).await;
        let id = id_number("440104", "1975-03-01", 52);
        let app = std::sync::Arc::new(app);
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (app, caseworker) = (app.clone(), caseworker.clone());
            let body = registration(&id, "孙新", COMMUNITY);
            tasks.push(tokio::spawn(async move {
                app.call(Method::POST, "/api/v1/persons", &caseworker, Some(body)).await
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap().status);
        }
        let created = statuses.iter().filter(|s| **s == StatusCode::CREATED).count();
        let conflicts = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
        assert_eq!((created, conflicts), (1, 9), "{statuses:?}");
        let file = persons::file(app.store(), &id).await.unwrap().unwrap();
        assert_eq!(file.timeline.iter().filter(|e| e.action == "person.created").count(), 1);
    }
}
