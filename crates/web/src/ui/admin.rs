//! Administration for a city admin: accounts (add, disable or enable, reset a password), what
//! each role may do, and the unit tree with communities added under a street (第十八条: 三级管理、
//! 四级服务). Account changes go through the API's handlers, so the checks are the API's own.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::{Action, Role, role_allows};
use yuanzhu_rules::Lang;
use yuanzhu_storage::accounts::{self, Account};
use yuanzhu_storage::units;

use super::{Ctx, OrPage, Page, PageError, form_token_ok, render};
use crate::auth::{AuthUser, csrf_error};
use crate::error::ApiError;
use crate::service::admin::{
    NewPassword, NewUser, account_in_reach, covers, create_user, reset_password, set_disabled,
};
use crate::state::AppState;

/// This area's strings: (key, zh-CN, en).
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("admin.title", "系统管理", "Administration"),
    ("admin.users", "用户", "Users"),
    ("admin.username", "用户名", "Username"),
    ("admin.role", "角色", "Role"),
    ("admin.unit", "单位代码", "Unit code"),
    ("admin.state", "状态", "State"),
    ("admin.active", "正常", "Active"),
    ("admin.disabled", "已停用", "Disabled"),
    ("admin.created", "创建时间", "Created"),
    ("admin.add_user", "新增用户", "Add a user"),
    ("admin.password", "初始密码（至少10位）", "Initial password (at least 10 characters)"),
    ("admin.new_password", "新密码（至少10位）", "New password (at least 10 characters)"),
    ("admin.reset", "重置密码", "Reset password"),
    ("admin.disable", "停用", "Disable"),
    ("admin.enable", "启用", "Enable"),
    ("admin.add", "新增", "Add"),
    (
        "admin.disable_warning",
        "停用后该用户将立即退出登录，其接口令牌一并作废。",
        "Once disabled, the user is signed out at once and their API tokens are revoked.",
    ),
    ("admin.disable_confirm", "确认停用", "Disable the account"),
    ("admin.confirm_title", "确认停用用户", "Disable a user"),
    ("admin.shown_of", "显示前200个，共", "Showing the first 200 of"),
    ("admin.roles", "角色与权限", "Roles and what they may do"),
    ("admin.action", "事项", "Action"),
    ("admin.units", "单位", "Units"),
    ("admin.district", "区", "District"),
    ("admin.street", "街道/镇", "Street or town"),
    ("admin.communities", "社区/村数", "Communities"),
    ("admin.add_community", "在街道下新增社区", "Add a community under a street"),
    ("admin.community_code", "社区代码（12位）", "Community code (12 digits)"),
    ("admin.community_name", "社区名称", "Community name"),
    ("admin.parent", "所属街道/镇", "Street or town"),
    ("admin.choose", "请选择", "Choose one"),
    (
        "admin.code_error",
        "社区代码应为所属街道代码加3位数字，共12位。",
        "A community code is its street's code and 3 more digits: 12 in all.",
    ),
    ("admin.name_error", "请填写社区名称（64字以内）。", "Enter the community's name (64 characters at most)."),
    ("admin.parent_error", "请选择您管辖范围内的街道或镇。", "Choose a street or town in your jurisdiction."),
    ("admin.exists", "该社区代码已存在。", "A unit with this code exists already."),
    ("admin.done.created", "已新增用户。", "The user was added."),
    ("admin.done.disabled", "已停用该用户。", "The user was disabled."),
    ("admin.done.enabled", "已启用该用户。", "The user was enabled."),
    ("admin.done.password", "已重置密码，该用户需重新登录。", "The password was reset; the user signs in again."),
    ("admin.done.community", "已新增社区。", "The community was added."),
    ("admin.action.view", "查询和查看档案", "Search and open files"),
    ("admin.action.view_identity", "查看完整证件号和手机号", "See full ID and phone numbers"),
    ("admin.action.register", "登记和导入", "Register and import"),
    ("admin.action.log_contact", "登记联系和拒绝服务", "Log contacts and refusals"),
    ("admin.action.record_service", "记录援助服务", "Record services given"),
    ("admin.action.prepare_application", "办理认定申请", "Prepare applications"),
    ("admin.action.decide_application", "审核认定申请", "Decide applications"),
    ("admin.action.list_applications", "查看认定申请队列", "See the queue of applications"),
    ("admin.action.propose_revocation", "提议注销", "Propose revocation"),
    ("admin.action.decide_revocation", "审核注销", "Decide revocation"),
    ("admin.action.decide_duplicate", "核实疑似重复", "Decide possible duplicates"),
    ("admin.action.transfer_residence", "办理居住地转移", "Transfer a residence"),
    ("admin.action.assign_social_worker", "分派社工", "Assign social workers"),
    ("admin.action.reassess", "重新评估", "Reassess"),
    ("admin.action.export", "导出", "Export"),
    ("admin.action.verify_audit", "核验台账", "Verify the audit chain"),
    ("admin.action.manage_users", "管理用户", "Manage users"),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin_page))
        .route("/admin/users", post(add_user))
        .route("/admin/users/{username}/disable", post(disable))
        .route("/admin/users/{username}/enable", post(enable))
        .route("/admin/users/{username}/password", post(password))
        .route("/admin/units", post(add_unit))
}

/// The code an action goes by in the table of strings.
const fn action_code(a: Action) -> &'static str {
    match a {
        Action::View => "view",
        Action::ViewIdentity => "view_identity",
        Action::Register => "register",
        Action::LogContact => "log_contact",
        Action::RecordService => "record_service",
        Action::PrepareApplication => "prepare_application",
        Action::DecideApplication => "decide_application",
        Action::ListApplications => "list_applications",
        Action::ProposeRevocation => "propose_revocation",
        Action::DecideRevocation => "decide_revocation",
        Action::DecideDuplicate => "decide_duplicate",
        Action::TransferResidence => "transfer_residence",
        Action::AssignSocialWorker => "assign_social_worker",
        Action::Reassess => "reassess",
        Action::Export => "export",
        Action::VerifyAudit => "verify_audit",
        Action::ManageUsers => "manage_users",
    }
}

fn said(ctx: &Ctx, e: &ApiError) -> String {
    match ctx.lang {
        Lang::Zh => e.zh.clone(),
        Lang::En => e.en.clone(),
    }
}

/// Users the page lists at most; the count says how many there are.
const USER_ROWS: usize = 200;

struct RoleRow {
    action: &'static str,
    allowed: Vec<bool>,
}

struct StreetRow {
    code: String,
    name: String,
    communities: usize,
}

struct DistrictRow {
    code: String,
    name: String,
    streets: Vec<StreetRow>,
}

/// What was typed into the add-user form, and what is wrong with it, by field.
#[derive(Default)]
struct UserDraft {
    username: String,
    role: String,
    unit: String,
    errors: Vec<(String, String)>,
}

#[derive(Default)]
struct UnitDraft {
    code: String,
    name: String,
    parent: String,
    errors: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage<'a> {
    ctx: &'a Ctx,
    me: String,
    total_users: i64,
    users: Vec<Account>,
    roles: Vec<&'static str>,
    role_rows: Vec<RoleRow>,
    districts: Vec<DistrictRow>,
    draft: UserDraft,
    unit_draft: UnitDraft,
    /// (username, message): a password reset refused, shown next to that user's field.
    password_error: Option<(String, String)>,
    done: Option<&'static str>,
    error: Option<String>,
}

impl AdminPage<'_> {
    fn user_error(&self, field: &str) -> Option<&str> {
        self.draft.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    fn unit_error(&self, field: &str) -> Option<&str> {
        self.unit_draft.errors.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    fn password_error_of(&self, username: &str) -> Option<&str> {
        self.password_error.as_ref().filter(|(u, _)| u == username).map(|(_, m)| m.as_str())
    }

    fn streets(&self) -> impl Iterator<Item = &StreetRow> {
        self.districts.iter().flat_map(|d| d.streets.iter())
    }
}

/// The unit tree within the user's jurisdiction: districts, their streets and towns, and how
/// many communities each has (one query over the units table, a few thousand rows at most).
async fn unit_tree(state: &AppState, user: &AuthUser) -> Result<Vec<DistrictRow>, ApiError> {
    let all = units::all(&state.store).await?;
    let within = |code: &str| UnitCode::parse(code).is_ok_and(|c| covers(&user.user.unit, &c));
    let mut districts: Vec<DistrictRow> = all
        .iter()
        .filter(|u| u.level == "district" && within(&u.code))
        .map(|u| DistrictRow { code: u.code.clone(), name: u.name.clone(), streets: Vec::new() })
        .collect();
    for s in all.iter().filter(|u| matches!(u.level.as_str(), "street" | "town") && within(&u.code)) {
        let communities = all.iter().filter(|c| c.parent_code.as_deref() == Some(s.code.as_str())).count();
        let row = StreetRow { code: s.code.clone(), name: s.name.clone(), communities };
        if let Some(d) = districts.iter_mut().find(|d| s.parent_code.as_deref() == Some(d.code.as_str())) {
            d.streets.push(row);
        }
    }
    Ok(districts)
}

async fn page<'a>(state: &AppState, ctx: &'a Ctx, user: &AuthUser) -> Result<AdminPage<'a>, ApiError> {
    user.require(Action::ManageUsers)?;
    let mut users = accounts::list(&state.store, user.user.unit.as_str()).await?;
    let total_users = users.len() as i64;
    users.truncate(USER_ROWS);
    let role_rows = Action::ALL
        .iter()
        .map(|a| RoleRow { action: action_code(*a), allowed: Role::ALL.iter().map(|r| role_allows(*r, *a)).collect() })
        .collect();
    Ok(AdminPage {
        ctx,
        me: user.account.username.clone(),
        total_users,
        users,
        roles: Role::ALL.map(Role::code).to_vec(),
        role_rows,
        districts: unit_tree(state, user).await?,
        draft: UserDraft::default(),
        unit_draft: UnitDraft::default(),
        password_error: None,
        done: None,
        error: None,
    })
}

#[derive(Debug, serde::Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn admin_page(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let mut p = page(&state, &ctx, &user).await.or_page(&ctx)?;
    p.done = match q.done.as_deref() {
        Some("created") => Some("admin.done.created"),
        Some("disabled") => Some("admin.done.disabled"),
        Some("enabled") => Some("admin.done.enabled"),
        Some("password") => Some("admin.done.password"),
        Some("community") => Some("admin.done.community"),
        _ => None,
    };
    Ok(render(&p, StatusCode::OK))
}

/// The refusal, if any: the role first, then the form token, so a non-admin gets 403 whatever
/// they send.
fn refused(ctx: &Ctx, user: &AuthUser, token: &str) -> Result<(), PageError> {
    user.require(Action::ManageUsers).or_page(ctx)?;
    if !form_token_ok(ctx, token) {
        return Err(ctx.page_error(csrf_error()));
    }
    Ok(())
}

#[derive(Debug, serde::Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    password: String,
}

async fn add_user(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Form(f): Form<UserForm>,
) -> Result<Response, PageError> {
    refused(&ctx, &user, &f.csrf_token)?;
    let new =
        NewUser { username: f.username.clone(), role: f.role.clone(), unit: f.unit.clone(), password: f.password };
    let e = match create_user(&state, &user, new).await {
        Ok(_) => return Ok(Redirect::to("/admin?done=created").into_response()),
        Err(e) => e,
    };
    let mut p = page(&state, &ctx, &user).await.or_page(&ctx)?;
    let field = e.field.as_deref().unwrap_or("username").to_owned();
    p.draft = UserDraft { username: f.username, role: f.role, unit: f.unit, errors: vec![(field, said(&ctx, &e))] };
    Ok(render(&p, e.status))
}

#[derive(Debug, serde::Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf_token: String,
    /// Present on the confirmation step's button.
    sure: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_confirm.html")]
struct ConfirmPage<'a> {
    ctx: &'a Ctx,
    account: Account,
}

async fn disable(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(username): Path<String>,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, PageError> {
    refused(&ctx, &user, &f.csrf_token)?;
    if f.sure.is_none() {
        let account = account_in_reach(&state, &user, &username).await.or_page(&ctx)?;
        return Ok(render(&ConfirmPage { ctx: &ctx, account }, StatusCode::OK));
    }
    switched(&state, &ctx, &user, &username, true).await
}

async fn enable(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(username): Path<String>,
    Form(f): Form<ConfirmForm>,
) -> Result<Response, PageError> {
    refused(&ctx, &user, &f.csrf_token)?;
    switched(&state, &ctx, &user, &username, false).await
}

async fn switched(
    state: &AppState,
    ctx: &Ctx,
    user: &AuthUser,
    username: &str,
    disabled: bool,
) -> Result<Response, PageError> {
    match set_disabled(state, user, username, disabled).await {
        Ok(_) => {
            Ok(Redirect::to(if disabled { "/admin?done=disabled" } else { "/admin?done=enabled" }).into_response())
        }
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let mut p = page(state, ctx, user).await.or_page(ctx)?;
            p.error = Some(said(ctx, &e));
            Ok(render(&p, e.status))
        }
        Err(e) => Err(ctx.page_error(e)),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    password: String,
}

async fn password(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(username): Path<String>,
    Form(f): Form<PasswordForm>,
) -> Result<Response, PageError> {
    refused(&ctx, &user, &f.csrf_token)?;
    let body = NewPassword { password: f.password };
    match reset_password(&state, &user, &username, body).await {
        Ok(_) => Ok(Redirect::to("/admin?done=password").into_response()),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let mut p = page(&state, &ctx, &user).await.or_page(&ctx)?;
            p.password_error = Some((username.trim().to_lowercase(), said(&ctx, &e)));
            Ok(render(&p, e.status))
        }
        Err(e) => Err(ctx.page_error(e)),
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent: String,
}

async fn add_unit(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Form(f): Form<UnitForm>,
) -> Result<Response, PageError> {
    refused(&ctx, &user, &f.csrf_token)?;
    let mut p = page(&state, &ctx, &user).await.or_page(&ctx)?;
    let draft = UnitDraft {
        code: f.code.trim().to_owned(),
        name: f.name.trim().to_owned(),
        parent: f.parent,
        ..UnitDraft::default()
    };
    let mut errors = Vec::new();
    if !p.streets().any(|s| s.code == draft.parent) {
        errors.push(("parent", ctx.t("admin.parent_error").to_owned()));
    }
    let code_ok = draft.code.len() == 12
        && draft.code.bytes().all(|b| b.is_ascii_digit())
        && draft.code.starts_with(&draft.parent)
        && UnitCode::parse(&draft.code).is_ok();
    if !code_ok {
        errors.push(("code", ctx.t("admin.code_error").to_owned()));
    }
    if draft.name.is_empty() || draft.name.chars().count() > 64 || draft.name.chars().any(char::is_control) {
        errors.push(("name", ctx.t("admin.name_error").to_owned()));
    }
    if errors.is_empty() {
        match units::add_community(&state.store, &draft.code, &draft.name, &draft.parent, false).await {
            Ok(true) => return Ok(Redirect::to("/admin?done=community#units-h").into_response()),
            Ok(false) => errors.push(("code", ctx.t("admin.exists").to_owned())),
            Err(e) => return Err(ctx.page_error(e)),
        }
    }
    p.unit_draft = UnitDraft { errors, ..draft };
    Ok(render(&p, StatusCode::UNPROCESSABLE_ENTITY))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_and_role_has_a_label() {
        for a in Action::ALL {
            assert!(super::super::i18n::has(&format!("admin.action.{}", action_code(a))), "{a:?}");
        }
        for r in Role::ALL {
            assert!(super::super::i18n::has(&format!("role.{}", r.code())), "{r:?}");
        }
    }
}
