//! Which error to use where: every handler returns [`ApiError`]. It carries both languages'
//! messages, and [`localize`] picks one by `Accept-Language` once the response is made, so that
//! no handler has to know the caller's language. Storage and domain errors convert into it with
//! their own code, field and messages; anything unexpected becomes a 500 that names no detail.

use std::borrow::Cow;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use yuanzhu_rules::Lang;

use crate::words;

/// `{"error":{"code","field","message"}}` with its status; with `errors` beside them when a
/// request has several problems at once (every field of a registration is checked).
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Cow<'static, str>,
    pub field: Option<Cow<'static, str>>,
    pub zh: String,
    pub en: String,
    /// Every problem, the first included, when there are several to tell at once (boxed: most
    /// errors have none, and every handler's result carries the type).
    pub errors: Box<[FieldError]>,
}

/// One of several problems of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub code: String,
    pub field: Option<String>,
    pub zh: String,
    pub en: String,
}

/// The body of every error, for the OpenAPI document.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable snake_case code.
    pub code: String,
    /// The input field concerned, if one is.
    pub field: Option<String>,
    /// In the caller's language (`Accept-Language`: zh-CN by default, en).
    pub message: String,
    /// Every problem of the request, the first (above) included, where several are told at
    /// once: a registration names each wrong field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorItem>,
}

/// One problem among several.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorItem {
    pub code: String,
    pub field: Option<String>,
    pub message: String,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        ApiError { status, code: code.into(), field: None, zh: zh.into(), en: en.into(), errors: Box::default() }
    }

    pub fn field(mut self, field: impl Into<Cow<'static, str>>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// In the words of the catalogue's entry `key` ([`crate::words`]), in both languages.
    pub fn said(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        key: &str,
        args: &[crate::words::Arg<'_>],
    ) -> Self {
        ApiError::new(status, code, words::text(Lang::Zh, key, args), words::text(Lang::En, key, args))
    }

    /// From anything that can say itself in both languages.
    pub fn localized(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        field: Option<&'static str>,
        message: impl Fn(Lang) -> String,
    ) -> Self {
        ApiError {
            status,
            code: code.into(),
            field: field.map(Cow::Borrowed),
            zh: message(Lang::Zh),
            en: message(Lang::En),
            errors: Box::default(),
        }
    }

    /// Several problems at once: the first is the error's own code, field and message, and all
    /// of them are listed beside it.
    pub fn all(status: StatusCode, errors: Vec<FieldError>) -> Self {
        let first = errors.first().cloned().unwrap_or_else(|| FieldError {
            code: "invalid_body".to_owned(),
            field: None,
            zh: words::text(Lang::Zh, "invalid_body", &[]),
            en: words::text(Lang::En, "invalid_body", &[]),
        });
        ApiError {
            status,
            code: first.code.into(),
            field: first.field.map(Cow::Owned),
            zh: first.zh,
            en: first.en,
            errors: errors.into_boxed_slice(),
        }
    }

    /// The message in a language.
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// Not found, or outside the caller's jurisdiction: the two answer alike, so that existence
    /// does not leak.
    pub fn not_found() -> Self {
        ApiError::said(StatusCode::NOT_FOUND, "not_found", "not_found", &[])
    }

    pub fn unauthenticated() -> Self {
        ApiError::said(StatusCode::UNAUTHORIZED, "unauthenticated", "unauthenticated", &[])
    }

    pub fn forbidden() -> Self {
        ApiError::said(StatusCode::FORBIDDEN, "forbidden", "forbidden", &[])
    }

    pub fn bad_request(
        code: &'static str,
        field: Option<&'static str>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        let e = ApiError::new(StatusCode::BAD_REQUEST, code, zh, en);
        match field {
            Some(f) => e.field(f),
            None => e,
        }
    }

    pub fn unprocessable(
        code: &'static str,
        field: Option<&'static str>,
        zh: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        let e = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code, zh, en);
        match field {
            Some(f) => e.field(f),
            None => e,
        }
    }

    /// A request body over the server's limit (`max_body_mib`, when the caller knows it).
    pub fn too_large(limit_mib: Option<usize>) -> Self {
        match limit_mib {
            Some(mib) => {
                ApiError::said(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "too_large.limit", &[("mib", &mib)])
            }
            None => ApiError::said(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "too_large", &[]),
        }
    }

    /// A body that is not JSON where JSON is expected.
    pub fn unsupported_json() -> Self {
        ApiError::said(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "unsupported_media_type.json", &[])
    }

    /// An unexpected failure: logged in full, answered without detail.
    pub fn internal(e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "internal error");
        ApiError::said(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal", &[])
    }

    fn body(&self, lang: Lang) -> Vec<u8> {
        let message = match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                field: self.field.as_ref().map(|f| f.to_string()),
                message: message.clone(),
                errors: self
                    .errors
                    .iter()
                    .map(|e| ErrorItem {
                        code: e.code.clone(),
                        field: e.field.clone(),
                        message: if lang == Lang::Zh { e.zh.clone() } else { e.en.clone() },
                    })
                    .collect(),
            },
        };
        serde_json::to_vec(&body).expect("an error body serialises")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response =
            (self.status, [(header::CONTENT_TYPE, "application/json")], self.body(Lang::Zh)).into_response();
        response.extensions_mut().insert(self);
        response
    }
}

impl From<yuanzhu_storage::StoreError> for ApiError {
    fn from(e: yuanzhu_storage::StoreError) -> Self {
        use yuanzhu_storage::StoreError;
        match e {
            StoreError::Conflict { expected, found } => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("记录已被他人修改（应为第{expected}版，实为第{found}版），请刷新后重试"),
                format!(
                    "the record changed since it was read (version {expected} expected, {found} found): reload and try again"
                ),
            ),
            StoreError::VersionRequired { found } => ApiError::new(
                StatusCode::CONFLICT,
                "version_required",
                format!("该人员已登记（档案为第{found}版）：请先打开档案，再带上所依据的版本号（version）提交修改"),
                format!(
                    "the person is already registered (file version {found}): read the file, then send the version your change is based on"
                ),
            )
            .field("version"),
            StoreError::NotFound(_) => ApiError::not_found(),
            other => ApiError::internal(other),
        }
    }
}

/// The caller's language: the first of zh or en in `Accept-Language` by preference, zh-CN when
/// neither is named.
pub fn lang_of(accept_language: Option<&HeaderValue>) -> Lang {
    let Some(text) = accept_language.and_then(|v| v.to_str().ok()) else { return Lang::Zh };
    let mut best: Option<(f32, Lang)> = None;
    for part in text.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
        let lang = if tag == "en" || tag.starts_with("en-") {
            Lang::En
        } else if tag == "zh" || tag.starts_with("zh-") {
            Lang::Zh
        } else {
            continue;
        };
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map_or(Lang::Zh, |(_, l)| l)
}

/// Middleware: answers every error in the caller's language, and gives the errors that axum
/// itself makes (unknown route, wrong method, body too large) the same JSON shape.
pub async fn localize(request: Request, next: Next) -> Response {
    let lang = lang_of(request.headers().get(header::ACCEPT_LANGUAGE));
    let response = next.run(request).await;
    let status = response.status();
    if response.extensions().get::<ApiError>().is_some() {
        if lang == Lang::Zh {
            return response;
        }
        let (mut parts, _) = response.into_parts();
        let body = parts.extensions.get::<ApiError>().expect("checked above").body(lang);
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, axum::body::Body::from(body));
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    // The pages' own error pages (HTML, in the page's language) are already what the user should see.
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if (status.is_client_error() || status.is_server_error()) && !is_json && !is_html {
        let e = match status {
            StatusCode::NOT_FOUND => ApiError::not_found(),
            StatusCode::METHOD_NOT_ALLOWED => ApiError::said(status, "method_not_allowed", "method_not_allowed", &[]),
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::too_large(None),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::unsupported_json(),
            s if s.is_server_error() => ApiError::internal(format!("status {s}")),
            s => ApiError::said(s, "bad_request", "bad_request", &[]),
        };
        let mut out = e.clone().into_response();
        *out.status_mut() = status;
        let (mut parts, _) = out.into_parts();
        parts.headers.remove(header::CONTENT_LENGTH);
        for (name, value) in response.headers() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                parts.headers.insert(name.clone(), value.clone());
            }
        }
        return Response::from_parts(parts, axum::body::Body::from(e.body(lang)));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(text: &str) -> Lang {
        lang_of(Some(&HeaderValue::from_str(text).unwrap()))
    }

    #[test]
    fn accept_language_picks_the_preferred_of_zh_and_en() {
        assert_eq!(lang_of(None), Lang::Zh);
        assert_eq!(lang("en"), Lang::En);
        assert_eq!(lang("en-US,en;q=0.9"), Lang::En);
        assert_eq!(lang("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh);
        assert_eq!(lang("fr, en;q=0.5"), Lang::En);
        assert_eq!(lang("de"), Lang::Zh);
        assert_eq!(lang("zh;q=0.2, en;q=0.7"), Lang::En);
    }
}
