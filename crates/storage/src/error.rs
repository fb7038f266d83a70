//! Which error to use where: [`StoreError`] for everything a caller of this crate may see. Its
//! messages name what failed in words an operator understands; row-level problems of an import
//! are not errors of the store but entries of the import report.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL `{0}`: use sqlite:PATH or postgres://…")]
    Url(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("schema migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Io(String),
    #[error("the record changed since it was read (version {expected} expected, {found} found): reload and try again")]
    Conflict { expected: i64, found: i64 },
    #[error(
        "the person is already registered (version {found}): a change must name the version of the file it was based on"
    )]
    VersionRequired { found: i64 },
    #[error("{0}")]
    NotFound(String),
    #[error("the stored data is inconsistent: {0}")]
    Corrupt(String),
}

/// The error for stored data that does not read back: `what` names the value and where it was.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// A date as stored (ISO text); anything else means the stored data is inconsistent.
pub(crate) fn stored_date(text: &str) -> Result<yuanzhu_rules::Date, StoreError> {
    yuanzhu_rules::Date::parse(text).map_err(|_| corrupt(format_args!("stored date `{text}`")))
}
