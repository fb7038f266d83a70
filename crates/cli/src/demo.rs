//! A deterministic synthetic registry for demonstrations and benchmarks. Everything it makes is
//! clearly synthetic: communities are named 演示社区 ("demo community") and flagged as such.

use yuanzhu_domain::{Registration, UnitCode};
use yuanzhu_rules::{Date, Fact, Facts, FemaleRetirementTrack, IdNumber, ParentCertificate, Sex};
use yuanzhu_storage::{Store, StoreError, units};

/// Communities per street or town.
const PER_STREET: u32 = 3;

/// Adds synthetic communities under every street and town; returns every community's code.
pub async fn communities(store: &Store) -> Result<Vec<UnitCode>, StoreError> {
    let all = units::all(store).await?;
    let mut codes = Vec::new();
    for street in all.iter().filter(|u| u.level == "street" || u.level == "town") {
        for n in 1..=PER_STREET {
            let code = format!("{}{n:03}", street.code);
            units::add_community(store, &code, &format!("{}演示社区{n}", street.name), &street.code, true).await?;
            codes.push(UnitCode::parse(&code).expect("9 digits + 3"));
        }
    }
    Ok(codes)
}

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

const SURNAMES: &[&str] = &["陈", "李", "黄", "张", "梁", "林", "刘", "吴", "何", "王", "郭", "罗", "叶", "周", "郑"];
const GIVEN: &[&str] =
    &["伟", "芳", "敏", "静", "丽", "强", "磊", "洁", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚"];

/// Registrations `start..start + n` of the demo registry with this seed: the same seed gives
/// the same persons, whatever the batch size.
pub fn registrations(seed: u64, start: usize, n: usize, communities: &[UnitCode]) -> Vec<Registration> {
    let mut districts: Vec<&str> = communities.iter().map(|c| &c.as_str()[..6]).collect();
    districts.dedup();
    (start..start + n).map(|i| person(seed, i, communities, &districts)).collect()
}

/// (district, birth day, sequence code) combinations: 11 districts × 16,000 days × 1,000.
const KEYS: u64 = 11 * 16_000 * 1_000;
/// Coprime with [`KEYS`] (= 2^10 · 5^6 · 11), so `i ↦ i · STRIDE mod KEYS` never repeats: every
/// demo person gets an ID number of their own.
const STRIDE: u64 = 1_000_003;

fn person(seed: u64, i: usize, communities: &[UnitCode], districts: &[&str]) -> Registration {
    let mut r = SplitMix(seed ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    let key = ((i as u64) * STRIDE + seed) % KEYS;
    let district = districts[(key % districts.len() as u64) as usize];
    let birth =
        Date::from_days(Date::parse("1955-01-01").expect("a literal date").to_days() + ((key / 11) % 16_000) as i64)
            .expect("a real day");
    let sequence = key / (11 * 16_000);
    let sex = if sequence % 2 == 1 { Sex::Male } else { Sex::Female };
    let first17 = format!("{district}{:04}{:02}{:02}{sequence:03}", birth.year(), birth.month(), birth.day());
    let id_number = IdNumber::parse(&with_check(&first17)).expect("a valid demo number");
    let local: Vec<&UnitCode> = communities.iter().filter(|c| c.as_str().starts_with(district)).collect();
    let unit = local[r.below(local.len() as u64) as usize];
    let gz_era = r.chance(700);
    let registered_on = if gz_era { day(&mut r, "2014-02-01", 1800) } else { day(&mut r, "2023-08-01", 1150) };
    let mut facts = Facts::born(birth, sex);
    for (fact, per_mille) in [
        (Fact::HukouLocal, 900),
        (Fact::RegisteredUnemployed, 1000),
        (Fact::WithoutWork, 990),
        (Fact::AbleToWork, 970),
        (Fact::WillingToBeAssisted, 950),
        (Fact::RuralToUrban, 80),
        (Fact::Disabled, 30),
        (Fact::ZeroEmploymentFamily, 20),
        (Fact::MinimumLivingAllowance, 40),
        (Fact::LowIncomeFamily, 40),
        (Fact::SingleParentRaisingChildren, 20),
        (Fact::CollegeGraduate, 50),
    ] {
        facts.facts.set(fact, r.chance(per_mille));
    }
    if facts.has(Fact::HukouLocal) {
        facts = facts.with(Fact::HukouInProvince);
    }
    if facts.has(Fact::CollegeGraduate) && r.chance(300) {
        facts.parent_certificates = ParentCertificate::UrbanMinimumLiving.bit();
    }
    if sex == Sex::Female && r.chance(300) {
        facts.female_retirement_track = FemaleRetirementTrack::Cadre;
    }
    facts.unemployed_since = Date::from_days(registered_on.to_days() - r.below(720) as i64);
    let name = format!(
        "{}{}{}",
        SURNAMES[r.below(SURNAMES.len() as u64) as usize],
        GIVEN[r.below(GIVEN.len() as u64) as usize],
        GIVEN[r.below(GIVEN.len() as u64) as usize]
    );
    Registration {
        row: i + 2,
        reference: Some(format!("demo-{i}")),
        id_number,
        name,
        phone: Some(format!("1{}{:09}", 3 + r.below(7), r.below(1_000_000_000))),
        address: Some(format!("演示地址{}号", r.below(999) + 1)),
        residence_unit: unit.clone(),
        registered_on,
        household_ref: None,
        relation: None,
        facts,
        given: yuanzhu_domain::registration::Given::all(),
        base_version: None,
    }
}

fn day(r: &mut SplitMix, from: &str, span: u64) -> Date {
    Date::from_days(Date::parse(from).expect("a literal date").to_days() + r.below(span) as i64).expect("a real day")
}

fn with_check(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17.bytes().zip(W).map(|(c, w)| u32::from(c - b'0') * w).sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}
