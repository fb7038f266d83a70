//! Reading records: one JSON object per line, or CSV rows under a header of field names.

use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

use super::error::{Problem, RecordError};
use super::fast::FastCsv;
use super::fields::{COUNT, Field};
use super::record::{Raw, RawRecord};

/// A JSON line's values, owned. `null` values are dropped: null is absent (precise point 2).
#[derive(Debug, Default)]
pub struct JsonRecord {
    values: Vec<Option<serde_json::Value>>,
    unknown: Option<String>,
}

impl JsonRecord {
    /// Not UTF-8, not JSON, not an object, or a key given twice: `invalid_json`.
    pub fn parse(line: &[u8]) -> Result<JsonRecord, RecordError> {
        let text = std::str::from_utf8(line).map_err(|_| RecordError::unreadable(Problem::NotUtf8))?;
        let mut de = serde_json::Deserializer::from_str(text);
        let record = de
            .deserialize_map(RecordVisitor)
            .and_then(|r| de.end().map(|()| r))
            .map_err(|e| RecordError::unreadable(Problem::Unreadable(e.to_string())))?;
        Ok(record)
    }

    pub fn raw(&self) -> RawRecord<'_> {
        let mut raw = RawRecord { unknown: self.unknown.as_deref(), ..RawRecord::default() };
        for (slot, value) in raw.values.iter_mut().zip(&self.values) {
            *slot = value.as_ref().map(Raw::Json);
        }
        raw
    }
}

enum Key {
    Known(Field),
    Unknown(String),
}

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
                Ok(Field::from_name(s).map_or_else(|| Key::Unknown(s.to_owned()), Key::Known))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

struct RecordVisitor;

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = JsonRecord;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonRecord, A::Error> {
        let mut record = JsonRecord { values: vec![None; COUNT], unknown: None };
        let mut seen = [false; COUNT];
        let mut unknown_seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Known(field) => {
                    if std::mem::replace(&mut seen[field as usize], true) {
                        return Err(de::Error::custom(format_args!("duplicate key `{}`", field.name())));
                    }
                    let value: serde_json::Value = map.next_value()?;
                    if !value.is_null() {
                        record.values[field as usize] = Some(value);
                    }
                }
                Key::Unknown(name) => {
                    if unknown_seen.contains(&name) {
                        return Err(de::Error::custom(format_args!("duplicate key `{name}`")));
                    }
                    map.next_value::<IgnoredAny>()?;
                    record.unknown.get_or_insert_with(|| name.clone());
                    unknown_seen.push(name);
                }
            }
        }
        Ok(record)
    }
}

/// A CSV header that names no field of the contract, or names one twice: a usage error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("unknown column `{0}` in the CSV header: it is not a field of the contract")]
    Unknown(String),
    #[error("column `{0}` appears twice in the CSV header")]
    Duplicate(String),
    #[error("the CSV header is not UTF-8 text")]
    NotUtf8,
}

/// The fields named by a CSV header, by column.
#[derive(Debug, Clone)]
pub struct CsvHeader {
    columns: Vec<Field>,
    pub(super) fast: FastCsv,
}

impl CsvHeader {
    pub fn parse<'a>(cells: impl IntoIterator<Item = &'a [u8]>) -> Result<CsvHeader, HeaderError> {
        let mut columns: Vec<Field> = Vec::new();
        for (i, cell) in cells.into_iter().enumerate() {
            let mut name = std::str::from_utf8(cell).map_err(|_| HeaderError::NotUtf8)?;
            if i == 0 {
                name = name.strip_prefix('\u{feff}').unwrap_or(name);
            }
            let name = name.trim();
            let field = Field::from_name(name).ok_or_else(|| HeaderError::Unknown(name.to_owned()))?;
            if columns.contains(&field) {
                return Err(HeaderError::Duplicate(name.to_owned()));
            }
            columns.push(field);
        }
        let fast = FastCsv::new(&columns);
        Ok(CsvHeader { columns, fast })
    }

    pub fn len(&self) -> usize {
        self.columns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// The values of one row. An empty cell is absent; a row with the wrong number of cells, or
    /// one that is not UTF-8, could not be read (precise point 7).
    pub fn record<'a>(&self, cells: impl IntoIterator<Item = &'a [u8]>) -> Result<RawRecord<'a>, RecordError> {
        let mut raw = RawRecord::default();
        let mut found = 0;
        for cell in cells {
            if found < self.columns.len() {
                let text = std::str::from_utf8(cell).map_err(|_| RecordError::unreadable(Problem::NotUtf8))?;
                self.set(&mut raw, found, text);
            }
            found += 1;
        }
        self.check_count(found)?;
        Ok(raw)
    }

    /// The values of one line of text that holds no quote character, into `raw` (reused
    /// across lines: splitting a line of valid UTF-8 needs no allocation and no re-validation).
    pub fn plain_record<'a>(&self, line: &'a str, raw: &mut RawRecord<'a>) -> Result<(), RecordError> {
        raw.values = [None; COUNT];
        let mut found = 0;
        let mut start = 0;
        for (i, b) in line.bytes().enumerate() {
            if b == b',' {
                if found < self.columns.len() {
                    self.set(raw, found, &line[start..i]);
                }
                found += 1;
                start = i + 1;
            }
        }
        if found < self.columns.len() {
            self.set(raw, found, &line[start..]);
        }
        self.check_count(found + 1)
    }

    #[inline]
    fn set<'a>(&self, raw: &mut RawRecord<'a>, column: usize, text: &'a str) {
        if !text.is_empty() {
            raw.values[self.columns[column] as usize] = Some(Raw::Cell(text));
        }
    }

    fn check_count(&self, found: usize) -> Result<(), RecordError> {
        if found != self.columns.len() {
            return Err(RecordError::unreadable(Problem::WrongCellCount { expected: self.columns.len(), found }));
        }
        Ok(())
    }

    /// The `ref` cell of a row, echoed on an error line even when the row is unreadable,
    /// if it can be found.
    pub fn reference_column(&self) -> Option<usize> {
        self.columns.iter().position(|f| *f == Field::Ref)
    }
}

/// The cells of a CSV line that holds no quote character: split on every comma.
pub fn plain_cells(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    let mut commas = memchr::memchr_iter(b',', line);
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match commas.next() {
            Some(i) => {
                let cell = &line[start..i];
                start = i + 1;
                Some(cell)
            }
            None => {
                done = true;
                Some(&line[start..])
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::error::ErrorCode;
    use proptest::prelude::*;

    #[test]
    fn json_null_is_absent_and_unknown_fields_are_kept_in_order() {
        let r = JsonRecord::parse(br#"{"ref":"a","disabld":true,"sex":null,"zzz":1}"#).unwrap();
        let raw = r.raw();
        assert!(raw.get(Field::Sex).is_none());
        assert!(raw.get(Field::Ref).is_some());
        assert_eq!(raw.unknown, Some("disabld"));
    }

    #[test]
    fn duplicates_non_objects_and_bad_utf8_are_unreadable() {
        for line in [&br#"{"ref":"a","ref":"b"}"#[..], b"[1,2]", b"{\"ref\":\"\xff\"}", b"{} {}", b"{", b"\"x\""] {
            let e = JsonRecord::parse(line).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidJson, "{:?}", String::from_utf8_lossy(line));
            assert!(e.field.is_none());
        }
    }

    #[test]
    fn csv_header_refuses_unknown_and_duplicate_columns() {
        let h = CsvHeader::parse(plain_cells(b"\xef\xbb\xbfref,sex")).unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(CsvHeader::parse(plain_cells(b"ref,disabld")).unwrap_err(), HeaderError::Unknown("disabld".into()));
        assert_eq!(CsvHeader::parse(plain_cells(b"ref,ref")).unwrap_err(), HeaderError::Duplicate("ref".into()));
    }

    #[test]
    fn csv_row_with_wrong_cell_count_is_unreadable() {
        let h = CsvHeader::parse(plain_cells(b"ref,sex")).unwrap();
        assert!(h.record(plain_cells(b"a,male")).is_ok());
        for row in [&b"a"[..], b"a,male,x"] {
            assert_eq!(h.record(plain_cells(row)).unwrap_err().code, ErrorCode::InvalidJson);
        }
    }

    #[test]
    fn plain_cells_keeps_empty_cells() {
        let cells: Vec<&[u8]> = plain_cells(b",a,,b,").collect();
        assert_eq!(cells, [&b""[..], b"a", b"", b"b", b""]);
    }

    proptest! {
        #[test]
        fn json_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = JsonRecord::parse(&bytes);
        }

        #[test]
        fn json_parser_never_panics_on_near_json(text in r#"\{("[a-z_]{1,12}":(true|false|null|"[0-9-]{0,10}"|\[\]|1),?){0,6}\}"#) {
            let _ = JsonRecord::parse(text.as_bytes());
        }

        #[test]
        fn csv_rows_never_panic(row in proptest::collection::vec(any::<u8>(), 0..120)) {
            let h = CsvHeader::parse(plain_cells(b"ref,as_of,birth_date,sex,hukou_local,parent_certificates")).unwrap();
            let _ = h.record(plain_cells(&row));
        }
    }
}
