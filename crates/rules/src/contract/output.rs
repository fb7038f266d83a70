//! Writing results and errors: the contract's JSON objects, or CSV rows
//! `ref,eligible,categories,unmet,error` for spreadsheets and bulk runs.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::error::RecordError;
use super::record::{Raw, Valid};
use crate::calendar::Date;
use crate::explain::Reason;
use crate::lang::Lang;
use crate::policy::{Outcome, Policy};

impl Serialize for Raw<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Raw::Cell(text) => s.serialize_str(text),
            Raw::Json(value) => value.serialize(s),
        }
    }
}

/// The matched categories and their recognition routes, as a JSON object in article order.
#[derive(Debug, Clone, Copy)]
pub struct RecognitionMap<'a> {
    policy: &'a Policy,
    categories: u16,
}

impl Serialize for RecognitionMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (i, c) in self.policy.categories.iter().enumerate() {
            if self.categories & (1 << i) != 0 {
                map.serialize_entry(c.code, c.recognition.code())?;
            }
        }
        map.end()
    }
}

/// A result line of the contract, with its reasons.
#[derive(Debug, Clone, Serialize)]
pub struct ResultLine<'a> {
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<Raw<'a>>,
    pub as_of: Date,
    pub policy: &'a str,
    pub in_force: bool,
    pub provisional: bool,
    pub eligible: bool,
    pub categories: Vec<&'static str>,
    pub recognition: RecognitionMap<'a>,
    pub unmet: Vec<&'static str>,
    pub reasons: Vec<Reason>,
    pub age: u32,
}

impl<'a> ResultLine<'a> {
    pub fn new(reference: Option<Raw<'a>>, valid: &Valid<'a>, lang: Lang) -> ResultLine<'a> {
        let Valid { as_of, policy, in_force, facts } = *valid;
        let outcome = policy.assess(&facts, as_of);
        ResultLine {
            reference,
            as_of,
            policy: &policy.id,
            in_force,
            provisional: policy.provisional,
            eligible: outcome.eligible(),
            categories: policy.category_codes(outcome.categories).collect(),
            recognition: RecognitionMap { policy, categories: outcome.categories },
            unmet: policy.unmet_codes_in(outcome.unmet).collect(),
            reasons: policy.explain(&facts, as_of, outcome, lang),
            age: facts.birth_date.age_on(as_of),
        }
    }
}

/// An error line of the contract.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorLine<'a> {
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<Raw<'a>>,
    pub error: ErrorBody<'a>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorBody<'a> {
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'a str>,
    pub message: String,
}

impl<'a> ErrorLine<'a> {
    pub fn new(reference: Option<Raw<'a>>, error: &'a RecordError, lang: Lang) -> ErrorLine<'a> {
        ErrorLine {
            reference,
            error: ErrorBody { code: error.code.code(), field: error.field.as_deref(), message: error.message(lang) },
        }
    }
}

pub(super) fn json_line(out: &mut Vec<u8>, value: &impl Serialize) {
    serde_json::to_writer(&mut *out, value).expect("writing JSON to memory cannot fail");
    out.push(b'\n');
}

pub const CSV_HEADER: &[u8] = b"ref,eligible,categories,unmet,error\n";

/// A CSV cell, quoted when it holds a comma, a quote or a line break.
fn csv_cell(out: &mut Vec<u8>, text: &[u8]) {
    // References are short: a plain scan beats setting up a vector search.
    if !text.iter().any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
        out.extend_from_slice(text);
        return;
    }
    out.push(b'"');
    for &b in text {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// The text of a reference as the CSV output shows it (a JSON value that is not a string, as JSON).
pub(super) fn csv_reference_bytes<'a>(reference: Option<Raw<'a>>) -> Option<std::borrow::Cow<'a, [u8]>> {
    use std::borrow::Cow;
    match reference? {
        Raw::Cell(text) => Some(Cow::Borrowed(text.as_bytes())),
        Raw::Json(serde_json::Value::String(text)) => Some(Cow::Borrowed(text.as_bytes())),
        Raw::Json(other) => Some(Cow::Owned(other.to_string().into_bytes())),
    }
}

pub(super) fn csv_result(out: &mut Vec<u8>, reference: Option<&[u8]>, policy: &Policy, outcome: Outcome) {
    if let Some(r) = reference {
        csv_cell(out, r);
    }
    out.extend_from_slice(if outcome.eligible() { b",true," } else { b",false," });
    out.extend_from_slice(policy.joined_categories(outcome.categories).as_bytes());
    out.push(b',');
    out.extend_from_slice(policy.joined_unmet(outcome.unmet).as_bytes());
    out.extend_from_slice(b",\n");
}

pub(super) fn csv_error(out: &mut Vec<u8>, reference: Option<Raw<'_>>, error: &RecordError) {
    if let Some(r) = csv_reference_bytes(reference) {
        csv_cell(out, &r);
    }
    out.extend_from_slice(b",,,,");
    out.extend_from_slice(error.code.code().as_bytes());
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_quoted_only_when_needed() {
        let mut out = Vec::new();
        csv_cell(&mut out, b"A-17");
        out.push(b'|');
        csv_cell(&mut out, b"a,\"b\"");
        assert_eq!(out, b"A-17|\"a,\"\"b\"\"\"");
    }
}
