//! The batch path, the only one: rows are prepared on their own (possibly on another thread),
//! existing rows are read with one query per table and chunk, the batch is planned in memory in
//! one pass ([`super::plan`]), new rows are written hundreds per statement (or streamed with
//! `COPY` on PostgreSQL) and the audit chain is extended once per batch, all on the engine's own
//! driver ([`super::native`]).

use std::sync::Arc;

use yuanzhu_rules::{Lang, PolicySet};

use super::plan::{Event, Prepared};
use super::{ImportSummary, PersonRecord, Writer};
use crate::audit::{self, Draft, Link};
use crate::{Store, StoreError};

/// The most rows per statement for reads by key and multi-row inserts: 18 columns × 512 rows
/// stays well below both engines' limits on parameters (SQLite 32,766; PostgreSQL 65,535).
pub(crate) const CHUNK: usize = 512;

/// `items` in statements of [`CHUNK`] rows, the rest in powers of two: a statement's text
/// depends on its row count, and this way a few shapes serve every batch, each prepared once
/// per connection and then taken from its statement cache.
pub(crate) fn chunks<T>(items: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = items;
    chunk_lens(items.len()).map(move |n| {
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        chunk
    })
}

/// The lengths of [`chunks`] of `n` items.
pub(crate) fn chunk_lens(mut n: usize) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        if n == 0 {
            return None;
        }
        let len = if n >= CHUNK { CHUNK } else { 1 << n.ilog2() };
        n -= len;
        Some(len)
    })
}

/// The tables a batch inserts into, with their columns in the order the writers give values.
pub(super) const PERSONS: &str = "persons (id, id_number, name, sex, birth_date, phone, address, residence_unit, \
     household_ref, relation, female_retirement_track, facts, parent_certificates, unemployed_since, version, \
     created_at, updated_at, latest_registration, facts_known)";
pub(super) const REGISTRATIONS: &str =
    "unemployment_registrations (id, person_id, registered_on, unit_code, created_at)";
pub(super) const RECOGNITIONS: &str =
    "recognitions (id, person_id, category, policy, citation, recognized_on, decided_by, route)";
pub(super) const AUDIT_EVENTS: &str = "audit_events (seq, id, at, actor, action, entity, entity_id, person_id, policy, \
     before_json, after_json, prev_hash, hash)";

/// How a batch is planned once what is stored of it has been read.
pub(super) struct Planning<'a> {
    pub writer: Writer<'a>,
    pub policies: &'a PolicySet,
    pub lang: Lang,
}

impl Planning<'_> {
    pub(super) fn plan(
        &self,
        rows: Vec<Prepared>,
        stored: super::plan::Stored,
        summary: &mut ImportSummary,
    ) -> Result<super::plan::Plan, StoreError> {
        super::plan::plan(rows, stored, self.writer, self.policies, self.lang, summary)
    }
}

/// Writes a prepared batch in one transaction on the store's engine.
pub(super) async fn register(
    store: &Store,
    rows: Vec<Prepared>,
    writer: Writer<'_>,
    policies: &PolicySet,
    lang: Lang,
    actor: &str,
    summary: &mut ImportSummary,
) -> Result<(), StoreError> {
    let planning = Planning { writer, policies, lang };
    let written = match &store.native {
        super::native::Native::Sqlite(pool) => super::sqlite::register(pool, rows, &planning, actor, summary).await,
        super::native::Native::Postgres(pool) => super::postgres::register(pool, rows, &planning, actor, summary).await,
    };
    // A person the batch found unregistered was registered by another writer meanwhile (on
    // PostgreSQL, whose batch reads without locking): the same as a file changed since it was
    // read. On SQLite the batch holds the write lock from its first read, and this cannot happen.
    written.map_err(|e| match e {
        StoreError::Database(sqlx::Error::Database(d)) if d.is_unique_violation() => {
            StoreError::Conflict { expected: 0, found: 1 }
        }
        e => e,
    })
}

/// A batch's events with their links in the audit chain, and the chain's new head hash.
pub(crate) struct Chained {
    pub events: Vec<Event>,
    pub links: Vec<Link>,
    pub last: String,
}

/// Works out the chain of `events` after the head (moved to `last_seq`, with hash `prev`) on a
/// blocking thread, so that the hashes are computed while the batch's rows are written.
pub(crate) fn chain(
    (last_seq, prev): (i64, String),
    events: Vec<Event>,
    actor: Arc<str>,
) -> tokio::task::JoinHandle<Chained> {
    tokio::task::spawn_blocking(move || {
        let drafts: Vec<Draft<'_>> = events.iter().map(|e| e.draft(&actor)).collect();
        let (links, last) = audit::chain(&drafts, last_seq, prev);
        drop(drafts);
        Chained { events, links, last }
    })
}

/// The person's record as audit JSON, keys in the order `serde_json::Value` keeps them (sorted),
/// as the audit trail always had them.
pub(super) fn person_json(p: &PersonRecord) -> String {
    #[derive(serde::Serialize)]
    struct Sorted<'a> {
        address: &'a Option<String>,
        birth_date: &'a str,
        facts: &'a [&'static str],
        female_retirement_track: &'a str,
        household_ref: &'a Option<String>,
        id_number: &'a str,
        name: &'a str,
        parent_certificates: &'a [&'static str],
        phone: &'a Option<String>,
        relation: &'a Option<String>,
        residence_unit: &'a str,
        sex: &'a str,
        unanswered: &'a [&'static str],
        unemployed_since: &'a Option<String>,
    }
    serde_json::to_string(&Sorted {
        address: &p.address,
        birth_date: &p.birth_date,
        facts: &p.facts,
        female_retirement_track: &p.female_retirement_track,
        household_ref: &p.household_ref,
        id_number: &p.id_number,
        name: &p.name,
        parent_certificates: &p.parent_certificates,
        phone: &p.phone,
        relation: &p.relation,
        residence_unit: &p.residence_unit,
        sex: &p.sex,
        unanswered: &p.unanswered,
        unemployed_since: &p.unemployed_since,
    })
    .expect("a record serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_full_then_powers_of_two_and_cover_everything() {
        let items: Vec<usize> = (0..(2 * CHUNK + 300)).collect();
        let sizes: Vec<usize> = chunks(&items).map(<[usize]>::len).collect();
        assert_eq!(sizes, [CHUNK, CHUNK, 256, 32, 8, 4]);
        assert_eq!(chunks(&items).flatten().copied().collect::<Vec<_>>(), items);
        assert_eq!(chunks::<usize>(&[]).count(), 0);
    }

    #[test]
    fn person_json_is_what_serde_json_values_gave() {
        let record = PersonRecord {
            id_number: "440106197501011232".to_owned(),
            name: "张\"三\n".to_owned(),
            sex: "male".to_owned(),
            birth_date: "1975-01-01".to_owned(),
            phone: Some("13800138000".to_owned()),
            address: None,
            residence_unit: "440104011".to_owned(),
            household_ref: Some("H1".to_owned()),
            relation: None,
            female_retirement_track: "worker".to_owned(),
            facts: vec!["hukou_local", "able_to_work"],
            parent_certificates: vec![],
            unanswered: vec!["veteran"],
            unemployed_since: Some("2016-01-01".to_owned()),
        };
        let value = serde_json::to_value(&record).unwrap();
        assert_eq!(serde_json::from_str::<serde_json::Value>(&person_json(&record)).unwrap(), value);
        let sorted = value.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        let mut keys = sorted.clone();
        keys.sort();
        if sorted == keys {
            assert_eq!(person_json(&record), value.to_string(), "the same text, byte for byte");
        }
    }
}
