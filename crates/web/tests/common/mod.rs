//! What the server tests share: the real application on each database (SQLite, and PostgreSQL
//! where installed), accounts, sign-in, and requests through the whole middleware stack.
#![allow(dead_code, reason = "each test binary uses a different part of this module")]

use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::Role;
use yuanzhu_domain::registration::read_csv;
use yuanzhu_rules::{Date, Lang, PolicySet};
use yuanzhu_storage::{Store, accounts, persons, units};
use yuanzhu_test_support::office::{self, Office, Post};
use yuanzhu_test_support::person::{self, PersonBuilder};
use yuanzhu_web::{AppState, Config, app};

/// The columns [`TestApp::register`] takes: a [`PersonBuilder::csv_row`] fits under them.
pub use yuanzhu_test_support::person::REGISTRATION_HEADER;

/// The password every test account gets.
pub const PASSWORD: &str = "correct-horse-battery";

/// One running application on one database.
pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    _dir: Option<tempfile::TempDir>,
}

/// A signed-in client: its cookie and CSRF token, or a bearer token.
#[derive(Debug, Clone)]
pub enum Client {
    Anonymous,
    Session { cookie: String, csrf: String },
    Bearer(String),
}

/// An answer: status, headers and the body as JSON (Null when empty or not JSON).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

/// The application on a fresh SQLite file and, where PostgreSQL is installed, on a fresh
/// PostgreSQL database; each initialised (schema and unit tree).
pub async fn apps(suite: &str) -> Vec<TestApp> {
    apps_configured(suite, Config { log_format: "text".into(), dashboard_cache_seconds: 0, ..Config::default() }).await
}

/// [`apps`] with a configuration of the test's own.
pub async fn apps_configured(suite: &str, config: Config) -> Vec<TestApp> {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = tempfile::tempdir().unwrap();
    let mut stores = vec![(Store::connect(&format!("sqlite:{}/t.db", dir.path().display())).await.unwrap(), Some(dir))];
    if let Some(pg) = yuanzhu_test_support::shared() {
        let name = format!("web_{suite}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        stores.push((Store::connect(&pg.create_database(&name)).await.unwrap(), None));
    }
    let mut out = Vec::new();
    for (store, dir) in stores {
        store.init().await.unwrap();
        let state = AppState::new(store, PolicySet::embedded(), config.clone());
        out.push(TestApp { router: app(state.clone()), state, _dir: dir });
    }
    out
}

impl TestApp {
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Adds a community (12-digit code) under its street, if missing.
    pub async fn community(&self, code: &str) {
        units::add_community(self.store(), code, &format!("测试社区{}", &code[9..]), &code[..9], true).await.unwrap();
    }

    /// Creates an account with [`PASSWORD`].
    pub async fn account(&self, username: &str, role: Role, unit: &str) -> accounts::Account {
        let hash = yuanzhu_web::password::hash_now(PASSWORD);
        accounts::create(self.store(), username, role, &UnitCode::parse(unit).unwrap(), &hash, "test").await.unwrap()
    }

    /// Signs in and returns the client, panicking if sign-in fails.
    pub async fn sign_in(&self, username: &str) -> Client {
        let a = self
            .call(
                Method::POST,
                "/api/v1/session",
                &Client::Anonymous,
                Some(serde_json::json!({"username": username, "password": PASSWORD})),
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "sign-in of {username}: {}", a.text);
        let cookie = a.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
        let cookie = cookie.split(';').next().unwrap().to_owned();
        Client::Session { cookie, csrf: a.body["csrf_token"].as_str().unwrap().to_owned() }
    }

    /// An account of `role` at `unit`, signed in.
    pub async fn user(&self, username: &str, role: Role, unit: &str) -> Client {
        self.account(username, role, unit).await;
        self.sign_in(username).await
    }

    /// The standard office of `yuanzhu_test_support::office`: its communities added, and one
    /// account per post, each signed in.
    pub async fn office(&self) -> Office<Client> {
        for community in office::COMMUNITIES {
            self.community(community).await;
        }
        let posts = Office::STANDARD;
        Office {
            city_admin: self.post(&posts.city_admin).await,
            district_supervisor: self.post(&posts.district_supervisor).await,
            street_officer: self.post(&posts.street_officer).await,
            caseworker: self.post(&posts.caseworker).await,
            hotline: self.post(&posts.hotline).await,
            social_worker: self.post(&posts.social_worker).await,
            auditor: self.post(&posts.auditor).await,
            stranger: self.post(&posts.stranger).await,
        }
    }

    async fn post(&self, post: &Post) -> Client {
        self.user(post.username, post.role, post.unit).await
    }

    /// Registers these persons straight in the store, as one file of every column they have.
    pub async fn register_persons(&self, persons: &[&PersonBuilder]) {
        self.register_csv(&person::csv(persons)).await;
    }

    /// Registers persons straight in the store from CSV lines under [`REGISTRATION_HEADER`].
    pub async fn register(&self, lines: &[&str]) {
        let text = std::iter::once(REGISTRATION_HEADER).chain(lines.iter().copied()).collect::<Vec<_>>().join("\n");
        self.register_csv(&text).await;
    }

    /// Registers persons straight in the store from a whole CSV text, header included.
    pub async fn register_csv(&self, text: &str) {
        let rows: Vec<_> = read_csv(text.as_bytes(), Date::parse("2026-11-26").unwrap(), Lang::Zh)
            .unwrap()
            .into_iter()
            .map(|r| r.expect("test rows are valid"))
            .collect();
        let units = persons::unit_codes(self.store()).await.unwrap();
        let s =
            persons::register_batch(self.store(), &rows, &units, "test", &self.state.policies, Lang::Zh).await.unwrap();
        assert!(s.rejected.is_empty(), "{:?}", s.rejected);
    }

    /// A request through the whole application, with the client's credentials; the CSRF token
    /// goes along on state-changing requests.
    pub async fn call(&self, method: Method, uri: &str, client: &Client, body: Option<Value>) -> Answer {
        let body = body.map(|b| serde_json::to_vec(&b).unwrap());
        self.send(method, uri, client, body, &[]).await
    }

    /// Like [`TestApp::call`] with raw bytes and extra headers.
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        client: &Client,
        body: Option<Vec<u8>>,
        extra: &[(&str, &str)],
    ) -> Answer {
        let mut r = Request::builder().method(method.clone()).uri(uri);
        match client {
            Client::Anonymous => {}
            Client::Session { cookie, csrf } => {
                r = r.header(header::COOKIE, cookie);
                if !matches!(method, Method::GET | Method::HEAD) {
                    r = r.header("x-csrf-token", csrf);
                }
            }
            Client::Bearer(token) => r = r.header(header::AUTHORIZATION, format!("Bearer {token}")),
        }
        if body.is_some() {
            r = r.header(header::CONTENT_TYPE, "application/json");
        }
        for (k, v) in extra {
            r = r.header(*k, *v);
        }
        let request = r.body(body.map_or_else(Body::empty, Body::from)).unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Answer { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null), text }
    }

    /// A form post as a browser sends it: the session cookie and the fields urlencoded, with the
    /// page's token only if the fields carry it (`csrf_token`), never as a header.
    pub async fn form(&self, client: &Client, uri: &str, fields: &[(&str, &str)]) -> Answer {
        let Client::Session { cookie, .. } = client else { panic!("a browser has a session") };
        let body = fields.iter().map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v))).collect::<Vec<_>>();
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.join("&")))
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        Answer { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null), text }
    }
}

/// Percent-encoding of a form field (`application/x-www-form-urlencoded`, spaces as `%20`).
pub fn url_encode(text: &str) -> String {
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

/// Where a redirect (303) sends the browser.
#[track_caller]
pub fn location(a: &Answer) -> String {
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.text);
    a.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned()
}

/// A valid 18-digit ID number for a birth date and a serial (check character computed).
pub fn id_number(area: &str, birth: &str, serial: u32) -> String {
    yuanzhu_rules::synthetic::with_check(&format!("{area}{}{serial:03}", birth.replace('-', "")))
}
