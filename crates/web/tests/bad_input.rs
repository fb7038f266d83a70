//! Bad input never produces a 500 (issue #4), on both databases: generated bad input against
//! every operation of `yuanzhu_web::openapi()`, so that a new endpoint is covered without a line
//! here. Each case sends, anonymously or as a signed-in city_admin with its CSRF token, in zh or
//! en: path parameters that are real-looking or garbage (percent-encoded junk, NUL, huge), a
//! query string of garbage with repeated keys, and a body of random bytes, garbled JSON, JSON of
//! the wrong shape, or an object with the operation's own fields (from its request body schema)
//! given wrong types, huge strings, control characters, odd unicode and escaped lone surrogates,
//! under a right or wrong content type.
//!
//! Every answer is below 500, and every 4xx is exactly `{"error":{"code","field","message"}}`
//! with its message in the caller's language: no CJK character in English, at least one in
//! Chinese (the default). The generated text holds no CJK character itself, so an English
//! message that echoes the input still has none.

mod common;

use std::cell::RefCell;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{Client, TestApp, apps};
use http_body_util::BodyExt;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use tower::ServiceExt;
use yuanzhu_domain::access::Role;

const COMMUNITY: &str = "440104011001";

/// One operation of the OpenAPI document, with what its input is made of.
#[derive(Debug, Clone)]
struct Operation {
    method: Method,
    path: String,
    path_params: Vec<String>,
    query_params: Vec<String>,
    /// The properties of its JSON request body, where the document names them.
    fields: Vec<String>,
}

/// Every operation, read from the OpenAPI document as JSON.
fn operations() -> Vec<Operation> {
    let doc = serde_json::to_value(yuanzhu_web::openapi()).unwrap();
    let schemas = &doc["components"]["schemas"];
    let resolve = |s: &Value| -> Value {
        match s["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
            Some(name) => schemas[name].clone(),
            None => s.clone(),
        }
    };
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (m, op) in item.as_object().unwrap() {
            let Ok(method) = Method::from_bytes(m.to_ascii_uppercase().as_bytes()) else { continue };
            if !op.is_object() || m == "parameters" {
                continue;
            }
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let named = |place: &str| -> Vec<String> {
                params
                    .iter()
                    .filter(|p| p["in"] == place)
                    .filter_map(|p| p["name"].as_str().map(str::to_owned))
                    .collect()
            };
            let mut fields = Vec::new();
            if let Some(content) = op["requestBody"]["content"].as_object() {
                for media in content.values() {
                    let schema = resolve(&media["schema"]);
                    let mut schemas = vec![schema.clone()];
                    // A body that is one thing or an array of them names the thing's fields.
                    for key in ["oneOf", "anyOf", "allOf"] {
                        schemas.extend(schema[key].as_array().into_iter().flatten().map(&resolve));
                    }
                    schemas.push(resolve(&schema["items"]));
                    for s in schemas {
                        fields.extend(s["properties"].as_object().into_iter().flat_map(|p| p.keys().cloned()));
                        // A free-form body (a registration's columns) names its fields in its example.
                        let example = if s["example"].is_array() { &s["example"][0] } else { &s["example"] };
                        fields.extend(example.as_object().into_iter().flat_map(|p| p.keys().cloned()));
                    }
                }
            }
            fields.sort();
            fields.dedup();
            out.push(Operation {
                method,
                path: path.clone(),
                path_params: named("path"),
                query_params: named("query"),
                fields,
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Generated input
// ---------------------------------------------------------------------------------------------

/// One generated request.
#[derive(Debug, Clone)]
struct Case {
    anonymous: bool,
    english: bool,
    /// Each path parameter's segment, already encoded for the URI.
    segments: Vec<String>,
    query: String,
    body: Option<Vec<u8>>,
    content_type: Option<&'static str>,
}

/// Characters that make trouble, and none of them CJK: controls and NUL, bidi and zero-width
/// marks, combining marks, emoji and their joiners, noncharacters, other scripts.
fn odd_char() -> BoxedStrategy<char> {
    prop_oneof![
        3 => proptest::char::range(' ', '~'),
        2 => proptest::char::range('\0', '\u{1f}'),
        2 => proptest::sample::select(vec![
            '\u{7f}', '\u{85}', '\u{a0}', '\u{200b}', '\u{200d}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202e}',
            '\u{2066}', '\u{2069}', '\u{2028}', '\u{2029}', '\u{feff}', '\u{fffd}', '\u{fffe}', '\u{ffff}',
            '\u{10ffff}', '\u{0301}', '\u{0336}', '\u{20dd}', '😀', '👨', '🏳', '\u{fe0f}', 'א', 'ع', 'Ω', 'ß', 'İ',
            '"', '\\', '\'', '%', '/', '?', '#', '&', '=', ';', '<', '>', '{', '}',
        ]),
        1 => any::<char>().prop_filter("no CJK", |c| !is_cjk(*c)),
    ]
    .boxed()
}

fn odd_string() -> BoxedStrategy<String> {
    prop_oneof![
        6 => proptest::collection::vec(odd_char(), 0..24).prop_map(|cs| cs.into_iter().collect()),
        1 => (odd_char(), 1000usize..1100).prop_map(|(c, n)| c.to_string().repeat(n)),
        // About 100 KB.
        1 => proptest::sample::select(vec!["a", "\u{0}", "😀", "e\u{301}", "\u{202e}"])
            .prop_map(|s| s.repeat(100 * 1024 / s.len())),
    ]
    .boxed()
}

/// Percent-encodes everything but unreserved ASCII.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A path segment: a real-looking value for the parameter, or garbage.
fn segment(real: Vec<String>) -> BoxedStrategy<String> {
    let junk = vec![
        "%00",
        "%FF%FE",
        "%C0%AF",
        "%ED%A0%80",
        "..%2F..%2Fetc%2Fpasswd",
        "%2F",
        "%25",
        "%",
        "%zz",
        "%E4",
        "-1",
        "0",
        "99999999999999999999999999",
        "null",
        "%27%3B%20DROP%20TABLE%20persons%3B--",
        "44010619700101001X%00",
        "440106197001010010",
        "01900000-0000-7000-8000-000000000000",
    ];
    let real = if real.is_empty() { vec!["x".to_owned()] } else { real };
    prop_oneof![
        2 => proptest::sample::select(real),
        2 => proptest::sample::select(junk).prop_map(str::to_owned),
        3 => odd_string().prop_map(|s| encode(&s)),
    ]
    .boxed()
}

/// A query string of garbage: the operation's own keys and made-up ones, repeated, with odd
/// values; or raw junk.
fn query(keys: Vec<String>) -> BoxedStrategy<String> {
    let mut keys = keys;
    keys.extend(["x", "", "q[]", "limit", "on", "%00"].map(str::to_owned));
    let value = prop_oneof![
        proptest::sample::select(vec![
            "",
            "-1",
            "0",
            "1e400",
            "18446744073709551616",
            "true",
            "null",
            "2016-02-30",
            "%00",
            "%FF",
            "%",
            "%zz",
            "a%26b%3Dc",
            "+",
        ])
        .prop_map(str::to_owned),
        odd_string().prop_map(|s| encode(&s)),
    ];
    prop_oneof![
        4 => proptest::collection::vec((proptest::sample::select(keys), value), 0..6).prop_map(|pairs| {
            pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
        }),
        1 => proptest::sample::select(vec!["&&&", "=", "==&=", "a", "a&a&a", "%", "%%%", "a=1;b=2", "?"])
            .prop_map(str::to_owned),
    ]
    .boxed()
}

/// A JSON value's text, for a field: wrong types, odd strings, numbers out of range, escaped
/// lone surrogates and deep nesting (which serde_json cannot make, so they are written as text).
fn value_text() -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        odd_string().prop_map(Value::String),
    ];
    let value = leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(odd_string(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    });
    prop_oneof![
        6 => value.prop_map(|v| v.to_string()),
        1 => proptest::sample::select(vec![
            r#""\ud800""#,
            r#""\udfff\ud800""#,
            r#""a\u0000b""#,
            r#""\uD83D""#,
            "1e999999",
            "-1e999999",
            "18446744073709551616",
            "-0",
            "0.0000000000000000000000000000001",
            "NaN",
            "Infinity",
            "undefined",
            "'single'",
            "\"unterminated",
            "[1,]",
            "{\"a\":}",
        ])
        .prop_map(str::to_owned),
        1 => (1usize..3000).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n))),
    ]
    .boxed()
}

/// A body: none, random bytes, garbled JSON, JSON of the wrong shape, or an object of the
/// operation's fields (and made-up ones, and repeated ones) with bad values.
fn body(fields: Vec<String>) -> BoxedStrategy<Option<Vec<u8>>> {
    let mut keys = fields;
    keys.extend(["", "version", "on", "__proto__", "x\u{0}"].map(str::to_owned));
    let object = proptest::collection::vec((proptest::sample::select(keys), value_text()), 0..8).prop_map(|pairs| {
        let inner: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{}:{v}", Value::String(k))).collect();
        format!("{{{}}}", inner.join(","))
    });
    let text = prop_oneof![
        6 => object.clone(),
        2 => value_text(),
        // Garbled: an object cut short, or with a byte changed.
        2 => (object, any::<prop::sample::Index>(), any::<u8>()).prop_map(|(o, at, b)| {
            let mut bytes = o.into_bytes();
            let i = at.index(bytes.len());
            if b % 2 == 0 {
                bytes.truncate(i);
            } else {
                bytes[i] = b;
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }),
    ];
    prop_oneof![
        1 => Just(None),
        6 => text.prop_map(|t| Some(t.into_bytes())),
        2 => proptest::collection::vec(any::<u8>(), 0..512).prop_map(Some),
        1 => Just(Some(b"\xEF\xBB\xBF{}".to_vec())),
        1 => Just(Some(b"\xFF\xFE{\x00}\x00".to_vec())),
    ]
    .boxed()
}

fn content_type() -> BoxedStrategy<Option<&'static str>> {
    prop_oneof![
        6 => Just(Some("application/json")),
        4 => proptest::sample::select(vec![
            None,
            Some(""),
            Some("text/plain"),
            Some("text/csv"),
            Some("application/x-www-form-urlencoded"),
            Some("multipart/form-data; boundary=x"),
            Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            Some("application/json; charset=utf-16"),
            Some("application/problem+json"),
            Some("garbage/\u{7f}"),
            Some("*/*"),
        ]),
    ]
    .boxed()
}

/// Real-looking values for a path parameter, by its name.
fn real_values(name: &str, world: &World) -> Vec<String> {
    match name {
        "id_number" => vec![world.person.clone(), "440106195001010015".into()],
        "username" => vec!["target.user".into(), "no.such.user".into()],
        "id" => vec![world.application.clone(), "01900000-0000-7000-8000-000000000000".into()],
        "household_ref" => vec!["hh-1".into(), "no-such-household".into()],
        _ => vec![],
    }
}

fn case(op: &Operation, world: &World) -> BoxedStrategy<Case> {
    let segments: Vec<BoxedStrategy<String>> = op.path_params.iter().map(|p| segment(real_values(p, world))).collect();
    (any::<bool>(), any::<bool>(), segments, query(op.query_params.clone()), body(op.fields.clone()), content_type())
        .prop_map(|(anonymous, english, segments, query, body, content_type)| Case {
            anonymous,
            english,
            segments,
            query,
            body,
            content_type,
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2e80}'..='\u{2fdf}' | '\u{3000}'..='\u{303f}' | '\u{3040}'..='\u{30ff}' | '\u{3100}'..='\u{312f}'
        | '\u{3190}'..='\u{31ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}'
        | '\u{fe30}'..='\u{fe4f}' | '\u{ff00}'..='\u{ffef}' | '\u{20000}'..='\u{3134f}')
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{3134f}')
}

/// What is wrong with an answer, if anything.
fn problem(status: StatusCode, text: &str, english: bool) -> Option<String> {
    if status.is_server_error() {
        return Some(format!("a server error: {status}"));
    }
    if !status.is_client_error() {
        return None;
    }
    let Ok(body) = serde_json::from_str::<Value>(text) else { return Some(format!("{status}: not JSON")) };
    let Some(outer) = body.as_object().filter(|o| o.len() == 1) else {
        return Some(format!("{status}: not exactly {{\"error\"}}"));
    };
    let Some(error) = outer.get("error").and_then(Value::as_object) else {
        return Some(format!("{status}: no error object"));
    };
    let mut keys: Vec<&str> = error.keys().map(String::as_str).collect();
    keys.sort_unstable();
    // Several problems at once (a registration's) are listed in `errors`, each of the same shape.
    if keys == ["code", "errors", "field", "message"] {
        for item in error["errors"].as_array().into_iter().flatten() {
            let inner = serde_json::json!({ "error": item });
            if let Some(p) = problem(status, &inner.to_string(), english) {
                return Some(format!("in errors: {p}"));
            }
        }
    } else if keys != ["code", "field", "message"] {
        return Some(format!("{status}: the error has keys {keys:?}"));
    }
    if error["code"].as_str().is_none_or(str::is_empty) {
        return Some(format!("{status}: no code"));
    }
    if !(error["field"].is_null() || error["field"].is_string()) {
        return Some(format!("{status}: field is neither a string nor null"));
    }
    let Some(message) = error["message"].as_str().filter(|m| !m.is_empty()) else {
        return Some(format!("{status}: no message"));
    };
    if english && message.chars().any(is_cjk) {
        return Some(format!("{status}: an English message with CJK characters"));
    }
    if !english && !message.chars().any(is_han) {
        return Some(format!("{status}: a Chinese message without a Chinese character"));
    }
    None
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

/// What the real-looking path values point at.
struct World {
    person: String,
    application: String,
}

async fn world(app: &TestApp) -> World {
    app.community(COMMUNITY).await;
    let person = common::id_number("440104", "1975-03-01", 7);
    app.register(&[&format!("p7,{person},陈七,13800138000,{COMMUNITY},2016-05-01,true,true,true,true,true,false")])
        .await;
    app.account("target.user", Role::Auditor, COMMUNITY).await;
    let admin = app.user("bad.admin", Role::CityAdmin, "440100").await;
    let a = app
        .call(
            Method::POST,
            &format!("/api/v1/persons/{person}/applications"),
            &admin,
            Some(json!({"category": "hardship_low_income"})),
        )
        .await;
    assert!(a.status.is_success(), "{}", a.text);
    World { person, application: a.body["id"].as_str().unwrap().to_owned() }
}

/// Sends a case; `None` where the URI cannot even be made (then there is nothing to send).
async fn send(app: &TestApp, op: &Operation, c: &Case, admin: &Client) -> Option<(StatusCode, String)> {
    let mut path = op.path.clone();
    for (name, value) in op.path_params.iter().zip(&c.segments) {
        path = path.replace(&format!("{{{name}}}"), value);
    }
    let uri = if c.query.is_empty() { path } else { format!("{path}?{}", c.query) };
    let mut r = Request::builder().method(op.method.clone()).uri(uri);
    if let (false, Client::Session { cookie, csrf }) = (c.anonymous, admin) {
        r = r.header(header::COOKIE, cookie).header("x-csrf-token", csrf);
    }
    if let Some(t) = c.content_type {
        r = r.header(header::CONTENT_TYPE, t);
    }
    if c.english {
        r = r.header(header::ACCEPT_LANGUAGE, "en");
    }
    let request = r.body(c.body.clone().map_or_else(Body::empty, Body::from)).ok()?;
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Some((status, String::from_utf8_lossy(&bytes).into_owned()))
}

fn run(app: &TestApp, rt: &tokio::runtime::Runtime, cases: u32) {
    // `YUANZHU_BAD_INPUT_CASES=1000` for a longer search.
    let cases = std::env::var("YUANZHU_BAD_INPUT_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(cases);
    let world = rt.block_on(world(app));
    let admin = RefCell::new(rt.block_on(app.sign_in("bad.admin")));
    let mut failures = Vec::new();
    for op in operations() {
        let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
        let result = runner.run(&case(&op, &world), |c| {
            let answer = rt.block_on(async {
                // Signing out ends the admin's session: every case begins signed in.
                if op.method == Method::DELETE && op.path == "/api/v1/session" {
                    *admin.borrow_mut() = app.sign_in("bad.admin").await;
                }
                let client = admin.borrow().clone();
                send(app, &op, &c, &client).await
            });
            let Some((status, text)) = answer else { return Ok(()) };
            match problem(status, &text, c.english) {
                Some(p) => {
                    let shown: String = text.chars().take(600).collect();
                    Err(TestCaseError::fail(format!("{p}\n{shown}")))
                }
                None => Ok(()),
            }
        });
        if let Err(e) = result {
            failures.push(format!("{} {}: {e}", op.method, op.path));
        }
        // A case may have signed the admin out: sign in again for the next operation.
        *admin.borrow_mut() = rt.block_on(app.sign_in("bad.admin"));
    }
    assert!(failures.is_empty(), "{} operations failed:\n{}", failures.len(), failures.join("\n\n"));
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap()
}

#[test]
fn bad_input_never_gets_a_500_on_sqlite() {
    let rt = runtime();
    let apps = rt.block_on(apps("bad_input_sqlite"));
    run(&apps[0], &rt, 48);
}

#[test]
fn bad_input_never_gets_a_500_on_postgresql() {
    let rt = runtime();
    let apps = rt.block_on(apps("bad_input_pg"));
    match apps.get(1) {
        Some(app) => run(app, &rt, 8),
        None => eprintln!("PostgreSQL is not installed: bad input checked on SQLite only"),
    }
}

#[test]
fn every_operation_is_generated_for() {
    let ops = operations();
    assert!(ops.len() >= 30, "{ops:?}");
    let register = ops.iter().find(|o| o.method == Method::POST && o.path == "/api/v1/persons").unwrap();
    assert!(register.fields.iter().any(|f| f == "id_number"), "{register:?}");
    let app = ops.iter().find(|o| o.path == "/api/v1/applications/{id}/approve").unwrap();
    assert_eq!(app.path_params, ["id"]);
}
