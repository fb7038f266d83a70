//! 《广东省就业困难人员认定管理办法》 (粤人社规〔2023〕11号), 第一条. Provisional: items (1)–(11)
//! were read in the official text, item (12) in secondary copies (notes §1.2).
//!
//! > 具有广东省户籍、在法定劳动年龄内、处于无业状态、有劳动能力和就业意愿，且符合下列条件之一的人员……
//!
//! Thresholds come from `policies/gd-2023-11.toml`; each rule below quotes the item it implements.

use super::file::{CategorySpec, Entries, Param};
use super::{AgeThreshold, Outcome};
use crate::calendar::Date;
use crate::clock::Clock;
use crate::explain::{age_clause, age_short_clause, months_clause, months_short_clause};
use crate::facts::{Fact, Facts};
use crate::lang::Lang;

/// Categories in item order; bit i of an outcome is entry i.
pub(super) const CATEGORIES: &[CategorySpec] = &[
    CategorySpec { code: "older_unemployed", params: &[Param::FemaleAge, Param::MaleAge] },
    CategorySpec { code: "disabled", params: &[] },
    CategorySpec { code: "minimum_living_allowance", params: &[] },
    CategorySpec { code: "urban_zero_employment_family", params: &[] },
    CategorySpec { code: "rural_zero_transfer_poor_family", params: &[] },
    CategorySpec { code: "landless_farmer", params: &[] },
    CategorySpec { code: "long_term_unemployed", params: &[Param::Months] },
    CategorySpec { code: "drug_rehabilitated", params: &[] },
    CategorySpec { code: "released_prisoner", params: &[] },
    CategorySpec { code: "mental_health_recovered", params: &[] },
    CategorySpec { code: "veteran_unemployed", params: &[Param::Months] },
    CategorySpec { code: "caregiver_of_seriously_ill", params: &[] },
];

/// Unmet codes in the contract's order; the last is `no_category`.
pub const UNMET: &[&str] = &[
    "not_provincial_hukou",
    "has_work",
    "unable_to_work",
    "not_willing",
    "below_working_age",
    "above_working_age",
    "no_category",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub older_unemployed: AgeThreshold,
    pub long_term_months: u32,
    pub veteran_months: u32,
}

impl Params {
    pub(super) fn from_entries(e: &Entries<'_>) -> Params {
        Params {
            older_unemployed: e.ages("older_unemployed"),
            long_term_months: e.months("long_term_unemployed"),
            veteran_months: e.months("veteran_unemployed"),
        }
    }
}

/// 第一条: 具有广东省户籍、在法定劳动年龄内、处于无业状态、有劳动能力和就业意愿.
/// A Guangzhou hukou is a Guangdong hukou. Bits in [`UNMET`] order.
#[inline]
fn failed_preconditions<C: Clock>(minimum_age: u32, f: &Facts, c: &C) -> u8 {
    let b = f.birth_date;
    let provincial = f.has(Fact::HukouLocal) || f.has(Fact::HukouInProvince);
    u8::from(!provincial)
        | u8::from(!f.has(Fact::WithoutWork)) << 1
        | u8::from(!f.has(Fact::AbleToWork)) << 2
        | u8::from(!f.has(Fact::WillingToBeAssisted)) << 3
        | u8::from(!c.age_at_least(b, minimum_age)) << 4
        | u8::from(c.retired(b, f.retirement_track())) << 5
}

/// 第一条第（一）项：大龄失业人员（女满40周岁、男满50周岁）。
#[inline]
fn older_unemployed<C: Clock>(p: &Params, f: &Facts, c: &C) -> bool {
    c.age_at_least(f.birth_date, p.older_unemployed.for_sex(f.sex))
}

/// 第一条第（四）项：城镇“零就业家庭”人员（户籍地址为城镇）。
#[inline]
fn urban_zero_employment_family(f: &Facts) -> bool {
    f.has(Fact::ZeroEmploymentFamily) & !f.has(Fact::RuralHukou)
}

/// 第一条第（五）项：农村零转移就业原建档立卡贫困家庭人员。
#[inline]
fn rural_zero_transfer_poor_family(f: &Facts) -> bool {
    f.has(Fact::ZeroEmploymentFamily) & f.has(Fact::RuralHukou) & f.has(Fact::FormerlyRegisteredPoorHousehold)
}

/// 第一条第（七）项：连续失业1年以上人员 — counted from the most recent unemployment registration.
#[inline]
fn long_term_unemployed<C: Clock>(p: &Params, f: &Facts, c: &C) -> bool {
    c.months_reached_since(f.unemployment_registered_on, p.long_term_months)
}

/// 第一条第（十一）项：失业6个月以上的退役军人 (registered unemployed for six months or more).
#[inline]
fn veteran_unemployed<C: Clock>(p: &Params, f: &Facts, c: &C) -> bool {
    f.has(Fact::Veteran) & c.months_reached_since(f.unemployment_registered_on, p.veteran_months)
}

/// Items (二), (三), (六), (八), (九), (十) and (十二) each match on their one fact:
/// 残疾人员、享受最低生活保障待遇人员、失地农民、戒毒康复人员、刑满释放人员、精神障碍康复人员、
/// 需赡养患重大疾病直系亲属人员.
#[inline]
fn single_fact_items(f: &Facts) -> u16 {
    u16::from(f.has(Fact::Disabled)) << 1
        | u16::from(f.has(Fact::MinimumLivingAllowance)) << 2
        | u16::from(f.has(Fact::LandlessFarmer)) << 5
        | u16::from(f.has(Fact::DrugRehabilitated)) << 7
        | u16::from(f.has(Fact::ReleasedPrisoner)) << 8
        | u16::from(f.has(Fact::MentalHealthRecovered)) << 9
        | u16::from(f.has(Fact::CaregiverOfSeriouslyIllRelative)) << 11
}

#[inline]
pub(crate) fn evaluate<C: Clock>(p: &Params, minimum_age: u32, f: &Facts, c: &C) -> Outcome {
    let failed = failed_preconditions(minimum_age, f, c);
    let matched = u16::from(older_unemployed(p, f, c))
        | single_fact_items(f)
        | u16::from(urban_zero_employment_family(f)) << 3
        | u16::from(rural_zero_transfer_poor_family(f)) << 4
        | u16::from(long_term_unemployed(p, f, c)) << 6
        | u16::from(veteran_unemployed(p, f, c)) << 10;
    Outcome::combine(failed, matched, 6)
}

/// The facts a matched category rests on, in words.
pub(super) fn because(p: &Params, code: &str, f: &Facts, on: Date, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let text = |z: &str, e: &str| if zh { z } else { e }.to_owned();
    let registered = |months| {
        let since = f.unemployment_registered_on.expect("matched only with a registration date");
        months_clause(since, on, months, lang)
    };
    match code {
        "older_unemployed" => age_clause(f, on, p.older_unemployed, lang),
        "disabled" => text("持有残疾人证", "holds a disability certificate"),
        "minimum_living_allowance" => text("享受最低生活保障待遇", "receives minimum living allowance"),
        "urban_zero_employment_family" => text("城镇户籍“零就业家庭”成员", "member of an urban zero-employment family"),
        "rural_zero_transfer_poor_family" => text(
            "农村户籍原建档立卡贫困家庭，无转移就业成员",
            "rural former registered poor household with no member in work",
        ),
        "landless_farmer" => text("被征地失去全部土地的农民", "farmer who lost all land to expropriation"),
        "long_term_unemployed" => registered(p.long_term_months),
        "drug_rehabilitated" => text("戒毒康复人员", "returned to society after drug rehabilitation"),
        "released_prisoner" => text("刑满释放人员", "released after serving a sentence"),
        "mental_health_recovered" => text("精神障碍康复人员", "recovered from a mental disorder"),
        "veteran_unemployed" => {
            let sep = if zh { "，" } else { ", " };
            format!("{}{sep}{}", text("退役军人", "veteran"), registered(p.veteran_months))
        }
        "caregiver_of_seriously_ill" => {
            text("需赡养患重大疾病的直系亲属", "supports a lineal relative with a serious illness")
        }
        _ => String::new(),
    }
}

/// Why a category does not match, the preconditions holding: the facts it lacks, in words.
pub(super) fn why_not(p: &Params, code: &str, f: &Facts, on: Date, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let text = |z: &str, e: &str| if zh { z } else { e }.to_owned();
    let registered = |months| {
        let what = ("失业登记日期", "unemployment registration");
        months_short_clause(f.unemployment_registered_on, what, on, months, lang)
    };
    match code {
        "older_unemployed" => age_short_clause(f, on, p.older_unemployed, lang),
        "disabled" => text("未持有残疾人证", "holds no disability certificate"),
        "minimum_living_allowance" => text("未享受最低生活保障待遇", "receives no minimum living allowance"),
        "urban_zero_employment_family" if f.has(Fact::ZeroEmploymentFamily) => {
            text("户籍地址非城镇", "the hukou address is not urban")
        }
        "urban_zero_employment_family" => text("非“零就业家庭”成员", "not a member of a zero-employment family"),
        "rural_zero_transfer_poor_family" => text(
            "非农村户籍原建档立卡贫困家庭无转移就业成员",
            "not of a rural former registered poor household with no member in work",
        ),
        "landless_farmer" => text("非被征地失去全部土地的农民", "not a farmer who lost all land to expropriation"),
        "long_term_unemployed" => registered(p.long_term_months),
        "drug_rehabilitated" => text("非戒毒康复人员", "not returned to society after drug rehabilitation"),
        "released_prisoner" => text("非刑满释放人员", "not released after serving a sentence"),
        "mental_health_recovered" => text("非精神障碍康复人员", "not recovered from a mental disorder"),
        "veteran_unemployed" if !f.has(Fact::Veteran) => text("非退役军人", "not a veteran"),
        "veteran_unemployed" => registered(p.veteran_months),
        "caregiver_of_seriously_ill" => {
            text("无需赡养患重大疾病的直系亲属", "supports no lineal relative with a serious illness")
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::facts::{Fact, Facts, FemaleRetirementTrack, Sex};
    use crate::lang::Lang;
    use crate::policy::test_support::{codes, d, policy};

    /// Guangdong hukou, without work, able and willing: every precondition of 第一条 except age.
    fn person(birth: &str, sex: Sex) -> Facts {
        Facts::born(d(birth), sex)
            .with(Fact::HukouInProvince)
            .with(Fact::WithoutWork)
            .with(Fact::AbleToWork)
            .with(Fact::WillingToBeAssisted)
    }

    #[test]
    fn a_category_not_granted_says_what_its_item_lacks() {
        let p = policy("gd-2023-11");
        let man = person("1980-06-01", Sex::Male).with(Fact::Veteran);
        let on = d("2024-06-01");
        let because = |code, lang| p.unmet_for(code, &man, on, lang).into_iter().map(|r| r.because).collect::<Vec<_>>();
        assert_eq!(because("older_unemployed", Lang::Zh), ["男，44周岁，未满50周岁"]);
        assert_eq!(because("veteran_unemployed", Lang::En), ["no unemployment registration: 6 months cannot be shown"]);
        let mut registered = man;
        registered.unemployment_registered_on = Some(d("2024-03-01"));
        let r = p.unmet_for("veteran_unemployed", &registered, on, Lang::Zh);
        assert_eq!(
            (r[0].citation.as_str(), r[0].because.as_str()),
            ("第一条第（十一）项", "自2024-03-01起3个月，未满6个月")
        );
        assert!(p.unmet_for("veteran_unemployed", &registered, d("2024-09-01"), Lang::Zh).is_empty(), "granted");
    }

    #[test]
    fn older_thresholds_are_40_for_women_and_50_for_men() {
        let p = policy("gd-2023-11");
        let woman = person("1984-06-01", Sex::Female);
        assert_eq!(codes(&p, p.assess(&woman, d("2024-05-31"))).1, ["no_category"]);
        assert_eq!(codes(&p, p.assess(&woman, d("2024-06-01"))).0, ["older_unemployed"]);
        let man = person("1974-06-01", Sex::Male);
        assert_eq!(codes(&p, p.assess(&man, d("2024-05-31"))).1, ["no_category"]);
        assert_eq!(codes(&p, p.assess(&man, d("2024-06-01"))).0, ["older_unemployed"]);
    }

    #[test]
    fn zero_employment_family_splits_by_hukou_address() {
        let p = policy("gd-2023-11");
        let f = person("1995-01-01", Sex::Female).with(Fact::ZeroEmploymentFamily);
        assert_eq!(codes(&p, p.assess(&f, d("2024-06-01"))).0, ["urban_zero_employment_family"]);
        let rural = f.with(Fact::RuralHukou);
        assert_eq!(codes(&p, p.assess(&rural, d("2024-06-01"))).1, ["no_category"]);
        let poor = rural.with(Fact::FormerlyRegisteredPoorHousehold);
        assert_eq!(codes(&p, p.assess(&poor, d("2024-06-01"))).0, ["rural_zero_transfer_poor_family"]);
    }

    #[test]
    fn long_term_and_veteran_count_from_the_latest_registration() {
        let p = policy("gd-2023-11");
        let mut f = person("1995-01-01", Sex::Male).with(Fact::Veteran);
        f.unemployment_registered_on = Some(d("2023-08-31"));
        assert_eq!(codes(&p, p.assess(&f, d("2024-02-28"))).1, ["no_category"]);
        assert_eq!(codes(&p, p.assess(&f, d("2024-02-29"))).0, ["veteran_unemployed"]);
        assert_eq!(codes(&p, p.assess(&f, d("2024-08-30"))).0, ["veteran_unemployed"]);
        assert_eq!(codes(&p, p.assess(&f, d("2024-08-31"))).0, ["long_term_unemployed", "veteran_unemployed"]);
    }

    #[test]
    fn each_single_fact_item_matches_in_item_order() {
        let p = policy("gd-2023-11");
        let young = person("1995-01-01", Sex::Female);
        let cases = [
            (Fact::Disabled, "disabled"),
            (Fact::MinimumLivingAllowance, "minimum_living_allowance"),
            (Fact::LandlessFarmer, "landless_farmer"),
            (Fact::DrugRehabilitated, "drug_rehabilitated"),
            (Fact::ReleasedPrisoner, "released_prisoner"),
            (Fact::MentalHealthRecovered, "mental_health_recovered"),
            (Fact::CaregiverOfSeriouslyIllRelative, "caregiver_of_seriously_ill"),
        ];
        for (fact, code) in cases {
            assert_eq!(codes(&p, p.assess(&young.with(fact), d("2024-06-01"))).0, [code]);
        }
        for not_a_category in [Fact::LowIncomeFamily, Fact::SingleParentRaisingChildren] {
            assert_eq!(codes(&p, p.assess(&young.with(not_a_category), d("2024-06-01"))).1, ["no_category"]);
        }
    }

    #[test]
    fn preconditions_in_contract_order() {
        let p = policy("gd-2023-11");
        let f = Facts::born(d("1950-01-01"), Sex::Female).with(Fact::Disabled);
        assert_eq!(
            codes(&p, p.assess(&f, d("2024-06-01"))).1,
            ["not_provincial_hukou", "has_work", "unable_to_work", "not_willing", "above_working_age"]
        );
        let local = person("1995-01-01", Sex::Male).with(Fact::Disabled);
        let mut local = local;
        local.facts.set(Fact::HukouInProvince, false);
        local.facts.set(Fact::HukouLocal, true);
        assert!(p.assess(&local, d("2024-06-01")).eligible(), "a Guangzhou hukou is a Guangdong hukou");
    }

    #[test]
    fn the_2025_schedule_delays_retirement() {
        let p = policy("gd-2023-11");
        let mut w = person("1976-02-29", Sex::Female).with(Fact::Disabled);
        w.female_retirement_track = FemaleRetirementTrack::Worker;
        assert!(p.assess(&w, d("2026-09-28")).eligible());
        assert_eq!(codes(&p, p.assess(&w, d("2026-09-29"))).1, ["above_working_age"]);
    }
}
