//! The batch path, the only one: existing rows are read with one query per table and chunk,
//! the batch is planned in memory in one pass (a person twice in the batch sees their own
//! earlier row), new rows are written hundreds per statement, and the audit chain is extended
//! once per batch.

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, AssertSqlSafe, Row};
use yuanzhu_domain::Registration;
use yuanzhu_rules::PolicySet;

use super::{ImportSummary, PERSON_COLUMNS, PersonRecord, automatic_categories, recognition_event};
use crate::audit::{self, Draft};
use crate::{Params, StoreError, new_id, now};

/// The most rows per statement for reads by key and multi-row inserts: 18 columns × 512 rows
/// stays well below both engines' limits on parameters (SQLite 32,766; PostgreSQL 65,535).
pub(crate) const CHUNK: usize = 512;

/// `items` in statements of [`CHUNK`] rows, the rest in powers of two: a statement's text
/// depends on its row count, and this way a few shapes serve every batch, each prepared once
/// per connection and then taken from its statement cache.
pub(crate) fn chunks<T>(items: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = items;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let n = if rest.len() >= CHUNK { CHUNK } else { 1 << rest.len().ilog2() };
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        Some(chunk)
    })
}

/// A person as the batch knows them: as stored (if they were), and as the rows so far leave them.
struct Known<'r> {
    id: String,
    /// The stored version, for a person stored before this batch.
    stored_version: Option<i64>,
    /// Changes made by this batch (each a `person.updated` event).
    updates: i64,
    record: PersonRecord,
    /// The row whose facts the record now holds (for the fact bits).
    row: Option<&'r Registration>,
    /// The latest registration date, and whether this batch moved it.
    latest: Option<String>,
    latest_moved: bool,
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
        unemployed_since: &p.unemployed_since,
    })
    .expect("a record serialises")
}

/// An audit event planned for the batch.
struct Planned<'p> {
    action: &'static str,
    entity: &'static str,
    entity_id: String,
    person_id: String,
    policy: Option<&'p str>,
    before: Option<String>,
    after: String,
}

pub(super) async fn register(
    conn: &mut AnyConnection,
    rows: &[&Registration],
    actor: &str,
    policies: &PolicySet,
    summary: &mut ImportSummary,
) -> Result<(), StoreError> {
    let params = Params::of(conn);
    let mut ids: Vec<String> = rows.iter().map(|r| r.id_number.to_string()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut known: HashMap<String, Known<'_>> = HashMap::with_capacity(ids.len());
    let sql = format!("SELECT id, version, latest_registration, {PERSON_COLUMNS} FROM persons WHERE id_number IN");
    for chunk in chunks(&ids) {
        for row in fetch_in(conn, params, &sql, chunk).await? {
            let record = PersonRecord::from_row(&row)?;
            let k = Known {
                id: row.try_get("id")?,
                stored_version: Some(row.try_get("version")?),
                updates: 0,
                record,
                row: None,
                latest: row.try_get("latest_registration")?,
                latest_moved: false,
            };
            known.insert(k.record.id_number.clone(), k);
        }
    }
    let stored: Vec<String> = known.values().map(|k| k.id.clone()).collect();
    let mut registered: HashSet<(String, String)> = HashSet::new();
    let mut recognised: HashSet<(String, String, String)> = HashSet::new();
    for chunk in chunks(&stored) {
        let sql = "SELECT person_id, registered_on FROM unemployment_registrations WHERE person_id IN";
        for row in fetch_in(conn, params, sql, chunk).await? {
            registered.insert((row.try_get("person_id")?, row.try_get("registered_on")?));
        }
        let sql = "SELECT person_id, category, policy FROM recognitions WHERE ended_on IS NULL AND person_id IN";
        for row in fetch_in(conn, params, sql, chunk).await? {
            recognised.insert((row.try_get("person_id")?, row.try_get("category")?, row.try_get("policy")?));
        }
    }

    let at = now();
    // New persons by ID number, in the order of their first row.
    let mut created: Vec<String> = Vec::new();
    let mut new_registrations: Vec<(String, String, String, &str)> = Vec::new();
    let mut new_recognitions: Vec<[String; 7]> = Vec::new();
    let mut events: Vec<Planned<'_>> = Vec::with_capacity(rows.len() * 2);
    for r in rows {
        let record = PersonRecord::of(r);
        let person_id = match known.get_mut(&record.id_number) {
            None => {
                let id = new_id();
                events.push(Planned {
                    action: "person.created",
                    entity: "person",
                    entity_id: id.clone(),
                    person_id: id.clone(),
                    policy: None,
                    before: None,
                    after: person_json(&record),
                });
                summary.persons_created += 1;
                created.push(record.id_number.clone());
                let k = Known {
                    id: id.clone(),
                    stored_version: None,
                    updates: 0,
                    record,
                    row: Some(r),
                    latest: None,
                    latest_moved: false,
                };
                known.insert(k.record.id_number.clone(), k);
                id
            }
            Some(k) if k.record == record => {
                summary.persons_unchanged += 1;
                k.id.clone()
            }
            Some(k) => {
                events.push(Planned {
                    action: "person.updated",
                    entity: "person",
                    entity_id: k.id.clone(),
                    person_id: k.id.clone(),
                    policy: None,
                    before: Some(person_json(&k.record)),
                    after: person_json(&record),
                });
                summary.persons_updated += 1;
                k.record = record;
                k.row = Some(r);
                k.updates += 1;
                k.id.clone()
            }
        };
        let on = r.registered_on.to_string();
        let k = known.get_mut(r.id_number.as_str()).expect("planned above");
        if k.latest.as_ref().is_none_or(|latest| *latest < on) {
            k.latest = Some(on.clone());
            k.latest_moved = true;
        }
        if registered.insert((person_id.clone(), on.clone())) {
            let id = new_id();
            #[derive(serde::Serialize)]
            struct Recorded<'a> {
                registered_on: &'a str,
                unit: &'a str,
            }
            let after = Recorded { registered_on: &on, unit: r.residence_unit.as_str() };
            events.push(Planned {
                action: "registration.recorded",
                entity: "unemployment_registration",
                entity_id: id.clone(),
                person_id: person_id.clone(),
                policy: None,
                before: None,
                after: serde_json::to_string(&after).expect("a registration serialises"),
            });
            new_registrations.push((id, person_id.clone(), on.clone(), r.residence_unit.as_str()));
            summary.registrations_recorded += 1;
        }
        let (policy, facts, matched) = automatic_categories(r, policies);
        let Some(policy) = policy else { continue };
        for i in matched {
            let category = &policy.categories[i];
            let key = (person_id.clone(), category.code.to_owned(), policy.id.clone());
            if recognised.contains(&key) {
                continue;
            }
            let id = new_id();
            events.push(Planned {
                action: "recognition.granted",
                entity: "recognition",
                entity_id: id.clone(),
                person_id: person_id.clone(),
                policy: Some(&policy.id),
                before: None,
                after: recognition_event(policy, i, &facts, r.registered_on),
            });
            new_recognitions.push([
                id,
                person_id.clone(),
                category.code.to_owned(),
                policy.id.clone(),
                category.citation.clone(),
                on.clone(),
                actor.to_owned(),
            ]);
            recognised.insert(key);
            summary.recognitions_granted += 1;
        }
    }

    // Persons stored before and changed by this batch: their latest record, the version moved
    // once per change, guarded by the version read (optimistic concurrency).
    for k in known.values().filter(|k| k.updates > 0 && k.stored_version.is_some()) {
        let (Some(version), Some(r)) = (k.stored_version, k.row) else { continue };
        super::update_person(conn, &k.id, version, k.updates, &k.record, r).await?;
    }
    for k in known.values().filter(|k| k.latest_moved && k.stored_version.is_some()) {
        sqlx::query("UPDATE persons SET latest_registration = $1 WHERE id = $2")
            .bind(&k.latest)
            .bind(&k.id)
            .execute(&mut *conn)
            .await?;
    }
    let new_persons: Vec<&Known<'_>> = created.iter().map(|n| &known[n]).collect();
    for chunk in chunks(&new_persons) {
        let sql = format!(
            "INSERT INTO persons (id, id_number, name, sex, birth_date, phone, address, residence_unit, household_ref, \
             relation, female_retirement_track, facts, parent_certificates, unemployed_since, version, created_at, \
             updated_at, latest_registration) VALUES {}",
            params.rows(chunk.len(), 18)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for k in chunk {
            let (p, r) = (&k.record, k.row.expect("a new person has a row"));
            q = q
                .bind(&k.id)
                .bind(&p.id_number)
                .bind(&p.name)
                .bind(&p.sex)
                .bind(&p.birth_date)
                .bind(&p.phone)
                .bind(&p.address)
                .bind(&p.residence_unit)
                .bind(&p.household_ref)
                .bind(&p.relation)
                .bind(&p.female_retirement_track)
                .bind(i64::from(r.facts.facts.bits()))
                .bind(i64::from(r.facts.parent_certificates))
                .bind(&p.unemployed_since)
                .bind(1 + k.updates)
                .bind(&at)
                .bind(&at)
                .bind(&k.latest);
        }
        q.execute(&mut *conn).await?;
    }
    for chunk in chunks(&new_registrations) {
        let sql = format!(
            "INSERT INTO unemployment_registrations (id, person_id, registered_on, unit_code, created_at) VALUES {}",
            params.rows(chunk.len(), 5)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (id, person, on, unit) in chunk {
            q = q.bind(id).bind(person).bind(on).bind(*unit).bind(&at);
        }
        q.execute(&mut *conn).await?;
    }
    for chunk in chunks(&new_recognitions) {
        let sql = format!(
            "INSERT INTO recognitions (id, person_id, category, policy, citation, recognized_on, decided_by, route) VALUES {}",
            placeholders_with_constant(params, chunk.len(), 7, "'automatic'")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            for value in row {
                q = q.bind(value);
            }
        }
        q.execute(&mut *conn).await?;
    }
    let drafts: Vec<Draft<'_>> = events
        .iter()
        .map(|e| Draft {
            actor,
            action: e.action,
            entity: e.entity,
            entity_id: &e.entity_id,
            person_id: Some(&e.person_id),
            policy: e.policy,
            before: e.before.as_deref(),
            after: Some(&e.after),
        })
        .collect();
    audit::append_drafts(conn, &drafts).await?;
    Ok(())
}

/// The rows of `select` (which ends in `IN`) for these keys.
async fn fetch_in(
    conn: &mut AnyConnection,
    params: Params,
    select: &str,
    keys: &[String],
) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
    let list = params.list(keys.len());
    let mut q = sqlx::query(AssertSqlSafe(format!("{select} ({list})")));
    for key in keys {
        q = q.bind(key);
    }
    Ok(q.fetch_all(&mut *conn).await?)
}

/// Like [`Params::rows`], with a constant as the last value of every row.
fn placeholders_with_constant(params: Params, rows: usize, cols: usize, constant: &str) -> String {
    params.rows(rows, cols).replace(')', &format!(", {constant})"))
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
