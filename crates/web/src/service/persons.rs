//! Persons: search within the caller's jurisdiction (masked), the person's file (一人一档, 第十九条),
//! and registration with automatic recognition (第四条).

use axum::http::StatusCode;
use serde_json::{Map, Value};
use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::Action;
use yuanzhu_domain::access::Target;
use yuanzhu_domain::access::masked_text;
use yuanzhu_domain::registration::{FileError, Header, Registration, RowError};
use yuanzhu_rules::Lang;
use yuanzhu_rules::contract::Raw;
use yuanzhu_storage::persons::Writer;
use yuanzhu_storage::search::{self};
use yuanzhu_storage::{applications, duplicates, persons, revocations};

use crate::auth::AuthUser;
use crate::error::{ApiError, FieldError};
use crate::state::AppState;
/// A search result: ID and phone numbers are always masked here.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PersonHit {
    /// Masked: `440106********123X`.
    pub id_number: String,
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    /// Masked: `138****5678`.
    pub phone: Option<String>,
    pub residence_unit: String,
    /// Codes of the categories recognised now.
    pub categories: Vec<String>,
}

/// The response header that says whether more persons match than the page shows.
pub const MORE_RESULTS: &str = "x-more-results";

/// The person's file as JSON: facts, categories, recognitions, registrations, household,
/// timeline, applications, contact attempts and revocation proposals.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(transparent)]
pub struct PersonFileJson(pub Value);

/// The whole file (一人一档) of a registered person, or `None`.
pub async fn whole_file(store: &yuanzhu_storage::Store, id_number: &str) -> Result<Option<Value>, ApiError> {
    // The parts are independent reads: asked for together, on connections of their own, the file
    // takes as long as its slowest part instead of their sum (a round trip each on PostgreSQL).
    let (file, applications, contacts, proposals) = tokio::join!(
        persons::file(store, id_number),
        applications::of_person(store, id_number),
        revocations::contacts(store, id_number),
        revocations::proposals_of(store, id_number),
    );
    let Some(file) = file? else { return Ok(None) };
    let mut whole = serde_json::to_value(&file).map_err(ApiError::internal)?;
    let more = serde_json::json!({
        "applications": applications.map_err(|e| ApiError::internal(crate::words::Describe::message(&e, Lang::En)))?,
        "contacts": contacts.map_err(ApiError::internal)?,
        "revocation_proposals": proposals.map_err(ApiError::internal)?,
    });
    if let (Some(map), Value::Object(more)) = (whole.as_object_mut(), more) {
        map.extend(more);
    }
    Ok(Some(whole))
}

/// Masks every ID number (15 or 18 characters), mobile and landline number found in any string
/// of the value, including JSON held as text in the timeline's before and after.
pub fn mask_identities(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Some(masked) = masked_text(s) {
                *s = masked;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_identities),
        Value::Object(map) => map.values_mut().for_each(mask_identities),
        _ => {}
    }
}

/// A registration: the import columns of #3 (the contract's fields plus `name`, `phone`,
/// `address`, `residence_unit`, `registered_on`, `household_ref`, `relation`), and optionally
/// `hukou_unit`.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({
    "id_number": "440104199001011234", "name": "张三", "residence_unit": "440104001",
    "registered_on": "2016-05-01", "hukou_local": true, "able_to_work": true,
    "willing_to_be_assisted": true, "unemployed_since": "2015-10-01"
}))]
#[serde(transparent)]
pub struct NewRegistration(pub Map<String, Value>);

pub(crate) fn file_error(e: &FileError) -> ApiError {
    let (code, field, zh, en): (&'static str, Option<String>, String, String) = match e {
        FileError::UnknownColumn(c) => ("unknown_field", Some(c.clone()), format!("未知字段：{c}"), e.to_string()),
        FileError::MissingColumn(c) => (
            "missing_field",
            Some((*c).to_owned()),
            format!("缺少必填字段：{}", yuanzhu_domain::registration::column_name(c, Lang::Zh)),
            e.to_string(),
        ),
        FileError::AsOf => (
            "as_of_not_allowed",
            Some("as_of".to_owned()),
            "登记不接受 as_of：事实以 registered_on 为准".to_owned(),
            e.to_string(),
        ),
        FileError::DuplicateColumn(c) => ("duplicate_field", Some(c.clone()), format!("字段 {c} 重复"), e.to_string()),
        FileError::NoHeader | FileError::Csv(_) => ("invalid_body", None, "请求内容为空".to_owned(), e.to_string()),
    };
    let err = ApiError::unprocessable(code, None, zh, en);
    match field {
        Some(f) => err.field(f),
        None => err,
    }
}

/// A registration as recorded, and whether it made a new file.
pub(crate) struct Registered {
    pub registration: Registration,
    pub created: bool,
}

/// What a body says of a key that is not a column of the registration: absent, cleared (`null`
/// or blank), or a value.
pub(crate) enum Said<'a> {
    Absent,
    Cleared,
    Value(&'a Value),
}

pub(crate) fn said<'a>(body: &'a Map<String, Value>, key: &str) -> Said<'a> {
    match body.get(key) {
        None => Said::Absent,
        Some(Value::Null) => Said::Cleared,
        Some(Value::String(s)) if s.trim().is_empty() => Said::Cleared,
        Some(v) => Said::Value(v),
    }
}

/// The unit of hukou a body gives: `None` to leave it, `Some(None)` to clear it.
pub(crate) fn hukou_unit_of(body: &Map<String, Value>) -> Result<Option<Option<UnitCode>>, FieldError> {
    let refused = |text: String| FieldError {
        code: "invalid_unit".to_owned(),
        field: Some("hukou_unit".to_owned()),
        zh: format!("hukou_unit（户籍所在单位）：“{text}”不是单位代码，应为6、9或12位数字"),
        en: format!("hukou_unit: `{text}` is not a unit code (6, 9 or 12 digits)"),
    };
    match said(body, "hukou_unit") {
        Said::Absent => Ok(None),
        Said::Cleared => Ok(Some(None)),
        Said::Value(Value::String(text)) => {
            UnitCode::parse(text.trim()).map(|u| Some(Some(u))).map_err(|_| refused(text.trim().to_owned()))
        }
        Said::Value(other) => Err(refused(other.to_string())),
    }
}

/// The version a body names: a whole number, or nothing.
pub(crate) fn version_of(body: &Map<String, Value>) -> Result<Option<i64>, FieldError> {
    match said(body, "version") {
        Said::Absent | Said::Cleared => Ok(None),
        Said::Value(v) => match v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())) {
            Some(n) if n > 0 => Ok(Some(n)),
            _ => Err(FieldError {
                code: "invalid_field".to_owned(),
                field: Some("version".to_owned()),
                zh: "version（档案版本号）须为正整数".to_owned(),
                en: "version must be a positive whole number".to_owned(),
            }),
        },
    }
}

/// Row errors in both languages, paired, as one error that lists them all.
pub(crate) fn row_errors(zh: Vec<RowError>, en: Vec<RowError>) -> Vec<FieldError> {
    zh.into_iter()
        .zip(en.into_iter().map(Some).chain(std::iter::repeat(None)))
        .map(|(z, e)| FieldError {
            code: z.code,
            field: z.field,
            en: e.map_or_else(|| z.message.clone(), |e| e.message),
            zh: z.message,
        })
        .collect()
}

/// Reads a registration from named values (the import columns, and `hukou_unit` and `version`),
/// checking every field at once: the checks this API and the registration page share. Nothing is
/// looked up or written.
pub(crate) fn read_registration(
    state: &AppState,
    mut body: Map<String, Value>,
) -> Result<(Registration, Option<Option<UnitCode>>), ApiError> {
    let mut errors = Vec::new();
    let hukou_unit = hukou_unit_of(&body).map_err(|e| errors.push(e)).ok().flatten();
    let version = version_of(&body).map_err(|e| errors.push(e)).ok().flatten();
    body.remove("hukou_unit");
    body.remove("version");
    let header = Header::parse(body.keys().map(String::as_str)).map_err(|e| file_error(&e))?;
    let cells: Vec<Raw<'_>> = body.values().map(Raw::Json).collect();
    let today = state.clock().today();
    let policies = Some(&*state.policies);
    let mut registration = match header.read(1, &cells, today, Lang::Zh, policies) {
        Ok(r) => Some(r),
        Err(zh) => {
            let en = header.read(1, &cells, today, Lang::En, policies).err().unwrap_or_default();
            errors.extend(row_errors(zh, en));
            None
        }
    };
    match registration.as_mut() {
        Some(r) if errors.is_empty() => {
            r.base_version = version;
            Ok((registration.expect("read"), hukou_unit))
        }
        _ => Err(ApiError::all(StatusCode::UNPROCESSABLE_ENTITY, errors)),
    }
}

/// Registers one person from named values: the checks, jurisdiction and recording that this API
/// and the registration page share. A known person outside the caller's reach is 404 and nothing
/// is written; a problem names its field, in both languages.
pub(crate) async fn register_one(
    state: &AppState,
    user: &AuthUser,
    body: Map<String, Value>,
) -> Result<Registered, ApiError> {
    user.require(Action::Register)?;
    let (registration, hukou_unit) = read_registration(state, body)?;
    user.unit(&registration.residence_unit, Action::Register)?;
    let id = registration.id_number.as_str();
    // A person on file outside the caller's reach does not exist for them. Checked again in the
    // batch's transaction, which refuses the row whatever happened in between.
    let on_file = search::reach(&state.store, id, &user.account.id).await?;
    if on_file.as_ref().is_some_and(|r| !user.user.reaches(Target::Person(r.person()))) {
        return Err(ApiError::not_found());
    }
    if on_file.is_none() {
        let absent = |lang| registration.unanswered(&state.policies, lang).absent;
        let errors = row_errors(absent(Lang::Zh), absent(Lang::En));
        if !errors.is_empty() {
            return Err(ApiError::all(StatusCode::UNPROCESSABLE_ENTITY, errors));
        }
    }
    let units = persons::unit_codes(&state.store).await?;
    // Checked before anything is written: a refused request must leave no person behind.
    if let Some(Some(h)) = hukou_unit.as_ref().filter(|h| h.as_ref().is_some_and(|h| !units.contains(h.as_str()))) {
        return Err(ApiError::unprocessable(
            "unknown_unit",
            Some("hukou_unit"),
            format!("hukou_unit（户籍所在单位）：单位代码 {h} 不在单位树中"),
            format!("hukou_unit: unit {h} is not in the unit tree"),
        ));
    }
    crate::service::households::hold_joins(state, user, std::slice::from_ref(&registration)).await?;
    let writer = Writer { user: Some(&user.user), versioned: true };
    let actor = &user.account.username;
    let rows = std::slice::from_ref(&registration);
    let summary =
        persons::register_batch_as(&state.store, rows, &units, writer, actor, &state.policies, Lang::Zh).await?;
    if let Some(rejected) = summary.rejected.first() {
        if rejected.code == "outside_jurisdiction" {
            return Err(ApiError::not_found());
        }
        let en = match rejected.code.as_str() {
            "unknown_unit" => format!("unit {} is not in the unit tree", registration.residence_unit),
            "transfer_required" => on_file.as_ref().map_or_else(String::new, |r| {
                persons::transfer_required(&registration, r.residence_unit.as_str(), Lang::En).message
            }),
            _ => registration
                .unanswered(&state.policies, Lang::En)
                .absent
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default(),
        };
        let status =
            if rejected.code == "transfer_required" { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
        let mut e = ApiError::new(status, rejected.code.clone(), rejected.message.clone(), en);
        e.field = rejected.field.clone().map(Into::into);
        return Err(e);
    }
    if let Some(h) = hukou_unit {
        search::set_hukou_unit(&state.store, id, h.as_ref(), actor).await?;
    }
    // A second file of the same name and birth date is flagged at once, for someone who reaches
    // both to decide (the registration stands whatever happens here: a later import flags it).
    if let Err(e) = duplicates::flag_person(&state.store, id, actor).await {
        tracing::error!(error = %e, "flagging possible duplicates after a registration");
    }
    Ok(Registered { registration, created: summary.persons_created > 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(crate) fn masking_finds_id_and_phone_numbers_inside_any_text() {
        let mut v = serde_json::json!({
            "id_number": "44010619900101123X",
            "after": "{\"phone\":\"13812345678\",\"id\":\"440106900101123\"}",
            "n": [ "2016-05-01", "4401041234" ],
        });
        mask_identities(&mut v);
        assert_eq!(v["id_number"], "440106********123X");
        assert_eq!(v["after"], "{\"phone\":\"138****5678\",\"id\":\"440106*****1123\"}");
        assert_eq!(v["n"][0], "2016-05-01");
        assert_eq!(v["n"][1], "4401041234");
    }
}
