//! The unit tree (第十八条: 三级管理、四级服务): Guangzhou's city, districts and streets/towns from
//! the division codes shipped in `data/gz-divisions.csv`; communities are added later.

use sqlx::Row;

use crate::{Store, StoreError};

const DIVISIONS: &str = include_str!("../../../data/gz-divisions.csv");

/// How many units `db init` added, and how many were already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Loaded {
    pub added: u64,
    pub present: u64,
}

/// A unit as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub level: String,
    pub parent_code: Option<String>,
    pub synthetic: bool,
}

/// Loads the shipped division tree; units already present are left alone.
pub async fn load_divisions(store: &Store) -> Result<Loaded, StoreError> {
    let mut tx = store.begin_write().await?;
    let mut loaded = Loaded::default();
    let mut reader = csv::Reader::from_reader(DIVISIONS.as_bytes());
    for record in reader.records() {
        let r = record.map_err(|e| StoreError::Corrupt(format!("shipped division file: {e}")))?;
        let (code, name, level, parent) = (&r[0], &r[1], &r[2], &r[3]);
        let exists: Option<String> =
            sqlx::query_scalar("SELECT code FROM units WHERE code = $1").bind(code).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            loaded.present += 1;
            continue;
        }
        sqlx::query("INSERT INTO units (code, name, level, parent_code, synthetic) VALUES ($1, $2, $3, $4, 0)")
            .bind(code)
            .bind(name)
            .bind(level)
            .bind((!parent.is_empty()).then_some(parent))
            .execute(&mut *tx)
            .await?;
        loaded.added += 1;
    }
    tx.commit().await?;
    Ok(loaded)
}

/// Adds a community or village under a street or town (a 12-digit code below its parent's).
pub async fn add_community(
    store: &Store,
    code: &str,
    name: &str,
    parent: &str,
    synthetic: bool,
) -> Result<bool, StoreError> {
    let exists: Option<String> =
        sqlx::query_scalar("SELECT code FROM units WHERE code = $1").bind(code).fetch_optional(&store.pool).await?;
    if exists.is_some() {
        return Ok(false);
    }
    sqlx::query("INSERT INTO units (code, name, level, parent_code, synthetic) VALUES ($1, $2, 'community', $3, $4)")
        .bind(code)
        .bind(name)
        .bind(parent)
        .bind(i64::from(synthetic))
        .execute(&store.pool)
        .await?;
    Ok(true)
}

/// How many units there are. Units are only ever added, never renamed or removed, so a copy of
/// their names is current while this count stays the same.
pub async fn count(store: &Store) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM units").fetch_one(&store.pool).await?)
}

/// Every unit's name by its code.
pub async fn names(store: &Store) -> Result<std::collections::HashMap<String, String>, StoreError> {
    let rows = sqlx::query("SELECT code, name FROM units").fetch_all(&store.pool).await?;
    rows.iter().map(|r| Ok((r.try_get("code")?, r.try_get("name")?))).collect()
}

/// Every unit, ordered by code.
pub async fn all(store: &Store) -> Result<Vec<Unit>, StoreError> {
    let rows = sqlx::query("SELECT code, name, level, parent_code, synthetic FROM units ORDER BY code")
        .fetch_all(&store.pool)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Unit {
                code: r.try_get("code")?,
                name: r.try_get("name")?,
                level: r.try_get("level")?,
                parent_code: r.try_get("parent_code")?,
                synthetic: r.try_get::<i64, _>("synthetic")? != 0,
            })
        })
        .collect()
}
