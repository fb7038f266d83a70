//! Why a change to an application was refused.

use std::fmt;

use yuanzhu_rules::{Date, Lang};

use super::{ActionKind, Document, StateKind, pick};

/// Why a change to an application was refused: the field, and the reason in the caseworker's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    NotAllowed {
        action: ActionKind,
        from: StateKind,
    },
    EmptyApplicant,
    EmptyActor,
    BeforeLastEvent {
        on: Date,
        last: Date,
    },
    NotOnChecklist {
        document: Document,
    },
    CommitmentNotAccepted {
        document: Document,
    },
    /// Approval needs every document (第五条 lists what "应…提交").
    Incomplete {
        missing: Vec<Document>,
    },
    /// Resubmitted after the one-time notice, still incomplete: no second notice; refuse or wait.
    StillIncomplete {
        missing: Vec<Document>,
    },
    SecondDeficiencyNotice {
        served_on: Date,
    },
    NothingMissing,
    EmptyReason,
    /// A stored history that does not start with the application's creation.
    NoCreation,
}

fn list(docs: &[Document], lang: Lang) -> String {
    let names: Vec<&str> = docs.iter().map(|d| d.name(lang)).collect();
    names.join(if lang == Lang::Zh { "；" } else { "; " })
}

impl TransitionError {
    /// The field at fault, as the API names it.
    pub const fn field(&self) -> &'static str {
        match self {
            TransitionError::NotAllowed { .. } => "state",
            TransitionError::EmptyApplicant => "applicant",
            TransitionError::EmptyActor => "by",
            TransitionError::BeforeLastEvent { .. } => "on",
            TransitionError::NotOnChecklist { .. }
            | TransitionError::CommitmentNotAccepted { .. }
            | TransitionError::Incomplete { .. }
            | TransitionError::StillIncomplete { .. } => "documents",
            TransitionError::SecondDeficiencyNotice { .. } => "deficiency_notice",
            TransitionError::NothingMissing => "defective",
            TransitionError::EmptyReason => "reason",
            TransitionError::NoCreation => "history",
        }
    }

    /// A stable code for the API.
    pub const fn code(&self) -> &'static str {
        match self {
            TransitionError::NotAllowed { .. } => "not_allowed_in_state",
            TransitionError::EmptyApplicant | TransitionError::EmptyActor | TransitionError::EmptyReason => "required",
            TransitionError::BeforeLastEvent { .. } => "date_before_last_event",
            TransitionError::NotOnChecklist { .. } => "not_on_checklist",
            TransitionError::CommitmentNotAccepted { .. } => "commitment_not_accepted",
            TransitionError::Incomplete { .. } => "documents_missing",
            TransitionError::StillIncomplete { .. } => "documents_still_missing",
            TransitionError::SecondDeficiencyNotice { .. } => "second_deficiency_notice",
            TransitionError::NothingMissing => "nothing_missing",
            TransitionError::NoCreation => "history_without_creation",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        use TransitionError as E;
        match self {
            E::NotAllowed { action, from } => pick(
                lang,
                format!("state（状态）：申请当前为“{}”，不能{}", from.name(lang), action.name(lang)),
                format!("state: the application is {}, so you cannot {}", from.name(lang), action.name(lang)),
            ),
            E::EmptyApplicant => pick(lang, "applicant（申请人）：不能为空".into(), "applicant: required".into()),
            E::EmptyActor => {
                pick(lang, "by（经办人）：须记录由谁办理".into(), "by: who did this must be recorded".into())
            }
            E::BeforeLastEvent { on, last } => pick(
                lang,
                format!("on（日期）：{on}早于本申请上一次办理的日期{last}"),
                format!("on: {on} is before the application's last recorded date {last}"),
            ),
            E::NotOnChecklist { document } => pick(
                lang,
                format!("documents（材料）：{}不在该申请类别的材料清单内", document.name_zh()),
                format!("documents: {} is not on this category's checklist", document.name_en()),
            ),
            E::CommitmentNotAccepted { document } => pick(
                lang,
                format!(
                    "documents（材料）：{}不能以书面承诺代替（{}）",
                    document.name_zh(),
                    if document.provisional() {
                        "申请表须本人填写"
                    } else {
                        "穗人社发〔2014〕4号未规定告知承诺制"
                    }
                ),
                format!(
                    "documents: a written commitment cannot replace {} ({})",
                    document.name_en(),
                    if document.provisional() {
                        "the applicant fills in the form"
                    } else {
                        "穗人社发〔2014〕4号 has no commitment procedure"
                    }
                ),
            ),
            E::Incomplete { missing } => pick(
                lang,
                format!("documents（材料）：材料不齐，不能作出认定，尚缺：{}", list(missing, lang)),
                format!("documents: incomplete, cannot approve; still missing: {}", list(missing, lang)),
            ),
            E::StillIncomplete { missing } => pick(
                lang,
                format!(
                    "documents（材料）：已一次性告知，补正后仍缺：{}。不再出具第二份告知书，可作出不予认定",
                    list(missing, lang)
                ),
                format!(
                    "documents: still missing after the one-time notice: {}. No second notice is served; \
                     the application may be refused",
                    list(missing, lang)
                ),
            ),
            E::SecondDeficiencyNotice { served_on } => pick(
                lang,
                format!("deficiency_notice（一次性告知书）：已于{served_on}一次性告知所缺材料，不能再次告知"),
                format!("deficiency_notice: everything missing was told once on {served_on}; no second notice"),
            ),
            E::NothingMissing => pick(
                lang,
                "defective（缺陷材料）：材料齐全且未指出有缺陷的材料，无须一次性告知".into(),
                "defective: the documents are complete and none was named defective; no notice is needed".into(),
            ),
            E::EmptyReason => pick(
                lang,
                "reason（理由）：不予认定须写明理由（《不予认定就业困难人员告知书》）".into(),
                "reason: a refusal must state its reason (notice of non-recognition)".into(),
            ),
            E::NoCreation => pick(
                lang,
                "history（办理记录）：第一条记录须为创建申请".into(),
                "history: the first event must be the application's creation".into(),
            ),
        }
    }
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for TransitionError {}

#[cfg(test)]
mod tests {
    use crate::application::fixtures::*;

    #[test]
    fn messages_name_the_field_in_both_languages() {
        let errors = [
            TransitionError::NotAllowed { action: ActionKind::Approve, from: StateKind::Draft },
            TransitionError::EmptyApplicant,
            TransitionError::EmptyActor,
            TransitionError::BeforeLastEvent { on: d("2024-01-01"), last: d("2024-01-02") },
            TransitionError::NotOnChecklist { document: D::ApplicationForm },
            TransitionError::CommitmentNotAccepted { document: D::ApplicationForm },
            TransitionError::Incomplete { missing: vec![D::HardshipApplicationForm] },
            TransitionError::StillIncomplete { missing: vec![D::HardshipApplicationForm] },
            TransitionError::SecondDeficiencyNotice { served_on: d("2024-01-01") },
            TransitionError::NothingMissing,
            TransitionError::EmptyReason,
            TransitionError::NoCreation,
        ];
        for e in errors {
            let (zh, en) = (e.message(Lang::Zh), e.message(Lang::En));
            assert!(zh.starts_with(e.field()) && en.starts_with(e.field()), "{zh} / {en}");
            assert_ne!(zh, en);
            assert_eq!(e.to_string(), zh);
        }
    }
}
