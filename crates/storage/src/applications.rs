//! Applications for recognition (认定申请), kept: 穗人社发〔2014〕4号 第五条 and 粤人社规〔2023〕11号
//! chapter 2, as the domain's state machine ([`Application`]) persisted as its events.
//!
//! `application_events` holds the domain's events; [`load`] rebuilds an application from them
//! through [`Application::replay`], so the checks that guarded each change also guard the stored
//! history. `applications` holds the state and version for finding and listing; its `version` is
//! the number of events, and a load that finds the row and the events disagreeing says the store
//! is corrupt rather than guessing.
//!
//! Each change is one transaction: claim the version (a stale one is [`StoreError::Conflict`]),
//! replay, apply the change, append its event and its audit event (and on approval the recognition
//! and `recognition.granted`). Either all of it commits or none of it does.
//!
//! Which error to use where: every function here returns [`ApplicationError`]: a change the policy
//! refuses ([`TransitionError`], naming the field), a person or application not found, an
//! application that must not be opened, or a [`StoreError`] (including the stale-version conflict).

use std::fmt;

// Column lists and filters are constants of this module, never input: safe to splice into SQL.
use sqlx::{AnyConnection, AssertSqlSafe, Row};
use yuanzhu_domain::application::{
    Action, Application, ApplicationCategory, CategoryRule, Document, Event, State, StateKind, TransitionError,
};
use yuanzhu_rules::{Date, Fact, Lang, PolicySet};

use crate::audit::AuditAction;
use crate::audit::{self, NewEvent};
use crate::{Store, StoreError, new_id, now};

/// An application as stored: the domain's application, and where and whose it is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredApplication {
    pub id: String,
    /// The number people read aloud and the printed forms carry: `SQ-2026-000123` ([`number`]).
    pub number: String,
    pub person_id: String,
    pub id_number: String,
    /// The street (town) office it was made at: the applicant's residence unit on the day it was
    /// opened (第五条 "向户籍所在街（镇）公共就业服务机构申办"). It does not follow a later move.
    pub unit_code: String,
    /// Goes up by one with every change; a change names the version it was decided on.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub application: Application,
}

/// An application's number as people say it: `SQ-`, the year it was received, and its place in
/// that year's applications, six digits at least.
pub fn number(year: i64, seq: i64) -> String {
    format!("SQ-{year}-{seq:06}")
}

/// A deficient application waiting for the applicant to bring what the one-time notice asked for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WaitingForDocuments {
    pub application_id: String,
    pub version: i64,
    pub id_number: String,
    pub name: String,
    pub unit_code: String,
    pub policy: String,
    pub category: &'static str,
    pub notice_served_on: Date,
    /// Everything the one-time notice listed.
    pub asked_for: Vec<Document>,
    /// What of it is still not supplied, in checklist order.
    pub still_missing: Vec<Document>,
    pub days_since_notice: i64,
    /// The last day to complete the file, where a policy sets one ([`Application::completion_deadline`]).
    pub deadline: Option<Date>,
    pub days_left: Option<i64>,
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// A condition the rules found unmet, with its article, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unmet {
    pub code: &'static str,
    pub citation: String,
    pub zh: String,
    pub en: String,
}

/// Why an application could not be opened, changed or listed.
#[derive(Debug)]
pub enum ApplicationError {
    /// The policy does not allow the change; the domain's error names the field and the reason.
    Transition(TransitionError),
    PersonNotFound {
        id_number: String,
    },
    NotFound {
        application_id: String,
    },
    /// The person already holds the category: there is nothing to apply for.
    AlreadyRecognised {
        policy: String,
        category: String,
        since: String,
    },
    /// An undecided application for the same category exists: deciding twice could contradict.
    AlreadyOpen {
        application_id: String,
    },
    UnitPrefix {
        prefix: String,
    },
    /// The application's policy was not in force on the day it was received: the policy in force
    /// that day decides (`in_force`, if any).
    PolicyNotInForce {
        policy: String,
        received_on: Date,
        in_force: Option<String>,
    },
    /// The rules, run on the person's facts as of the day the application was received, do not
    /// grant the category: each unmet condition with its article, in both languages.
    RulesNotMet {
        policy: String,
        /// The policy's document number (穗人社发〔2014〕4号).
        document: String,
        category: String,
        /// The category's name in Chinese and in English (boxed to keep the error small).
        name: Box<(String, String)>,
        received_on: Date,
        unmet: Vec<Unmet>,
    },
    /// A store failure, or [`StoreError::Conflict`] when the version passed in is stale.
    Store(StoreError),
}

impl ApplicationError {
    /// The field at fault, as the API names it; `None` for a failure of the store itself.
    pub fn field(&self) -> Option<&'static str> {
        Some(match self {
            ApplicationError::Transition(e) => e.field(),
            ApplicationError::PersonNotFound { .. } => "id_number",
            ApplicationError::NotFound { .. } => "application_id",
            ApplicationError::AlreadyRecognised { .. }
            | ApplicationError::AlreadyOpen { .. }
            | ApplicationError::PolicyNotInForce { .. }
            | ApplicationError::RulesNotMet { .. } => "category",
            ApplicationError::UnitPrefix { .. } => "unit",
            ApplicationError::Store(StoreError::Conflict { .. }) => "version",
            ApplicationError::Store(_) => return None,
        })
    }

    /// A stable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            ApplicationError::Transition(e) => e.code(),
            ApplicationError::PersonNotFound { .. } => "person_not_found",
            ApplicationError::NotFound { .. } => "application_not_found",
            ApplicationError::AlreadyRecognised { .. } => "already_recognised",
            ApplicationError::AlreadyOpen { .. } => "application_already_open",
            ApplicationError::UnitPrefix { .. } => "invalid_unit",
            ApplicationError::PolicyNotInForce { .. } => "policy_not_in_force",
            ApplicationError::RulesNotMet { .. } => "rules_not_met",
            ApplicationError::Store(StoreError::Conflict { .. }) => "version_conflict",
            ApplicationError::Store(_) => "store_error",
        }
    }
}

/// For logs: the code and the field. A user reads the words the edge makes from the
/// catalogue (`yuanzhu_web::words`).
impl fmt::Display for ApplicationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApplicationError::Transition(e) => write!(f, "{}: {}", e.field(), e.code()),
            ApplicationError::Store(e) => write!(f, "{e}"),
            _ => write!(f, "{}: {}", self.field().unwrap_or("-"), self.code()),
        }
    }
}

impl std::error::Error for ApplicationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ApplicationError::Transition(e) => Some(e),
            ApplicationError::Store(e) => Some(e),
            _ => None,
        }
    }
}

impl From<TransitionError> for ApplicationError {
    fn from(e: TransitionError) -> Self {
        ApplicationError::Transition(e)
    }
}

impl From<StoreError> for ApplicationError {
    fn from(e: StoreError) -> Self {
        ApplicationError::Store(e)
    }
}

impl From<sqlx::Error> for ApplicationError {
    fn from(e: sqlx::Error) -> Self {
        ApplicationError::Store(StoreError::Database(e))
    }
}

// ---------------------------------------------------------------------------------------------
// Opening and changing
// ---------------------------------------------------------------------------------------------

/// Opens a draft application for the registered person with `id_number`, at their residence unit.
/// The caller chooses the category under the policy in force on `on`
/// ([`ApplicationCategory::of_policy`]). Refused while the person holds the category or has an
/// undecided application for it.
pub async fn open(
    store: &Store,
    id_number: &str,
    category: ApplicationCategory,
    actor: &str,
    on: Date,
) -> Result<StoredApplication, ApplicationError> {
    let mut tx = store.begin_write().await?;
    let person = sqlx::query("SELECT id, residence_unit FROM persons WHERE id_number = $1")
        .bind(id_number)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ApplicationError::PersonNotFound { id_number: id_number.to_owned() })?;
    let (person_id, unit_code): (String, String) = (person.try_get("id")?, person.try_get("residence_unit")?);
    let app = Application::new(&person_id, category, actor, on)?;
    let (policy, code) = (app.category().policy(), app.category().code());
    let since: Option<String> = sqlx::query_scalar(
        "SELECT MIN(recognized_on) FROM recognitions WHERE person_id = $1 AND policy = $2 AND category = $3 \
         AND ended_on IS NULL",
    )
    .bind(&person_id)
    .bind(policy)
    .bind(code)
    .fetch_one(&mut *tx)
    .await?;
    if let Some(since) = since {
        return Err(ApplicationError::AlreadyRecognised {
            policy: policy.to_owned(),
            category: code.to_owned(),
            since,
        });
    }
    // The same undecided states as the partial unique index applications_one_open.
    let undecided: Option<String> = sqlx::query_scalar(
        "SELECT id FROM applications WHERE person_id = $1 AND policy = $2 AND category = $3 \
         AND state IN ('draft', 'submitted', 'deficient')",
    )
    .bind(&person_id)
    .bind(policy)
    .bind(code)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(application_id) = undecided {
        return Err(ApplicationError::AlreadyOpen { application_id });
    }
    let (id, at) = (new_id(), now());
    // The year's counter, taken in this transaction: numbers are never given twice, and an
    // application that does not commit gives its number back.
    let year = i64::from(on.year());
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO application_numbers (year, last_number) VALUES ($1, 1) \
         ON CONFLICT (year) DO UPDATE SET last_number = application_numbers.last_number + 1 RETURNING last_number",
    )
    .bind(year)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO applications (id, person_id, unit_code, policy, category, state, version, created_at, updated_at, \
         number_year, number_seq) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7, $8, $9)",
    )
    .bind(&id)
    .bind(&person_id)
    .bind(&unit_code)
    .bind(policy)
    .bind(code)
    .bind(app.state().kind().code())
    .bind(&at)
    .bind(year)
    .bind(seq)
    .execute(&mut *tx)
    .await?;
    insert_event(&mut tx, &id, &app, &at).await?;
    let stored = StoredApplication {
        id,
        number: number(year, seq),
        person_id,
        id_number: id_number.to_owned(),
        unit_code,
        version: 1,
        created_at: at.clone(),
        updated_at: at,
        application: app,
    };
    audit_change(&mut tx, &stored, None, actor).await?;
    tx.commit().await?;
    Ok(stored)
}

/// Records a document received (draft, or after the one-time notice).
pub async fn provide(
    store: &Store,
    app_id: &str,
    document: Document,
    actor: &str,
    on: Date,
    expected_version: i64,
) -> Result<StoredApplication, ApplicationError> {
    change(store, app_id, expected_version, Event { action: Action::Provide { document }, by: actor.to_owned(), on })
        .await
}

/// Records a written commitment in place of proof (告知承诺制, gd-2023-11 only).
pub async fn commit_in_lieu_of_proof(
    store: &Store,
    app_id: &str,
    document: Document,
    actor: &str,
    on: Date,
    expected_version: i64,
) -> Result<StoredApplication, ApplicationError> {
    let action = Action::CommitInLieuOfProof { document };
    change(store, app_id, expected_version, Event { action, by: actor.to_owned(), on }).await
}

/// Hands the file in; with documents missing, this serves the one-time notice ([`Application::submit`]).
pub async fn submit(
    store: &Store,
    app_id: &str,
    actor: &str,
    on: Date,
    expected_version: i64,
) -> Result<StoredApplication, ApplicationError> {
    change(store, app_id, expected_version, Event { action: Action::Submit, by: actor.to_owned(), on }).await
}

/// Serves the one-time deficiency notice on a submitted file whose `defective` documents failed review.
pub async fn mark_deficient(
    store: &Store,
    app_id: &str,
    defective: &[Document],
    actor: &str,
    on: Date,
    expected_version: i64,
) -> Result<StoredApplication, ApplicationError> {
    let action = Action::MarkDeficient { defective: defective.to_vec() };
    change(store, app_id, expected_version, Event { action, by: actor.to_owned(), on }).await
}

/// Recognises the applicant: the application becomes approved and, in the same transaction, the
/// category is recognised (route `application`, decided by `actor`, on `on`). Only what the rules
/// grant: the policy in force on the day the application was received, run on the person's
/// facts as of that day ([`ApplicationError::PolicyNotInForce`], [`ApplicationError::RulesNotMet`]).
pub async fn approve(
    store: &Store,
    policies: &PolicySet,
    app_id: &str,
    actor: &str,
    on: Date,
    expected_version: i64,
) -> Result<StoredApplication, ApplicationError> {
    let event = Event { action: Action::Approve, by: actor.to_owned(), on };
    change_checked(store, app_id, expected_version, event, Some(policies)).await
}

/// Refuses recognition, serving the refusal notice with `reason`.
pub async fn reject(
    store: &Store,
    app_id: &str,
    reason: &str,
    actor: &str,
    on: Date,
    expected_version: i64,
) -> Result<StoredApplication, ApplicationError> {
    let action = Action::Reject { reason: reason.to_owned() };
    change(store, app_id, expected_version, Event { action, by: actor.to_owned(), on }).await
}

/// The applicant withdraws, before a decision.
pub async fn withdraw(
    store: &Store,
    app_id: &str,
    actor: &str,
    on: Date,
    expected_version: i64,
) -> Result<StoredApplication, ApplicationError> {
    change(store, app_id, expected_version, Event { action: Action::Withdraw, by: actor.to_owned(), on }).await
}

/// One change, in one transaction.
async fn change(
    store: &Store,
    app_id: &str,
    expected_version: i64,
    event: Event,
) -> Result<StoredApplication, ApplicationError> {
    change_checked(store, app_id, expected_version, event, None).await
}

/// [`change`], an approval checked against the rules of `policies` first.
async fn change_checked(
    store: &Store,
    app_id: &str,
    expected_version: i64,
    event: Event,
    policies: Option<&PolicySet>,
) -> Result<StoredApplication, ApplicationError> {
    let mut tx = store.begin_write().await?;
    let at = now();
    // Claiming the row first takes SQLite's write lock or PostgreSQL's row lock before anything is
    // read: two caseworkers on one application queue here, and the second finds the version moved.
    let claimed = sqlx::query("UPDATE applications SET updated_at = $1 WHERE id = $2 AND version = $3")
        .bind(&at)
        .bind(app_id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
    if claimed.rows_affected() != 1 {
        let found: Option<i64> = sqlx::query_scalar("SELECT version FROM applications WHERE id = $1")
            .bind(app_id)
            .fetch_optional(&mut *tx)
            .await?;
        return Err(match found {
            Some(found) => StoreError::Conflict { expected: expected_version, found }.into(),
            None => ApplicationError::NotFound { application_id: app_id.to_owned() },
        });
    }
    let before = read(&mut tx, Scope::One(app_id))
        .await?
        .pop()
        .map(|(stored, _)| stored)
        .ok_or_else(|| StoreError::Corrupt(format!("application {app_id} has a row but no events")))?;
    let next = before.application.apply(&event)?;
    if event.action == Action::Approve {
        let policies = policies.ok_or_else(|| StoreError::Corrupt("an approval without the rules".into()))?;
        granted_by_rules(&mut tx, policies, &before).await?;
    }
    let version = before.version + 1;
    sqlx::query("UPDATE applications SET state = $1, version = $2 WHERE id = $3")
        .bind(next.state().kind().code())
        .bind(version)
        .bind(app_id)
        .execute(&mut *tx)
        .await?;
    insert_event(&mut tx, app_id, &next, &at).await?;
    let after = StoredApplication { version, updated_at: at, application: next, ..before.clone() };
    audit_change(&mut tx, &after, Some(&before), &event.by).await?;
    if event.action == Action::Approve {
        grant_recognition(&mut tx, &after, &event).await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// 第五条 recognition is the rules' to grant: the policy in force on the day the application was
/// received must be the application's, and its rules, run on the person's facts as of that day,
/// must grant the category. The stored facts are the person's latest; the registration that
/// counts is the latest on or before that day, and a household's zero-employment status is
/// derived from its members on that day, never taken as typed.
async fn granted_by_rules(
    conn: &mut AnyConnection,
    policies: &PolicySet,
    stored: &StoredApplication,
) -> Result<(), ApplicationError> {
    let app = &stored.application;
    let (category, received_on) = (app.category(), app.received_on());
    let in_force = policies.in_force_on(received_on);
    let Some(policy) = in_force.filter(|p| p.id == category.policy()) else {
        return Err(ApplicationError::PolicyNotInForce {
            policy: category.policy().to_owned(),
            received_on,
            in_force: in_force.map(|p| p.id.clone()),
        });
    };
    let row = sqlx::query(
        "SELECT p.household_ref, p.sex, p.birth_date, p.female_retirement_track, p.facts, p.parent_certificates, \
         p.unemployed_since, (SELECT MAX(r.registered_on) FROM unemployment_registrations r \
         WHERE r.person_id = p.id AND r.registered_on <= $2) AS registered_on FROM persons p WHERE p.id = $1",
    )
    .bind(&stored.person_id)
    .bind(received_on.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let mut facts = crate::reassess::facts_of(&row)?;
    if let Some(h) = row.try_get::<Option<String>, _>("household_ref")? {
        let zero = crate::households::household_in(conn, &h, received_on).await?.is_some_and(|h| h.zero_employment);
        facts.facts.set(Fact::ZeroEmploymentFamily, zero);
    }
    let zh = policy.unmet_for(category.code(), &facts, received_on, Lang::Zh);
    if zh.is_empty() {
        return Ok(());
    }
    let en = policy.unmet_for(category.code(), &facts, received_on, Lang::En);
    let unmet = zh
        .into_iter()
        .zip(en)
        .map(|(z, e)| Unmet { code: z.code, citation: z.citation, zh: z.because, en: e.because })
        .collect();
    let listed = policy.categories.iter().find(|c| c.code == category.code());
    Err(ApplicationError::RulesNotMet {
        policy: policy.id.clone(),
        document: policy.document.clone(),
        category: category.code().to_owned(),
        name: Box::new(listed.map_or_else(Default::default, |c| (c.name.clone(), c.name_en.clone()))),
        received_on,
        unmet,
    })
}

/// Appends the application's latest event as event number `history().len()`.
async fn insert_event(conn: &mut AnyConnection, app_id: &str, app: &Application, at: &str) -> Result<(), StoreError> {
    let event = app.history().last().expect("an application always has its creation event");
    let (action, payload) = encode(&event.action);
    sqlx::query(
        "INSERT INTO application_events (id, application_id, seq, action, by_actor, on_date, payload, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(app_id)
    .bind(app.history().len() as i64)
    .bind(action)
    .bind(&event.by)
    .bind(event.on.to_string())
    .bind(payload.to_string())
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The audit event of a change: `application.<what>`, with the state, documents and version before
/// and after, and the change itself (the domain's form of the action, and its date).
async fn audit_change(
    conn: &mut AnyConnection,
    after: &StoredApplication,
    before: Option<&StoredApplication>,
    actor: &str,
) -> Result<(), StoreError> {
    let app = &after.application;
    let event = app.history().last().expect("an application always has its creation event");
    let mut after_json = snapshot(after);
    after_json["change"] = serde_json::json!({ "action": event.action, "on": event.on });
    audit::append(
        conn,
        NewEvent {
            actor,
            action: audit_action(&event.action),
            entity: "application",
            entity_id: &after.id,
            person_id: Some(&after.person_id),
            policy: Some(app.category().policy()),
            before: before.map(snapshot),
            after: Some(after_json),
        },
    )
    .await?;
    Ok(())
}

fn snapshot(stored: &StoredApplication) -> serde_json::Value {
    let app = &stored.application;
    let mut v = serde_json::to_value(app.state()).expect("a state serialises");
    v["category"] = app.category().code().into();
    v["version"] = stored.version.into();
    v["documents"] = serde_json::to_value(app.documents()).expect("documents serialise");
    v
}

const fn audit_action(action: &Action) -> &'static str {
    match action {
        Action::Create => AuditAction::ApplicationOpened.code(),
        Action::Provide { .. } => AuditAction::ApplicationDocumentProvided.code(),
        Action::CommitInLieuOfProof { .. } => AuditAction::ApplicationCommitmentAccepted.code(),
        Action::Submit => AuditAction::ApplicationSubmitted.code(),
        Action::MarkDeficient { .. } => AuditAction::ApplicationMarkedDeficient.code(),
        Action::Approve => AuditAction::ApplicationApproved.code(),
        Action::Reject { .. } => AuditAction::ApplicationRejected.code(),
        Action::Withdraw => AuditAction::ApplicationWithdrawn.code(),
    }
}

/// The recognition an approval grants, and its `recognition.granted` audit event.
async fn grant_recognition(
    conn: &mut AnyConnection,
    approved: &StoredApplication,
    event: &Event,
) -> Result<(), StoreError> {
    let category = approved.application.category();
    let (citation, authority) = match category.rule() {
        CategoryRule::Gz2014(sub) => (sub.citation().to_owned(), "第五条"),
        CategoryRule::Gd2023(c) => (c.citation(), "第二章"),
    };
    let (id, on) = (new_id(), event.on.to_string());
    sqlx::query(
        "INSERT INTO recognitions (id, person_id, category, policy, citation, route, recognized_on, decided_by) \
         VALUES ($1, $2, $3, $4, $5, 'application', $6, $7)",
    )
    .bind(&id)
    .bind(&approved.person_id)
    .bind(category.code())
    .bind(category.policy())
    .bind(&citation)
    .bind(&on)
    .bind(&event.by)
    .execute(&mut *conn)
    .await?;
    audit::append(
        conn,
        NewEvent {
            actor: &event.by,
            action: AuditAction::RecognitionGranted.code(),
            entity: "recognition",
            entity_id: &id,
            person_id: Some(&approved.person_id),
            policy: Some(category.policy()),
            before: None,
            after: Some(serde_json::json!({
                "category": category.code(),
                "citation": citation,
                "route": "application",
                "recognized_on": on,
                "application": approved.id,
                "authority": authority,
            })),
        },
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// The application with this id, rebuilt from its events.
pub async fn load(store: &Store, app_id: &str) -> Result<Option<StoredApplication>, ApplicationError> {
    let mut conn = store.pool().acquire().await?;
    Ok(read(&mut conn, Scope::One(app_id)).await?.pop().map(|(stored, _)| stored))
}

/// Every application of the person with this ID number, oldest first.
pub async fn of_person(store: &Store, id_number: &str) -> Result<Vec<StoredApplication>, ApplicationError> {
    let mut conn = store.pool().acquire().await?;
    let person_id: Option<String> = sqlx::query_scalar("SELECT id FROM persons WHERE id_number = $1")
        .bind(id_number)
        .fetch_optional(&mut *conn)
        .await?;
    let person_id = person_id.ok_or_else(|| ApplicationError::PersonNotFound { id_number: id_number.to_owned() })?;
    Ok(read(&mut conn, Scope::Person(&person_id)).await?.into_iter().map(|(stored, _)| stored).collect())
}

/// The deficient applications made at units whose code starts with `unit_prefix` (`"440104"` for
/// a district and its streets, `""` for everywhere), as of `on`: who, what is still missing, and
/// how long since the one-time notice, longest wait first. See [`Application::completion_deadline`].
pub async fn waiting_for_documents(
    store: &Store,
    unit_prefix: &str,
    on: Date,
) -> Result<Vec<WaitingForDocuments>, ApplicationError> {
    let pattern = like_prefix(unit_prefix)?;
    let mut conn = store.pool().acquire().await?;
    let mut waiting = Vec::new();
    for (stored, name) in read(&mut conn, Scope::DeficientUnder(&pattern)).await? {
        let app = &stored.application;
        let State::Deficient { notice } = app.state() else { continue };
        let deadline = app.completion_deadline();
        waiting.push(WaitingForDocuments {
            application_id: stored.id.clone(),
            version: stored.version,
            id_number: stored.id_number.clone(),
            name,
            unit_code: stored.unit_code.clone(),
            policy: app.category().policy().to_owned(),
            category: app.category().code(),
            notice_served_on: notice.served_on(),
            asked_for: notice.missing().to_vec(),
            still_missing: app.missing(),
            days_since_notice: notice.served_on().days_until(on),
            deadline,
            days_left: deadline.map(|last| on.days_until(last)),
        });
    }
    waiting.sort_by(|a, b| (a.notice_served_on, &a.application_id).cmp(&(b.notice_served_on, &b.application_id)));
    Ok(waiting)
}

/// Which applications of a list come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// The queue's order: what was recorded last, first.
    NewestFirst,
    /// Waiting longest first: what to decide before anything else.
    OldestFirst,
}

/// A page of the applications made at units whose code starts with `unit_prefix`, in the
/// given states (all states when empty), in `order` of when they were recorded, each with the
/// applicant's name; and how many there are in all.
pub async fn list(
    store: &Store,
    unit_prefix: &str,
    states: &[StateKind],
    order: Order,
    limit: u32,
    offset: u32,
) -> Result<(Vec<(StoredApplication, String)>, i64), ApplicationError> {
    let pattern = like_prefix(unit_prefix)?;
    let filter = states_filter(states);
    let mut conn = store.pool().acquire().await?;
    let total: i64 =
        sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM applications WHERE unit_code LIKE $1{filter}")))
            .bind(&pattern)
            .fetch_one(&mut *conn)
            .await?;
    let direction = if order == Order::NewestFirst { "DESC" } else { "ASC" };
    let mut page =
        read(&mut conn, Scope::Page { pattern: &pattern, states: &filter, direction, limit, offset }).await?;
    if order == Order::NewestFirst {
        page.reverse();
    }
    Ok((page, total))
}

/// How many applications each unit one level below a prefix has in each state: (unit, state,
/// count), the unit being the first `digits` digits of the office's code.
pub async fn counts_by_unit(
    store: &Store,
    unit_prefix: &str,
    digits: usize,
    states: &[StateKind],
) -> Result<Vec<(String, String, i64)>, ApplicationError> {
    let pattern = like_prefix(unit_prefix)?;
    let filter = states_filter(states);
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT substr(unit_code, 1, {digits}) AS unit, state, COUNT(*) AS n FROM applications \
         WHERE unit_code LIKE $1{filter} GROUP BY substr(unit_code, 1, {digits}), state ORDER BY unit, state"
    )))
    .bind(&pattern)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .iter()
        .map(|r| Ok((r.try_get("unit")?, r.try_get("state")?, r.try_get("n")?)))
        .collect::<Result<_, sqlx::Error>>()?)
}

/// `LIKE` pattern of a unit prefix: digits only, so that it holds no wildcard but the one added.
fn like_prefix(unit_prefix: &str) -> Result<String, ApplicationError> {
    if unit_prefix.len() > 12 || !unit_prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApplicationError::UnitPrefix { prefix: unit_prefix.to_owned() });
    }
    Ok(format!("{unit_prefix}%"))
}

/// ` AND state IN ('draft', …)` from the states' own codes (constants, never input).
fn states_filter(states: &[StateKind]) -> String {
    if states.is_empty() {
        return String::new();
    }
    let codes: Vec<String> = states.iter().map(|s| format!("'{}'", s.code())).collect();
    format!(" AND state IN ({})", codes.join(", "))
}

/// Which applications to read.
enum Scope<'a> {
    One(&'a str),
    Person(&'a str),
    /// Deficient, at a unit matching this LIKE pattern.
    DeficientUnder(&'a str),
    /// A page, by when recorded (`ASC` or `DESC`), of those at a unit matching `pattern` in the
    /// states of a [`states_filter`]; read in ascending order.
    Page {
        pattern: &'a str,
        states: &'a str,
        direction: &'static str,
        limit: u32,
        offset: u32,
    },
}

/// Applications with their events, in one statement (so one snapshot on either engine: the row and
/// its events always agree unless the store is corrupt), each with the applicant's name.
async fn read(conn: &mut AnyConnection, scope: Scope<'_>) -> Result<Vec<(StoredApplication, String)>, StoreError> {
    const SELECT: &str = "SELECT a.id, a.number_year, a.number_seq, a.person_id, p.id_number, p.name, a.unit_code, \
         a.policy, a.category, a.state, a.version, a.created_at, a.updated_at, e.seq, e.action, e.by_actor, e.on_date, e.payload \
         FROM applications a JOIN persons p ON p.id = a.person_id JOIN application_events e ON e.application_id = a.id";
    const ORDER: &str = "ORDER BY a.created_at, a.id, e.seq";
    let (filter, value, state) = match scope {
        Scope::One(id) => ("a.id = $1".to_owned(), id, None),
        Scope::Person(id) => ("a.person_id = $1".to_owned(), id, None),
        Scope::DeficientUnder(pattern) => {
            ("a.unit_code LIKE $1 AND a.state = $2".to_owned(), pattern, Some(StateKind::Deficient.code()))
        }
        Scope::Page { pattern, states, direction, limit, offset } => (
            format!(
                "a.id IN (SELECT id FROM applications WHERE unit_code LIKE $1{states} \
                 ORDER BY created_at {direction}, id {direction} LIMIT {limit} OFFSET {offset})"
            ),
            pattern,
            None,
        ),
    };
    let mut query = sqlx::query(AssertSqlSafe(format!("{SELECT} WHERE {filter} {ORDER}"))).bind(value);
    // Exactly as many values as the filter has placeholders: PostgreSQL refuses extra ones.
    if let Some(state) = state {
        query = query.bind(state);
    }
    let rows = query.fetch_all(&mut *conn).await?;
    let mut out = Vec::new();
    let mut start = 0;
    while start < rows.len() {
        let id: String = rows[start].try_get("id")?;
        let mut end = start + 1;
        while end < rows.len() && rows[end].try_get::<String, _>("id")? == id {
            end += 1;
        }
        out.push(rebuild(&rows[start..end])?);
        start = end;
    }
    Ok(out)
}

/// One application from its rows (one per event, in order), checked against its row.
fn rebuild(rows: &[sqlx::any::AnyRow]) -> Result<(StoredApplication, String), StoreError> {
    let first = &rows[0];
    let id: String = first.try_get("id")?;
    let corrupt = |what: String| StoreError::Corrupt(format!("application {id}: {what}"));
    let (policy, code): (String, String) = (first.try_get("policy")?, first.try_get("category")?);
    let category = ApplicationCategory::parse(&policy, &code).map_err(|e| corrupt(e.message(Lang::En)))?;
    let mut events = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let seq: i64 = r.try_get("seq")?;
        if seq != i as i64 + 1 {
            return Err(corrupt(format!("event {} is missing (next is {seq})", i + 1)));
        }
        let (action, payload): (String, String) = (r.try_get("action")?, r.try_get("payload")?);
        let on: String = r.try_get("on_date")?;
        events.push(Event {
            action: decode(&action, &payload).map_err(|e| corrupt(format!("event {seq}: {e}")))?,
            by: r.try_get("by_actor")?,
            on: Date::parse(&on).map_err(|_| corrupt(format!("event {seq}: date `{on}`")))?,
        });
    }
    let person_id: String = first.try_get("person_id")?;
    let application = Application::replay(&person_id, category, &events)
        .map_err(|e| corrupt(format!("its history does not replay: {}", e.message(Lang::En))))?;
    let (state, version): (String, i64) = (first.try_get("state")?, first.try_get("version")?);
    if state != application.state().kind().code() || version != events.len() as i64 {
        return Err(corrupt(format!(
            "the row says {state} at version {version}, its {} events say {}",
            events.len(),
            application.state().kind().code()
        )));
    }
    let (year, seq): (Option<i64>, Option<i64>) = (first.try_get("number_year")?, first.try_get("number_seq")?);
    let stored = StoredApplication {
        number: match (year, seq) {
            (Some(year), Some(seq)) => number(year, seq),
            _ => return Err(corrupt("it has no number".to_owned())),
        },
        person_id,
        id_number: first.try_get("id_number")?,
        unit_code: first.try_get("unit_code")?,
        version,
        created_at: first.try_get("created_at")?,
        updated_at: first.try_get("updated_at")?,
        application,
        id,
    };
    Ok((stored, first.try_get("name")?))
}

// ---------------------------------------------------------------------------------------------
// The stored form of an event
// ---------------------------------------------------------------------------------------------

/// An action as stored: its kind (the `action` column) and its data (the `payload` column). The
/// domain serialises actions but does not read them back, so both directions live here, side by
/// side; documents are stored by their stable codes.
fn encode(action: &Action) -> (&'static str, serde_json::Value) {
    use serde_json::json;
    let code = |d: &Document| d.code();
    match action {
        Action::Create => ("create", json!({})),
        Action::Provide { document } => ("provide", json!({ "document": document.code() })),
        Action::CommitInLieuOfProof { document } => ("commit_in_lieu_of_proof", json!({ "document": document.code() })),
        Action::Submit => ("submit", json!({})),
        Action::MarkDeficient { defective } => {
            ("mark_deficient", json!({ "defective": defective.iter().map(code).collect::<Vec<_>>() }))
        }
        Action::Approve => ("approve", json!({})),
        Action::Reject { reason } => ("reject", json!({ "reason": reason })),
        Action::Withdraw => ("withdraw", json!({})),
    }
}

fn decode(kind: &str, payload: &str) -> Result<Action, String> {
    let data: serde_json::Value = serde_json::from_str(payload).map_err(|e| format!("payload `{payload}`: {e}"))?;
    let document = |v: &serde_json::Value| {
        let code = v.as_str().ok_or_else(|| format!("`{v}` is not a document code"))?;
        Document::all().into_iter().find(|d| d.code() == code).ok_or_else(|| format!("unknown document `{code}`"))
    };
    Ok(match kind {
        "create" => Action::Create,
        "provide" => Action::Provide { document: document(&data["document"])? },
        "commit_in_lieu_of_proof" => Action::CommitInLieuOfProof { document: document(&data["document"])? },
        "submit" => Action::Submit,
        "mark_deficient" => {
            let list = data["defective"].as_array().ok_or("`defective` is not a list")?;
            Action::MarkDeficient { defective: list.iter().map(document).collect::<Result<_, _>>()? }
        }
        "approve" => Action::Approve,
        "reject" => Action::Reject { reason: data["reason"].as_str().ok_or("`reason` is not text")?.to_owned() },
        "withdraw" => Action::Withdraw,
        other => return Err(format!("unknown action `{other}`")),
    })
}

#[cfg(test)]
mod tests {
    use yuanzhu_domain::application::ProvincialCategory;

    use super::*;

    #[test]
    fn every_action_and_document_survives_storage() {
        let mut actions = vec![
            Action::Create,
            Action::Submit,
            Action::Approve,
            Action::Withdraw,
            Action::Reject { reason: "家庭成员中有人就业 \"引号\"".to_owned() },
            Action::MarkDeficient { defective: vec![] },
            Action::MarkDeficient { defective: Document::all() },
        ];
        for document in Document::all() {
            actions.push(Action::Provide { document });
            actions.push(Action::CommitInLieuOfProof { document });
        }
        for action in actions {
            let (kind, payload) = encode(&action);
            assert_eq!(decode(kind, &payload.to_string()), Ok(action.clone()), "{kind} {payload}");
            assert!(audit_action(&action).starts_with("application."));
        }
    }

    #[test]
    fn document_codes_are_unique_so_a_code_names_one_document() {
        let all = Document::all();
        let codes: std::collections::HashSet<_> = all.iter().map(|d| d.code()).collect();
        assert_eq!(codes.len(), all.len());
        assert!(all.contains(&Document::CategoryEvidence(ProvincialCategory::Disabled)));
    }

    #[test]
    fn a_damaged_stored_event_is_reported_not_guessed() {
        assert!(decode("provide", r#"{"document":"passport"}"#).unwrap_err().contains("passport"));
        assert!(decode("approve_all", "{}").unwrap_err().contains("approve_all"));
        assert!(decode("reject", "{}").is_err());
        assert!(decode("submit", "not json").is_err());
    }

    #[test]
    fn errors_name_their_field_and_a_code() {
        let errors = [
            ApplicationError::PersonNotFound { id_number: "440106197501011232".into() },
            ApplicationError::NotFound { application_id: "x".into() },
            ApplicationError::AlreadyRecognised {
                policy: "gz-2014-4".into(),
                category: "hardship_low_income".into(),
                since: "2016-03-01".into(),
            },
            ApplicationError::AlreadyOpen { application_id: "x".into() },
            ApplicationError::UnitPrefix { prefix: "44%".into() },
            ApplicationError::Store(StoreError::Conflict { expected: 2, found: 3 }),
            ApplicationError::Transition(TransitionError::EmptyReason),
        ];
        for e in errors {
            // Their words are the catalogue's (`yuanzhu_web::words`); a log names field and code.
            let field = e.field().unwrap();
            assert!(e.to_string().starts_with(field) || matches!(e, ApplicationError::Store(_)), "{e}");
            assert!(!e.code().is_empty());
        }
        assert_eq!(ApplicationError::Store(StoreError::Corrupt("x".into())).field(), None);
    }
}
