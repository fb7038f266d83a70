//! Printable forms: the application in three copies, the refusal and the notice.

// The module's imports and shared helpers (form fields, the page context).
use super::*;

#[derive(Template)]
#[template(path = "application_print.html")]
pub(super) struct PrintPage<'a> {
    pub(super) ctx: &'a Ctx,
    pub(super) a: Summary,
    pub(super) copies: [&'static str; 3],
}

#[derive(Template)]
#[template(path = "application_refusal.html")]
pub(super) struct RefusalPage<'a> {
    pub(super) ctx: &'a Ctx,
    pub(super) a: Summary,
    pub(super) refusal: RefusalView,
}

#[derive(Template)]
#[template(path = "application_notice.html")]
pub(super) struct NoticePage<'a> {
    pub(super) ctx: &'a Ctx,
    pub(super) a: Summary,
    pub(super) notice: NoticeView,
}

pub(super) async fn load_summary(state: &AppState, ctx: &Ctx, user: &AuthUser, id: &str) -> Result<Summary, ApiError> {
    id_of(id)?;
    let stored = reachable(state, user, id, Action::View).await?;
    summary(state, ctx, user, &stored).await
}

pub(super) async fn print(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let a = load_summary(&state, &ctx, &user, &id).await.or_page(&ctx)?;
    let copies = [ctx.t("application.copy1"), ctx.t("application.copy2"), ctx.t("application.copy3")];
    Ok(render(&PrintPage { ctx: &ctx, a, copies }, StatusCode::OK))
}

pub(super) async fn refusal(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let mut a = load_summary(&state, &ctx, &user, &id).await.or_page(&ctx)?;
    match a.refusal.take() {
        Some(refusal) => Ok(render(&RefusalPage { ctx: &ctx, a, refusal }, StatusCode::OK)),
        None => Err(ctx.page_error(said(StatusCode::CONFLICT, "not_refused", "application.not_refused"))),
    }
}

pub(super) async fn notice(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let mut a = load_summary(&state, &ctx, &user, &id).await.or_page(&ctx)?;
    match a.notice.take() {
        Some(notice) => Ok(render(&NoticePage { ctx: &ctx, a, notice }, StatusCode::OK)),
        None => Err(ctx.page_error(said(StatusCode::CONFLICT, "no_notice", "application.no_notice"))),
    }
}
