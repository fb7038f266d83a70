//! Resident identity numbers (公民身份号码, GB 11643-1999).
//!
//! Positions 1–6 are the address code where the number was first assigned (never the current
//! hukou: obsolete Guangzhou codes such as 440102 东山区 stay valid), 7–14 the birth date, 15–17 a
//! sequence whose last digit is odd for men, and 18 a check character over the first 17.

use std::fmt;

use crate::calendar::Date;
use crate::facts::Sex;
use crate::lang::Lang;

/// A resident ID number whose length, characters, birth date and check character are valid.
/// Stored in its 18-character form with an upper-case `X`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdNumber([u8; 18]);

/// Why a text is not a valid ID number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdNumberError {
    /// Not 18 characters (or 15, where the legacy form is accepted).
    Length { found: usize },
    /// A character other than a digit, or other than a digit or X in the last place.
    Character { position: usize },
    /// Positions 7–14 are not a real date.
    BirthDate,
    /// The check character does not match the first 17 digits.
    CheckCharacter { expected: char, found: char },
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// The check character for 17 leading digits (ASCII).
pub(crate) fn check_character(first17: &[u8]) -> u8 {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(&c, w)| u32::from(c - b'0') * w).sum();
    CHECK[(sum % 11) as usize]
}

impl IdNumber {
    /// Parses the 18-character form; a lower-case `x` is read as `X`.
    pub fn parse(text: &str) -> Result<IdNumber, IdNumberError> {
        let b = text.as_bytes();
        if b.len() != 18 {
            return Err(IdNumberError::Length { found: text.chars().count() });
        }
        let mut digits = [0u8; 18];
        digits.copy_from_slice(b);
        if let Some(position) = digits[..17].iter().position(|c| !c.is_ascii_digit()) {
            return Err(IdNumberError::Character { position: position + 1 });
        }
        digits[17] = digits[17].to_ascii_uppercase();
        if !(digits[17].is_ascii_digit() || digits[17] == b'X') {
            return Err(IdNumberError::Character { position: 18 });
        }
        birth_date_of(&digits[6..14])?;
        let expected = check_character(&digits[..17]);
        if digits[17] != expected {
            return Err(IdNumberError::CheckCharacter { expected: expected as char, found: digits[17] as char });
        }
        Ok(IdNumber(digits))
    }

    /// Parses either form. A 15-digit first-generation number (no check character, century 19
    /// implied) is upgraded: "19" goes in after the address code and the check character is added.
    /// Imports meet such numbers in legacy records (notes §3.2).
    pub fn parse_or_upgrade(text: &str) -> Result<IdNumber, IdNumberError> {
        let b = text.as_bytes();
        if b.len() != 15 {
            return IdNumber::parse(text);
        }
        if let Some(position) = b.iter().position(|c| !c.is_ascii_digit()) {
            return Err(IdNumberError::Character { position: position + 1 });
        }
        let mut digits = [0u8; 18];
        digits[..6].copy_from_slice(&b[..6]);
        digits[6..8].copy_from_slice(b"19");
        digits[8..17].copy_from_slice(&b[6..]);
        birth_date_of(&digits[6..14])?;
        digits[17] = check_character(&digits[..17]);
        Ok(IdNumber(digits))
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("validated ASCII")
    }

    /// The administrative division code where the number was first assigned.
    pub fn address_code(&self) -> &str {
        &self.as_str()[..6]
    }

    pub fn birth_date(&self) -> Date {
        birth_date_of(&self.0[6..14]).expect("validated on parse")
    }

    /// Position 17: odd for men, even for women.
    pub fn sex(&self) -> Sex {
        if (self.0[16] - b'0') % 2 == 1 { Sex::Male } else { Sex::Female }
    }

    /// The form shown in lists: the address code and the last four characters, the rest hidden.
    pub fn masked(&self) -> String {
        let s = self.as_str();
        format!("{}********{}", &s[..6], &s[14..])
    }
}

fn birth_date_of(yyyymmdd: &[u8]) -> Result<Date, IdNumberError> {
    let text = std::str::from_utf8(yyyymmdd).map_err(|_| IdNumberError::BirthDate)?;
    let (y, m, d) = (&text[..4], &text[4..6], &text[6..]);
    let num = |s: &str| s.parse::<u32>().map_err(|_| IdNumberError::BirthDate);
    Date::from_ymd(num(y)?, num(m)?, num(d)?).ok_or(IdNumberError::BirthDate)
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl IdNumberError {
    /// What went wrong, in words a caseworker understands.
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (IdNumberError::Length { found }, Lang::Zh) => {
                format!("身份证号码应为18位，实际为{found}位")
            }
            (IdNumberError::Length { found }, Lang::En) => {
                format!("should have 18 characters, found {found}")
            }
            (IdNumberError::Character { position }, Lang::Zh) => {
                format!("第{position}位字符无效（前17位须为数字，第18位为数字或X）")
            }
            (IdNumberError::Character { position }, Lang::En) => {
                format!("character {position} is not allowed (the first 17 must be digits, the 18th a digit or X)")
            }
            (IdNumberError::BirthDate, Lang::Zh) => "第7至14位不是有效的出生日期".to_owned(),
            (IdNumberError::BirthDate, Lang::En) => "positions 7 to 14 are not a real birth date".to_owned(),
            (IdNumberError::CheckCharacter { expected, found }, Lang::Zh) => {
                format!("校验码应为{expected}，实际为{found}")
            }
            (IdNumberError::CheckCharacter { expected, found }, Lang::En) => {
                format!("check character should be {expected}, found {found}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn notes_examples_pass_and_derive_birth_date_and_sex() {
        let a = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(a.birth_date(), Date::parse("1949-12-31").unwrap());
        assert_eq!(a.sex(), Sex::Female);
        let b = IdNumber::parse("110101196501011213").unwrap();
        assert_eq!(b.sex(), Sex::Male);
        assert_eq!(b.address_code(), "110101");
    }

    #[test]
    fn lower_case_x_is_read_as_upper_case() {
        assert_eq!(IdNumber::parse("11010519491231002x").unwrap().as_str(), "11010519491231002X");
    }

    #[test]
    fn each_kind_of_error_is_named() {
        assert_eq!(IdNumber::parse("1101051949123100"), Err(IdNumberError::Length { found: 16 }));
        assert_eq!(IdNumber::parse("11010519491231002Y"), Err(IdNumberError::Character { position: 18 }));
        assert_eq!(IdNumber::parse("1101051949123100AX"), Err(IdNumberError::Character { position: 17 }));
        assert_eq!(IdNumber::parse("110105194902300021"), Err(IdNumberError::BirthDate));
        assert_eq!(
            IdNumber::parse("110105194912310023"),
            Err(IdNumberError::CheckCharacter { expected: 'X', found: '3' })
        );
        // A multi-byte character counts once in the reported length.
        assert_eq!(IdNumber::parse("１10105194912310"), Err(IdNumberError::Length { found: 15 }));
    }

    #[test]
    fn obsolete_guangzhou_address_codes_stay_valid() {
        // 440102 东山区 (merged into 越秀 in 2005), 440183 增城市.
        for first17 in ["44010219700101001", "44018319800229002"] {
            let id = format!("{first17}{}", check_character(first17.as_bytes()) as char);
            assert!(IdNumber::parse(&id).is_ok(), "{id}");
        }
    }

    #[test]
    fn legacy_15_digit_numbers_are_upgraded() {
        // 440106 + 700101 + 123 (odd: male)
        let id = IdNumber::parse_or_upgrade("440106700101123").unwrap();
        assert_eq!(&id.as_str()[..17], "44010619700101123");
        assert!(IdNumber::parse(id.as_str()).is_ok());
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(IdNumber::parse_or_upgrade("440106700231123"), Err(IdNumberError::BirthDate));
        assert!(IdNumber::parse("440106700101123").is_err(), "the contract's parser takes 18 only");
    }

    #[test]
    fn masked_shows_address_code_and_last_four() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "110105********002X");
    }

    fn valid_id() -> impl Strategy<Value = String> {
        (100_000u32..999_999, 1900u32..2030, 1u32..=12, 1u32..=28, 0u32..1000).prop_map(|(a, y, m, d, s)| {
            let first17 = format!("{a:06}{y:04}{m:02}{d:02}{s:03}");
            format!("{first17}{}", check_character(first17.as_bytes()) as char)
        })
    }

    proptest! {
        #[test]
        fn valid_numbers_round_trip(id in valid_id()) {
            let parsed = IdNumber::parse(&id).unwrap();
            prop_assert_eq!(parsed.as_str(), id.as_str());
            prop_assert_eq!(IdNumber::parse(&id.to_lowercase()).unwrap(), parsed);
        }

        #[test]
        fn any_single_changed_digit_is_rejected(id in valid_id(), pos in 0usize..18, delta in 1u8..10) {
            let mut bytes = id.into_bytes();
            let c = bytes[pos];
            bytes[pos] = if c == b'X' { b'0' + delta % 10 } else { b'0' + (c - b'0' + delta) % 10 };
            if pos == 17 && bytes[pos] == c { return Ok(()); }
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(IdNumber::parse(&changed).is_err(), "{} was accepted", changed);
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,24}") {
            let _ = IdNumber::parse(&text);
            let _ = IdNumber::parse_or_upgrade(&text);
        }
    }
}
