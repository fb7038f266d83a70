//! Money in integer fen (分, 1/100 yuan): subsidies, contribution bases and payment batches add up
//! to the fen, which floating point cannot promise. Policy files and forms write yuan with at most
//! two decimals (`1500`, `1500.5`, `1,500.50`); JSON carries the same decimal text, never a float.

use std::fmt;
use std::str::FromStr;

/// An amount of money in fen. Negative amounts exist (a correction takes back an overpayment).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

/// Why a text is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("no amount given")]
    Empty,
    #[error("`{0}` is not an amount in yuan (digits, at most two decimals)")]
    NotAnAmount(String),
    #[error("`{0}` is too large")]
    TooLarge(String),
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_fen(fen: i64) -> Money {
        Money(fen)
    }

    /// Whole yuan; `None` when it does not fit.
    pub const fn from_yuan(yuan: i64) -> Option<Money> {
        match yuan.checked_mul(100) {
            Some(fen) => Some(Money(fen)),
            None => None,
        }
    }

    pub const fn fen(self) -> i64 {
        self.0
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// `n` times the amount (a monthly subsidy over `n` months).
    pub fn checked_times(self, n: i64) -> Option<Money> {
        self.0.checked_mul(n).map(Money)
    }

    /// `numerator / denominator` of the amount, rounded half away from zero to the fen: the
    /// policy's shares ("2/3 of the contributions paid") are fractions, and a share of a payment
    /// is paid to the fen. `None` for a zero denominator or an overflow.
    pub fn share(self, numerator: i64, denominator: i64) -> Option<Money> {
        if denominator == 0 {
            return None;
        }
        let product = i128::from(self.0) * i128::from(numerator);
        let d = i128::from(denominator);
        let (q, r) = (product / d, product % d);
        let rounded = if 2 * r.abs() >= d.abs() { q + product.signum() * d.signum() } else { q };
        i64::try_from(rounded).ok().map(Money)
    }

    /// The sum of amounts; `None` on overflow.
    pub fn sum<I: IntoIterator<Item = Money>>(amounts: I) -> Option<Money> {
        amounts.into_iter().try_fold(Money::ZERO, Money::checked_add)
    }

    /// For a person to read: `1,500.00` with thousands separated, as finance offices print.
    pub fn grouped(self) -> String {
        let plain = self.to_string();
        let (sign, rest) = plain.strip_prefix('-').map_or(("", plain.as_str()), |r| ("-", r));
        let (whole, decimals) = rest.split_once('.').unwrap_or((rest, "00"));
        let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        format!("{sign}{grouped}.{decimals}")
    }
}

/// Yuan with two decimals: `1500.00`, `-0.05`. Parsing it gives back the same amount.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let fen = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", fen / 100, fen % 100)
    }
}

/// Yuan as people write them: digits with an optional sign, `,` between thousands, and at most
/// two decimals; `¥`/`￥` before or `元` after are allowed. Anything else is refused, never
/// rounded: an amount with three decimals is a typing error, not a fraction of a fen.
impl FromStr for Money {
    type Err = MoneyError;

    fn from_str(text: &str) -> Result<Money, MoneyError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(MoneyError::Empty);
        }
        let wrong = || MoneyError::NotAnAmount(text.trim().to_owned());
        let (negative, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let t = t.trim_start_matches(['¥', '￥']).trim_end_matches('元').trim();
        let (whole, decimals) = t.split_once('.').unwrap_or((t, ""));
        let grouping_ok = !whole.contains(',')
            || whole
                .split(',')
                .enumerate()
                .all(|(i, g)| if i == 0 { (1..=3).contains(&g.len()) } else { g.len() == 3 });
        let whole: String = whole.chars().filter(|&c| c != ',').collect();
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(&whole) || !digits(decimals) || decimals.len() > 2 || !grouping_ok {
            return Err(wrong());
        }
        if t.ends_with('.') {
            return Err(wrong());
        }
        let too_large = || MoneyError::TooLarge(text.trim().to_owned());
        let yuan: i64 = whole.parse().map_err(|_| too_large())?;
        let cents: i64 = format!("{decimals:0<2}").parse().map_err(|_| wrong())?;
        let fen = yuan.checked_mul(100).and_then(|f| f.checked_add(cents)).ok_or_else(too_large)?;
        Ok(Money(if negative { -fen } else { fen }))
    }
}

impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// From the decimal text, or from a whole number of yuan written as a JSON integer.
impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Written {
            Text(String),
            Yuan(i64),
        }
        match Written::deserialize(d)? {
            Written::Text(t) => t.parse().map_err(serde::de::Error::custom),
            Written::Yuan(y) => Money::from_yuan(y).ok_or_else(|| serde::de::Error::custom("amount too large")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn m(text: &str) -> Money {
        text.parse().unwrap()
    }

    #[test]
    fn yuan_as_people_write_them() {
        assert_eq!(m("1500"), Money::from_fen(150_000));
        assert_eq!(m("1500.5"), Money::from_fen(150_050));
        assert_eq!(m("1,500.50"), Money::from_fen(150_050));
        assert_eq!(m("¥10,000"), Money::from_fen(1_000_000));
        assert_eq!(m("3000元"), Money::from_fen(300_000));
        assert_eq!(m("-0.05"), Money::from_fen(-5));
        assert_eq!(m(" 0.5 "), Money::from_fen(50));
    }

    #[test]
    fn what_is_not_an_amount_is_refused_not_rounded() {
        for bad in ["1.005", "1.", ".5", "abc", "1,50", "12,3456", "1e3", "1 000", "--1", "+1", "0x10", "一千"] {
            assert!(matches!(bad.parse::<Money>(), Err(MoneyError::NotAnAmount(_))), "{bad}");
        }
        assert_eq!("".parse::<Money>(), Err(MoneyError::Empty));
        assert!(matches!("99999999999999999999".parse::<Money>(), Err(MoneyError::TooLarge(_))));
        assert_eq!("92233720368547758.07".parse::<Money>().map(Money::fen), Ok(i64::MAX));
        assert!(matches!("92233720368547758.08".parse::<Money>(), Err(MoneyError::TooLarge(_))));
    }

    #[test]
    fn shares_round_half_away_from_zero_to_the_fen() {
        // NOTES §4.5: two thirds of the contributions a flexibly employed person paid.
        assert_eq!(m("1000").share(2, 3), Some(m("666.67")));
        assert_eq!(m("0.01").share(1, 2), Some(m("0.01")));
        assert_eq!(m("-0.01").share(1, 2), Some(m("-0.01")));
        assert_eq!(m("100").share(1, 0), None);
        assert_eq!(Money::from_fen(i64::MAX).share(2, 1), None);
    }

    #[test]
    fn grouped_for_reading() {
        assert_eq!(m("1234567.8").grouped(), "1,234,567.80");
        assert_eq!(m("-1000").grouped(), "-1,000.00");
        assert_eq!(m("999").grouped(), "999.00");
        assert_eq!(Money::ZERO.to_string(), "0.00");
    }

    #[test]
    fn json_is_decimal_text_never_a_float() {
        assert_eq!(serde_json::to_string(&m("2000.5")).unwrap(), "\"2000.50\"");
        assert_eq!(serde_json::from_str::<Money>("\"2,000.50\"").unwrap(), m("2000.5"));
        assert_eq!(serde_json::from_str::<Money>("3000").unwrap(), m("3000"));
        assert!(serde_json::from_str::<Money>("3000.5").is_err(), "a float is refused");
    }

    #[test]
    fn sums_stop_at_overflow() {
        assert_eq!(Money::sum([m("1.10"), m("2.20")]), Some(m("3.30")));
        assert_eq!(Money::sum([Money::from_fen(i64::MAX), Money::from_fen(1)]), None);
    }

    proptest! {
        #[test]
        fn display_parses_back(fen in any::<i64>().prop_filter("negatable", |f| *f != i64::MIN)) {
            let money = Money::from_fen(fen);
            prop_assert_eq!(money.to_string().parse::<Money>(), Ok(money));
            prop_assert_eq!(money.grouped().parse::<Money>(), Ok(money));
        }

        #[test]
        fn any_text_parses_or_is_refused_without_panic(text in "\\PC{0,24}") {
            let _ = text.parse::<Money>();
        }

        #[test]
        fn a_share_is_within_half_a_fen_of_the_exact_fraction(
            fen in -1_000_000_000i64..1_000_000_000, num in 0i64..1000, den in 1i64..1000,
        ) {
            let share = Money::from_fen(fen).share(num, den).unwrap().fen();
            let exact = fen as f64 * num as f64 / den as f64;
            prop_assert!((share as f64 - exact).abs() <= 0.5 + 1e-6, "{} vs {}", share, exact);
        }
    }
}
