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

const OTHER_COMMUNITY: &str = "440104012001"; // 农林街道
const LOW_INCOME_CHECKLIST: [&str; 3] = [
    "employment_unemployment_certificate",
    "hardship_application_form",
    "minimum_living_allowance_or_low_income_certificate",
];

/// A person living in `community`, named `name`; returns the ID number.
async fn named_person(app: &TestApp, community: &str, name: &str, serial: u32) -> String {
    let id = id_number("440104", "1975-03-01", serial);
    app.register(&[&format!(
        "p{serial},{id},{name},13800138000,{community},2016-05-01,true,true,true,true,true,false"
    )])
    .await;
    id
}

/// Opens an application for the person, provides every document and submits it, received on
/// 2016-05-02 while 穗人社发〔2014〕4号 was in force (approval reads the policy of that day).
async fn submitted(app: &TestApp, caseworker: &Client, id: &str) -> serde_json::Value {
    let draft = open(app, caseworker, id, "hardship_low_income", "2016-05-02").await;
    let app_id = draft["id"].as_str().unwrap().to_owned();
    let body = json!({"documents": LOW_INCOME_CHECKLIST, "version": draft["version"], "on": "2016-05-02"});
    let a = app.call(Method::POST, &format!("/api/v1/applications/{app_id}/documents"), caseworker, Some(body)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    let body = json!({"version": a.body["version"], "on": "2016-05-02"});
    let a = app.call(Method::POST, &format!("/api/v1/applications/{app_id}/submit"), caseworker, Some(body)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    a.body
}

/// The part of a page from the element with this id to the end of its section.
fn section(page: &Answer, id: &str) -> String {
    let start = page.text.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no {id}: {}", page.text));
    let end = page.text[start..].find("</section>").map_or(page.text.len(), |e| e + start);
    page.text[start..end].to_owned()
}

#[tokio::test]
async fn the_applications_queue_holds_what_each_role_prepares_or_decides_in_their_jurisdiction() {
    for app in apps("application_queue").await {
        app.community(COMMUNITY).await;
        app.community(OTHER_COMMUNITY).await;
        let caseworker = app.user("cw", Role::CommunityWorker, COMMUNITY).await;
        let officer = app.user("officer", Role::StreetOfficer, STREET).await;
        let elsewhere = app.user("cw2", Role::CommunityWorker, OTHER_COMMUNITY).await;
        let other_officer = app.user("officer2", Role::StreetOfficer, "440104012").await;
        let district = app.user("district", Role::DistrictSupervisor, "440104").await;
        let hotline = app.user("hotline", Role::HotlineOperator, "440104").await;

        let drafting = named_person(&app, COMMUNITY, "草稿人", 1).await;
        let draft = open(&app, &caseworker, &drafting, "hardship_low_income", "2026-12-01").await;
        let deciding = named_person(&app, COMMUNITY, "待审批人", 2).await;
        let waiting = submitted(&app, &caseworker, &deciding).await;
        let far = named_person(&app, OTHER_COMMUNITY, "别处申请人", 3).await;
        submitted(&app, &elsewhere, &far).await;

        // The street officer's queue: undecided applications of the street, newest first.
        let queue = page(&app, &officer, "/applications", false).await;
        assert_eq!(queue.status, StatusCode::OK, "{}", queue.text);
        let (newer, older) = (queue.text.find("待审批人").unwrap(), queue.text.find("草稿人").unwrap());
        assert!(newer < older, "newest first");
        assert!(queue.text.contains(waiting["number"].as_str().unwrap()) && !queue.text.contains("别处申请人"));
        assert!(queue.text.contains("已提交，待审批") && !queue.text.contains(">submitted<"));
        let only_submitted = page(&app, &officer, "/applications?state=submitted", false).await;
        assert!(only_submitted.text.contains("待审批人") && !only_submitted.text.contains("草稿人"));
        let drafts_en = page(&app, &officer, "/applications?state=draft", true).await;
        assert!(drafts_en.text.contains("草稿人") && drafts_en.text.contains("Drafts"), "{}", drafts_en.text);
        let beyond = page(&app, &officer, "/applications?page=2", false).await;
        assert!(beyond.text.contains("没有符合条件的申请"), "{}", beyond.text);

        // Another street sees its own, and none of these.
        let theirs = page(&app, &other_officer, "/applications", false).await;
        assert!(
            theirs.text.contains("别处申请人") && !theirs.text.contains("待审批人") && !theirs.text.contains("草稿人")
        );

        // Homes: the officer decides what was submitted; the caseworker finishes the draft.
        let home = page(&app, &officer, "/", false).await;
        let deciding_section = section(&home, "queue-deciding");
        assert!(deciding_section.contains("待审批人") && deciding_section.contains("已等待审批"), "{deciding_section}");
        assert!(!deciding_section.contains("草稿人") && !home.text.contains("别处申请人"));
        let home = page(&app, &caseworker, "/", false).await;
        let drafts = section(&home, "queue-drafts");
        assert!(drafts.contains("草稿人") && drafts.contains(draft["number"].as_str().unwrap()), "{drafts}");
        assert!(!home.text.contains("id=\"queue-deciding\""));

        // The district supervisor sees each street's open work; the hotline has no queue of
        // applications, and is told so.
        let home = page(&app, &district, "/", false).await;
        let work = section(&home, "work-by-unit");
        let dongshan =
            work.split("id=\"work-440104011\"").nth(1).expect("东山街道's row").split("</tr>").next().unwrap();
        assert!(dongshan.contains("东山街道"), "{dongshan}");
        assert_eq!(dongshan.matches("<td class=\"num\">1</td>").count(), 2, "one to decide, one draft: {dongshan}");
        let denied = page(&app, &hotline, "/applications", false).await;
        assert_eq!(denied.status, StatusCode::FORBIDDEN);
        assert!(denied.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        let home = page(&app, &hotline, "/", false).await;
        assert!(!home.text.contains("href=\"/applications\"") && home.text.contains("id=\"queue-unreachable\""));
    }
}

async fn api(app: &TestApp, client: &Client, uri: &str, body: serde_json::Value) -> serde_json::Value {
    let a = app.call(Method::POST, uri, client, Some(body)).await;
    assert!(a.status.is_success(), "{uri}: {}", a.text);
    a.body
}

/// What a person sees of a page: its text without tags, scripts and styles.
fn visible_text(html: &str) -> String {
    let mut rest = html.to_owned();
    for (open, close) in [("<script", "</script>"), ("<style", "</style>")] {
        while let Some(start) = rest.find(open) {
            let end = rest[start..].find(close).map_or(rest.len(), |e| start + e + close.len());
            rest.replace_range(start..end, " ");
        }
    }
    let mut text = String::new();
    let mut in_tag = false;
    for c in rest.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&quot;", "\"").replace("&#34;", "\"").replace("&amp;", "&")
}

/// The Latin words of a Chinese page that are codes, not words for people: snake_case, dotted
/// event names, known codes, and JSON.
fn raw_codes(text: &str, allowed: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    if text.contains("{\"") || text.contains("\":") {
        found.push("JSON".to_owned());
    }
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')) {
        let word = word.trim_matches(|c| c == '.' || c == '-');
        let letters = word.chars().filter(char::is_ascii_alphabetic).count();
        if letters < 2 || allowed.contains(&word) || word.starts_with("SQ-") {
            continue;
        }
        found.push(word.to_owned());
    }
    found.sort();
    found.dedup();
    found
}

#[tokio::test]
async fn no_page_in_chinese_shows_a_raw_code_or_json_and_the_timeline_reads_as_sentences() {
    for app in apps("raw_codes").await {
        app.community(COMMUNITY).await;
        let caseworker = app.user("wangfang", Role::CommunityWorker, COMMUNITY).await;
        let officer = app.user("lijun", Role::StreetOfficer, STREET).await;
        let admin = app.user("zhaoyun", Role::CityAdmin, "440100").await;
        let district = app.user("sunli", Role::DistrictSupervisor, "440104").await;

        // A file with something of everything: automatic recognition, an application approved,
        // contacts, a refusal, work found, a revocation proposed and confirmed.
        let id = named_person(&app, COMMUNITY, "陈大文", 7).await;
        let approved = submitted(&app, &caseworker, &id).await;
        let approved = api(
            &app,
            &officer,
            &format!("/api/v1/applications/{}/approve", approved["id"].as_str().unwrap()),
            json!({"version": approved["version"], "on": "2016-05-03"}),
        )
        .await;
        let contacts = format!("/api/v1/persons/{id}/contacts");
        api(&app, &caseworker, &contacts, json!({"channel": "home_visit", "reached": false, "on": "2026-12-03"})).await;
        api(&app, &caseworker, &contacts, json!({"channel": "phone", "reached": true, "on": "2026-12-04"})).await;
        let refusals = format!("/api/v1/persons/{id}/refusals");
        api(&app, &caseworker, &refusals, json!({"service": "job_referral", "on": "2026-12-04"})).await;
        let proposal = format!("/api/v1/persons/{id}/revocation-proposals");
        let made = api(&app, &caseworker, &proposal, json!({"reason": "employed", "note": "已签劳动合同"})).await;
        let decision = format!("/api/v1/revocation-proposals/{}/decision", made[0]["id"].as_str().unwrap());
        api(&app, &officer, &decision, json!({"confirm": true, "version": made[0]["version"]})).await;
        // A second person, refused, and a third, deficient.
        let refused_id = named_person(&app, COMMUNITY, "陈小文", 8).await;
        let refused = submitted(&app, &caseworker, &refused_id).await;
        let refused = api(
            &app,
            &officer,
            &format!("/api/v1/applications/{}/reject", refused["id"].as_str().unwrap()),
            json!({"version": refused["version"], "reason": "家庭人均收入高于低收入标准"}),
        )
        .await;
        let deficient_id = named_person(&app, COMMUNITY, "陈中文", 9).await;
        let draft = open(&app, &caseworker, &deficient_id, "hardship_low_income", "2026-12-01").await;
        let deficient = api(
            &app,
            &caseworker,
            &format!("/api/v1/applications/{}/submit", draft["id"].as_str().unwrap()),
            json!({"version": draft["version"]}),
        )
        .await;
        assert_eq!(deficient["state"], "deficient");

        let key = person_key(&app, &id).await;
        let (a, r, d) =
            (approved["id"].as_str().unwrap(), refused["id"].as_str().unwrap(), deficient["id"].as_str().unwrap());
        let pages: Vec<(&Client, String)> = vec![
            (&caseworker, "/".into()),
            (&officer, "/".into()),
            (&district, "/".into()),
            (&admin, "/".into()),
            (&caseworker, "/search?q=陈".into()),
            (&caseworker, format!("/p/{key}")),
            (&officer, format!("/p/{key}")),
            (&caseworker, format!("/p/{key}/contact")),
            (&caseworker, format!("/p/{key}/apply")),
            (&caseworker, format!("/p/{key}/revoke")),
            (&officer, "/applications?state=all".into()),
            (&officer, format!("/applications/{a}")),
            (&officer, format!("/applications/{a}/print")),
            (&officer, format!("/applications/{r}")),
            (&officer, format!("/applications/{r}/refusal")),
            (&caseworker, format!("/applications/{d}")),
            (&caseworker, format!("/applications/{d}/notice")),
            (&officer, "/revocations".into()),
            (&officer, format!("/revocations/{}", made[0]["id"].as_str().unwrap())),
            (&caseworker, "/register".into()),
        ];
        let allowed = ["English", "wangfang", "lijun", "zhaoyun", "sunli", "test"];
        let mut problems = Vec::new();
        for (client, uri) in &pages {
            let got = page(&app, client, uri, false).await;
            assert_eq!(got.status, StatusCode::OK, "{uri}: {}", got.text);
            let codes = raw_codes(&visible_text(&got.text), &allowed);
            if !codes.is_empty() {
                problems.push(format!("{uri}: {codes:?}"));
            }
        }
        assert!(problems.is_empty(), "raw codes on Chinese pages:\n{}", problems.join("\n"));

        // The timeline tells what happened in sentences, with names for every code.
        let file = page(&app, &caseworker, &format!("/p/{key}"), false).await;
        let timeline = section(&file, "timeline");
        for sentence in [
            "登记了失业（测试社区001，2016年5月1日）",
            "认定为就业困难人员·大龄失业人员（第三条第（一）项，自动认定",
            "批准认定申请：特困失业人员（低保或低收入家庭）",
            "联系了本人（方式：入户家访，未联系上",
            "登记了拒绝就业服务：职业介绍",
            "提议注销（已实现就业",
            "注销了认定：特困失业人员（低保或低收入家庭）（已实现就业，第六条第（一）项",
        ] {
            assert!(timeline.contains(sentence), "{sentence} not in {timeline}");
        }
        let file = page(&app, &caseworker, &format!("/p/{key}"), true).await;
        let timeline = section(&file, "timeline");
        for sentence in [
            "opened the file",
            "recognised the person as a person with employment difficulties",
            "Article 3(1)",
            "Automatic",
        ] {
            assert!(timeline.contains(sentence), "{sentence} not in {timeline}");
        }
        assert!(!visible_text(&file.text).contains('第'), "citations are in English: {}", visible_text(&file.text));
    }
}
