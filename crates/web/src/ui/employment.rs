//! Employment from the person's file: that they found work (就业登记) or that it ended (失业).
//! A household's zero-employment status (第三条第（三）项第2目) is derived from these records, so a
//! caseworker keeps them current here. Each form calls the API's own logic, so the checks (role,
//! jurisdiction, dates, the gd-2023-11 family cascade) are the API's.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use yuanzhu_domain::access::Action;
use yuanzhu_rules::Lang;
use yuanzhu_storage::employment::{self, Employment};
use yuanzhu_storage::{persons, search};

use super::{Ctx, OrPage, Page, PageError, form_token_ok, render};
use crate::auth::{AuthUser, csrf_error};
use crate::error::ApiError;
use crate::service::households::{end_work, start_work};
use crate::state::AppState;

/// This area's strings: (key, zh-CN, en).
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("work.title", "就业与失业登记", "Employment"),
    ("work.records", "就业记录", "Employment records"),
    ("work.started_on", "就业日期", "Started on"),
    ("work.ended_on", "最后工作日", "Last day worked"),
    ("work.employer", "用人单位", "Employer"),
    ("work.ongoing", "在职", "Ongoing"),
    ("work.start_title", "登记就业", "Record that the person found work"),
    (
        "work.start_hint",
        "家庭成员就业后，其家庭不再是零就业家庭；按粤人社规〔2023〕11号，其他成员以零就业家庭认定的，将提出注销供审核。",
        "Once a member works, the household is no longer a zero-employment household; under gd-2023-11 the other members' recognition on that basis is proposed for revocation, for a reviewer to decide.",
    ),
    ("work.start", "登记就业", "Record work"),
    ("work.end_title", "登记失业（就业结束）", "Record that the work ended"),
    (
        "work.end_hint",
        "填写最后工作日。自次日起，该成员按无业计入家庭就业状况。",
        "Give the last day worked. From the next day the member counts as without work in the household's status.",
    ),
    ("work.end", "登记失业", "Record the end"),
    ("work.which", "结束的就业", "The work that ended"),
    ("work.none_open", "该人员没有未结束的就业。", "The person has no work still open."),
    ("work.categories_at_start", "就业时的认定类别", "Categories held when the work began"),
    (
        "work.start_effects",
        "登记就业后，该人员的失业登记终止，失业登记时自动认定的类别随之终止；特困失业人员资格按第六条第（一）项提出注销，供审核。",
        "Once work is recorded, the person's unemployment registration ends, and with it the categories recognised automatically at it; hardship status is proposed for revocation under article 6(1), for a reviewer to decide.",
    ),
    ("file.work", "就业与失业登记", "Employment"),
    ("file.member_outside", "（不在本单位管辖范围）", "(outside your jurisdiction)"),
    (
        "file.household_pending",
        "加入以下家庭的申请待家庭成员所在单位确认，确认前不计入该家庭：",
        "Joining this household waits for the acceptance of the members' unit; until then the person is not counted in it:",
    ),
    ("file.done.work_started", "已登记就业。", "The work is recorded."),
    ("file.done.work_ended", "已登记就业结束。", "The end of the work is recorded."),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/p/{person_id}/work", get(page))
        .route("/p/{person_id}/work/start", post(start))
        .route("/p/{person_id}/work/end", post(end))
}

#[derive(Template)]
#[template(path = "work.html")]
struct WorkPage<'a> {
    ctx: &'a Ctx,
    person_id: String,
    name: String,
    records: Vec<Employment>,
    start: Entered,
    end: Entered,
}

impl WorkPage<'_> {
    /// The records still open, which the end form offers.
    fn open(&self) -> Vec<&Employment> {
        self.records.iter().filter(|r| r.ended_on.is_none()).collect()
    }

    /// Whether the end form's choice `id` is the one to show selected: the one chosen before an
    /// error, or the only open record.
    fn chosen(&self, id: &str) -> bool {
        if self.end.employment_id.is_empty() { self.open().len() == 1 } else { self.end.employment_id == id }
    }

    /// The categories a record kept, in the page's language.
    fn held(&self, r: &Employment) -> String {
        let sep = if self.ctx.lang == Lang::Zh { "、" } else { ", " };
        match &r.categories_at_start {
            Some(held) if held.is_empty() => self.ctx.t("common.none").to_owned(),
            Some(held) => held.iter().map(|h| self.ctx.category(&h.category)).collect::<Vec<_>>().join(sep),
            None => String::new(),
        }
    }
}

/// What a form held, and the error that sits next to its field.
#[derive(Default)]
struct Entered {
    date: String,
    employer: String,
    employment_id: String,
    error: Option<(String, String)>,
}

impl Entered {
    fn error_on(&self, field: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    /// An error that names no field of this form.
    fn general(&self) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| !["started_on", "ended_on", "employer", "employment_id"].contains(&f.as_str()))
            .map(|(_, m)| m.as_str())
    }
}

async fn view<'a>(
    state: &AppState,
    ctx: &'a Ctx,
    user: &AuthUser,
    person_id: &str,
) -> Result<(WorkPage<'a>, String), ApiError> {
    if person_id.len() > 64 {
        return Err(ApiError::not_found());
    }
    let id_number = search::id_number_of(&state.store, person_id).await?.ok_or_else(ApiError::not_found)?;
    user.person(state, &id_number, Action::Register).await?;
    let name = persons::file(&state.store, &id_number).await?.map(|f| f.person.name).ok_or_else(ApiError::not_found)?;
    let records = employment::of_person(&state.store, &id_number).await?;
    let page = WorkPage {
        ctx,
        person_id: person_id.to_owned(),
        name,
        records,
        start: Entered::default(),
        end: Entered::default(),
    };
    Ok((page, id_number))
}

async fn page(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
) -> Result<Response, PageError> {
    let (page, _) = view(&state, &ctx, &user, &person_id).await.or_page(&ctx)?;
    Ok(render(&page, StatusCode::OK))
}

#[derive(Debug, serde::Deserialize)]
pub struct WorkForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    employer: String,
    #[serde(default)]
    employment_id: String,
}

fn message(ctx: &Ctx, e: &ApiError) -> (String, String) {
    let text = if ctx.lang == Lang::En { e.en.clone() } else { e.zh.clone() };
    (e.field.as_deref().unwrap_or("").to_owned(), text)
}

async fn start(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
    Form(f): Form<WorkForm>,
) -> Result<Response, PageError> {
    submit(&state, &ctx, &user, &person_id, f, true).await
}

async fn end(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
    Form(f): Form<WorkForm>,
) -> Result<Response, PageError> {
    submit(&state, &ctx, &user, &person_id, f, false).await
}

async fn submit(
    state: &AppState,
    ctx: &Ctx,
    user: &AuthUser,
    person_id: &str,
    f: WorkForm,
    starts: bool,
) -> Result<Response, PageError> {
    if !form_token_ok(ctx, &f.csrf_token) {
        return Err(ctx.page_error(csrf_error()));
    }
    let (mut page, id_number) = view(state, ctx, user, person_id).await.or_page(ctx)?;
    let outcome = if starts {
        start_work(state, user, &id_number, &f.date, Some(&f.employer)).await.map(|_| "work_started")
    } else {
        end_work(state, user, &id_number, &f.employment_id, &f.date).await.map(|_| "work_ended")
    };
    match outcome {
        Ok(done) => Ok(Redirect::to(&format!("/p/{person_id}?done={done}")).into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let entered = Entered {
                date: f.date,
                employer: f.employer,
                employment_id: f.employment_id,
                error: Some(message(ctx, &e)),
            };
            if starts {
                page.start = entered;
            } else {
                page.end = entered;
            }
            Ok(render(&page, StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(e) => Err(ctx.page_error(e)),
    }
}
