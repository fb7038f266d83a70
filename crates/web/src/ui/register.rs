//! Registration from the counter (第四条): one person's import columns as a form, checked by the
//! same code as `POST /api/v1/persons`, and the recognition result with each category's reason
//! and article. The ID number is checked as it is typed by a small script; the server checks it
//! again, and every problem is said next to its field, all at once. A registration that succeeds
//! redirects to its result (Post/Redirect/Get), so that reloading the result never registers again.
//!
//! A person already on file is changed, never overwritten unseen: the page lists what the
//! submission changes (before → after) and asks before it replaces or clears anything the file
//! holds. The change carries the version of the file it was based on, so that a file changed by
//! someone else meanwhile is not overwritten either (409: open the latest and change it again).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde_json::{Map, Value};
use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::{Action, Role, Target, role_allows};
use yuanzhu_rules::contract::Field;
use yuanzhu_rules::{Date, Facts, FemaleRetirementTrack, Lang, Policy, Sex};
use yuanzhu_storage::persons::{self, PersonRecord};
use yuanzhu_storage::search;

use super::register_form::{Change, Input, body_of, changes, inputs, policy_on, value_of, values_of_file};
use super::{Ctx, OrPage, Page, PageError, form_token_ok, render};
use crate::auth::AuthUser;
use crate::error::{ApiError, FieldError};
use crate::service::persons::{read_registration, register_one};
use crate::state::AppState;

/// This area's strings: (key, zh-CN, en).
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("register.title", "失业登记与就业困难人员认定", "Registration and recognition"),
    (
        "register.intro",
        "登记时按第四条自动认定符合条件的类别；需申请的类别（第五条）请在档案中办理。",
        "Categories recognised automatically (Article 4) are recognised on registration; those that need an application (Article 5) are handled from the file.",
    ),
    ("register.person", "人员信息", "The person"),
    ("register.facts", "认定所需情况", "Circumstances for recognition"),
    (
        "register.facts_hint",
        "只列出登记日期适用政策所需的问题。未回答的问题记为“未回答”，不会按“否”处理；标 * 的问题为该政策所必需。",
        "Only the questions the policy in force on the registration date needs are asked. A question left unanswered is recorded as unanswered, never as no; those marked * are required by that policy.",
    ),
    ("register.policy_in_force", "登记日期适用政策", "Policy in force on the registration date"),
    (
        "register.no_policy_on_date",
        "登记日期没有有效的认定政策：登记会被记录，但不作认定，因此不询问认定所需情况。",
        "No policy is in force on the registration date: the registration is recorded but nobody is recognised under it, so no questions are asked.",
    ),
    (
        "register.policy_changed",
        "登记日期改变了适用的政策，问题已按该政策调整。请检查后再提交。",
        "The registration date changes the policy in force, and the questions now follow it. Check them and submit again.",
    ),
    (
        "register.required_answer",
        "须回答：登记日期适用的政策要求此项",
        "An answer is needed: the policy in force on the registration date requires it",
    ),
    ("register.unanswered", "未回答", "Unanswered"),
    ("register.max_before", "最多", "At most"),
    ("register.max_after", "个字符", "characters"),
    (
        "register.editing",
        "正在修改已登记人员的信息：保持不变的项目不会改动；清空某项即删除档案中的该项内容。提交前会列出所有改动供您确认。",
        "You are changing a registered person: what you leave as it is stays; emptying a field deletes it from the file. Every change is listed for you to confirm before it is made.",
    ),
    (
        "register.stale",
        "您填写期间，该人员的档案已被他人修改。请重新打开档案的最新内容后再修改；您填写的内容仍保留在下方。",
        "The person's file was changed by someone else while you were filling in the form. Open the latest file and make your change again; what you typed is kept below.",
    ),
    ("register.reload", "打开最新内容重新修改", "Open the latest file and change it again"),
    ("register.update", "修改登记信息", "Change the registration"),
    (
        "register.duplicate",
        "已登记有同名且出生日期相同、身份证号不同的人员，已列入疑似重复，待街道审核员核实。",
        "Someone of the same name and birth date is registered under another ID number: the pair is flagged as a possible duplicate for the street officer to decide.",
    ),
    ("register.confirm.title", "确认修改档案", "Confirm the changes to the file"),
    (
        "register.confirm.intro",
        "该人员已经登记。提交后档案中的以下内容将被修改，标出的行会覆盖或清空原有内容。请核对后确认。",
        "This person is already registered. Submitting makes the changes below to the file; the marked lines replace or clear what it holds. Check them and confirm.",
    ),
    ("register.confirm.field", "项目", "Field"),
    ("register.confirm.before", "档案现有内容", "In the file now"),
    ("register.confirm.after", "修改后", "After the change"),
    ("register.confirm.empty", "（空）", "(empty)"),
    ("register.confirm.ok", "确认修改", "Confirm the changes"),
    ("register.confirm.back", "返回修改", "Back to the form"),
    ("register.id_hint", "18位身份证号（15位旧号码将自动升级）", "18-digit ID number (a 15-digit one is upgraded)"),
    ("register.unit_hint", "6、9或12位区划代码", "A 6-, 9- or 12-digit division code"),
    (
        "register.hukou_hint",
        "户籍所在地的6、9或12位单位代码；可不填",
        "The 6-, 9- or 12-digit code of the unit where the hukou is held; optional",
    ),
    ("register.hukou.invalid", "不是单位代码，应为6、9或12位数字", "is not a unit code (6, 9 or 12 digits)"),
    ("register.hukou.unknown", "不在单位树中", "is not in the unit tree"),
    ("register.unknown", "未填", "Not given"),
    ("register.submit", "登记并认定", "Register and assess"),
    ("register.fix", "请修正标出的项目后重新提交。", "Please correct the marked fields and submit again."),
    (
        "register.elsewhere",
        "此身份证号的人员不在您的管辖范围内，不能在本单位登记或修改。如其已迁入您的辖区，请由其档案所在单位办理转移，或请覆盖两地的区级督导办理。",
        "The person with this ID number is outside your jurisdiction and cannot be registered or changed here. If they have moved into your area, the unit that holds their file (or a district supervisor over both) can transfer them.",
    ),
    ("register.result", "认定结果", "Recognition result"),
    ("register.done", "已登记", "Registered"),
    ("register.policy", "适用政策", "Policy applied"),
    ("register.no_policy", "登记日期没有有效的政策。", "No policy is in force on the registration date."),
    ("register.because", "理由", "Reason"),
    ("register.recognised", "已自动认定", "Recognised automatically"),
    ("register.needs_application", "需提出申请（第五条）", "Needs an application (Article 5)"),
    ("register.not_recognised", "未认定为就业困难人员", "Not recognised as a person with employment difficulties"),
    ("register.open_file", "打开个人档案", "Open the personal file"),
    ("register.another", "继续登记", "Register another"),
    ("register.check.birth", "出生日期", "Born"),
    ("register.check.ok", "校验码正确", "check character correct"),
    ("register.check.bad", "校验码错误，应为", "wrong check character, expected"),
    ("register.check.length", "身份证号应为18位（或15位旧号码）", "an ID number has 18 digits (or 15 for an old one)"),
    ("register.check.date", "出生日期无效", "the birth date is not a real date"),
    ("register.check.chars", "只能包含数字，最后一位可为X", "digits only, the last may be X"),
    ("register.field.id_number", "身份证号", "ID number"),
    ("register.field.name", "姓名", "Name"),
    ("register.field.phone", "联系电话", "Phone"),
    ("register.field.address", "住址", "Address"),
    ("register.field.residence_unit", "居住地单位", "Unit of residence"),
    ("register.field.hukou_unit", "户籍所在单位", "Unit of hukou"),
    ("register.field.registered_on", "失业登记日期", "Registered as unemployed on"),
    ("register.field.household_ref", "家庭编号", "Household reference"),
    ("register.field.relation", "与户主关系", "Relation to the head of household"),
    ("register.fact.hukou_local", "本市户籍", "Hukou in this city"),
    ("register.fact.rural_to_urban", "农转居人员", "Rural hukou converted to urban"),
    ("register.fact.registered_unemployed", "已办理失业登记", "Registered as unemployed"),
    ("register.fact.unemployed_since", "失业起始日", "Unemployed since"),
    ("register.fact.able_to_work", "有劳动能力", "Able to work"),
    ("register.fact.willing_to_be_assisted", "有就业意愿并愿意接受就业援助", "Wants work and assistance"),
    ("register.fact.disabled", "持有残疾人证", "Holds a disability certificate"),
    ("register.fact.zero_employment_family", "零就业家庭成员", "Member of a zero-employment household"),
    ("register.fact.minimum_living_allowance", "享受最低生活保障", "Receives the minimum living allowance"),
    ("register.fact.low_income_family", "低收入困难家庭成员", "Member of a low-income household"),
    ("register.fact.single_parent_raising_children", "单亲抚养未成年子女", "Single parent raising children"),
    ("register.fact.college_graduate", "高校毕业生", "College graduate"),
    ("register.fact.parent_certificates", "父母持有的证明（以;分隔）", "Parents' certificates (separated by ;)"),
    ("register.fact.hukou_in_province", "本省户籍", "Hukou in Guangdong"),
    ("register.fact.without_work", "处于无业状态", "Without work"),
    ("register.fact.rural_hukou", "农村户籍", "Rural hukou"),
    ("register.fact.formerly_registered_poor_household", "原建档立卡贫困户", "Formerly registered poor household"),
    ("register.fact.landless_farmer", "失地农民", "Landless farmer"),
    ("register.fact.drug_rehabilitated", "戒毒康复人员", "Rehabilitated from drug use"),
    ("register.fact.released_prisoner", "刑满释放人员", "Released from prison"),
    ("register.fact.mental_health_recovered", "精神障碍康复者", "Recovered from a mental disorder"),
    ("register.fact.veteran", "退役军人", "Veteran"),
    ("register.fact.caregiver_of_seriously_ill_relative", "照料重病家属", "Caring for a seriously ill relative"),
    ("register.fact.female_retirement_track", "女性退休类别", "Female retirement track"),
    ("register.unmet.not_local_hukou", "户籍条件不符", "Hukou"),
    ("register.unmet.not_provincial_hukou", "户籍条件不符", "Hukou in the province"),
    ("register.unmet.not_registered_unemployed", "未办理失业登记", "Unemployment registration"),
    ("register.unmet.has_work", "就业状态", "Work"),
    ("register.unmet.unable_to_work", "劳动能力", "Capacity to work"),
    ("register.unmet.not_willing", "就业意愿", "Wish to work"),
    ("register.unmet.below_working_age", "未到劳动年龄", "Below working age"),
    ("register.unmet.above_working_age", "已达法定退休年龄", "Above working age"),
    ("register.unmet.no_category", "不属于任何类别", "No category"),
    ("register.track.worker", "工人", "Worker"),
    ("register.track.cadre", "干部", "Cadre"),
];

pub fn router() -> Router<AppState> {
    Router::new().route("/register", get(form).post(submit)).route("/register/result/{person_id}", get(result))
}

/// A unit the user may register into.
struct UnitOption {
    code: String,
    name: String,
}

/// The policy the questions follow, for the page.
struct PolicyShown {
    id: String,
    title: String,
}

/// A policy's validity, for the page's script (which asks the questions of the date's policy).
struct Window {
    id: String,
    title: String,
    from: String,
    until: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage<'a> {
    ctx: &'a Ctx,
    person: Vec<Input>,
    facts: Vec<Input>,
    units: Vec<UnitOption>,
    /// A problem that names no field, or what the page has to say first.
    notice: Option<String>,
    /// The version of the file a change of a registered person starts from.
    version: String,
    policy: Option<PolicyShown>,
    windows: Vec<Window>,
    /// Changing a person on file.
    editing: bool,
    /// Where the latest file of the person opens in this form, after a stale change.
    reload: Option<String>,
    /// An ID number found out of reach: the person, to ask their unit for them.
    ask: Option<Ask>,
}

/// A person to ask for (see `residence_transfers`), as the form named them.
struct Ask {
    id_number: String,
    name: String,
    to_unit: String,
}

#[derive(Template)]
#[template(path = "register_confirm.html")]
struct ConfirmPage<'a> {
    ctx: &'a Ctx,
    changes: Vec<Change>,
    /// Everything the form sent, to send again.
    hidden: Vec<(String, String)>,
    version: i64,
}

/// One line of the result: a category recognised or open to application, or a condition unmet.
struct ResultLine {
    name: String,
    because: String,
    citation: String,
    /// `recognised`, `application` or `unmet`.
    kind: &'static str,
}

#[derive(Template)]
#[template(path = "register_result.html")]
struct ResultPage<'a> {
    ctx: &'a Ctx,
    person_id: String,
    name: String,
    policy: Option<String>,
    lines: Vec<ResultLine>,
    recognised: bool,
    /// Open possible duplicates of the person (both files in the user's reach).
    duplicates: usize,
}

/// A select offers units when a jurisdiction holds few enough of them; a city types a code.
const MOST_UNITS_IN_A_SELECT: usize = 400;

async fn units_for(state: &AppState, user: &AuthUser) -> Result<Vec<UnitOption>, ApiError> {
    let Some(prefix) = user.user.unit_prefix() else { return Ok(Vec::new()) };
    let all = yuanzhu_storage::units::all(&state.store).await?;
    let mine: Vec<UnitOption> = all
        .into_iter()
        .filter(|u| u.code.starts_with(prefix))
        .map(|u| UnitOption { code: u.code, name: u.name })
        .collect();
    Ok(if mine.len() > MOST_UNITS_IN_A_SELECT { Vec::new() } else { mine })
}

/// What a form page is drawn from besides its inputs.
struct Drawn {
    units: Vec<UnitOption>,
    version: String,
    editing: bool,
}

impl Drawn {
    fn page<'a>(
        self,
        ctx: &'a Ctx,
        (person, facts): (Vec<Input>, Vec<Input>),
        policy: Option<&Policy>,
        notice: Option<String>,
        reload: Option<String>,
    ) -> RegisterPage<'a> {
        let windows = ctx
            .policies
            .policies()
            .iter()
            .map(|p| Window {
                id: p.id.clone(),
                title: if ctx.lang == Lang::Zh { p.title.clone() } else { p.title_en.clone() },
                from: p.valid_from.to_string(),
                until: p.valid_until.map(|d| d.to_string()).unwrap_or_default(),
            })
            .collect();
        let policy = policy.map(|p| PolicyShown {
            id: p.id.clone(),
            title: if ctx.lang == Lang::Zh { p.title.clone() } else { p.title_en.clone() },
        });
        let Drawn { units, version, editing } = self;
        RegisterPage { ctx, person, facts, units, notice, version, policy, windows, editing, reload, ask: None }
    }
}

#[derive(Debug, serde::Deserialize)]
struct FormQuery {
    /// A person on file (their record key) whose registration the form changes.
    person: Option<String>,
}

async fn form(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Query(q): Query<FormQuery>,
) -> Result<Response, PageError> {
    if !role_allows(user.user.role, Action::Register) {
        return Err(ctx.page_error(ApiError::forbidden()));
    }
    let units = units_for(&state, &user).await.or_page(&ctx)?;
    let (values, version) = match &q.person {
        None => (vec![("registered_on".to_owned(), state.clock().today().to_string())], String::new()),
        Some(person_id) => {
            let (values, version) = on_file(&state, &user, person_id).await.or_page(&ctx)?;
            (values, version.to_string())
        }
    };
    let policy = policy_on(&state.policies, &value_of(&values, "registered_on"));
    let fields = inputs(&ctx, &values, !units.is_empty(), policy);
    let drawn = Drawn { units, version, editing: q.person.is_some() };
    Ok(render(&drawn.page(&ctx, fields, policy, None, None), StatusCode::OK))
}

/// The form's values for a person on file whom the user may register, and the file's version.
async fn on_file(state: &AppState, user: &AuthUser, person_id: &str) -> Result<(Vec<(String, String)>, i64), ApiError> {
    if person_id.len() > 64 {
        return Err(ApiError::not_found());
    }
    let id_number = search::id_number_of(&state.store, person_id).await?.ok_or_else(ApiError::not_found)?;
    let reach = user.person(state, &id_number, Action::Register).await?;
    let file = persons::file(&state.store, &id_number).await?.ok_or_else(ApiError::not_found)?;
    let hukou = reach.hukou_unit.as_ref().map(UnitCode::as_str);
    Ok((values_of_file(&file.person, hukou, file.registrations.last().map(String::as_str)), file.version))
}

/// What a submission would change in the file of a person on file, and the version it is based
/// on; `None` for a person not registered yet. Reads the file only for a user who reaches it.
async fn proposed(
    state: &AppState,
    ctx: &Ctx,
    user: &AuthUser,
    body: Map<String, Value>,
) -> Result<Option<(Vec<Change>, i64)>, ApiError> {
    user.require(Action::Register)?;
    let (registration, hukou_unit) = read_registration(state, body)?;
    user.unit(&registration.residence_unit, Action::Register)?;
    let id = registration.id_number.as_str();
    let Some(reach) = search::reach(&state.store, id, &user.account.id).await? else { return Ok(None) };
    if !user.user.reaches(Target::Person(reach.person())) {
        return Err(ApiError::not_found());
    }
    let file = persons::file(&state.store, id).await?.ok_or_else(ApiError::not_found)?;
    let after = persons::record_after(&registration, &file.person)?;
    let before_hukou = reach.hukou_unit.as_ref().map(UnitCode::as_str);
    let after_hukou = match &hukou_unit {
        None => before_hukou,
        Some(h) => h.as_ref().map(UnitCode::as_str),
    };
    let version = registration.base_version.unwrap_or(file.version);
    Ok(Some((changes(ctx, &file.person, &after, (before_hukou, after_hukou)), version)))
}

async fn submit(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Form(values): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    if !form_token_ok(&ctx, &value_of(&values, "csrf_token")) {
        return Err(ctx.page_error(crate::auth::csrf_error()));
    }
    let units = units_for(&state, &user).await.or_page(&ctx)?;
    let version = value_of(&values, "version");
    let policy = policy_on(&state.policies, &value_of(&values, "registered_on"));
    let (person, facts) = inputs(&ctx, &values, !units.is_empty(), policy);
    let editing = !version.is_empty();
    let drawn = Drawn { units, version: version.clone(), editing };
    // Back from the confirmation, or a date whose policy asks other questions than the form
    // showed: the form again, as typed, with the questions of the date's policy.
    let shown_for = values.iter().find(|(k, _)| k == "policy").map(|(_, v)| v.as_str());
    let policy_changed = shown_for.is_some_and(|shown| shown != policy.map_or("", |p| p.id.as_str()));
    if value_of(&values, "back") == "1" || policy_changed {
        let notice = policy_changed.then(|| ctx.t("register.policy_changed").to_owned());
        return Ok(render(&drawn.page(&ctx, (person, facts), policy, notice, None), StatusCode::OK));
    }
    let mut body = body_of(&person, &facts, &version);
    let outcome = match proposed(&state, &ctx, &user, body.clone()).await {
        // Something on file would be replaced or cleared: asked first.
        Ok(Some((changes, version))) if value_of(&values, "confirm") != "1" && changes.iter().any(|c| c.overwrites) => {
            let hidden = values
                .iter()
                .filter(|(k, _)| !["csrf_token", "confirm", "back", "version"].contains(&k.as_str()))
                .cloned()
                .collect();
            return Ok(render(&ConfirmPage { ctx: &ctx, changes, hidden, version }, StatusCode::OK));
        }
        Ok(Some((_, version))) => {
            body.insert("version".to_owned(), Value::from(version));
            register_one(&state, &user, body).await
        }
        Ok(None) => register_one(&state, &user, body).await,
        Err(e) => Err(e),
    };
    let registered = match outcome {
        Ok(r) => r,
        Err(e) => return refused(&state, &ctx, &user, e, drawn, (person, facts), policy).await,
    };
    let id_number = registered.registration.id_number.to_string();
    let mut ids =
        yuanzhu_storage::stats::person_ids(&state.store, std::slice::from_ref(&id_number)).await.or_page(&ctx)?;
    match ids.remove(&id_number) {
        Some(person_id) => Ok(Redirect::to(&format!("/register/result/{person_id}")).into_response()),
        None => Err(ctx.page_error(ApiError::not_found())),
    }
}

/// The page's words for a problem of the unit of hukou.
fn hukou_problem(code: &str) -> Option<&'static str> {
    match code {
        "invalid_unit" => Some("register.hukou.invalid"),
        "unknown_unit" => Some("register.hukou.unknown"),
        _ => None,
    }
}

/// The form again after a refusal, as typed, with every problem next to its field.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    user: &AuthUser,
    e: ApiError,
    drawn: Drawn,
    (mut person, mut facts): (Vec<Input>, Vec<Input>),
    policy: Option<&Policy>,
) -> Result<Response, PageError> {
    let status = e.status;
    // The ID number belongs to a person outside the user's reach: said as plainly as it can be
    // without saying where.
    if status == StatusCode::NOT_FOUND {
        let notice = Some(ctx.t("register.elsewhere").to_owned());
        let value = |name: &str| person.iter().find(|i| i.name == name).map(|i| i.value.trim().to_owned());
        let ask = match (value("id_number"), value("name"), value("residence_unit")) {
            (Some(id_number), Some(name), Some(to_unit)) if role_allows(user.user.role, Action::TransferResidence) => {
                Some(Ask { id_number, name, to_unit })
            }
            _ => None,
        };
        let mut page = drawn.page(ctx, (person, facts), policy, notice, None);
        page.ask = ask;
        return Ok(render(&page, status));
    }
    if ![StatusCode::UNPROCESSABLE_ENTITY, StatusCode::FORBIDDEN, StatusCode::CONFLICT].contains(&status) {
        return Err(ctx.page_error(e));
    }
    // Changed by someone else meanwhile: what was typed stays, and the latest file is a click away.
    if e.code == "conflict" {
        let id_number = person.iter().find(|i| i.name == "id_number").map(|i| i.value.trim().to_owned());
        let reload = match id_number {
            Some(id) => search::reach(&state.store, &id, &user.account.id)
                .await
                .ok()
                .flatten()
                .map(|r| format!("/register?person={}", r.person_id)),
            None => None,
        };
        let notice = Some(ctx.t("register.stale").to_owned());
        return Ok(render(&drawn.page(ctx, (person, facts), policy, notice, reload), status));
    }
    let all = if e.errors.is_empty() {
        vec![FieldError { code: e.code.to_string(), field: e.field.as_deref().map(str::to_owned), zh: e.zh, en: e.en }]
    } else {
        e.errors.into_vec()
    };
    let mut notice = None;
    for problem in all {
        // A unit outside the jurisdiction is a problem of the unit field.
        let field = if status == StatusCode::FORBIDDEN && user.user.role != Role::SocialWorker {
            "residence_unit".to_owned()
        } else {
            problem.field.clone().unwrap_or_default()
        };
        let is_fact = Field::from_name(&field).is_some_and(|f| f.fact().is_some());
        let hukou_text = person.iter().find(|i| i.name == "hukou_unit").map(|i| i.value.trim().to_owned());
        let message = if problem.code == "missing_field" && is_fact {
            ctx.t("register.required_answer").to_owned()
        } else if let (Some(text), "hukou_unit", Some(why)) = (hukou_text, field.as_str(), hukou_problem(&problem.code))
        {
            let label = ctx.t("register.field.hukou_unit");
            match ctx.lang {
                Lang::Zh => format!("{label}：“{text}”{}", ctx.t(why)),
                Lang::En => format!("{label}: `{text}` {}", ctx.t(why)),
            }
        } else if ctx.lang == Lang::Zh {
            problem.zh
        } else {
            problem.en
        };
        match person.iter_mut().chain(facts.iter_mut()).find(|i| i.name == field) {
            Some(input) if input.error.is_none() => {
                input.error = Some(message);
                notice.get_or_insert_with(|| ctx.t("register.fix").to_owned());
            }
            Some(_) => {}
            None => notice = Some(message),
        }
    }
    Ok(render(&drawn.page(ctx, (person, facts), policy, notice, None), status))
}

/// The result of a registration, from the person as registered (the GET after the form's POST).
async fn result(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Path(person_id): Path<String>,
) -> Result<Response, PageError> {
    let found = registered(&state, &user, &person_id).await.or_page(&ctx)?;
    // Possible duplicates of the person that the user reaches both files of (no other is told).
    let flags = crate::service::admin::flags_in_reach(&state, &user, 1000).await.or_page(&ctx)?;
    let duplicates = flags.iter().filter(|f| f.person_a == person_id || f.person_b == person_id).count();
    Ok(result_page(&state, &ctx, (person_id, duplicates), found.0, found.1))
}

/// The person's name and the facts 第四条 assessed at their latest registration.
async fn registered(state: &AppState, user: &AuthUser, person_id: &str) -> Result<(String, Option<Facts>), ApiError> {
    if person_id.len() > 64 {
        return Err(ApiError::not_found());
    }
    let id_number = search::id_number_of(&state.store, person_id).await?.ok_or_else(ApiError::not_found)?;
    let reach = user.person(state, &id_number, Action::View).await?;
    // The result shows what the file shows of the person, so opening it is recorded like the file.
    let view = yuanzhu_storage::views::View { person_id: reach.person_id, actor: user.account.username.clone() };
    let viewed = state.views.enqueue(view).await?;
    let file = persons::file(&state.store, &id_number).await?.ok_or_else(ApiError::not_found)?;
    viewed.committed().await?;
    let registered_on =
        file.registrations.last().map(String::as_str).map(Date::parse).transpose().map_err(ApiError::internal)?;
    let facts = match registered_on {
        Some(on) => Some(facts_of(&file.person, on).ok_or_else(|| ApiError::internal("a stored person's facts"))?),
        None => None,
    };
    Ok((file.person.name, facts))
}

/// The facts of a stored person as the form gave them, registered on `on`.
fn facts_of(p: &PersonRecord, on: Date) -> Option<Facts> {
    let sex = match p.sex.as_str() {
        "female" => Sex::Female,
        "male" => Sex::Male,
        _ => return None,
    };
    let mut facts = Facts::born(Date::parse(&p.birth_date).ok()?, sex);
    if p.female_retirement_track == "cadre" {
        facts.female_retirement_track = FemaleRetirementTrack::Cadre;
    }
    for name in &p.facts {
        facts.facts.set(Field::from_name(name).and_then(Field::fact)?, true);
    }
    for code in &p.parent_certificates {
        facts.parent_certificates |= yuanzhu_rules::ParentCertificate::from_code(code)?.bit();
    }
    facts.unemployed_since = p.unemployed_since.as_deref().map(Date::parse).transpose().ok()?;
    facts.unemployment_registered_on = Some(on);
    Some(facts)
}

/// The result of 第四条 for a registration, in the page's language: each category the policy in
/// force finds, with its reason and article, and whether it was recognised on the spot or needs
/// an application; or, when none, the conditions unmet.
fn result_page(
    state: &AppState,
    ctx: &Ctx,
    (person_id, duplicates): (String, usize),
    name: String,
    facts: Option<Facts>,
) -> Response {
    let mut lines = Vec::new();
    let mut recognised = false;
    let on = facts.and_then(|f| f.unemployment_registered_on);
    let policy = on.and_then(|on| state.policies.in_force_on(on));
    if let (Some(policy), Some(facts), Some(on)) = (policy, facts, on) {
        let outcome = policy.assess(&facts, on);
        for reason in policy.explain(&facts, on, outcome, ctx.lang) {
            let category = policy.categories.iter().find(|c| c.code == reason.code);
            let kind = match category.map(|c| c.recognition) {
                Some(yuanzhu_rules::policy::Recognition::Automatic) => {
                    recognised = true;
                    "recognised"
                }
                Some(_) => "application",
                None => "unmet",
            };
            let name = match category {
                Some(_) => ctx.category(reason.code),
                None => ctx.label("register.unmet", reason.code),
            };
            lines.push(ResultLine { name, because: reason.because, citation: reason.citation, kind });
        }
    }
    let policy = policy.map(|p| if ctx.lang == Lang::Zh { p.title.clone() } else { p.title_en.clone() });
    render(&ResultPage { ctx, person_id, name, policy, lines, recognised, duplicates }, StatusCode::OK)
}
