//! The error page as a handler's error: a page handler returns `Result<Response, PageError>`
//! and meets a failure with `?`, the error page in the page's language being made where the
//! failure is met ([`OrPage::or_page`], [`Ctx::page_error`]), since it needs the page's context.

use axum::response::{IntoResponse, Response};

use super::{Ctx, error_page};
use crate::error::ApiError;

/// The error page ([`error_page`]) for an error met while making a page: its status and body
/// (boxed: every page handler's result carries the type).
#[derive(Debug)]
pub struct PageError(Box<Response>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        *self.0
    }
}

impl Ctx {
    /// The error page for `e`, to return from a page handler.
    pub fn page_error(&self, e: impl Into<ApiError>) -> PageError {
        PageError(Box::new(error_page(self, &e.into())))
    }
}

/// A result whose error becomes the error page of the page being made.
pub trait OrPage<T> {
    fn or_page(self, ctx: &Ctx) -> Result<T, PageError>;
}

impl<T, E: Into<ApiError>> OrPage<T> for Result<T, E> {
    fn or_page(self, ctx: &Ctx) -> Result<T, PageError> {
        self.map_err(|e| ctx.page_error(e))
    }
}
