//! The audit chain's head, written out at a fixed interval (`audit_head_seconds`, a minute by
//! default) to the log and to `/metrics`. The head lives in the same database as the events, so
//! someone who can write to the database could rewrite the chain and its head together; the
//! copies in log files and in a metrics scraper's store are beyond their reach, and
//! `yuanzhu audit verify --expect-head SEQ:HASH` checks the chain against any of them.

use std::time::Duration;

use yuanzhu_storage::StoreError;
use yuanzhu_storage::audit::{self, Head};

use crate::state::AppState;

/// Reads the head, logs it and keeps it for `/metrics`.
pub async fn record(state: &AppState) -> Result<Head, StoreError> {
    let head = audit::head(&state.store).await?;
    tracing::info!(audit_head_seq = head.seq, audit_head_hash = %head.hash, audit_head = %head, "audit head");
    state.metrics.set_audit_head(head.clone());
    Ok(head)
}

/// Records the head now and then every `audit_head_seconds`, for as long as the server runs.
pub async fn watch(state: AppState) {
    let every = state.config.audit_head_seconds;
    if every == 0 {
        return;
    }
    let mut tick = tokio::time::interval(Duration::from_secs(every));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = record(&state).await {
            tracing::warn!(error = %e, "the audit head could not be read");
        }
    }
}
