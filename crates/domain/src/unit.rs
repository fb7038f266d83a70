//! Units of the four-level service structure (第十八条: 市、区、街（镇）、居（村）).

use std::fmt;

/// A level of the service structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    City,
    District,
    /// 街道 or 镇: a 9-digit code.
    StreetOrTown,
    /// 居委会 or 村委会: a 12-digit code.
    CommunityOrVillage,
}

impl Level {
    pub const fn code(self) -> &'static str {
        match self {
            Level::City => "city",
            Level::District => "district",
            Level::StreetOrTown => "street",
            Level::CommunityOrVillage => "community",
        }
    }
}

/// An administrative division code (GB/T 2260 and its statistical extensions): 6 digits for a
/// city or district, 9 for a street or town, 12 for a community or village.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct UnitCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a unit code has 6, 9 or 12 digits, found `{0}`")]
pub struct UnitCodeError(pub String);

impl UnitCode {
    pub fn parse(text: &str) -> Result<UnitCode, UnitCodeError> {
        let ok = matches!(text.len(), 6 | 9 | 12) && text.bytes().all(|b| b.is_ascii_digit());
        if ok { Ok(UnitCode(text.to_owned())) } else { Err(UnitCodeError(text.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part of the code that every unit below it starts with. A city's or province's
    /// 6-digit code pads its level with zeros (440100, 440000), and its districts only share
    /// the digits before them (440104 lies in 440100).
    pub fn prefix(&self) -> &str {
        let s = self.0.as_str();
        match s.len() {
            6 if s.ends_with("0000") => &s[..2],
            6 if s.ends_with("00") => &s[..4],
            _ => s,
        }
    }

    /// Whether `other` is this unit or lies below it: codes nest by prefix.
    pub fn contains(&self, other: &UnitCode) -> bool {
        other.0 == self.0 || other.0.starts_with(self.prefix())
    }
}

impl fmt::Display for UnitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_6_9_or_12_digits_and_nest_by_prefix() {
        let district = UnitCode::parse("440104").unwrap();
        let street = UnitCode::parse("440104011").unwrap();
        let community = UnitCode::parse("440104011001").unwrap();
        assert!(district.contains(&street) && street.contains(&community) && district.contains(&district));
        assert!(!street.contains(&district));
        let city = UnitCode::parse("440100").unwrap();
        assert!(city.contains(&district) && city.contains(&community) && !district.contains(&city));
        assert!(!city.contains(&UnitCode::parse("440200").unwrap()));
        assert!(!city.contains(&UnitCode::parse("450103").unwrap()));
        for bad in ["4401", "44010401", "44010401100a", ""] {
            assert!(UnitCode::parse(bad).is_err(), "{bad}");
        }
    }
}
