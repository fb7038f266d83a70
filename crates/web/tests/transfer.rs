//! Import and export on both databases: an import keeps every good row and reports every bad
//! one, refusing rows outside the caller's jurisdiction; an export holds only the caller's
//! jurisdiction and reads back.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Answer, Client, TestApp, apps, id_number};
use http_body_util::BodyExt;
use tower::ServiceExt;
use yuanzhu_domain::access::Role;

const STREET: &str = "440104011";
const OTHER_STREET: &str = "440105001";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const HEADER: &str = "ref,id_number,name,phone,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted";

fn code(a: &Answer) -> &str {
    a.body["error"]["code"].as_str().unwrap_or_else(|| panic!("no error code in {} {}", a.status, a.text))
}

/// A request with a raw body of the given content type (the shared `send` marks every body as
/// JSON), answered with the bytes as well.
async fn send_file(
    app: &TestApp,
    method: Method,
    uri: &str,
    client: &Client,
    body: Vec<u8>,
    content_type: Option<&str>,
    lang: &str,
) -> (Answer, Vec<u8>) {
    let mut r = Request::builder().method(method).uri(uri).header(header::ACCEPT_LANGUAGE, lang);
    match client {
        Client::Session { cookie, csrf } => r = r.header(header::COOKIE, cookie).header("x-csrf-token", csrf),
        Client::Bearer(token) => r = r.header(header::AUTHORIZATION, format!("Bearer {token}")),
        Client::Anonymous => {}
    }
    if let Some(ct) = content_type {
        r = r.header(header::CONTENT_TYPE, ct);
    }
    let response = app.router.clone().oneshot(r.body(Body::from(body)).unwrap()).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    (common::Answer { status, headers, body, text }, bytes)
}

async fn import(app: &TestApp, client: &Client, csv: &str, lang: &str) -> Answer {
    send_file(
        app,
        Method::POST,
        "/api/v1/imports",
        client,
        csv.as_bytes().to_vec(),
        Some("text/csv; charset=utf-8"),
        lang,
    )
    .await
    .0
}

fn row(reference: &str, id: &str, unit: &str) -> String {
    format!("{reference},{id},陈测试,13800138000,{unit},2016-05-01,true,true,true,true")
}

#[tokio::test]
async fn an_import_keeps_the_good_rows_reports_every_bad_one_and_refuses_rows_outside_the_jurisdiction() {
    for app in apps("transfer_import").await {
        let worker = app.user("worker", Role::CommunityWorker, STREET).await;
        let (good1, good2, outside) = (
            id_number("440104", "1975-03-01", 11),
            id_number("440104", "1976-03-01", 12),
            id_number("440105", "1977-03-01", 13),
        );
        let csv = [
            HEADER.to_owned(),
            row("g1", &good1, STREET),
            row("bad-id", "440104197503011239", STREET),
            row("out", &outside, OTHER_STREET),
            row("g2", &good2, "440104011001"),
            format!(
                "bad-date,{},陈测试,,{STREET},2016-13-01,true,true,true,true",
                id_number("440104", "1979-03-01", 14)
            ),
        ]
        .join("\n");
        let a = import(&app, &worker, &csv, "en").await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(a.body["created"], 1, "{}", a.text);
        let rejected = a.body["rejected"].as_array().unwrap();
        let summary: Vec<(u64, &str, &str)> = rejected
            .iter()
            .map(|r| (r["row"].as_u64().unwrap(), r["ref"].as_str().unwrap(), r["field"].as_str().unwrap_or("-")))
            .collect();
        // 440104011001 is no unit of the tree: refused by storage, not silently kept.
        assert_eq!(
            summary,
            [
                (3, "bad-id", "id_number"),
                (4, "out", "residence_unit"),
                (5, "g2", "residence_unit"),
                (6, "bad-date", "registered_on")
            ],
            "{}",
            a.text
        );
        assert_eq!(rejected[1]["code"], "outside_jurisdiction");
        assert!(rejected[1]["message"].as_str().unwrap().contains("outside your jurisdiction"), "{}", a.text);
        assert!(
            rejected.iter().all(|r| !r["message"]
                .as_str()
                .unwrap()
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
            "{}",
            a.text
        );

        let zh = import(&app, &worker, &csv, "zh-CN").await;
        assert_eq!(zh.body["unchanged"], 1, "{}", zh.text);
        assert!(zh.body["rejected"][1]["message"].as_str().unwrap().contains("管辖范围"), "{}", zh.text);

        let officer = app.user("officer", Role::StreetOfficer, STREET).await;
        let file = app.call(Method::GET, &format!("/api/v1/persons/{good1}"), &officer, None).await;
        assert_eq!(file.status, StatusCode::OK);
        let admin = app.user("admin", Role::CityAdmin, "440100").await;
        let hidden = app.call(Method::GET, &format!("/api/v1/persons/{outside}"), &officer, None).await;
        assert_eq!(hidden.status, StatusCode::NOT_FOUND);
        // The city admin reaches the whole city, so the row refused above imports for them.
        let city =
            import(&app, &admin, &[HEADER.to_owned(), row("out", &outside, OTHER_STREET)].join("\n"), "en").await;
        assert_eq!(
            (city.body["created"].as_u64(), city.body["rejected"].as_array().map(Vec::len)),
            (Some(1), Some(0)),
            "{}",
            city.text
        );
    }
}

#[tokio::test]
async fn files_that_are_not_registrations_are_refused_in_the_error_shape() {
    for app in apps("transfer_bad_files").await {
        let worker = app.user("worker", Role::CommunityWorker, STREET).await;
        let (json, _) =
            send_file(&app, Method::POST, "/api/v1/imports", &worker, b"{}".to_vec(), Some("application/json"), "en")
                .await;
        assert_eq!((json.status, code(&json)), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"));
        let (none, _) = send_file(&app, Method::POST, "/api/v1/imports", &worker, b"a,b".to_vec(), None, "en").await;
        assert_eq!(none.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let (xlsx, _) =
            send_file(&app, Method::POST, "/api/v1/imports", &worker, b"not a workbook".to_vec(), Some(XLSX), "en")
                .await;
        assert_eq!((xlsx.status, code(&xlsx)), (StatusCode::BAD_REQUEST, "invalid_xlsx"), "{}", xlsx.text);
        let header = import(&app, &worker, "id_number,name,colour\n1,2,3", "en").await;
        assert_eq!(
            (header.status, header.body["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("colour"))
        );
        let empty = import(&app, &worker, "", "en").await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", empty.text);
        let binary = send_file(
            &app,
            Method::POST,
            "/api/v1/imports",
            &worker,
            vec![0xff, 0xfe, 0x00, 0x81],
            Some("text/csv"),
            "en",
        )
        .await
        .0;
        assert!(binary.status.is_client_error(), "{} {}", binary.status, binary.text);
        let auditor = app.user("auditor", Role::Auditor, STREET).await;
        let forbidden = import(&app, &auditor, HEADER, "en").await;
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn an_export_holds_only_the_callers_jurisdiction_and_reads_back() {
    for app in apps("transfer_export").await {
        let (mine1, mine2, theirs) = (
            id_number("440104", "1975-03-01", 11),
            id_number("440104", "1976-03-01", 12),
            id_number("440105", "1977-03-01", 13),
        );
        app.register(&[
            &format!("a,{mine1},陈甲,13800138000,{STREET},2016-05-01,true,true,true,true,false,false"),
            &format!("b,{mine2},\"陈, 乙\",,{STREET},2016-05-01,true,true,true,true,false,false"),
            &format!("c,{theirs},李丙,,{OTHER_STREET},2016-05-01,true,true,true,true,false,false"),
        ])
        .await;
        let officer = app.user("officer", Role::StreetOfficer, STREET).await;
        let (a, bytes) =
            send_file(&app, Method::GET, "/api/v1/export/persons?format=csv", &officer, Vec::new(), None, "en").await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert!(a.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
        let disposition = a.headers[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(disposition.starts_with("attachment;") && disposition.contains(".csv"), "{disposition}");
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let columns: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(columns[0], "id_number");
        let unit = columns.iter().position(|c| c == "residence_unit").unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
        assert_eq!(ids, [mine1.as_str(), mine2.as_str()], "{}", a.text);
        assert!(rows.iter().all(|r| r[unit].starts_with(STREET)));
        assert_eq!(&rows[1][1], "陈, 乙");

        let (x, bytes) =
            send_file(&app, Method::GET, "/api/v1/export/persons?format=xlsx", &officer, Vec::new(), None, "en").await;
        assert_eq!(x.status, StatusCode::OK);
        assert_eq!(x.headers[header::CONTENT_TYPE], XLSX);
        assert!(bytes.starts_with(b"PK"), "an xlsx file is a zip archive");

        // Roles that do not see identities export them masked.
        let auditor = app.user("auditor", Role::Auditor, STREET).await;
        let (m, _) = send_file(&app, Method::GET, "/api/v1/export/persons", &auditor, Vec::new(), None, "en").await;
        assert_eq!(m.status, StatusCode::OK);
        assert!(
            !m.text.contains(&mine1) && !m.text.contains("13800138000") && m.text.contains("138****8000"),
            "{}",
            m.text
        );

        let worker = app.user("worker", Role::CommunityWorker, STREET).await;
        assert_eq!(app.call(Method::GET, "/api/v1/export/persons", &worker, None).await.status, StatusCode::FORBIDDEN);
        let bad = app.call(Method::GET, "/api/v1/export/persons?format=pdf", &officer, None).await;
        assert_eq!((bad.status, bad.body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("format")));

        let admin = app.user("admin", Role::CityAdmin, "440100").await;
        let all = app.call(Method::GET, "/api/v1/export/persons", &admin, None).await;
        assert!(all.text.contains(&theirs) && all.text.contains(&mine1), "{}", all.text);

        let events = yuanzhu_storage::audit::verify(app.store()).await.unwrap();
        assert!(matches!(events, yuanzhu_storage::audit::Verdict::Intact { .. }));
    }
}

/// The ledgers (一人一档、一帮扶一台帐): every event of the files within reach, by person then time,
/// summaries in the caller's language, masked for roles that do not see identities.
#[tokio::test]
async fn a_ledger_export_is_the_files_of_the_jurisdiction_event_by_event() {
    for app in apps("transfer_ledgers").await {
        let (mine, theirs) = (id_number("440104", "1975-03-01", 21), id_number("440105", "1977-03-01", 22));
        app.register(&[
            &format!("a,{mine},陈甲,13800138000,{STREET},2016-05-01,true,true,true,true,false,false"),
            &format!("c,{theirs},李丙,,{OTHER_STREET},2016-05-01,true,true,true,true,false,false"),
        ])
        .await;
        let officer = app.user("officer", Role::StreetOfficer, STREET).await;
        let (a, bytes) =
            send_file(&app, Method::GET, "/api/v1/export/ledgers?format=csv", &officer, Vec::new(), None, "en").await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let columns: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
        assert_eq!(columns, ["id_number", "name", "seq", "at", "actor", "action", "entity", "policy", "summary"]);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert!(!rows.is_empty() && rows.iter().all(|r| &r[0] == mine.as_str()), "only my street: {}", a.text);
        let person_id = yuanzhu_storage::search::reach(app.store(), &mine, "x").await.unwrap().unwrap().person_id;
        let trail = yuanzhu_storage::audit::of_person(app.store(), &person_id).await.unwrap();
        assert_eq!(rows.len(), trail.len(), "every event of the file");

        let auditor = app.user("auditor", Role::Auditor, STREET).await;
        let (m, _) = send_file(&app, Method::GET, "/api/v1/export/ledgers", &auditor, Vec::new(), None, "zh-CN").await;
        assert_eq!(m.status, StatusCode::OK);
        assert!(!m.text.contains(&mine) && !m.text.contains("13800138000"), "{}", m.text);
        let worker = app.user("worker", Role::CommunityWorker, STREET).await;
        assert_eq!(app.call(Method::GET, "/api/v1/export/ledgers", &worker, None).await.status, StatusCode::FORBIDDEN);
    }
}

/// The ledger's summary is the file's timeline sentence, in the export's language: categories by
/// their names in the policy, fields by their names, never a code or a key.
#[tokio::test]
async fn a_ledger_summary_reads_as_the_timeline_in_the_exports_language() {
    for app in apps("transfer_ledger_words").await {
        let man = id_number("440104", "1970-03-01", 31);
        let row = |disabled: &str| {
            format!("a,{man},陈甲,13800138000,{STREET},2016-05-01,true,true,true,true,false,{disabled}")
        };
        app.register(&[&row("false")]).await;
        // A second registration that changes one fact: `person.updated`, facts before and after.
        app.register(&[&row("true").replace("2016-05-01", "2016-06-01")]).await;
        let officer = app.user("officer", Role::StreetOfficer, STREET).await;
        let summaries = |lang: &'static str| {
            let (app, officer) = (&app, &officer);
            async move {
                let (a, bytes) =
                    send_file(app, Method::GET, "/api/v1/export/ledgers?format=csv", officer, Vec::new(), None, lang)
                        .await;
                assert_eq!(a.status, StatusCode::OK, "{}", a.text);
                let mut reader = csv::Reader::from_reader(bytes.as_slice());
                reader.records().map(|r| r.unwrap()).map(|r| (r[5].to_owned(), r[8].to_owned())).collect::<Vec<_>>()
            }
        };
        let (en, zh) = (summaries("en").await, summaries("zh-CN").await);
        let of = |rows: &[(String, String)], action: &str| {
            rows.iter()
                .find(|(a, _)| a == action)
                .map(|(_, s)| s.clone())
                .unwrap_or_else(|| panic!("{action}: {rows:?}"))
        };
        for rows in [&en, &zh] {
            assert!(
                rows.iter().all(|(_, s)| !s.contains("older_unemployed") && !s.contains("hukou_local")),
                "{rows:?}"
            );
        }
        assert!(of(&en, "recognition.granted").contains("Older unemployed person"), "{en:?}");
        assert!(of(&zh, "recognition.granted").contains("大龄失业人员"), "{zh:?}");
        assert_eq!(of(&en, "person.updated"), "changed Circumstances");
        assert_eq!(of(&zh, "person.updated"), "修改了情况");

        // Each summary is the sentence the file's timeline shows for that event.
        let person_id = yuanzhu_storage::search::reach(app.store(), &man, "x").await.unwrap().unwrap().person_id;
        let page = app.call(Method::GET, &format!("/p/{person_id}"), &officer, None).await;
        assert_eq!(page.status, StatusCode::OK);
        for (action, summary) in zh.iter().filter(|(a, _)| a != "person.viewed") {
            assert!(page.text.contains(summary.as_str()), "{action}: {summary} is not on the page");
        }
    }
}
