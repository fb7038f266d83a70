//! What every handler shares.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use yuanzhu_rules::PolicySet;
use yuanzhu_storage::Store;
use yuanzhu_storage::views::ViewLog;

use crate::config::Config;
use crate::credentials::CredentialCache;
use crate::metrics::Metrics;

#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub policies: Arc<PolicySet>,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
    /// Supervisors' counts by (unit prefix, digits of the unit level), with when they were made.
    pub dashboards: Arc<Mutex<HashMap<(String, usize), Dashboard>>>,
    pub credentials: Arc<CredentialCache>,
    /// Records openings of files, many to a commit.
    pub views: ViewLog,
    /// Unit names for pages and printed forms.
    pub unit_names: Arc<crate::unit_names::UnitNames>,
}

impl AppState {
    /// The one clock (the configured `time_zone`): today, and times as people read them.
    pub fn clock(&self) -> yuanzhu_storage::clock::Clock {
        self.store.clock()
    }
}

/// Counts of persons by unit and category, as made at a moment.
pub type Dashboard = (Instant, Arc<Vec<yuanzhu_storage::stats::StatusCount>>);

impl AppState {
    /// Starts the writer of file openings, so it needs a Tokio runtime.
    pub fn new(store: Store, policies: PolicySet, config: Config) -> AppState {
        AppState {
            credentials: Arc::new(CredentialCache::new(config.auth_cache_seconds)),
            views: ViewLog::start(store.clone()),
            store: store.with_clock(config.time_zone),
            policies: Arc::new(policies),
            config: Arc::new(config),
            metrics: Arc::default(),
            dashboards: Arc::default(),
            unit_names: Arc::default(),
        }
    }
}
