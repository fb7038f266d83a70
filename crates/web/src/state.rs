//! What every handler shares.

use std::sync::Arc;

use yuanzhu_rules::PolicySet;
use yuanzhu_storage::Store;

use crate::config::Config;
use crate::metrics::Metrics;

#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub policies: Arc<PolicySet>,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(store: Store, policies: PolicySet, config: Config) -> AppState {
        AppState { store, policies: Arc::new(policies), config: Arc::new(config), metrics: Arc::default() }
    }
}
