//! Security hardening (issue #11 §4 and the edges of §2) through the whole application on SQLite
//! and PostgreSQL: landline numbers masked like mobiles, the security headers of every page and
//! answer, who may read `/metrics`, idle sessions kept alive by activity, redirects only within
//! the site, and the status of an oversized body.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use common::{Answer, Client, TestApp, apps, apps_configured, id_number};
use http_body_util::BodyExt;
use tower::ServiceExt;
use yuanzhu_domain::access::Role;
use yuanzhu_storage::search;
use yuanzhu_web::Config;

const COMMUNITY: &str = "440104011001";

/// A person at [`COMMUNITY`] whose phone is a Guangzhou landline; their ID number.
async fn person_with_landline(app: &TestApp) -> String {
    app.community(COMMUNITY).await;
    let id = id_number("440106", "1975-01-01", 321);
    app.register(&[&format!("a,{id},林固话,020-83001234,{COMMUNITY},2016-03-01,true,true,true,true,,")]).await;
    id
}

#[tokio::test]
async fn a_landline_is_masked_like_a_mobile_in_the_file_header_timeline_and_api() {
    for app in apps("security_landline").await {
        let id = person_with_landline(&app).await;
        let person_id = search::reach(app.store(), &id, "").await.unwrap().unwrap().person_id;
        let caseworker = app.user("caseworker", Role::CommunityWorker, COMMUNITY).await;
        let a = app.call(Method::GET, &format!("/api/v1/persons/{id}"), &caseworker, None).await;
        assert!(a.text.contains("02083001234"), "the caseworker sees the whole number: {}", a.text);

        let hotline = app.user("hotline", Role::HotlineOperator, "440104011").await;
        let api = app.call(Method::GET, &format!("/api/v1/persons/{id}"), &hotline, None).await;
        assert_eq!(api.status, StatusCode::OK, "{}", api.text);
        assert_eq!(api.body["person"]["phone"], "020****1234", "{}", api.text);
        let list = app.call(Method::GET, "/api/v1/persons?q=%E6%9E%97%E5%9B%BA", &hotline, None).await;
        assert_eq!(list.body[0]["phone"], "020****1234", "{}", list.text);
        let page = app.call(Method::GET, &format!("/p/{person_id}"), &hotline, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("020****1234"), "the file header shows the masked landline");
        for answer in [&api, &list, &page] {
            assert!(!answer.text.contains("83001234"), "no trace of the local number: {}", answer.text);
        }
    }
}

#[tokio::test]
async fn a_landline_in_a_contact_note_is_masked_for_readers() {
    for app in apps("security_landline_note").await {
        let id = person_with_landline(&app).await;
        let caseworker = app.user("caseworker", Role::CommunityWorker, COMMUNITY).await;
        let body = serde_json::json!({
            "on": "2026-11-20", "channel": "phone", "reached": false,
            "note": "拨打 020-83001234 及 83001235 均无人接听",
        });
        let a = app.call(Method::POST, &format!("/api/v1/persons/{id}/contacts"), &caseworker, Some(body)).await;
        assert!(a.status.is_success(), "{}", a.text);
        let hotline = app.user("hotline", Role::HotlineOperator, "440104011").await;
        let file = app.call(Method::GET, &format!("/api/v1/persons/{id}"), &hotline, None).await;
        assert!(file.text.contains("020-****1234") && file.text.contains("****1235"), "{}", file.text);
        assert!(!file.text.contains("8300123"), "{}", file.text);
    }
}

// ---------------------------------------------------------------------------------------------
// Security headers on every page
// ---------------------------------------------------------------------------------------------

/// A GET as a browser sends it: the session cookie if any, nothing else.
async fn get(app: &TestApp, client: &Client, uri: &str) -> Answer {
    app.send(Method::GET, uri, client, None, &[]).await
}

/// The security headers every answer carries.
#[track_caller]
fn assert_security_headers(uri: &str, a: &Answer) {
    let header = |name: &str| a.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let csp = header("content-security-policy");
    let directives: Vec<&str> = csp.split(';').map(str::trim).collect();
    for directive in ["script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"] {
        assert!(directives.contains(&directive), "{uri}: CSP without {directive}: `{csp}`");
    }
    // Only the API documentation's library needs its own styles; no page runs inline script.
    let style = if uri.starts_with("/api/docs") { "style-src 'self' 'unsafe-inline'" } else { "style-src 'self'" };
    assert!(directives.contains(&style), "{uri}: `{csp}`");
    assert_eq!(csp.matches("unsafe").count(), usize::from(uri.starts_with("/api/docs")), "{uri}: `{csp}`");
    assert_eq!(header("x-frame-options"), "DENY", "{uri}");
    assert_eq!(header("x-content-type-options"), "nosniff", "{uri}");
    assert!(["same-origin", "no-referrer"].contains(&header("referrer-policy").as_str()), "{uri}");
}

/// Whatever in a page the policy would block: a script without `src`, an inline event handler,
/// a `javascript:` link, an inline style.
fn inline_code(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    for tag in lower.split('<').skip(1).filter_map(|t| t.split('>').next()) {
        let name = tag.split_whitespace().next().unwrap_or("");
        if name == "script" && !tag.contains(" src=") {
            found.push(format!("<{tag}>"));
        }
        if name == "style" {
            found.push("<style>".to_owned());
        }
        for attribute in tag.split_whitespace().skip(1) {
            let key = attribute.split('=').next().unwrap_or("");
            let inline_handler = key.len() > 2 && key.starts_with("on") && attribute.contains('=');
            if inline_handler || key == "style" || attribute.contains("javascript:") {
                found.push(format!("<{name} {attribute}>"));
            }
        }
    }
    found
}

/// Same-site links of a page, without their fragment.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| href.split('#').next().unwrap_or("").replace("&amp;", "&"))
        .filter(|href| href.starts_with('/') && !href.starts_with("//"))
        .collect()
}

/// Visits every page reachable by links from `start` as `client` (and a few reached by forms
/// only), checking every answer's headers and every page's markup; returns the paths visited.
async fn walk(app: &TestApp, client: &Client, start: &[String]) -> Vec<String> {
    let mut queue: std::collections::VecDeque<String> = start.iter().cloned().collect();
    let mut seen: std::collections::BTreeSet<String> = queue.iter().cloned().collect();
    let mut visited = Vec::new();
    while let Some(uri) = queue.pop_front() {
        // Switching the language only sets a cookie and comes back; logging out is a form.
        if uri.starts_with("/lang/") || visited.len() > 400 {
            continue;
        }
        let a = get(app, client, &uri).await;
        assert!(!a.status.is_server_error(), "{uri}: {} {}", a.status, a.text);
        assert_security_headers(&uri, &a);
        visited.push(uri.clone());
        let is_html = a.headers.get("content-type").is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"));
        if !is_html {
            continue;
        }
        let inline = inline_code(&a.text);
        assert!(inline.is_empty(), "{uri} has inline code the policy blocks: {inline:?}");
        for link in links(&a.text) {
            if seen.insert(link.clone()) {
                queue.push_back(link);
            }
        }
    }
    visited
}

#[tokio::test]
async fn every_page_and_answer_carries_the_security_headers_and_no_inline_code() {
    for app in apps("security_headers").await {
        let id = person_with_landline(&app).await;
        let person_id = search::reach(app.store(), &id, "").await.unwrap().unwrap().person_id;
        let caseworker = app.user("caseworker", Role::CommunityWorker, COMMUNITY).await;
        let admin = app.user("root", Role::CityAdmin, "440100").await;
        let officer = app.user("officer", Role::StreetOfficer, "440104011").await;
        // An application and a revocation proposal, so that their pages exist.
        let opened = app
            .call(
                Method::POST,
                &format!("/api/v1/persons/{id}/applications"),
                &caseworker,
                Some(serde_json::json!({"category": "hardship_low_income"})),
            )
            .await;
        assert!(opened.status.is_success(), "{}", opened.text);
        let application = opened.body["id"].as_str().unwrap().to_owned();
        let anonymous = walk(&app, &Client::Anonymous, &["/login".into(), "/no/such/page".into()]).await;
        assert!(anonymous.contains(&"/login".to_owned()));
        let start = |extra: &[String]| {
            let mut pages = vec!["/".to_owned(), format!("/p/{person_id}"), "/search?q=%E6%9E%97".to_owned()];
            pages.extend(extra.iter().cloned());
            pages
        };
        let by_forms_only = [
            format!("/applications/{application}/print"),
            format!("/applications/{application}/notice"),
            format!("/applications/{application}/refusal"),
            format!("/register/result/{person_id}"),
        ];
        let mut visited = walk(&app, &caseworker, &start(&by_forms_only)).await;
        visited.extend(walk(&app, &officer, &start(&[])).await);
        visited.extend(walk(&app, &admin, &start(&["/admin".into(), "/api/docs/".into()])).await);
        for page in ["/", "/search", "/register", "/import", "/export", "/admin", "/revocations"] {
            assert!(visited.iter().any(|v| v.split('?').next() == Some(page)), "{page} was not reached: {visited:?}");
        }
        assert!(
            visited.iter().any(|v| v.starts_with("/p/")) && visited.iter().any(|v| v.starts_with("/applications/"))
        );
        // The API and operations too, answers and errors alike.
        for uri in ["/api/v1/session", "/api/v1/persons/nobody", "/healthz", "/api/openapi.json", "/assets/app.js"] {
            assert_security_headers(uri, &get(&app, &caseworker, uri).await);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// /metrics
// ---------------------------------------------------------------------------------------------

/// `GET /metrics` from `peer` (none: as a test request, from nowhere known) with extra headers.
async fn metrics_from(app: &TestApp, peer: Option<&str>, extra: &[(&str, &str)]) -> StatusCode {
    let mut r = Request::builder().method(Method::GET).uri("/metrics");
    for (k, v) in extra {
        r = r.header(*k, *v);
    }
    let mut request = r.body(Body::empty()).unwrap();
    if let Some(peer) = peer {
        request.extensions_mut().insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    }
    app.router.clone().oneshot(request).await.unwrap().status()
}

#[tokio::test]
async fn metrics_answer_only_a_scraper_on_this_machine_or_with_the_configured_token() {
    let config = Config { log_format: "text".into(), ..Config::default() };
    for app in apps_configured("security_metrics_open", config.clone()).await {
        assert_eq!(metrics_from(&app, Some("127.0.0.1:50000"), &[]).await, StatusCode::OK);
        assert_eq!(metrics_from(&app, Some("[::1]:50000"), &[]).await, StatusCode::OK);
        assert_eq!(metrics_from(&app, Some("192.0.2.7:50000"), &[]).await, StatusCode::NOT_FOUND);
        assert_eq!(metrics_from(&app, None, &[]).await, StatusCode::NOT_FOUND);
        // Through a proxy on this machine, the request came from anywhere.
        let forwarded = [("x-forwarded-for", "203.0.113.9")];
        assert_eq!(metrics_from(&app, Some("127.0.0.1:50000"), &forwarded).await, StatusCode::NOT_FOUND);
        // No token is configured: none opens it.
        let bearer = [("authorization", "Bearer anything")];
        assert_eq!(metrics_from(&app, Some("192.0.2.7:50000"), &bearer).await, StatusCode::UNAUTHORIZED);
    }
    let config = Config { metrics_token: Some("scrape-me-0123456789".into()), ..config };
    for app in apps_configured("security_metrics_token", config).await {
        let right = [("authorization", "Bearer scrape-me-0123456789")];
        let wrong = [("authorization", "Bearer scrape-me-012345678")];
        assert_eq!(metrics_from(&app, Some("192.0.2.7:50000"), &right).await, StatusCode::OK);
        assert_eq!(metrics_from(&app, Some("192.0.2.7:50000"), &wrong).await, StatusCode::UNAUTHORIZED);
        assert_eq!(metrics_from(&app, Some("192.0.2.7:50000"), &[]).await, StatusCode::NOT_FOUND);
        // A session is no way in either.
        let admin = app.user("root", Role::CityAdmin, "440100").await;
        assert_eq!(get(&app, &admin, "/metrics").await.status, StatusCode::NOT_FOUND);
    }
}

// ---------------------------------------------------------------------------------------------
// Redirects stay on the site
// ---------------------------------------------------------------------------------------------

/// Off-site in a browser, or not a header value at all.
const ESCAPES: [&str; 6] = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/",
];

#[tokio::test]
async fn the_language_switch_goes_back_only_to_a_path_on_this_site() {
    for app in apps("security_redirect_lang").await {
        for back in ESCAPES {
            let a = get(&app, &Client::Anonymous, &format!("/lang/en?back={}", common::url_encode(back))).await;
            assert_eq!(common::location(&a), "/", "back={back:?}");
        }
        let a = get(&app, &Client::Anonymous, "/lang/en?back=/search%3Fq%3D1").await;
        assert_eq!(common::location(&a), "/search?q=1");
    }
}

#[tokio::test]
async fn signing_in_goes_on_only_to_a_path_on_this_site() {
    for app in apps("security_redirect_login").await {
        app.community(COMMUNITY).await;
        app.account("caseworker", Role::CommunityWorker, COMMUNITY).await;
        for next in ESCAPES.iter().copied().chain(["/search?q=1"]) {
            let body = format!(
                "username=caseworker&password={}&next={}",
                common::url_encode(common::PASSWORD),
                common::url_encode(next)
            );
            let request = Request::builder()
                .method(Method::POST)
                .uri("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap();
            let response = app.router.clone().oneshot(request).await.unwrap();
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "next={next:?}");
            let went = response.headers().get(header::LOCATION).unwrap().to_str().unwrap();
            let expected = if next == "/search?q=1" { next } else { "/" };
            assert_eq!(went, expected, "next={next:?}");
        }
        // The sign-in form carries the path on only if it is one.
        let a = get(&app, &Client::Anonymous, "/login?next=/%09/evil.example").await;
        assert!(a.text.contains("name=\"next\" value=\"/\""), "{}", a.text);
    }
}

// ---------------------------------------------------------------------------------------------
// An oversized body
// ---------------------------------------------------------------------------------------------

/// The case of the issue: 70 MiB against the default limit of 64.
#[tokio::test]
async fn a_70_mib_body_is_413_not_400() {
    for app in apps("security_70_mib").await {
        app.community(COMMUNITY).await;
        let caseworker = app.user("caseworker", Role::CommunityWorker, COMMUNITY).await;
        let mut body = b"{\"name\": \"".to_vec();
        body.resize(70 * 1024 * 1024, b'a');
        let a = app.send(Method::POST, "/api/v1/persons", &caseworker, Some(body), &[]).await;
        assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text);
        assert!(a.body["error"]["message"].as_str().unwrap().contains("上限"), "{}", a.text);
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_in_the_callers_language_for_the_api_and_the_pages() {
    let config = Config { log_format: "text".into(), max_body_mib: 1, ..Config::default() };
    for app in apps_configured("security_too_large", config).await {
        app.community(COMMUNITY).await;
        let caseworker = app.user("caseworker", Role::CommunityWorker, COMMUNITY).await;
        let big = vec![b' '; 3 * 1024 * 1024];
        // A JSON body without a declared length is cut while read.
        let a = app
            .send(Method::POST, "/api/v1/persons", &caseworker, Some(big.clone()), &[("accept-language", "en")])
            .await;
        assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text);
        assert_eq!(a.body["error"]["code"], "too_large", "{}", a.text);
        assert!(a.body["error"]["message"].as_str().unwrap().contains("limit"), "{}", a.text);
        // The same with its length declared is refused before it is read, in Chinese by default.
        let length = big.len().to_string();
        let a = app
            .send(Method::POST, "/api/v1/imports", &caseworker, Some(big.clone()), &[("content-length", &length)])
            .await;
        assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text);
        assert!(a.body["error"]["message"].as_str().unwrap().contains("1 MiB"), "{}", a.text);
        // A page's form: the error page, in the page's language.
        let Client::Session { cookie, .. } = &caseworker else { unreachable!() };
        for declared in [true, false] {
            let mut r = Request::builder()
                .method(Method::POST)
                .uri("/import")
                .header(header::COOKIE, format!("{cookie}; yz_lang=en"))
                .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XYZ");
            if declared {
                r = r.header(header::CONTENT_LENGTH, &length);
            }
            let mut body =
                b"--XYZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n".to_vec();
            body.extend(&big);
            body.extend(b"\r\n--XYZ--\r\n");
            let response = app.router.clone().oneshot(r.body(Body::from(body)).unwrap()).await.unwrap();
            assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE, "declared: {declared}");
            let content_type = response.headers().get(header::CONTENT_TYPE).unwrap().to_str().unwrap().to_owned();
            let text = String::from_utf8_lossy(&response.into_body().collect().await.unwrap().to_bytes()).into_owned();
            assert!(content_type.starts_with("text/html"), "declared: {declared}: {content_type} {text}");
            assert!(text.contains("limit of 1 MiB"), "{text}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Imports beyond what a server takes
// ---------------------------------------------------------------------------------------------

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const IMPORT_HEADER: [&str; 8] = [
    "id_number",
    "name",
    "residence_unit",
    "registered_on",
    "hukou_local",
    "registered_unemployed",
    "able_to_work",
    "willing_to_be_assisted",
];

/// A workbook of `rows` registrations at [`COMMUNITY`].
fn workbook(rows: u32) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, name) in IMPORT_HEADER.iter().enumerate() {
        sheet.write_string(0, c as u16, *name).unwrap();
    }
    for r in 1..=rows {
        let id = id_number("440106", "1975-01-01", r % 1000);
        for (c, value) in
            [id.as_str(), "陈测试", COMMUNITY, "2016-03-01", "true", "true", "true", "true"].iter().enumerate()
        {
            sheet.write_string(r, c as u16, *value).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

/// `POST /api/v1/imports` of a file of type `media`, the messages in `lang`.
async fn import_file(app: &TestApp, client: &Client, bytes: Vec<u8>, media: &str, lang: &str) -> Answer {
    let Client::Session { cookie, csrf } = client else { panic!("a session") };
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/imports")
        .header(header::COOKIE, cookie)
        .header("x-csrf-token", csrf)
        .header(header::CONTENT_TYPE, media)
        .header(header::ACCEPT_LANGUAGE, lang)
        .body(Body::from(bytes))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Answer { status, headers, body: serde_json::from_slice(&bytes).unwrap_or_default(), text }
}

async fn persons(app: &TestApp) -> i64 {
    yuanzhu_storage::persons::count(app.store()).await.unwrap()
}

#[tokio::test]
async fn an_xlsx_that_unpacks_beyond_the_limit_is_refused_whole_with_413() {
    let config = Config { log_format: "text".into(), import_max_unpacked_mib: 1, ..Config::default() };
    for app in apps_configured("security_xlsx_unpacked", config).await {
        app.community(COMMUNITY).await;
        let caseworker = app.user("caseworker", Role::CommunityWorker, COMMUNITY).await;
        let big = workbook(8000);
        assert!(big.len() < 1024 * 1024, "a small file ({} bytes) that unpacks to more", big.len());
        let a = import_file(&app, &caseworker, big, XLSX, "en").await;
        assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text);
        assert_eq!(
            (a.body["error"]["code"].as_str(), a.body["error"]["field"].as_str()),
            (Some("file_too_large"), Some("file"))
        );
        assert!(a.body["error"]["message"].as_str().unwrap().contains("more than 1 MiB"), "{}", a.text);
        assert_eq!(persons(&app).await, 0, "nothing imported");
        let small = import_file(&app, &caseworker, workbook(3), XLSX, "en").await;
        assert_eq!(small.status, StatusCode::OK, "{}", small.text);
    }
}

#[tokio::test]
async fn a_file_with_more_rows_than_an_import_takes_is_refused_whole_in_both_formats() {
    let config = Config { log_format: "text".into(), import_max_rows: 2, ..Config::default() };
    for app in apps_configured("security_import_rows", config).await {
        app.community(COMMUNITY).await;
        let caseworker = app.user("caseworker", Role::CommunityWorker, COMMUNITY).await;
        let a = import_file(&app, &caseworker, workbook(3), XLSX, "en").await;
        assert_eq!(
            (a.status, a.body["error"]["code"].as_str()),
            (StatusCode::PAYLOAD_TOO_LARGE, Some("too_many_rows"))
        );
        let csv: String = std::iter::once(IMPORT_HEADER.join(","))
            .chain((1..=3).map(|r| {
                format!("{},陈测试,{COMMUNITY},2016-03-01,true,true,true,true", id_number("440106", "1975-01-01", r))
            }))
            .collect::<Vec<_>>()
            .join("\n");
        let zh = import_file(&app, &caseworker, csv.into_bytes(), "text/csv", "zh-CN").await;
        assert_eq!(zh.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", zh.text);
        assert!(zh.body["error"]["message"].as_str().unwrap().contains("超过 2 行"), "{}", zh.text);
        assert_eq!(persons(&app).await, 0, "nothing imported");
        assert_eq!(import_file(&app, &caseworker, workbook(2), XLSX, "en").await.status, StatusCode::OK);
    }
}

// ---------------------------------------------------------------------------------------------
// The audit head outside the database
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_audit_head_is_written_to_metrics_where_a_scraper_keeps_a_copy() {
    for app in apps("security_audit_head").await {
        person_with_landline(&app).await;
        // The server's watch records the head as soon as it starts, then at every interval.
        let watch = tokio::spawn(yuanzhu_web::audit_head::watch(app.state.clone()));
        let seen = tokio::time::timeout(std::time::Duration::from_secs(30), async {
            while !app.state.metrics.render(0, 0, None).contains("yuanzhu_audit_head_seq{") {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        })
        .await;
        watch.abort();
        assert!(seen.is_ok(), "the watch recorded the head");
        let recorded = yuanzhu_web::audit_head::record(&app.state).await.unwrap();
        let head = yuanzhu_storage::audit::head(app.store()).await.unwrap();
        assert_eq!(recorded, head);
        assert!(head.seq > 0);
        let mut request = Request::builder().uri("/metrics").body(Body::empty()).unwrap();
        request.extensions_mut().insert(ConnectInfo("127.0.0.1:40000".parse::<SocketAddr>().unwrap()));
        let response = app.router.clone().oneshot(request).await.unwrap();
        let text = String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
        let line = format!("yuanzhu_audit_head_seq{{hash=\"{}\"}} {}", head.hash, head.seq);
        assert!(text.lines().any(|l| l == line), "{line} in:\n{text}");
        // What a scraper kept is what `audit verify --expect-head` checks.
        let expected: yuanzhu_storage::audit::Head = format!("{}:{}", head.seq, head.hash).parse().unwrap();
        let verdict = yuanzhu_storage::audit::verify_against(app.store(), &expected).await.unwrap();
        assert!(matches!(verdict, yuanzhu_storage::audit::Verdict::Intact { .. }), "{verdict:?}");
    }
}
