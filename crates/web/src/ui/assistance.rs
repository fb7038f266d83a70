//! Pages of assistance (#13): recording a service given to a person (第八至十六条). The ledger and
//! the plan are sections of the person's file (`pages.rs`). Each form calls its use case in
//! `crate::service::assistance`, as the API does.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use yuanzhu_domain::access::Action;
use yuanzhu_domain::assistance::{LedgerKind, ServiceKind, ServiceOutcome, ledger::outcome_name};
use yuanzhu_storage::{persons, search};

use super::{Ctx, OrPage, Page, PageError, form_token_ok, render};
use crate::auth::{AuthUser, csrf_error};
use crate::error::ApiError;
use crate::service::assistance::{NewServiceBody, record_service};
use crate::state::AppState;

pub const STRINGS: &[(&str, &str, &str)] = &[
    ("service.title", "记录援助服务", "Record a service"),
    (
        "service.hint",
        "记录已为本人提供的服务。每条记录注明依据的政策条款，记入本人的援助台帐。",
        "Record a service given to the person. Each record cites the article it delivers and goes into the person's ledger.",
    ),
    ("service.kind", "服务类别", "Kind of service"),
    ("service.date", "服务日期", "Date"),
    ("service.outcome", "结果", "Outcome"),
    ("service.outcome_none", "（不适用）", "(not an offer)"),
    (
        "service.outcome_hint",
        "推荐、指导、培训等可接受或拒绝的服务须记录结果。本人拒绝的，须在说明中写明理由：这将作为第六条第（二）项“拒绝就业服务”的依据。",
        "Offers (referrals, guidance, training…) have an outcome. When the person declines, write their reason in the note: it is the evidence for Article 6(2) (refusing services).",
    ),
    ("service.employer", "介绍的用人单位", "Employer referred to"),
    ("service.note", "说明", "Note"),
    ("service.loan_amount", "申请创业担保贷款金额（元）", "Start-up loan asked for (yuan)"),
    ("service.submit", "记录服务", "Record the service"),
    ("file.ledger", "援助台帐", "Assistance ledger"),
    (
        "file.ledger_hint",
        "第十九条“一人一档、一帮扶一台帐”：提供的每项服务、就业和跟踪回访，按日期排列。",
        "Every service, placement and follow-up, in date order (Article 19: one file and one ledger per person).",
    ),
    ("file.ledger_kind", "事项", "What"),
    ("file.ledger_article", "依据", "Article"),
    ("file.ledger_summary", "内容", "Details"),
    ("file.record_service", "记录援助服务", "Record a service"),
    ("file.done.service", "已记录援助服务。", "The service was recorded."),
    (
        "file.done.service_proposed",
        "已记录。本人拒绝服务已达政策规定次数，已提出注销建议，待审核。",
        "Recorded. The refusals reached the policy's threshold: a revocation was proposed for review.",
    ),
    ("file.plan", "援助计划", "Assistance plan"),
    ("file.plan_goals", "目标", "Goals"),
    ("file.plan_review", "复核日期", "Review on"),
    ("file.plan_due", "期限", "Due"),
    ("file.plan_owner", "负责人", "Owner"),
    ("file.plan_state", "状态", "State"),
    ("plan.state.open", "待办", "Open"),
    ("plan.state.done", "已完成", "Done"),
    ("plan.state.dropped", "已取消", "Dropped"),
    ("plan.overdue", "已逾期", "Overdue"),
    ("home.without_plan.title", "尚无援助计划的特困人员", "Hardship persons without an assistance plan"),
    (
        "home.without_plan.hint",
        "第十二条第（一）项：为每名特困失业人员制定有针对性的援助计划。",
        "Article 12(1): each person in hardship gets an assistance plan of their own.",
    ),
    ("home.follow_ups.title", "待跟踪回访", "Follow-ups due"),
    (
        "home.follow_ups.hint",
        "就业后第1、3、6个月回访（第十九条），一周内到期和已逾期的。",
        "Follow-ups 1, 3 and 6 months after a placement (Article 19) due within a week, or overdue.",
    ),
];

pub fn router() -> Router<AppState> {
    Router::new().route("/p/{person_id}/service", get(service_form).post(service_submit))
}

/// What was typed, kept when the form is refused.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ServiceForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    employer: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    loan_amount: String,
}

struct Choice {
    code: &'static str,
    name: &'static str,
}

#[derive(Template)]
#[template(path = "service.html")]
struct ServicePage<'a> {
    ctx: &'a Ctx,
    person_id: String,
    name: String,
    kinds: Vec<Choice>,
    outcomes: Vec<Choice>,
    typed: ServiceForm,
    /// Each wrong field and what is wrong with it, in the page's language.
    errors: Vec<(String, String)>,
}

impl ServicePage<'_> {
    fn error_on(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

async fn person_of(state: &AppState, user: &AuthUser, person_id: &str) -> Result<(String, String), ApiError> {
    if person_id.len() > 64 {
        return Err(ApiError::not_found());
    }
    let id_number = search::id_number_of(&state.store, person_id).await?.ok_or_else(ApiError::not_found)?;
    user.person(state, &id_number, Action::RecordService).await?;
    let name = persons::file(&state.store, &id_number).await?.map(|f| f.person.name).ok_or_else(ApiError::not_found)?;
    Ok((id_number, name))
}

fn page<'a>(ctx: &'a Ctx, person_id: &str, name: String, typed: ServiceForm) -> ServicePage<'a> {
    ServicePage {
        ctx,
        person_id: person_id.to_owned(),
        name,
        kinds: ServiceKind::ALL
            .iter()
            .map(|k| Choice { code: k.code(), name: LedgerKind::Service(*k).name(ctx.lang) })
            .collect(),
        outcomes: ServiceOutcome::ALL
            .iter()
            .map(|o| Choice { code: o.code(), name: outcome_name(*o, ctx.lang) })
            .collect(),
        typed,
        errors: Vec::new(),
    }
}

async fn service_form(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
) -> Result<Response, PageError> {
    let (_, name) = person_of(&state, &user, &person_id).await.or_page(&ctx)?;
    let typed = ServiceForm { date: state.clock().today().to_string(), ..ServiceForm::default() };
    Ok(render(&page(&ctx, &person_id, name, typed), StatusCode::OK))
}

async fn service_submit(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
    Form(f): Form<ServiceForm>,
) -> Result<Response, PageError> {
    if !form_token_ok(&ctx, &f.csrf_token) {
        return Err(ctx.page_error(csrf_error()));
    }
    let (id_number, name) = person_of(&state, &user, &person_id).await.or_page(&ctx)?;
    let given = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
    let body = NewServiceBody {
        kind: f.kind.clone(),
        date: given(&f.date),
        note: given(&f.note),
        outcome: given(&f.outcome),
        vacancy: None,
        employer: given(&f.employer),
        loan_amount: given(&f.loan_amount),
    };
    match record_service(&state, &user, &id_number, body).await {
        Ok(made) => {
            let done = if made.revocation_proposal.is_some() { "service_proposed" } else { "service" };
            Ok(Redirect::to(&format!("/p/{person_id}?done={done}#ledger-h")).into_response())
        }
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let mut p = page(&ctx, &person_id, name, f);
            let all: Vec<_> = if e.errors.is_empty() {
                vec![(e.field.as_deref().unwrap_or("").to_owned(), e.message(ctx.lang).to_owned())]
            } else {
                e.errors
                    .iter()
                    .map(|x| {
                        (
                            x.field.clone().unwrap_or_default(),
                            if ctx.lang == yuanzhu_rules::Lang::Zh { x.zh.clone() } else { x.en.clone() },
                        )
                    })
                    .collect()
            };
            p.errors = all;
            Ok(render(&p, e.status))
        }
        Err(e) => Err(ctx.page_error(e)),
    }
}
