//! Households and employment. Whether a household is a zero-employment household (零就业家庭) is
//! derived from its members on a date, never typed in (第三条第（三）项第2目); recording that a
//! member found work changes it, and under gd-2023-11 proposes ending the family basis of the
//! other members (第三章第五条第（六）项) for a reviewer to decide; recording that their work ended
//! makes it follow again.

use axum::http::StatusCode;
use yuanzhu_domain::Registration;
use yuanzhu_domain::access::{Action, Target, mask_id_number, mask_name, role_allows};
use yuanzhu_rules::Date;
use yuanzhu_storage::employment::{self, Employment, EmploymentError};
use yuanzhu_storage::households::joins::{self, Claim};
use yuanzhu_storage::households::{self, Household};
use yuanzhu_storage::revocations::RevocationError;
use yuanzhu_storage::{persons, search};

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::service::common::{id_from_path, is_record_id};
use crate::state::AppState;
use crate::words::Describe;

/// A member as the household view shows them. A member outside the caller's jurisdiction is
/// shown masked, whatever the role: masked ID number and name, nothing else.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MemberView {
    /// Masked (`440106********123X`) for roles that do not see identities, and for members
    /// outside your jurisdiction.
    pub id_number: String,
    /// Masked (`张**`) for members outside your jurisdiction.
    pub name: String,
    /// False for a member outside your jurisdiction, of whom only the masked identity is shown.
    pub within_reach: bool,
    pub relation: Option<String>,
    /// Absent for a member outside your jurisdiction.
    pub of_working_age: Option<bool>,
    /// Absent for a member outside your jurisdiction.
    pub employed: Option<bool>,
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
    /// The household as `user` may see it: members they reach in full (ID numbers masked for
    /// roles that do not see identities), the others masked.
    pub(crate) async fn seen_by(state: &AppState, user: &AuthUser, h: Household) -> Result<HouseholdView, ApiError> {
        let ids: Vec<String> = h.members.iter().map(|m| m.id_number.clone()).collect();
        let reach = search::reach_all(&state.store, &ids, &user.account.id).await?;
        let full_identity = role_allows(user.user.role, Action::ViewIdentity);
        let members = h
            .members
            .into_iter()
            .map(|m| {
                let within = reach.get(&m.id_number).is_some_and(|r| user.user.reaches(Target::Person(r.person())));
                if within {
                    MemberView {
                        id_number: if full_identity { m.id_number } else { mask_id_number(&m.id_number) },
                        name: m.name,
                        within_reach: true,
                        relation: m.relation,
                        of_working_age: Some(m.of_working_age),
                        employed: Some(m.employed),
                    }
                } else {
                    MemberView {
                        id_number: mask_id_number(&m.id_number),
                        name: mask_name(&m.name),
                        within_reach: false,
                        relation: None,
                        of_working_age: None,
                        employed: None,
                    }
                }
            })
            .collect();
        Ok(HouseholdView { household_ref: h.household_ref, on: h.on, zero_employment: h.zero_employment, members })
    }

    /// The household `household_ref` today as `user` may see it, if anyone is counted in it.
    pub(crate) async fn today(
        state: &AppState,
        user: &AuthUser,
        household_ref: &str,
    ) -> Result<Option<HouseholdView>, ApiError> {
        match households::household(&state.store, household_ref, state.clock().today()).await? {
            Some(h) => Ok(Some(HouseholdView::seen_by(state, user, h).await?)),
            None => Ok(None),
        }
    }
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
pub(crate) async fn household_in_reach(
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
    let ids: Vec<String> = h.members.iter().map(|m| m.id_number.clone()).collect();
    let reach = search::reach_all(&state.store, &ids, &user.account.id).await?;
    let reached = reach.values().any(|r| user.user.reaches(Target::Person(r.person())));
    Ok(reached.then_some(h))
}

/// That a person started work (就业登记).
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"started_on": "2026-11-01", "employer": "某物流公司"}))]
pub struct NewEmployment {
    /// `YYYY-MM-DD`, not after today, and not before the person's 16th birthday.
    pub started_on: String,
    pub employer: Option<String>,
}

/// A category the person held the day a job began.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct HeldCategoryView {
    pub category: String,
    pub policy: String,
    pub citation: String,
    /// `automatic` or `application`.
    pub route: String,
    pub recognized_on: String,
}

/// An employment record (就业登记).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EmploymentView {
    /// Name it to record the end of this work.
    pub id: String,
    pub started_on: String,
    /// The last day worked; absent while the work goes on.
    pub ended_on: Option<String>,
    pub employer: Option<String>,
    /// The categories the person held the day the job began (第二十条's subsidies after placement
    /// rely on them); absent for records made before they were kept.
    pub categories_at_start: Option<Vec<HeldCategoryView>>,
}

impl From<Employment> for EmploymentView {
    fn from(e: Employment) -> EmploymentView {
        EmploymentView {
            id: e.id,
            started_on: e.started_on,
            ended_on: e.ended_on,
            employer: e.employer,
            categories_at_start: e.categories_at_start.map(|held| {
                held.into_iter()
                    .map(|h| HeldCategoryView {
                        category: h.category,
                        policy: h.policy,
                        citation: h.citation,
                        route: h.route,
                        recognized_on: h.recognized_on,
                    })
                    .collect()
            }),
        }
    }
}

/// A revocation proposal made because a household member found work.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FamilyProposal {
    pub id: String,
    /// Masked for roles that do not see identities.
    pub id_number: String,
    pub citation: String,
}

/// A recognition that ended with the unemployment registration.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EndedCategory {
    pub category: String,
    pub policy: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EmploymentRecorded {
    pub employment_id: String,
    pub employment: EmploymentView,
    /// False when the same job (start date and employer) was recorded before: that record is
    /// returned and nothing new is written (answered 200 instead of 201).
    pub created: bool,
    /// The unemployment registrations (by date) that ended because the person found work.
    pub registrations_ended: Vec<String>,
    /// The categories recognised automatically at registration (第四条) that ended with it:
    /// 第三条 recognises registered unemployed persons only.
    pub recognitions_ended: Vec<EndedCategory>,
    /// 第六条第（一）项 "已实现就业的": proposals to revoke the person's remaining status, for a
    /// reviewer to decide. Empty when the person holds nothing that finding work ends.
    pub revocation_proposals: Vec<String>,
    /// The person's household today, after the change, if they belong to one.
    pub household: Option<HouseholdView>,
    /// gd-2023-11 第三章第五条第（六）项: proposals to end the family basis of the other members
    /// within your jurisdiction; a reviewer decides each. Members outside it are told through
    /// their own unit.
    pub family_revocation_proposals: Vec<FamilyProposal>,
}

pub(crate) fn employment_error(e: EmploymentError) -> ApiError {
    match e {
        EmploymentError::UnknownPerson(_) => ApiError::not_found(),
        EmploymentError::Store(e) => e.into(),
        e => ApiError::localized(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.field(), |lang| e.message(lang)),
    }
}

pub(crate) fn revocation_error(e: RevocationError) -> ApiError {
    match e {
        RevocationError::Store(e) => e.into(),
        e => ApiError::localized(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.field(), |lang| e.message(lang)),
    }
}

/// Records that a person found work, for the API and the file's page alike.
pub(crate) async fn start_work(
    state: &AppState,
    user: &AuthUser,
    id_number: &str,
    started_on: &str,
    employer: Option<&str>,
) -> Result<EmploymentRecorded, ApiError> {
    let id = id_from_path(id_number)?;
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
    if let Some(e) = employer {
        super::common::free_text(e, "employer", 200)?;
    }
    let actor = &user.account.username;
    let recorded = employment::record(&state.store, &state.policies, id.as_str(), started_on, employer, actor, today)
        .await
        .map_err(employment_error)?;
    let household_ref = persons::file(&state.store, id.as_str()).await?.and_then(|f| f.person.household_ref);
    let (household, proposals) = match household_ref {
        Some(h) => {
            let proposals = if recorded.created {
                households::propose_family_cascade(&state.store, &state.policies, &h, today, actor)
                    .await
                    .map_err(revocation_error)?
            } else {
                Vec::new()
            };
            (HouseholdView::today(state, user, &h).await?, proposals)
        }
        None => (None, Vec::new()),
    };
    // Proposals for members outside the caller's jurisdiction go to their own unit's review
    // queue; the answer names only those the caller reaches.
    let full = role_allows(user.user.role, Action::ViewIdentity);
    let family_revocation_proposals = super::common::within_reach(state, user, proposals, |p| &p.id_number)
        .await?
        .into_iter()
        .map(|p| FamilyProposal {
            id: p.id,
            id_number: if full { p.id_number } else { mask_id_number(&p.id_number) },
            citation: p.citation,
        })
        .collect();
    Ok(EmploymentRecorded {
        employment_id: recorded.employment.id.clone(),
        employment: recorded.employment.into(),
        created: recorded.created,
        registrations_ended: recorded.registrations_ended,
        recognitions_ended: recorded
            .recognitions_ended
            .into_iter()
            .map(|(category, policy)| EndedCategory { category, policy })
            .collect(),
        revocation_proposals: recorded.proposals,
        household,
        family_revocation_proposals,
    })
}

/// That a person's work ended (失业): which work, and the last day worked.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"employment_id": "0193a2c4-7c1e-7f00-8000-000000000000", "ended_on": "2026-11-20"}))]
pub struct EmploymentEnd {
    /// The employment record that ended (`id` in the person's employment records).
    pub employment_id: String,
    /// `YYYY-MM-DD`, the last day worked, not after today and not before the work began.
    pub ended_on: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EmploymentEnded {
    /// The record, now ended.
    pub employment: EmploymentView,
    /// The person's household today, after the change, if they belong to one.
    pub household: Option<HouseholdView>,
}

/// Records that a person's work ended, for the API and the file's page alike.
pub(crate) async fn end_work(
    state: &AppState,
    user: &AuthUser,
    id_number: &str,
    employment_id: &str,
    ended_on: &str,
) -> Result<EmploymentEnded, ApiError> {
    let id = id_from_path(id_number)?;
    user.person(state, id.as_str(), Action::Register).await?;
    let employment_id = employment_id.trim();
    if employment_id.is_empty() {
        return Err(ApiError::unprocessable(
            "required",
            Some("employment_id"),
            "employment_id（就业记录）：请选择要结束的就业记录",
            "employment_id: name the employment record that ended",
        ));
    }
    let ended_on = date_field(ended_on, "ended_on")?;
    let today = state.clock().today();
    if ended_on > today {
        return Err(ApiError::unprocessable(
            "future_date",
            Some("ended_on"),
            format!("ended_on（最后工作日）：{ended_on} 晚于今天，只能登记已结束的就业"),
            format!("ended_on: {ended_on} is after today; record the end of work once it has ended"),
        ));
    }
    let record = if is_record_id(employment_id) {
        employment::end(&state.store, id.as_str(), employment_id, ended_on, &user.account.username).await
    } else {
        Err(EmploymentError::UnknownRecord(employment_id.chars().take(64).collect()))
    }
    .map_err(employment_error)?;
    let household_ref = persons::file(&state.store, id.as_str()).await?.and_then(|f| f.person.household_ref);
    let household = match household_ref {
        Some(h) => HouseholdView::today(state, user, &h).await?,
        None => None,
    };
    Ok(EmploymentEnded { employment: record.into(), household })
}

/// Holds, before registrations are written, the claims of rows that put a person into a
/// household with members outside the user's jurisdiction: a unit that reaches those members
/// accepts or refuses (`/household-joins`), and until then the person is not counted in the
/// household. The API, the registration page and both imports call this.
pub(crate) async fn hold_joins(state: &AppState, user: &AuthUser, rows: &[Registration]) -> Result<(), ApiError> {
    let claims: Vec<Claim<'_>> = rows
        .iter()
        .filter_map(|r| {
            Some(Claim {
                id_number: r.id_number.as_str(),
                household_ref: r.household_ref.as_deref()?,
                relation: r.relation.as_deref(),
            })
        })
        .collect();
    if !claims.is_empty() {
        joins::hold(&state.store, &claims, &user.user.unit, &user.account.username, state.clock().today()).await?;
    }
    Ok(())
}

/// A claim to join a household, as the person's own file shows it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct JoinOfPerson {
    pub household_ref: String,
    pub relation: Option<String>,
    /// `pending` (the other unit has yet to decide), `accepted` or `refused`.
    pub state: String,
    pub requested_on: String,
    pub decided_on: Option<String>,
    pub decision_note: Option<String>,
}

/// The file's household as the caller may see it: members outside the jurisdiction masked (see
/// `service::person_file`).
pub(crate) async fn file_section(
    cx: &crate::service::person_file::FileCtx<'_>,
) -> Result<Option<HouseholdView>, ApiError> {
    match &cx.file.person.household_ref {
        Some(h) => HouseholdView::today(cx.state, cx.user, h).await,
        None => Ok(None),
    }
}

/// The file's section of the person's claims to join households (see `service::person_file`).
pub(crate) async fn joins_section(
    cx: &crate::service::person_file::FileCtx<'_>,
) -> Result<Vec<JoinOfPerson>, ApiError> {
    Ok(joins::of_person(&cx.state.store, cx.id_number())
        .await?
        .into_iter()
        .map(|j| JoinOfPerson {
            household_ref: j.household_ref,
            relation: j.relation,
            state: j.state.code().to_owned(),
            requested_on: j.requested_on,
            decided_on: j.decided_on,
            decision_note: j.decision_note,
        })
        .collect())
}
