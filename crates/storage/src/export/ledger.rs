//! The ledgers export (第十九条 “一人一档、一帮扶一台帐”): one row per event of each person's file,
//! the audit events that name the person, ordered by person (ID number) and then by time (the
//! chain's order). Each row says when, who, what and under which policy, with a summary a
//! caseworker can read; the audit chain itself keeps the full before and after.

use std::borrow::Cow;

use serde_json::Value;
use sqlx::Row;
use yuanzhu_rules::Lang;

use super::{Paged, Pages, Table, id_number_of};
use crate::{Store, StoreError};

/// One event of a person's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub id_number: String,
    pub name: String,
    /// The event's place in the audit chain (`audit verify` counts the same).
    pub seq: i64,
    /// ISO-8601 on the configured zone's clock, with its offset (stored in UTC).
    pub at: String,
    pub actor: String,
    /// `person.created`, `registration.recorded`, `recognition.granted`, …
    pub action: String,
    pub entity: String,
    pub policy: Option<String>,
    pub summary: String,
}

const COLUMNS: [&str; 9] = ["id_number", "name", "seq", "at", "actor", "action", "entity", "policy", "summary"];

impl Table for LedgerRow {
    const SHEET: &'static str = "ledgers";

    fn columns() -> &'static [&'static str] {
        &COLUMNS
    }

    fn header(lang: Lang) -> Vec<&'static str> {
        match lang {
            Lang::En => COLUMNS.to_vec(),
            Lang::Zh => vec!["身份证号", "姓名", "序号", "时间", "经办人", "事项", "对象", "政策", "摘要"],
        }
    }

    fn text_columns() -> &'static [&'static str] {
        &["id_number"]
    }

    fn cells(&self) -> Vec<Cow<'_, str>> {
        vec![
            Cow::Borrowed(self.id_number.as_str()),
            Cow::Borrowed(&self.name),
            Cow::Owned(self.seq.to_string()),
            Cow::Borrowed(&self.at),
            Cow::Borrowed(&self.actor),
            Cow::Borrowed(&self.action),
            Cow::Borrowed(&self.entity),
            Cow::Borrowed(self.policy.as_deref().unwrap_or("")),
            Cow::Borrowed(&self.summary),
        ]
    }
}

/// The ledgers of an export, a page of persons at a time.
#[derive(Debug)]
pub struct LedgerPages {
    pages: Pages,
    lang: Lang,
    clock: crate::clock::Clock,
}

/// Every person's ledger (`unit_prefix` `None`), or those of one jurisdiction as
/// [`persons`](super::persons) reaches them; summaries in `lang`.
pub async fn ledgers(store: &Store, unit_prefix: Option<&str>, lang: Lang) -> Result<LedgerPages, StoreError> {
    Ok(LedgerPages { pages: Pages::open(store, unit_prefix).await?, lang, clock: store.clock() })
}

const SELECT: &str = "SELECT p.id_number, p.name, e.seq, e.at, e.actor, e.action, e.entity, e.policy, \
     e.before_json, e.after_json FROM persons p JOIN audit_events e ON e.person_id = p.id";

impl Paged for LedgerPages {
    type Row = LedgerRow;

    /// The events of the next page of persons, by person and time; `None` when all have been read.
    async fn next_page(&mut self) -> Result<Option<Vec<LedgerRow>>, StoreError> {
        let Some(rows) = self.pages.next(SELECT, "e.seq").await? else { return Ok(None) };
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let action: String = row.try_get("action")?;
            let before: Option<String> = row.try_get("before_json")?;
            let after: Option<String> = row.try_get("after_json")?;
            out.push(LedgerRow {
                id_number: id_number_of(row)?,
                name: row.try_get("name")?,
                seq: row.try_get("seq")?,
                at: self.clock.stamp_local(&row.try_get::<String, _>("at")?),
                actor: row.try_get("actor")?,
                summary: summary(&action, before.as_deref(), after.as_deref(), self.lang),
                action,
                entity: row.try_get("entity")?,
                policy: row.try_get("policy")?,
            });
        }
        Ok(Some(out))
    }
}

/// What the audit trail's actions mean, for the summary: (action, zh-CN, en).
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
    ("employment.recorded", "就业登记", "Employment recorded"),
    ("duplicate.flagged", "疑似重复", "Possible duplicate flagged"),
    ("duplicate.decided", "重复核定", "Possible duplicate decided"),
    ("transfer.proposed", "提出居住地转移", "Transfer of residence proposed"),
    ("transfer.accepted", "接收居住地转移", "Transfer of residence accepted"),
    ("transfer.refused", "拒绝居住地转移", "Transfer of residence refused"),
    ("transfer.withdrawn", "撤回居住地转移", "Transfer of residence withdrawn"),
    ("transfer.done", "直接办理居住地转移", "Transfer of residence made at once"),
    ("person.moved", "居住单位变更", "Unit of residence changed"),
];

/// An audit action's name in words (`recognition.granted` → 认定, Recognised), if it has one.
pub fn action_name(action: &str, lang: Lang) -> Option<&'static str> {
    ACTIONS.iter().find(|(a, ..)| *a == action).map(|(_, zh, en)| if lang == Lang::Zh { *zh } else { *en })
}

/// Keys of an event's JSON that say nothing to a reader (the optimistic-concurrency version).
const QUIET: [&str; 1] = ["version"];

/// The action in words, then what the event recorded: for a change, each changed key as
/// `key: before → after`; otherwise each key with a value. An action not in [`ACTIONS`] keeps
/// its code, so a new kind of event is summarised too.
pub fn summary(action: &str, before: Option<&str>, after: Option<&str>, lang: Lang) -> String {
    let label = action_name(action, lang).unwrap_or(action);
    let (colon, separator) = if lang == Lang::Zh { ("：", "；") } else { (": ", "; ") };
    let parse = |text: Option<&str>| text.map(|t| serde_json::from_str::<Value>(t).unwrap_or_else(|_| t.into()));
    let mut parts = Vec::new();
    match (parse(before), parse(after)) {
        (Some(Value::Object(before)), Some(Value::Object(after))) => {
            for (key, new) in after.iter().filter(|(k, _)| !QUIET.contains(&k.as_str())) {
                let old = before.get(key).unwrap_or(&Value::Null);
                if old != new {
                    parts.push(format!("{}{colon}{} → {}", name(key, lang), show(old, lang), show(new, lang)));
                }
            }
            for (key, old) in before.iter().filter(|(k, _)| !after.contains_key(*k) && !QUIET.contains(&k.as_str())) {
                let gone = show(&Value::Null, lang);
                parts.push(format!("{}{colon}{} → {gone}", name(key, lang), show(old, lang)));
            }
        }
        (_, Some(Value::Object(after))) => {
            for (key, value) in after.iter().filter(|(k, _)| !QUIET.contains(&k.as_str())) {
                if !is_empty(value) {
                    parts.push(format!("{}{colon}{}", name(key, lang), show(value, lang)));
                }
            }
        }
        (_, Some(value)) => parts.push(show(&value, lang)),
        (Some(value), None) => parts.push(format!("{} → {}", show(&value, lang), show(&Value::Null, lang))),
        (None, None) => {}
    }
    if parts.is_empty() { label.to_owned() } else { format!("{label}{colon}{}", parts.join(separator)) }
}

/// A key of an event's JSON as the summary's language names it: a field of the record (or a fact
/// in a list of facts) by its Chinese name in Chinese, anything else as it is.
fn name(key: &str, lang: Lang) -> &str {
    yuanzhu_domain::registration::column_name(key, lang)
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// A value as a reader sees it: text without quotes, a list of plain values joined, yes/no.
fn show(value: &Value, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match value {
        Value::Null => "—".to_owned(),
        Value::Bool(b) => match (b, zh) {
            (true, true) => "是",
            (false, true) => "否",
            (true, false) => "yes",
            (false, false) => "no",
        }
        .to_owned(),
        Value::String(s) => name(s, lang).to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) if items.iter().all(|v| !v.is_array() && !v.is_object()) => {
            if items.is_empty() {
                return "—".to_owned();
            }
            items.iter().map(|v| show(v, lang)).collect::<Vec<_>>().join(if zh { "、" } else { ", " })
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_lists_only_what_changed() {
        let before = r#"{"name":"张三","phone":"13800138000","facts":["hukou_local"],"version":1}"#;
        let after = r#"{"name":"张三","phone":"13900139000","facts":["hukou_local","disabled"],"version":2}"#;
        assert_eq!(
            summary("person.updated", Some(before), Some(after), Lang::Zh),
            "信息变更：情况：本市户籍 → 本市户籍、持残疾证；联系电话：13800138000 → 13900139000"
        );
        assert_eq!(
            summary("person.updated", Some(before), Some(after), Lang::En),
            "Record changed: facts: hukou_local → hukou_local, disabled; phone: 13800138000 → 13900139000"
        );
    }

    #[test]
    fn a_new_record_lists_its_values_and_leaves_out_the_empty_ones() {
        let after = r#"{"registered_on":"2016-03-01","unit":"440104011","note":"","reached":false,"x":null}"#;
        assert_eq!(
            summary("registration.recorded", None, Some(after), Lang::Zh),
            "失业登记：reached：否；登记日期：2016-03-01；unit：440104011"
        );
    }

    #[test]
    fn an_unknown_action_keeps_its_code_and_an_event_without_data_its_label() {
        assert_eq!(summary("person.viewed", None, None, Lang::En), "File viewed");
        assert_eq!(summary("person.merged", None, Some(r#"{"into":"X"}"#), Lang::En), "person.merged: into: X");
        assert_eq!(summary("a.b", None, Some("not json"), Lang::En), "a.b: not json");
    }
}
