//! Authentication on both databases: sign-in and its cookie, logout, idle and absolute expiry,
//! CSRF on state-changing requests, bearer tokens, disabled accounts, throttled sign-in, masked
//! output and the record of who opened which file.

mod common;

use axum::http::{Method, StatusCode, header};
use chrono::{Duration, Utc};
use common::{Answer, Client, PASSWORD, TestApp, apps, apps_configured, id_number};
use serde_json::{Value, json};
use yuanzhu_domain::access::Role;
use yuanzhu_storage::{accounts, audit, search, sessions};
use yuanzhu_web::Config;

fn stamp(t: chrono::DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn code(a: &Answer) -> &str {
    a.body["error"]["code"].as_str().unwrap_or_else(|| panic!("no error code in {} {}", a.status, a.text))
}

fn set_cookie(a: &Answer) -> String {
    a.headers.get(header::SET_COOKIE).expect("a Set-Cookie header").to_str().unwrap().to_owned()
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{2E80}'..='\u{9FFF}').contains(&c) || ('\u{FF00}'..='\u{FFEF}').contains(&c))
}

async fn sign_in_raw(app: &TestApp, username: &str, password: &str, extra: &[(&str, &str)]) -> Answer {
    let body = serde_json::to_vec(&json!({"username": username, "password": password})).unwrap();
    app.send(Method::POST, "/api/v1/session", &Client::Anonymous, Some(body), extra).await
}

fn cookie_of(client: &Client) -> String {
    match client {
        Client::Session { cookie, .. } => cookie.clone(),
        other => panic!("not a session: {other:?}"),
    }
}

/// A valid registration for the API, at `unit`.
fn registration(id: &str, unit: &str) -> Value {
    json!({
        "id_number": id, "name": "陈测试", "residence_unit": unit, "registered_on": "2016-05-01",
        "hukou_local": true, "registered_unemployed": true, "able_to_work": true, "willing_to_be_assisted": true,
    })
}

async fn whoami(app: &TestApp, client: &Client) -> Answer {
    app.call(Method::GET, "/api/v1/session", client, None).await
}

#[tokio::test]
async fn sign_in_sets_an_http_only_same_site_strict_cookie_secure_behind_tls() {
    for app in apps("auth_cookie").await {
        app.account("cookie.user", Role::CommunityWorker, "440104011").await;
        let a = sign_in_raw(&app, "cookie.user", PASSWORD, &[]).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        let c = set_cookie(&a);
        assert!(c.starts_with("yz_session="), "{c}");
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.contains("Path=/"), "{c}");
        assert!(!c.contains("Secure"), "no TLS, no Secure: {c}");
        assert!(a.body["csrf_token"].as_str().is_some_and(|t| t.len() >= 16), "{}", a.text);
        assert_eq!(a.body["role"], "community_worker");
        assert_eq!(a.body["unit"], "440104011");

        let a = sign_in_raw(&app, "cookie.user", PASSWORD, &[("x-forwarded-proto", "https")]).await;
        assert_eq!(a.status, StatusCode::OK);
        let c = set_cookie(&a);
        assert!(c.contains("; Secure") && c.contains("HttpOnly") && c.contains("SameSite=Strict"), "{c}");

        // The cookie works on its own for reading.
        let cookie = c.split(';').next().unwrap().to_owned();
        let me = app.send(Method::GET, "/api/v1/session", &Client::Anonymous, None, &[("cookie", &cookie)]).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.text);
        assert_eq!(me.body["username"], "cookie.user");
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_user_answer_the_same_401() {
    for app in apps("auth_bad").await {
        app.account("known.user", Role::StreetOfficer, "440104011").await;
        let wrong = sign_in_raw(&app, "known.user", "not-the-password", &[]).await;
        let unknown = sign_in_raw(&app, "nobody.here", PASSWORD, &[]).await;
        for a in [&wrong, &unknown] {
            assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.text);
            assert_eq!(code(a), "bad_credentials");
            assert!(a.headers.get(header::SET_COOKIE).is_none());
        }
        assert_eq!(wrong.body, unknown.body, "existence of an account must not leak");
        // Nothing signed in: anonymous requests are 401.
        let a = whoami(&app, &Client::Anonymous).await;
        assert_eq!((a.status, code(&a)), (StatusCode::UNAUTHORIZED, "unauthenticated"));
    }
}

#[tokio::test]
async fn logout_ends_the_session_and_clears_the_cookie() {
    for app in apps("auth_logout").await {
        let client = app.user("leaving.user", Role::Auditor, "440104").await;
        assert_eq!(whoami(&app, &client).await.status, StatusCode::OK);
        let out = app.call(Method::DELETE, "/api/v1/session", &client, None).await;
        assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.text);
        let c = set_cookie(&out);
        assert!(c.starts_with("yz_session=;") && c.contains("Max-Age=0"), "{c}");
        let after = whoami(&app, &client).await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED, "{}", after.text);
        let secret = cookie_of(&client).split_once('=').unwrap().1.to_owned();
        assert!(sessions::lookup(app.store(), &secret).await.unwrap().is_none(), "the session is gone");
    }
}

#[tokio::test]
async fn an_idle_session_and_one_past_its_absolute_expiry_answer_session_expired() {
    for app in apps("auth_expiry").await {
        let idle = app.user("idle.user", Role::Auditor, "440104").await;
        let fresh = app.user("fresh.user", Role::Auditor, "440104").await;
        let store = app.store();
        let idle_minutes = app.state.config.session_idle_minutes;
        let secret = |c: &Client| cookie_of(c).split_once('=').unwrap().1.to_owned();
        sessions::touch(store, &secret(&idle), &stamp(Utc::now() - Duration::minutes(idle_minutes + 1))).await.unwrap();
        // Just inside the idle limit still works.
        sessions::touch(store, &secret(&fresh), &stamp(Utc::now() - Duration::minutes(idle_minutes - 1)))
            .await
            .unwrap();
        // A session whose absolute expiry has passed, however recently it was used.
        let account = accounts::by_username(store, "fresh.user").await.unwrap().unwrap().0;
        let old_secret = "an-old-session-secret-0123456789";
        let past = stamp(Utc::now() - Duration::seconds(1));
        sessions::create(store, &account.id, old_secret, "old-csrf", &past).await.unwrap();
        let old = Client::Session { cookie: format!("yz_session={old_secret}"), csrf: "old-csrf".into() };
        for client in [&idle, &old] {
            let a = whoami(&app, client).await;
            assert_eq!((a.status, code(&a)), (StatusCode::UNAUTHORIZED, "session_expired"), "{}", a.text);
            // And it stays ended: the session is gone.
            assert!(sessions::lookup(store, &secret(client)).await.unwrap().is_none());
            let again = whoami(&app, client).await;
            assert_eq!(again.status, StatusCode::UNAUTHORIZED);
        }
        let a = whoami(&app, &fresh).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        let idle_again = app.sign_in("idle.user").await;
        sessions::touch(store, &secret(&idle_again), &stamp(Utc::now() - Duration::hours(1))).await.unwrap();
        let a = app.send(Method::GET, "/api/v1/session", &idle_again, None, &[("accept-language", "en")]).await;
        assert_eq!(code(&a), "session_expired");
        assert!(!has_cjk(a.body["error"]["message"].as_str().unwrap()), "{}", a.text);
    }
}

#[tokio::test]
async fn a_state_changing_request_without_or_with_a_wrong_csrf_token_is_403() {
    for app in apps("auth_csrf").await {
        let client = app.user("csrf.user", Role::CommunityWorker, "440104011").await;
        let cookie = cookie_of(&client);
        let body = serde_json::to_vec(&registration(&id_number("440104", "1980-01-01", 11), "440104011")).unwrap();
        let cases: [&[(&str, &str)]; 3] = [
            &[("cookie", &cookie)],
            &[("cookie", &cookie), ("x-csrf-token", "wrong-token")],
            &[("cookie", &cookie), ("x-csrf-token", "")],
        ];
        for extra in cases {
            let a = app.send(Method::POST, "/api/v1/persons", &Client::Anonymous, Some(body.clone()), extra).await;
            assert_eq!((a.status, code(&a)), (StatusCode::FORBIDDEN, "csrf"), "{extra:?}: {}", a.text);
            let a = app.send(Method::DELETE, "/api/v1/session", &Client::Anonymous, None, extra).await;
            assert_eq!((a.status, code(&a)), (StatusCode::FORBIDDEN, "csrf"), "{extra:?}: {}", a.text);
        }
        // Another session's token does not do either.
        let other = app.user("csrf.other", Role::CommunityWorker, "440104011").await;
        let Client::Session { csrf: other_csrf, .. } = &other else { unreachable!() };
        let a = app
            .send(
                Method::POST,
                "/api/v1/persons",
                &Client::Anonymous,
                Some(body.clone()),
                &[("cookie", &cookie), ("x-csrf-token", other_csrf)],
            )
            .await;
        assert_eq!((a.status, code(&a)), (StatusCode::FORBIDDEN, "csrf"), "{}", a.text);
        // Nothing was registered, and the session still works.
        let id = id_number("440104", "1980-01-01", 11);
        assert!(search::reach(app.store(), &id, "").await.unwrap().is_none(), "nothing was registered");
        assert_eq!(whoami(&app, &client).await.status, StatusCode::OK, "a GET needs no token");
        // With the right token the same request goes through.
        let a = app.send(Method::POST, "/api/v1/persons", &client, Some(body), &[]).await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    }
}

#[tokio::test]
async fn a_bearer_token_needs_no_csrf_and_a_revoked_or_expired_one_is_401() {
    for app in apps("auth_token").await {
        let account = app.account("machine", Role::CommunityWorker, "440104011").await;
        let store = app.store();
        let good = "good-token-0123456789abcdef";
        sessions::create_token(store, &account.id, good, "ci", None, "test").await.unwrap();
        let revoked = "revoked-token-0123456789abcdef";
        let revoked_id = sessions::create_token(store, &account.id, revoked, "old", None, "test").await.unwrap();
        assert!(sessions::revoke_token(store, &revoked_id, "test").await.unwrap());
        let expired = "expired-token-0123456789abcdef";
        let past = stamp(Utc::now() - Duration::minutes(1));
        sessions::create_token(store, &account.id, expired, "expired", Some(&past), "test").await.unwrap();

        let client = Client::Bearer(good.into());
        let me = whoami(&app, &client).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.text);
        assert_eq!(me.body["username"], "machine");
        assert!(me.body["csrf_token"].is_null());
        let body = registration(&id_number("440104", "1980-01-01", 21), "440104011");
        let a = app.call(Method::POST, "/api/v1/persons", &client, Some(body.clone())).await;
        assert_eq!(a.status, StatusCode::CREATED, "a bearer token needs no CSRF token: {}", a.text);

        for bad in [revoked, expired, "never-issued-token", ""] {
            let c = Client::Bearer(bad.into());
            let a = whoami(&app, &c).await;
            assert_eq!((a.status, code(&a)), (StatusCode::UNAUTHORIZED, "unauthenticated"), "{bad}: {}", a.text);
            let a = app.call(Method::POST, "/api/v1/persons", &c, Some(body.clone())).await;
            assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{bad}: {}", a.text);
        }
        let a =
            app.send(Method::GET, "/api/v1/session", &Client::Anonymous, None, &[("authorization", "Basic x")]).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.text);
    }
}

#[tokio::test]
async fn a_disabled_accounts_session_and_tokens_stop_working() {
    for app in apps("auth_disabled").await {
        let client = app.user("soon.gone", Role::StreetOfficer, "440104011").await;
        let account = accounts::by_username(app.store(), "soon.gone").await.unwrap().unwrap().0;
        sessions::create_token(app.store(), &account.id, "disabled-token-0123456789", "ci", None, "test")
            .await
            .unwrap();
        assert_eq!(whoami(&app, &client).await.status, StatusCode::OK);
        accounts::set_disabled(app.store(), "soon.gone", true, "test").await.unwrap();
        // Disabled behind the server's back (as by the command line): the server notices once
        // what it remembers has aged out, which the next test times; here, at once.
        app.state.credentials.clear();
        let a = whoami(&app, &client).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.text);
        let a = whoami(&app, &Client::Bearer("disabled-token-0123456789".into())).await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{}", a.text);
        // Nor can the account sign in again, and it answers like any wrong password.
        let a = sign_in_raw(&app, "soon.gone", PASSWORD, &[]).await;
        assert_eq!((a.status, code(&a)), (StatusCode::UNAUTHORIZED, "bad_credentials"), "{}", a.text);
    }
}

#[tokio::test]
async fn five_failed_sign_ins_lock_the_username_with_retry_after_in_both_languages() {
    for app in apps("auth_throttle").await {
        app.account("target.user", Role::CommunityWorker, "440104011").await;
        app.account("bystander", Role::CommunityWorker, "440104011").await;
        for i in 0..5 {
            let a = sign_in_raw(&app, "target.user", "wrong-password", &[]).await;
            assert_eq!((a.status, code(&a)), (StatusCode::UNAUTHORIZED, "bad_credentials"), "attempt {i}: {}", a.text);
        }
        // Even the right password, in any case of the name, is refused now.
        for (name, lang) in [("target.user", "zh-CN"), ("Target.User", "en")] {
            let a = sign_in_raw(&app, name, PASSWORD, &[("accept-language", lang)]).await;
            assert_eq!((a.status, code(&a)), (StatusCode::TOO_MANY_REQUESTS, "throttled"), "{}", a.text);
            assert!(a.headers.get(header::SET_COOKIE).is_none());
            let retry: i64 =
                a.headers.get(header::RETRY_AFTER).expect("Retry-After").to_str().unwrap().parse().unwrap();
            assert!((1..=15 * 60).contains(&retry), "Retry-After {retry}");
            let message = a.body["error"]["message"].as_str().unwrap();
            if lang == "en" {
                assert!(!has_cjk(message) && message.contains("minutes"), "{message}");
            } else {
                assert!(has_cjk(message), "{message}");
            }
        }
        // Another username is unaffected.
        assert_eq!(sign_in_raw(&app, "bystander", PASSWORD, &[]).await.status, StatusCode::OK);
        // Unknown names are throttled alike, so the 429 tells nothing about which accounts exist.
        for _ in 0..5 {
            assert_eq!(sign_in_raw(&app, "ghost.user", "x-wrong-pass", &[]).await.status, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(sign_in_raw(&app, "ghost.user", PASSWORD, &[]).await.status, StatusCode::TOO_MANY_REQUESTS);
        // Five failures that ended more than 15 minutes ago lock nothing any more.
        app.account("earlier.user", Role::Auditor, "440104").await;
        for minutes in [40, 35, 30, 25, 20] {
            sessions::record_failure(app.store(), "earlier.user", Utc::now() - Duration::minutes(minutes))
                .await
                .unwrap();
        }
        let a = sign_in_raw(&app, "earlier.user", PASSWORD, &[]).await;
        assert_eq!(a.status, StatusCode::OK, "the lock lasts 15 minutes: {}", a.text);
        // Five within 15 minutes, the last one 14 minutes ago: still locked, for about a minute.
        for minutes in [20, 18, 17, 16, 14] {
            sessions::record_failure(app.store(), "later.user", Utc::now() - Duration::minutes(minutes)).await.unwrap();
        }
        let a = sign_in_raw(&app, "later.user", PASSWORD, &[]).await;
        assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.text);
        let retry: i64 = a.headers.get(header::RETRY_AFTER).unwrap().to_str().unwrap().parse().unwrap();
        assert!((1..=61).contains(&retry), "Retry-After {retry}");
    }
}

#[tokio::test]
async fn four_failures_then_success_do_not_lock_and_clear_the_count() {
    for app in apps("auth_four").await {
        app.account("careful.user", Role::Auditor, "440104").await;
        for _ in 0..4 {
            sign_in_raw(&app, "careful.user", "wrong-password", &[]).await;
        }
        assert_eq!(sign_in_raw(&app, "careful.user", PASSWORD, &[]).await.status, StatusCode::OK);
        for _ in 0..4 {
            sign_in_raw(&app, "careful.user", "wrong-password", &[]).await;
        }
        assert_eq!(sign_in_raw(&app, "careful.user", PASSWORD, &[]).await.status, StatusCode::OK);
    }
}

const PHONE: &str = "13812345678";

/// A person at 440104011001 with a phone, and the ID number.
async fn person_with_phone(app: &TestApp) -> String {
    app.community("440104011001").await;
    let id = id_number("440106", "1975-01-01", 123);
    app.register(&[&format!("a,{id},林测试,{PHONE},440104011001,2016-03-01,true,true,true,true,,")]).await;
    id
}

fn masked_id(id: &str) -> String {
    format!("{}********{}", &id[..6], &id[14..])
}

#[tokio::test]
async fn search_results_mask_id_and_phone_numbers() {
    for app in apps("auth_mask_search").await {
        let id = person_with_phone(&app).await;
        let client = app.user("caseworker", Role::CommunityWorker, "440104011001").await;
        for q in ["林测试", id.as_str(), PHONE] {
            let a = app.call(Method::GET, &format!("/api/v1/persons?q={}", urlencode(q)), &client, None).await;
            assert_eq!(a.status, StatusCode::OK, "{}", a.text);
            let hits = a.body.as_array().unwrap();
            assert_eq!(hits.len(), 1, "{q}: {}", a.text);
            assert_eq!(hits[0]["id_number"], masked_id(&id));
            assert_eq!(hits[0]["phone"], "138****5678");
            assert!(!a.text.contains(&id) && !a.text.contains(PHONE), "{}", a.text);
        }
    }
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn the_file_shows_full_numbers_to_a_caseworker_and_masked_ones_to_readers() {
    for app in apps("auth_mask_file").await {
        let id = person_with_phone(&app).await;
        let path = format!("/api/v1/persons/{id}");
        let full =
            [("caseworker", Role::CommunityWorker, "440104011001"), ("officer", Role::StreetOfficer, "440104011")];
        for (name, role, unit) in full {
            let client = app.user(name, role, unit).await;
            let a = app.call(Method::GET, &path, &client, None).await;
            assert_eq!(a.status, StatusCode::OK, "{name}: {}", a.text);
            assert!(a.text.contains(&id) && a.text.contains(PHONE), "{name} sees full numbers: {}", a.text);
        }
        let masked = [
            ("hotline", Role::HotlineOperator, "440104011"),
            ("auditor", Role::Auditor, "440104"),
            ("supervisor", Role::DistrictSupervisor, "440104"),
        ];
        for (name, role, unit) in masked {
            let client = app.user(name, role, unit).await;
            let a = app.call(Method::GET, &path, &client, None).await;
            assert_eq!(a.status, StatusCode::OK, "{name}: {}", a.text);
            assert!(!a.text.contains(&id) && !a.text.contains(PHONE), "{name} must see masked numbers: {}", a.text);
            assert!(a.text.contains(&masked_id(&id)) && a.text.contains("138****5678"), "{name}: {}", a.text);
        }
    }
}

#[tokio::test]
async fn opening_a_file_appends_a_viewed_event_naming_the_user() {
    for app in apps("auth_viewed").await {
        let id = person_with_phone(&app).await;
        let person_id = search::reach(app.store(), &id, "").await.unwrap().unwrap().person_id;
        let viewed = |events: &[audit::Event]| {
            events.iter().filter(|e| e.action.ends_with("viewed")).map(|e| e.actor.clone()).collect::<Vec<_>>()
        };
        assert!(viewed(&audit::of_person(app.store(), &person_id).await.unwrap()).is_empty());
        let client = app.user("reader.one", Role::HotlineOperator, "440104011").await;
        let outsider = app.user("reader.two", Role::HotlineOperator, "440104012").await;
        for _ in 0..2 {
            assert_eq!(
                app.call(Method::GET, &format!("/api/v1/persons/{id}"), &client, None).await.status,
                StatusCode::OK
            );
        }
        // An outsider's 404 is not an opening, and a search is not one either.
        let a = app.call(Method::GET, &format!("/api/v1/persons/{id}"), &outsider, None).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND);
        app.call(Method::GET, "/api/v1/persons?q=%E6%9E%97", &client, None).await;
        let events = audit::of_person(app.store(), &person_id).await.unwrap();
        assert_eq!(viewed(&events), ["reader.one", "reader.one"], "{events:?}");
        // The opening is in the audit trail, not in the file's timeline.
        let a = app.call(Method::GET, &format!("/api/v1/persons/{id}"), &client, None).await;
        assert!(!a.text.contains("viewed"), "{}", a.text);
    }
}

/// A server remembers what a cookie or token stood for during `auth_cache_seconds`: a change made
/// behind its back (another server, the command line) takes effect within that time, and no later.
/// Sign-out and disabling through the server itself take effect at once (the tests above run with
/// the default of 5 s).
#[tokio::test]
async fn a_change_made_elsewhere_takes_effect_within_the_auth_cache_lifetime() {
    let config = Config { log_format: "text".into(), auth_cache_seconds: 1, ..Config::default() };
    for app in apps_configured("auth_cache", config).await {
        let client = app.user("cached.user", Role::Auditor, "440104").await;
        let account = accounts::by_username(app.store(), "cached.user").await.unwrap().unwrap().0;
        let token = "cached-token-0123456789abcdef";
        let token_id = sessions::create_token(app.store(), &account.id, token, "ci", None, "test").await.unwrap();
        let bearer = Client::Bearer(token.into());
        assert_eq!(whoami(&app, &client).await.status, StatusCode::OK);
        assert_eq!(whoami(&app, &bearer).await.status, StatusCode::OK);

        let secret = cookie_of(&client).split_once('=').unwrap().1.to_owned();
        sessions::delete(app.store(), &secret).await.unwrap();
        assert!(sessions::revoke_token(app.store(), &token_id, "test").await.unwrap());
        assert_eq!(whoami(&app, &client).await.status, StatusCode::OK, "remembered for up to a second");
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        for c in [&client, &bearer] {
            let a = whoami(&app, c).await;
            assert_eq!((a.status, code(&a)), (StatusCode::UNAUTHORIZED, "unauthenticated"), "{}", a.text);
        }
    }
}

/// What the database says the session was last seen at.
async fn last_seen(app: &TestApp, secret: &str) -> chrono::DateTime<Utc> {
    let session = sessions::lookup(app.store(), secret).await.unwrap().expect("the session exists");
    chrono::DateTime::parse_from_rfc3339(&session.last_seen_at).unwrap().with_timezone(&Utc)
}

/// With a one-minute idle limit, a user who does something every 20 seconds stays signed in:
/// each request extends the idle window. Time passes by moving the recorded last-seen time back
/// and forgetting what the server remembered (as `auth_cache_seconds` would).
#[tokio::test]
async fn activity_every_20_seconds_keeps_a_one_minute_idle_session_alive() {
    let config = Config { log_format: "text".into(), session_idle_minutes: 1, ..Config::default() };
    for app in apps_configured("auth_idle_activity", config).await {
        let client = app.user("busy.user", Role::Auditor, "440104").await;
        let secret = cookie_of(&client).split_once('=').unwrap().1.to_owned();
        for step in 1..=6 {
            let seen = last_seen(&app, &secret).await;
            sessions::touch(app.store(), &secret, &stamp(seen - Duration::seconds(20))).await.unwrap();
            app.state.credentials.clear();
            let a = whoami(&app, &client).await;
            assert_eq!(a.status, StatusCode::OK, "request {step}, 20 s after the last: {}", a.text);
            let written = last_seen(&app, &secret).await;
            assert!(Utc::now() - written < Duration::seconds(5), "request {step} extended the window: {written}");
        }
        // A request right after another writes nothing.
        let before = last_seen(&app, &secret).await;
        assert_eq!(whoami(&app, &client).await.status, StatusCode::OK);
        assert_eq!(last_seen(&app, &secret).await, before, "not a write per request");
        // Idle for the whole minute, it ends.
        sessions::touch(app.store(), &secret, &stamp(Utc::now() - Duration::seconds(61))).await.unwrap();
        app.state.credentials.clear();
        assert_eq!(code(&whoami(&app, &client).await), "session_expired");
    }
}

/// A server that remembers an old copy of a session must not end it when another server has
/// recorded activity since: it asks the database before ending it.
#[tokio::test]
async fn a_stale_remembered_session_is_checked_in_the_database_before_it_is_ended() {
    let config = Config { log_format: "text".into(), session_idle_minutes: 1, ..Config::default() };
    for app in apps_configured("auth_idle_stale_copy", config).await {
        let client = app.user("two.servers", Role::Auditor, "440104").await;
        let secret = cookie_of(&client).split_once('=').unwrap().1.to_owned();
        let mut stale = sessions::lookup(app.store(), &secret).await.unwrap().unwrap();
        stale.last_seen_at = stamp(Utc::now() - Duration::minutes(5));
        app.state.credentials.keep_session(&secret, stale);
        let a = whoami(&app, &client).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
    }
}
