//! The categories one may apply under: 穗人社发〔2014〕4号 第三条第（三）项's four sub-types and
//! 粤人社规〔2023〕11号's twelve, read from the policy files.

use std::fmt;

use yuanzhu_rules::Lang;
use yuanzhu_rules::policy::{Policy, Recognition, Rules};

use super::pick;

/// 穗人社发〔2014〕4号 第三条第（三）项 特困失业人员 (extreme hardship), recognised only on application
/// (第五条: "属于第三条第（三）项人员，应向户籍所在街（镇）公共就业服务机构申办特困失业人员认定手续").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HardshipSubType {
    /// 第1目：女满40周岁、男满45周岁，且连续失业6个月以上。
    LongTermOlder,
    /// 第2目：“零就业家庭”失业人员。
    ZeroEmploymentHousehold,
    /// 第3目：享受城市居民最低生活保障待遇或低收入家庭成员中的失业人员。
    MinimumLivingAllowanceOrLowIncome,
    /// 第4目：属单亲家庭需抚养子女一方。
    SingleParentHousehold,
}

impl HardshipSubType {
    pub const ALL: [HardshipSubType; 4] = [
        HardshipSubType::LongTermOlder,
        HardshipSubType::ZeroEmploymentHousehold,
        HardshipSubType::MinimumLivingAllowanceOrLowIncome,
        HardshipSubType::SingleParentHousehold,
    ];

    /// The contract's category code (policies/gz-2014-4.toml).
    pub const fn code(self) -> &'static str {
        match self {
            HardshipSubType::LongTermOlder => "hardship_long_term_older",
            HardshipSubType::ZeroEmploymentHousehold => "hardship_zero_employment_family",
            HardshipSubType::MinimumLivingAllowanceOrLowIncome => "hardship_low_income",
            HardshipSubType::SingleParentHousehold => "hardship_single_parent",
        }
    }

    /// The 目 of 第三条第（三）项, 1 to 4.
    pub const fn item(self) -> u8 {
        self as u8 + 1
    }

    pub const fn citation(self) -> &'static str {
        ["第三条第（三）项第1目", "第三条第（三）项第2目", "第三条第（三）项第3目", "第三条第（三）项第4目"]
            [self as usize]
    }

    pub fn from_code(code: &str) -> Option<HardshipSubType> {
        HardshipSubType::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The twelve categories of 粤人社规〔2023〕11号 第一条, every one recognised on application.
/// Provisional: items (1)–(11) were read in the official text, item (12) only in older lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProvincialCategory {
    OlderUnemployed,
    Disabled,
    MinimumLivingAllowance,
    UrbanZeroEmploymentFamily,
    RuralZeroTransferPoorFamily,
    LandlessFarmer,
    LongTermUnemployed,
    DrugRehabilitated,
    ReleasedPrisoner,
    MentalHealthRecovered,
    VeteranUnemployed,
    CaregiverOfSeriouslyIll,
}

/// Per category: code (policies/gd-2023-11.toml) and the evidence the category's definition calls
/// for (notes §1.2). Which papers the 2023 text lists was not read [U], so the evidence names say
/// what must be shown rather than naming a form, except where the definition names one.
pub(super) const PROVINCIAL: [(&str, &str, &str); 12] = [
    ("older_unemployed", "居民身份证（核验年龄）", "Resident identity card (to verify age)"),
    (
        "disabled",
        "《中华人民共和国残疾人证》或退役军人事务部门核发的残疾证件",
        "Disability certificate of the PRC, or one issued by the veterans-affairs department",
    ),
    (
        "minimum_living_allowance",
        "享受最低生活保障待遇的证明（民政部门低保管理系统记录）",
        "Proof of the minimum living allowance (civil-affairs system record)",
    ),
    (
        "urban_zero_employment_family",
        "户口簿及同户劳动年龄内家庭成员均处于无业状态的证明",
        "Household register and proof that every working-age household member is without work",
    ),
    (
        "rural_zero_transfer_poor_family",
        "户口簿、原建档立卡贫困家庭证明及家庭成员均处于无业状态的证明",
        "Household register, proof of former registered-poor status, and proof no member is in work",
    ),
    (
        "landless_farmer",
        "市、县人民政府组织征收全部土地的证明",
        "Proof that all land was expropriated by a city or county government",
    ),
    ("long_term_unemployed", "失业登记记录（连续失业1年以上）", "Unemployment registration record (one year or more)"),
    ("drug_rehabilitated", "戒毒治疗康复证明", "Proof of completed drug treatment and rehabilitation"),
    ("released_prisoner", "《释放证明书》", "Release certificate"),
    ("mental_health_recovered", "精神障碍治疗康复证明", "Proof of recovery from a mental disorder"),
    (
        "veteran_unemployed",
        "退役证件及失业登记记录（失业6个月以上）",
        "Discharge papers and unemployment registration record (six months or more)",
    ),
    (
        "caregiver_of_seriously_ill",
        "户口簿及同户直系亲属患重大疾病的诊断证明",
        "Household register and diagnosis of the lineal relative's serious illness",
    ),
];

impl ProvincialCategory {
    pub const ALL: [ProvincialCategory; 12] = [
        ProvincialCategory::OlderUnemployed,
        ProvincialCategory::Disabled,
        ProvincialCategory::MinimumLivingAllowance,
        ProvincialCategory::UrbanZeroEmploymentFamily,
        ProvincialCategory::RuralZeroTransferPoorFamily,
        ProvincialCategory::LandlessFarmer,
        ProvincialCategory::LongTermUnemployed,
        ProvincialCategory::DrugRehabilitated,
        ProvincialCategory::ReleasedPrisoner,
        ProvincialCategory::MentalHealthRecovered,
        ProvincialCategory::VeteranUnemployed,
        ProvincialCategory::CaregiverOfSeriouslyIll,
    ];

    pub const fn code(self) -> &'static str {
        PROVINCIAL[self as usize].0
    }

    /// The 项 of 第一条, 1 to 12.
    pub const fn item(self) -> u8 {
        self as u8 + 1
    }

    pub fn citation(self) -> String {
        format!("第一条第（{}）项", chinese_numeral(self.item()))
    }

    pub fn from_code(code: &str) -> Option<ProvincialCategory> {
        ProvincialCategory::ALL.into_iter().find(|c| c.code() == code)
    }
}

fn chinese_numeral(n: u8) -> &'static str {
    ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"][usize::from(n.min(12))]
}

/// The rulebook-specific part of an [`ApplicationCategory`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CategoryRule {
    Gz2014(HardshipSubType),
    Gd2023(ProvincialCategory),
}

impl CategoryRule {
    pub const fn code(self) -> &'static str {
        match self {
            CategoryRule::Gz2014(s) => s.code(),
            CategoryRule::Gd2023(c) => c.code(),
        }
    }
}

/// A category applied for under one policy: the policy id and the category code. Built only by
/// checking the pair, so it always names a category that is recognised on application.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApplicationCategory {
    policy: String,
    rule: CategoryRule,
}

impl serde::Serialize for ApplicationCategory {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("ApplicationCategory", 2)?;
        st.serialize_field("policy", &self.policy)?;
        st.serialize_field("code", self.code())?;
        st.end()
    }
}

/// Why a policy id and category code do not make an application category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategoryError {
    UnknownPolicy {
        policy: String,
    },
    UnknownCategory {
        policy: String,
        code: String,
    },
    /// The category exists but is recognised automatically (穗人社发〔2014〕4号 第四条).
    Automatic {
        policy: String,
        code: String,
    },
}

impl CategoryError {
    pub const fn field(&self) -> &'static str {
        match self {
            CategoryError::UnknownPolicy { .. } => "policy",
            _ => "category",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            CategoryError::UnknownPolicy { policy } => pick(
                lang,
                format!("policy（政策）：未知的政策“{policy}”，或该政策没有申请认定的程序"),
                format!("policy: unknown policy `{policy}`, or it has no application procedure"),
            ),
            CategoryError::UnknownCategory { policy, code } => pick(
                lang,
                format!("category（申请类别）：政策“{policy}”没有类别“{code}”"),
                format!("category: policy `{policy}` has no category `{code}`"),
            ),
            CategoryError::Automatic { policy, code } => pick(
                lang,
                format!("category（申请类别）：政策“{policy}”的类别“{code}”在失业登记时自动认定，无须申请"),
                format!("category: under `{policy}`, `{code}` is recognised automatically at registration"),
            ),
        }
    }
}

impl fmt::Display for CategoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for CategoryError {}

impl ApplicationCategory {
    pub const GZ_2014_4: &'static str = "gz-2014-4";
    pub const GD_2023_11: &'static str = "gd-2023-11";

    /// A hardship sub-type under gz-2014-4.
    pub fn hardship(sub: HardshipSubType) -> ApplicationCategory {
        ApplicationCategory { policy: Self::GZ_2014_4.to_owned(), rule: CategoryRule::Gz2014(sub) }
    }

    /// A category under gd-2023-11.
    pub fn provincial(category: ProvincialCategory) -> ApplicationCategory {
        ApplicationCategory { policy: Self::GD_2023_11.to_owned(), rule: CategoryRule::Gd2023(category) }
    }

    /// A pair under one of the two shipped policies, as stored.
    pub fn parse(policy: &str, code: &str) -> Result<ApplicationCategory, CategoryError> {
        let unknown = || CategoryError::UnknownCategory { policy: policy.to_owned(), code: code.to_owned() };
        match policy {
            Self::GZ_2014_4 => HardshipSubType::from_code(code).map(Self::hardship).ok_or_else(unknown),
            Self::GD_2023_11 => ProvincialCategory::from_code(code).map(Self::provincial).ok_or_else(unknown),
            _ => Err(CategoryError::UnknownPolicy { policy: policy.to_owned() }),
        }
    }

    /// A category of a loaded policy file, which must list it as recognised on application. A new
    /// file for an existing rulebook works without a new build.
    pub fn of_policy(policy: &Policy, code: &str) -> Result<ApplicationCategory, CategoryError> {
        let unknown = || CategoryError::UnknownCategory { policy: policy.id.clone(), code: code.to_owned() };
        let listed = policy.categories.iter().find(|c| c.code == code).ok_or_else(unknown)?;
        if listed.recognition != Recognition::Application {
            return Err(CategoryError::Automatic { policy: policy.id.clone(), code: code.to_owned() });
        }
        let rule = match policy.rules {
            Rules::Gz2014(_) => HardshipSubType::from_code(code).map(CategoryRule::Gz2014),
            Rules::Gd2023(_) => ProvincialCategory::from_code(code).map(CategoryRule::Gd2023),
        };
        // A category a policy file marks "application" but for which no checklist exists yet (for
        // example gz-2014-4's automatic categories switched by a later file) cannot be applied for.
        rule.map(|rule| ApplicationCategory { policy: policy.id.clone(), rule })
            .ok_or_else(|| CategoryError::UnknownPolicy { policy: policy.id.clone() })
    }

    pub fn policy(&self) -> &str {
        &self.policy
    }

    pub const fn code(&self) -> &'static str {
        self.rule.code()
    }

    pub const fn rule(&self) -> CategoryRule {
        self.rule
    }
}

#[cfg(test)]
mod tests {
    use yuanzhu_rules::PolicySet;
    use yuanzhu_rules::policy::{Policy, Recognition};

    use crate::application::fixtures::*;

    // ---- categories against the policy files ----

    #[test]
    fn categories_match_the_policy_files() {
        let set = PolicySet::embedded();
        let gz = set.by_id("gz-2014-4").unwrap();
        let gd = set.by_id("gd-2023-11").unwrap();
        let by_application = |p: &Policy| -> Vec<&str> {
            p.categories.iter().filter(|c| c.recognition == Recognition::Application).map(|c| c.code).collect()
        };
        assert_eq!(by_application(gz), H::ALL.map(H::code).to_vec());
        assert_eq!(by_application(gd), ProvincialCategory::ALL.map(ProvincialCategory::code).to_vec());
        for sub in H::ALL {
            let c = ApplicationCategory::of_policy(gz, sub.code()).unwrap();
            assert_eq!(c, ApplicationCategory::hardship(sub));
            assert_eq!(ApplicationCategory::parse("gz-2014-4", sub.code()).unwrap(), c);
            let listed = gz.categories.iter().find(|x| x.code == sub.code()).unwrap();
            assert_eq!(listed.citation, sub.citation());
        }
        for cat in ProvincialCategory::ALL {
            let c = ApplicationCategory::of_policy(gd, cat.code()).unwrap();
            assert_eq!((c.policy(), c.code()), ("gd-2023-11", cat.code()));
            let listed = gd.categories.iter().find(|x| x.code == cat.code()).unwrap();
            assert_eq!(listed.citation, cat.citation());
        }
    }

    #[test]
    fn automatic_and_unknown_categories_cannot_be_applied_for() {
        let set = PolicySet::embedded();
        let gz = set.by_id("gz-2014-4").unwrap();
        let e = ApplicationCategory::of_policy(gz, "older_unemployed").unwrap_err();
        assert!(matches!(e, CategoryError::Automatic { .. }));
        assert_eq!(e.field(), "category");
        assert!(e.message(Lang::Zh).contains("自动认定"));
        assert!(matches!(ApplicationCategory::of_policy(gz, "nope"), Err(CategoryError::UnknownCategory { .. })));
        assert!(matches!(
            ApplicationCategory::parse("gd-2023-11", "hardship_low_income"),
            Err(CategoryError::UnknownCategory { .. })
        ));
        let e = ApplicationCategory::parse("sz-2023-10", "disabled").unwrap_err();
        assert_eq!(e.field(), "policy");
    }
}
