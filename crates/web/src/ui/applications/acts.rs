//! The acts on an application: documents received, submission, the final acts behind a
//! confirmation.

// The module's imports and shared helpers (form fields, the page context).
use super::*;

/// After a change: back to the application (303), or the page with the problem next to `form`;
/// a stale version is told as such, over the latest state.
pub(super) async fn after(
    state: &AppState,
    ctx: &Ctx,
    user: &AuthUser,
    id: &str,
    form: &'static str,
    result: Result<(), ApiError>,
    reason: String,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/applications/{id}?done=1")).into_response()),
        Err(e) if matches!(e.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN) => Err(ctx.page_error(e)),
        Err(e) if e.code == "version_conflict" => {
            let problem = Problem { form: "conflict", message: ctx.t("application.conflict").to_owned() };
            page(state, ctx, user, id, Some((problem, StatusCode::CONFLICT)), reason, false).await
        }
        Err(e) if e.status.is_client_error() => {
            let problem = Problem { form, message: pick(ctx, &e) };
            page(state, ctx, user, id, Some((problem, e.status)), reason, false).await
        }
        Err(e) => Err(ctx.page_error(e)),
    }
}

/// The version a form carries; a missing or garbled one is stale by definition.
pub(super) fn version_of(f: &[(String, String)]) -> i64 {
    field(f, "version").trim().parse().unwrap_or(-1)
}

/// Checks the form token first: a forged form learns nothing, not even whether the id exists.
macro_rules! token_or_refuse {
    ($ctx:expr, $f:expr) => {
        if !form_token_ok(&$ctx, field(&$f, "csrf_token")) {
            return Err($ctx.page_error(crate::auth::csrf_error()));
        }
    };
}

pub(super) async fn documents(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    token_or_refuse!(ctx, f);
    let codes = fields(&f, "documents");
    let how = if field(&f, "how") == "commitment" { Supply::Commitment } else { Supply::Paper };
    let result = if codes.is_empty() {
        // Still 404/403 first, so that an empty form does not tell a stranger the id exists.
        match reachable(&state, &user, &id, Action::PrepareApplication).await {
            Ok(_) => Err(said(StatusCode::UNPROCESSABLE_ENTITY, "required", "application.nothing_ticked")),
            Err(e) => Err(e),
        }
    } else {
        let body = DocumentsBody { documents: codes, version: version_of(&f), on: form_day(&f) };
        supply(&state, &user, &id, body, how).await.map(|_| ())
    };
    after(&state, &ctx, &user, &id, "documents", result, String::new()).await
}

pub(super) async fn submit(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    token_or_refuse!(ctx, f);
    let body = StepBody { version: version_of(&f), on: form_day(&f) };
    let result = step(&state, &user, &id, body, Step::Submit).await.map(|_| ());
    after(&state, &ctx, &user, &id, "submit", result, String::new()).await
}

/// A final act waiting for its confirmation.
#[derive(Template)]
#[template(path = "application_confirm.html")]
pub(super) struct ConfirmPage<'a> {
    pub(super) ctx: &'a Ctx,
    pub(super) a: Summary,
    pub(super) action: &'static str,
    pub(super) question: &'static str,
    pub(super) button: &'static str,
    pub(super) version: i64,
    pub(super) reason: String,
    /// The documents the deficiency notice will list.
    pub(super) listed: Vec<&'static str>,
    pub(super) defective: Vec<String>,
}

/// Shows the confirmation page for a final act, after the same access check as the act itself.
#[expect(clippy::too_many_arguments, reason = "one call per final act, each naming its parts")]
pub(super) async fn confirm_page(
    state: &AppState,
    ctx: &Ctx,
    user: &AuthUser,
    id: &str,
    access: Action,
    action: &'static str,
    f: &[(String, String)],
    listed: Vec<&'static str>,
) -> Result<Response, PageError> {
    let stored = reachable(state, user, id, access).await.or_page(ctx)?;
    let a = summary(state, ctx, user, &stored).await.or_page(ctx)?;
    let (question, button) = match action {
        "approve" => ("application.confirm_approve", "application.approve"),
        "reject" => ("application.confirm_reject", "application.reject"),
        "withdraw" => ("application.confirm_withdraw", "application.withdraw"),
        _ => ("application.confirm_deficient", "application.mark_deficient"),
    };
    let page = ConfirmPage {
        ctx,
        a,
        action,
        question: ctx.t(question),
        button: ctx.t(button),
        version: version_of(f),
        reason: field(f, "reason").to_owned(),
        listed,
        defective: fields(f, "defective"),
    };
    Ok(render(&page, StatusCode::OK))
}

pub(super) fn confirmed(f: &[(String, String)]) -> bool {
    field(f, "confirmed") == "yes"
}

pub(super) async fn mark_deficient(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    token_or_refuse!(ctx, f);
    let defective = fields(&f, "defective");
    if !confirmed(&f) {
        // A dry run of the domain's transition: the confirmation shows exactly what the notice will
        // list, and a notice that cannot be served is said at once, next to the form.
        let stored = reachable(&state, &user, &id, Action::DecideApplication).await.or_page(&ctx)?;
        let app = &stored.application;
        let ticked: Vec<Document> =
            app.checklist().into_iter().filter(|d| defective.iter().any(|c| c == d.code())).collect();
        let listed: Vec<&'static str> = match app.mark_deficient(&user.account.username, state.clock().today(), &ticked)
        {
            Ok(next) => next
                .deficiency_notice()
                .map(|n| n.missing().iter().map(|d| d.name(ctx.lang)).collect())
                .unwrap_or_default(),
            Err(t) => {
                return after(&state, &ctx, &user, &id, "deficient", Err(transition_error(t)), String::new()).await;
            }
        };
        return confirm_page(&state, &ctx, &user, &id, Action::DecideApplication, "deficient", &f, listed).await;
    }
    let body = DeficiencyBody { defective, version: version_of(&f), on: None };
    let result = serve_deficiency_notice(&state, &user, &id, body).await.map(|_| ());
    after(&state, &ctx, &user, &id, "deficient", result, String::new()).await
}

pub(super) async fn approve(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    token_or_refuse!(ctx, f);
    if !confirmed(&f) {
        return confirm_page(&state, &ctx, &user, &id, Action::DecideApplication, "approve", &f, Vec::new()).await;
    }
    let body = StepBody { version: version_of(&f), on: None };
    let result = step(&state, &user, &id, body, Step::Approve).await.map(|_| ());
    after(&state, &ctx, &user, &id, "approve", result, String::new()).await
}

pub(super) async fn reject(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    token_or_refuse!(ctx, f);
    let reason = field(&f, "reason").trim().to_owned();
    // A blank or unusable reason is said next to the field before asking for confirmation.
    let check = match free_text(&reason, "reason", MAX_TEXT) {
        Ok(()) if reason.is_empty() => {
            Err(said(StatusCode::UNPROCESSABLE_ENTITY, "required", "application.reason_required"))
        }
        other => other,
    };
    if let Err(e) = check {
        let e = match reachable(&state, &user, &id, Action::DecideApplication).await {
            Ok(_) => e,
            Err(access) => access,
        };
        return after(&state, &ctx, &user, &id, "reject", Err(e), reason).await;
    }
    if !confirmed(&f) {
        return confirm_page(&state, &ctx, &user, &id, Action::DecideApplication, "reject", &f, Vec::new()).await;
    }
    let body = RejectBody { reason: reason.clone(), version: version_of(&f), on: None };
    let result = crate::service::applications::reject_application(&state, &user, &id, body).await;
    after(&state, &ctx, &user, &id, "reject", result.map(|_| ()), reason).await
}

pub(super) async fn withdraw(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
    Form(f): Fields,
) -> Result<Response, PageError> {
    token_or_refuse!(ctx, f);
    if !confirmed(&f) {
        return confirm_page(&state, &ctx, &user, &id, Action::PrepareApplication, "withdraw", &f, Vec::new()).await;
    }
    let body = StepBody { version: version_of(&f), on: None };
    let result = step(&state, &user, &id, body, Step::Withdraw).await.map(|_| ());
    after(&state, &ctx, &user, &id, "withdraw", result, String::new()).await
}
