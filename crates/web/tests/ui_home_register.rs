//! The home page by role and registration from the counter, through the whole application on
//! SQLite and PostgreSQL: a caseworker's queues hold their jurisdiction only, a supervisor's counts
//! are right, registration shows each category with its reason and article, and a bad ID number
//! or a missing form token is refused.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Answer, Client, TestApp, apps, id_number};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;
use yuanzhu_domain::access::Role;

const COMMUNITY: &str = "440104011001"; // 东山街道
const STREET: &str = "440104011";
const OTHER_COMMUNITY: &str = "440104012001"; // 农林街道

/// A GET of a page, optionally in English (the remembered language).
async fn page(app: &TestApp, client: &Client, uri: &str, english: bool) -> Answer {
    let extra: &[(&str, &str)] = if english { &[("cookie", "yz_lang=en")] } else { &[] };
    form_request(app, Method::GET, uri, client, None, extra).await
}

/// A request with a form body (or none); `common`'s `send` would also claim JSON.
async fn form_request(
    app: &TestApp,
    method: Method,
    uri: &str,
    client: &Client,
    form: Option<String>,
    extra: &[(&str, &str)],
) -> Answer {
    let mut r = Request::builder().method(method).uri(uri);
    let mut cookies = Vec::new();
    if let Client::Session { cookie, .. } = client {
        cookies.push(cookie.clone());
    }
    for (k, v) in extra {
        if *k == "cookie" {
            cookies.push((*v).to_owned());
        } else {
            r = r.header(*k, *v);
        }
    }
    if !cookies.is_empty() {
        r = r.header(header::COOKIE, cookies.join("; "));
    }
    if form.is_some() {
        r = r.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    let request = r.body(form.map_or_else(Body::empty, Body::from)).unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Answer { status, headers, body: serde_json::Value::Null, text }
}

fn csrf(client: &Client) -> String {
    match client {
        Client::Session { csrf, .. } => csrf.clone(),
        _ => String::new(),
    }
}

fn encode(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&")
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Registers a person living in `unit` (registered 2016-05-01, a man of 41 on the minimum
/// living allowance: older_unemployed, and 特困 第3目 on application).
async fn person(app: &TestApp, unit: &str, name: &str, serial: u32) -> String {
    let id = id_number("440104", "1975-03-01", serial);
    app.register(&[&format!("p{serial},{id},{name},13800138000,{unit},2016-05-01,true,true,true,true,true,false")])
        .await;
    id
}

async fn api_post(app: &TestApp, client: &Client, uri: &str, body: serde_json::Value) -> Answer {
    app.call(Method::POST, uri, client, Some(body)).await
}

/// Opens a hardship application for the person and hands it in incomplete: a deficiency notice.
async fn deficient_application(app: &TestApp, client: &Client, id: &str) {
    let uri = format!("/api/v1/persons/{id}/applications");
    let a = api_post(app, client, &uri, json!({"category": "hardship_low_income", "on": "2016-05-02"})).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let app_id = a.body["id"].as_str().unwrap().to_owned();
    let submit = format!("/api/v1/applications/{app_id}/submit");
    let s = api_post(app, client, &submit, json!({"version": a.body["version"]})).await;
    assert_eq!(s.body["state"], "deficient", "{}", s.text);
}

/// Recognises the person as 特困失业人员 by an approved application: the status 第六条 revokes.
async fn in_hardship(app: &TestApp, caseworker: &Client, officer: &Client, id: &str) {
    let uri = format!("/api/v1/persons/{id}/applications");
    let draft = api_post(app, caseworker, &uri, json!({"category": "hardship_low_income", "on": "2016-05-02"})).await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
    let step = |s: &str| format!("/api/v1/applications/{}/{s}", draft.body["id"].as_str().unwrap());
    let documents = json!({"documents": draft.body["missing"], "version": draft.body["version"]});
    let complete = api_post(app, caseworker, &step("documents"), documents).await;
    let submitted = api_post(app, caseworker, &step("submit"), json!({"version": complete.body["version"]})).await;
    let approved = api_post(app, officer, &step("approve"), json!({"version": submitted.body["version"]})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
}

#[tokio::test]
async fn a_caseworker_sees_each_queue_and_nothing_outside_their_jurisdiction() {
    for app in apps("ui_home_queue").await {
        app.community(COMMUNITY).await;
        app.community(OTHER_COMMUNITY).await;
        let caseworker = app.user("caseworker", Role::CommunityWorker, COMMUNITY).await;
        let stranger = app.user("stranger", Role::CommunityWorker, OTHER_COMMUNITY).await;
        let officer = app.user("officer", Role::StreetOfficer, STREET).await;

        let waiting = person(&app, COMMUNITY, "等材料", 11).await;
        deficient_application(&app, &caseworker, &waiting).await;
        let leaving = person(&app, COMMUNITY, "已就业", 21).await;
        in_hardship(&app, &caseworker, &officer, &leaving).await;
        let p = api_post(
            &app,
            &caseworker,
            &format!("/api/v1/persons/{leaving}/revocation-proposals"),
            json!({"reason": "employed", "note": "已签劳动合同"}),
        )
        .await;
        assert_eq!(p.status, StatusCode::CREATED, "{}", p.text);
        let quiet = person(&app, COMMUNITY, "联系不上", 31).await;
        in_hardship(&app, &caseworker, &officer, &quiet).await;
        let first =
            yuanzhu_rules::Date::from_days(yuanzhu_storage::clock::Clock::default().today().to_days() - 20).unwrap();
        let c = api_post(
            &app,
            &caseworker,
            &format!("/api/v1/persons/{quiet}/contacts"),
            json!({"channel": "home_visit", "reached": false, "on": first.to_string()}),
        )
        .await;
        assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
        // Two files of one name and birth date here, and a pair in the other street.
        person(&app, COMMUNITY, "同名人", 41).await;
        person(&app, COMMUNITY, "同名人", 43).await;
        person(&app, OTHER_COMMUNITY, "别处同名", 51).await;
        person(&app, OTHER_COMMUNITY, "别处同名", 53).await;
        yuanzhu_storage::duplicates::flag_new(app.store(), "test").await.unwrap();

        let home = page(&app, &caseworker, "/", false).await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.text);
        let section = |id: &str| {
            let start = home.text.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no {id}: {}", home.text));
            let end = home.text[start..].find("</section>").unwrap() + start;
            home.text[start..end].to_owned()
        };
        assert!(section("queue-waiting").contains("等材料"), "{}", section("queue-waiting"));
        assert!(section("queue-waiting").contains("href=\"/applications/"));
        assert!(section("queue-proposals").contains("已就业"));
        assert!(section("queue-proposals").contains("href=\"/revocations/"));
        assert!(section("queue-unreachable").contains("联系不上"), "{}", section("queue-unreachable"));
        assert!(section("queue-unreachable").contains("href=\"/p/"));
        assert!(section("queue-duplicates").contains("同名人"));
        assert!(!home.text.contains("别处同名"));
        assert!(!home.text.contains(&waiting), "lists link by record key, never by ID number");

        let theirs = page(&app, &stranger, "/", false).await;
        for name in ["等材料", "已就业", "联系不上", "同名人"] {
            assert!(!theirs.text.contains(name), "{name} leaked to another street");
        }
        assert!(theirs.text.contains("别处同名"));
    }
}

#[tokio::test]
async fn a_supervisor_sees_counts_by_category_and_by_unit_for_their_subtree() {
    for app in apps("ui_home_stats").await {
        app.community(COMMUNITY).await;
        app.community(OTHER_COMMUNITY).await;
        person(&app, COMMUNITY, "甲", 11).await;
        person(&app, COMMUNITY, "乙", 13).await;
        person(&app, OTHER_COMMUNITY, "丙", 15).await;
        // A disabled man of 41: older_unemployed and disabled_unemployed.
        let id = id_number("440104", "1975-03-01", 17);
        app.register(&[&format!("p17,{id},丁,,{OTHER_COMMUNITY},2016-05-01,true,true,true,true,,true")]).await;
        // Another district: not in this supervisor's subtree.
        person(&app, "440105001", "戊", 19).await;

        let district = app.user("district", Role::DistrictSupervisor, "440104").await;
        let home = page(&app, &district, "/", false).await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.text);
        assert!(home.text.contains("<svg class=\"home-chart\""), "{}", home.text);
        let row = |code: &str| {
            let start = home.text.find(&format!("id=\"unit-{code}\"")).unwrap_or_else(|| panic!("{}", home.text));
            let end = home.text[start..].find("</tr>").unwrap() + start;
            home.text[start..end].to_owned()
        };
        // Columns: older_unemployed, then disabled_unemployed (article order).
        let cells = |row: String| -> Vec<String> {
            row.split("<td class=\"num\">").skip(1).map(|c| c.split('<').next().unwrap().to_owned()).collect()
        };
        assert_eq!(cells(row(STREET)), ["2", "0"]);
        assert_eq!(cells(row("440104012")), ["2", "1"]);
        assert!(!home.text.contains("unit-440105"), "another district is outside the subtree");
        assert!(home.text.contains(">4</text>"), "the older_unemployed bar counts 4: {}", home.text);

        let city = app.user("city", Role::CityAdmin, "440100").await;
        let home = page(&app, &city, "/", false).await;
        let start = home.text.find("id=\"unit-440104\"").expect("the city sees its districts");
        assert!(home.text[start..].split("</tr>").next().unwrap().contains("<td class=\"num\">4</td>"));
        assert!(home.text.contains("id=\"unit-440105\""));
    }
}

/// The registration form's fields for a man born 1975-03-01 at [`COMMUNITY`].
fn registration(id: &str, token: &str) -> String {
    registration_with_hukou(id, token, "")
}

fn registration_with_hukou(id: &str, token: &str, hukou_unit: &str) -> String {
    encode(&[
        ("csrf_token", token),
        ("id_number", id),
        ("name", "王登记"),
        ("phone", "13900139000"),
        ("address", ""),
        ("residence_unit", COMMUNITY),
        ("hukou_unit", hukou_unit),
        ("registered_on", "2016-05-01"),
        ("household_ref", ""),
        ("relation", ""),
        ("hukou_local", "true"),
        ("registered_unemployed", "true"),
        ("able_to_work", "true"),
        ("willing_to_be_assisted", "true"),
        ("disabled", "true"),
    ])
}

#[tokio::test]
async fn registration_shows_each_category_with_its_reason_and_article() {
    for app in apps("ui_register_ok").await {
        app.community(COMMUNITY).await;
        let caseworker = app.user("caseworker", Role::CommunityWorker, COMMUNITY).await;
        let form = page(&app, &caseworker, "/register", false).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text);
        assert!(form.text.contains("name=\"csrf_token\"") && form.text.contains("data-id-check"));
        assert!(form.text.contains(&format!("<option value=\"{COMMUNITY}\"")), "a select of the user's units");

        let id = id_number("440104", "1975-03-01", 61);
        let posted = form_request(
            &app,
            Method::POST,
            "/register",
            &caseworker,
            Some(registration(&id, &csrf(&caseworker))),
            &[],
        )
        .await;
        let result = redirected_to_result(&posted);
        let a = page(&app, &caseworker, &result, false).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert!(a.text.contains("id=\"recognition-result\""), "{}", a.text);
        for (category, article) in [("大龄失业人员", "第三条第（一）项"), ("残疾失业人员", "第三条第（五）项")]
        {
            assert!(a.text.contains(category), "{category}: {}", a.text);
            assert!(a.text.contains(article), "{article}: {}", a.text);
        }
        assert!(a.text.contains("满40周岁") || a.text.contains("周岁"), "the reason is shown: {}", a.text);
        let link = a.text.split("href=\"/p/").nth(1).expect("a link to the file").split('"').next().unwrap();
        let file = page(&app, &caseworker, &format!("/p/{link}"), false).await;
        assert_eq!(file.status, StatusCode::OK);
        assert!(file.text.contains("王登记"));

        let again = form_request(
            &app,
            Method::POST,
            "/register",
            &caseworker,
            Some(registration(&id, &csrf(&caseworker))),
            &[("cookie", "yz_lang=en")],
        )
        .await;
        assert_eq!(redirected_to_result(&again), result, "registering again changes nothing");
        let english = page(&app, &caseworker, &result, true).await;
        assert!(english.text.contains("Recognition result") && english.text.contains("age 41"), "{}", english.text);
    }
}

/// The address a successful registration sends the browser to (303 See Other: Post/Redirect/Get).
fn redirected_to_result(a: &Answer) -> String {
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
    let location = a.headers.get(header::LOCATION).expect("a Location").to_str().unwrap().to_owned();
    assert!(location.starts_with("/register/result/"), "{location}");
    location
}

/// How many events the person's file holds.
async fn events_of(app: &TestApp, id_number: &str) -> usize {
    // Changes only: an opening of the file or the result is recorded too, but changes nothing.
    let file = yuanzhu_storage::persons::file(app.store(), id_number).await.unwrap().unwrap();
    file.timeline.iter().filter(|e| e.action != "person.viewed").count()
}

#[tokio::test]
async fn reloading_the_result_registers_nothing_and_only_those_who_reach_the_person_see_it() {
    for app in apps("ui_register_prg").await {
        app.community(COMMUNITY).await;
        app.community(OTHER_COMMUNITY).await;
        let caseworker = app.user("caseworker", Role::CommunityWorker, COMMUNITY).await;
        let stranger = app.user("stranger", Role::CommunityWorker, OTHER_COMMUNITY).await;
        let id = id_number("440104", "1975-03-01", 62);
        let form = Some(registration(&id, &csrf(&caseworker)));
        let posted = form_request(&app, Method::POST, "/register", &caseworker, form, &[]).await;
        let result = redirected_to_result(&posted);
        assert!(!result.contains(&id), "the address names the record key, never the ID number");
        let recorded = events_of(&app, &id).await;
        assert!(recorded > 0);
        for _ in 0..2 {
            let a = page(&app, &caseworker, &result, false).await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.text);
            assert!(a.text.contains("王登记") && a.text.contains("第三条第（五）项"), "{}", a.text);
        }
        assert_eq!(events_of(&app, &id).await, recorded, "reloading the result records nothing");
        let person_id = yuanzhu_storage::search::reach(app.store(), &id, "nobody").await.unwrap().unwrap().person_id;
        let trail = yuanzhu_storage::audit::of_person(app.store(), &person_id).await.unwrap();
        let views = trail.iter().filter(|e| e.action == "person.viewed" && e.actor == "caseworker").count();
        assert_eq!(views, 2, "each opening of the result is in the audit trail, like the file's");

        let theirs = page(&app, &stranger, &result, false).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "another street's caseworker: {}", theirs.text);
        assert!(!theirs.text.contains("王登记"));
        let nobody = page(&app, &caseworker, "/register/result/no-such-person", false).await;
        assert_eq!(nobody.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_hukou_unit_is_optional_and_a_wrong_one_is_refused_next_to_its_field() {
    for app in apps("ui_register_hukou").await {
        app.community(COMMUNITY).await;
        app.community(OTHER_COMMUNITY).await;
        let caseworker = app.user("caseworker", Role::CommunityWorker, COMMUNITY).await;
        let form = page(&app, &caseworker, "/register", false).await;
        assert!(form.text.contains("name=\"hukou_unit\"") && form.text.contains("户籍所在单位"), "{}", form.text);

        let id = id_number("440104", "1975-03-01", 63);
        for (hukou, lang, cookie, said) in [
            ("4401", "zh", "yz_lang=zh", "户籍所在单位：“4401”不是单位代码"),
            ("4401x4012001", "en", "yz_lang=en", "Unit of hukou: `4401x4012001` is not a unit code"),
            ("440199001", "zh", "yz_lang=zh", "户籍所在单位：“440199001”不在单位树中"),
            ("440199001", "en", "yz_lang=en", "Unit of hukou: `440199001` is not in the unit tree"),
        ] {
            let body = registration_with_hukou(&id, &csrf(&caseworker), hukou);
            let a = form_request(&app, Method::POST, "/register", &caseworker, Some(body), &[("cookie", cookie)]).await;
            assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{lang} {hukou}: {}", a.text);
            let error = a.text.split("id=\"hukou_unit-error\">").nth(1).unwrap_or_else(|| panic!("{lang}: {}", a.text));
            let error = error.split('<').next().unwrap();
            assert!(error.contains(said), "{lang}: {error}");
            assert!(a.text.contains(&format!("value=\"{hukou}\"")), "the form keeps what was typed");
        }
        assert_eq!(yuanzhu_storage::persons::count(app.store()).await.unwrap(), 0, "nothing registered");

        // Held elsewhere in the city: a unit outside the caseworker's jurisdiction is fine.
        let body = registration_with_hukou(&id, &csrf(&caseworker), OTHER_COMMUNITY);
        let a = form_request(&app, Method::POST, "/register", &caseworker, Some(body), &[]).await;
        redirected_to_result(&a);
        let reach = yuanzhu_storage::search::reach(app.store(), &id, "nobody").await.unwrap().unwrap();
        assert_eq!(reach.hukou_unit.map(|u| u.as_str().to_owned()).as_deref(), Some(OTHER_COMMUNITY));
    }
}

#[tokio::test]
async fn a_bad_id_number_is_refused_next_to_its_field_in_either_language() {
    for app in apps("ui_register_bad").await {
        app.community(COMMUNITY).await;
        let caseworker = app.user("caseworker", Role::CommunityWorker, COMMUNITY).await;
        let mut bad = id_number("440104", "1975-03-01", 71);
        let last = bad.pop().unwrap();
        bad.push(if last == '0' { '1' } else { '0' });
        for (lang, cookie, word) in [("zh", "yz_lang=zh", "校验"), ("en", "yz_lang=en", "check")] {
            let a = form_request(
                &app,
                Method::POST,
                "/register",
                &caseworker,
                Some(registration(&bad, &csrf(&caseworker))),
                &[("cookie", cookie)],
            )
            .await;
            assert_eq!(
                a.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{lang}: the form again, with the problem: {}",
                a.text
            );
            let error = a.text.split("id=\"id_number-error\">").nth(1).unwrap_or_else(|| panic!("{lang}: {}", a.text));
            let error = error.split('<').next().unwrap();
            assert!(error.contains(word), "{lang}: {error}");
            assert!(a.text.contains("aria-invalid=\"true\""));
            assert!(a.text.contains(&format!("value=\"{bad}\"")), "the form keeps what was typed");
        }
        assert_eq!(yuanzhu_storage::persons::count(app.store()).await.unwrap(), 0);
    }
}

#[tokio::test]
async fn a_registration_without_the_form_token_is_refused() {
    for app in apps("ui_register_csrf").await {
        app.community(COMMUNITY).await;
        let caseworker = app.user("caseworker", Role::CommunityWorker, COMMUNITY).await;
        let id = id_number("440104", "1975-03-01", 81);
        let without = registration(&id, "").replacen("csrf_token=&", "", 1);
        let a = form_request(&app, Method::POST, "/register", &caseworker, Some(without), &[]).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
        let wrong = registration(&id, "not-the-token");
        let a = form_request(&app, Method::POST, "/register", &caseworker, Some(wrong), &[]).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
        assert_eq!(yuanzhu_storage::persons::count(app.store()).await.unwrap(), 0);

        let hotline = app.user("hotline", Role::HotlineOperator, "440104").await;
        let a = page(&app, &hotline, "/register", false).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "a hotline operator does not register");
    }
}
