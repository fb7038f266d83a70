//! Assistance from the person's file, through HTTP on SQLite and PostgreSQL (#13): the service
//! form records a service that shows in the file's ledger with its article; a refused form keeps
//! what was typed and names each wrong field in the page's language; a role that does not serve
//! gets no form, and another unit's account meets a stranger.

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, TestApp, apps, id_number, location};
use yuanzhu_domain::access::Role;

const COMMUNITY: &str = "440104011001";
const STREET: &str = "440104011";

fn csrf(c: &Client) -> String {
    match c {
        Client::Session { csrf, .. } => csrf.clone(),
        _ => String::new(),
    }
}

async fn person(app: &TestApp) -> String {
    app.community(COMMUNITY).await;
    let id = id_number("440104", "1975-03-01", 51);
    app.register(&[&format!("p,{id},陈服务,13800138000,{COMMUNITY},2016-05-01,true,true,true,true,true,false")]).await;
    yuanzhu_storage::search::reach(app.store(), &id, "nobody").await.unwrap().unwrap().person_id
}

#[tokio::test]
async fn a_service_recorded_on_its_page_shows_in_the_files_ledger() {
    for app in apps("ui_service").await {
        let pid = person(&app).await;
        let worker = app.user("worker", Role::CommunityWorker, COMMUNITY).await;
        let file = app.send(Method::GET, &format!("/p/{pid}"), &worker, None, &[]).await;
        assert!(file.text.contains("id=\"ledger-h\""), "the file has a ledger: {}", file.text);
        assert!(file.text.contains(&format!("href=\"/p/{pid}/service\"")), "and offers the form");
        let form = app.send(Method::GET, &format!("/p/{pid}/service"), &worker, None, &[]).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.text);
        assert!(form.text.contains("<label for=\"service-kind\">服务类别</label>"), "{}", form.text);
        assert!(form.text.contains("职业介绍"), "kinds by their names");

        let token = csrf(&worker);
        // A declined referral without a reason and without an employer: both named, what was typed kept.
        let refused = app
            .form(
                &worker,
                &format!("/p/{pid}/service"),
                &[("csrf_token", &token), ("kind", "job_referral"), ("date", "2026-11-30"), ("outcome", "declined")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
        assert!(refused.text.contains("employer（用人单位）"), "{}", refused.text);
        assert!(refused.text.contains("note（说明）"), "{}", refused.text);
        assert!(refused.text.contains("value=\"job_referral\" selected"), "the kind typed is kept");
        assert!(refused.text.contains("value=\"2026-11-30\""), "the date typed is kept");

        let made = app
            .form(
                &worker,
                &format!("/p/{pid}/service"),
                &[
                    ("csrf_token", &token),
                    ("kind", "job_referral"),
                    ("date", "2026-11-30"),
                    ("outcome", "accepted"),
                    ("employer", "演示物业公司"),
                    ("note", "推荐保洁岗位"),
                ],
            )
            .await;
        assert_eq!(location(&made), format!("/p/{pid}?done=service#ledger-h"));
        let file = app.send(Method::GET, &format!("/p/{pid}?done=service"), &worker, None, &[]).await;
        assert!(file.text.contains("已记录援助服务"), "{}", file.text);
        let ledger = file.text.split("id=\"ledger\"").nth(1).expect("a ledger table");
        assert!(ledger.contains("职业介绍") && ledger.contains("演示物业公司"), "{ledger}");
        assert!(ledger.contains("第十二条") || ledger.contains("第八条"), "the article is shown: {ledger}");
        // In English.
        let en = app.send(Method::GET, &format!("/p/{pid}"), &worker, None, &[("accept-language", "en")]).await;
        assert!(en.text.contains("Assistance ledger") && en.text.contains("Job referral"), "{}", en.text);
    }
}

#[tokio::test]
async fn who_may_not_record_services_gets_no_form_and_a_stranger_gets_not_found() {
    for app in apps("ui_service_access").await {
        let pid = person(&app).await;
        let auditor = app.user("auditor", Role::Auditor, STREET).await;
        let file = app.send(Method::GET, &format!("/p/{pid}"), &auditor, None, &[]).await;
        assert!(!file.text.contains(&format!("href=\"/p/{pid}/service\"")), "no form offered");
        let form = app.send(Method::GET, &format!("/p/{pid}/service"), &auditor, None, &[]).await;
        assert_eq!(form.status, StatusCode::FORBIDDEN, "{}", form.text);
        let stranger = app.user("stranger", Role::StreetOfficer, "440104012").await;
        let form = app.send(Method::GET, &format!("/p/{pid}/service"), &stranger, None, &[]).await;
        assert_eq!(form.status, StatusCode::NOT_FOUND, "{}", form.text);
        let token = csrf(&stranger);
        let posted = app
            .form(
                &stranger,
                &format!("/p/{pid}/service"),
                &[("csrf_token", &token), ("kind", "home_visit"), ("date", "2026-11-30")],
            )
            .await;
        assert_eq!(posted.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_caseworkers_home_lists_follow_ups_due_and_hardship_persons_without_a_plan() {
    for app in apps("ui_home_assist").await {
        let pid = person(&app).await;
        let worker = app.user("worker", Role::CommunityWorker, COMMUNITY).await;
        let home = app.send(Method::GET, "/", &worker, None, &[]).await;
        assert!(home.text.contains("id=\"queue-without-plan\""), "{}", home.text);
        let id = id_number("440104", "1975-03-01", 51);
        let work = serde_json::json!({"started_on": "2026-09-01", "employer": "演示超市"});
        let a = app.call(Method::POST, &format!("/api/v1/persons/{id}/employment"), &worker, Some(work)).await;
        assert!(a.status.is_success(), "{}", a.text);
        let home = app.send(Method::GET, "/", &worker, None, &[]).await;
        let section = home.text.split("id=\"queue-follow-ups\"").nth(1).expect("a follow-up queue");
        let section = section.split("</section>").next().unwrap();
        assert!(section.contains(&format!("href=\"/p/{pid}\"")) && section.contains("陈服务"), "{section}");
        assert!(section.contains("2026年10月1日"), "month 1 of a job from 2026-09-01: {section}");
    }
}
