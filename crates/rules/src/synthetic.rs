//! The one synthetic generator behind the demo registry (`yuanzhu demo`), the import benchmark's
//! fixed file (`examples/import_csv`) and the rules' benchmarks: splitmix64, the name tables and
//! valid ID numbers. The same seed gives the same data on any machine, so changing what this
//! draws changes every benchmark's input: BENCHMARKS.md quotes the fixed file's md5.

/// splitmix64 (Steele, Lea and Flood): small, fast and good enough for synthetic data.
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True `per_mille` times in a thousand.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// A name of three characters: a common Cantonese surname and two given characters.
    pub fn name(&mut self) -> String {
        let mut pick = |table: &[&'static str]| table[self.below(table.len() as u64) as usize];
        format!("{}{}{}", pick(SURNAMES), pick(GIVEN), pick(GIVEN))
    }
}

pub const SURNAMES: &[&str] =
    &["陈", "李", "黄", "张", "梁", "林", "刘", "吴", "何", "王", "郭", "罗", "叶", "周", "郑"];
pub const GIVEN: &[&str] =
    &["伟", "芳", "敏", "静", "丽", "强", "磊", "洁", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚"];

/// (district, birth day, sequence code) combinations a synthetic ID number is drawn from:
/// 11 districts × 16,000 days × 1,000 sequence codes.
pub const ID_KEYS: u64 = 11 * 16_000 * 1_000;
/// Coprime with [`ID_KEYS`] (= 2^10 · 5^6 · 11), so `i ↦ i · ID_STRIDE mod ID_KEYS` never repeats:
/// every synthetic person gets an ID number of their own.
pub const ID_STRIDE: u64 = 1_000_003;

/// 17 leading digits and their check character (GB 11643).
pub fn with_check(first17: &str) -> String {
    let check = crate::id_number::check_character(first17.as_bytes());
    format!("{first17}{}", check as char)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IdNumber;

    #[test]
    fn the_same_seed_draws_the_same_data() {
        let (mut a, mut b) = (SplitMix(7), SplitMix(7));
        assert_eq!((a.next_u64(), a.name()), (b.next_u64(), b.name()));
        // splitmix64's first output for seed 0, as published.
        assert_eq!(SplitMix(0).next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn ids_are_valid() {
        let id = with_check("44010419750301123");
        assert!(IdNumber::parse(&id).is_ok(), "{id}");
    }
}
