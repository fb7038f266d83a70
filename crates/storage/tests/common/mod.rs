//! What the storage tests share: a store on each database.

use std::sync::atomic::{AtomicU32, Ordering};

use yuanzhu_storage::Store;

/// A fresh SQLite file, and a fresh PostgreSQL database when PostgreSQL is installed (named
/// after `suite`, the process and a counter, so tests never share one). Not yet initialised.
pub async fn stores(suite: &str) -> Vec<(Store, Option<tempfile::TempDir>)> {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Store::connect(&format!("sqlite:{}/t.db", dir.path().display())).await.unwrap();
    let mut out = vec![(sqlite, Some(dir))];
    if let Some(pg) = yuanzhu_test_support::shared() {
        let name = format!("{suite}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        out.push((Store::connect(&pg.create_database(&name)).await.unwrap(), None));
    }
    out
}
