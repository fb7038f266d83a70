//! Reassessment: every person again as of a date, through the rules' batch path, recording only
//! what changed (ageing into a category, reaching retirement age, a duration crossing its
//! threshold). A run moves through persons in the order of their IDs (time-ordered: the order
//! they are stored in, so a page reads neighbouring rows), one page per transaction, and keeps
//! its cursor in the same transaction: after a crash, running it again resumes where the
//! last committed page ended, and running it once more changes nothing.

use std::collections::HashMap;

use sqlx::Row;
use yuanzhu_rules::batch::assess_with;
use yuanzhu_rules::clock::Cutoffs;
use yuanzhu_rules::{Date, Fact, FactSet, Facts, FemaleRetirementTrack, Outcome, Policy, Sex};

use crate::audit::{self, NewEvent};
use crate::households;
use crate::{Store, StoreError, new_id, now};

/// Persons per page (and per transaction) unless told otherwise.
pub const PAGE: i64 = 2000;

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub as_of: String,
    pub policy: String,
    /// Whether this run continued an interrupted one.
    pub resumed: bool,
    pub assessed: u64,
    pub changed: u64,
    pub became_eligible: u64,
    pub became_ineligible: u64,
    /// Persons entering each category.
    pub entered: HashMap<String, u64>,
    /// Persons leaving each category.
    pub left: HashMap<String, u64>,
    /// Persons newly above working age (reached statutory retirement).
    pub reached_retirement: u64,
}

/// Reassesses every person as of `on` under `policy`, `page` persons per transaction.
/// `progress` hears (done, total) after each committed page; answering `false` stops the run
/// there, unfinished, as a crash would (the next run resumes it).
pub async fn run(
    store: &Store,
    policy: &Policy,
    on: Date,
    actor: &str,
    page: i64,
    mut progress: impl FnMut(u64, u64) -> bool,
) -> Result<Summary, StoreError> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM persons").fetch_one(store.pool()).await?;
    let as_of = on.to_string();
    let open = sqlx::query(
        "SELECT id, cursor, assessed, changed FROM reassessments WHERE as_of = $1 AND policy = $2 AND finished_at IS NULL",
    )
    .bind(&as_of)
    .bind(&policy.id)
    .fetch_optional(store.pool())
    .await?;
    let mut summary = Summary { as_of: as_of.clone(), policy: policy.id.clone(), ..Summary::default() };
    let (run_id, mut cursor) = match open {
        Some(row) => {
            summary.resumed = true;
            summary.assessed = row.try_get::<i64, _>("assessed")? as u64;
            summary.changed = row.try_get::<i64, _>("changed")? as u64;
            (row.try_get::<String, _>("id")?, row.try_get::<String, _>("cursor")?)
        }
        None => {
            let id = new_id();
            sqlx::query(
                "INSERT INTO reassessments (id, as_of, policy, started_at, cursor, assessed, changed) VALUES ($1, $2, $3, $4, '', 0, 0)",
            )
            .bind(&id)
            .bind(&as_of)
            .bind(&policy.id)
            .bind(now())
            .execute(store.pool())
            .await?;
            (id, String::new())
        }
    };
    let clock = Cutoffs::new(on);
    // One connection reads every page. On SQLite it maps the file into memory and keeps a large
    // page cache: a run reads the whole table, and reading it through `pread` one page at a time
    // was a fifth of the time.
    let mut reader = store.pool().acquire().await?;
    if store.backend() == crate::Backend::Sqlite {
        sqlx::Executor::execute(&mut *reader, "PRAGMA mmap_size = 4294967296; PRAGMA cache_size = -65536").await?;
    }
    loop {
        // `a.person_id > $1` says nothing new, but lets PostgreSQL merge the two primary keys
        // from the cursor on instead of from their first entries.
        let rows = sqlx::query(
            "SELECT p.id, p.household_ref, p.sex, p.birth_date, p.female_retirement_track, p.facts, p.parent_certificates, \
             p.unemployed_since, p.latest_registration AS registered_on, \
             a.eligible, a.categories, a.unmet FROM persons p \
             LEFT JOIN assessments a ON a.person_id = p.id AND a.person_id > $1 \
             WHERE p.id > $1 ORDER BY p.id LIMIT $2",
        )
        .bind(&cursor)
        .bind(page)
        .fetch_all(&mut *reader)
        .await?;
        let Some(last) = rows.last() else { break };
        let next_cursor: String = last.try_get("id")?;
        // 零就业家庭 is derived from the household's members on the date, never taken as typed.
        let mut zero_employment: HashMap<String, bool> = HashMap::new();
        for r in &rows {
            if let Some(h) = r.try_get::<Option<String>, _>("household_ref")?
                && !zero_employment.contains_key(&h)
            {
                let derived = households::household(store, &h, on).await?.is_some_and(|h| h.zero_employment);
                zero_employment.insert(h, derived);
            }
        }
        let mut facts = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut f = facts_of(r)?;
            if let Some(h) = r.try_get::<Option<String>, _>("household_ref")? {
                f.facts.set(Fact::ZeroEmploymentFamily, zero_employment[&h]);
            }
            facts.push(f);
        }
        let mut outcomes = vec![Outcome::default(); facts.len()];
        assess_with(policy, &clock, &facts, &mut outcomes);

        let mut tx = store.pool().begin().await?;
        let mut events = Vec::new();
        let mut writes = Vec::new();
        for ((r, o), f) in rows.iter().zip(&outcomes).zip(&facts) {
            let person_id: String = r.try_get("id")?;
            let categories = policy.joined_categories(o.categories).to_owned();
            let unmet = policy.joined_unmet(o.unmet).to_owned();
            let before: Option<(i64, String, String)> = match r.try_get::<Option<i64>, _>("eligible")? {
                Some(e) => Some((e, r.try_get("categories")?, r.try_get("unmet")?)),
                None => None,
            };
            if let Some((e, c, u)) = &before
                && *e == i64::from(o.eligible())
                && *c == categories
                && *u == unmet
            {
                continue;
            }
            summary.changed += 1;
            tally(&mut summary, before.as_ref(), o.eligible(), &categories, &unmet);
            let after = serde_json::json!({
                "as_of": as_of, "eligible": o.eligible(), "categories": split(&categories), "unmet": split(&unmet),
                "reasons": policy.explain(f, on, *o, yuanzhu_rules::Lang::Zh),
            });
            let before_json = before
                .as_ref()
                .map(|(e, c, u)| serde_json::json!({ "eligible": *e != 0, "categories": split(c), "unmet": split(u) }));
            events.push((person_id.clone(), before_json, after));
            writes.push((person_id, i64::from(o.eligible()), categories, unmet));
        }
        let at = now();
        let params = crate::Params::of(&tx);
        for chunk in crate::persons::bulk::chunks(&writes) {
            // Portable upsert: both engines accept ON CONFLICT … DO UPDATE with `excluded`.
            let sql = format!(
                "INSERT INTO assessments (person_id, as_of, policy, eligible, categories, unmet, updated_at) VALUES {} \
                 ON CONFLICT (person_id) DO UPDATE SET as_of = excluded.as_of, policy = excluded.policy, \
                 eligible = excluded.eligible, categories = excluded.categories, unmet = excluded.unmet, \
                 updated_at = excluded.updated_at",
                params.rows(chunk.len(), 7)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (person_id, eligible, categories, unmet) in chunk {
                q = q
                    .bind(person_id)
                    .bind(&as_of)
                    .bind(&policy.id)
                    .bind(eligible)
                    .bind(categories)
                    .bind(unmet)
                    .bind(&at);
            }
            q.execute(&mut *tx).await?;
        }
        let new_events: Vec<NewEvent<'_>> = events
            .iter()
            .map(|(person_id, before, after)| NewEvent {
                actor,
                action: "assessment.changed",
                entity: "assessment",
                entity_id: person_id,
                person_id: Some(person_id),
                policy: Some(&policy.id),
                before: before.clone(),
                after: Some(after.clone()),
            })
            .collect();
        audit::append_all(&mut tx, &new_events).await?;
        summary.assessed += rows.len() as u64;
        sqlx::query("UPDATE reassessments SET cursor = $1, assessed = $2, changed = $3 WHERE id = $4")
            .bind(&next_cursor)
            .bind(summary.assessed as i64)
            .bind(summary.changed as i64)
            .bind(&run_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        cursor = next_cursor;
        if !progress(summary.assessed, total as u64) {
            return Ok(summary);
        }
    }
    sqlx::query("UPDATE reassessments SET finished_at = $1 WHERE id = $2")
        .bind(now())
        .bind(&run_id)
        .execute(store.pool())
        .await?;
    Ok(summary)
}

fn split(joined: &str) -> Vec<&str> {
    joined.split(';').filter(|s| !s.is_empty()).collect()
}

fn tally(s: &mut Summary, before: Option<&(i64, String, String)>, eligible: bool, categories: &str, unmet: &str) {
    let (was_eligible, old_categories, old_unmet) = match before {
        Some((e, c, u)) => (*e != 0, split(c), split(u)),
        None => (false, Vec::new(), Vec::new()),
    };
    let new_categories = split(categories);
    if eligible && !was_eligible {
        s.became_eligible += 1;
    }
    if !eligible && was_eligible {
        s.became_ineligible += 1;
    }
    for c in &new_categories {
        if !old_categories.contains(c) {
            *s.entered.entry((*c).to_owned()).or_default() += 1;
        }
    }
    for c in &old_categories {
        if !new_categories.contains(c) {
            *s.left.entry((*c).to_owned()).or_default() += 1;
        }
    }
    if split(unmet).contains(&"above_working_age") && !old_unmet.contains(&"above_working_age") && before.is_some() {
        s.reached_retirement += 1;
    }
}

/// A person's facts from a row of their stored columns (`sex`, `birth_date`,
/// `female_retirement_track`, `facts`, `parent_certificates`, `unemployed_since`) and the date of
/// their most recent registration as `registered_on`.
pub(crate) fn facts_of(r: &sqlx::any::AnyRow) -> Result<Facts, StoreError> {
    let date = |text: String| Date::parse(&text).map_err(|_| StoreError::Corrupt(format!("stored date `{text}`")));
    let sex: String = r.try_get("sex")?;
    let track: String = r.try_get("female_retirement_track")?;
    let mut facts = Facts::born(date(r.try_get("birth_date")?)?, if sex == "male" { Sex::Male } else { Sex::Female });
    facts.female_retirement_track =
        if track == "cadre" { FemaleRetirementTrack::Cadre } else { FemaleRetirementTrack::Worker };
    facts.facts = FactSet::from_bits(r.try_get::<i64, _>("facts")? as u32);
    facts.parent_certificates = r.try_get::<i64, _>("parent_certificates")? as u8;
    facts.unemployed_since = r.try_get::<Option<String>, _>("unemployed_since")?.map(date).transpose()?;
    facts.unemployment_registered_on = r.try_get::<Option<String>, _>("registered_on")?.map(date).transpose()?;
    Ok(facts)
}
