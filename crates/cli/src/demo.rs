//! A deterministic synthetic registry for demonstrations and benchmarks. Everything it makes is
//! clearly synthetic: communities are named 演示社区 ("demo community") and flagged as such.

use yuanzhu_domain::assistance::{NewService, ServiceKind, ServiceRecord};
use yuanzhu_domain::{Registration, UnitCode};
use yuanzhu_rules::synthetic::{ID_KEYS, ID_STRIDE, SplitMix, with_check};
use yuanzhu_rules::{Date, Fact, Facts, FemaleRetirementTrack, IdNumber, Money, ParentCertificate, PolicySet, Sex};
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

/// What a caseworker writes for each kind of service, and the employers referrals go to: all
/// marked as demo text.
const NOTES: [(ServiceKind, &str); 10] = [
    (ServiceKind::CareerGuidance, "职业指导：分析求职意向，讲解面试技巧（演示）"),
    (ServiceKind::JobInformation, "推送辖区招聘信息10条（演示）"),
    (ServiceKind::JobReferral, "推荐面试（演示）"),
    (ServiceKind::PolicyDelivery, "讲解社保补贴和岗位补贴政策（演示）"),
    (ServiceKind::HomeVisit, "入户了解家庭和求职情况（演示）"),
    (ServiceKind::StartupGuidance, "讲解创业担保贷款申请流程（演示）"),
    (ServiceKind::DomesticServiceGuidance, "介绍家政、养老护理岗位（演示）"),
    (ServiceKind::CommunityEmployment, "组织参加社区就业岗位（演示）"),
    (ServiceKind::SocialWorkSession, "社工一对一就业辅导（演示）"),
    (ServiceKind::TrainingRecommendation, "推荐参加育婴员培训（演示）"),
];
const EMPLOYERS: [&str; 4] = ["演示物业管理有限公司", "演示连锁超市", "演示家政服务中心", "演示餐饮有限公司"];

/// The services given to the demo persons registered in `district`, from their registration to
/// `today` (and the unit that gave them: the person's community): 0 to 4 each, checked against the policy in force on their day as any record is, so
/// that a new user opens a lived-in ledger. Deterministic for a seed.
pub fn services(
    seed: u64,
    registrations: &[Registration],
    district: &str,
    today: Date,
    policies: &PolicySet,
) -> Vec<(IdNumber, UnitCode, ServiceRecord)> {
    let mut out = Vec::new();
    for (i, reg) in registrations.iter().enumerate().filter(|(_, r)| r.residence_unit.as_str().starts_with(district)) {
        let mut r = SplitMix(seed ^ 0x5E4F_1CE5 ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let span = (today.to_days() - reg.registered_on.to_days()).max(1) as u64;
        let mut days: Vec<i64> = (0..r.below(5)).map(|_| reg.registered_on.to_days() + r.below(span) as i64).collect();
        days.sort_unstable();
        for d in days {
            let Some(on) = Date::from_days(d) else { continue };
            let (kind, note) = NOTES[r.below(NOTES.len() as u64) as usize];
            let referral = kind == ServiceKind::JobReferral;
            let outcome = kind.is_offer().then(|| match r.below(10) {
                0 => "declined",
                1 | 2 => "no_show",
                _ => "accepted",
            });
            let new = NewService {
                kind: kind.code().to_owned(),
                on: Some(on),
                note: if outcome == Some("declined") {
                    format!("{note}；本人表示暂不考虑")
                } else {
                    note.to_owned()
                },
                outcome: outcome.map(str::to_owned),
                employer: referral.then(|| EMPLOYERS[r.below(EMPLOYERS.len() as u64) as usize].to_owned()),
                vacancy: None,
                loan_amount: (kind == ServiceKind::StartupGuidance && r.chance(500))
                    .then(|| Money::from_fen(10_000_000)),
            };
            if let Ok(record) = new.check(policies.in_force_on(on), today) {
                out.push((reg.id_number, reg.residence_unit.clone(), record));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_services_fall_between_registration_and_today_and_repeat_for_a_seed() {
        let communities: Vec<UnitCode> =
            ["440104011001", "440104011002", "440105001001"].iter().map(|c| UnitCode::parse(c).unwrap()).collect();
        let regs = registrations(7, 0, 300, &communities);
        let today = Date::parse("2026-12-07").unwrap();
        let policies = PolicySet::embedded();
        let given = services(7, &regs, "440104", today, &policies);
        assert!(given.len() > 100, "{}", given.len());
        assert_eq!(given, services(7, &regs, "440104", today, &policies), "deterministic");
        for (id, unit, s) in &given {
            let reg = regs.iter().find(|r| &r.id_number == id).unwrap();
            assert!(unit.as_str().starts_with("440104") && *unit == reg.residence_unit);
            assert!(reg.registered_on <= s.on && s.on <= today, "{id} {}", s.on);
        }
        assert!(given.iter().any(|(_, _, s)| s.is_refusal()), "some offers are declined");
        assert!(
            given.iter().any(|(_, _, s)| s.policy == "gz-2014-4")
                && given.iter().any(|(_, _, s)| s.policy == "gd-2023-11")
        );
    }
}
