//! `POST /assess`: the contract's assessment (`../shared/contract/assess.md`) over HTTP, one
//! record or an array of them, answered exactly as `yuanzhu assess` answers a JSONL line.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yuanzhu_rules::Date;
use yuanzhu_rules::contract::{Assessor, Context, OutputFormat, Tally};

use super::Query;
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody, lang_of};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(assess))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct AssessQuery {
    /// The date of records without `as_of` (default: today).
    pub on: Option<String>,
    /// Assess under this policy whatever the date (a what-if).
    pub policy: Option<String>,
}

/// A contract record, or an array of them.
#[derive(Debug, utoipa::ToSchema)]
pub struct ContractRecords(pub serde_json::Value);

/// A contract result or error object, or an array of them in input order.
#[derive(Debug, utoipa::ToSchema)]
pub struct ContractResults(pub serde_json::Value);

/// Assess one record or an array of records (contract assess v1). `because` texts follow
/// `Accept-Language`. A record that is wrong gets the contract's error object in its place.
#[utoipa::path(
    post, path = "/assess", tag = "assess",
    params(AssessQuery),
    request_body = ContractRecords,
    responses((status = 200, body = ContractResults), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
async fn assess(
    State(state): State<AppState>,
    _user: AuthUser,
    headers: HeaderMap,
    Query(query): Query<AssessQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let default_date = match &query.on {
        Some(text) => Date::parse(text).map_err(|e| {
            ApiError::bad_request(
                "invalid_date",
                Some("on"),
                format!("日期无效：{text}（应为 YYYY-MM-DD）"),
                format!("`{text}` {e}"),
            )
        })?,
        None => state.clock().today(),
    };
    let forced = match &query.policy {
        Some(id) => Some(state.policies.by_id(id).ok_or_else(|| {
            ApiError::bad_request(
                "unknown_policy",
                Some("policy"),
                format!("未知的政策版本：{id}"),
                format!("unknown policy `{id}`"),
            )
        })?),
        None => None,
    };
    let assessor = Assessor {
        context: Context { policies: &state.policies, forced, default_date },
        lang: lang_of(headers.get(header::ACCEPT_LANGUAGE)),
        output: OutputFormat::Jsonl,
    };
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    let mut out = Vec::with_capacity(256);
    let mut tally = Tally::default();
    if first == Some(&b'[') {
        let items: Vec<&serde_json::value::RawValue> = serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad_request(
                "invalid_json",
                None,
                format!("请求内容不是有效的 JSON 数组：{e}"),
                format!("not a JSON array: {e}"),
            )
        })?;
        if items.len() > 10_000 {
            return Err(ApiError::bad_request(
                "too_many",
                None,
                "一次最多评估10000条记录",
                "at most 10,000 records at a time",
            ));
        }
        out.push(b'[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let start = out.len();
            assessor.jsonl_line(item.get().as_bytes(), &mut out, &mut tally);
            trim_newline(&mut out, start);
        }
        out.push(b']');
    } else {
        assessor.jsonl_line(&body, &mut out, &mut tally);
        trim_newline(&mut out, 0);
        if out.is_empty() {
            return Err(ApiError::bad_request("empty_body", None, "请求内容为空", "the request body is empty"));
        }
    }
    Ok(([(header::CONTENT_TYPE, "application/json")], out).into_response())
}

fn trim_newline(out: &mut Vec<u8>, start: usize) {
    while out.len() > start && matches!(out.last(), Some(b'\n' | b'\r')) {
        out.pop();
    }
}
