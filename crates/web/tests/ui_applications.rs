//! The hardship application's pages (第五条), driven by form posts with the session's form token,
//! on SQLite and PostgreSQL: open, the one-time deficiency notice listing everything missing,
//! documents completed, submitted, approved; a refusal and its printable notice; the printable
//! form in triplicate; CSRF, jurisdiction, roles, stale versions, and both languages.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Answer, Client, TestApp, apps, id_number};
use http_body_util::BodyExt;
use tower::ServiceExt;
use yuanzhu_domain::access::Role;

const COMMUNITY: &str = "440104011001"; // 东山街道
const STREET: &str = "440104011";
const OTHER_COMMUNITY: &str = "440104012001"; // 农林街道

fn csrf(client: &Client) -> String {
    match client {
        Client::Session { csrf, .. } => csrf.clone(),
        _ => String::new(),
    }
}

fn enc(text: &str) -> String {
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

/// Posts a form; the session's token goes in the body unless `with_token` is false.
async fn post_form(app: &TestApp, client: &Client, uri: &str, pairs: &[(&str, &str)], with_token: bool) -> Answer {
    let mut body: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect();
    if with_token {
        body.push(format!("csrf_token={}", enc(&csrf(client))));
    }
    let Client::Session { cookie, .. } = client else { panic!("a session") };
    send_form(app, uri, cookie, body.join("&")).await
}

/// A form post as a browser sends it: the cookie and the form's body, no `X-CSRF-Token`
/// (`TestApp::send` would add that and a JSON content type).
async fn send_form(app: &TestApp, uri: &str, cookie: &str, body: String) -> Answer {
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
    Answer { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null), text }
}

async fn page(app: &TestApp, client: &Client, uri: &str) -> Answer {
    app.send(Method::GET, uri, client, None, &[]).await
}

async fn page_en(app: &TestApp, client: &Client, uri: &str) -> Answer {
    let Client::Session { cookie, .. } = client else { panic!("a session") };
    let cookie = format!("{cookie}; yz_lang=en");
    app.send(Method::GET, uri, &Client::Anonymous, None, &[("cookie", cookie.as_str())]).await
}

#[track_caller]
fn location(a: &Answer) -> String {
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
    a.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned()
}

/// The value of a hidden field `version` on a page.
fn version(html: &str) -> String {
    let at = html.find("name=\"version\" value=\"").expect("a form with the version");
    let rest = &html[at + "name=\"version\" value=\"".len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

struct Office {
    caseworker: Client,
    officer: Client,
    stranger: Client,
    hotline: Client,
}

async fn office(app: &TestApp) -> Office {
    app.community(COMMUNITY).await;
    app.community(OTHER_COMMUNITY).await;
    Office {
        caseworker: app.user("caseworker", Role::CommunityWorker, COMMUNITY).await,
        officer: app.user("officer", Role::StreetOfficer, STREET).await,
        stranger: app.user("stranger", Role::CommunityWorker, OTHER_COMMUNITY).await,
        hotline: app.user("hotline", Role::HotlineOperator, "440104").await,
    }
}

/// Registers a person in [`COMMUNITY`] and returns their record key.
async fn person(app: &TestApp, serial: u32) -> String {
    let id = id_number("440104", "1975-03-01", serial);
    app.register(&[&format!(
        "p{serial},{id},陈{serial},13800138000,{COMMUNITY},2016-05-01,true,true,true,true,true,false"
    )])
    .await;
    yuanzhu_storage::search::reach(app.store(), &id, "nobody").await.unwrap().unwrap().person_id
}

/// Opens a low-income (第3目) application through the page, received on 2016-05-02 while
/// 穗人社发〔2014〕4号 was in force, and returns its path.
async fn open(app: &TestApp, client: &Client, person_id: &str) -> String {
    let form = page(app, client, &format!("/p/{person_id}/apply")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.text);
    assert!(form.text.contains("gz-2014-4|hardship_low_income"), "{}", form.text);
    assert!(form.text.contains("第三条第（三）项第3目"));
    let a = post_form(
        app,
        client,
        &format!("/p/{person_id}/apply"),
        &[("category", "gz-2014-4|hardship_low_income"), ("on", "2016-05-02")],
        true,
    )
    .await;
    location(&a)
}

#[tokio::test]
async fn open_deficient_completed_submitted_approved_by_forms() {
    for app in apps("ui_app_flow").await {
        let o = office(&app).await;
        let pid = person(&app, 1).await;
        let path = open(&app, &o.caseworker, &pid).await;
        assert!(path.starts_with("/applications/"), "{path}");

        let p = page(&app, &o.caseworker, &path).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.text);
        assert!(p.text.contains("陈1"));
        assert!(
            p.text.contains("第五条第（一）项") && p.text.contains("第五条第（三）项"),
            "the checklist cites 第五条"
        );
        assert!(p.text.contains("id=\"doc-employment_unemployment_certificate\""));

        // One document now; submitting serves the one-time notice listing the other two.
        let v = version(&p.text);
        let a = post_form(
            &app,
            &o.caseworker,
            &format!("{path}/documents"),
            &[("version", &v), ("how", "paper"), ("documents", "employment_unemployment_certificate")],
            true,
        )
        .await;
        location(&a);
        let p = page(&app, &o.caseworker, &path).await;
        let a =
            post_form(&app, &o.caseworker, &format!("{path}/submit"), &[("version", &version(&p.text))], true).await;
        location(&a);
        let p = page(&app, &o.caseworker, &path).await;
        assert!(p.text.contains("id=\"deficiency-notice\""), "{}", p.text);
        let listed = p.text.split("id=\"notice-missing\"").nth(1).unwrap().split("</ol>").next().unwrap();
        assert!(listed.contains("《广州市特困失业人员申请登记表》一式三份"), "{listed}");
        assert!(listed.contains("最低生活保障金"), "{listed}");
        assert!(!listed.contains("本人《就业失业登记证》"), "a supplied document is not listed: {listed}");
        assert_eq!(listed.matches("<li>").count(), 2, "{listed}");
        let notice = page(&app, &o.caseworker, &format!("{path}/notice")).await;
        assert_eq!(notice.status, StatusCode::OK);
        assert!(notice.text.contains("最低生活保障金") && notice.text.contains("data-print"));

        // The rest, in one form with two ticks; then submit and approve (with its confirmation).
        let a = post_form(
            &app,
            &o.caseworker,
            &format!("{path}/documents"),
            &[
                ("version", &version(&p.text)),
                ("how", "paper"),
                ("documents", "hardship_application_form"),
                ("documents", "minimum_living_allowance_or_low_income_certificate"),
            ],
            true,
        )
        .await;
        location(&a);
        let p = page(&app, &o.caseworker, &path).await;
        assert!(!p.text.contains("app-missing"), "everything supplied");
        location(
            &post_form(&app, &o.caseworker, &format!("{path}/submit"), &[("version", &version(&p.text))], true).await,
        );

        // The caseworker cannot decide: no decision form, and a post is refused.
        let p = page(&app, &o.caseworker, &path).await;
        assert!(!p.text.contains("/approve\""), "no approve form for the caseworker");
        let v = version(&p.text);
        let a =
            post_form(&app, &o.caseworker, &format!("{path}/approve"), &[("version", &v), ("confirmed", "yes")], true)
                .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);

        let p = page(&app, &o.officer, &path).await;
        assert!(p.text.contains(&format!("action=\"{path}/approve\"")), "{}", p.text);
        let asked = post_form(&app, &o.officer, &format!("{path}/approve"), &[("version", &v)], true).await;
        assert_eq!(asked.status, StatusCode::OK, "the first post asks for confirmation");
        assert!(asked.text.contains("name=\"confirmed\" value=\"yes\""));
        let a = post_form(&app, &o.officer, &format!("{path}/approve"), &[("version", &v), ("confirmed", "yes")], true)
            .await;
        location(&a);
        let p = page(&app, &o.officer, &path).await;
        assert!(p.text.contains("已认定"), "{}", p.text);
        assert!(p.text.contains("作出认定"), "the history says it");

        // A second approval on the old version is told as a conflict, over the latest state.
        let a = post_form(&app, &o.officer, &format!("{path}/approve"), &[("version", &v), ("confirmed", "yes")], true)
            .await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text);
        assert!(a.text.contains("id=\"conflict\""), "{}", a.text);
    }
}

#[tokio::test]
async fn a_form_without_its_token_is_refused() {
    for app in apps("ui_app_csrf").await {
        let o = office(&app).await;
        let pid = person(&app, 2).await;
        let a = post_form(
            &app,
            &o.caseworker,
            &format!("/p/{pid}/apply"),
            &[("category", "gz-2014-4|hardship_low_income")],
            false,
        )
        .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
        let path = open(&app, &o.caseworker, &pid).await;
        let p = page(&app, &o.caseworker, &path).await;
        let a =
            post_form(&app, &o.caseworker, &format!("{path}/submit"), &[("version", &version(&p.text))], false).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
        let a = post_form(
            &app,
            &o.caseworker,
            &format!("{path}/submit"),
            &[("version", &version(&p.text)), ("csrf_token", "forged")],
            false,
        )
        .await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.text);
        assert!(page(&app, &o.caseworker, &path).await.text.contains("草稿"), "nothing changed");
    }
}

#[tokio::test]
async fn the_printed_form_has_three_marked_copies() {
    for app in apps("ui_app_print").await {
        let o = office(&app).await;
        let pid = person(&app, 3).await;
        let path = open(&app, &o.caseworker, &pid).await;
        let p = page(&app, &o.caseworker, &format!("{path}/print")).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.text);
        assert_eq!(p.text.matches("class=\"app-sheet\"").count(), 3, "three copies");
        for mark in ["第一联 申请人留存", "第二联 街道（镇）公共就业服务机构留存", "第三联 区公共就业服务机构留存"]
        {
            assert_eq!(p.text.matches(mark).count(), 1, "{mark}");
        }
        assert_eq!(p.text.matches("class=\"app-sheet-title\">广州市特困失业人员申请登记表<").count(), 3);
        assert!(p.text.contains("data-print") && p.text.contains("陈3"));
        // The hotline sees the ID number masked on the form too.
        let full = id_number("440104", "1975-03-01", 3);
        assert!(p.text.contains(&full));
        let masked = page(&app, &o.hotline, &format!("{path}/print")).await;
        assert_eq!(masked.status, StatusCode::OK, "{}", masked.text);
        assert!(!masked.text.contains(&full), "masked for the hotline");
        let css = page(&app, &Client::Anonymous, "/assets/app.css").await;
        assert!(css.text.contains("page-break-after: always") && css.text.contains("size: A4"));
        let en = page_en(&app, &o.caseworker, &format!("{path}/print")).await;
        assert!(en.text.contains("Copy 1: kept by the applicant"), "{}", en.text);
    }
}

#[tokio::test]
async fn a_refusal_has_its_printable_notice_with_the_reason() {
    for app in apps("ui_app_refusal").await {
        let o = office(&app).await;
        let pid = person(&app, 4).await;
        let path = open(&app, &o.caseworker, &pid).await;
        let p = page(&app, &o.caseworker, &path).await;
        location(
            &post_form(&app, &o.caseworker, &format!("{path}/submit"), &[("version", &version(&p.text))], true).await,
        );
        let p = page(&app, &o.officer, &path).await;
        let v = version(&p.text);
        // A blank reason is said next to the field.
        let a = post_form(&app, &o.officer, &format!("{path}/reject"), &[("version", &v), ("reason", " ")], true).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.text);
        assert!(a.text.contains("id=\"reason-error\"") && a.text.contains("请写明不予认定的理由"), "{}", a.text);
        // A second notice is refused next to the form, before any confirmation.
        let a = post_form(&app, &o.officer, &format!("{path}/deficient"), &[("version", &v)], true).await;
        assert!(a.status.is_client_error(), "{}", a.text);
        assert!(a.text.contains("不能再次告知"), "{}", a.text);
        let reason = "家庭成员中有人就业";
        let asked =
            post_form(&app, &o.officer, &format!("{path}/reject"), &[("version", &v), ("reason", reason)], true).await;
        assert_eq!(asked.status, StatusCode::OK);
        assert!(asked.text.contains(reason));
        let a = post_form(
            &app,
            &o.officer,
            &format!("{path}/reject"),
            &[("version", &v), ("reason", reason), ("confirmed", "yes")],
            true,
        )
        .await;
        location(&a);
        let n = page(&app, &o.officer, &format!("{path}/refusal")).await;
        assert_eq!(n.status, StatusCode::OK, "{}", n.text);
        assert!(n.text.contains("不予认定通知书") && n.text.contains(reason), "{}", n.text);
        assert!(n.text.contains("第三条第（三）项第3目"), "the article");
        assert!(n.text.contains("本政策未规定重核程序"), "gz-2014-4 sets no re-review");
        let en = page_en(&app, &o.officer, &format!("{path}/refusal")).await;
        assert!(en.text.contains("Notice of refusal of recognition") && en.text.contains(reason), "{}", en.text);
    }
}

#[tokio::test]
async fn another_street_gets_not_found_and_other_roles_no_forms() {
    for app in apps("ui_app_reach").await {
        let o = office(&app).await;
        let pid = person(&app, 5).await;
        let path = open(&app, &o.caseworker, &pid).await;
        for uri in [format!("/p/{pid}/apply"), path.clone(), format!("{path}/print"), format!("{path}/notice")] {
            let a = page(&app, &o.stranger, &uri).await;
            assert_eq!(a.status, StatusCode::NOT_FOUND, "{uri}: {}", a.text);
            assert!(!a.text.contains("陈5"), "{uri}");
        }
        let a = post_form(&app, &o.stranger, &format!("{path}/submit"), &[("version", "1")], true).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        let a = page(&app, &o.stranger, "/applications/no-such-thing").await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);

        // The hotline sees the application, without the forms, and is refused if it posts.
        let p = page(&app, &o.hotline, &path).await;
        assert_eq!(p.status, StatusCode::OK, "{}", p.text);
        assert!(!p.text.contains("/submit\"") && !p.text.contains("/documents\""), "{}", p.text);
        let a = post_form(&app, &o.hotline, &format!("{path}/submit"), &[("version", "1")], true).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
        let a = page(&app, &o.hotline, &format!("/p/{pid}/apply")).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn messages_in_chinese_and_english() {
    for app in apps("ui_app_lang").await {
        let o = office(&app).await;
        let pid = person(&app, 6).await;
        // Nothing chosen: the problem is said next to the field.
        let a = post_form(&app, &o.caseworker, &format!("/p/{pid}/apply"), &[("category", "")], true).await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(a.text.contains("id=\"category-error\"") && a.text.contains("请选择申请类别"), "{}", a.text);
        let path = open(&app, &o.caseworker, &pid).await;
        // A second open for the same category is refused next to the field, in the user's words.
        let a = post_form(
            &app,
            &o.caseworker,
            &format!("/p/{pid}/apply"),
            &[("category", "gz-2014-4|hardship_low_income")],
            true,
        )
        .await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text);
        assert!(a.text.contains("尚未办结"), "{}", a.text);

        let zh = page(&app, &o.caseworker, &path).await;
        assert!(zh.text.contains("材料清单（第五条）") && zh.text.contains("草稿"));
        let en = page_en(&app, &o.caseworker, &path).await;
        assert_eq!(en.status, StatusCode::OK);
        assert!(en.text.contains("Checklist of documents (Article 5)"), "{}", en.text);
        assert!(en.text.contains("Guangzhou extreme-hardship application form, in triplicate"));
        assert!(en.text.contains("a draft"));

        // A stale version in English.
        let v = version(&zh.text);
        location(&post_form(&app, &o.caseworker, &format!("{path}/submit"), &[("version", &v)], true).await);
        let Client::Session { cookie, csrf } = &o.caseworker else { unreachable!() };
        let body = format!("version={v}&csrf_token={}", enc(csrf));
        let a = send_form(&app, &format!("{path}/submit"), &format!("{cookie}; yz_lang=en"), body).await;
        assert_eq!(a.status, StatusCode::CONFLICT, "{}", a.text);
        assert!(a.text.contains("Someone else changed this application"), "{}", a.text);
    }
}

/// A back-dated application keeps its received date on the file's list, the documents, the
/// printed form and the printed notice; the forms offer that date, not today's.
#[tokio::test]
async fn a_back_dated_application_keeps_its_received_date_everywhere() {
    for app in apps("ui_app_back_dated").await {
        let o = office(&app).await;
        let pid = person(&app, 7).await;
        let path = open(&app, &o.caseworker, &pid).await;
        let today = chrono::Local::now().date_naive();
        let today_zh = format!("{}年{}月{}日", today.format("%Y"), today.format("%-m"), today.format("%-d"));

        let file = page(&app, &o.caseworker, &format!("/p/{pid}")).await;
        let listed = file.text.split("id=\"apps-h\"").nth(1).unwrap().split("</section>").next().unwrap();
        assert!(listed.contains("2016年5月2日") && !listed.contains(&today_zh), "{listed}");

        let p = page(&app, &o.caseworker, &path).await;
        assert!(p.text.contains("id=\"documents-on\" name=\"on\" value=\"2016-05-02\""), "{}", p.text);
        assert!(p.text.contains("id=\"submit-on\" name=\"on\" value=\"2016-05-02\""), "{}", p.text);
        // The forms as a browser sends them, with the date they offer.
        let a = post_form(
            &app,
            &o.caseworker,
            &format!("{path}/documents"),
            &[
                ("version", &version(&p.text)),
                ("how", "paper"),
                ("on", "2016-05-02"),
                ("documents", "employment_unemployment_certificate"),
            ],
            true,
        )
        .await;
        location(&a);
        let p = page(&app, &o.caseworker, &path).await;
        let row = p.text.split("data-document=\"employment_unemployment_certificate\"").nth(1).unwrap();
        assert!(row.split("</tr>").next().unwrap().contains("2016年5月2日"), "{row}");
        let a = post_form(
            &app,
            &o.caseworker,
            &format!("{path}/submit"),
            &[("version", &version(&p.text)), ("on", "2016-05-02")],
            true,
        )
        .await;
        location(&a);
        let notice = page(&app, &o.caseworker, &format!("{path}/notice")).await;
        assert_eq!(notice.status, StatusCode::OK, "{}", notice.text);
        assert!(notice.text.contains("2016年5月2日") && !notice.text.contains(&today_zh), "{}", notice.text);
        let print = page(&app, &o.caseworker, &format!("{path}/print")).await;
        assert!(print.text.contains("2016年5月2日") && !print.text.contains(&today_zh), "{}", print.text);
        let api = app.call(Method::GET, &format!("/api/v1{path}"), &o.caseworker, None).await;
        assert_eq!(api.body["received_on"], "2016-05-02", "{}", api.text);
    }
}
