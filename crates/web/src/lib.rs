//! The server: `/api/v1` (JSON, with its OpenAPI document), sessions, accounts and
//! jurisdiction, health and metrics. Handlers are thin: they parse, check access, call storage
//! and the rules, and answer.
#![forbid(unsafe_code)]

pub mod api;
pub mod audit_head;
pub mod auth;
pub mod config;
pub mod credentials;
pub mod error;
pub mod metrics;
pub mod ops;
pub mod password;
pub mod security;
pub mod service;
pub mod state;
pub mod ui;
pub mod unit_names;
pub mod words;

use std::future::Future;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use utoipa_swagger_ui::SwaggerUi;

pub use config::Config;
pub use state::AppState;

/// The whole application on its state.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api::router().split_for_parts();
    let limit = state.config.max_body_mib * 1024 * 1024;
    Router::new()
        .merge(api)
        .merge(ops::router())
        .merge(ui::router())
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi))
        .fallback(ui::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), security::refuse_oversized))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(middleware::from_fn(error::localize))
        .layer(middleware::from_fn(security::headers))
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// The OpenAPI document, as served at `/api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api::router().split_for_parts().1
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let head = tokio::spawn(audit_head::watch(state.clone()));
    // The peer's address lets `/metrics` answer a scraper on this machine.
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    head.abort();
    served
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

/// Structured logs on standard error: JSON by default, plain text if configured.
pub fn init_logging(format: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("YUANZHU_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if format == "text" { builder.try_init() } else { builder.json().try_init() };
}
