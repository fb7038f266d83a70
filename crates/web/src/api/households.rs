//! Households and employment. Whether a household is a zero-employment household (零就业家庭) is
//! derived from its members on a date, never typed in (第三条第（三）项第2目); recording that a
//! member found work changes it, and under gd-2023-11 proposes ending the family basis of the
//! other members (第三章第五条第（六）项) for a reviewer to decide; recording that their work ended
//! makes it follow again.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use yuanzhu_domain::access::{Action, Target, mask_id_number, role_allows};
use yuanzhu_rules::{Date, IdNumber};
use yuanzhu_storage::households::{self, Household};
use yuanzhu_storage::revocations::RevocationError;
use yuanzhu_storage::{persons, search};

use super::{Json, Query};
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(household)).routes(routes!(record_employment)).routes(routes!(end_employment))
}

/// A member as the household view shows them.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MemberView {
    /// Masked (`440106********123X`) for roles that do not see identities.
    pub id_number: String,
    pub name: String,
    pub relation: Option<String>,
    pub of_working_age: bool,
    pub employed: bool,
}

/// A household on a date.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct HouseholdView {
    pub household_ref: String,
    /// The date the members' ages and employment are read on.
    pub on: String,
    pub members: Vec<MemberView>,
    /// Derived: at least one member of working age, and none of them employed.
    pub zero_employment: bool,
}

impl HouseholdView {
    fn of(h: Household, full_identity: bool) -> HouseholdView {
        HouseholdView {
            household_ref: h.household_ref,
            on: h.on,
            zero_employment: h.zero_employment,
            members: h
                .members
                .into_iter()
                .map(|m| MemberView {
                    id_number: if full_identity { m.id_number } else { mask_id_number(&m.id_number) },
                    name: m.name,
                    relation: m.relation,
                    of_working_age: m.of_working_age,
                    employed: m.employed,
                })
                .collect(),
        }
    }
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct OnQuery {
    /// `YYYY-MM-DD`; today by default.
    pub on: Option<String>,
}

/// A date field of a body or query, refused with its name when it is not a real date.
pub(crate) fn date_field(text: &str, field: &'static str) -> Result<Date, ApiError> {
    Date::parse(text.trim()).map_err(|_| {
        ApiError::unprocessable(
            "invalid_date",
            Some(field),
            format!("{field}：日期应为 YYYY-MM-DD 格式的真实日期，收到“{text}”"),
            format!("{field}: a date is a real date written YYYY-MM-DD, got `{text}`"),
        )
    })
}

/// The household if at least one member lies within the caller's reach, else `None`.
async fn household_in_reach(
    state: &AppState,
    user: &AuthUser,
    household_ref: &str,
    on: Date,
) -> Result<Option<Household>, ApiError> {
    // A NUL byte names no household (and PostgreSQL refuses it in text).
    if household_ref.contains('\0') {
        return Ok(None);
    }
    let Some(h) = households::household(&state.store, household_ref, on).await? else { return Ok(None) };
    for m in &h.members {
        let reach = search::reach(&state.store, &m.id_number, &user.account.id).await?;
        if reach.is_some_and(|r| user.user.reaches(Target::Person(r.person()))) {
            return Ok(Some(h));
        }
    }
    Ok(None)
}

/// A household: its members and whether it is a zero-employment household on `on`. Shown when
/// at least one member is within the caller's jurisdiction; otherwise 404.
#[utoipa::path(
    get, path = "/households/{household_ref}", tag = "households",
    params(("household_ref" = String, Path), OnQuery),
    responses(
        (status = 200, body = HouseholdView),
        (status = 404, description = "No such household in your jurisdiction", body = ErrorBody),
        (status = 422, description = "`on` is not a date", body = ErrorBody),
    )
)]
async fn household(
    State(state): State<AppState>,
    user: AuthUser,
    Path(household_ref): Path<String>,
    Query(query): Query<OnQuery>,
) -> Result<Json<HouseholdView>, ApiError> {
    user.require(Action::View)?;
    let on = match &query.on {
        Some(text) => date_field(text, "on")?,
        None => state.clock().today(),
    };
    let h = household_in_reach(&state, &user, &household_ref, on).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(HouseholdView::of(h, role_allows(user.user.role, Action::ViewIdentity))))
}

/// That a person started work (就业登记).
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"started_on": "2026-11-01", "employer": "某物流公司"}))]
pub struct NewEmployment {
    /// `YYYY-MM-DD`, not after today.
    pub started_on: String,
    pub employer: Option<String>,
}

/// A revocation proposal made because a household member found work.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FamilyProposal {
    pub id: String,
    /// Masked for roles that do not see identities.
    pub id_number: String,
    pub citation: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EmploymentRecorded {
    pub employment_id: String,
    /// The person's household today, after the change, if they belong to one.
    pub household: Option<HouseholdView>,
    /// gd-2023-11 第三章第五条第（六）项: proposals to end the family basis of the other members;
    /// a reviewer decides each. Empty under a policy without that reason.
    pub family_revocation_proposals: Vec<FamilyProposal>,
}

fn revocation_error(e: RevocationError) -> ApiError {
    match e {
        RevocationError::Store(e) => e.into(),
        e => ApiError::localized(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.field(), |lang| e.message(lang)),
    }
}

/// Record that a person found work. Their household's zero-employment status follows from it,
/// and under gd-2023-11 the other members' family basis is proposed for revocation.
#[utoipa::path(
    post, path = "/persons/{id_number}/employment", tag = "households",
    params(("id_number" = String, Path)),
    request_body = NewEmployment,
    responses(
        (status = 201, body = EmploymentRecorded),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
        (status = 422, description = "`started_on` is not a date or is in the future; `employer` is too long", body = ErrorBody),
    )
)]
async fn record_employment(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
    Json(body): Json<NewEmployment>,
) -> Result<Response, ApiError> {
    let out = start_work(&state, &user, &id_number, &body.started_on, body.employer.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// Records that a person found work, for the API and the file's page alike.
pub(crate) async fn start_work(
    state: &AppState,
    user: &AuthUser,
    id_number: &str,
    started_on: &str,
    employer: Option<&str>,
) -> Result<EmploymentRecorded, ApiError> {
    let id = IdNumber::parse_or_upgrade(id_number).map_err(|_| ApiError::not_found())?;
    user.person(state, id.as_str(), Action::Register).await?;
    let started_on = date_field(started_on, "started_on")?;
    let today = state.clock().today();
    if started_on > today {
        return Err(ApiError::unprocessable(
            "future_date",
            Some("started_on"),
            format!("started_on（就业日期）：{started_on} 晚于今天，只能登记已开始的就业"),
            format!("started_on: {started_on} is after today; record work once it has started"),
        ));
    }
    let employer = employer.map(str::trim).filter(|e| !e.is_empty());
    if employer.is_some_and(|e| e.chars().count() > 200) {
        return Err(ApiError::unprocessable(
            "too_long",
            Some("employer"),
            "employer（用人单位）：最多200个字符",
            "employer: 200 characters at most",
        ));
    }
    let actor = &user.account.username;
    let employment_id = households::record_employment(&state.store, id.as_str(), started_on, employer, actor).await?;
    let household_ref = persons::file(&state.store, id.as_str()).await?.and_then(|f| f.person.household_ref);
    let full = role_allows(user.user.role, Action::ViewIdentity);
    let (household, proposals) = match household_ref {
        Some(h) => {
            let proposals = households::propose_family_cascade(&state.store, &state.policies, &h, today, actor)
                .await
                .map_err(revocation_error)?;
            let view = households::household(&state.store, &h, today).await?.map(|h| HouseholdView::of(h, full));
            (view, proposals)
        }
        None => (None, Vec::new()),
    };
    let family_revocation_proposals = proposals
        .into_iter()
        .map(|p| FamilyProposal {
            id: p.id,
            id_number: if full { p.id_number } else { mask_id_number(&p.id_number) },
            citation: p.citation,
        })
        .collect();
    Ok(EmploymentRecorded { employment_id, household, family_revocation_proposals })
}

/// That a person's work ended (失业): the last day worked.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"ended_on": "2026-11-20"}))]
pub struct EmploymentEnd {
    /// `YYYY-MM-DD`, the last day worked, not after today.
    pub ended_on: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EmploymentEnded {
    /// The employment records ended.
    pub ended: Vec<String>,
    /// The person's household today, after the change, if they belong to one.
    pub household: Option<HouseholdView>,
}

/// Record that a person's work ended. Every employment record of theirs still open and started
/// by `ended_on` ends on it; from the next day their household's zero-employment status counts
/// them as without work again.
#[utoipa::path(
    post, path = "/persons/{id_number}/employment/end", tag = "households",
    params(("id_number" = String, Path)),
    request_body = EmploymentEnd,
    responses(
        (status = 200, body = EmploymentEnded),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such person in your jurisdiction", body = ErrorBody),
        (status = 422, description = "`ended_on` is not a date or is in the future, or the person had no work open on it", body = ErrorBody),
    )
)]
async fn end_employment(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id_number): Path<String>,
    Json(body): Json<EmploymentEnd>,
) -> Result<Json<EmploymentEnded>, ApiError> {
    Ok(Json(end_work(&state, &user, &id_number, &body.ended_on).await?))
}

/// Records that a person's work ended, for the API and the file's page alike.
pub(crate) async fn end_work(
    state: &AppState,
    user: &AuthUser,
    id_number: &str,
    ended_on: &str,
) -> Result<EmploymentEnded, ApiError> {
    let id = IdNumber::parse_or_upgrade(id_number).map_err(|_| ApiError::not_found())?;
    user.person(state, id.as_str(), Action::Register).await?;
    let ended_on = date_field(ended_on, "ended_on")?;
    let today = state.clock().today();
    if ended_on > today {
        return Err(ApiError::unprocessable(
            "future_date",
            Some("ended_on"),
            format!("ended_on（离职日期）：{ended_on} 晚于今天，只能登记已结束的就业"),
            format!("ended_on: {ended_on} is after today; record the end of work once it has ended"),
        ));
    }
    let ended = households::end_employment(&state.store, id.as_str(), ended_on, &user.account.username).await?;
    if ended.is_empty() {
        return Err(ApiError::unprocessable(
            "no_open_employment",
            Some("ended_on"),
            format!("ended_on（离职日期）：该人员在 {ended_on} 没有未结束的就业登记，请先登记就业或核对日期"),
            format!(
                "ended_on: the person had no open employment record on {ended_on}; record the work first or check the date"
            ),
        ));
    }
    let household_ref = persons::file(&state.store, id.as_str()).await?.and_then(|f| f.person.household_ref);
    let household = match household_ref {
        Some(h) => households::household(&state.store, &h, today)
            .await?
            .map(|h| HouseholdView::of(h, role_allows(user.user.role, Action::ViewIdentity))),
        None => None,
    };
    Ok(EmploymentEnded { ended, household })
}
