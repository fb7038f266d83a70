//! Employment from the person's file, through HTTP on SQLite and PostgreSQL: a member who finds
//! work ends the zero-employment household (第三条第（三）项第2目), the end of that work restores it
//! from the next day, and a wrong date is answered next to its field in the page's language.

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, TestApp, apps, id_number, location};
use serde_json::json;
use yuanzhu_domain::access::Role;

const STREET: &str = "440104011";

async fn household(app: &TestApp) -> (Client, String, String) {
    let (a, b) = (id_number("440104", "1975-03-01", 41), id_number("440104", "1978-06-01", 42));
    let header = "ref,id_number,name,residence_unit,registered_on,household_ref,relation,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted";
    let csv = format!(
        "{header}\na,{a},陈父,{STREET},2016-05-01,H9,户主,true,true,true,true\nb,{b},陈母,{STREET},2016-05-01,H9,配偶,true,true,true,true"
    );
    app.register_csv(&csv).await;
    let worker = app.user("worker", Role::CommunityWorker, STREET).await;
    let pid = yuanzhu_storage::search::reach(app.store(), &a, "nobody").await.unwrap().unwrap().person_id;
    (worker, a, pid)
}

fn csrf(c: &Client) -> String {
    match c {
        Client::Session { csrf, .. } => csrf.clone(),
        _ => String::new(),
    }
}

async fn zero(app: &TestApp, worker: &Client) -> bool {
    let h = app.call(Method::GET, "/api/v1/households/H9", worker, None).await;
    h.body["zero_employment"].as_bool().unwrap_or_else(|| panic!("{}", h.text))
}

#[tokio::test]
async fn work_found_and_ended_from_the_file_moves_the_households_status() {
    for app in apps("ui_work").await {
        let (worker, a, pid) = household(&app).await;
        let file = app.send(Method::GET, &format!("/p/{pid}"), &worker, None, &[]).await;
        assert!(file.text.contains(&format!("href=\"/p/{pid}/work\"")), "the file offers it: {}", file.text);
        let page = app.send(Method::GET, &format!("/p/{pid}/work"), &worker, None, &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("<label for=\"start-date\">"), "{}", page.text);
        assert!(page.text.contains("id=\"work-none-open\""), "no work to end yet: {}", page.text);
        assert!(zero(&app, &worker).await);

        let token = csrf(&worker);
        let started = app
            .form(
                &worker,
                &format!("/p/{pid}/work/start"),
                &[("csrf_token", &token), ("date", "2026-11-01"), ("employer", "某物流公司")],
            )
            .await;
        assert_eq!(location(&started), format!("/p/{pid}?done=work_started"));
        assert!(!zero(&app, &worker).await, "a member works");
        let listed = app.send(Method::GET, &format!("/p/{pid}/work"), &worker, None, &[]).await;
        assert!(listed.text.contains("某物流公司") && listed.text.contains("在职"), "{}", listed.text);
        assert!(listed.text.contains("<label for=\"end-date\">"), "the open work can end: {}", listed.text);

        let job = app.call(Method::GET, &format!("/api/v1/persons/{a}/employment"), &worker, None).await;
        let job = job.body[0]["id"].as_str().unwrap_or_else(|| panic!("{}", job.text)).to_owned();
        assert!(
            listed.text.contains(&format!("value=\"{job}\" checked")),
            "the only open work is chosen: {}",
            listed.text
        );

        // Ending work names which work ended: a form without the choice is answered next to it.
        let unnamed =
            app.form(&worker, &format!("/p/{pid}/work/end"), &[("csrf_token", &token), ("date", "2026-11-20")]).await;
        assert_eq!(unnamed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unnamed.text);
        assert!(
            unnamed.text.contains("id=\"end-which-error\"") && unnamed.text.contains("请选择要结束的就业记录"),
            "{}",
            unnamed.text
        );

        // The end of work before it started is refused next to the date, in the page's language.
        let early = app
            .form(
                &worker,
                &format!("/p/{pid}/work/end"),
                &[("csrf_token", &token), ("employment_id", &job), ("date", "2026-10-01")],
            )
            .await;
        assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", early.text);
        assert!(
            early.text.contains("id=\"end-date-error\"") && early.text.contains("早于该就业的开始日期"),
            "{}",
            early.text
        );
        assert!(early.text.contains("value=\"2026-10-01\""), "what was typed stays: {}", early.text);

        let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
        let ended = app
            .form(
                &worker,
                &format!("/p/{pid}/work/end"),
                &[("csrf_token", &token), ("employment_id", &job), ("date", &yesterday)],
            )
            .await;
        assert_eq!(location(&ended), format!("/p/{pid}?done=work_ended"));
        assert!(zero(&app, &worker).await, "from today nobody of working age works");
        let after = app.send(Method::GET, &format!("/p/{pid}/work"), &worker, None, &[]).await;
        assert!(after.text.contains("id=\"work-none-open\""), "nothing left to end: {}", after.text);
    }
}

#[tokio::test]
async fn the_employment_forms_need_their_token_and_the_right_role() {
    for app in apps("ui_work_refused").await {
        let (worker, _, pid) = household(&app).await;
        let no_token = app.form(&worker, &format!("/p/{pid}/work/start"), &[("date", "2026-11-01")]).await;
        assert_eq!(no_token.status, StatusCode::FORBIDDEN, "{}", no_token.text);
        let auditor = app.user("auditor", Role::Auditor, STREET).await;
        let page = app.send(Method::GET, &format!("/p/{pid}/work"), &auditor, None, &[]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.text);
        let stranger = app.user("stranger", Role::CommunityWorker, "440105001").await;
        let page = app.send(Method::GET, &format!("/p/{pid}/work"), &stranger, None, &[]).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.text);
        assert!(zero(&app, &worker).await, "nothing was recorded");
    }
}

/// The file offers revocation only while the person holds a status some reason of its policy
/// ends: 第六条 ends 特困 status (第三条第（三）项), never the categories 第四条 recognises
/// automatically.
#[tokio::test]
async fn the_file_offers_revocation_only_when_there_is_something_to_revoke() {
    for app in apps("ui_work_revocable").await {
        let a = id_number("440104", "1975-03-01", 51);
        app.register(&[&format!("r,{a},陈低保,,{STREET},2016-03-01,true,true,true,true,true,")]).await;
        let worker = app.user("worker", Role::CommunityWorker, STREET).await;
        let officer = app.user("officer", Role::StreetOfficer, STREET).await;
        let pid = yuanzhu_storage::search::reach(app.store(), &a, "nobody").await.unwrap().unwrap().person_id;
        let revoke = format!("href=\"/p/{pid}/revoke\"");
        let file = app.send(Method::GET, &format!("/p/{pid}"), &worker, None, &[]).await;
        assert!(file.text.contains("大龄失业人员"), "{}", file.text);
        assert!(!file.text.contains(&revoke), "大龄 alone: nothing to revoke: {}", file.text);
        // 特困（低保） on application (第五条), approved by the street office.
        let open = format!("/api/v1/persons/{a}/applications");
        let draft = app
            .call(Method::POST, &open, &worker, Some(json!({"category": "hardship_low_income", "on": "2016-06-01"})))
            .await;
        assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.text);
        let app_id = draft.body["id"].as_str().unwrap().to_owned();
        let docs: Vec<serde_json::Value> =
            draft.body["checklist"].as_array().unwrap().iter().map(|c| c["document"].clone()).collect();
        let step = |what: &str| format!("/api/v1/applications/{app_id}/{what}");
        let supplied = app
            .call(
                Method::POST,
                &step("documents"),
                &worker,
                Some(json!({"documents": docs, "version": 1, "on": "2016-06-01"})),
            )
            .await;
        let version = supplied.body["version"].clone();
        let submitted = app
            .call(Method::POST, &step("submit"), &worker, Some(json!({"version": version, "on": "2016-06-01"})))
            .await;
        let approved = app
            .call(
                Method::POST,
                &step("approve"),
                &officer,
                Some(json!({"version": submitted.body["version"], "on": "2016-06-02"})),
            )
            .await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.text);
        let file = app.send(Method::GET, &format!("/p/{pid}"), &worker, None, &[]).await;
        assert!(file.text.contains(&revoke), "特困 status can be revoked: {}", file.text);
    }
}
