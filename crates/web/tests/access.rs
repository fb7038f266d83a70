//! The access matrix, on both databases: every role × (own unit, parent, sibling, child, and the
//! unit of hukou) × every endpoint of the OpenAPI document, with zero leaks. The endpoints come
//! from `yuanzhu_web::openapi()` itself, so an endpoint without a line in [`fixtures`] fails the
//! test: none can escape the matrix.
//!
//! For each cell the expectation follows from the issue, not from the server's own checks: a
//! person outside the jurisdiction is 404 (never 403, never 2xx) and nothing about them changes;
//! inside, 403 exactly where `role_allows(role, action)` is false, and otherwise the request
//! succeeds. Every answer a user gets is scanned for the names and ID numbers (full or masked) of
//! the persons outside their jurisdiction.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use axum::http::{Method, StatusCode};
use common::{Answer, Client, PASSWORD, TestApp, apps};
use serde_json::{Value, json};
use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::{Action, Role, mask_id_number, role_allows};
use yuanzhu_rules::Date;
use yuanzhu_storage::{
    accounts, applications, audit, duplicates, employment, households, persons, residence_transfers, revocations,
    search, sessions,
};

// ---------------------------------------------------------------------------------------------
// The fixture table: one line per endpoint
// ---------------------------------------------------------------------------------------------

/// What an endpoint is about, which decides what the matrix expects of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum About {
    /// A person named in the path (`{id_number}`) or something of theirs (`{id}` prepared on
    /// them): outside the jurisdiction it is 404 and nothing changes.
    Person,
    /// A unit named in the body (registering a person, creating an account there): outside the
    /// jurisdiction never 2xx, and nothing is created.
    Unit,
    /// An account at the cell's unit, by `{username}`: outside, 404 and nothing changes.
    Account,
    /// Neither: 403 exactly where the role does not allow the action; asked once per role.
    Global,
    /// The caller's own session (covered in auth.rs): only checked not to be 403 or 404.
    OwnSession,
}

/// What must exist on the target before the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prep {
    None,
    /// A social worker assigned to the target person: `{username}` is theirs.
    Assigned,
    /// An open possible-duplicate flag between the target and a second record: `{id}` is it.
    DuplicateFlag,
    /// A draft application (low income, 2016-03-02) on the target: `{id}` and its version.
    Draft,
    /// A draft application under gd-2023-11 (disabled, today), whose proof a written commitment
    /// may stand for: `{id}`, its version and that document.
    ProvincialDraft,
    /// A draft with every document of its checklist supplied.
    Complete,
    /// An application submitted with every document.
    Submitted,
    /// An open revocation proposal (employed) on the target.
    Proposal,
    /// A household of one, a fresh person placed in the cell: `{household_ref}`.
    Household,
    /// The target has open work (from 2026-11-01) to end.
    Employed,
    /// An active assistance plan with one open action: `{id}` is the plan.
    Plan,
    /// An open move of the target's residence that the user's side decides, where the user
    /// reaches the target; elsewhere one between two units outside the user's jurisdiction.
    TransferToDecide,
    /// The same, proposed by the user's side (which withdraws it).
    TransferToWithdraw,
    /// The target lives in a unit outside every cell ([`ELSEWHERE`]), to be asked for.
    LivesElsewhere,
    /// The target heads a household that a person registered in 白云区 (440111, outside every
    /// cell) claims to join: `{id}` is the claim, waiting for the target's unit.
    JoinClaim,
    /// The target's household stopped being a zero-employment household because another member
    /// found work: `{id}` is the notice to the target's unit.
    HouseholdChange,
}

/// A street outside every jurisdiction of the matrix but the city's: 荔湾区沙面街道.
const ELSEWHERE: &str = "440103001";

/// What a fixture's body and query are made of.
struct Target<'a> {
    id_number: &'a str,
    name: &'a str,
    unit: &'a str,
    /// A fresh username (for creating an account) or the target account's.
    username: &'a str,
    /// A social worker's username (to assign).
    social_worker: &'a str,
    /// The version of the prepared application or proposal.
    version: i64,
    /// A document of the prepared application's checklist that a written commitment may stand for.
    commitment: &'a str,
    /// The id of what was prepared (an application, a proposal, an employment record…).
    id: &'a str,
    /// The user's own unit.
    home: &'a str,
}

/// Where a move asked of the matrix goes: the user's unit, unless the target lives there.
fn move_to<'a>(t: &Target<'a>) -> &'a str {
    if t.unit != t.home { t.home } else { ELSEWHERE }
}

struct Fixture {
    method: &'static str,
    path: &'static str,
    action: Action,
    about: About,
    /// Whether the request changes state: then every cell gets a fresh target.
    mutates: bool,
    prep: Prep,
    /// The minimal valid query string (without `?`) and body.
    query: fn(&Target) -> String,
    body: fn(&Target) -> Option<Value>,
    /// Error codes that are a correct refusal for an allowed role inside its jurisdiction (a
    /// district supervisor may not reassess the whole city).
    refusals: &'static [&'static str],
    /// The body's content type; a body that is not JSON is given as a JSON string.
    content_type: &'static str,
    /// Why this endpoint is left out of the matrix for now (its line still has to exist).
    pending: Option<&'static str>,
}

fn none(_: &Target) -> Option<Value> {
    None
}

fn no_query(_: &Target) -> String {
    String::new()
}

#[expect(clippy::too_many_arguments, reason = "one table line per endpoint reads best flat")]
fn f(
    method: &'static str,
    path: &'static str,
    action: Action,
    about: About,
    mutates: bool,
    prep: Prep,
    query: fn(&Target) -> String,
    body: fn(&Target) -> Option<Value>,
) -> Fixture {
    Fixture {
        method,
        path,
        action,
        about,
        mutates,
        prep,
        query,
        body,
        refusals: &[],
        content_type: "application/json",
        pending: None,
    }
}

/// Every endpoint of the API: adding an endpoint means adding its line here.
#[rustfmt::skip]
fn fixtures() -> Vec<Fixture> {
    use About::*;
    use Action::*;
    const R: bool = false;
    const W: bool = true;
    vec![
        f("GET", "/api/v1/session", View, OwnSession, R, Prep::None, no_query, none),
        f("POST", "/api/v1/session", View, OwnSession, R, Prep::None, no_query, none),
        f("DELETE", "/api/v1/session", View, OwnSession, R, Prep::None, no_query, none),
        f("GET", "/api/v1/persons", View, Global, R, Prep::None, |t| format!("q={}", enc(t.name)), none),
        f("POST", "/api/v1/persons", Register, Unit, W, Prep::None, no_query, |t| {
            Some(registration(t.id_number, t.name, t.unit))
        }),
        f("GET", "/api/v1/persons/{id_number}", View, Person, R, Prep::None, no_query, none),
        f("POST", "/api/v1/assess", View, Global, R, Prep::None, no_query, |_| {
            Some(json!({"birth_date": "1975-01-01", "sex": "male", "as_of": "2016-03-01", "hukou_local": true,
                "registered_unemployed": true, "able_to_work": true, "willing_to_be_assisted": true}))
        }),
        f("GET", "/api/v1/users", ManageUsers, Global, R, Prep::None, no_query, none),
        f("POST", "/api/v1/users", ManageUsers, Unit, W, Prep::None, no_query, |t| {
            Some(json!({"username": t.username, "role": "auditor", "unit": t.unit, "password": "a long passphrase"}))
        }),
        f("POST", "/api/v1/users/{username}/disable", ManageUsers, Account, W, Prep::None, no_query, none),
        f("POST", "/api/v1/users/{username}/enable", ManageUsers, Account, W, Prep::None, no_query, none),
        f("PUT", "/api/v1/users/{username}/password", ManageUsers, Account, W, Prep::None, no_query, |_| {
            Some(json!({"password": "another long passphrase"}))
        }),
        f(
            "POST",
            "/api/v1/persons/{id_number}/assignments",
            AssignSocialWorker,
            Person,
            W,
            Prep::None,
            no_query,
            |t| Some(json!({"username": t.social_worker})),
        ),
        f(
            "DELETE",
            "/api/v1/persons/{id_number}/assignments/{username}",
            AssignSocialWorker,
            Person,
            W,
            Prep::Assigned,
            no_query,
            none,
        ),
        Fixture {
            refusals: &["whole_registry_only"],
            // On a day of 2016: the persons here are born in 1970, and by 2026 the women among
            // them have reached retirement, which a reassessment then would end their status for.
            ..f("POST", "/api/v1/reassess", Reassess, Global, W, Prep::None, no_query, |_| {
                Some(json!({"on": "2016-06-01"}))
            })
        },
        f("GET", "/api/v1/audit/verify", VerifyAudit, Global, R, Prep::None, no_query, none),
        f("GET", "/api/v1/duplicates", DecideDuplicate, Global, R, Prep::None, no_query, none),
        f(
            "POST",
            "/api/v1/duplicates/{id}/decision",
            DecideDuplicate,
            Person,
            W,
            Prep::DuplicateFlag,
            no_query,
            |_| Some(json!({"same_person": false})),
        ),
        f("POST", "/api/v1/persons/{id_number}/applications", PrepareApplication, Person, W, Prep::None, no_query, |_| Some(json!({"category": "hardship_low_income", "on": "2016-03-02"}))),
        f("GET", "/api/v1/applications/{id}", View, Person, R, Prep::Draft, no_query, none),
        f("POST", "/api/v1/applications/{id}/documents", PrepareApplication, Person, W, Prep::Draft, no_query, |t| Some(json!({"documents": ["hardship_application_form"], "version": t.version, "on": "2016-03-02"}))),
        f("POST", "/api/v1/applications/{id}/commitments", PrepareApplication, Person, W, Prep::ProvincialDraft, no_query, |t| Some(json!({"documents": [t.commitment], "version": t.version}))),
        f("POST", "/api/v1/applications/{id}/submit", PrepareApplication, Person, W, Prep::Complete, no_query, |t| Some(json!({"version": t.version, "on": "2016-03-02"}))),
        f("POST", "/api/v1/applications/{id}/deficiency-notice", DecideApplication, Person, W, Prep::Submitted, no_query, |t| Some(json!({"defective": ["hardship_application_form"], "version": t.version, "on": "2016-03-03"}))),
        f("POST", "/api/v1/applications/{id}/approve", DecideApplication, Person, W, Prep::Submitted, no_query, |t| Some(json!({"version": t.version, "on": "2016-03-03"}))),
        f("POST", "/api/v1/applications/{id}/reject", DecideApplication, Person, W, Prep::Submitted, no_query, |t| Some(json!({"reason": "测试", "version": t.version, "on": "2016-03-03"}))),
        f("POST", "/api/v1/applications/{id}/withdraw", PrepareApplication, Person, W, Prep::Draft, no_query, |t| Some(json!({"version": t.version, "on": "2016-03-03"}))),
        f("GET", "/api/v1/applications", View, Global, R, Prep::None, |_| "waiting=documents".into(), none),
        f("GET", "/api/v1/applications", ListApplications, Global, R, Prep::None, |_| "state=all".into(), none),
        f("POST", "/api/v1/persons/{id_number}/contacts", LogContact, Person, W, Prep::None, no_query, |_| Some(json!({"channel": "phone", "reached": false, "on": "2026-11-01"}))),
        f("POST", "/api/v1/persons/{id_number}/refusals", LogContact, Person, W, Prep::None, no_query, |_| Some(json!({"service": "job_referral", "note": "测试", "on": "2026-11-01"}))),
        f("POST", "/api/v1/persons/{id_number}/services", RecordService, Person, W, Prep::None, no_query, |_| {
            Some(json!({"kind": "career_guidance", "date": "2026-11-01", "note": "测试"}))
        }),
        f("GET", "/api/v1/persons/{id_number}/ledger", View, Person, R, Prep::None, no_query, none),
        f("POST", "/api/v1/persons/{id_number}/plans", RecordService, Person, W, Prep::None, no_query, |_| {
            Some(json!({"goals": ["就业"], "actions": [{"kind": "career_guidance", "due": "2026-12-31"}], "review_on": "2027-06-30"}))
        }),
        f("GET", "/api/v1/persons/{id_number}/plans", View, Person, R, Prep::None, no_query, none),
        f("POST", "/api/v1/persons/{id_number}/follow-ups", RecordService, Person, W, Prep::Employed, no_query, |t| {
            Some(json!({"employment_id": t.id, "months": 1, "date": "2026-12-05", "in_job": true, "channel": "phone"}))
        }),
        f("GET", "/api/v1/queues/follow-ups", View, Global, R, Prep::None, |_| "due_before=2027-06-01".into(), none),
        f("GET", "/api/v1/queues/without-plan", View, Global, R, Prep::None, no_query, none),
        f("POST", "/api/v1/plans/{id}/actions/{index}", RecordService, Person, W, Prep::Plan, no_query, |_| {
            Some(json!({"change": "drop", "reason": "测试", "version": 1}))
        }),
        f("POST", "/api/v1/persons/{id_number}/revocation-proposals", ProposeRevocation, Person, W, Prep::None, no_query, |_| Some(json!({"reason": "written_waiver", "note": "测试"}))),
        f("GET", "/api/v1/revocation-proposals", View, Global, R, Prep::None, no_query, none),
        f("GET", "/api/v1/revocation-proposals/{id}", View, Person, W, Prep::Proposal, no_query, none),
        f("POST", "/api/v1/revocation-proposals/{id}/decision", DecideRevocation, Person, W, Prep::Proposal, no_query, |t| Some(json!({"confirm": false, "note": "测试", "version": t.version}))),
        f("GET", "/api/v1/revocation-proposals/unreachable-soon", View, Global, R, Prep::None, |_| "within_days=366".into(), none),
        f("GET", "/api/v1/households/{household_ref}", View, Person, R, Prep::Household, no_query, none),
        f("POST", "/api/v1/persons/{id_number}/employment", Register, Person, W, Prep::None, no_query, |_| Some(json!({"started_on": "2026-11-01", "employer": "测试公司"}))),
        f("POST", "/api/v1/persons/{id_number}/employment/end", Register, Person, W, Prep::Employed, no_query, |t| Some(json!({"employment_id": t.id, "ended_on": "2026-11-20"}))),
        f("GET", "/api/v1/persons/{id_number}/employment", View, Person, R, Prep::None, no_query, none),
        f("GET", "/api/v1/household-joins", View, Global, R, Prep::None, no_query, none),
        f("POST", "/api/v1/household-joins/{id}/accept", Register, Person, W, Prep::JoinClaim, no_query, |t| Some(json!({"version": t.version}))),
        f("POST", "/api/v1/household-joins/{id}/refuse", Register, Person, W, Prep::JoinClaim, no_query, |t| Some(json!({"version": t.version, "reason": "经核实，该户无此成员"}))),
        f("GET", "/api/v1/household-changes", View, Global, R, Prep::None, no_query, none),
        f("POST", "/api/v1/household-changes/{id}/seen", Register, Person, W, Prep::HouseholdChange, no_query, none),
        Fixture { content_type: "text/csv", ..f("POST", "/api/v1/imports", Register, Unit, W, Prep::None, no_query, |t| Some(Value::String(format!("{}\n{}", common::REGISTRATION_HEADER, csv_line_of(t.id_number, t.name, t.unit))))) },
        f("POST", "/api/v1/persons/{id_number}/transfers", TransferResidence, Person, W, Prep::None, no_query, |t| Some(json!({"to_unit": move_to(t), "note": "测试"}))),
        f("POST", "/api/v1/transfers", TransferResidence, Unit, W, Prep::LivesElsewhere, no_query, |t| Some(json!({"id_number": t.id_number, "name": t.name, "to_unit": t.unit}))),
        f("GET", "/api/v1/transfers", TransferResidence, Global, R, Prep::None, no_query, none),
        f("POST", "/api/v1/transfers/{id}/accept", TransferResidence, Person, W, Prep::TransferToDecide, no_query, |_| Some(json!({"note": "测试"}))),
        f("POST", "/api/v1/transfers/{id}/refuse", TransferResidence, Person, W, Prep::TransferToDecide, no_query, |_| Some(json!({"note": "测试"}))),
        f("POST", "/api/v1/transfers/{id}/withdraw", TransferResidence, Person, W, Prep::TransferToWithdraw, no_query, |_| Some(json!({}))),
        f("GET", "/api/v1/export/persons", Export, Global, R, Prep::None, |_| "format=csv".into(), none),
        f("GET", "/api/v1/export/ledgers", Export, Global, R, Prep::None, |_| "format=csv".into(), none),
    ]
}

fn registration(id: &str, name: &str, unit: &str) -> Value {
    json!({
        "id_number": id, "name": name, "residence_unit": unit, "registered_on": "2016-05-01",
        "hukou_local": true, "registered_unemployed": true, "able_to_work": true, "willing_to_be_assisted": true,
    })
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// `(METHOD, path)` of every operation in the OpenAPI document.
fn documented() -> Vec<(String, String)> {
    let doc = yuanzhu_web::openapi();
    let mut out = Vec::new();
    for (path, item) in &doc.paths.paths {
        let ops = [
            ("GET", &item.get),
            ("PUT", &item.put),
            ("POST", &item.post),
            ("DELETE", &item.delete),
            ("OPTIONS", &item.options),
            ("HEAD", &item.head),
            ("PATCH", &item.patch),
            ("TRACE", &item.trace),
        ];
        for (m, op) in ops {
            if op.is_some() {
                out.push((m.to_owned(), path.clone()));
            }
        }
    }
    out
}

#[test]
fn every_documented_endpoint_has_a_fixture() {
    let table = fixtures();
    let mut missing = Vec::new();
    for (m, p) in documented() {
        if !table.iter().any(|f| f.method == m && f.path == p) {
            missing.push(format!("add a fixture for {m} {p}"));
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    let documented: BTreeSet<_> = documented().into_iter().collect();
    for f in &table {
        assert!(
            documented.contains(&(f.method.to_owned(), f.path.to_owned())),
            "the fixture for {} {} names no documented endpoint",
            f.method,
            f.path
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Cells: where persons are placed relative to each user's unit
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    Own,
    Child,
    Parent,
    Sibling,
    /// Lives in a sibling unit, with hukou in the user's subtree: the unit of hukou also sees.
    Hukou,
    /// A social worker's own unit, but not assigned to them.
    OwnUnassigned,
    /// Assigned to the social worker, though living in a sibling unit.
    SiblingAssigned,
}

#[derive(Debug, Clone)]
struct Cell {
    place: Place,
    residence: &'static str,
    hukou: Option<&'static str>,
    assigned: bool,
}

fn cell(place: Place, residence: &'static str) -> Cell {
    Cell { place, residence, hukou: None, assigned: false }
}

/// The user's unit for each role, and the cells around it. A city-level user has no parent and
/// no sibling (the tree holds one city), so those cells are absent; a community has no child.
fn layout(role: Role) -> (&'static str, Vec<Cell>) {
    use Place::*;
    let street = |unit| {
        (
            unit,
            vec![
                cell(Own, "440104011"),
                cell(Child, "440104011001"),
                cell(Parent, "440104"),
                cell(Sibling, "440104012"),
                Cell { hukou: Some("440104011001"), ..cell(Hukou, "440104012") },
            ],
        )
    };
    match role {
        Role::CityAdmin => ("440100", vec![cell(Own, "440100"), cell(Child, "440104011")]),
        Role::DistrictSupervisor | Role::Auditor => (
            "440104",
            vec![
                cell(Own, "440104"),
                cell(Child, "440104011"),
                cell(Parent, "440100"),
                cell(Sibling, "440105"),
                Cell { hukou: Some("440104011001"), ..cell(Hukou, "440105001") },
            ],
        ),
        Role::StreetOfficer | Role::HotlineOperator => street("440104011"),
        Role::CommunityWorker => (
            "440104011001",
            vec![
                cell(Own, "440104011001"),
                cell(Parent, "440104011"),
                cell(Sibling, "440104011002"),
                Cell { hukou: Some("440104011001"), ..cell(Hukou, "440104012") },
            ],
        ),
        Role::SocialWorker => (
            "440104011",
            vec![
                Cell { assigned: true, ..cell(Own, "440104011") },
                Cell { assigned: true, ..cell(Child, "440104011001") },
                cell(Parent, "440104"),
                cell(Sibling, "440104012"),
                cell(OwnUnassigned, "440104011"),
                Cell { assigned: true, ..cell(SiblingAssigned, "440104012") },
            ],
        ),
    }
}

/// Whether `outer` holds `inner` as the issue means it: the subtree of the unit, the city's code
/// (`440100`) standing for all of `4401…`.
fn holds(outer: &str, inner: &str) -> bool {
    let prefix = if outer.len() == 6 && outer.ends_with("00") { &outer[..4] } else { outer };
    inner.starts_with(prefix)
}

/// Whether the user reaches the cell's person, from the words.
fn reaches(role: Role, unit: &str, c: &Cell) -> bool {
    if role == Role::SocialWorker {
        return c.assigned;
    }
    holds(unit, c.residence) || c.hukou.is_some_and(|h| holds(unit, h))
}

/// Whether the user's jurisdiction holds the unit (for creating something there).
fn holds_unit(role: Role, unit: &str, target: &str) -> bool {
    role != Role::SocialWorker && holds(unit, target)
}

// ---------------------------------------------------------------------------------------------
// Persons
// ---------------------------------------------------------------------------------------------

/// Distinct names and ID numbers: no masked ID number of one person equals another's.
struct Factory {
    next: u32,
}

impl Factory {
    fn person(&mut self) -> (String, String) {
        let n = self.next;
        self.next += 1;
        const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
        let name: String = std::iter::once('欧')
            .chain(format!("{n:03}").chars().map(|c| DIGITS[c.to_digit(10).unwrap() as usize]))
            .collect();
        // Born 1970 (older unemployed when registered in 2016 or 2024); the serial keeps masks apart.
        let birth = format!("1970-{:02}-{:02}", 1 + n % 12, 1 + n % 28);
        (common::id_number("440106", &birth, n % 1000), name)
    }
}

#[derive(Debug, Clone)]
struct Person {
    id_number: String,
    name: String,
    cell: Cell,
    /// Recognised as 特困失业人员 (low income) by an approved application before the matrix
    /// runs: the status 第六条 revokes, which a revocation proposal needs.
    hardship: bool,
}

fn csv_line(p: &Person) -> String {
    csv_line_of(&p.id_number, &p.name, p.cell.residence)
}

/// Gives the person an approved hardship_low_income recognition through the API, as `admin`
/// (as revocations.rs's `in_hardship` does): opened, every document supplied, submitted and
/// approved today.
async fn in_hardship(app: &TestApp, admin: &Client, id_number: &str) {
    let open = format!("/api/v1/persons/{id_number}/applications");
    // Received while 穗人社发〔2014〕4号 was in force: approval reads that day's policy and facts.
    let body = json!({"category": "hardship_low_income", "on": "2016-03-02"});
    let draft = prepared("a hardship application", app.call(Method::POST, &open, admin, Some(body)).await);
    let uri = |step: &str| format!("/api/v1/applications/{}/{step}", draft["id"].as_str().unwrap());
    let body = json!({"documents": draft["missing"], "version": draft["version"]});
    let complete = prepared("its documents", app.call(Method::POST, &uri("documents"), admin, Some(body)).await);
    let body = json!({"version": complete["version"]});
    let submitted = prepared("its submission", app.call(Method::POST, &uri("submit"), admin, Some(body)).await);
    let body = json!({"version": submitted["version"]});
    prepared("its approval", app.call(Method::POST, &uri("approve"), admin, Some(body)).await);
}

/// Born 1975, registered in 2016 on the minimum living allowance: older unemployed, and able to
/// apply for hardship.
fn csv_line_of(id_number: &str, name: &str, unit: &str) -> String {
    format!("r,{id_number},{name},,{unit},2016-03-01,true,true,true,true,true,")
}

/// What the file, the audit trail and the account say about a target: equal before and after a
/// refused request, or something changed.
async fn snapshot(app: &TestApp, id_number: &str, username: &str) -> String {
    let store = app.store();
    let file = (
        persons::file(store, id_number).await.ok(),
        applications::of_person(store, id_number).await.ok(),
        revocations::contacts(store, id_number).await.ok(),
        revocations::proposals_of(store, id_number).await.ok(),
        households::joins::of_person(store, id_number).await.ok(),
    );
    let events = match search::reach(store, id_number, "").await.unwrap() {
        Some(r) => audit::of_person(store, &r.person_id).await.unwrap().len(),
        None => 0,
    };
    let account = accounts::by_username(store, username).await.unwrap().map(|(a, _)| a);
    format!("{file:?}\n{events}\n{account:?}")
}

// ---------------------------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------------------------

fn status_is_2xx(a: &Answer) -> bool {
    a.status.is_success()
}

fn code(a: &Answer) -> &str {
    a.body["error"]["code"].as_str().unwrap_or("")
}

fn method(m: &str) -> Method {
    Method::from_bytes(m.as_bytes()).unwrap()
}

fn fill(path: &str, id_number: &str, username: &str, id: &str) -> String {
    path.replace("{id_number}", id_number)
        .replace("{username}", username)
        .replace("{id}", id)
        .replace("{household_ref}", id)
        .replace("{index}", "0")
}

/// A request whose body is given with its content type (a JSON string is sent as its text).
async fn request(app: &TestApp, fx: &Fixture, uri: &str, client: &Client, body: Option<Value>) -> Answer {
    if fx.content_type == "application/json" {
        return app.call(method(fx.method), uri, client, body).await;
    }
    let mut r = axum::http::Request::builder().method(method(fx.method)).uri(uri);
    if let Client::Session { cookie, csrf } = client {
        r = r.header("cookie", cookie).header("x-csrf-token", csrf);
    }
    let bytes = match body {
        Some(Value::String(text)) => text.into_bytes(),
        Some(other) => serde_json::to_vec(&other).unwrap(),
        None => Vec::new(),
    };
    let r = r.header("content-type", fx.content_type).body(axum::body::Body::from(bytes)).unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), r).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Answer { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null), text }
}

/// Checks a preparing request went through, and gives its JSON.
fn prepared(what: &str, a: Answer) -> Value {
    assert!(a.status.is_success(), "preparing {what}: {} {}", a.status, a.text);
    a.body
}

/// One role's row of the matrix, on each database.
async fn matrix(role: Role) {
    for app in apps(&format!("access_{}", role.code())).await {
        run(&app, role).await;
    }
}

async fn run(app: &TestApp, role: Role) {
    let store = app.store();
    for c in ["440104011001", "440104011002", "440105001001"] {
        app.community(c).await;
    }
    let hash = yuanzhu_web::password::hash_now(PASSWORD);
    let account = |name: &str, role: Role, unit: &str| {
        let (name, hash) = (name.to_owned(), hash.clone());
        let unit = UnitCode::parse(unit).unwrap();
        async move { accounts::create(store, &name, role, &unit, &hash, "test").await.unwrap() }
    };
    let (unit, cells) = layout(role);
    let me = account("me", role, unit).await;
    let client = app.sign_in("me").await;
    account("sw.pool", Role::SocialWorker, "440104011").await;
    account("prep.admin", Role::CityAdmin, "440100").await;
    let admin = app.sign_in("prep.admin").await;

    // Persons: a shared one per cell for the reading endpoints, a fresh one per cell and
    // changing endpoint.
    let table = fixtures();
    let mut factory = Factory { next: 1 };
    let mut make = |c: &Cell, hardship: bool| {
        let (id_number, name) = factory.person();
        Person { id_number, name, cell: c.clone(), hardship }
    };
    let shared: Vec<Person> = cells.iter().map(|c| make(c, false)).collect();
    let mut fresh: BTreeMap<(usize, usize), Person> = BTreeMap::new();
    for (fi, fx) in table.iter().enumerate() {
        if fx.mutates && fx.about != About::Global {
            for (ci, c) in cells.iter().enumerate() {
                fresh.insert((fi, ci), make(c, fx.path.contains("revocation-proposals")));
            }
        }
    }
    // Registration's targets must not exist yet: they are registered by the request.
    let registered: Vec<&Person> = shared
        .iter()
        .chain(fresh.iter().filter(|((fi, _), _)| table[*fi].about != About::Unit).map(|(_, p)| p))
        .collect();
    let lines: Vec<String> = registered.iter().map(|p| csv_line(p)).collect();
    app.register(&lines.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let today = Date::parse("2026-11-26").unwrap();
    for p in &registered {
        if let Some(h) = p.cell.hukou {
            search::set_hukou_unit(store, &p.id_number, Some(&UnitCode::parse(h).unwrap()), "test").await.unwrap();
        }
        if p.cell.assigned {
            sessions::assign(store, &p.id_number, "me", "test", today).await.unwrap();
        }
        if p.hardship {
            in_hardship(app, &admin, &p.id_number).await;
        }
    }
    // Everyone outside the user's reach, whose names and numbers no answer may hold.
    let all: Vec<&Person> = shared.iter().chain(fresh.values()).collect();
    let outside: Vec<&Person> = all.iter().copied().filter(|p| !reaches(role, unit, &p.cell)).collect();
    let mut failures: Vec<String> = Vec::new();
    let leak_check = |what: &str, a: &Answer, failures: &mut Vec<String>| {
        for p in &outside {
            let masked = mask_id_number(&p.id_number);
            if a.text.contains(&p.name) || a.text.contains(&p.id_number) || a.text.contains(&masked) {
                failures.push(format!("{what}: the answer shows {} ({:?}), outside: {}", p.name, p.cell.place, a.text));
            }
        }
    };

    let mut account_no = 0;
    for (fi, fx) in table.iter().enumerate() {
        if let Some(why) = fx.pending {
            eprintln!("access matrix: {} {} not run: {why}", fx.method, fx.path);
            continue;
        }
        let m = method(fx.method);
        let allowed = role_allows(role, fx.action);
        match fx.about {
            About::OwnSession => {
                if fx.method == "GET" {
                    let a = app.call(m, fx.path, &client, None).await;
                    if a.status != StatusCode::OK {
                        failures.push(format!("GET {}: {} {}", fx.path, a.status, a.text));
                    }
                }
                continue;
            }
            About::Global => {
                let t = Target {
                    id_number: &shared[0].id_number,
                    name: &shared[0].name,
                    unit,
                    username: "nobody.new",
                    social_worker: "sw.pool",
                    version: 0,
                    commitment: "",
                    id: "",
                    home: unit,
                };
                // A search or queue is asked about every cell's person, and must never answer
                // one outside.
                let targets: Vec<&Person> = if fx.mutates { vec![&shared[0]] } else { shared.iter().collect() };
                for p in targets {
                    let t = Target { id_number: &p.id_number, name: &p.name, ..t };
                    let q = (fx.query)(&t);
                    let uri = if q.is_empty() { fx.path.to_owned() } else { format!("{}?{q}", fx.path) };
                    let a = request(app, fx, &uri, &client, (fx.body)(&t)).await;
                    let what = format!("{role} {} {uri}", fx.method);
                    leak_check(&what, &a, &mut failures);
                    let ok = if allowed {
                        status_is_2xx(&a) || (a.status == StatusCode::FORBIDDEN && fx.refusals.contains(&code(&a)))
                    } else {
                        a.status == StatusCode::FORBIDDEN
                    };
                    if !ok {
                        failures.push(format!("{what}: allowed={allowed}, got {} {}", a.status, a.text));
                    }
                    // A search by name finds the person exactly when they are within reach.
                    if fx.path == "/api/v1/persons" && a.status.is_success() {
                        let found = a.text.contains(&p.name);
                        if found != reaches(role, unit, &p.cell) {
                            failures.push(format!("{what}: {:?} found={found}: {}", p.cell.place, a.text));
                        }
                    }
                }
                continue;
            }
            _ => {}
        }
        for (ci, c) in cells.iter().enumerate() {
            let p = if fx.mutates { &fresh[&(fi, ci)] } else { &shared[ci] };
            // Accounts are placed at the cell's unit; creating one uses a fresh name.
            account_no += 1;
            let username = format!("target.{account_no}");
            if fx.about == About::Account {
                account(&username, Role::Auditor, c.residence).await;
                if fx.path.ends_with("/enable") {
                    accounts::set_disabled(store, &username, true, "test").await.unwrap();
                }
            }
            let mut id = String::from("no-such-id");
            let mut version = 0;
            let mut commitment = String::new();
            let mut path_username = username.clone();
            match fx.prep {
                Prep::None => {}
                Prep::Assigned => {
                    sessions::assign(store, &p.id_number, "sw.pool", "test", today).await.unwrap();
                    path_username = "sw.pool".into();
                }
                Prep::DuplicateFlag => {
                    let (twin, _) = factory_twin(&p.id_number);
                    app.register(&[&format!("r,{twin},{},,{},2016-03-01,true,true,true,true,,", p.name, c.residence)])
                        .await;
                    if let Some(h) = c.hukou {
                        search::set_hukou_unit(store, &twin, Some(&UnitCode::parse(h).unwrap()), "test").await.unwrap();
                    }
                    if c.assigned {
                        sessions::assign(store, &twin, "me", "test", today).await.unwrap();
                    }
                    duplicates::flag_new(store, "test").await.unwrap();
                    let flags = duplicates::open(store).await.unwrap();
                    let flag = flags.iter().find(|f| f.id_number_a == p.id_number || f.id_number_b == p.id_number);
                    id = flag.unwrap_or_else(|| panic!("no flag for {}: {flags:?}", p.id_number)).id.clone();
                }
                Prep::Draft | Prep::ProvincialDraft | Prep::Complete | Prep::Submitted => {
                    let open = format!("/api/v1/persons/{}/applications", p.id_number);
                    let body = if fx.prep == Prep::ProvincialDraft {
                        json!({"category": "disabled"})
                    } else {
                        json!({"category": "hardship_low_income", "on": "2016-03-02"})
                    };
                    let mut a = prepared("an application", app.call(Method::POST, &open, &admin, Some(body)).await);
                    id = a["id"].as_str().unwrap().to_owned();
                    let checklist = a["checklist"].as_array().unwrap();
                    if let Some(c) = checklist.iter().find(|c| c["accepts_commitment"] == true) {
                        commitment = c["document"].as_str().unwrap().to_owned();
                    }
                    if matches!(fx.prep, Prep::Complete | Prep::Submitted) {
                        let docs: Vec<Value> =
                            a["checklist"].as_array().unwrap().iter().map(|c| c["document"].clone()).collect();
                        let body = json!({"documents": docs, "version": a["version"], "on": "2016-03-02"});
                        let uri = format!("/api/v1/applications/{id}/documents");
                        a = prepared("documents", app.call(Method::POST, &uri, &admin, Some(body)).await);
                    }
                    if fx.prep == Prep::Submitted {
                        let body = json!({"version": a["version"], "on": "2016-03-02"});
                        let uri = format!("/api/v1/applications/{id}/submit");
                        a = prepared("a submission", app.call(Method::POST, &uri, &admin, Some(body)).await);
                    }
                    version = a["version"].as_i64().unwrap();
                }
                Prep::Proposal => {
                    let uri = format!("/api/v1/persons/{}/revocation-proposals", p.id_number);
                    let body = json!({"reason": "written_waiver", "note": "测试"});
                    let a = app.call(Method::POST, &uri, &admin, Some(body)).await;
                    if !a.status.is_success() {
                        let file =
                            app.call(Method::GET, &format!("/api/v1/persons/{}", p.id_number), &admin, None).await;
                        panic!("{}\n{}", a.text, file.text);
                    }
                    let a = a.body;
                    let first = if a.is_array() { a[0].clone() } else { a };
                    id = first["id"].as_str().unwrap().to_owned();
                    version = first["version"].as_i64().unwrap();
                }
                Prep::Employed => {
                    let uri = format!("/api/v1/persons/{}/employment", p.id_number);
                    let body = json!({"started_on": "2026-11-01"});
                    let a = prepared("employment", app.call(Method::POST, &uri, &admin, Some(body)).await);
                    id = a["employment_id"].as_str().unwrap().to_owned();
                }
                Prep::Plan => {
                    let uri = format!("/api/v1/persons/{}/plans", p.id_number);
                    let body = json!({"goals": ["就业"], "actions": [{"kind": "home_visit", "due": "2026-12-31"}],
                        "review_on": "2027-06-30"});
                    let a = prepared("a plan", app.call(Method::POST, &uri, &admin, Some(body)).await);
                    id = a["id"].as_str().unwrap().to_owned();
                }
                Prep::JoinClaim | Prep::HouseholdChange => {
                    id = format!("hh-{account_no}");
                    // The target heads household `id`.
                    let header = "ref,id_number,name,residence_unit,registered_on,household_ref,relation,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,minimum_living_allowance";
                    let line = |id_number: &str, name: &str, unit: &str, relation: &str| {
                        format!("r,{id_number},{name},{unit},2016-03-01,{id},{relation},true,true,true,true,true")
                    };
                    app.register_csv(&format!("{header}\n{}", line(&p.id_number, &p.name, c.residence, "户主"))).await;
                    // Of working age in 2026 (the factory's persons are born in 1970: its women
                    // have reached retirement), so that their work turns the household around.
                    let (other, name) =
                        (common::id_number("440107", "1985-06-15", account_no % 1000), format!("欧成员{account_no}"));
                    if fx.prep == Prep::JoinClaim {
                        // Registered in 白云区, outside every cell: held for the target's unit.
                        let far = UnitCode::parse("440111").unwrap();
                        let claim =
                            households::joins::Claim {
                                id_number: &other, household_ref: &id, relation: Some("配偶")
                            };
                        let held = households::joins::hold(store, &[claim], &far, "far.worker", today).await.unwrap();
                        app.register_csv(&format!("{header}\n{}", line(&other, &name, FAR_STREET, "配偶"))).await;
                        id = held[0].id.clone();
                        version = held[0].version;
                    } else {
                        // A second member finds work: the household is no longer zero-employment.
                        app.register_csv(&format!("{header}\n{}", line(&other, &name, c.residence, "配偶"))).await;
                        let policies = yuanzhu_rules::PolicySet::embedded();
                        let started = Date::parse("2026-11-01").unwrap();
                        employment::record(store, &policies, &other, started, None, "test", started).await.unwrap();
                        let notices = households::changes::unseen(store).await.unwrap();
                        let notice = notices.iter().find(|n| n.id_number == p.id_number);
                        id = notice.unwrap_or_else(|| panic!("no notice for {}: {notices:?}", p.id_number)).id.clone();
                    }
                }
                Prep::LivesElsewhere => {
                    app.register(&[&csv_line_of(&p.id_number, &p.name, ELSEWHERE)]).await;
                }
                Prep::TransferToDecide | Prep::TransferToWithdraw => {
                    use yuanzhu_domain::residence_transfer::Side;
                    let decide = fx.prep == Prep::TransferToDecide;
                    let (to, side) = if !reaches(role, unit, c) {
                        (ELSEWHERE, Side::From)
                    } else if holds_unit(role, unit, c.residence) || c.residence == unit {
                        // The user's side is the unit the person lives in.
                        (ELSEWHERE, if decide { Side::To } else { Side::From })
                    } else {
                        // Reached otherwise (hukou, assignment): the user's unit is the one moved to.
                        (unit, if decide { Side::From } else { Side::To })
                    };
                    let prep = residence_transfers::Actor { username: "prep", account_id: "prep-account" };
                    let to = UnitCode::parse(to).unwrap();
                    id = residence_transfers::start(store, &p.id_number, &to, Some(side), None, prep).await.unwrap().id;
                }
                Prep::Household => {
                    id = format!("hh-{account_no}");
                    let (member, name) = factory.person();
                    let mut body = registration(&member, &name, c.residence);
                    body["household_ref"] = json!(id);
                    body["relation"] = json!("户主");
                    if let Some(h) = c.hukou {
                        body["hukou_unit"] = json!(h);
                    }
                    prepared("a household", app.call(Method::POST, "/api/v1/persons", &admin, Some(body)).await);
                    if c.assigned {
                        sessions::assign(store, &member, "me", "test", today).await.unwrap();
                    }
                }
            }
            let t = Target {
                id_number: &p.id_number,
                name: &p.name,
                unit: c.residence,
                username: &username,
                social_worker: "sw.pool",
                version,
                commitment: &commitment,
                id: &id,
                home: unit,
            };
            let uri = fill(fx.path, &p.id_number, &path_username, &id);
            let q = (fx.query)(&t);
            let uri = if q.is_empty() { uri } else { format!("{uri}?{q}") };
            let inside = match fx.about {
                About::Person => reaches(role, unit, c),
                About::Unit | About::Account => holds_unit(role, unit, c.residence),
                About::Global | About::OwnSession => unreachable!(),
            };
            let before = snapshot(app, &p.id_number, &path_username).await;
            let a = request(app, fx, &uri, &client, (fx.body)(&t)).await;
            let what = format!("{role} at {unit}, {:?} ({}): {} {uri}", c.place, c.residence, fx.method);
            leak_check(&what, &a, &mut failures);
            if a.status.is_server_error() {
                failures.push(format!("{what}: {} {}", a.status, a.text));
                continue;
            }
            let expected_ok = match (fx.about, inside, allowed) {
                // Outside: the person does not exist for the user. A role that may never do the
                // action may be refused before anything is looked up (403 `forbidden`), which
                // tells nothing either; below, the answer is compared with a made-up target's.
                (About::Person | About::Account, false, true) => a.status == StatusCode::NOT_FOUND,
                (About::Person | About::Account, false, false) => {
                    a.status == StatusCode::NOT_FOUND || (a.status == StatusCode::FORBIDDEN && code(&a) == "forbidden")
                }
                // Creating something in a unit outside: refused, or (an import) reported as a
                // rejected row; the snapshot below shows nothing was created either way.
                (_, false, _) => true,
                (_, true, false) => a.status == StatusCode::FORBIDDEN,
                (_, true, true) => status_is_2xx(&a),
            };
            if !expected_ok {
                failures.push(format!("{what}: inside={inside} allowed={allowed}, got {} {}", a.status, a.text));
            }
            if !inside && fx.path.contains('{') {
                // Existence must not leak: a target that does not exist answers alike.
                let ghost = fill(fx.path, GHOST_ID, "no.such.user", "01900000-0000-7000-8000-000000000000");
                let ghost = if q.is_empty() { ghost } else { format!("{ghost}?{q}") };
                let g = request(app, fx, &ghost, &client, (fx.body)(&t)).await;
                if (g.status, code(&g)) != (a.status, code(&a)) {
                    failures.push(format!(
                        "{what}: answers {} {} but a made-up target answers {} {}",
                        a.status,
                        code(&a),
                        g.status,
                        code(&g)
                    ));
                }
            }
            if !inside || !allowed {
                let after = snapshot(app, &p.id_number, &path_username).await;
                if before != after {
                    failures
                        .push(format!("{what}: refused with {}, yet something changed:\n{before}\n{after}", a.status));
                }
            }
        }
    }
    let _ = me;
    assert!(failures.is_empty(), "{} cells failed on {}:\n{}", failures.len(), store_kind(app), failures.join("\n"));
}

/// A street of 白云区, outside every cell of the matrix.
const FAR_STREET: &str = "440111002";

/// A valid ID number nobody in these tests has.
const GHOST_ID: &str = "440106195001010015";

fn store_kind(app: &TestApp) -> &'static str {
    if app.state.config.db.starts_with("postgres") { "PostgreSQL" } else { "the database" }
}

/// Another valid ID number for the same birth date: a mistyped serial.
fn factory_twin(id: &str) -> (String, ()) {
    let birth = format!("{}-{}-{}", &id[6..10], &id[10..12], &id[12..14]);
    let serial: u32 = id[14..17].parse().unwrap();
    (common::id_number("440106", &birth, (serial + 500) % 1000), ())
}

#[tokio::test]
async fn street_officer_reaches_exactly_the_subtree_of_the_street() {
    matrix(Role::StreetOfficer).await;
}

#[tokio::test]
async fn community_worker_reaches_exactly_the_community() {
    matrix(Role::CommunityWorker).await;
}

#[tokio::test]
async fn district_supervisor_reaches_exactly_the_district() {
    matrix(Role::DistrictSupervisor).await;
}

#[tokio::test]
async fn hotline_operator_reaches_exactly_the_street_and_changes_only_contacts() {
    matrix(Role::HotlineOperator).await;
}

#[tokio::test]
async fn auditor_reads_the_district_and_changes_nothing() {
    matrix(Role::Auditor).await;
}

#[tokio::test]
async fn social_worker_reaches_only_assigned_persons() {
    matrix(Role::SocialWorker).await;
}

#[tokio::test]
async fn city_admin_reaches_the_whole_city() {
    matrix(Role::CityAdmin).await;
}

// ---------------------------------------------------------------------------------------------
// Takeover: registering a known ID number, by every role from every cell
// ---------------------------------------------------------------------------------------------

/// For every role and cell: a person on file there, whose ID number the user registers into
/// their own unit, through the API and through an import. Outside the user's reach the API answers
/// exactly as the person's file does (404), the import refuses the row in the words of a unit out
/// of reach, nothing of the person shows and nothing changes. Within reach the registration may not
/// move the person either (a transfer does) and, without the file's version, changes nothing.
async fn takeover(role: Role) {
    for app in apps(&format!("takeover_{}", role.code())).await {
        let (unit, client, persons) = person_per_cell(&app, role, 500).await;
        let mut failures = Vec::new();
        let registers = role_allows(role, Action::Register);
        for p in &persons {
            let what = format!("{role} at {unit}, {:?}", p.cell.place);
            let inside = reaches(role, unit, &p.cell);
            let before = snapshot(&app, &p.id_number, "me").await;
            let a = app
                .call(Method::POST, "/api/v1/persons", &client, Some(registration(&p.id_number, "夺取者", unit)))
                .await;
            let expected = match (registers, inside) {
                (false, _) => a.status == StatusCode::FORBIDDEN,
                (true, false) => {
                    let file = app.call(Method::GET, &format!("/api/v1/persons/{}", p.id_number), &client, None).await;
                    a.status == StatusCode::NOT_FOUND && a.text == file.text
                }
                (true, true) => a.status == StatusCode::CONFLICT,
            };
            if !expected {
                failures.push(format!("{what}: POST /api/v1/persons answered {} {}", a.status, a.text));
            }
            if !inside && (a.text.contains(&p.name) || a.text.contains(p.cell.residence)) {
                failures.push(format!("{what}: the answer shows the person: {}", a.text));
            }
            let csv = format!("{}\n{}", common::REGISTRATION_HEADER, csv_line_of(&p.id_number, "夺取者", unit));
            let fx = Fixture {
                content_type: "text/csv",
                ..f("POST", "/api/v1/imports", Action::Register, About::Unit, true, Prep::None, no_query, none)
            };
            let i = request(&app, &fx, "/api/v1/imports", &client, Some(Value::String(csv))).await;
            match (registers, inside) {
                (false, _) if i.status != StatusCode::FORBIDDEN => {
                    failures.push(format!("{what}: import {}", i.status))
                }
                (true, false) => {
                    let ghost =
                        format!("{}\n{}", common::REGISTRATION_HEADER, csv_line_of(GHOST_ID, "夺取者", "440103001"));
                    let g = request(&app, &fx, "/api/v1/imports", &client, Some(Value::String(ghost))).await;
                    let said =
                        |a: &Answer| (a.body["rejected"][0]["code"].clone(), a.body["rejected"][0]["message"].clone());
                    if said(&i) != said(&g) || i.body["rejected"][0]["code"] != "outside_jurisdiction" {
                        failures
                            .push(format!("{what}: import said {} where a unit out of reach says {}", i.text, g.text));
                    }
                    if i.text.contains(&p.name) {
                        failures.push(format!("{what}: the import report shows the person: {}", i.text));
                    }
                }
                _ => {}
            }
            if !(inside && registers && p.cell.residence == unit) && snapshot(&app, &p.id_number, "me").await != before
            {
                failures.push(format!("{what}: the person's file changed"));
            }
        }
        assert!(failures.is_empty(), "{} failures on {}:\n{}", failures.len(), store_kind(&app), failures.join("\n"));
    }
}

/// A user of `role` (`me`, signed in) and a person on file in each cell around their unit, from
/// the factory's serial `first` on.
async fn person_per_cell(app: &TestApp, role: Role, first: u32) -> (&'static str, Client, Vec<Person>) {
    for c in ["440104011001", "440104011002", "440105001001"] {
        app.community(c).await;
    }
    let (unit, cells) = layout(role);
    app.account("me", role, unit).await;
    let client = app.sign_in("me").await;
    let mut factory = Factory { next: first };
    let persons: Vec<Person> = cells
        .iter()
        .map(|c| {
            let (id_number, name) = factory.person();
            Person { id_number, name, cell: c.clone(), hardship: false }
        })
        .collect();
    let lines: Vec<String> = persons.iter().map(csv_line).collect();
    app.register(&lines.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let today = Date::parse("2026-11-26").unwrap();
    for p in &persons {
        if let Some(h) = p.cell.hukou {
            search::set_hukou_unit(app.store(), &p.id_number, Some(&UnitCode::parse(h).unwrap()), "test")
                .await
                .unwrap();
        }
        if p.cell.assigned {
            sessions::assign(app.store(), &p.id_number, "me", "test", today).await.unwrap();
        }
    }
    (unit, client, persons)
}

/// For every role that registers and every cell: a second file of the same name and birth date
/// as the cell's person, registered in the user's unit (through the API and an import), is
/// counted as a possible duplicate to the user, and listed to them, only when they reach the
/// cell's person too. Otherwise no count, list, file or history tells that such a person exists.
async fn oracle(role: Role) {
    for app in apps(&format!("oracle_{}", role.code())).await {
        let (unit, client, persons) = person_per_cell(&app, role, 600).await;
        let mut failures = Vec::new();
        for (i, p) in persons.iter().enumerate() {
            let what = format!("{role} at {unit}, {:?}", p.cell.place);
            let inside = reaches(role, unit, &p.cell);
            // Twins by import, and by registration at the counter.
            let (by_import, _) = factory_twin(&p.id_number);
            let by_api = common::id_number(
                "440106",
                &format!("{}-{}-{}", &p.id_number[6..10], &p.id_number[10..12], &p.id_number[12..14]),
                900 + i as u32,
            );
            let csv = format!("{}\n{}", common::REGISTRATION_HEADER, csv_line_of(&by_import, &p.name, unit));
            let fx = Fixture {
                content_type: "text/csv",
                ..f("POST", "/api/v1/imports", Action::Register, About::Unit, true, Prep::None, no_query, none)
            };
            let a = request(&app, &fx, "/api/v1/imports", &client, Some(Value::String(csv))).await;
            if a.status.is_success() && a.body["duplicates_flagged"] != json!(u64::from(inside)) {
                failures.push(format!(
                    "{what}: the import counted {} duplicates: {}",
                    a.body["duplicates_flagged"], a.text
                ));
            }
            let r =
                app.call(Method::POST, "/api/v1/persons", &client, Some(registration(&by_api, &p.name, unit))).await;
            for (answer, what_answered) in [(&a, "import"), (&r, "registration")] {
                let shows_other =
                    answer.text.contains(&p.id_number) || answer.text.contains(&mask_id_number(&p.id_number));
                if !inside && (shows_other || answer.text.contains("duplicate.flagged")) {
                    failures.push(format!("{what}: the {what_answered} tells of the person: {}", answer.text));
                }
            }
            if role_allows(role, Action::DecideDuplicate) {
                let q = app.call(Method::GET, "/api/v1/duplicates", &client, None).await;
                let listed = q.text.contains(&p.id_number) || q.text.contains(&mask_id_number(&p.id_number));
                if listed != inside {
                    failures.push(format!("{what}: the duplicates queue lists the pair={listed}: {}", q.text));
                }
            }
        }
        assert!(failures.is_empty(), "{} failures on {}:\n{}", failures.len(), store_kind(&app), failures.join("\n"));
    }
}

#[tokio::test]
async fn no_count_or_queue_tells_a_user_of_a_namesake_out_of_their_reach() {
    for role in [Role::CityAdmin, Role::StreetOfficer, Role::CommunityWorker] {
        oracle(role).await;
    }
}

#[tokio::test]
async fn no_role_takes_over_a_person_by_registering_their_id_number() {
    for role in Role::ALL {
        takeover(role).await;
    }
}
