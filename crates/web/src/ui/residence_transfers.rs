//! Moves of residence from the pages: the person's file offers "transfer" (a proposal to the unit
//! the person moves to, or, for a supervisor over both units, the move itself); the home page lists
//! the open moves to accept or refuse and those to withdraw; and a unit at whose counter a person
//! of another unit turns up asks for them by ID number and name. The checks are the API's.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use yuanzhu_domain::access::Action;
use yuanzhu_domain::text::TextField;
use yuanzhu_storage::residence_transfers::{self, Closing};
use yuanzhu_storage::search;

use super::{Ctx, OrPage, Page, PageError, form_token_ok, render};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::service::residence_transfers::{TransferView, close_step, propose, request, view};
use crate::state::AppState;

/// This area's strings: (key, zh-CN, en).
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("transfer.title", "居住地转移", "Transfer of residence"),
    ("transfer.action", "转移居住地", "Transfer the residence"),
    (
        "transfer.intro",
        "人员迁往另一单位居住时，由一方单位提出、另一方单位确认后生效；覆盖两地的区级督导或市级管理员可直接办理。办理前后的单位均记入档案。",
        "When a person moves to another unit, one unit proposes the transfer and the other accepts it; a district supervisor or city administrator over both units makes it at once. Both units are recorded in the file.",
    ),
    ("transfer.now", "现居住单位", "Lives in"),
    ("transfer.to", "转入单位（单位代码）", "Moves to (unit code)"),
    ("transfer.to_hint", "6、9或12位区划代码", "A 6-, 9- or 12-digit division code"),
    ("transfer.note", "说明", "Note"),
    ("transfer.submit", "提出转移", "Propose the transfer"),
    ("transfer.open", "等待确认的转移", "Transfer waiting for a decision"),
    ("transfer.history", "转移记录", "Transfers"),
    ("transfer.from", "转出单位", "From"),
    ("transfer.into", "转入单位", "To"),
    ("transfer.state", "状态", "State"),
    ("transfer.proposed_by", "提出人", "Proposed by"),
    ("transfer.proposed_at", "提出时间", "Proposed"),
    ("transfer.hidden", "（确认后可见）", "(shown once accepted)"),
    ("transfer.accept", "接收", "Accept"),
    ("transfer.refuse", "拒绝", "Refuse"),
    ("transfer.withdraw", "撤回", "Withdraw"),
    ("transfer.confirm_accept", "确认接收？该人员将迁入您的单位。", "Accept? The person moves into your unit."),
    ("transfer.confirm_refuse", "确认拒绝此转移？", "Refuse this transfer?"),
    ("transfer.confirm_withdraw", "确认撤回此转移？", "Withdraw this transfer?"),
    ("transfer.queue", "居住地转移", "Transfers of residence"),
    ("transfer.queue_empty", "暂无等待处理的转移。", "No transfer is waiting."),
    ("transfer.state.proposed", "等待确认", "Waiting"),
    ("transfer.state.accepted", "已接收", "Accepted"),
    ("transfer.state.refused", "已拒绝", "Refused"),
    ("transfer.state.withdrawn", "已撤回", "Withdrawn"),
    ("transfer.state.done", "已直接办理", "Made at once"),
    ("transfer.done.proposed", "已提出转移，等待另一单位确认。", "Transfer proposed: it waits for the other unit."),
    ("transfer.done.done", "已办理转移，该人员已迁入新单位。", "Transfer made: the person now lives in the new unit."),
    ("transfer.done.accepted", "已接收转移，该人员已迁入。", "Transfer accepted: the person has moved in."),
    ("transfer.done.refused", "已拒绝转移。", "Transfer refused."),
    ("transfer.done.withdrawn", "已撤回转移。", "Transfer withdrawn."),
    (
        "transfer.done.requested",
        "已申请转入，等待该人员现居住单位确认。",
        "Transfer asked for: it waits for the unit the person lives in.",
    ),
    ("transfer.request.title", "申请转入", "Ask for a person who has moved in"),
    (
        "transfer.request.intro",
        "按身份证上的身份证号和姓名申请将已迁入本辖区的人员转入；由其现居住单位确认后生效，确认前看不到其档案。",
        "Ask, by the ID number and name on the ID card, for a person who has moved into your area; it takes effect once the unit they live in accepts, and their file stays closed to you until then.",
    ),
    ("transfer.request.submit", "申请转入", "Ask for the transfer"),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/p/{person_id}/transfer", get(person_page).post(person_submit))
        .route("/transfers/request", post(request_submit))
        .route("/transfers/{id}/{step}", post(close_submit))
}

/// A state's words.
fn state_label(ctx: &Ctx, state: &str) -> String {
    ctx.label("transfer.state", state)
}

#[derive(Template)]
#[template(path = "transfer_person.html")]
struct PersonPage<'a> {
    ctx: &'a Ctx,
    person_id: String,
    name: String,
    residence_unit: String,
    transfers: Vec<TransferView>,
    open: bool,
    to_unit: String,
    note: String,
    error: Option<String>,
}

impl PersonPage<'_> {
    fn state_of(&self, state: &str) -> String {
        state_label(self.ctx, state)
    }

    fn note_max(&self) -> usize {
        TextField::Note.max_chars()
    }
}

/// The person's name, unit, ID number and moves, for a user who may move them.
async fn person_of(
    state: &AppState,
    user: &AuthUser,
    person_id: &str,
) -> Result<(String, String, String, Vec<TransferView>), ApiError> {
    if person_id.len() > 64 {
        return Err(ApiError::not_found());
    }
    let id_number = search::id_number_of(&state.store, person_id).await?.ok_or_else(ApiError::not_found)?;
    let reach = user.person(state, &id_number, Action::TransferResidence).await?;
    let name = residence_transfers::name_on_file(&state.store, &id_number).await?.unwrap_or_default();
    let transfers = residence_transfers::of_person(&state.store, &reach.person_id).await?;
    let views = transfers.into_iter().map(|t| view(user, t)).collect();
    Ok((name, reach.residence_unit.to_string(), id_number, views))
}

impl<'a> PersonPage<'a> {
    /// The page of a person and their moves, with the form as typed.
    fn of(
        ctx: &'a Ctx,
        person_id: String,
        (name, residence_unit, _, transfers): (String, String, String, Vec<TransferView>),
        (to_unit, note): (String, String),
        error: Option<String>,
    ) -> PersonPage<'a> {
        let open = transfers.iter().any(|t| t.state == "proposed");
        PersonPage { ctx, person_id, name, residence_unit, transfers, open, to_unit, note, error }
    }
}

async fn person_page(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
) -> Result<Response, PageError> {
    match person_of(&state, &user, &person_id).await {
        Ok(found) => Ok(render(&PersonPage::of(&ctx, person_id, found, Default::default(), None), StatusCode::OK)),
        Err(e) => Err(ctx.page_error(e)),
    }
}

#[derive(Debug, serde::Deserialize)]
struct MoveForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    to_unit: String,
    #[serde(default)]
    note: String,
}

async fn person_submit(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
    Form(form): Form<MoveForm>,
) -> Result<Response, PageError> {
    if !form_token_ok(&ctx, &form.csrf_token) {
        return Err(ctx.page_error(crate::auth::csrf_error()));
    }
    let found = person_of(&state, &user, &person_id).await.or_page(&ctx)?;
    match propose(&state, &user, &found.2, &form.to_unit, Some(form.note.as_str())).await {
        Ok(t) => {
            let done = if t.state == "done" { "done" } else { "proposed" };
            Ok(Redirect::to(&format!("/p/{person_id}?done=transfer_{done}")).into_response())
        }
        Err(e) if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND => {
            let error = Some(e.message(ctx.lang).to_owned());
            Ok(render(&PersonPage::of(&ctx, person_id, found, (form.to_unit, form.note), error), e.status))
        }
        Err(e) => Err(ctx.page_error(e)),
    }
}

#[derive(Template)]
#[template(path = "transfer_request.html")]
struct RequestPage<'a> {
    ctx: &'a Ctx,
    id_number: String,
    name: String,
    to_unit: String,
    note: String,
    error: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct RequestForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    to_unit: String,
    #[serde(default)]
    note: String,
}

/// A unit asks for a person who has moved in (from the registration page, which found the ID
/// number out of reach).
async fn request_submit(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Form(form): Form<RequestForm>,
) -> Result<Response, PageError> {
    if !form_token_ok(&ctx, &form.csrf_token) {
        return Err(ctx.page_error(crate::auth::csrf_error()));
    }
    let asked = request(&state, &user, &form.id_number, &form.name, &form.to_unit, Some(form.note.as_str())).await;
    match asked {
        Ok(_) => Ok(Redirect::to("/?done=transfer_requested").into_response()),
        Err(e) if e.status.is_client_error() => {
            let RequestForm { id_number, name, to_unit, note, .. } = form;
            let error = Some(if e.status == StatusCode::NOT_FOUND {
                ctx.t("common.not_found").to_owned()
            } else {
                e.message(ctx.lang).to_owned()
            });
            Ok(render(&RequestPage { ctx: &ctx, id_number, name, to_unit, note, error }, e.status))
        }
        Err(e) => Err(ctx.page_error(e)),
    }
}

#[derive(Debug, serde::Deserialize)]
struct CloseForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    note: String,
}

/// Accept, refuse or withdraw a move from the home page.
async fn close_submit(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path((id, step)): Path<(String, String)>,
    Form(form): Form<CloseForm>,
) -> Result<Response, PageError> {
    if !form_token_ok(&ctx, &form.csrf_token) {
        return Err(ctx.page_error(crate::auth::csrf_error()));
    }
    let (step, done) = match step.as_str() {
        "accept" => (Closing::Accept, "accepted"),
        "refuse" => (Closing::Refuse, "refused"),
        "withdraw" => (Closing::Withdraw, "withdrawn"),
        _ => return Err(ctx.page_error(ApiError::not_found())),
    };
    match close_step(&state, &user, &id, step, Some(form.note.as_str())).await {
        Ok(_) => Ok(Redirect::to(&format!("/?done=transfer_{done}")).into_response()),
        Err(e) => Err(ctx.page_error(e)),
    }
}

/// The home page's list of open moves the user sees.
pub(crate) async fn queue(state: &AppState, user: &AuthUser, limit: u32) -> Result<Vec<TransferView>, ApiError> {
    let open = crate::service::residence_transfers::open_seen(state, user, limit).await?;
    Ok(open.into_iter().map(|t| view(user, t)).collect())
}

/// The words of a done step shown at the top of a page, by the `done` of its address.
pub fn done_key(done: &str) -> Option<&'static str> {
    Some(match done {
        "transfer_proposed" => "transfer.done.proposed",
        "transfer_done" => "transfer.done.done",
        "transfer_accepted" => "transfer.done.accepted",
        "transfer_refused" => "transfer.done.refused",
        "transfer_withdrawn" => "transfer.done.withdrawn",
        "transfer_requested" => "transfer.done.requested",
        _ => return None,
    })
}
