//! A deterministic synthetic registry for demonstrations and benchmarks. Everything it makes is
//! clearly synthetic: communities are named 演示社区 ("demo community") and flagged as such.

use yuanzhu_domain::{Registration, UnitCode};
use yuanzhu_rules::synthetic::{ID_KEYS, ID_STRIDE, SplitMix, with_check};
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

/// Registrations `start..start + n` of the demo registry with this seed: the same seed gives
/// the same persons, whatever the batch size.
pub fn registrations(seed: u64, start: usize, n: usize, communities: &[UnitCode]) -> Vec<Registration> {
    let mut districts: Vec<&str> = communities.iter().map(|c| &c.as_str()[..6]).collect();
    districts.dedup();
    (start..start + n).map(|i| person(seed, i, communities, &districts)).collect()
}

fn person(seed: u64, i: usize, communities: &[UnitCode], districts: &[&str]) -> Registration {
    let mut r = SplitMix(seed ^ (i as u64).wrapping_mul(0xA24B_AED4_963E_E407));
    let key = ((i as u64) * ID_STRIDE + seed) % ID_KEYS;
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
    let name = r.name();
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
