//! Persons: search within the caller's jurisdiction (masked), the person's file (一人一档, 第十九条),
//! and registration with automatic recognition (第四条).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::{Action, mask_id_number, mask_phone};
use yuanzhu_domain::registration::{FileError, Header, Registration};
use yuanzhu_rules::{IdNumber, Lang};
use yuanzhu_storage::search::{self, Scope};
use yuanzhu_storage::views::View;
use yuanzhu_storage::{applications, persons, revocations};

use super::{Json, Query};
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search_persons, register)).routes(routes!(person_file))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// An ID number (18 or 15 digits, or its first digits), a phone number, or a name or the
    /// start of one.
    pub q: String,
    /// At most this many results (default 20, at most 100).
    pub limit: Option<u32>,
}

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

/// Search persons within the caller's jurisdiction.
#[utoipa::path(
    get, path = "/persons", tag = "persons",
    params(SearchQuery),
    responses((status = 200, body = Vec<PersonHit>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody))
)]
async fn search_persons(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<SearchQuery>,
) -> Result<Json<Vec<PersonHit>>, ApiError> {
    user.require(Action::View)?;
    if query.q.chars().count() > 64 {
        return Err(ApiError::bad_request(
            "too_long",
            Some("q"),
            "查询内容过长（最多64个字符）",
            "the query is too long (64 characters at most)",
        ));
    }
    if query.q.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "invalid_query",
            Some("q"),
            "查询内容含有控制字符",
            "the query holds a control character",
        ));
    }
    let scope = match user.user.unit_prefix() {
        Some(prefix) => Scope::Units(prefix),
        None => Scope::AssignedTo(&user.account.id),
    };
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    let hits = search::search(&state.store, &query.q, scope, limit).await?;
    Ok(Json(
        hits.into_iter()
            .map(|h| PersonHit {
                id_number: mask_id_number(&h.id_number),
                name: h.name,
                sex: h.sex,
                birth_date: h.birth_date,
                phone: h.phone.as_deref().map(mask_phone),
                residence_unit: h.residence_unit,
                categories: h.categories,
            })
            .collect(),
    ))
}

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
        "applications": applications.map_err(|e| ApiError::internal(e.message(Lang::En)))?,
        "contacts": contacts.map_err(ApiError::internal)?,
        "revocation_proposals": proposals.map_err(ApiError::internal)?,
    });
    if let (Some(map), Value::Object(more)) = (whole.as_object_mut(), more) {
        map.extend(more);
    }
    Ok(Some(whole))
}

/// Masks every ID number (15 or 18 characters) and mobile number found in any string of the
/// value, including JSON held as text in the timeline's before and after.
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

pub(crate) fn masked_text(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let (mut i, mut last, mut changed) = (0, 0, false);
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'X' || bytes[i] == b'x') {
            i += 1;
        }
        let run = &s[start..i];
        let masked = match run.len() {
            15 | 18 => Some(mask_id_number(run)),
            11 if run.starts_with('1') && run.bytes().all(|b| b.is_ascii_digit()) => Some(mask_phone(run)),
            _ => None,
        };
        if let Some(m) = masked {
            out.push_str(&s[last..start]);
            out.push_str(&m);
            last = i;
            changed = true;
        }
    }
    changed.then(|| {
        out.push_str(&s[last..]);
        out
    })
}

/// An ID number from the path: a malformed one cannot name anyone, so it is 404 like a stranger.
pub(crate) fn id_from_path(text: &str) -> Result<IdNumber, ApiError> {
    IdNumber::parse_or_upgrade(text).map_err(|_| ApiError::not_found())
}

/// The person's file. Full ID and phone numbers only for the roles that need them; every
/// opening is recorded in the audit trail.
#[utoipa::path(
    get, path = "/persons/{id_number}", tag = "persons",
    params(("id_number" = String, Path, description = "18-digit ID number (a 15-digit one is upgraded)")),
    responses((status = 200, body = PersonFileJson), (status = 404, description = "No such person in your jurisdiction", body = ErrorBody))
)]
async fn person_file(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
) -> Result<Json<PersonFileJson>, ApiError> {
    let id = id_from_path(&id_number)?;
    let reach = user.person(&state, id.as_str(), Action::View).await?;
    let viewed = state.views.enqueue(View { person_id: reach.person_id, actor: user.account.username.clone() }).await?;
    let mut file = whole_file(&state.store, id.as_str()).await?.ok_or_else(ApiError::not_found)?;
    super::households::file_household(&state, &user, &mut file).await?;
    if !yuanzhu_domain::access::role_allows(user.user.role, Action::ViewIdentity) {
        mask_identities(&mut file);
    }
    viewed.committed().await?;
    Ok(Json(PersonFileJson(file)))
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

fn file_error(e: &FileError) -> ApiError {
    let (code, field, zh, en): (&'static str, Option<String>, String, String) = match e {
        FileError::UnknownColumn(c) => ("unknown_field", Some(c.clone()), format!("未知字段 {c}"), e.to_string()),
        FileError::MissingColumn(c) => {
            ("missing_field", Some((*c).to_owned()), format!("缺少必填字段 {c}"), e.to_string())
        }
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

fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Register a person (or a new unemployment registration of a known one). Categories that 第四条
/// recognises automatically are recognised under the policy in force on `registered_on`.
#[utoipa::path(
    post, path = "/persons", tag = "persons",
    request_body = NewRegistration,
    responses(
        (status = 201, description = "Registered: the file, with its recognitions", body = PersonFileJson),
        (status = 403, description = "The unit is outside your jurisdiction, or your role does not register", body = ErrorBody),
        (status = 422, description = "A field is wrong: `field` names it", body = ErrorBody),
    )
)]
async fn register(
    State(state): State<AppState>,
    user: AuthUser,
    Json(NewRegistration(body)): Json<NewRegistration>,
) -> Result<Response, ApiError> {
    let registration = register_one(&state, &user, body).await?;
    let id = registration.id_number.as_str();
    let mut file =
        whole_file(&state.store, id).await?.ok_or_else(|| ApiError::internal("registered person vanished"))?;
    super::households::file_household(&state, &user, &mut file).await?;
    Ok((StatusCode::CREATED, Json(PersonFileJson(file))).into_response())
}

/// Registers one person from named cells (the import columns, and optionally `hukou_unit`): the
/// checks, jurisdiction and recording that this API and the registration page share. A problem
/// names its field, in both languages.
pub(crate) async fn register_one(
    state: &AppState,
    user: &AuthUser,
    mut body: Map<String, Value>,
) -> Result<Registration, ApiError> {
    user.require(Action::Register)?;
    let hukou_unit = match body.remove("hukou_unit").as_ref().map(cell).filter(|s| !s.is_empty()) {
        Some(text) => Some(UnitCode::parse(&text).map_err(|_| {
            ApiError::unprocessable(
                "invalid_unit",
                Some("hukou_unit"),
                format!("hukou_unit（户籍所在单位）：“{text}”不是单位代码，应为6、9或12位数字"),
                format!("hukou_unit: `{text}` is not a unit code (6, 9 or 12 digits)"),
            )
        })?),
        None => None,
    };
    let header = Header::parse(body.keys().map(String::as_str)).map_err(|e| file_error(&e))?;
    let cells: Vec<String> = body.values().map(cell).collect();
    let cells: Vec<&str> = cells.iter().map(String::as_str).collect();
    let today = crate::today();
    let row = |lang| header.row(1, &cells, today, lang);
    let registration = row(Lang::Zh).map_err(|zh| {
        let en = row(Lang::En).err().map_or_else(|| zh.message.clone(), |e| e.message);
        let e = ApiError::unprocessable("invalid_row", None, zh.message, en);
        ApiError { code: zh.code.into(), field: zh.field.map(Into::into), ..e }
    })?;
    user.unit(&registration.residence_unit, Action::Register)?;
    let units = persons::unit_codes(&state.store).await?;
    // Checked before anything is written: a refused request must leave no person behind.
    if let Some(h) = hukou_unit.as_ref().filter(|h| !units.contains(h.as_str())) {
        return Err(ApiError::unprocessable(
            "unknown_unit",
            Some("hukou_unit"),
            format!("hukou_unit（户籍所在单位）：单位代码 {h} 不在单位树中"),
            format!("hukou_unit: unit {h} is not in the unit tree"),
        ));
    }
    super::households::hold_joins(state, user, std::slice::from_ref(&registration)).await?;
    let summary = persons::register_batch(
        &state.store,
        std::slice::from_ref(&registration),
        &units,
        &user.account.username,
        &state.policies,
        Lang::Zh,
    )
    .await?;
    if let Some(rejected) = summary.rejected.first() {
        let mut e = ApiError::unprocessable("invalid_row", None, rejected.message.clone(), rejected.message.clone());
        e.code = rejected.code.clone().into();
        e.field = rejected.field.clone().map(Into::into);
        if rejected.code == "unknown_unit" {
            e.en = format!("unit {} is not in the unit tree", registration.residence_unit);
        }
        return Err(e);
    }
    let id = registration.id_number.as_str();
    if let Some(h) = &hukou_unit {
        search::set_hukou_unit(&state.store, id, Some(h), &user.account.username).await?;
    }
    Ok(registration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_finds_id_and_phone_numbers_inside_any_text() {
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
