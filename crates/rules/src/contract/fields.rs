//! The fields of an input record, in the order of the contract's tables. That order decides
//! which error a record with several problems gets.

use crate::facts::Fact;

/// What kind of value a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Date,
    Bool,
    Sex,
    Track,
    Certificates,
}

macro_rules! fields {
    ($($variant:ident = $name:literal : $kind:ident $(=> $fact:ident)?,)*) => {
        /// A field of the contract's input record.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Field { $($variant,)* }

        impl Field {
            /// Every field, in the contract's table order.
            pub const ALL: [Field; [$(Field::$variant,)*].len()] = [$(Field::$variant,)*];

            pub const fn name(self) -> &'static str {
                match self { $(Field::$variant => $name,)* }
            }

            pub const fn kind(self) -> Kind {
                match self { $(Field::$variant => Kind::$kind,)* }
            }

            /// The yes/no fact a boolean field sets.
            pub const fn fact(self) -> Option<Fact> {
                match self {
                    $($(Field::$variant => Some(Fact::$fact),)?)*
                    _ => None,
                }
            }

            pub fn from_name(name: &str) -> Option<Field> {
                match name { $($name => Some(Field::$variant),)* _ => None }
            }
        }
    };
}

fields! {
    Ref = "ref": Text,
    AsOf = "as_of": Date,
    IdNumber = "id_number": Text,
    BirthDate = "birth_date": Date,
    Sex = "sex": Sex,
    FemaleRetirementTrack = "female_retirement_track": Track,
    HukouLocal = "hukou_local": Bool => HukouLocal,
    RuralToUrban = "rural_to_urban": Bool => RuralToUrban,
    RegisteredUnemployed = "registered_unemployed": Bool => RegisteredUnemployed,
    UnemployedSince = "unemployed_since": Date,
    AbleToWork = "able_to_work": Bool => AbleToWork,
    WillingToBeAssisted = "willing_to_be_assisted": Bool => WillingToBeAssisted,
    Disabled = "disabled": Bool => Disabled,
    ZeroEmploymentFamily = "zero_employment_family": Bool => ZeroEmploymentFamily,
    MinimumLivingAllowance = "minimum_living_allowance": Bool => MinimumLivingAllowance,
    LowIncomeFamily = "low_income_family": Bool => LowIncomeFamily,
    SingleParentRaisingChildren = "single_parent_raising_children": Bool => SingleParentRaisingChildren,
    CollegeGraduate = "college_graduate": Bool => CollegeGraduate,
    ParentCertificates = "parent_certificates": Certificates,
    HukouInProvince = "hukou_in_province": Bool => HukouInProvince,
    WithoutWork = "without_work": Bool => WithoutWork,
    RuralHukou = "rural_hukou": Bool => RuralHukou,
    FormerlyRegisteredPoorHousehold = "formerly_registered_poor_household": Bool => FormerlyRegisteredPoorHousehold,
    LandlessFarmer = "landless_farmer": Bool => LandlessFarmer,
    UnemploymentRegisteredOn = "unemployment_registered_on": Date,
    DrugRehabilitated = "drug_rehabilitated": Bool => DrugRehabilitated,
    ReleasedPrisoner = "released_prisoner": Bool => ReleasedPrisoner,
    MentalHealthRecovered = "mental_health_recovered": Bool => MentalHealthRecovered,
    Veteran = "veteran": Bool => Veteran,
    CaregiverOfSeriouslyIllRelative = "caregiver_of_seriously_ill_relative": Bool => CaregiverOfSeriouslyIllRelative,
}

impl Field {
    /// The field's name in Chinese, as messages and Chinese headers say it.
    pub const fn name_zh(self) -> &'static str {
        use Field::*;
        match self {
            Ref => "记录编号",
            AsOf => "评估日期",
            IdNumber => "身份证号",
            BirthDate => "出生日期",
            Sex => "性别",
            FemaleRetirementTrack => "女性退休类别",
            HukouLocal => "本市户籍",
            RuralToUrban => "农转居",
            RegisteredUnemployed => "已办理失业登记",
            UnemployedSince => "失业起始日",
            AbleToWork => "有劳动能力",
            WillingToBeAssisted => "有就业援助意愿",
            Disabled => "持残疾证",
            ZeroEmploymentFamily => "零就业家庭",
            MinimumLivingAllowance => "享受最低生活保障",
            LowIncomeFamily => "低收入困难家庭",
            SingleParentRaisingChildren => "单亲抚养未成年子女",
            CollegeGraduate => "高校毕业生",
            ParentCertificates => "父母证件",
            HukouInProvince => "本省户籍",
            WithoutWork => "未就业",
            RuralHukou => "农村户籍",
            FormerlyRegisteredPoorHousehold => "原建档立卡贫困户",
            LandlessFarmer => "失地农民",
            UnemploymentRegisteredOn => "失业登记日期",
            DrugRehabilitated => "戒毒康复人员",
            ReleasedPrisoner => "刑满释放人员",
            MentalHealthRecovered => "精神障碍康复者",
            Veteran => "退役军人",
            CaregiverOfSeriouslyIllRelative => "需照料重病家属",
        }
    }
}

/// A field's name in a message in `lang`: its Chinese name, or the name as given when it is
/// not a field (an unknown column is named as it was typed).
pub fn label(name: &str, lang: crate::Lang) -> &str {
    match (Field::from_name(name), lang) {
        (Some(f), crate::Lang::Zh) => f.name_zh(),
        _ => name,
    }
}

/// The number of fields.
pub const COUNT: usize = Field::ALL.len();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_order_follows_the_tables() {
        for (i, f) in Field::ALL.iter().enumerate() {
            assert_eq!(*f as usize, i);
            assert_eq!(Field::from_name(f.name()), Some(*f));
        }
        assert_eq!(Field::from_name("disabld"), None);
        assert_eq!(Field::ALL[2].name(), "id_number");
        assert_eq!(Field::ALL[COUNT - 1].name(), "caregiver_of_seriously_ill_relative");
    }

    #[test]
    fn chinese_names_are_unique_so_a_chinese_header_names_one_field() {
        let names: std::collections::HashSet<_> = Field::ALL.iter().map(|f| f.name_zh()).collect();
        assert_eq!(names.len(), COUNT);
        assert!(names.iter().all(|n| n.chars().all(|c| !c.is_ascii())));
    }
}
