//! Every string of the pages, in Chinese (first) and English. Templates ask for a key with
//! `ctx.t("key")`; a test reads the templates and fails if a key they use is missing here, and
//! another fails if a key lacks either language.

use yuanzhu_rules::Lang;

/// (key, zh-CN, en) shared by every page; each area of the UI has its own table beside its
/// module (`STRINGS` in `home.rs`, `register.rs`, …), joined in [`tables`].
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("app.name", "援助 · 就业困难人员援助系统", "Yuanzhu · Employment Assistance"),
    ("app.short", "援助", "Yuanzhu"),
    ("nav.home", "工作台", "Home"),
    ("nav.search", "查询人员", "Find a person"),
    ("nav.register", "登记", "Register"),
    ("nav.import", "批量导入", "Import"),
    ("nav.export", "导出", "Export"),
    ("nav.admin", "系统管理", "Administration"),
    ("nav.revocations", "注销审核", "Revocations"),
    ("nav.signed_in_as", "当前用户", "Signed in as"),
    ("nav.sign_out", "退出登录", "Sign out"),
    ("nav.language", "English", "中文"),
    ("nav.skip", "跳到正文", "Skip to content"),
    ("common.submit", "提交", "Submit"),
    ("common.cancel", "取消", "Cancel"),
    ("common.confirm", "确认", "Confirm"),
    ("common.back", "返回", "Back"),
    ("common.none", "无", "None"),
    ("common.yes", "是", "Yes"),
    ("common.no", "否", "No"),
    ("common.print", "打印", "Print"),
    ("common.error", "出错了", "Something went wrong"),
    ("common.not_found", "未找到该页面或人员，或不在您的管辖范围内。", "Not found, or outside your jurisdiction."),
    ("common.page_not_found", "页面不存在", "Page not found"),
    (
        "common.no_such_page",
        "没有这个页面：地址可能输错了，或页面已移动。请从工作台继续。",
        "There is no such page: the address may be mistyped, or the page has moved. Carry on from your home page.",
    ),
    ("common.home_link", "回到工作台", "Back to your home page"),
    ("common.forbidden", "您的角色无权执行此操作。", "Your role does not allow this."),
    ("common.results", "条结果", "results"),
    ("common.days", "天", "days"),
    ("login.title", "登录", "Sign in"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    ("login.bad_credentials", "用户名或密码错误。", "Wrong username or password."),
    (
        "login.throttle_note",
        "为保护个人信息，同一用户名15分钟内连续5次登录失败后，将暂停登录15分钟。",
        "To protect personal data, 5 failed sign-ins for a username within 15 minutes pause it for 15 minutes.",
    ),
    ("login.expired", "登录已过期或已退出，请重新登录。", "Your session has ended. Sign in again."),
    (
        "login.csrf",
        "表单已过期（安全令牌不符），请重新提交。",
        "The form has expired (its security token did not match). Please submit it again.",
    ),
    ("role.city_admin", "市级管理员", "City administrator"),
    ("role.district_supervisor", "区级督导", "District supervisor"),
    ("role.street_officer", "街道审核员", "Street officer"),
    ("role.community_worker", "社区经办员", "Community caseworker"),
    ("role.hotline_operator", "热线坐席", "Hotline operator"),
    ("role.social_worker", "社工", "Social worker"),
    ("role.auditor", "审计员", "Auditor"),
    ("search.title", "查询人员", "Find a person"),
    ("search.label", "身份证号、姓名或手机号", "ID number, name or phone"),
    (
        "search.more",
        "还有更多结果，请输入更完整的姓名、身份证号或手机号。",
        "There are more results: type more of the name, ID number or phone number.",
    ),
    (
        "search.ways",
        "可输入姓名或其中两个以上的字（如名字），手机号或身份证号的后四位以上。",
        "Type a name or two or more of its characters (a given name), or the last four or more digits of a phone or ID number.",
    ),
    (
        "search.hint",
        "证件号和手机号在列表中部分隐藏；打开档案查看详情（将记录查阅）。",
        "ID and phone numbers are partly hidden in lists; open a file for details (the opening is recorded).",
    ),
    ("search.button", "查询", "Search"),
    ("search.empty", "在您的管辖范围内没有找到匹配的人员。", "No one in your jurisdiction matches."),
    ("field.id_number", "身份证号", "ID number"),
    ("field.name", "姓名", "Name"),
    ("field.sex", "性别", "Sex"),
    ("field.birth_date", "出生日期", "Date of birth"),
    ("field.phone", "手机号", "Phone"),
    ("field.address", "住址", "Address"),
    ("field.residence_unit", "居住地单位", "Unit of residence"),
    ("field.household", "家庭", "Household"),
    ("field.relation", "与户主关系", "Relation"),
    ("field.categories", "认定类别", "Categories"),
    ("field.unemployed_since", "失业起始日", "Unemployed since"),
    ("field.registrations", "失业登记", "Unemployment registrations"),
    ("field.retirement_track", "女性退休类别", "Female retirement track"),
    ("field.facts", "情况", "Circumstances"),
    ("fact.hukou_local", "本市户籍", "Local hukou"),
    ("fact.rural_to_urban", "农转居", "Rural-to-urban conversion"),
    ("fact.registered_unemployed", "已办理失业登记", "Registered unemployed"),
    ("fact.able_to_work", "有劳动能力", "Able to work"),
    ("fact.willing_to_be_assisted", "有就业援助意愿", "Willing to be assisted"),
    ("fact.disabled", "持残疾证", "Disability certificate"),
    ("fact.zero_employment_family", "零就业家庭", "Zero-employment household"),
    ("fact.minimum_living_allowance", "享受最低生活保障", "Minimum living allowance"),
    ("fact.low_income_family", "低收入困难家庭", "Low-income household"),
    ("fact.single_parent_raising_children", "单亲抚养未成年子女", "Single parent raising children"),
    ("fact.college_graduate", "高校毕业生", "College graduate"),
    ("fact.hukou_in_province", "本省户籍", "Hukou in the province"),
    ("fact.without_work", "未就业", "Without work"),
    ("fact.rural_hukou", "农村户籍", "Rural hukou"),
    ("fact.formerly_registered_poor_household", "原建档立卡贫困户", "Formerly registered poor household"),
    ("fact.landless_farmer", "失地农民", "Landless farmer"),
    ("fact.drug_rehabilitated", "戒毒康复人员", "Drug rehabilitation completed"),
    ("fact.released_prisoner", "刑满释放人员", "Released prisoner"),
    ("fact.mental_health_recovered", "精神障碍康复者", "Recovered from mental illness"),
    ("fact.veteran", "退役军人", "Veteran"),
    ("fact.caregiver_of_seriously_ill_relative", "需照料重病家属", "Caregiver of a seriously ill relative"),
    ("route.automatic", "自动认定", "Automatic"),
    ("route.application", "申请认定", "By application"),
    ("sex.female", "女", "Female"),
    ("sex.male", "男", "Male"),
    ("file.title", "个人档案（一人一档）", "Personal file"),
    ("file.facts", "基本情况", "Facts"),
    ("file.recognitions", "认定记录", "Recognitions"),
    ("file.policy", "政策版本", "Policy version"),
    ("file.citation", "依据", "Article"),
    ("file.route", "认定方式", "Route"),
    ("file.recognized_on", "认定日期", "Recognised on"),
    ("file.decided_by", "认定人", "Decided by"),
    ("file.ended", "已终止", "Ended"),
    ("file.household", "家庭成员", "Household members"),
    (
        "file.zero_employment",
        "零就业家庭（由成员就业情况自动得出）",
        "Zero-employment household (derived from the members)",
    ),
    ("file.working_age", "劳动年龄", "Working age"),
    ("file.employed", "已就业", "Employed"),
    ("file.timeline", "档案记录（台账）", "Timeline (ledger)"),
    ("file.contacts", "联系记录", "Contact attempts"),
    ("file.applications", "困难人员认定申请", "Hardship applications"),
    ("file.proposals", "注销提议", "Revocation proposals"),
    ("file.actions", "可办理事项", "What you can do"),
    ("file.done.contact", "联系记录已保存。", "The contact attempt is recorded."),
    ("file.done.refusal", "拒绝服务记录已保存。", "The refusal is recorded."),
    (
        "file.masked_note",
        "您的角色只能查看部分隐藏的证件号和手机号。",
        "Your role sees ID and phone numbers partly hidden.",
    ),
    ("file.event.at", "时间", "When"),
    ("file.event.actor", "经办人", "Who"),
    ("file.event.action", "事项", "What"),
    ("file.event.policy", "政策", "Policy"),
    ("home.title", "工作台", "Home"),
    ("home.welcome", "您好", "Welcome"),
];

/// Every table of strings.
pub fn tables() -> [&'static [(&'static str, &'static str, &'static str)]; 14] {
    [
        STRINGS,
        super::home::STRINGS,
        super::register::STRINGS,
        super::applications::STRINGS,
        super::revocations::STRINGS,
        super::transfer::STRINGS,
        super::admin::STRINGS,
        super::employment::STRINGS,
        super::queue::STRINGS,
        super::timeline::STRINGS,
        super::residence_transfers::STRINGS,
        super::duplicates::STRINGS,
        super::households::STRINGS,
        super::assistance::STRINGS,
    ]
}

fn find(key: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    tables().into_iter().flat_map(|t| t.iter()).find(|(k, _, _)| *k == key)
}

/// Whether the tables have `key`.
pub fn has(key: &str) -> bool {
    find(key).is_some()
}

/// The text of `key` in `lang`. A key missing from the tables shows as itself, so a page never
/// fails to render; the tests make sure none is missing.
pub fn t(lang: Lang, key: &str) -> &'static str {
    match find(key) {
        Some((_, zh, en)) => match lang {
            Lang::Zh => zh,
            Lang::En => en,
        },
        None => {
            tracing::warn!(key, "missing UI string");
            // Leak once per missing key at most: only reachable when a test already fails.
            Box::leak(key.to_owned().into_boxed_str())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_exists_in_both_languages_and_keys_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (key, zh, en) in tables().into_iter().flat_map(|t| t.iter()) {
            assert!(seen.insert(*key), "`{key}` appears twice");
            assert!(!zh.trim().is_empty() && !en.trim().is_empty(), "`{key}` lacks a language");
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) || key.starts_with("nav.language"),
                "`{key}`: the Chinese text has no Chinese"
            );
            assert!(
                !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) || key.starts_with("nav.language"),
                "`{key}`: the English text has Chinese"
            );
        }
    }

    /// 第六条 says 注销 for the end of recognised status; the pages say it the same way everywhere,
    /// never 撤销, 取消认定 or 退出 (which is left to signing out).
    #[test]
    fn revocation_is_called_zhuxiao_everywhere() {
        let mut odd = Vec::new();
        for (key, zh, _) in tables().into_iter().flat_map(|t| t.iter()) {
            let without_sign_out = zh.replace("退出登录", "").replace("已退出，", "");
            if ["撤销", "取消认定", "撤回认定", "退出"].iter().any(|w| without_sign_out.contains(w)) {
                odd.push(format!("{key}: {zh}"));
            }
        }
        assert!(odd.is_empty(), "say 注销 (第六条): {odd:#?}");
    }

    /// Every `.t("…")` a template or a page module asks for is in the table.
    #[test]
    fn every_key_the_pages_use_is_in_the_table() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        // The pages' modules and their submodules (`ui/applications/…`).
        let mut dirs: Vec<std::path::PathBuf> = ["templates", "src/ui"].map(|d| format!("{root}/{d}").into()).into();
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if !path.ends_with("i18n.rs") {
                    files.push(path);
                }
            }
        }
        let mut missing = Vec::new();
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            for piece in text.split(".t(\"").skip(1) {
                let key = piece.split('"').next().unwrap();
                if !key.is_empty() && !key.contains('{') && !has(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(missing.is_empty(), "UI strings missing from i18n.rs: {missing:#?}");
    }
}
