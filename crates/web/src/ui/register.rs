//! Registration from the counter (第四条): one person's import columns as a form, checked by the
//! same code as `POST /api/v1/persons`, and the recognition result with each category's reason
//! and article. The ID number is checked as it is typed by a small script; the server checks it
//! again, and every problem is said next to its field. A registration that succeeds redirects to
//! its result (Post/Redirect/Get), so that reloading the result never registers again.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde_json::{Map, Value};
use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::{Action, Role, role_allows};
use yuanzhu_rules::contract::{Field, Kind};
use yuanzhu_rules::{Date, Facts, FemaleRetirementTrack, Lang, Sex};
use yuanzhu_storage::persons::{self, PersonRecord};
use yuanzhu_storage::search;

use super::{Ctx, Page, error_page, form_token_ok, render};
use crate::api::persons::register_one;
use crate::auth::AuthUser;
use crate::error::ApiError;
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
    ("register.facts_hint", "未填写的项目按“否”处理。", "A question left blank counts as no."),
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
    ("register.fix", "请修正标出的项目后重新提交。", "Please correct the marked field and submit again."),
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

/// The person's columns of the form, in order, and whether each is required.
const PERSON_FIELDS: [(&str, bool); 9] = [
    ("id_number", true),
    ("name", true),
    ("phone", false),
    ("address", false),
    ("residence_unit", true),
    ("hukou_unit", false),
    ("registered_on", true),
    ("household_ref", false),
    ("relation", false),
];

/// The contract's facts the form asks: birth date and sex come from the ID number, the
/// registration date is the form's own, `ref` and `as_of` have no place in one registration.
fn asked(field: Field) -> bool {
    !matches!(
        field,
        Field::Ref | Field::AsOf | Field::IdNumber | Field::BirthDate | Field::Sex | Field::UnemploymentRegisteredOn
    )
}

/// One field of the form as the template draws it.
struct Input {
    name: &'static str,
    label: String,
    /// `text`, `date`, `yesno`, `track` or `unit`.
    kind: &'static str,
    required: bool,
    value: String,
    error: Option<String>,
}

impl Input {
    fn selected(&self, v: &str) -> bool {
        self.value == v
    }
}

/// A unit the user may register into.
struct UnitOption {
    code: String,
    name: String,
}

#[derive(Template)]
#[template(path = "register.html")]
struct RegisterPage<'a> {
    ctx: &'a Ctx,
    person: Vec<Input>,
    facts: Vec<Input>,
    units: Vec<UnitOption>,
    /// A problem that names no field.
    notice: Option<String>,
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

fn inputs(ctx: &Ctx, values: &[(String, String)], units: &[UnitOption]) -> (Vec<Input>, Vec<Input>) {
    let value = |name: &str| values.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let person = PERSON_FIELDS
        .iter()
        .map(|&(name, required)| Input {
            name,
            label: ctx.label("register.field", name),
            kind: match name {
                "registered_on" => "date",
                "residence_unit" if !units.is_empty() => "unit",
                _ => "text",
            },
            required,
            value: value(name),
            error: None,
        })
        .collect();
    let facts = Field::ALL
        .into_iter()
        .filter(|f| asked(*f))
        .map(|f| Input {
            name: f.name(),
            label: ctx.label("register.fact", f.name()),
            kind: match f.kind() {
                Kind::Bool => "yesno",
                Kind::Date => "date",
                Kind::Track => "track",
                _ => "text",
            },
            required: false,
            value: value(f.name()),
            error: None,
        })
        .collect();
    (person, facts)
}

async fn form(State(state): State<AppState>, Page(ctx, user): Page) -> Response {
    if !role_allows(user.user.role, Action::Register) {
        return error_page(&ctx, &ApiError::forbidden());
    }
    let units = match units_for(&state, &user).await {
        Ok(u) => u,
        Err(e) => return error_page(&ctx, &e),
    };
    let today = state.clock().today().to_string();
    let (person, facts) = inputs(&ctx, &[("registered_on".to_owned(), today)], &units);
    render(&RegisterPage { ctx: &ctx, person, facts, units, notice: None }, StatusCode::OK)
}

async fn submit(
    State(state): State<AppState>,
    Page(ctx, user): Page,
    Form(values): Form<Vec<(String, String)>>,
) -> Response {
    let token = values.iter().find(|(k, _)| k == "csrf_token").map_or("", |(_, v)| v.as_str());
    if !form_token_ok(&ctx, token) {
        return error_page(&ctx, &crate::auth::csrf_error());
    }
    let units = match units_for(&state, &user).await {
        Ok(u) => u,
        Err(e) => return error_page(&ctx, &e),
    };
    let (mut person, mut facts) = inputs(&ctx, &values, &units);
    // The required columns always go, so that a blank one is named as missing; others only when
    // filled in, as a spreadsheet's empty cell.
    let mut body = Map::new();
    for input in person.iter().chain(facts.iter()) {
        let v = input.value.trim();
        if input.required || !v.is_empty() {
            body.insert(input.name.to_owned(), Value::String(v.to_owned()));
        }
    }
    let registered = match hukou_unit_known(&state, &person).await {
        Ok(()) => register_one(&state, &user, body).await,
        Err(e) => Err(e),
    };
    let registration = match registered {
        Ok(r) => r,
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY || e.status == StatusCode::FORBIDDEN => {
            let message = if ctx.lang == Lang::Zh { e.zh.clone() } else { e.en.clone() };
            let status = e.status;
            let field = e.field.as_deref().unwrap_or("");
            // A unit outside the jurisdiction is a problem of the unit field.
            let field = if status == StatusCode::FORBIDDEN && user.user.role != Role::SocialWorker {
                "residence_unit"
            } else {
                field
            };
            let mut notice = Some(message.clone());
            if let Some(input) = person.iter_mut().chain(facts.iter_mut()).find(|i| i.name == field) {
                input.error = Some(message);
                notice = Some(ctx.t("register.fix").to_owned());
            }
            return render(&RegisterPage { ctx: &ctx, person, facts, units, notice }, status);
        }
        Err(e) => return error_page(&ctx, &e),
    };
    let id_number = registration.id_number.to_string();
    match yuanzhu_storage::stats::person_ids(&state.store, std::slice::from_ref(&id_number)).await {
        Ok(mut ids) => match ids.remove(&id_number) {
            Some(person_id) => Redirect::to(&format!("/register/result/{person_id}")).into_response(),
            None => error_page(&ctx, &ApiError::not_found()),
        },
        Err(e) => error_page(&ctx, &e.into()),
    }
}

/// The hukou unit, when given, is a unit of the tree. Checked before anything is recorded: the
/// API checks that the unit exists only after the person is registered.
async fn hukou_unit_known(state: &AppState, person: &[Input]) -> Result<(), ApiError> {
    let Some(text) = person.iter().find(|i| i.name == "hukou_unit").map(|i| i.value.trim()).filter(|v| !v.is_empty())
    else {
        return Ok(());
    };
    let (code, why) = match UnitCode::parse(text) {
        Err(_) => ("invalid_unit", "register.hukou.invalid"),
        Ok(_) if !persons::unit_codes(&state.store).await?.contains(text) => ("unknown_unit", "register.hukou.unknown"),
        Ok(_) => return Ok(()),
    };
    let (t, field) = (super::i18n::t, "register.field.hukou_unit");
    Err(ApiError::unprocessable(
        code,
        Some("hukou_unit"),
        format!("{}：“{text}”{}", t(Lang::Zh, field), t(Lang::Zh, why)),
        format!("{}: `{text}` {}", t(Lang::En, field), t(Lang::En, why)),
    ))
}

/// The result of a registration, from the person as registered (the GET after the form's POST).
async fn result(State(state): State<AppState>, Page(ctx, user): Page, Path(person_id): Path<String>) -> Response {
    match registered(&state, &user, &person_id).await {
        Ok((name, facts)) => result_page(&state, &ctx, person_id, name, facts),
        Err(e) => error_page(&ctx, &e),
    }
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
fn result_page(state: &AppState, ctx: &Ctx, person_id: String, name: String, facts: Option<Facts>) -> Response {
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
    render(&ResultPage { ctx, person_id, name, policy, lines, recognised }, StatusCode::OK)
}
