//! Reassessment: every person again as of a date, through the rules' batch path, recording only
//! what changed (ageing into a category, reaching retirement age, a duration crossing its
//! threshold). A run moves through persons in the order of their IDs (time-ordered: the order
//! they are stored in, so a page reads neighbouring rows), one page per transaction, and keeps
//! its cursor in the same transaction: after a crash, running it again resumes where the
//! last committed page ended, and running it once more changes nothing.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};
use yuanzhu_domain::revocation::ExitReason;
use yuanzhu_rules::batch::assess_with;
use yuanzhu_rules::clock::Cutoffs;
use yuanzhu_rules::policy::Recognition;
use yuanzhu_rules::retirement::retirement_date;
use yuanzhu_rules::{Date, Fact, FactSet, Facts, FemaleRetirementTrack, Lang, Outcome, Policy, Sex};

use crate::audit::AuditAction;
use crate::audit::{self, NewEvent};
use crate::{Store, StoreError, new_id, now};
use crate::{households, recognitions};

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
    /// Recognitions made, by category: persons who came to meet a category that 第四条
    /// recognises automatically while registered unemployed.
    pub recognised: HashMap<String, u64>,
    /// Recognitions ended because their holder reached statutory retirement age.
    pub recognitions_ended: u64,
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
        let mut changed = Vec::new();
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
            changed.push((person_id.clone(), *o, *f));
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
                action: AuditAction::AssessmentChanged.code(),
                entity: "assessment",
                entity_id: person_id,
                person_id: Some(person_id),
                policy: Some(&policy.id),
                before: before.clone(),
                after: Some(after.clone()),
            })
            .collect();
        audit::append_all(&mut tx, &new_events).await?;
        recognise(&mut tx, policy, on, actor, &changed, &mut summary).await?;
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

/// What reassessment decides about recognitions, for the persons whose outcome changed:
///
/// - 第四条 recognises the categories of 第三条 other than （三） automatically, at unemployment
///   registration. A person who comes to meet one later while registered unemployed (a man
///   turning 40 under gz-2014-4) is recognised by the reassessment that finds it: under the
///   policy reassessed, on its date, route `automatic`, decided by `reassessment`.
/// - Reaching statutory retirement age ends every recognition (the working-age condition of
///   第三条; 粤人社规〔2019〕7号 第三章第五条第（一）项), on the retirement date, with the reason.
///
/// Only the few persons whose outcome changed are read again, so a day's run stays a sweep.
async fn recognise(
    tx: &mut AnyConnection,
    policy: &Policy,
    on: Date,
    actor: &str,
    changed: &[(String, Outcome, Facts)],
    summary: &mut Summary,
) -> Result<(), StoreError> {
    let above = policy.unmet_codes().iter().position(|c| *c == "above_working_age").map(|i| 1u8 << i);
    let retired = |o: &Outcome| above.is_some_and(|bit| o.unmet & bit != 0);
    // Recognition is the policy in force's to make (第四条); a what-if run under another
    // policy only assesses.
    let recognising = policy.in_force_on(on);
    let registered = |f: &Facts| f.facts.has(Fact::RegisteredUnemployed) && f.unemployment_registered_on.is_some();
    let automatic = |i: usize| policy.categories[i].recognition == Recognition::Automatic;
    let concerned: Vec<&str> = changed
        .iter()
        .filter(|(_, o, f)| retired(o) || (recognising && registered(f) && o.categories != 0))
        .map(|(id, _, _)| id.as_str())
        .collect();
    if concerned.is_empty() {
        return Ok(());
    }
    let mut open = recognitions::open_of_many(tx, &concerned).await?;
    let reason = ExitReason::ReachedRetirementOrPension;
    let authority = policy
        .revocation_reasons
        .iter()
        .find(|r| r.code == reason.code())
        .map_or_else(|| policy.preconditions_citation.clone(), |r| r.citation.clone());
    for (person_id, o, f) in changed {
        let held = open.remove(person_id).unwrap_or_default();
        if retired(o) {
            let day = retirement_date(f.birth_date, f.retirement_track()).to_string();
            let because = policy
                .explain(f, on, Outcome { categories: 0, unmet: above.unwrap_or(0) }, Lang::Zh)
                .into_iter()
                .map(|r| r.because)
                .collect::<String>();
            let why = recognitions::Ending { reason: reason.code(), authority: &authority, because: &because };
            for r in &held {
                recognitions::end(tx, person_id, r, &day, why, actor).await?;
                summary.recognitions_ended += 1;
            }
            continue;
        }
        if !(recognising && registered(f)) {
            continue;
        }
        for i in (0..policy.categories.len()).filter(|&i| o.categories & (1 << i) != 0 && automatic(i)) {
            let code = policy.categories[i].code;
            if held.iter().any(|r| r.category == code && r.policy == policy.id) {
                continue;
            }
            recognitions::grant(tx, person_id, policy, i, f, on, REASSESSMENT, actor).await?;
            *summary.recognised.entry(code.to_owned()).or_default() += 1;
        }
    }
    Ok(())
}

/// Who decides a recognition or an end that a reassessment makes.
pub const REASSESSMENT: &str = "reassessment";

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
