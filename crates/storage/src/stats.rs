//! What the home pages count and list: status by unit and category for a supervisor's subtree, in
//! one aggregate query whatever the size of the registry, and the small bounded lists a
//! caseworker's queue needs (record keys of persons, possible duplicates, a social worker's
//! assigned persons).

use std::collections::HashMap;

use sqlx::{AssertSqlSafe, Row};

use crate::{Params, Store, StoreError};

/// Persons holding a category now, in one unit of the level below the subtree's root.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StatusCount {
    /// The unit's code, cut to the level counted (6 digits for districts, 9 for streets, 12 for
    /// communities).
    pub unit: String,
    pub category: String,
    pub persons: i64,
}

/// A LIKE pattern for a unit prefix; digits only, so the pattern holds no wildcard but its own.
fn unit_like(prefix: &str) -> Result<String, StoreError> {
    if prefix.len() <= 12 && prefix.bytes().all(|b| b.is_ascii_digit()) {
        Ok(format!("{prefix}%"))
    } else {
        Err(StoreError::NotFound(format!("not a unit prefix: {prefix}")))
    }
}

/// Persons with an open recognition living under `unit_prefix`, by category and by unit cut to
/// `unit_digits` digits. One GROUP BY over recognitions joined to persons, so that a city's
/// supervisor costs one query at a million persons, not one per district. A person holding two
/// categories counts once in each.
pub async fn status_by_unit(
    store: &Store,
    unit_prefix: &str,
    unit_digits: usize,
) -> Result<Vec<StatusCount>, StoreError> {
    let like = unit_like(unit_prefix)?;
    // A literal length: PostgreSQL's SUBSTR takes an integer, which a bound BIGINT is not.
    let n = unit_digits.clamp(1, 12);
    let sql = format!(
        "SELECT SUBSTR(p.residence_unit, 1, {n}) AS unit, r.category AS category, COUNT(DISTINCT p.id) AS persons \
         FROM recognitions r JOIN persons p ON p.id = r.person_id \
         WHERE r.ended_on IS NULL AND p.residence_unit LIKE $1 \
         GROUP BY SUBSTR(p.residence_unit, 1, {n}), r.category ORDER BY unit, category"
    );
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(like).fetch_all(store.pool()).await?;
    rows.iter()
        .map(|r| {
            Ok(StatusCount {
                unit: r.try_get("unit")?,
                category: r.try_get("category")?,
                persons: r.try_get("persons")?,
            })
        })
        .collect()
}

/// The record keys (`persons.id`) of these ID numbers, in one query; unknown numbers are absent.
pub async fn person_ids(store: &Store, id_numbers: &[String]) -> Result<HashMap<String, String>, StoreError> {
    let mut out = HashMap::new();
    if id_numbers.is_empty() {
        return Ok(out);
    }
    let sql =
        format!("SELECT id_number, id FROM persons WHERE id_number IN ({})", Params::Numbered.list(id_numbers.len()));
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for id in id_numbers {
        query = query.bind(id);
    }
    for r in query.fetch_all(store.pool()).await? {
        out.insert(r.try_get("id_number")?, r.try_get("id")?);
    }
    Ok(out)
}

/// A possible duplicate as a queue shows it: the two persons by their record keys.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DuplicatePair {
    pub id: String,
    pub name: String,
    pub birth_date: String,
    pub person_a: String,
    pub person_b: String,
}

/// Open duplicate flags both of whose persons live under `unit_prefix`, oldest first, at most
/// `limit`, with how many there are in all. Filtered in SQL rather than person by person, so that
/// a long queue elsewhere in the city costs nothing here.
pub async fn open_duplicates_under(
    store: &Store,
    unit_prefix: &str,
    limit: u32,
) -> Result<(Vec<DuplicatePair>, i64), StoreError> {
    let like = unit_like(unit_prefix)?;
    // The open flags are the backlog a person decides, a short list; a community holds thousands
    // of persons. SQLite would start from the persons of the unit (1,736 row lookups for one
    // community at 1M, 5–12 ms per query), so CROSS JOIN fixes the order there; PostgreSQL reads
    // it as an inner join and orders it by its statistics.
    let from = "FROM duplicate_flags f CROSS JOIN persons a CROSS JOIN persons b \
                WHERE a.id = f.person_a AND b.id = f.person_b \
                AND f.state = 'open' AND a.residence_unit LIKE $1 AND b.residence_unit LIKE $1";
    let total: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) {from}")))
        .bind(&like)
        .fetch_one(store.pool())
        .await?;
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT f.id, a.name, a.birth_date, a.id AS a, b.id AS b {from} ORDER BY f.created_at, f.id LIMIT {}",
        limit.min(1000)
    )))
    .bind(&like)
    .fetch_all(store.pool())
    .await?;
    let pairs = rows
        .iter()
        .map(|r| {
            Ok(DuplicatePair {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                birth_date: r.try_get("birth_date")?,
                person_a: r.try_get("a")?,
                person_b: r.try_get("b")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((pairs, total))
}

/// A person assigned to a social worker, as their home page lists them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Assigned {
    pub person_id: String,
    pub name: String,
    pub residence_unit: String,
    pub assigned_on: String,
}

/// The persons assigned to an account, most recent first, at most `limit`, with the total.
pub async fn assigned_persons(store: &Store, account_id: &str, limit: u32) -> Result<(Vec<Assigned>, i64), StoreError> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM assignments WHERE account_id = $1")
        .bind(account_id)
        .fetch_one(store.pool())
        .await?;
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT p.id, p.name, p.residence_unit, s.assigned_on FROM assignments s JOIN persons p ON p.id = s.person_id \
         WHERE s.account_id = $1 ORDER BY s.assigned_on DESC, p.id LIMIT {}",
        limit.min(1000)
    )))
    .bind(account_id)
    .fetch_all(store.pool())
    .await?;
    let list = rows
        .iter()
        .map(|r| {
            Ok(Assigned {
                person_id: r.try_get("id")?,
                name: r.try_get("name")?,
                residence_unit: r.try_get("residence_unit")?,
                assigned_on: r.try_get("assigned_on")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((list, total))
}

/// The names of these unit codes, in one query.
pub async fn unit_names(store: &Store, codes: &[String]) -> Result<HashMap<String, String>, StoreError> {
    let mut out = HashMap::new();
    if codes.is_empty() {
        return Ok(out);
    }
    let sql = format!("SELECT code, name FROM units WHERE code IN ({})", Params::Numbered.list(codes.len()));
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for c in codes {
        query = query.bind(c);
    }
    for r in query.fetch_all(store.pool()).await? {
        out.insert(r.try_get("code")?, r.try_get("name")?);
    }
    Ok(out)
}
