//! Checks every use case makes of what a user sends, whatever the way in (API, page, import):
//! the day of an act, free text, ids from a path, and which rows the user reaches.

use axum::http::StatusCode;
use yuanzhu_domain::access::Target;
use yuanzhu_rules::{Date, IdNumber};
use yuanzhu_storage::search;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;
use crate::words::Arg;

const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

/// The day of an act: `today` when not given. A day after today is refused: the registry records
/// what happened, not what is planned.
pub(crate) fn day_of(today: Date, on: Option<&str>) -> Result<Date, ApiError> {
    let Some(text) = on else { return Ok(today) };
    let day = Date::parse(text.trim()).map_err(|_| {
        ApiError::said(UNPROCESSABLE, "invalid_date", "invalid_date.on", &[("text", &text)]).field("on")
    })?;
    if day > today {
        let args: [Arg; 2] = [("day", &day), ("today", &today)];
        return Err(ApiError::said(UNPROCESSABLE, "date_in_future", "date_in_future.on", &args).field("on"));
    }
    Ok(day)
}

/// An application's or proposal's id from the path. Ids are UUIDs: anything else names nothing,
/// so it is 404 without a query (a NUL byte, say, which PostgreSQL refuses in text).
pub(crate) fn id_of(text: &str) -> Result<&str, ApiError> {
    if is_record_id(text) { Ok(text) } else { Err(ApiError::not_found()) }
}

/// Whether `text` could be a record's id (a UUID, or at least nothing else): anything else names
/// no record, and a NUL byte never reaches the database.
pub(crate) fn is_record_id(text: &str) -> bool {
    !text.is_empty() && text.len() <= 64 && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Free text a caseworker writes (a reason, a note): at most `max` characters, and no control
/// characters other than line breaks and tabs (PostgreSQL refuses a NUL byte in text).
pub(crate) fn free_text(text: &str, field: &'static str, max: usize) -> Result<(), ApiError> {
    if text.chars().count() > max {
        let args: [Arg; 2] = [("field", &field), ("max", &max)];
        return Err(ApiError::said(UNPROCESSABLE, "too_long", "too_long", &args).field(field));
    }
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(ApiError::said(UNPROCESSABLE, "invalid_text", "invalid_text", &[("field", &field)]).field(field));
    }
    Ok(())
}

/// The longest reason or note the registry keeps.
pub(crate) const MAX_TEXT: usize = 2000;

/// An ID number from the path: a malformed one cannot name anyone, so it is 404 like a stranger.
pub(crate) fn id_from_path(text: &str) -> Result<IdNumber, ApiError> {
    IdNumber::parse_or_upgrade(text).map_err(|_| ApiError::not_found())
}

/// Whether the user reaches the person with this ID number.
pub(crate) async fn reaches(state: &AppState, user: &AuthUser, id_number: &str) -> Result<bool, ApiError> {
    Ok(search::reach(&state.store, id_number, &user.account.id)
        .await?
        .is_some_and(|r| user.user.reaches(Target::Person(r.person()))))
}

/// The rows whose person (`id_number` of each) the user reaches, in their order.
pub(crate) async fn within_reach<T>(
    state: &AppState,
    user: &AuthUser,
    rows: Vec<T>,
    id_number: impl Fn(&T) -> &str,
) -> Result<Vec<T>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| id_number(r).to_owned()).collect();
    let reach = search::reach_all(&state.store, &ids, &user.account.id).await?;
    let reached = |r: &T| reach.get(id_number(r)).is_some_and(|r| user.user.reaches(Target::Person(r.person())));
    Ok(rows.into_iter().filter(|r| reached(r)).collect())
}
