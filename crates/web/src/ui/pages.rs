//! Search and the person's file (一人一档, 第十九条).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use yuanzhu_domain::access::{Action, mask_id_number, mask_phone, role_allows};
use yuanzhu_storage::persons;
use yuanzhu_storage::search::{self, Scope};
use yuanzhu_storage::views::View;

use super::{Ctx, OrPage, Page, PageError, render};
use crate::error::ApiError;
use crate::state::AppState;
use yuanzhu_domain::access::masked_text;

#[derive(Debug, serde::Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// A search result as the list shows it: masked, linked by the record's key.
struct Row {
    person_id: String,
    id_number: String,
    name: String,
    sex: String,
    birth_date: String,
    phone: String,
    residence_unit: String,
    categories: Vec<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage<'a> {
    ctx: &'a Ctx,
    q: String,
    searched: bool,
    rows: Vec<Row>,
    /// More persons match than the page shows.
    more: bool,
}

pub async fn search(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Query(q): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let text = q.q.unwrap_or_default().trim().chars().take(64).collect::<String>();
    let mut rows = Vec::new();
    let mut more = false;
    if !text.is_empty() {
        let scope = match user.user.unit_prefix() {
            Some(prefix) => Scope::Units(prefix),
            None => Scope::AssignedTo(&user.account.id),
        };
        let found = search::find(&state.store, &text, scope, 50).await.or_page(&ctx)?;
        more = found.more;
        rows = found
            .hits
            .into_iter()
            .map(|h| Row {
                person_id: h.person_id,
                id_number: mask_id_number(&h.id_number),
                name: h.name,
                sex: h.sex,
                birth_date: h.birth_date,
                phone: h.phone.as_deref().map(mask_phone).unwrap_or_default(),
                residence_unit: h.residence_unit,
                categories: h.categories,
            })
            .collect();
    }
    let searched = !text.is_empty();
    Ok(render(&SearchPage { ctx: &ctx, q: text, searched, rows, more }, StatusCode::OK))
}

struct RecognitionRow {
    category: String,
    policy: String,
    citation: String,
    route: String,
    recognized_on: String,
    decided_by: String,
    ended: String,
}

struct MemberRow {
    id_number: String,
    name: String,
    relation: String,
    /// Unknown (not shown) for a member outside the user's jurisdiction.
    of_working_age: Option<bool>,
    employed: Option<bool>,
}

struct ContactRow {
    on: String,
    channel: String,
    reached: bool,
    note: String,
    actor: String,
}

struct ApplicationRow {
    id: String,
    number: String,
    category: String,
    state: String,
    opened: String,
}

struct ProposalRow {
    id: String,
    reason: String,
    citation: String,
    state: String,
    proposed_on: String,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage<'a> {
    ctx: &'a Ctx,
    person_id: String,
    masked: bool,
    person: persons::PersonRecord,
    categories: Vec<String>,
    recognitions: Vec<RecognitionRow>,
    registrations: Vec<String>,
    household: Option<(String, bool)>,
    members: Vec<MemberRow>,
    /// A household the person claims to join, waiting for another unit's acceptance.
    joining: Option<String>,
    timeline: Vec<super::timeline::Line>,
    contacts: Vec<ContactRow>,
    applications: Vec<ApplicationRow>,
    proposals: Vec<ProposalRow>,
    /// The ledger (第十九条), newest first.
    ledger: Vec<LedgerRow>,
    /// The active assistance plan, if any.
    plan: Option<crate::service::assistance::PlanJson>,
    /// Whether the person holds a status some reason of its policy ends: only then is
    /// revocation offered.
    revocable: bool,
    /// What the page that led here just recorded, confirmed at the top.
    done: Option<&'static str>,
}

struct LedgerRow {
    on: String,
    kind: String,
    article: String,
    summary: String,
}

#[derive(Debug, serde::Deserialize)]
pub struct FileQuery {
    done: Option<String>,
}

impl PersonPage<'_> {
    fn kind_name(&self, code: &str) -> String {
        yuanzhu_domain::assistance::LedgerKind::parse(code)
            .map_or_else(|| code.to_owned(), |k| k.name(self.ctx.lang).to_owned())
    }
}

pub(super) fn mask(text: &str, masked: bool) -> String {
    if masked { masked_text(text).unwrap_or_else(|| text.to_owned()) } else { text.to_owned() }
}

pub async fn person_file(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
    Query(q): Query<FileQuery>,
) -> Result<Response, PageError> {
    let done = match q.done.as_deref() {
        Some("contact") => Some("file.done.contact"),
        Some("refusal") => Some("file.done.refusal"),
        Some("work_started") => Some("file.done.work_started"),
        Some("work_ended") => Some("file.done.work_ended"),
        Some("service") => Some("file.done.service"),
        Some("service_proposed") => Some("file.done.service_proposed"),
        Some(other) => super::residence_transfers::done_key(other),
        None => None,
    };
    file_page(&state, &ctx, &user, &person_id, done).await.or_page(&ctx)
}

async fn file_page(
    state: &AppState,
    ctx: &Ctx,
    user: &crate::auth::AuthUser,
    person_id: &str,
    done: Option<&'static str>,
) -> Result<Response, ApiError> {
    if person_id.len() > 64 {
        return Err(ApiError::not_found());
    }
    let id_number = search::id_number_of(&state.store, person_id).await?.ok_or_else(ApiError::not_found)?;
    let reach = user.person(state, &id_number, Action::View).await?;
    let viewed = state.views.enqueue(View { person_id: reach.person_id, actor: user.account.username.clone() }).await?;
    let crate::service::person_file::WholeFile { file, sections } =
        crate::service::person_file::load(state, user, &id_number).await?.ok_or_else(ApiError::not_found)?;
    let masked = !role_allows(user.user.role, Action::ViewIdentity);
    let mut person = file.person.clone();
    if masked {
        person.id_number = mask_id_number(&person.id_number);
        person.phone = person.phone.as_deref().map(mask_phone);
    }
    let applications = sections
        .applications
        .into_iter()
        .map(|a| ApplicationRow {
            number: a.number,
            id: a.id,
            category: a.application.category().code().to_owned(),
            state: a.application.state().kind().name(ctx.lang).to_owned(),
            opened: a.application.received_on().to_string(),
        })
        .collect();
    let contacts = sections
        .contacts
        .into_iter()
        .map(|c| ContactRow {
            on: c.on,
            channel: ctx.label("contact.channel", c.channel.code()),
            reached: c.reached,
            note: mask(&c.note, masked),
            actor: c.actor,
        })
        .collect();
    let ledger = sections
        .ledger
        .iter()
        .rev()
        .map(|e| LedgerRow {
            on: e.date.clone(),
            kind: yuanzhu_domain::assistance::LedgerKind::parse(&e.kind)
                .map_or_else(|| e.kind.clone(), |k| k.name(ctx.lang).to_owned()),
            article: ctx.citation(&e.article),
            summary: mask(if ctx.lang == yuanzhu_rules::Lang::Zh { &e.summary } else { &e.summary_en }, masked),
        })
        .collect();
    let plan = sections.plans.into_iter().find(|p| p.active);
    let proposals = sections
        .revocation_proposals
        .into_iter()
        .map(|p| ProposalRow {
            id: p.id,
            reason: ctx.revocation_reason(&p.policy, p.reason.code()),
            citation: ctx.citation(&p.citation),
            state: ctx.label(
                "revoke.state",
                serde_json::to_value(p.state).ok().and_then(|v| v.as_str().map(str::to_owned)).as_deref().unwrap_or(""),
            ),
            proposed_on: p.proposed_on,
        })
        .collect();
    let (household, members) = match sections.household {
        Some(v) => (
            Some((v.household_ref, v.zero_employment)),
            v.members
                .into_iter()
                .map(|m| MemberRow {
                    id_number: m.id_number,
                    name: m.name,
                    relation: m.relation.unwrap_or_default(),
                    of_working_age: m.of_working_age,
                    employed: m.employed,
                })
                .collect(),
        ),
        None => (None, Vec::new()),
    };
    let joining = sections
        .household_joins
        .into_iter()
        .find(|j| j.state == yuanzhu_storage::households::joins::JoinState::Pending.code())
        .map(|j| j.household_ref);
    let hide = |text: &str| mask(text, masked);
    let timeline = file.timeline.iter().rev().map(|e| super::timeline::line(ctx, e, &hide)).collect();
    let recognitions = file
        .recognitions
        .iter()
        .map(|r| RecognitionRow {
            category: r.category.clone(),
            policy: ctx.policy_name(&r.policy),
            citation: ctx.citation(&r.citation),
            route: r.route.clone(),
            recognized_on: r.recognized_on.clone(),
            decided_by: super::timeline::actor_name(ctx, &r.decided_by),
            ended: r.ended_on.as_ref().map_or_else(String::new, |on| {
                let reason = r.end_reason.as_deref().map(|c| ctx.revocation_reason(&r.policy, c)).unwrap_or_default();
                format!("{} {reason}", ctx.date(on))
            }),
        })
        .collect();
    let revocable = file.recognitions.iter().filter(|r| r.ended_on.is_none()).any(|r| {
        state.policies.by_id(&r.policy).is_some_and(|p| yuanzhu_domain::revocation::revocable(p, &r.category))
    });
    viewed.committed().await?;
    let page = PersonPage {
        ctx,
        person_id: person_id.to_owned(),
        masked,
        person,
        categories: file.categories.clone(),
        recognitions,
        registrations: file.registrations.clone(),
        household,
        members,
        joining,
        timeline,
        contacts,
        applications,
        proposals,
        ledger,
        plan,
        revocable,
        done,
    };
    Ok(render(&page, StatusCode::OK))
}
