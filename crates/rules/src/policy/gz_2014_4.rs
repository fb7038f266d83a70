//! 《广州市就业困难人员就业援助实施办法》 (穗人社发〔2014〕4号), 第三条.
//!
//! > 本办法所称就业困难人员是指在法定劳动年龄内、有劳动能力和迫切就业愿望，愿意接受公共就业服务机构
//! > 就业援助的下列本市户籍登记失业人员：……
//!
//! Thresholds come from `policies/gz-2014-4.toml`; each rule below quotes the text it implements.

use super::file::{CategorySpec, Entries, Param};
use super::{AgeThreshold, Outcome};
use crate::calendar::Date;
use crate::clock::Clock;
use crate::explain::{age_clause, age_short_clause, months_clause, months_short_clause};
use crate::facts::{Fact, Facts};
use crate::lang::Lang;

/// Categories in article order; bit i of an outcome is entry i.
pub(super) const CATEGORIES: &[CategorySpec] = &[
    CategorySpec { code: "older_unemployed", params: &[Param::FemaleAge, Param::MaleAge] },
    CategorySpec { code: "older_rural_converted", params: &[Param::FemaleAge, Param::MaleAge] },
    CategorySpec { code: "hardship_long_term_older", params: &[Param::FemaleAge, Param::MaleAge, Param::Months] },
    CategorySpec { code: "hardship_zero_employment_family", params: &[] },
    CategorySpec { code: "hardship_low_income", params: &[] },
    CategorySpec { code: "hardship_single_parent", params: &[] },
    CategorySpec { code: "hardship_family_graduate", params: &[] },
    CategorySpec { code: "disabled_unemployed", params: &[] },
];

/// Unmet codes in the contract's order; the last is `no_category`.
pub const UNMET: &[&str] = &[
    "not_local_hukou",
    "not_registered_unemployed",
    "unable_to_work",
    "not_willing",
    "below_working_age",
    "above_working_age",
    "no_category",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Params {
    pub older_unemployed: AgeThreshold,
    pub older_rural_converted: AgeThreshold,
    pub long_term_older: AgeThreshold,
    pub long_term_months: u32,
}

impl Params {
    pub(super) fn from_entries(e: &Entries<'_>) -> Params {
        Params {
            older_unemployed: e.ages("older_unemployed"),
            older_rural_converted: e.ages("older_rural_converted"),
            long_term_older: e.ages("hardship_long_term_older"),
            long_term_months: e.months("hardship_long_term_older"),
        }
    }
}

/// 第三条 preconditions: "本市户籍登记失业人员", "在法定劳动年龄内、有劳动能力和迫切就业愿望，
/// 愿意接受公共就业服务机构就业援助". Bits in [`UNMET`] order.
#[inline]
fn failed_preconditions<C: Clock>(minimum_age: u32, f: &Facts, c: &C) -> u8 {
    let b = f.birth_date;
    u8::from(!f.has(Fact::HukouLocal))
        | u8::from(!f.has(Fact::RegisteredUnemployed)) << 1
        | u8::from(!f.has(Fact::AbleToWork)) << 2
        | u8::from(!f.has(Fact::WillingToBeAssisted)) << 3
        | u8::from(!c.age_at_least(b, minimum_age)) << 4
        | u8::from(c.retired(b, f.retirement_track())) << 5
}

/// 第三条第（一）项：大龄失业人员：指女满35周岁、男满40周岁的人员。
#[inline]
fn older_unemployed<C: Clock>(p: &Params, f: &Facts, c: &C) -> bool {
    c.age_at_least(f.birth_date, p.older_unemployed.for_sex(f.sex))
}

/// 第三条第（二）项：大龄农转居失业人员：指本市农村户籍转为城镇户籍，女满30周岁、男满35周岁的人员。
#[inline]
fn older_rural_converted<C: Clock>(p: &Params, f: &Facts, c: &C) -> bool {
    f.has(Fact::RuralToUrban) & c.age_at_least(f.birth_date, p.older_rural_converted.for_sex(f.sex))
}

/// 第三条第（三）项第1目：女满40周岁、男满45周岁，且连续失业6个月以上。
/// Without a start date of the unemployment, six months cannot be shown.
#[inline]
fn hardship_long_term_older<C: Clock>(p: &Params, f: &Facts, c: &C) -> bool {
    c.age_at_least(f.birth_date, p.long_term_older.for_sex(f.sex))
        & c.months_reached_since(f.unemployed_since, p.long_term_months)
}

/// 第三条第（三）项第2目：“零就业家庭”失业人员。
#[inline]
fn hardship_zero_employment_family(f: &Facts) -> bool {
    f.has(Fact::ZeroEmploymentFamily)
}

/// 第三条第（三）项第3目：享受城市居民最低生活保障待遇或低收入家庭成员中的失业人员。
#[inline]
fn hardship_low_income(f: &Facts) -> bool {
    f.has(Fact::MinimumLivingAllowance) || f.has(Fact::LowIncomeFamily)
}

/// 第三条第（三）项第4目：属单亲家庭需抚养子女一方。
#[inline]
fn hardship_single_parent(f: &Facts) -> bool {
    f.has(Fact::SingleParentRaisingChildren)
}

/// 第三条第（四）项：特困家庭高校毕业生：指父母一方或双方持有《广州市特困职工证》、《广州市城镇居民
/// 最低生活保障金领取证》、《广州市农村村民最低生活保障金领取证》或《广州市低收入困难家庭证》之一的
/// 困难家庭未就业高校毕业生。
#[inline]
fn hardship_family_graduate(f: &Facts) -> bool {
    f.has(Fact::CollegeGraduate) & (f.parent_certificates != 0)
}

/// 第三条第（五）项：残疾失业人员。
#[inline]
fn disabled_unemployed(f: &Facts) -> bool {
    f.has(Fact::Disabled)
}

#[inline]
pub(crate) fn evaluate<C: Clock>(p: &Params, minimum_age: u32, f: &Facts, c: &C) -> Outcome {
    let failed = failed_preconditions(minimum_age, f, c);
    let matched = u16::from(older_unemployed(p, f, c))
        | u16::from(older_rural_converted(p, f, c)) << 1
        | u16::from(hardship_long_term_older(p, f, c)) << 2
        | u16::from(hardship_zero_employment_family(f)) << 3
        | u16::from(hardship_low_income(f)) << 4
        | u16::from(hardship_single_parent(f)) << 5
        | u16::from(hardship_family_graduate(f)) << 6
        | u16::from(disabled_unemployed(f)) << 7;
    Outcome::combine(failed, matched, 6)
}

/// The facts a matched category rests on, in words.
pub(super) fn because(p: &Params, code: &str, f: &Facts, on: Date, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match code {
        "older_unemployed" => age_clause(f, on, p.older_unemployed, lang),
        "older_rural_converted" => {
            let prefix = if zh { "农村户籍转为城镇户籍，" } else { "hukou converted from rural to urban, " };
            format!("{prefix}{}", age_clause(f, on, p.older_rural_converted, lang))
        }
        "hardship_long_term_older" => {
            let since = f.unemployed_since.expect("matched only with a start date");
            let sep = if zh { "，" } else { ", " };
            format!(
                "{}{sep}{}",
                age_clause(f, on, p.long_term_older, lang),
                months_clause(since, on, p.long_term_months, lang)
            )
        }
        "hardship_zero_employment_family" => {
            if zh { "“零就业家庭”成员" } else { "member of a zero-employment family" }.to_owned()
        }
        "hardship_low_income" => match (f.has(Fact::MinimumLivingAllowance), zh) {
            (true, true) => "家庭享受城市居民最低生活保障待遇".to_owned(),
            (true, false) => "household receives minimum living allowance".to_owned(),
            (false, true) => "低收入家庭成员".to_owned(),
            (false, false) => "member of a certified low-income family".to_owned(),
        },
        "hardship_single_parent" => {
            if zh { "单亲家庭，需抚养子女" } else { "single parent raising children" }.to_owned()
        }
        "hardship_family_graduate" => {
            let n = f.parent_certificates.count_ones();
            if zh {
                format!("未就业高校毕业生，父母持有困难证件{n}种")
            } else {
                format!("unemployed college graduate; parents hold {n} hardship certificate(s)")
            }
        }
        "disabled_unemployed" => if zh { "持有残疾人证" } else { "holds a disability certificate" }.to_owned(),
        _ => String::new(),
    }
}

/// Why a category does not match, the preconditions holding: the facts it lacks, in words.
pub(super) fn why_not<C: Clock>(p: &Params, code: &str, f: &Facts, on: Date, c: &C, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let text = |z: &str, e: &str| if zh { z } else { e }.to_owned();
    let sep = if zh { "；" } else { "; " };
    match code {
        "older_unemployed" => age_short_clause(f, on, p.older_unemployed, lang),
        "older_rural_converted" if !f.has(Fact::RuralToUrban) => {
            text("非本市农村户籍转为城镇户籍人员", "hukou was not converted from rural to urban in this city")
        }
        "older_rural_converted" => age_short_clause(f, on, p.older_rural_converted, lang),
        "hardship_long_term_older" => {
            let mut unmet = Vec::with_capacity(2);
            if !c.age_at_least(f.birth_date, p.long_term_older.for_sex(f.sex)) {
                unmet.push(age_short_clause(f, on, p.long_term_older, lang));
            }
            if !c.months_reached_since(f.unemployed_since, p.long_term_months) {
                let what =
                    ("连续失业起始日期（unemployed_since）", "unemployed_since (the start of continuous unemployment)");
                unmet.push(months_short_clause(f.unemployed_since, what, on, p.long_term_months, lang));
            }
            unmet.join(sep)
        }
        "hardship_zero_employment_family" => text("非“零就业家庭”成员", "not a member of a zero-employment family"),
        "hardship_low_income" => text(
            "未享受城市居民最低生活保障待遇，也非低收入家庭成员",
            "neither receives minimum living allowance nor belongs to a certified low-income family",
        ),
        "hardship_single_parent" => text("非单亲家庭需抚养子女一方", "not a single parent raising children"),
        "hardship_family_graduate" if !f.has(Fact::CollegeGraduate) => {
            text("非未就业高校毕业生", "not an unemployed college graduate")
        }
        "hardship_family_graduate" => {
            text("父母未持有所列困难证件", "parents hold none of the listed hardship certificates")
        }
        "disabled_unemployed" => text("未持有残疾人证", "holds no disability certificate"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::facts::{Fact, Facts, FemaleRetirementTrack, Sex};
    use crate::lang::Lang;
    use crate::policy::test_support::{codes, d, policy};

    /// Local, registered, able and willing: every precondition of 第三条 except age.
    fn person(birth: &str, sex: Sex) -> Facts {
        Facts::born(d(birth), sex)
            .with(Fact::HukouLocal)
            .with(Fact::RegisteredUnemployed)
            .with(Fact::AbleToWork)
            .with(Fact::WillingToBeAssisted)
    }

    #[test]
    fn hardship_of_the_long_term_older_without_a_start_of_unemployment_says_so() {
        let p = policy("gz-2014-4");
        let on = d("2016-06-01");
        let man = person("1970-01-01", Sex::Male);
        let r = p.unmet_for("hardship_long_term_older", &man, on, Lang::Zh);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].citation, "第三条第（三）项第1目");
        assert!(r[0].because.contains("unemployed_since") && r[0].because.contains("6个月"), "{}", r[0].because);
        let young = person("1980-01-01", Sex::Male);
        let r = p.unmet_for("hardship_long_term_older", &young, on, Lang::En);
        assert_eq!(
            r[0].because,
            "male, age 36 < 45; no unemployed_since (the start of continuous unemployment): 6 months cannot be shown"
        );
        // A failed precondition is the reason, whatever the category asks.
        let not_registered = Facts::born(d("1970-01-01"), Sex::Male)
            .with(Fact::HukouLocal)
            .with(Fact::AbleToWork)
            .with(Fact::WillingToBeAssisted);
        let r = p.unmet_for("hardship_low_income", &not_registered, on, Lang::Zh);
        assert_eq!(r.iter().map(|r| r.code).collect::<Vec<_>>(), ["not_registered_unemployed"]);
        assert!(p.unmet_for("older_unemployed", &man, on, Lang::Zh).is_empty(), "granted: nothing unmet");
    }

    #[test]
    fn male_reaches_older_category_on_40th_birthday() {
        let p = policy("gz-2014-4");
        let f = person("1976-06-01", Sex::Male);
        assert_eq!(codes(&p, p.assess(&f, d("2016-05-31"))).1, ["no_category"]);
        assert_eq!(codes(&p, p.assess(&f, d("2016-06-01"))).0, ["older_unemployed"]);
    }

    #[test]
    fn female_reaches_older_category_on_35th_birthday() {
        let p = policy("gz-2014-4");
        let f = person("1981-06-01", Sex::Female);
        assert!(!p.assess(&f, d("2016-05-31")).eligible());
        assert_eq!(codes(&p, p.assess(&f, d("2016-06-01"))).0, ["older_unemployed"]);
    }

    #[test]
    fn rural_converted_thresholds_are_30_and_35() {
        let p = policy("gz-2014-4");
        let woman = person("1986-06-01", Sex::Female).with(Fact::RuralToUrban);
        assert_eq!(codes(&p, p.assess(&woman, d("2016-06-01"))).0, ["older_rural_converted"]);
        assert!(!p.assess(&woman, d("2016-05-31")).eligible());
        let man = person("1981-06-01", Sex::Male).with(Fact::RuralToUrban);
        assert_eq!(codes(&p, p.assess(&man, d("2016-06-01"))).0, ["older_rural_converted"]);
        let not_converted = person("1981-06-01", Sex::Male);
        assert!(!p.assess(&not_converted, d("2016-06-01")).eligible());
    }

    #[test]
    fn long_term_older_needs_age_and_six_months_with_month_end_clamp() {
        let p = policy("gz-2014-4");
        let mut man = person("1970-01-01", Sex::Male);
        man.unemployed_since = Some(d("2015-08-31"));
        let on_clamp = p.assess(&man, d("2016-02-29"));
        assert_eq!(codes(&p, on_clamp).0, ["older_unemployed", "hardship_long_term_older"]);
        assert_eq!(codes(&p, p.assess(&man, d("2016-02-28"))).0, ["older_unemployed"]);
        man.unemployed_since = None;
        assert_eq!(codes(&p, p.assess(&man, d("2016-06-01"))).0, ["older_unemployed"]);
        let mut woman = person("1976-03-01", Sex::Female);
        woman.unemployed_since = Some(d("2015-09-01"));
        assert_eq!(codes(&p, p.assess(&woman, d("2016-03-01"))).0, ["older_unemployed", "hardship_long_term_older"]);
        assert_eq!(codes(&p, p.assess(&woman, d("2016-02-29"))).0, ["older_unemployed"]);
    }

    #[test]
    fn each_hardship_sub_type_matches_on_its_fact() {
        let p = policy("gz-2014-4");
        let young = person("1995-01-01", Sex::Female);
        let cases = [
            (young.with(Fact::ZeroEmploymentFamily), "hardship_zero_employment_family"),
            (young.with(Fact::MinimumLivingAllowance), "hardship_low_income"),
            (young.with(Fact::LowIncomeFamily), "hardship_low_income"),
            (young.with(Fact::SingleParentRaisingChildren), "hardship_single_parent"),
            (young.with(Fact::Disabled), "disabled_unemployed"),
        ];
        for (f, code) in cases {
            assert_eq!(codes(&p, p.assess(&f, d("2016-06-01"))).0, [code]);
        }
        let mut graduate = young.with(Fact::CollegeGraduate);
        assert_eq!(codes(&p, p.assess(&graduate, d("2016-06-01"))).1, ["no_category"]);
        graduate.parent_certificates = crate::facts::ParentCertificate::RuralMinimumLiving.bit();
        assert_eq!(codes(&p, p.assess(&graduate, d("2016-06-01"))).0, ["hardship_family_graduate"]);
    }

    #[test]
    fn every_failed_precondition_is_listed_and_categories_are_empty() {
        let p = policy("gz-2014-4");
        let f = Facts::born(d("2005-01-01"), Sex::Male).with(Fact::Disabled);
        let o = p.assess(&f, d("2016-06-01"));
        assert_eq!(o.categories, 0);
        assert_eq!(
            codes(&p, o).1,
            ["not_local_hukou", "not_registered_unemployed", "unable_to_work", "not_willing", "below_working_age"]
        );
    }

    #[test]
    fn working_age_starts_on_the_16th_birthday_and_ends_on_the_retirement_date() {
        let p = policy("gz-2014-4");
        let teen = person("2000-06-01", Sex::Male).with(Fact::Disabled);
        assert_eq!(codes(&p, p.assess(&teen, d("2016-05-31"))).1, ["below_working_age"]);
        assert!(p.assess(&teen, d("2016-06-01")).eligible());
        let man = person("1956-06-01", Sex::Male);
        assert!(p.assess(&man, d("2016-05-31")).eligible());
        assert_eq!(codes(&p, p.assess(&man, d("2016-06-01"))).1, ["above_working_age"]);
        let mut woman = person("1966-06-01", Sex::Female);
        assert_eq!(codes(&p, p.assess(&woman, d("2016-06-01"))).1, ["above_working_age"]);
        woman.female_retirement_track = FemaleRetirementTrack::Cadre;
        assert!(p.assess(&woman, d("2016-06-01")).eligible());
        assert_eq!(codes(&p, p.assess(&woman, d("2021-06-01"))).1, ["above_working_age"]);
    }

    #[test]
    fn explanations_cite_the_article_and_state_the_facts() {
        let p = policy("gz-2014-4");
        let f = person("1975-01-01", Sex::Male).with(Fact::MinimumLivingAllowance);
        let on = d("2016-06-01");
        let o = p.assess(&f, on);
        let reasons = p.explain(&f, on, o, crate::lang::Lang::En);
        assert_eq!(reasons[0].citation, "第三条第（一）项");
        assert_eq!(reasons[0].because, "male, age 41 >= 40");
        assert_eq!(reasons[1].code, "hardship_low_income");
        assert_eq!(reasons[1].because, "household receives minimum living allowance");
        let zh = p.explain(&f, on, o, crate::lang::Lang::Zh);
        assert_eq!(zh[0].because, "男，41周岁，满40周岁");
    }
}
