//! What the storage tests share: a store on each database.
#![allow(dead_code, reason = "each test binary uses a different part of this module")]

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

/// Registrations from CSV lines under a header, every one of them valid.
pub fn rows(header: &str, lines: &[&str]) -> Vec<yuanzhu_domain::Registration> {
    let text = std::iter::once(header).chain(lines.iter().copied()).collect::<Vec<_>>().join("\n");
    let today = yuanzhu_rules::Date::parse("2026-11-26").unwrap();
    yuanzhu_domain::registration::read_csv(text.as_bytes(), today, yuanzhu_rules::Lang::Zh)
        .unwrap()
        .into_iter()
        .map(|r| r.expect("the test rows are valid"))
        .collect()
}
