//! Operations: health, metrics and the OpenAPI document (with an offline docs page).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::error::ApiError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/metrics", get(metrics))
}

/// 200 when the database answers, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({"status": "ok"}))),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable", "database": "unreachable"})),
            )
        }
    }
}

/// The metrics, for the configured bearer token or a scraper on this machine; anyone else is
/// told there is nothing here (a wrong token is 401). Counts of requests by route and the size of
/// the pool say much about a service to someone probing it.
async fn metrics(State(state): State<AppState>, request: Request) -> Response {
    if let Err(e) = may_read_metrics(&state, &request) {
        return e.into_response();
    }
    let pool = state.store.pool();
    let text = state.metrics.render(pool.size(), pool.num_idle(), state.store.checkpoints());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}

fn may_read_metrics(state: &AppState, request: &Request) -> Result<(), ApiError> {
    let sent = request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    if let Some(sent) = sent {
        let token = sent.strip_prefix("Bearer ").map(str::trim).unwrap_or("");
        return match &state.config.metrics_token {
            Some(expected) if !token.is_empty() && crate::password::same(token, expected) => Ok(()),
            _ => Err(ApiError::unauthenticated()),
        };
    }
    // A request a proxy forwarded comes from loopback too, but from anywhere before that.
    let proxied = ["forwarded", "x-forwarded-for", "x-real-ip"].iter().any(|h| request.headers().contains_key(*h));
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if !proxied && peer.is_some_and(|ip| ip.is_loopback()) { Ok(()) } else { Err(ApiError::not_found()) }
}
