//! The caseworkers' flows in a real browser (issue #5): headless Chromium from Debian, driven
//! over WebDriver (chromedriver) by fantoccini, against the real server on a loopback port with
//! a fresh SQLite database. Each test saves a screenshot of every page it visits in
//! `target/screenshots/<test>-<n>-<page>.png`.
//!
//! Where chromium or chromedriver is missing, each test says so in one loud line and passes,
//! except under CI (`CI=true`), where a missing browser fails: `.ci/run` installs it. A page
//! whose route does not exist yet (a product gap, not a broken browser) skips its test with a
//! line naming the route, in CI too.

use std::net::TcpListener as StdListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{Semaphore, oneshot};
use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::Role;
use yuanzhu_domain::registration::read_csv;
use yuanzhu_rules::{Date, Lang, PolicySet};
use yuanzhu_storage::{Store, accounts, persons, search, units};
use yuanzhu_web::{AppState, Config};

const PASSWORD: &str = "correct-horse-battery";
const COMMUNITY: &str = "440104011001"; // 东山街道
const STREET: &str = "440104011";
const OTHER_COMMUNITY: &str = "440104012001"; // 农林街道
const SKIPPED: &str = "SKIPPED: browser tests need chromium and chromium-driver (apt-get install chromium chromium-driver fonts-wqy-microhei)";

/// Two Chromiums at a time: the machine (and CI) has two cores.
static SLOTS: Semaphore = Semaphore::const_new(2);

// ---------------------------------------------------------------------------------------------
// The flows

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caseworker_signs_in_and_lands_on_the_home_page() {
    run("sign_in", |b| async move {
        b.open("/").await;
        assert!(b.path().await.starts_with("/login"), "a visitor is sent to the sign-in page");
        assert_eq!(b.html_lang().await, "zh-CN", "Chinese first");
        b.snap("login").await;

        // A wrong password is refused next to the field, in plain words.
        b.fill("#username", "caseworker").await;
        b.fill("#password", "wrong-password").await;
        b.click("#sign-in").await;
        b.wait_for("#password-error").await;
        assert_eq!(b.attr("#password", "aria-invalid").await.as_deref(), Some("true"));
        b.snap("login-refused").await;

        b.sign_in_here("caseworker").await;
        assert_eq!(b.path().await, "/");
        assert!(b.text("h1").await.contains("caseworker"), "the home page greets the user");
        b.snap("home").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caseworker_finds_a_person_and_opens_their_file() {
    run("search", |b| async move {
        b.sign_in("caseworker").await;
        b.open("/search").await;
        b.fill("#q", "陈").await;
        b.submit("#q").await;
        b.wait_for("#results").await;
        let results = b.text("#results").await;
        assert!(results.contains("陈一"), "{results}");
        assert!(!results.contains("林二"), "another street's person stays out of the results: {results}");
        b.snap("search-results").await;

        b.click_link("陈一").await;
        b.wait_for("#categories").await;
        assert!(b.path().await.starts_with("/p/"));
        assert!(b.text("h1").await.contains("陈一"));
        let categories = b.text("#categories").await;
        assert!(!categories.trim().is_empty(), "recognised on registration: {categories}");
        b.snap("person-file").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caseworker_cannot_open_another_streets_person() {
    run("jurisdiction", |b| async move {
        b.sign_in("caseworker").await;
        let outside = b.person_id(OTHER_COMMUNITY_ID);
        b.open(&format!("/p/{outside}")).await;
        let page = b.text("main").await;
        assert!(b.exists("p.error").await, "the not-found page: {page}");
        assert!(!page.contains("林二"), "nothing of the person shows: {page}");
        b.snap("outside-not-found").await;

        // The same page for a record key that does not exist at all: no way to tell them apart.
        b.open("/p/00000000-0000-7000-8000-000000000000").await;
        assert_eq!(b.text("main").await, page);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switching_language_shows_english_and_is_remembered() {
    run("language", |b| async move {
        b.sign_in("caseworker").await;
        let inside = b.person_id(COMMUNITY_ID);
        b.open(&format!("/p/{inside}")).await;
        assert_eq!(b.html_lang().await, "zh-CN");
        b.snap("file-zh").await;

        b.click("#lang-switch").await;
        b.wait_until(|b| async move { b.html_lang().await == "en" }).await;
        assert_eq!(b.path().await, format!("/p/{inside}"), "the switch returns to the same page");
        // The page's own texts are English; the person's data (name, the policy's article
        // numbers) stays as recorded.
        for css in ["nav", "h1 small", "h2", "th", "dt", "title"] {
            for e in b.all(css).await {
                let text = e.text().await.unwrap_or_default();
                assert!(!text.chars().any(is_han), "{css} still in Chinese: {text}");
            }
        }
        b.snap("file-en").await;

        // Remembered on the next page.
        b.open("/search").await;
        assert_eq!(b.html_lang().await, "en");
        b.snap("search-en").await;

        // And back.
        b.click("#lang-switch").await;
        b.wait_until(|b| async move { b.html_lang().await == "zh-CN" }).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registering_a_person_recognises_them_automatically() {
    run("register", |b| async move {
        if !b.route_exists("/register").await {
            return;
        }
        b.sign_in("caseworker").await;
        b.open("/register").await;
        b.snap("register").await;
        // A man born in 1970, registered unemployed: 大龄失业人员 (第三条第（一）项).
        // The ID number is checked as it is typed (app.js, under the Content-Security-Policy).
        b.fill("#f-id_number", "44010419700501").await;
        b.wait_for("#id-check.register-id-bad").await;
        b.fill("#f-id_number", &id_number("440104", "1970-05-01", 31)).await;
        b.wait_for("#id-check.register-id-ok").await;
        b.fill("#f-name", "周三十一").await;
        b.fill("#f-phone", "13800138031").await;
        b.set("#f-residence_unit", COMMUNITY).await;
        // Registered while 穗人社发〔2014〕4号 applied, which recognises on registration (第四条).
        b.set("#f-registered_on", "2016-05-03").await;
        for fact in ["hukou_local", "registered_unemployed", "able_to_work", "willing_to_be_assisted"] {
            b.set(&format!("#f-{fact}"), "true").await;
        }
        b.snap("register-filled").await;
        b.click("#register-submit").await;
        b.wait_for("#recognition-result").await;
        b.snap("register-result").await;
        let result = b.text("#recognition-result").await;
        assert!(!b.exists("#not-recognised").await, "{result}");
        let recognised = b.text("tr.register-recognised").await;
        assert!(recognised.contains('第') && recognised.contains('条'), "with its article: {recognised}");

        b.click("#open-file").await;
        b.wait_for("#categories").await;
        assert!(b.text("h1").await.contains("周三十一"));
        assert!(!b.text("#categories").await.trim().is_empty());
        b.snap("registered-file").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_that_overwrites_the_file_is_confirmed_first_and_a_transfer_is_accepted_by_the_other_unit() {
    run("registry_writes", |b| async move {
        if !b.route_exists("/register").await || !b.route_exists("/p/x/transfer").await {
            return;
        }
        b.sign_in("caseworker").await;
        let person = b.person_id(COMMUNITY_ID);
        // The file opens its registration in the form, answers and version included.
        b.open(&format!("/p/{person}")).await;
        b.click("#change-registration").await;
        b.wait_for("#register-editing").await;
        b.snap("register-edit").await;
        b.fill("#f-phone", "13700137001").await;
        b.click("#register-submit").await;
        // The phone on file would be replaced: the page says so, before and after, and asks.
        b.wait_for("#register-changes").await;
        let changes = b.text("#register-changes").await;
        assert!(changes.contains("13800138001") && changes.contains("13700137001"), "{changes}");
        assert!(b.exists("tr.register-overwrite").await);
        b.snap("register-confirm-overwrite").await;
        b.click("#register-confirm").await;
        b.wait_for("#recognition-result").await;

        // A move to the neighbouring street's community, proposed from the file.
        b.open(&format!("/p/{person}")).await;
        b.click("#transfer-residence").await;
        b.wait_for("#to_unit").await;
        b.fill("#to_unit", OTHER_COMMUNITY).await;
        b.fill("#note", "已搬至农林街道").await;
        b.snap("transfer-form").await;
        b.click("#transfer-submit").await;
        b.wait_for("#done").await;
        b.snap("transfer-proposed").await;

        // The receiving unit's caseworker accepts it from the home page, after a confirmation.
        b.sign_out().await;
        b.sign_in("neighbour").await;
        b.open("/").await;
        b.wait_for("#queue-transfers button.transfer-accept").await;
        assert!(b.text("#queue-transfers").await.contains("陈一"));
        b.snap("home-incoming-transfer").await;
        b.click("#queue-transfers button.transfer-accept").await;
        b.accept_dialog().await;
        b.wait_for("#done").await;
        b.snap("transfer-accepted").await;
        b.open(&format!("/p/{person}")).await;
        b.wait_for("#categories").await;
        assert!(b.text("h1").await.contains("陈一"), "the file is theirs now");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hardship_application_goes_deficient_then_complete_then_approved_and_prints() {
    run("application", |b| async move {
        if !b.route_exists("/p/x/apply").await || !b.route_exists("/applications/x").await {
            return;
        }
        let person = b.person_id(COMMUNITY_ID);
        let application = hardship_recognised(&b, &person).await;

        // The printable form, in triplicate, each copy marked.
        b.open(&application).await;
        b.click("#print-link").await;
        b.wait_for("#copy-3").await;
        assert_eq!(b.path().await, format!("{application}/print"));
        b.snap("application-print").await;
        // The print button (a handler in app.js, not an inline onclick) opens printing.
        b.client
            .execute("window.printed = 0; window.print = function () { window.printed += 1; };", vec![])
            .await
            .unwrap();
        b.click("[data-print]").await;
        let printed = b.client.execute("return window.printed;", vec![]).await.unwrap();
        assert_eq!(printed, json!(1), "the print button prints");
    })
    .await;
}

/// Recognises a person as 特困失业人员 through the pages (第五条): the caseworker opens the
/// application and submits it with documents missing, which serves the one-time deficiency
/// notice; then records every document received and submits again; the street officer approves
/// after a confirmation step. Returns the application's path; leaves the officer signed in.
async fn hardship_recognised(b: &Browser, person: &str) -> String {
    b.sign_in("caseworker").await;
    b.open(&format!("/p/{person}")).await;
    b.click(&format!("a[href='/p/{person}/apply']")).await;
    b.wait_for("form.app-form").await;
    b.click("input[name=category][value$='hardship_low_income']").await;
    // Received while 穗人社发〔2014〕4号 was in force: approval reads that day's policy and facts.
    b.set("#on", "2016-05-02").await;
    b.snap("apply").await;
    b.click("form.app-form [type=submit]").await;
    b.wait_until(|b| async move { b.path().await.starts_with("/applications/") }).await;
    let application = b.path().await.split('?').next().unwrap().to_owned();
    b.wait_for("#checklist").await;
    b.snap("application-opened").await;

    // Deficient: submitted with documents missing, one notice lists everything missing.
    b.click("form[action$='/submit'] [type=submit]").await;
    b.confirm_if_asked().await;
    b.wait_for("#deficiency-notice").await;
    assert!(!b.all("#notice-missing li").await.is_empty(), "the notice lists what is missing");
    b.snap("application-deficient").await;

    // Completed: every document ticked as received on paper, then submitted again.
    for checkbox in b.all("input[name=documents]").await {
        checkbox.click().await.expect("tick a document");
    }
    b.click("button[name=how][value=paper]").await;
    b.wait_until(|b| async move { !b.exists("input[name=documents]").await }).await;
    b.snap("application-complete").await;
    if b.exists("form[action$='/submit']").await {
        let state = b.text("#state").await;
        b.click("form[action$='/submit'] [type=submit]").await;
        b.confirm_if_asked().await;
        b.wait_until(|b| {
            let state = state.clone();
            async move { b.text("#state").await != state }
        })
        .await;
        b.snap("application-submitted").await;
    }

    // Approved by the street officer, after a confirmation step.
    b.sign_out().await;
    b.sign_in("officer").await;
    b.open(&application).await;
    b.snap("application-to-decide").await;
    b.click("form[action$='/approve'] [type=submit]").await;
    assert!(b.confirm_if_asked().await, "approving asks for confirmation");
    b.wait_until(|b| async move { !b.exists("form[action$='/approve']").await }).await;
    b.snap("application-approved").await;
    b.open(&format!("/p/{person}")).await;
    let categories = b.text("#categories").await;
    b.snap("file-after-approval").await;
    assert!(categories.contains("特困"), "recognised: {categories}");
    application
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revocation_is_proposed_and_confirmed() {
    run("revocation", |b| async move {
        if !b.route_exists("/p/x/revoke").await
            || !b.route_exists("/revocations/x").await
            || !b.route_exists("/p/x/apply").await
        {
            return;
        }
        let person = b.person_id(HARDSHIP_ID);
        hardship_recognised(&b, &person).await;
        b.sign_out().await;

        b.sign_in("caseworker").await;
        b.open(&format!("/p/{person}")).await;
        b.click(&format!("a[href='/p/{person}/revoke']")).await;
        b.wait_for("form.revocation-form").await;
        b.set("#reason", "employed").await;
        b.fill("#note", "已与某公司签订劳动合同").await;
        b.snap("revoke").await;
        b.click("form.revocation-form [type=submit]").await;
        // A review step before the proposal is sent.
        b.wait_for("#send-proposal").await;
        b.snap("revoke-review").await;
        b.click("#send-proposal").await;
        b.wait_until(|b| async move { b.path().await.starts_with("/revocations/") }).await;
        let proposal = b.path().await.split('?').next().unwrap().to_owned();
        b.snap("revocation-proposed").await;

        b.sign_out().await;
        b.sign_in("officer").await;
        b.open(&proposal).await;
        let proposed = b.text("#proposal-state").await;
        b.click("#confirm").await;
        assert!(b.confirm_if_asked().await, "confirming a revocation asks once more");
        b.wait_until(|b| async move { !b.exists("#confirm").await && !b.exists("#confirm-final").await }).await;
        let confirmed = b.text("#proposal-state").await;
        assert_ne!(proposed, confirmed);
        b.snap("revocation-confirmed").await;
        b.open(&format!("/p/{person}")).await;
        b.snap("file-after-revocation").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_documentation_works_offline_under_the_pages_policy() {
    run("api_docs", |b| async move {
        b.open("/api/docs/").await;
        // Swagger UI draws the document from its own files: no inline script needed.
        b.wait_for(".swagger-ui .info .title").await;
        assert!(b.text(".swagger-ui .info .title").await.contains("Yuanzhu"));
        b.wait_for(".opblock-tag").await;
        b.snap("api-docs").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_shows_its_progress_and_then_its_report() {
    run("import", |b| async move {
        if !b.route_exists("/import").await {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("registrations.csv");
        let header = "ref,id_number,name,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted";
        let good = format!("r1,{},吴四十一,{COMMUNITY},2016-05-01,true,true,true,true", person_id_number(41));
        let bad = format!("r2,{},吴四十二,{COMMUNITY},2016-05-01,maybe,true,true,true", person_id_number(42));
        std::fs::write(&file, format!("{header}\n{good}\n{bad}\n")).unwrap();
        b.sign_in("caseworker").await;
        b.open("/import").await;
        b.find("#file").await.send_keys(&file.display().to_string()).await.expect("choose the file");
        b.snap("import").await;
        b.click("form.import-form [type=submit]").await;
        // The progress page refreshes itself until the import has finished.
        b.wait_for("#import-finished").await;
        assert_eq!(b.text("#rows-done").await, "2");
        assert_eq!(b.text("#rows-rejected").await, "1");
        b.snap("import-finished").await;
    })
    .await;
}

/// Whether every label and count of the dashboard's chart lies inside the drawing, as the
/// browser measures the text.
const CHART_FITS: &str = "const svg = document.querySelector('svg.home-chart'); if (!svg) return 'no chart'; \
    const w = svg.viewBox.baseVal.width; const bad = []; \
    for (const t of svg.querySelectorAll('text')) { const b = t.getBBox(); \
      if (b.x < 0 || b.x + b.width > w + 0.5) bad.push(t.textContent + ' at ' + b.x.toFixed(1) + '..' + (b.x + b.width).toFixed(1) + ' of ' + w); } \
    return bad.join('; ');";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_finds_its_work_and_the_dashboards_labels_fit_in_both_languages() {
    run("roles", |b| async move {
        // A hardship status approved, so that the dashboard draws 特困's long label too; then the
        // street officer's queue of applications.
        let person = b.person_id(HARDSHIP_ID);
        hardship_recognised(&b, &person).await;
        b.sign_out().await;
        b.sign_in("caseworker").await;
        b.open("/").await;
        b.snap("home-caseworker").await;
        b.sign_out().await;
        b.sign_in("officer").await;
        b.open("/applications?state=all").await;
        assert!(b.exists("#application-queue").await, "the officer's queue lists the application");
        b.snap("applications").await;
        b.open("/").await;
        b.snap("home-officer").await;
        b.open("/no-such-page").await;
        assert!(b.text("h1").await.contains("页面不存在"));
        b.snap("not-found").await;
        b.sign_out().await;

        // The district supervisor's dashboard: no label clipped, in Chinese or in English.
        b.sign_in("district").await;
        b.open("/").await;
        b.wait_for("svg.home-chart").await;
        let clipped = b.client.execute(CHART_FITS, vec![]).await.expect("the script runs");
        assert_eq!(clipped, json!(""), "labels outside the chart (zh)");
        b.snap("dashboard").await;
        b.client.execute("document.querySelector('svg.home-chart').scrollIntoView()", vec![]).await.unwrap();
        b.snap("dashboard-chart").await;
        b.click("#lang-switch").await;
        b.wait_until(|b| async move { b.html_lang().await == "en" }).await;
        b.wait_for("svg.home-chart").await;
        let clipped = b.client.execute(CHART_FITS, vec![]).await.expect("the script runs");
        assert_eq!(clipped, json!(""), "labels outside the chart (en)");
        b.client.execute("document.querySelector('svg.home-chart').scrollIntoView()", vec![]).await.unwrap();
        b.snap("dashboard-chart-en").await;
    })
    .await;
}

/// Finding work from the file (就业登记): the record keeps the categories held that day, the
/// unemployment registration and the automatic categories end with it, and ending the work
/// names the record, chosen on the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn work_is_found_and_ended_from_the_file() {
    run("work", |b| async move {
        if !b.route_exists("/p/x/work").await {
            return;
        }
        let person = b.person_id(COMMUNITY_ID);
        b.sign_in("caseworker").await;
        b.open(&format!("/p/{person}")).await;
        let before = b.text("#categories").await;
        assert!(before.contains("大龄"), "recognised at registration: {before}");
        b.click(&format!("a[href='/p/{person}/work']")).await;
        b.wait_for("#work-start").await;
        assert!(b.exists("#work-none-open").await, "no work to end yet");
        b.set("#start-date", "2026-11-02").await;
        b.fill("#start-employer", "某物流公司").await;
        b.snap("work").await;
        b.click("#work-start [type=submit]").await;
        b.wait_until(|b| async move { b.exists("#done").await }).await;
        let after = b.text("#categories").await;
        assert!(!after.contains("大龄"), "the automatic category ended with the registration: {after}");
        b.snap("file-after-work").await;

        b.open(&format!("/p/{person}/work")).await;
        let records = b.text("#work-records").await;
        assert!(records.contains("某物流公司") && records.contains("大龄"), "what was held that day: {records}");
        assert!(b.exists("#work-end input[name=employment_id]:checked").await, "the only open work is chosen");
        b.set("#end-date", "2026-11-20").await;
        b.snap("work-end").await;
        b.click("#work-end [type=submit]").await;
        b.wait_until(|b| async move { b.exists("#done").await }).await;
        b.open(&format!("/p/{person}/work")).await;
        assert!(b.exists("#work-none-open").await, "nothing left to end");
        b.snap("work-ended").await;
    })
    .await;
}

/// A caseworker records a service from the file: a declined referral without its reason is
/// refused next to the fields, then recorded; it shows in the ledger with its article, in both
/// languages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_service_is_recorded_from_the_file_and_shows_in_the_ledger() {
    run("service", |b| async move {
        if !b.route_exists("/p/x/service").await {
            return;
        }
        let person = b.person_id(COMMUNITY_ID);
        b.sign_in("caseworker").await;
        b.open(&format!("/p/{person}")).await;
        b.click("#record-service").await;
        b.wait_for("#service-form").await;
        b.set("#service-kind", "job_referral").await;
        b.set("#service-date", "2026-11-30").await;
        b.set("#service-outcome", "declined").await;
        b.click("#service-form [type=submit]").await;
        b.wait_for("#service-errors").await;
        let errors = b.text("#service-errors").await;
        assert!(errors.contains("用人单位") && errors.contains("理由"), "{errors}");
        b.snap("service-refused").await;
        b.fill("#service-employer", "演示物业公司").await;
        b.fill("#service-note", "本人表示距离太远").await;
        b.click("#service-form [type=submit]").await;
        b.wait_until(|b| async move { b.exists("#done").await }).await;
        let ledger = b.text("#ledger").await;
        assert!(ledger.contains("职业介绍") && ledger.contains("本人拒绝") && ledger.contains("第八条"), "{ledger}");
        b.snap("file-ledger").await;
        b.click("#lang-switch").await;
        b.wait_until(|b| async move { b.html_lang().await == "en" }).await;
        let ledger = b.text("#ledger").await;
        assert!(ledger.contains("Job referral") && ledger.contains("declined"), "{ledger}");
        b.snap("file-ledger-en").await;
    })
    .await;
}

// ---------------------------------------------------------------------------------------------
// The office: accounts and persons every test starts with

/// 陈一, in the caseworker's community, on minimum living allowance (recognised on registration).
const COMMUNITY_ID: u32 = 1;
/// 林二, in another street.
const OTHER_COMMUNITY_ID: u32 = 2;
/// 陈三, in the caseworker's community, whose hardship status a revocation ends.
const HARDSHIP_ID: u32 = 3;

fn id_number(area: &str, birth: &str, serial: u32) -> String {
    let body = format!("{area}{}{serial:03}", birth.replace('-', ""));
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

fn person_id_number(serial: u32) -> String {
    id_number("440104", "1975-03-01", serial)
}

/// Units, accounts and persons; returns each person's serial and record key.
async fn office(store: &Store) -> Vec<(u32, String)> {
    for code in [COMMUNITY, OTHER_COMMUNITY] {
        units::add_community(store, code, &format!("测试社区{}", &code[9..]), &code[..9], true).await.unwrap();
    }
    let hash = yuanzhu_web::password::hash_now(PASSWORD);
    for (name, role, unit) in [
        ("caseworker", Role::CommunityWorker, COMMUNITY),
        ("officer", Role::StreetOfficer, STREET),
        ("district", Role::DistrictSupervisor, "440104"),
        ("neighbour", Role::CommunityWorker, OTHER_COMMUNITY),
    ] {
        accounts::create(store, name, role, &UnitCode::parse(unit).unwrap(), &hash, "test").await.unwrap();
    }
    let header = "ref,id_number,name,phone,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,minimum_living_allowance,disabled";
    let lines = [
        format!("p1,{},陈一,13800138001,{COMMUNITY},2016-05-01,true,true,true,true,true,false", person_id_number(1)),
        format!(
            "p2,{},林二,13800138002,{OTHER_COMMUNITY},2016-05-01,true,true,true,true,true,false",
            person_id_number(2)
        ),
        format!("p3,{},陈三,13800138003,{COMMUNITY},2016-05-01,true,true,true,true,true,false", person_id_number(3)),
    ];
    let text = std::iter::once(header.to_owned()).chain(lines).collect::<Vec<_>>().join("\n");
    let rows: Vec<_> = read_csv(text.as_bytes(), Date::parse("2026-11-26").unwrap(), Lang::Zh)
        .unwrap()
        .into_iter()
        .map(|r| r.expect("the office's rows are valid"))
        .collect();
    let known = persons::unit_codes(store).await.unwrap();
    let policies = PolicySet::embedded();
    let s = persons::register_batch(store, &rows, &known, "test", &policies, Lang::Zh).await.unwrap();
    assert!(s.rejected.is_empty(), "{:?}", s.rejected);
    let mut keys = Vec::new();
    for serial in [COMMUNITY_ID, OTHER_COMMUNITY_ID, HARDSHIP_ID] {
        let hits = search::search(store, &person_id_number(serial), search::Scope::Units("44"), 1).await.unwrap();
        keys.push((serial, hits[0].person_id.clone()));
    }
    keys
}

// ---------------------------------------------------------------------------------------------
// The harness: the server, chromedriver and one browser session per test

/// Runs one flow: the server on a fresh database, chromedriver, a browser session; closes the
/// browser whatever the flow did, then reports the flow's panic if any.
async fn run<F, Fut>(test: &'static str, flow: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some((chromium, chromedriver)) = browser_binaries() else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{SKIPPED} — under CI the browser must be installed (.ci/run installs it)");
        }
        loud(SKIPPED);
        return;
    };
    let _slot = SLOTS.acquire().await.expect("the semaphore stays open");
    // The artifact shows this run only: an earlier run's pages would mislead.
    if let Ok(entries) = std::fs::read_dir(screenshots_dir()) {
        let prefix = format!("{test}-");
        for e in entries.flatten().filter(|e| e.file_name().to_string_lossy().starts_with(&prefix)) {
            let _ = std::fs::remove_file(e.path());
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}/t.db", dir.path().display())).await.unwrap();
    store.init().await.unwrap();
    let keys = office(&store).await;
    let state = AppState::new(store, PolicySet::embedded(), Config { log_format: "text".into(), ..Config::default() });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(yuanzhu_web::serve(listener, state, async {
        let _ = stopped.await;
    }));

    let driver = Driver::start(&chromedriver, dir.path());
    let client = driver.session(&chromium, &dir.path().join("profile")).await;
    let browser = Browser { client: client.clone(), base, test, shots: std::sync::Arc::default(), keys: keys.into() };
    let outcome = tokio::spawn(flow(browser)).await;
    let console = client.issue_cmd(ConsoleLog).await;
    let _ = client.close().await;
    drop(driver);
    let _ = stop.send(());
    let _ = server.await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
    // The pages' Content-Security-Policy forbids inline script: whatever the browser refused
    // to run was a part of some page that no longer worked.
    let console = console.unwrap_or_else(|e| panic!("{test}: the browser's console log cannot be read: {e}"));
    let refused: Vec<&str> = console
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry["message"].as_str())
        .filter(|m| m.contains("Content Security Policy") || m.contains("Content-Security-Policy"))
        .collect();
    assert!(refused.is_empty(), "{test}: the browser refused what the pages asked of it: {refused:#?}");
}

/// The browser's console since the session began (chromedriver's log endpoint, which keeps
/// what `goog:loggingPrefs` asks for): where a violation of the Content-Security-Policy shows.
#[derive(Debug)]
struct ConsoleLog;

impl fantoccini::wd::WebDriverCompatibleCommand for ConsoleLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

/// The browser and its driver, found on the PATH (Debian: /usr/bin/chromium, /usr/bin/chromedriver).
fn browser_binaries() -> Option<(PathBuf, PathBuf)> {
    let find = |names: &[&str]| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path).flat_map(|d| names.iter().map(move |n| d.join(n))).find(|p| p.is_file())
    };
    Some((find(&["chromium", "chromium-browser", "google-chrome"])?, find(&["chromedriver"])?))
}

/// A chromedriver process on a free loopback port, in its own process group so that ending it
/// ends the browsers it started too.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(chromedriver: &Path, dir: &Path) -> Driver {
        use std::os::unix::process::CommandExt;
        let port = StdListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let log = std::fs::File::create(dir.join("chromedriver.log")).unwrap();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .process_group(0)
            .spawn()
            .expect("chromedriver starts");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver { child, port }
    }

    async fn session(&self, chromium: &Path, profile: &Path) -> Client {
        let caps = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                    "--disable-dev-shm-usage", "--window-size=1280,900", "--hide-scrollbars",
                    "--lang=zh-CN", "--accept-lang=zh-CN,zh",
                    format!("--user-data-dir={}", profile.display()),
                ],
                "prefs": { "intl.accept_languages": "zh-CN,zh" },
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let serde_json::Value::Object(caps) = caps else { unreachable!() };
        ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a browser session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
    }
}

/// One test's browser: navigation relative to the server, and a screenshot of every page.
#[derive(Clone)]
struct Browser {
    client: Client,
    base: String,
    test: &'static str,
    shots: std::sync::Arc<std::sync::atomic::AtomicU32>,
    keys: std::sync::Arc<Vec<(u32, String)>>,
}

impl Browser {
    async fn open(&self, path: &str) {
        self.client.goto(&format!("{}{path}", self.base)).await.unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("the current address");
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        }
    }

    async fn find(&self, css: &str) -> Element {
        match self.client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => {
                let page = self.client.source().await.unwrap_or_default();
                panic!("no {css} on {} ({}): {e}\n{page}", self.path().await, self.test)
            }
        }
    }

    async fn wait_for(&self, css: &str) {
        self.find(css).await;
    }

    async fn all(&self, css: &str) -> Vec<Element> {
        self.client.find_all(Locator::Css(css)).await.unwrap_or_default()
    }

    async fn exists(&self, css: &str) -> bool {
        !self.all(css).await.is_empty()
    }

    async fn wait_until<F, Fut>(&self, done: F)
    where
        F: Fn(Browser) -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let started = Instant::now();
        while !done(self.clone()).await {
            if started.elapsed() > Duration::from_secs(10) {
                self.snap("timed-out").await;
                let main = self.text("main").await;
                panic!("{}: timed out on {}:\n{main}", self.test, self.path().await);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("an element's text")
    }

    async fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.find(css).await.attr(name).await.expect("an attribute")
    }

    async fn html_lang(&self) -> String {
        self.attr("html", "lang").await.unwrap_or_default()
    }

    async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        e.clear().await.expect("clear a field");
        e.send_keys(text).await.expect("type into a field");
    }

    /// Chooses an option of a select, or sets an input's value (a date input takes typed keys
    /// in the browser's locale format, so its value is set directly).
    async fn set(&self, css: &str, value: &str) {
        let e = self.find(css).await;
        if e.tag_name().await.is_ok_and(|t| t == "select") {
            e.select_by_value(value).await.unwrap_or_else(|err| panic!("{css} has no option {value}: {err}"));
        } else {
            let arg = serde_json::to_value(&e).expect("an element as a script argument");
            // As typing would: the page's script hears of the change.
            let script = "arguments[0].value = arguments[1]; \
                          arguments[0].dispatchEvent(new Event('input', {bubbles: true})); \
                          arguments[0].dispatchEvent(new Event('change', {bubbles: true}));";
            self.client.execute(script, vec![arg, json!(value)]).await.expect("set");
        }
    }

    async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    async fn click_link(&self, text: &str) {
        let link = self.client.find(Locator::LinkText(text)).await.unwrap_or_else(|e| panic!("no link {text}: {e}"));
        link.click().await.expect("follow a link");
    }

    /// Submits the form a field is in, as pressing Enter would.
    async fn submit(&self, css: &str) {
        self.find(css).await.send_keys("\u{e007}").await.expect("press Enter");
    }

    /// Accepts the confirmation step a destructive or final act asks for (a page of its own
    /// with one button); says whether there was one.
    async fn confirm_if_asked(&self) -> bool {
        // The click that leads here may return before the next page has loaded: look for the
        // step for a while before deciding there is none.
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(3) {
            for button in ["#confirm-button", "#confirm-final"] {
                if self.exists(button).await {
                    self.snap("confirm-step").await;
                    self.click(button).await;
                    self.wait_until(|b| async move { !b.exists(button).await }).await;
                    return true;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        false
    }

    /// Accepts the browser's own confirmation dialog (a form marked `data-confirm`).
    async fn accept_dialog(&self) {
        let started = Instant::now();
        while self.client.accept_alert().await.is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "{}: no confirmation dialog", self.test);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn sign_in(&self, username: &str) {
        self.open("/login").await;
        self.sign_in_here(username).await;
    }

    async fn sign_in_here(&self, username: &str) {
        self.fill("#username", username).await;
        self.fill("#password", PASSWORD).await;
        self.click("#sign-in").await;
        self.wait_until(|b| async move { !b.path().await.starts_with("/login") }).await;
    }

    async fn sign_out(&self) {
        self.click("form[action='/logout'] [type=submit]").await;
        self.wait_until(|b| async move { b.path().await.starts_with("/login") }).await;
    }

    /// A registered person's record key (pages link to a file by it, never by ID number).
    fn person_id(&self, serial: u32) -> String {
        self.keys.iter().find(|(s, _)| *s == serial).map(|(_, k)| k.clone()).expect("one of the office's persons")
    }

    /// Whether the server has a route: a signed-out request is sent to sign in (303) or
    /// answered, where a missing route is 404. Says which route is missing when it is.
    async fn route_exists(&self, path: &str) -> bool {
        let status = http_status(&self.base, path).await;
        if status == 404 {
            loud(&format!("SKIPPED ({}): the page {path} does not exist yet", self.test));
        }
        status != 404
    }

    /// Saves a screenshot of the page as `target/screenshots/<test>-<n>-<page>.png`.
    async fn snap(&self, page: &str) {
        let n = self.shots.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let png = self.client.screenshot().await.expect("a screenshot");
        let dir = screenshots_dir();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{}-{n}-{page}.png", self.test)), png).unwrap();
    }
}

/// Written straight to the process's stderr: libtest captures `eprintln!` of passing tests, and
/// a skip nobody sees is worse than no test.
fn loud(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn screenshots_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("screenshots")
}

/// The status of a signed-out GET, over a bare HTTP/1.0 request.
async fn http_status(base: &str, path: &str) -> u16 {
    let host = base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(host).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").as_bytes()).await.unwrap();
    let mut head = vec![0; 12];
    s.read_exact(&mut head).await.unwrap();
    String::from_utf8_lossy(&head[9..12]).parse().unwrap()
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}
