//! Possible duplicates from the pages: the pairs of files with the same name and birth date that
//! the user reaches both of, side by side, for a role that decides them to say whether they are
//! one person (one file to be corrected) or two. The checks are the API's.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use yuanzhu_domain::access::{Action, mask_id_number, role_allows};

use super::{Ctx, OrPage, Page, PageError, form_token_ok, render};
use crate::service::admin::{decide_flag, flags_in_reach};
use crate::state::AppState;

/// This area's strings: (key, zh-CN, en).
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("duplicates.title", "疑似重复登记", "Possible duplicates"),
    (
        "duplicates.intro",
        "同名且出生日期相同、身份证号不同的两份档案。请核对后判断是同一人（身份证号录错，需更正档案）还是不同的人。只列出两份档案都在您管辖范围内的情况。",
        "Two files with the same name and birth date under different ID numbers. Check them and decide whether they are one person (an ID number typed wrong: the file is to be corrected) or two. Only pairs whose files are both in your jurisdiction are listed.",
    ),
    ("duplicates.empty", "暂无待核实的疑似重复。", "No possible duplicate is waiting."),
    ("duplicates.first", "档案一", "First file"),
    ("duplicates.second", "档案二", "Second file"),
    ("duplicates.same", "同一人", "The same person"),
    ("duplicates.different", "不同的人", "Different persons"),
    (
        "duplicates.confirm_same",
        "确认这两份档案是同一人？请随后更正错误的档案。",
        "Confirm these two files are one person? Then correct the wrong one.",
    ),
    ("duplicates.confirm_different", "确认这是两个不同的人？", "Confirm these are two different persons?"),
    ("duplicates.done", "已记录核实结果。", "Decision recorded."),
    ("duplicates.open_file", "打开档案", "Open the file"),
    ("nav.duplicates", "疑似重复", "Duplicates"),
];

pub fn router() -> Router<AppState> {
    Router::new().route("/duplicates", get(queue)).route("/duplicates/{id}/decision", post(decide))
}

/// One of the two files of a pair.
struct Side {
    person_id: String,
    id_number: String,
    residence_unit: String,
}

struct Pair {
    id: String,
    name: String,
    birth_date: String,
    a: Side,
    b: Side,
}

#[derive(Template)]
#[template(path = "duplicates.html")]
struct QueuePage<'a> {
    ctx: &'a Ctx,
    pairs: Vec<Pair>,
    done: bool,
}

#[derive(Debug, serde::Deserialize)]
struct QueueQuery {
    done: Option<String>,
}

/// Pairs shown at most on the page.
const SHOWN: u32 = 100;

async fn queue(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Query(q): Query<QueueQuery>,
) -> Result<Response, PageError> {
    user.require(Action::DecideDuplicate).or_page(&ctx)?;
    let full = role_allows(user.user.role, Action::ViewIdentity);
    let shown = |id: String| if full { id } else { mask_id_number(&id) };
    let flags = flags_in_reach(&state, &user, SHOWN).await.or_page(&ctx)?;
    let pairs = flags
        .into_iter()
        .map(|f| Pair {
            id: f.flag.id,
            name: f.flag.name,
            birth_date: f.flag.birth_date,
            a: Side { person_id: f.person_a, id_number: shown(f.flag.id_number_a), residence_unit: f.a.residence_unit },
            b: Side { person_id: f.person_b, id_number: shown(f.flag.id_number_b), residence_unit: f.b.residence_unit },
        })
        .collect();
    Ok(render(&QueuePage { ctx: &ctx, pairs, done: q.done.is_some() }, StatusCode::OK))
}

#[derive(Debug, serde::Deserialize)]
struct DecisionForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    same_person: String,
}

async fn decide(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    if !form_token_ok(&ctx, &form.csrf_token) {
        return Err(ctx.page_error(crate::auth::csrf_error()));
    }
    decide_flag(&state, &user, &id, form.same_person == "true").await.or_page(&ctx)?;
    Ok(Redirect::to("/duplicates?done=1").into_response())
}
