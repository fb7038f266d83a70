//! Bulk import, export and administration pages through HTTP, on SQLite and PostgreSQL: an
//! import with a bad row runs to the end and reports it, the export is an xlsx, a city admin adds
//! a user who can then sign in, anyone else gets 403, and forms without their token are refused.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Answer, Client, PASSWORD, REGISTRATION_HEADER, TestApp, apps, id_number};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use yuanzhu_domain::access::Role;

const COMMUNITY: &str = "440104011001";
const OTHER_COMMUNITY: &str = "440104012001";

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

async fn raw(app: &TestApp, client: &Client, uri: &str, content_type: &str, body: Vec<u8>) -> Answer {
    let Client::Session { cookie, .. } = client else { panic!("a browser has a session") };
    let request = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Answer { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null), text }
}

/// A form post as a browser sends it (the token only if among the fields).
async fn form(app: &TestApp, client: &Client, uri: &str, fields: &[(&str, &str)]) -> Answer {
    let body = fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
    raw(app, client, uri, "application/x-www-form-urlencoded", body.into_bytes()).await
}

/// A file upload as the import page's form sends it.
async fn upload(app: &TestApp, client: &Client, csrf: Option<&str>, filename: &str, file: &[u8]) -> Answer {
    let boundary = "----yuanzhu-test-boundary";
    let mut body = Vec::new();
    if let Some(token) = csrf {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n").bytes(),
        );
    }
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n"
        )
        .bytes(),
    );
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    raw(app, client, "/import", &format!("multipart/form-data; boundary={boundary}"), body).await
}

fn token(client: &Client) -> String {
    match client {
        Client::Session { csrf, .. } => csrf.clone(),
        _ => String::new(),
    }
}

async fn page(app: &TestApp, client: &Client, uri: &str) -> Answer {
    app.send(Method::GET, uri, client, None, &[]).await
}

fn location(a: &Answer) -> String {
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
    a.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_import_with_a_bad_row_finishes_counts_and_reports_it() {
    for app in apps("ui_import").await {
        app.community(COMMUNITY).await;
        app.community(OTHER_COMMUNITY).await;
        let worker = app.user("importer", Role::CommunityWorker, COMMUNITY).await;
        let form_page = page(&app, &worker, "/import").await;
        assert_eq!(form_page.status, StatusCode::OK, "{}", form_page.text);
        assert!(form_page.text.contains("enctype=\"multipart/form-data\""));

        let good = id_number("440104", "1975-03-01", 41);
        let outside = id_number("440104", "1975-03-01", 42);
        let csv = format!(
            "{REGISTRATION_HEADER}\n\
             g1,{good},林一,13800138000,{COMMUNITY},2016-05-01,true,true,true,true,false,false\n\
             b1,44010419750301999,林二,13800138000,{COMMUNITY},2016-05-01,true,true,true,true,false,false\n\
             o1,{outside},林三,13800138000,{OTHER_COMMUNITY},2016-05-01,true,true,true,true,false,false\n"
        );
        assert_eq!(upload(&app, &worker, None, "r.csv", csv.as_bytes()).await.status, StatusCode::FORBIDDEN);

        let job = location(&upload(&app, &worker, Some(&token(&worker)), "登记.csv", csv.as_bytes()).await);
        assert!(job.starts_with("/import/"), "{job}");
        let mut shown = page(&app, &worker, &job).await;
        for _ in 0..400 {
            if !shown.text.contains("http-equiv=\"refresh\"") {
                break;
            }
            assert!(shown.text.contains("<progress"), "{}", shown.text);
            tokio::time::sleep(Duration::from_millis(25)).await;
            shown = page(&app, &worker, &job).await;
        }
        assert_eq!(shown.status, StatusCode::OK);
        assert!(shown.text.contains("id=\"import-finished\""), "{}", shown.text);
        assert!(shown.text.contains("<strong id=\"rows-done\">3</strong>"), "{}", shown.text);
        assert!(shown.text.contains("<dd id=\"rows-rejected\">2</dd>"), "{}", shown.text);
        assert!(yuanzhu_storage::search::reach(app.store(), &good, "").await.unwrap().is_some());
        assert!(yuanzhu_storage::search::reach(app.store(), &outside, "").await.unwrap().is_none());

        let report = page(&app, &worker, &format!("{job}/report.csv")).await;
        assert_eq!(report.status, StatusCode::OK, "{}", report.text);
        assert!(report.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
        let lines: Vec<&str> = report.text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "行号,编号,字段,代码,说明", "{}", report.text);
        assert!(lines[1].starts_with("3,b1,id_number,"), "{}", report.text);
        assert!(lines[2].starts_with("4,o1,residence_unit,outside_jurisdiction,"), "{}", report.text);
        assert!(lines[2].contains("不在您的管辖范围内"), "{}", report.text);
        assert_eq!(lines.len(), 3, "{}", report.text);

        // Someone else's job does not exist for them.
        let other = app.user("other", Role::CommunityWorker, COMMUNITY).await;
        assert_eq!(page(&app, &other, &job).await.status, StatusCode::NOT_FOUND);
        assert_eq!(page(&app, &other, &format!("{job}/report.csv")).await.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_export_page_downloads_an_xlsx_of_the_jurisdiction() {
    for app in apps("ui_export").await {
        app.community(COMMUNITY).await;
        let id = id_number("440104", "1975-03-01", 43);
        app.register(&[&format!("e1,{id},周一,13800138000,{COMMUNITY},2016-05-01,true,true,true,true,false,false")])
            .await;
        let officer = app.user("exporter", Role::StreetOfficer, "440104011").await;
        let shown = page(&app, &officer, "/export").await;
        assert_eq!(shown.status, StatusCode::OK);
        assert!(shown.text.contains("value=\"xlsx\"") && shown.text.contains("action=\"/export/persons\""));
        let xlsx = page(&app, &officer, "/export/persons?format=xlsx").await;
        assert_eq!(xlsx.status, StatusCode::OK, "{}", xlsx.text);
        assert_eq!(
            xlsx.headers[header::CONTENT_TYPE],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        assert!(xlsx.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains(".xlsx"));
        let csv = page(&app, &officer, "/export/persons?format=csv").await;
        assert!(csv.text.contains(&id), "{}", csv.text);
        let worker = app.user("worker", Role::CommunityWorker, COMMUNITY).await;
        assert_eq!(page(&app, &worker, "/export").await.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_city_admin_adds_a_user_who_can_sign_in() {
    for app in apps("ui_admin_add").await {
        let admin = app.user("admin", Role::CityAdmin, "440100").await;
        let csrf = token(&admin);
        let shown = page(&app, &admin, "/admin").await;
        assert_eq!(shown.status, StatusCode::OK, "{}", shown.text);
        assert!(shown.text.contains("id=\"roles\"") && shown.text.contains("越秀区"), "{}", shown.text);

        // A weak password is said next to its field.
        let weak = [
            ("csrf_token", csrf.as_str()),
            ("username", "li.si"),
            ("role", "street_officer"),
            ("unit", "440104011"),
            ("password", "short"),
        ];
        let refused = form(&app, &admin, "/admin/users", &weak).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
        assert!(
            refused.text.contains("id=\"password-error\"") && refused.text.contains("value=\"li.si\""),
            "{}",
            refused.text
        );

        let mut good = weak.to_vec();
        good[4] = ("password", PASSWORD);
        assert!(location(&form(&app, &admin, "/admin/users", &good).await).contains("done=created"));
        let signed_in = app.sign_in("li.si").await;
        assert_eq!(page(&app, &signed_in, "/").await.status, StatusCode::OK);

        // Disabling asks first, then signs the user out.
        let step = form(&app, &admin, "/admin/users/li.si/disable", &[("csrf_token", &csrf)]).await;
        assert_eq!(step.status, StatusCode::OK, "{}", step.text);
        assert!(step.text.contains("id=\"disable-final\""), "{}", step.text);
        let probe = app.call(Method::GET, "/api/v1/session", &signed_in, None).await;
        assert_eq!(probe.status, StatusCode::OK, "not disabled before the confirmation: {}", probe.text);
        location(&form(&app, &admin, "/admin/users/li.si/disable", &[("csrf_token", &csrf), ("sure", "1")]).await);
        assert_eq!(app.call(Method::GET, "/api/v1/session", &signed_in, None).await.status, StatusCode::UNAUTHORIZED);
        location(&form(&app, &admin, "/admin/users/li.si/enable", &[("csrf_token", &csrf)]).await);
        location(
            &form(
                &app,
                &admin,
                "/admin/users/li.si/password",
                &[("csrf_token", &csrf), ("password", "another-long-passphrase")],
            )
            .await,
        );
        let a = app
            .call(
                Method::POST,
                "/api/v1/session",
                &Client::Anonymous,
                Some(json!({"username": "li.si", "password": "another-long-passphrase"})),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);

        // A community under a street.
        let unit =
            [("csrf_token", csrf.as_str()), ("parent", "440104011"), ("code", "440104011777"), ("name", "测试新社区")];
        assert!(location(&form(&app, &admin, "/admin/units", &unit).await).contains("done=community"));
        let again = form(&app, &admin, "/admin/units", &unit).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.text.contains("id=\"code-error\""), "{}", again.text);
        let wrong =
            [("csrf_token", csrf.as_str()), ("parent", "440104011"), ("code", "440104012001"), ("name", "错街道")];
        assert!(form(&app, &admin, "/admin/units", &wrong).await.text.contains("id=\"code-error\""));
    }
}

#[tokio::test]
async fn only_a_city_admin_reaches_administration_and_forms_need_their_token() {
    for app in apps("ui_admin_403").await {
        let admin = app.user("admin", Role::CityAdmin, "440100").await;
        let supervisor = app.user("boss", Role::DistrictSupervisor, "440104").await;
        let shown = page(&app, &supervisor, "/admin").await;
        assert_eq!(shown.status, StatusCode::FORBIDDEN);
        let fields = [
            ("csrf_token", token(&supervisor)),
            ("username", "x.y".into()),
            ("role", "auditor".into()),
            ("unit", "440104".into()),
            ("password", PASSWORD.into()),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(form(&app, &supervisor, "/admin/users", &fields).await.status, StatusCode::FORBIDDEN);

        // The admin's own forms without the token.
        let no_token: Vec<(&str, &str)> = fields[1..].to_vec();
        assert_eq!(form(&app, &admin, "/admin/users", &no_token).await.status, StatusCode::FORBIDDEN);
        for uri in ["/admin/users/boss/disable", "/admin/users/boss/password", "/admin/units"] {
            let a = form(
                &app,
                &admin,
                uri,
                &[
                    ("sure", "1"),
                    ("password", PASSWORD),
                    ("parent", "440104011"),
                    ("code", "440104011778"),
                    ("name", "x"),
                ],
            )
            .await;
            assert_eq!(a.status, StatusCode::FORBIDDEN, "{uri}: {}", a.text);
        }
        assert!(yuanzhu_storage::accounts::by_username(app.store(), "x.y").await.unwrap().is_none());
        let boss = yuanzhu_storage::accounts::by_username(app.store(), "boss").await.unwrap().unwrap().0;
        assert!(!boss.disabled);
    }
}
