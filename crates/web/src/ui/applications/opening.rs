//! Opening an application: the form that picks a category under the policy in force.

// The module's imports and shared helpers (form fields, the page context).
use super::*;

/// A category that may be applied for, as a radio button: `policy|code`.
pub(super) struct Choice {
    pub(super) id: String,
    pub(super) value: String,
    pub(super) name: String,
    pub(super) citation: String,
}

pub(super) struct PolicyChoices {
    pub(super) document: String,
    pub(super) title: String,
    pub(super) in_force: bool,
    pub(super) choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "application_new.html")]
pub(super) struct NewPage<'a> {
    pub(super) ctx: &'a Ctx,
    pub(super) person_id: String,
    pub(super) name: String,
    pub(super) policies: Vec<PolicyChoices>,
    pub(super) chosen: String,
    pub(super) on: String,
    pub(super) category_error: Option<String>,
    pub(super) on_error: Option<String>,
}

/// The categories recognised on application, policy by policy, the policy in force first: the
/// gz-2014-4 sub-types of 第三条第（三）项 and, where it applies, gd-2023-11's categories.
pub(super) fn choices(ctx: &Ctx, today: Date) -> Vec<PolicyChoices> {
    let mut out: Vec<PolicyChoices> = ctx
        .policies
        .policies()
        .iter()
        .map(|p| PolicyChoices {
            document: p.document.clone(),
            title: if ctx.lang == Lang::Zh { p.title.clone() } else { p.title_en.clone() },
            in_force: p.in_force_on(today),
            choices: p
                .categories
                .iter()
                .filter(|c| ApplicationCategory::of_policy(p, c.code).is_ok())
                .map(|c| Choice {
                    id: format!("cat-{}-{}", p.id, c.code),
                    value: format!("{}|{}", p.id, c.code),
                    name: if ctx.lang == Lang::Zh { c.name.clone() } else { c.name_en.clone() },
                    citation: c.citation.clone(),
                })
                .collect(),
        })
        .filter(|p| !p.choices.is_empty())
        .collect();
    // The Guangzhou hardship sub-types are what 第五条 is about; they come first.
    out.sort_by_key(|p| !p.choices.iter().any(|c| c.value.starts_with(ApplicationCategory::GZ_2014_4)));
    out
}

pub(super) async fn person_name(state: &AppState, id_number: &str) -> Result<persons::PersonRecord, ApiError> {
    Ok(persons::file(&state.store, id_number).await?.ok_or_else(ApiError::not_found)?.person)
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
) -> Result<Response, PageError> {
    let found = async {
        let id_number = id_number_of(&state, &person_id).await?;
        user.person(&state, &id_number, Action::PrepareApplication).await?;
        person_name(&state, &id_number).await
    }
    .await;
    let person = found.or_page(&ctx)?;
    let page = NewPage {
        ctx: &ctx,
        policies: choices(&ctx, state.clock().today()),
        person_id,
        name: person.name,
        chosen: String::new(),
        on: String::new(),
        category_error: None,
        on_error: None,
    };
    Ok(render(&page, StatusCode::OK))
}

pub(super) async fn open(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    if !form_token_ok(&ctx, field(&f, "csrf_token")) {
        return Err(ctx.page_error(crate::auth::csrf_error()));
    }
    let id_number = id_number_of(&state, &person_id).await.or_page(&ctx)?;
    user.person(&state, &id_number, Action::PrepareApplication).await.or_page(&ctx)?;
    let person = person_name(&state, &id_number).await.or_page(&ctx)?;
    let chosen = field(&f, "category").trim().to_owned();
    let on_text = field(&f, "on").trim().to_owned();
    let mut page = NewPage {
        ctx: &ctx,
        policies: choices(&ctx, state.clock().today()),
        person_id,
        name: person.name,
        chosen: chosen.clone(),
        on: on_text.clone(),
        category_error: None,
        on_error: None,
    };
    let on = match day_of(state.clock().today(), Some(&on_text).filter(|t| !t.is_empty()).map(String::as_str)) {
        Ok(on) => on,
        Err(e) => {
            page.on_error = Some(pick(&ctx, &e));
            return Ok(render(&page, e.status));
        }
    };
    let category_problem = |page: &mut NewPage, status: StatusCode, message: String| {
        page.category_error = Some(message);
        Ok(render(page, status))
    };
    let Some((policy_id, code)) = chosen.split_once('|') else {
        let message = ctx.t("application.category").to_owned();
        let message = match ctx.lang {
            Lang::Zh => format!("请选择{message}。"),
            Lang::En => format!("Choose the {}.", message.to_lowercase()),
        };
        return category_problem(&mut page, StatusCode::UNPROCESSABLE_ENTITY, message);
    };
    let category = policy_for(&state.policies, Some(policy_id), code, on)
        .map_err(|e| pick(&ctx, &e))
        .and_then(|p| ApplicationCategory::of_policy(p, code).map_err(|e: CategoryError| e.message(ctx.lang)));
    let category = match category {
        Ok(c) => c,
        Err(message) => return category_problem(&mut page, StatusCode::UNPROCESSABLE_ENTITY, message),
    };
    match applications::open(&state.store, &id_number, category, &user.account.username, on).await {
        Ok(stored) => Ok(Redirect::to(&format!("/applications/{}", stored.id)).into_response()),
        Err(e) => {
            let e = application_error(e);
            if e.status.is_client_error() && e.status != StatusCode::NOT_FOUND {
                let message = pick(&ctx, &e);
                category_problem(&mut page, e.status, message)
            } else {
                Err(ctx.page_error(e))
            }
        }
    }
}
