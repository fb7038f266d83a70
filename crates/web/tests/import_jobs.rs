//! Imports started from the pages keep their job in the database (issue #11 §4), on SQLite and
//! PostgreSQL: after a server restart the page still shows the job and its report, and a job
//! whose server died while it ran is shown as interrupted with the rows it had done.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Answer, Client, REGISTRATION_HEADER, TestApp, apps, id_number};
use http_body_util::BodyExt;
use tower::ServiceExt;
use yuanzhu_domain::access::Role;
use yuanzhu_rules::PolicySet;
use yuanzhu_storage::import_jobs::{self, JobCounts};
use yuanzhu_web::{AppState, Config};

const COMMUNITY: &str = "440104011001";

/// The import page's form with one file.
async fn upload(app: &TestApp, client: &Client, file: &[u8]) -> Answer {
    let Client::Session { cookie, csrf } = client else { panic!("a session") };
    let boundary = "----yuanzhu-jobs";
    let mut body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{csrf}\r\n").into_bytes();
    body.extend(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.csv\"\r\n\r\n").bytes(),
    );
    body.extend(file);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    let request = Request::builder()
        .method(Method::POST)
        .uri("/import")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let text = String::from_utf8_lossy(&response.into_body().collect().await.unwrap().to_bytes()).into_owned();
    Answer { status, headers, body: serde_json::Value::Null, text }
}

async fn page(router: &axum::Router, client: &Client, uri: &str) -> (StatusCode, String) {
    let Client::Session { cookie, .. } = client else { panic!("a session") };
    let request = Request::builder().uri(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    (status, String::from_utf8_lossy(&response.into_body().collect().await.unwrap().to_bytes()).into_owned())
}

/// The same database under a new server: what a restart leaves (nothing of the old process).
fn restarted(app: &TestApp) -> axum::Router {
    let config = Config { log_format: "text".into(), ..Config::default() };
    yuanzhu_web::app(AppState::new(app.store().clone(), PolicySet::embedded(), config))
}

#[tokio::test]
async fn an_import_job_and_its_report_are_still_shown_after_a_restart() {
    for app in apps("import_jobs_restart").await {
        app.community(COMMUNITY).await;
        let worker = app.user("importer", Role::CommunityWorker, COMMUNITY).await;
        let good = id_number("440104", "1975-03-01", 41);
        let csv = format!(
            "{REGISTRATION_HEADER}\n\
             g1,{good},林一,13800138000,{COMMUNITY},2016-05-01,true,true,true,true,false,false\n\
             b1,44010419750301999,林二,13800138000,{COMMUNITY},2016-05-01,true,true,true,true,false,false\n"
        );
        let job = common::location(&upload(&app, &worker, csv.as_bytes()).await);
        let mut shown = page(&app.router, &worker, &job).await.1;
        for _ in 0..400 {
            if shown.contains("id=\"import-finished\"") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            shown = page(&app.router, &worker, &job).await.1;
        }
        assert!(shown.contains("id=\"import-finished\""), "{shown}");

        let router = restarted(&app);
        let (status, after) = page(&router, &worker, &job).await;
        assert_eq!(status, StatusCode::OK, "{after}");
        assert!(after.contains("id=\"import-finished\""), "{after}");
        assert!(
            after.contains("<strong id=\"rows-done\">2</strong>") && after.contains("<dd id=\"rows-rejected\">1</dd>")
        );
        let (status, report) = page(&router, &worker, &format!("{job}/report.csv")).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert!(report.lines().nth(1).is_some_and(|l| l.starts_with("3,b1,id_number,")), "{report}");

        // Nobody else's job is theirs to see.
        let other = app.user("other", Role::CommunityWorker, COMMUNITY).await;
        assert_eq!(page(&router, &other, &job).await.0, StatusCode::NOT_FOUND);
        assert_eq!(page(&router, &other, &format!("{job}/report.csv")).await.0, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn an_import_killed_midway_is_shown_as_interrupted_with_how_far_it_got() {
    for app in apps("import_jobs_interrupted").await {
        app.community(COMMUNITY).await;
        let worker = app.user("importer", Role::CommunityWorker, COMMUNITY).await;
        let account = yuanzhu_storage::accounts::by_username(app.store(), "importer").await.unwrap().unwrap().0;
        // A job of 5,000 rows whose server was killed after two batches of 1,000.
        let id = "0123456789abcdef0123456789abcdef";
        import_jobs::create(app.store(), id, &account.id, 5000, &[]).await.unwrap();
        let counts = JobCounts { created: 1000, registrations: 1000, ..JobCounts::default() };
        for _ in 0..2 {
            import_jobs::batch_done(app.store(), id, 1000, counts, &[]).await.unwrap();
        }
        let path = format!("/import/{id}");
        let (_, live) = page(&app.router, &worker, &path).await;
        assert!(
            live.contains("http-equiv=\"refresh\"") && !live.contains("import-interrupted"),
            "still running: {live}"
        );
        // Its heartbeat stops with it.
        let old = (chrono::Utc::now() - chrono::Duration::minutes(5)).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        sqlx::query("UPDATE import_jobs SET heartbeat_at = $1 WHERE id = $2")
            .bind(old)
            .bind(id)
            .execute(app.store().pool())
            .await
            .unwrap();
        let (status, shown) = page(&restarted(&app), &worker, &path).await;
        assert_eq!(status, StatusCode::OK, "{shown}");
        assert!(shown.contains("id=\"import-interrupted\""), "{shown}");
        assert!(!shown.contains("http-equiv=\"refresh\""), "an interrupted job is not waited for");
        assert!(shown.contains("<strong id=\"rows-done\">2,000</strong>"), "{shown}");
        assert!(shown.contains("<span id=\"rows-total\">5,000</span>"), "{shown}");
        assert!(shown.contains("<dt>新登记人员</dt><dd>2,000</dd>"), "{shown}");
    }
}
