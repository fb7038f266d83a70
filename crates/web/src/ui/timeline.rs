//! The timeline of a person's file as sentences: "2026年12月7日 14:03 王芳 登记了失业（东山街道）",
//! "认定为 就业困难人员·大龄失业人员（第三条第（一）项，自动认定）", in either language. Each audit
//! event says what happened in the words of the glossary, with names for every code (categories,
//! units, channels, reasons, policies) and citations the language's way. The audit chain keeps the
//! exact before and after; the page shows none of its JSON.
//!
//! The ledgers export (第十九条 一人一档、一帮扶一台帐) summarises each event with the same
//! sentence ([`summariser`]), from the web and from `yuanzhu export ledgers`: storage holds the
//! rows, this module the words.

use serde_json::Value;
use yuanzhu_rules::Lang;
use yuanzhu_storage::audit::Event;

use super::Ctx;

/// This area's strings: (key, zh-CN, en). A sentence's words are joined by the language's own
/// spacing: none in Chinese, a space in English.
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("tl.created", "建立了档案", "opened the file"),
    ("tl.updated", "修改了", "changed"),
    ("tl.viewed", "查阅了档案", "viewed the file"),
    ("tl.hukou_unit_set", "将户籍地单位设为", "set the unit of hukou to"),
    ("tl.registered", "登记了失业", "registered the person as unemployed"),
    ("tl.recognised", "认定为", "recognised the person as"),
    ("tl.pwed", "就业困难人员", "a person with employment difficulties"),
    ("tl.ended", "注销了认定：", "revoked the recognition as"),
    ("tl.reassessed", "重新评估", "reassessed"),
    ("tl.reassessed_eligible", "符合", "meets"),
    ("tl.reassessed_none", "不再符合认定条件", "no longer meets the conditions"),
    ("tl.app.opened", "受理了认定申请：", "opened an application for"),
    ("tl.app.document_provided", "收到申请材料：", "received a document for the application for"),
    ("tl.app.commitment_accepted", "接受以承诺代替证明：", "accepted a commitment in lieu of proof for"),
    ("tl.app.submitted", "提交了认定申请：", "submitted the application for"),
    ("tl.app.marked_deficient", "一次性告知补正材料：", "served the one-time deficiency notice for"),
    ("tl.app.approved", "批准认定申请：", "approved the application for"),
    ("tl.app.rejected", "不予认定：", "refused the application for"),
    ("tl.app.withdrawn", "撤回了认定申请：", "withdrew the application for"),
    ("tl.proposed", "提议注销", "proposed revocation"),
    ("tl.confirmed", "确认注销", "confirmed the revocation"),
    ("tl.dismissed", "不予注销", "dismissed the revocation proposal"),
    ("tl.contact", "联系了本人", "tried to reach the person"),
    ("tl.contact.by", "方式：", "by"),
    ("tl.contact.reached", "已联系上", "reached"),
    ("tl.contact.not_reached", "未联系上", "not reached"),
    ("tl.refusal", "登记了拒绝就业服务：", "recorded a refusal of"),
    ("tl.service", "提供了服务：", "gave a service:"),
    ("tl.plan_made", "制定了援助计划", "made an assistance plan"),
    ("tl.follow_up", "进行了跟踪回访", "followed up the job"),
    ("tl.follow_up_in_job", "仍在岗", "still in the job"),
    ("tl.follow_up_out_of_job", "已离岗", "no longer in the job"),
    ("tl.plan_review", "复核日期", "review on"),
    ("tl.plan_action", "更新了援助计划措施：", "updated a plan action:"),
    ("tl.plan_action_done", "已完成", "done"),
    ("tl.plan_action_dropped", "已取消", "dropped"),
    ("tl.plan_action_rescheduled", "改期至", "moved to"),
    ("tl.employment", "登记了就业", "recorded employment"),
    ("tl.employment_ended", "登记了就业结束", "recorded the end of employment"),
    ("tl.since", "起", "from"),
    ("tl.duplicate_flagged", "标记为疑似重复登记", "flagged a possible duplicate"),
    ("tl.duplicate_decided", "核定了疑似重复登记", "decided a possible duplicate"),
    ("tl.assigned", "分配了社工", "assigned a social worker"),
    ("tl.unassigned", "取消了社工分配", "ended a social worker's assignment"),
    ("tl.other", "办理了：", "recorded:"),
    ("tl.other_unknown", "记录了一项变更", "recorded a change"),
    ("tl.field.parent_certificates", "子女证明", "children's certificates"),
    ("tl.field.other", "其他信息", "other details"),
    ("tl.field.hukou_unit", "户籍地单位", "unit of hukou"),
    ("tl.actor.reassessment", "系统（重新评估）", "the system (reassessment)"),
    ("tl.actor.importer", "批量导入", "a bulk import"),
];

/// One line of the timeline: when (local time), who, and what, as a sentence.
#[derive(Debug)]
pub struct Line {
    pub at: String,
    pub actor: String,
    pub text: String,
}

/// The event as a line; free text (notes, reasons, employers) masked where the role sees masked
/// identities.
pub fn line(ctx: &Ctx, e: &Event, mask: &dyn Fn(&str) -> String) -> Line {
    Line { at: ctx.when(&e.at), actor: actor_name(ctx, &e.actor), text: sentence(ctx, e, mask) }
}

/// Who did it: an account by its name, the system's own actors in words.
pub fn actor_name(ctx: &Ctx, actor: &str) -> String {
    match actor {
        "reassessment" => ctx.t("tl.actor.reassessment").to_owned(),
        "importer" => ctx.t("tl.actor.importer").to_owned(),
        a => a.to_owned(),
    }
}

fn parse(text: Option<&str>) -> Value {
    text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Value::Null)
}

fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Words joined as the language joins them.
fn join(ctx: &Ctx, words: &[&str]) -> String {
    let words: Vec<&str> = words.iter().copied().filter(|w| !w.is_empty()).collect();
    words.join(if ctx.lang == Lang::Zh { "" } else { " " })
}

/// `（a，b）` or ` (a, b)`.
fn aside(ctx: &Ctx, parts: &[String]) -> String {
    let parts: Vec<&str> = parts.iter().map(String::as_str).filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return String::new();
    }
    match ctx.lang {
        Lang::Zh => format!("（{}）", parts.join("，")),
        Lang::En => format!("({})", parts.join(", ")),
    }
}

/// The ledger export's summary of each event: its timeline sentence in `ctx`'s language, free
/// text masked where `masked` (roles that do not see identities).
pub fn summariser(ctx: Ctx, masked: bool) -> yuanzhu_storage::export::ledger::Summarise {
    Box::new(move |e| sentence(&ctx, e, &|text| super::pages::mask(text, masked)))
}

/// What the event did, as a sentence without its subject (the actor is shown beside it).
pub fn sentence(ctx: &Ctx, e: &Event, mask: &dyn Fn(&str) -> String) -> String {
    let (before, after) = (parse(e.before.as_deref()), parse(e.after.as_deref()));
    let category = |v: &Value| ctx.category(text(v, "category"));
    let date = |v: &Value, key: &str| {
        let d = text(v, key);
        if d.is_empty() { String::new() } else { ctx.date(d) }
    };
    match e.action.as_str() {
        "person.created" => ctx.t("tl.created").to_owned(),
        "person.viewed" => ctx.t("tl.viewed").to_owned(),
        "person.updated" => {
            let changed = changed_fields(ctx, &before, &after);
            let list = changed.join(if ctx.lang == Lang::Zh { "、" } else { ", " });
            join(ctx, &[ctx.t("tl.updated"), &list])
        }
        "person.hukou_unit_set" => {
            let unit = text(&after, "hukou_unit");
            join(ctx, &[ctx.t("tl.hukou_unit_set"), &ctx.office(unit)])
        }
        "registration.recorded" => {
            let place = aside(ctx, &[ctx.unit_name(text(&after, "unit")), date(&after, "registered_on")]);
            join(ctx, &[ctx.t("tl.registered"), &place])
        }
        "recognition.granted" => {
            let what = format!("{}·{}", ctx.t("tl.pwed"), category(&after));
            let how = aside(
                ctx,
                &[
                    ctx.citation(text(&after, "citation")),
                    ctx.label("route", text(&after, "route")),
                    e.policy.as_deref().map(|p| ctx.policy_name(p)).unwrap_or_default(),
                ],
            );
            join(ctx, &[ctx.t("tl.recognised"), &what, &how])
        }
        "recognition.ended" => {
            let policy = e.policy.as_deref().unwrap_or("");
            let why = aside(
                ctx,
                &[
                    ctx.revocation_reason(policy, text(&after, "end_reason")),
                    ctx.citation(text(&after, "authority")),
                    date(&after, "ended_on"),
                ],
            );
            join(ctx, &[ctx.t("tl.ended"), &category(&after), &why])
        }
        "assessment.changed" => {
            let cats: Vec<String> = after
                .get("categories")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(|c| ctx.category(c)).collect())
                .unwrap_or_default();
            let result = if cats.is_empty() {
                ctx.t("tl.reassessed_none").to_owned()
            } else {
                join(
                    ctx,
                    &[ctx.t("tl.reassessed_eligible"), &cats.join(if ctx.lang == Lang::Zh { "、" } else { ", " })],
                )
            };
            let sep = if ctx.lang == Lang::Zh { "：" } else { ": " };
            format!("{}{}{sep}{result}", ctx.t("tl.reassessed"), aside(ctx, &[date(&after, "as_of")]))
        }
        a if a.starts_with("application.") => {
            let key = format!("tl.app.{}", &a["application.".len()..]);
            if !super::i18n::has(&key) {
                return other(ctx, a);
            }
            let reason = after.pointer("/change/action/reason").and_then(Value::as_str).map(mask).unwrap_or_default();
            let when = after.pointer("/change/on").and_then(Value::as_str).map(|d| ctx.date(d)).unwrap_or_default();
            join(ctx, &[ctx.t(&key), &category(&after), &aside(ctx, &[reason, when])])
        }
        "revocation.proposed" => {
            let policy = e.policy.as_deref().unwrap_or("");
            let reason = after.get("reason").map(|r| r.as_str().unwrap_or_else(|| text(r, "code"))).unwrap_or("");
            let why = aside(ctx, &[ctx.revocation_reason(policy, reason), ctx.policy_name(policy)]);
            join(ctx, &[ctx.t("tl.proposed"), &why])
        }
        "revocation.confirmed" => {
            let ended: Vec<String> = after
                .get("ended")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(|c| ctx.category(c)).collect())
                .unwrap_or_default();
            let note = mask(text(&after, "decision_note"));
            join(ctx, &[ctx.t("tl.confirmed"), &aside(ctx, &[ended.join("、"), note])])
        }
        "revocation.dismissed" => {
            join(ctx, &[ctx.t("tl.dismissed"), &aside(ctx, &[mask(text(&after, "decision_note"))])])
        }
        "contact.logged" => {
            let channel = ctx.label("contact.channel", text(&after, "channel"));
            let reached = if after.get("reached").and_then(Value::as_bool) == Some(true) {
                ctx.t("tl.contact.reached")
            } else {
                ctx.t("tl.contact.not_reached")
            };
            let by = join(ctx, &[ctx.t("tl.contact.by"), &channel]);
            join(ctx, &[ctx.t("tl.contact"), &aside(ctx, &[by, reached.to_owned(), mask(text(&after, "note"))])])
        }
        "refusal.logged" => {
            let service = ctx.label("contact.service", text(&after, "service"));
            join(ctx, &[ctx.t("tl.refusal"), &service, &aside(ctx, &[mask(text(&after, "note"))])])
        }
        "service.recorded" => {
            use yuanzhu_domain::assistance::{LedgerKind, ServiceKind, ServiceOutcome, ledger::outcome_name};
            let kind = ServiceKind::parse(text(&after, "kind"))
                .map_or_else(|| text(&after, "kind").to_owned(), |k| LedgerKind::Service(k).name(ctx.lang).to_owned());
            let outcome = ServiceOutcome::parse(text(&after, "outcome"))
                .map(|o| outcome_name(o, ctx.lang).to_owned())
                .unwrap_or_default();
            let to = mask(text(&after, "employer"));
            join(ctx, &[ctx.t("tl.service"), &kind, &aside(ctx, &[to, outcome, mask(text(&after, "note"))])])
        }
        "plan.made" => {
            let actions = after.get("actions").and_then(Value::as_array).map_or(0, Vec::len);
            let count = match ctx.lang {
                Lang::Zh => format!("{actions}项措施"),
                Lang::En => format!("{actions} action(s)"),
            };
            join(
                ctx,
                &[
                    ctx.t("tl.plan_made"),
                    &aside(ctx, &[count, join(ctx, &[ctx.t("tl.plan_review"), &date(&after, "review_on")])]),
                ],
            )
        }
        "plan.action_changed" => {
            use yuanzhu_domain::assistance::{LedgerKind, ServiceKind};
            let kind = ServiceKind::parse(text(&after, "kind"))
                .map_or_else(String::new, |k| LedgerKind::Service(k).name(ctx.lang).to_owned());
            let what = match (text(&before, "due") != text(&after, "due"), text(&after, "state")) {
                (_, "done") => ctx.t("tl.plan_action_done").to_owned(),
                (_, "dropped") => ctx.t("tl.plan_action_dropped").to_owned(),
                (true, _) => join(ctx, &[ctx.t("tl.plan_action_rescheduled"), &date(&after, "due")]),
                _ => String::new(),
            };
            join(ctx, &[ctx.t("tl.plan_action"), &kind, &aside(ctx, &[what, mask(text(&after, "reason"))])])
        }
        "follow_up.recorded" => {
            let months = after.get("months").and_then(Value::as_u64).unwrap_or(0);
            let when = match ctx.lang {
                Lang::Zh => format!("第{months}个月"),
                Lang::En => format!("month {months}"),
            };
            let job = if after.get("in_job").and_then(Value::as_bool) == Some(true) {
                ctx.t("tl.follow_up_in_job")
            } else {
                ctx.t("tl.follow_up_out_of_job")
            };
            join(ctx, &[ctx.t("tl.follow_up"), &aside(ctx, &[when, job.to_owned(), mask(text(&after, "need"))])])
        }
        "employment.recorded" => {
            let started = date(&after, "started_on");
            let since = match ctx.lang {
                Lang::Zh => join(ctx, &[&started, ctx.t("tl.since")]),
                Lang::En => join(ctx, &[ctx.t("tl.since"), &started]),
            };
            join(ctx, &[ctx.t("tl.employment"), &aside(ctx, &[mask(text(&after, "employer")), since])])
        }
        "employment.ended" => join(
            ctx,
            &[ctx.t("tl.employment_ended"), &aside(ctx, &[mask(text(&after, "employer")), date(&after, "ended_on")])],
        ),
        "duplicate.flagged" => ctx.t("tl.duplicate_flagged").to_owned(),
        "duplicate.decided" => ctx.t("tl.duplicate_decided").to_owned(),
        "person.assigned" => ctx.t("tl.assigned").to_owned(),
        "person.unassigned" => ctx.t("tl.unassigned").to_owned(),
        a => other(ctx, a),
    }
}

/// An event this page has no sentence for: its name from [`ACTIONS`], never its code.
fn other(ctx: &Ctx, action: &str) -> String {
    match ACTIONS.iter().find(|(a, ..)| *a == action) {
        Some((_, zh, en)) => join(ctx, &[ctx.t("tl.other"), if ctx.lang == Lang::Zh { zh } else { en }]),
        None => ctx.t("tl.other_unknown").to_owned(),
    }
}

/// What the audit trail's actions are called, for an event without a sentence of its own:
/// (action, zh-CN, en).
const ACTIONS: &[(&str, &str, &str)] = &[
    ("person.created", "建档", "File opened"),
    ("person.updated", "信息变更", "Record changed"),
    ("person.viewed", "查阅档案", "File viewed"),
    ("person.hukou_unit_set", "设定户籍地单位", "Unit of hukou set"),
    ("registration.recorded", "失业登记", "Unemployment registration"),
    ("recognition.granted", "认定", "Recognised"),
    ("recognition.ended", "认定终止", "Recognition ended"),
    ("assessment.changed", "重新评估结果变化", "Reassessment changed the result"),
    ("application.opened", "受理申请", "Application opened"),
    ("application.document_provided", "提交材料", "Document provided"),
    ("application.commitment_accepted", "以承诺代替证明", "Commitment accepted in lieu of proof"),
    ("application.submitted", "提交申请", "Application submitted"),
    ("application.marked_deficient", "一次性告知补正", "Marked deficient"),
    ("application.approved", "批准认定", "Application approved"),
    ("application.rejected", "不予认定", "Application rejected"),
    ("application.withdrawn", "撤回申请", "Application withdrawn"),
    ("revocation.proposed", "提议注销", "Revocation proposed"),
    ("revocation.confirmed", "确认注销", "Revocation confirmed"),
    ("revocation.dismissed", "不予注销", "Revocation dismissed"),
    ("contact.logged", "联系记录", "Contact attempt"),
    ("refusal.logged", "拒绝服务记录", "Refusal of a service"),
    ("service.recorded", "援助服务记录", "Service given"),
    ("plan.made", "制定援助计划", "Assistance plan made"),
    ("follow_up.recorded", "跟踪回访", "Follow-up after placement"),
    ("plan.action_changed", "援助计划措施变更", "Plan action changed"),
    ("employment.recorded", "就业登记", "Employment recorded"),
    ("duplicate.flagged", "疑似重复", "Possible duplicate flagged"),
    ("duplicate.decided", "重复核定", "Possible duplicate decided"),
    ("transfer.proposed", "提出居住地转移", "Transfer of residence proposed"),
    ("transfer.accepted", "接收居住地转移", "Transfer of residence accepted"),
    ("transfer.refused", "拒绝居住地转移", "Transfer of residence refused"),
    ("transfer.withdrawn", "撤回居住地转移", "Transfer of residence withdrawn"),
    ("transfer.done", "直接办理居住地转移", "Transfer of residence made at once"),
    ("person.moved", "居住单位变更", "Unit of residence changed"),
    ("person.assigned", "分配社工", "Social worker assigned"),
    ("person.unassigned", "取消社工分配", "Social worker's assignment ended"),
    ("registration.ended", "失业登记终止", "Unemployment registration ended"),
    ("employment.ended", "就业结束", "Employment ended"),
    ("household.status_changed", "家庭就业状况变化", "Household's employment status changed"),
    ("household.change_seen", "已阅家庭状况变化", "Household change seen"),
    ("household.join_requested", "申请加入家庭", "Asked to join a household"),
    ("household.join_accepted", "同意加入家庭", "Joining the household accepted"),
    ("household.join_refused", "拒绝加入家庭", "Joining the household refused"),
    ("registry.exported", "导出登记数据", "Registry exported"),
    ("account.created", "建立账号", "Account created"),
    ("account.disabled", "停用账号", "Account disabled"),
    ("account.enabled", "启用账号", "Account enabled"),
    ("account.password_set", "重设密码", "Password set"),
    ("account.token_created", "签发接口令牌", "API token issued"),
    ("account.token_revoked", "吊销接口令牌", "API token revoked"),
];

/// The fields a change touched, by their names.
fn changed_fields(ctx: &Ctx, before: &Value, after: &Value) -> Vec<String> {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else { return Vec::new() };
    let keys = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
    let mut out: Vec<String> = Vec::new();
    for key in keys {
        if key == "version" || b.get(key) == a.get(key) {
            continue;
        }
        let label = field_label(ctx, key);
        if !out.contains(&label) {
            out.push(label);
        }
    }
    out
}

/// A field of a person's record by its name on the pages.
pub fn field_label(ctx: &Ctx, key: &str) -> String {
    let page_key = match key {
        "household_ref" => "field.household".to_owned(),
        "female_retirement_track" => "field.retirement_track".to_owned(),
        "hukou_unit" => "tl.field.hukou_unit".to_owned(),
        "parent_certificates" => "tl.field.parent_certificates".to_owned(),
        k => format!("field.{k}"),
    };
    if super::i18n::has(&page_key) { ctx.t(&page_key).to_owned() } else { ctx.t("tl.field.other").to_owned() }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_audit_action_has_a_name_in_both_languages() {
        for a in yuanzhu_storage::audit::AuditAction::ALL {
            let named = super::ACTIONS.iter().find(|(code, ..)| *code == a.code());
            assert!(named.is_some_and(|(_, zh, en)| !zh.is_empty() && !en.is_empty()), "{}", a.code());
        }
    }
}
