//! The ledgers export (第十九条 “一人一档、一帮扶一台帐”): one row per event of each person's file,
//! the audit events that name the person, ordered by person (ID number) and then by time (the
//! chain's order). Each row says when, who, what and under which policy, with a summary a
//! caseworker can read; the audit chain itself keeps the full before and after.
//!
//! The summary is in words, and storage holds rows, not words: the caller says how an event
//! reads ([`Summarise`]). The web and the command line both pass the file's timeline sentence
//! (`yuanzhu_web::ui::timeline::summariser`), so that an export reads as the file does.

use std::borrow::Cow;

use sqlx::Row;
use yuanzhu_rules::Lang;

use super::{Paged, Pages, Table, id_number_of};
use crate::audit::{self, Event};
use crate::{Store, StoreError};

/// How an event of a person's file reads in the summary column.
pub type Summarise = Box<dyn Fn(&Event) -> String + Send + Sync>;

/// One event of a person's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub id_number: String,
    pub name: String,
    /// The event's place in the audit chain (`audit verify` counts the same).
    pub seq: i64,
    /// ISO-8601 on the configured zone's clock, with its offset (stored in UTC).
    pub at: String,
    pub actor: String,
    /// `person.created`, `registration.recorded`, `recognition.granted`, …
    pub action: String,
    pub entity: String,
    pub policy: Option<String>,
    pub summary: String,
}

const COLUMNS: [&str; 9] = ["id_number", "name", "seq", "at", "actor", "action", "entity", "policy", "summary"];

impl Table for LedgerRow {
    const SHEET: &'static str = "ledgers";

    fn columns() -> &'static [&'static str] {
        &COLUMNS
    }

    fn header(lang: Lang) -> Vec<&'static str> {
        COLUMNS.iter().map(|c| yuanzhu_domain::registration::ledger_column_name(c, lang)).collect()
    }

    fn text_columns() -> &'static [&'static str] {
        &["id_number"]
    }

    fn cells(&self) -> Vec<Cow<'_, str>> {
        vec![
            Cow::Borrowed(self.id_number.as_str()),
            Cow::Borrowed(&self.name),
            Cow::Owned(self.seq.to_string()),
            Cow::Borrowed(&self.at),
            Cow::Borrowed(&self.actor),
            Cow::Borrowed(&self.action),
            Cow::Borrowed(&self.entity),
            Cow::Borrowed(self.policy.as_deref().unwrap_or("")),
            Cow::Borrowed(&self.summary),
        ]
    }
}

/// The ledgers of an export, a page of persons at a time.
pub struct LedgerPages {
    pages: Pages,
    summarise: Summarise,
    clock: crate::clock::Clock,
}

impl std::fmt::Debug for LedgerPages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedgerPages").field("pages", &self.pages).finish_non_exhaustive()
    }
}

/// Every person's ledger (`unit_prefix` `None`), or those of one jurisdiction as
/// [`persons`](super::persons) reaches them; each event summarised by `summarise`.
pub async fn ledgers(
    store: &Store,
    unit_prefix: Option<&str>,
    summarise: Summarise,
) -> Result<LedgerPages, StoreError> {
    Ok(LedgerPages { pages: Pages::open(store, unit_prefix).await?, summarise, clock: store.clock() })
}

const SELECT: &str = "SELECT p.id_number, p.name, e.seq, e.id, e.at, e.actor, e.action, e.entity, e.entity_id, \
     e.person_id, e.policy, e.before_json, e.after_json, e.prev_hash, e.hash \
     FROM persons p JOIN audit_events e ON e.person_id = p.id";

impl Paged for LedgerPages {
    type Row = LedgerRow;

    /// The events of the next page of persons, by person and time; `None` when all have been read.
    async fn next_page(&mut self) -> Result<Option<Vec<LedgerRow>>, StoreError> {
        let Some(rows) = self.pages.next(SELECT, "e.seq").await? else { return Ok(None) };
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let event = audit::event(row)?;
            out.push(LedgerRow {
                id_number: id_number_of(row)?,
                name: row.try_get("name")?,
                seq: event.seq,
                at: self.clock.stamp_local(&event.at),
                summary: (self.summarise)(&event),
                actor: event.actor,
                action: event.action,
                entity: event.entity,
                policy: event.policy,
            });
        }
        Ok(Some(out))
    }
}
