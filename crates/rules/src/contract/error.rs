//! The contract's error codes, and messages a caseworker understands, in their language.

use std::borrow::Cow;

use super::fields::{Field, Kind};
use crate::calendar::{Date, DateError};
use crate::id_number::IdNumberError;
use crate::lang::Lang;

/// The contract's error codes, in the order they are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    InvalidJson,
    UnknownField,
    NoPolicyInForce,
    MissingField,
    InvalidField,
    InvalidIdNumber,
    IdNumberMismatch,
}

impl ErrorCode {
    pub const fn code(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::UnknownField => "unknown_field",
            ErrorCode::NoPolicyInForce => "no_policy_in_force",
            ErrorCode::MissingField => "missing_field",
            ErrorCode::InvalidField => "invalid_field",
            ErrorCode::InvalidIdNumber => "invalid_id_number",
            ErrorCode::IdNumberMismatch => "id_number_mismatch",
        }
    }
}

/// What exactly is wrong, for the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The line is not one JSON object (serde's words), or a CSV row could not be read.
    Unreadable(String),
    DuplicateKey(String),
    WrongCellCount {
        expected: usize,
        found: usize,
    },
    NotUtf8,
    Unknown,
    Missing,
    NoPolicy(Date),
    WrongType(Kind),
    Date(DateError),
    NotOneOf(&'static [&'static str]),
    AfterAsOf(Date),
    EmptyCertificate,
    IdNumber(IdNumberError),
    IdBirthAfterAsOf(Date),
    Disagrees {
        from_id: String,
    },
}

/// Why a record produced no result. One per record: the first that applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    pub code: ErrorCode,
    pub field: Option<Cow<'static, str>>,
    pub problem: Problem,
}

impl RecordError {
    pub fn new(code: ErrorCode, field: Field, problem: Problem) -> RecordError {
        RecordError { code, field: Some(Cow::Borrowed(field.name())), problem }
    }

    pub fn unreadable(problem: Problem) -> RecordError {
        RecordError { code: ErrorCode::InvalidJson, field: None, problem }
    }

    pub fn unknown(name: &str) -> RecordError {
        RecordError {
            code: ErrorCode::UnknownField,
            field: Some(Cow::Owned(name.to_owned())),
            problem: Problem::Unknown,
        }
    }

    /// The message, naming the field and the reason.
    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let key = self.field.as_deref().unwrap_or("");
        // Messages name a field as people call it: 缺少必填字段：本市户籍, not hukou_local.
        let field = super::fields::label(key, lang);
        match &self.problem {
            Problem::Unreadable(why) if zh => format!("无法读取该记录（须为一个JSON对象）：{why}"),
            Problem::Unreadable(why) => {
                format!("the record cannot be read (one JSON object expected): {why}")
            }
            Problem::DuplicateKey(k) if zh => format!("字段 {k} 出现了两次"),
            Problem::DuplicateKey(k) => format!("field {k} appears twice"),
            Problem::WrongCellCount { expected, found } if zh => {
                format!("该行有{found}个单元格，表头有{expected}列")
            }
            Problem::WrongCellCount { expected, found } => {
                format!("the row has {found} cells, the header {expected}")
            }
            Problem::NotUtf8 if zh => "该记录不是有效的UTF-8文本".to_owned(),
            Problem::NotUtf8 => "the record is not valid UTF-8 text".to_owned(),
            Problem::Unknown if zh => format!("未知字段：{key}（请检查拼写）"),
            Problem::Unknown => format!("unknown field {field} (check the spelling)"),
            Problem::Missing if zh => format!("缺少必填字段：{field}"),
            Problem::Missing => format!("required field {field} is missing"),
            Problem::NoPolicy(d) if zh => format!("{d}没有有效的认定政策"),
            Problem::NoPolicy(d) => format!("no policy is in force on {d}"),
            Problem::WrongType(kind) => wrong_type(field, *kind, zh),
            Problem::Date(DateError::Format) if zh => format!("{field}须为 YYYY-MM-DD 格式的日期"),
            Problem::Date(DateError::Format) => {
                format!("{field} must be a date in the form YYYY-MM-DD")
            }
            Problem::Date(DateError::NoSuchDay) if zh => format!("{field}不是日历上存在的日期"),
            Problem::Date(DateError::NoSuchDay) => format!("{field} is not a day of the calendar"),
            Problem::NotOneOf(allowed) if zh => {
                format!("{field}须为以下之一：{}", allowed.join("、"))
            }
            Problem::NotOneOf(allowed) => format!("{field} must be one of: {}", allowed.join(", ")),
            Problem::AfterAsOf(d) if zh => format!("{field}晚于评估日期{d}"),
            Problem::AfterAsOf(d) => format!("{field} is after the assessment date {d}"),
            Problem::EmptyCertificate if zh => "父母证件含有空项".to_owned(),
            Problem::EmptyCertificate => "parent_certificates has an empty item".to_owned(),
            Problem::IdNumber(e) => e.message(lang),
            Problem::IdBirthAfterAsOf(d) if zh => format!("身份证号码中的出生日期晚于评估日期{d}"),
            Problem::IdBirthAfterAsOf(d) => {
                format!("the birth date in the ID number is after the assessment date {d}")
            }
            Problem::Disagrees { from_id } if zh => {
                format!("{field}与身份证号码不符（号码显示为 {from_id}）")
            }
            Problem::Disagrees { from_id } => {
                format!("{field} disagrees with the ID number, which gives {from_id}")
            }
        }
    }
}

fn wrong_type(field: &str, kind: Kind, zh: bool) -> String {
    let (z, e) = match kind {
        Kind::Text => ("文本", "a string"),
        Kind::Date => ("YYYY-MM-DD 格式的日期文本", "a date string YYYY-MM-DD"),
        Kind::Bool => ("true 或 false", "true or false"),
        Kind::Sex => ("\"female\" 或 \"male\"", "\"female\" or \"male\""),
        Kind::Track => ("\"worker\" 或 \"cadre\"", "\"worker\" or \"cadre\""),
        Kind::Certificates => ("证件名称的数组", "an array of certificate names"),
    };
    if zh { format!("{field}须为{z}") } else { format!("{field} must be {e}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_messages_name_the_field_in_chinese_and_english_ones_by_its_key() {
        let e = RecordError::new(ErrorCode::MissingField, Field::HukouLocal, Problem::Missing);
        assert_eq!(e.message(Lang::Zh), "缺少必填字段：本市户籍");
        assert_eq!(e.message(Lang::En), "required field hukou_local is missing");
        assert_eq!(e.field.as_deref(), Some("hukou_local"), "the field itself keeps its key");
        let e = RecordError::new(ErrorCode::InvalidField, Field::UnemployedSince, Problem::Date(DateError::Format));
        assert_eq!(e.message(Lang::Zh), "失业起始日须为 YYYY-MM-DD 格式的日期");
        // An unknown column is named as it was typed.
        assert_eq!(RecordError::unknown("disabld").message(Lang::Zh), "未知字段：disabld（请检查拼写）");
    }
}
