//! Employment from the person's file, through HTTP on SQLite and PostgreSQL: a member who finds
//! work ends the zero-employment household (第三条第（三）项第2目), the end of that work restores it
//! from the next day, and a wrong date is answered next to its field in the page's language.

mod common;

use axum::http::{Method, StatusCode};
use common::{Client, TestApp, apps, id_number, location};
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
        let (worker, _, pid) = household(&app).await;
        let file = app.send(Method::GET, &format!("/p/{pid}"), &worker, None, &[]).await;
        assert!(file.text.contains(&format!("href=\"/p/{pid}/work\"")), "the file offers it: {}", file.text);
        let page = app.send(Method::GET, &format!("/p/{pid}/work"), &worker, None, &[]).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        assert!(page.text.contains("<label for=\"start-date\">") && page.text.contains("<label for=\"end-date\">"));
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

        // The end of work before it started is refused next to the date, in the page's language.
        let early =
            app.form(&worker, &format!("/p/{pid}/work/end"), &[("csrf_token", &token), ("date", "2026-10-01")]).await;
        assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", early.text);
        assert!(
            early.text.contains("id=\"end-date-error\"") && early.text.contains("没有未结束的就业登记"),
            "{}",
            early.text
        );
        assert!(early.text.contains("value=\"2026-10-01\""), "what was typed stays: {}", early.text);

        let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
        let ended =
            app.form(&worker, &format!("/p/{pid}/work/end"), &[("csrf_token", &token), ("date", &yesterday)]).await;
        assert_eq!(location(&ended), format!("/p/{pid}?done=work_ended"));
        assert!(zero(&app, &worker).await, "from today nobody of working age works");
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
