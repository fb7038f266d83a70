//! `/api/v1`: one module per aggregate, each a router of `#[utoipa::path]` handlers, so the
//! OpenAPI document is collected from the handlers themselves.

pub mod admin;
pub mod applications;
pub mod assess;
pub mod assistance;
pub mod household_joins;
pub mod households;
pub mod persons;
pub mod residence_transfers;
pub mod revocations;
pub mod session;
pub mod transfer;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "援助 Yuanzhu API",
        description = "Employment assistance for persons with employment difficulties (穗人社发〔2014〕4号 and its successors). \
Errors are `{\"error\":{\"code\",\"field\",\"message\"}}`; `message` follows `Accept-Language` (zh-CN by default, en). \
Sign in with `POST /api/v1/session` and send the returned `csrf_token` as `X-CSRF-Token` on every state-changing request, \
or use `Authorization: Bearer TOKEN` (`yuanzhu token create`).",
        license(name = "Apache-2.0")
    ),
    components(schemas(crate::error::ErrorBody))
)]
struct ApiDoc;

/// Every `/api/v1` route, with its OpenAPI document.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest(
        "/api/v1",
        OpenApiRouter::new()
            .merge(session::router())
            .merge(persons::router())
            .merge(assess::router())
            .merge(applications::router())
            .merge(revocations::router())
            .merge(assistance::router())
            .merge(households::router())
            .merge(household_joins::router())
            .merge(transfer::router())
            .merge(residence_transfers::router())
            .merge(admin::router()),
    )
}

/// A JSON body whose problems are answered in the API's error shape, naming the field where
/// serde can tell it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(e) => Err(json_rejection(e)),
        }
    }
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

fn json_rejection(e: JsonRejection) -> ApiError {
    let detail = e.body_text();
    match e {
        JsonRejection::MissingJsonContentType(_) => ApiError::unsupported_json(),
        JsonRejection::JsonDataError(_) => {
            let field = detail.split_once(": ").map(|(_, rest)| rest).and_then(field_of_serde_message);
            let status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            let e = ApiError::said(status, "invalid_body", "invalid_body.detail", &[("detail", &detail)]);
            match field {
                Some(f) => e.field(f),
                None => e,
            }
        }
        JsonRejection::JsonSyntaxError(_) => {
            let status = axum::http::StatusCode::BAD_REQUEST;
            ApiError::said(status, "invalid_json", "invalid_json", &[("detail", &detail)])
        }
        // The body was cut at the limit while it was read (one sent without a length).
        e if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::too_large(None),
        _ => ApiError::said(
            axum::http::StatusCode::BAD_REQUEST,
            "bad_request",
            "bad_request.detail",
            &[("detail", &detail)],
        ),
    }
}

/// `missing field `x`` or `x: invalid type…` → `x`.
fn field_of_serde_message(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("missing field `") {
        return rest.split('`').next().map(str::to_owned);
    }
    let (path, _) = message.split_once(": ")?;
    (!path.contains(' ') && !path.is_empty()).then(|| path.to_owned())
}

/// Query parameters, with the same error shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(e) => Err(query_rejection(e)),
        }
    }
}

fn query_rejection(e: QueryRejection) -> ApiError {
    let detail = e.body_text();
    let field = detail.rsplit_once(": ").and_then(|(_, m)| {
        field_of_serde_message(m)
            .or_else(|| m.strip_prefix("missing field `").and_then(|r| r.split('`').next()).map(str::to_owned))
    });
    let e = ApiError::bad_request("invalid_query", None, format!("查询参数有误：{detail}"), detail.clone());
    match field {
        Some(f) => e.field(f),
        None => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_name_their_field() {
        assert_eq!(field_of_serde_message("missing field `password` at line 1 column 2").as_deref(), Some("password"));
        assert_eq!(
            field_of_serde_message("username: invalid type: integer `3`, expected a string").as_deref(),
            Some("username")
        );
        assert_eq!(field_of_serde_message("expected value at line 1").as_deref(), None);
    }
}
