//! What the storage tests share: a store on each database.
#![allow(dead_code, reason = "each test binary uses a different part of this module")]

use std::sync::atomic::{AtomicU32, Ordering};

use yuanzhu_rules::{Lang, PolicySet};
use yuanzhu_storage::{Store, persons};
use yuanzhu_test_support::person::{self, PersonBuilder};

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

/// Registers these persons in `store` as `actor` (one file of every column they have); every row
/// must be accepted.
pub async fn register(store: &Store, persons: &[&PersonBuilder], actor: &str) {
    let text = person::csv(persons);
    let (header, lines) = text.split_once('\n').expect("a header and at least one row");
    let rows = rows(header, &lines.lines().collect::<Vec<_>>());
    let units = persons::unit_codes(store).await.unwrap();
    let summary = persons::register_batch(store, &rows, &units, actor, &PolicySet::embedded(), Lang::Zh).await.unwrap();
    assert!(summary.rejected.is_empty(), "{:?}", summary.rejected);
}

/// A man born 1975-01-01 on 低保, registered on 2016-03-01 at 越秀区东山街道 (440104011), his
/// disability unanswered: 大龄 is recognised at registration (第四条); 特困 第3目 needs an
/// application (第五条).
pub fn man() -> PersonBuilder {
    PersonBuilder::new()
        .area("440106")
        .born("1975-01-01")
        .serial(123)
        .reference("a")
        .name("张三")
        .phone("13800138000")
        .residence_unit("440104011")
        .registered_on("2016-03-01")
        .minimum_living_allowance(true)
        .blank("disabled")
}
