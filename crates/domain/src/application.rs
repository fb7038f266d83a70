//! Recognition by application (认定申请): the hardship application of 穗人社发〔2014〕4号 第五条, and
//! the application of 粤人社规〔2023〕11号 chapter 2 (provisional: read in a third-party copy, notes §1.4).
//!
//! An [`Application`] is the fold of its [`Event`]s (who, when, what). Every change goes through
//! [`Application::apply`], so the checks that guard a live application also guard one rebuilt from
//! storage by [`Application::replay`]. Fields are private: an application that skipped a check cannot
//! be built.
//!
//! ```text
//!   from ╲ to   Submitted           Deficient                     Approved  Rejected  Withdrawn
//!   Draft       submit (complete)   submit (documents missing)    —         —         withdraw
//!   Submitted   —                   mark_deficient (if none yet)  approve   reject    withdraw
//!   Deficient   submit (complete)   —                             —         reject    withdraw
//! ```
//!
//! Approved, Rejected and Withdrawn are final. Documents are added only in Draft and Deficient.
//!
//! Where the texts are silent, the choice is stated at the rule it shapes: [`Application::submit`]
//! (missing documents serve the one-time notice at once), [`Application::mark_deficient`] (the
//! notice lists every gap), [`Document::accepts_commitment`] (what 告知承诺制 may replace),
//! [`Application::appeal_deadline`] (day counting) and [`add_working_days`] (no public holidays).

use std::collections::BTreeMap;
use std::fmt;

use yuanzhu_rules::policy::{Policy, Recognition, Rules};
use yuanzhu_rules::{Date, Lang};

/// Picks the caseworker's language.
pub(crate) fn pick(lang: Lang, zh: String, en: String) -> String {
    if lang == Lang::Zh { zh } else { en }
}

/// Whether a required text is missing: blank counts as missing, because a blank reason tells the
/// applicant nothing.
pub(crate) fn blank(text: &str) -> bool {
    text.trim().is_empty()
}

/// Serializes a coded value as its stable code, so that it can also be a JSON map key.
macro_rules! serialize_as_code {
    ($($t:ty),*) => {$(
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }
    )*};
}

serialize_as_code!(HardshipSubType, ProvincialCategory, Document);

// ---------------------------------------------------------------------------------------------
// Categories
// ---------------------------------------------------------------------------------------------

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
const PROVINCIAL: [(&str, &str, &str); 12] = [
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

// ---------------------------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------------------------

/// A document an application needs, as the policy lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Document {
    /// 第五条第（一）项：本人《就业失业登记证》. Renamed 《就业创业证》 from 2015 (人社部发〔2014〕97号,
    /// notes §4.2); either name is the same certificate.
    EmploymentUnemploymentCertificate,
    /// 第五条第（一）项：《广州市特困失业人员申请登记表》一式三份.
    HardshipApplicationForm,
    /// 第五条第（二）项：第2目的人员，还需提供家庭成员中其他劳动力的《就业失业登记证》.
    HouseholdLabourersCertificates,
    /// 第五条第（三）项：第3目的人员，还需提供民政部门核发的《广州市城镇居民（农村村民）最低生活保障金
    /// 领取证》或《广州市低收入困难家庭证》原件及复印件. Either certificate fills the one slot.
    MinimumLivingAllowanceOrLowIncomeCertificate,
    /// 粤人社规〔2023〕11号 chapter 2: 《广东省就业困难人员认定申请表》 (notes §1.4, provisional).
    ApplicationForm,
    /// 粤人社规〔2023〕11号: evidence for the category applied for. Provisional: the 2023 text's list of
    /// papers was not read, so the names say what the category's definition requires be shown.
    CategoryEvidence(ProvincialCategory),
}

impl Document {
    /// Every kind of document, for listing.
    pub fn all() -> Vec<Document> {
        let mut all = vec![
            Document::EmploymentUnemploymentCertificate,
            Document::HardshipApplicationForm,
            Document::HouseholdLabourersCertificates,
            Document::MinimumLivingAllowanceOrLowIncomeCertificate,
            Document::ApplicationForm,
        ];
        all.extend(ProvincialCategory::ALL.map(Document::CategoryEvidence));
        all
    }

    pub const fn code(self) -> &'static str {
        match self {
            Document::EmploymentUnemploymentCertificate => "employment_unemployment_certificate",
            Document::HardshipApplicationForm => "hardship_application_form",
            Document::HouseholdLabourersCertificates => "household_labourers_certificates",
            Document::MinimumLivingAllowanceOrLowIncomeCertificate => {
                "minimum_living_allowance_or_low_income_certificate"
            }
            Document::ApplicationForm => "application_form",
            Document::CategoryEvidence(c) => PROVINCIAL[c as usize].0,
        }
    }

    pub fn name(self, lang: Lang) -> &'static str {
        if lang == Lang::Zh { self.name_zh() } else { self.name_en() }
    }

    pub const fn name_zh(self) -> &'static str {
        match self {
            Document::EmploymentUnemploymentCertificate => "本人《就业失业登记证》",
            Document::HardshipApplicationForm => "《广州市特困失业人员申请登记表》一式三份",
            Document::HouseholdLabourersCertificates => "家庭成员中其他劳动力的《就业失业登记证》",
            Document::MinimumLivingAllowanceOrLowIncomeCertificate => {
                "民政部门核发的《广州市城镇居民（农村村民）最低生活保障金领取证》或《广州市低收入困难家庭证》原件及复印件"
            }
            Document::ApplicationForm => "《广东省就业困难人员认定申请表》",
            Document::CategoryEvidence(c) => PROVINCIAL[c as usize].1,
        }
    }

    pub const fn name_en(self) -> &'static str {
        match self {
            Document::EmploymentUnemploymentCertificate => "The applicant's Employment and Unemployment Certificate",
            Document::HardshipApplicationForm => "Guangzhou extreme-hardship application form, in triplicate",
            Document::HouseholdLabourersCertificates => {
                "Employment and Unemployment Certificates of the household's other working members"
            }
            Document::MinimumLivingAllowanceOrLowIncomeCertificate => {
                "Minimum living allowance card or low-income family card from civil affairs, original and copy"
            }
            Document::ApplicationForm => "Guangdong application form for recognition of employment difficulty",
            Document::CategoryEvidence(c) => PROVINCIAL[c as usize].2,
        }
    }

    /// The article the requirement comes from.
    pub fn citation(self) -> String {
        match self {
            Document::EmploymentUnemploymentCertificate | Document::HardshipApplicationForm => {
                "第五条第（一）项".into()
            }
            Document::HouseholdLabourersCertificates => "第五条第（二）项".into(),
            Document::MinimumLivingAllowanceOrLowIncomeCertificate => "第五条第（三）项".into(),
            Document::ApplicationForm => "第二章".into(),
            Document::CategoryEvidence(c) => c.citation(),
        }
    }

    /// Read from a secondary copy or inferred from a definition, not from the policy's text.
    pub const fn provisional(self) -> bool {
        matches!(self, Document::ApplicationForm | Document::CategoryEvidence(_))
    }

    /// Whether a written commitment may stand in for this document (告知承诺制, notes §1.4: "Where a
    /// document cannot be produced, accept written commitment + public notice + staff verification").
    ///
    /// Only proof can be replaced, and only under gd-2023-11: the application form is the
    /// application itself, and 穗人社发〔2014〕4号 第五条 lists papers to "提交" with no alternative.
    pub const fn accepts_commitment(self) -> bool {
        matches!(self, Document::CategoryEvidence(_))
    }
}

/// The documents an application in `category` needs, in the order the article lists them.
///
/// gz-2014-4 第五条: （一） for every sub-type; （二） only for 第2目; （三） only for 第3目.
/// gd-2023-11 (provisional): the application form and the evidence for the category.
pub fn checklist(category: &ApplicationCategory) -> Vec<Document> {
    match category.rule {
        CategoryRule::Gz2014(sub) => {
            let mut docs = vec![Document::EmploymentUnemploymentCertificate, Document::HardshipApplicationForm];
            match sub {
                HardshipSubType::ZeroEmploymentHousehold => docs.push(Document::HouseholdLabourersCertificates),
                HardshipSubType::MinimumLivingAllowanceOrLowIncome => {
                    docs.push(Document::MinimumLivingAllowanceOrLowIncomeCertificate)
                }
                HardshipSubType::LongTermOlder | HardshipSubType::SingleParentHousehold => {}
            }
            docs
        }
        CategoryRule::Gd2023(c) => vec![Document::ApplicationForm, Document::CategoryEvidence(c)],
    }
}

/// How a document on the checklist was supplied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Provision {
    /// The paper (or its verified electronic record) was received.
    Provided { on: Date },
    /// 告知承诺制: a signed written commitment stands in for the proof. The public notice and staff
    /// verification that go with it (notes §1.4) are not modelled here.
    CommitmentInLieuOfProof { signed_on: Date },
}

// ---------------------------------------------------------------------------------------------
// Working days and deadlines
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    pub fn of(date: Date) -> Weekday {
        Weekday::ALL[monday_index(date.to_days()) as usize]
    }

    pub const fn is_weekend(self) -> bool {
        matches!(self, Weekday::Saturday | Weekday::Sunday)
    }
}

/// 0 for Monday … 6 for Sunday; day 0 (1970-01-01) was a Thursday.
const fn monday_index(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

/// Monday to Friday. Public holidays and the weekend days worked in their place (调休) are not
/// modelled: the State Council publishes them each year, so they belong in data, not here. Until
/// then a deadline that spans a holiday comes out too early, never too late.
pub fn is_working_day(date: Date) -> bool {
    !Weekday::of(date).is_weekend()
}

/// The `n`th working day after `date` (the day itself is not counted: 民法典 第二百零一条 "开始的
/// 当日不计入"); `date` itself for `n == 0`; `None` after 9999-12-31. See [`is_working_day`].
pub fn add_working_days(date: Date, n: u32) -> Option<Date> {
    if n == 0 {
        return Some(date);
    }
    let days = date.to_days();
    // Counting from a Saturday or Sunday is counting from the Friday before: neither day counts.
    let w = monday_index(days);
    let (anchor, w) = if w >= 5 { (days - (w - 4), 4) } else { (days, w) };
    let n = i64::from(n);
    let (weeks, rest) = (n / 5, n % 5);
    let weekend = if w + rest > 4 { 2 } else { 0 };
    Date::from_days(anchor + weeks * 7 + rest + weekend)
}

/// The last day of a period of `days` days after `from` (开始的当日不计入), moved past a weekend
/// (民法典 第二百零三条: a last day that is a rest day moves to the day after it). Rest days other
/// than weekends are not modelled: see [`is_working_day`].
fn days_period_end(from: Date, days: u32) -> Option<Date> {
    let end = from.to_days() + i64::from(days);
    let w = monday_index(end);
    let past_weekend = if w >= 5 { 7 - w } else { 0 };
    Date::from_days(end + past_weekend)
}

/// The time limits of an application procedure, per policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct TimeLimits {
    /// Working days the district has to review a complete file, if the policy sets a limit.
    pub review_working_days: Option<u32>,
    /// Days to ask for re-review (重核) after receiving a refusal notice, if the policy allows it.
    pub appeal_days: Option<u32>,
}

impl TimeLimits {
    /// 穗人社发〔2014〕4号 sets neither limit.
    pub const GZ_2014_4: TimeLimits = TimeLimits { review_working_days: None, appeal_days: None };
    /// 粤人社规〔2023〕11号 chapter 2 (notes §1.4, provisional): "the county (district) PES completes
    /// review within 10 working days of receiving the file"; re-review "within 30 days of receiving
    /// the notice".
    pub const GD_2023_11: TimeLimits = TimeLimits { review_working_days: Some(10), appeal_days: Some(30) };

    /// The limits of the category's rulebook. The policy files do not carry these yet.
    pub const fn of(category: &ApplicationCategory) -> TimeLimits {
        match category.rule {
            CategoryRule::Gz2014(_) => TimeLimits::GZ_2014_4,
            CategoryRule::Gd2023(_) => TimeLimits::GD_2023_11,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The application
// ---------------------------------------------------------------------------------------------

/// 一次性告知: everything missing, told once. Fields are private so that a notice always lists
/// at least one document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OneTimeDeficiencyNotice {
    missing: Vec<Document>,
    served_on: Date,
    served_by: String,
}

impl OneTimeDeficiencyNotice {
    pub fn missing(&self) -> &[Document] {
        &self.missing
    }
    pub const fn served_on(&self) -> Date {
        self.served_on
    }
    pub fn served_by(&self) -> &str {
        &self.served_by
    }
}

/// 《不予认定就业困难人员告知书》: the reason, and the day it was served.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RefusalNotice {
    reason: String,
    served_on: Date,
    served_by: String,
}

impl RefusalNotice {
    pub fn reason(&self) -> &str {
        &self.reason
    }
    pub const fn served_on(&self) -> Date {
        self.served_on
    }
    pub fn served_by(&self) -> &str {
        &self.served_by
    }
}

/// Where an application stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    Draft,
    /// Complete and with the office since `on`.
    Submitted {
        on: Date,
    },
    Deficient {
        notice: OneTimeDeficiencyNotice,
    },
    Approved {
        on: Date,
    },
    Rejected {
        notice: RefusalNotice,
    },
    Withdrawn {
        on: Date,
    },
}

/// The states without their data, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateKind {
    Draft,
    Submitted,
    Deficient,
    Approved,
    Rejected,
    Withdrawn,
}

impl State {
    pub const fn kind(&self) -> StateKind {
        match self {
            State::Draft => StateKind::Draft,
            State::Submitted { .. } => StateKind::Submitted,
            State::Deficient { .. } => StateKind::Deficient,
            State::Approved { .. } => StateKind::Approved,
            State::Rejected { .. } => StateKind::Rejected,
            State::Withdrawn { .. } => StateKind::Withdrawn,
        }
    }
}

impl StateKind {
    pub const fn code(self) -> &'static str {
        ["draft", "submitted", "deficient", "approved", "rejected", "withdrawn"][self as usize]
    }

    pub fn name(self, lang: Lang) -> &'static str {
        let zh = ["草稿", "已提交", "待补正（已一次性告知）", "已认定", "不予认定", "已撤回"];
        let en = ["a draft", "submitted", "deficient (notice served)", "approved", "refused", "withdrawn"];
        if lang == Lang::Zh { zh[self as usize] } else { en[self as usize] }
    }

    /// No further change: the decision is made or the applicant has left.
    pub const fn is_final(self) -> bool {
        matches!(self, StateKind::Approved | StateKind::Rejected | StateKind::Withdrawn)
    }
}

/// One recorded change: what, by whom (an actor id), on which day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    pub action: Action,
    pub by: String,
    pub on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    Create,
    Provide {
        document: Document,
    },
    CommitInLieuOfProof {
        document: Document,
    },
    Submit,
    /// Documents found defective in review; the notice adds everything else still missing.
    MarkDeficient {
        defective: Vec<Document>,
    },
    Approve,
    Reject {
        reason: String,
    },
    Withdraw,
}

/// The actions without their data, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    Create,
    Provide,
    CommitInLieuOfProof,
    Submit,
    MarkDeficient,
    Approve,
    Reject,
    Withdraw,
}

impl Action {
    pub const fn kind(&self) -> ActionKind {
        match self {
            Action::Create => ActionKind::Create,
            Action::Provide { .. } => ActionKind::Provide,
            Action::CommitInLieuOfProof { .. } => ActionKind::CommitInLieuOfProof,
            Action::Submit => ActionKind::Submit,
            Action::MarkDeficient { .. } => ActionKind::MarkDeficient,
            Action::Approve => ActionKind::Approve,
            Action::Reject { .. } => ActionKind::Reject,
            Action::Withdraw => ActionKind::Withdraw,
        }
    }
}

impl ActionKind {
    pub fn name(self, lang: Lang) -> &'static str {
        let zh = [
            "创建申请",
            "补交材料",
            "以书面承诺代替证明材料",
            "提交申请",
            "出具一次性告知书",
            "作出认定",
            "作出不予认定",
            "撤回申请",
        ];
        let en = [
            "create it",
            "add documents",
            "accept a written commitment",
            "submit it",
            "serve a one-time deficiency notice",
            "approve it",
            "refuse it",
            "withdraw it",
        ];
        if lang == Lang::Zh { zh[self as usize] } else { en[self as usize] }
    }
}

/// Why a change to an application was refused: the field, and the reason in the caseworker's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    NotAllowed {
        action: ActionKind,
        from: StateKind,
    },
    EmptyApplicant,
    EmptyActor,
    BeforeLastEvent {
        on: Date,
        last: Date,
    },
    NotOnChecklist {
        document: Document,
    },
    CommitmentNotAccepted {
        document: Document,
    },
    /// Approval needs every document (第五条 lists what "应…提交").
    Incomplete {
        missing: Vec<Document>,
    },
    /// Resubmitted after the one-time notice, still incomplete: no second notice; refuse or wait.
    StillIncomplete {
        missing: Vec<Document>,
    },
    SecondDeficiencyNotice {
        served_on: Date,
    },
    NothingMissing,
    EmptyReason,
    /// A stored history that does not start with the application's creation.
    NoCreation,
}

fn list(docs: &[Document], lang: Lang) -> String {
    let names: Vec<&str> = docs.iter().map(|d| d.name(lang)).collect();
    names.join(if lang == Lang::Zh { "；" } else { "; " })
}

impl TransitionError {
    /// The field at fault, as the API names it.
    pub const fn field(&self) -> &'static str {
        match self {
            TransitionError::NotAllowed { .. } => "state",
            TransitionError::EmptyApplicant => "applicant",
            TransitionError::EmptyActor => "by",
            TransitionError::BeforeLastEvent { .. } => "on",
            TransitionError::NotOnChecklist { .. }
            | TransitionError::CommitmentNotAccepted { .. }
            | TransitionError::Incomplete { .. }
            | TransitionError::StillIncomplete { .. } => "documents",
            TransitionError::SecondDeficiencyNotice { .. } => "deficiency_notice",
            TransitionError::NothingMissing => "defective",
            TransitionError::EmptyReason => "reason",
            TransitionError::NoCreation => "history",
        }
    }

    /// A stable code for the API.
    pub const fn code(&self) -> &'static str {
        match self {
            TransitionError::NotAllowed { .. } => "not_allowed_in_state",
            TransitionError::EmptyApplicant | TransitionError::EmptyActor | TransitionError::EmptyReason => "required",
            TransitionError::BeforeLastEvent { .. } => "date_before_last_event",
            TransitionError::NotOnChecklist { .. } => "not_on_checklist",
            TransitionError::CommitmentNotAccepted { .. } => "commitment_not_accepted",
            TransitionError::Incomplete { .. } => "documents_missing",
            TransitionError::StillIncomplete { .. } => "documents_still_missing",
            TransitionError::SecondDeficiencyNotice { .. } => "second_deficiency_notice",
            TransitionError::NothingMissing => "nothing_missing",
            TransitionError::NoCreation => "history_without_creation",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        use TransitionError as E;
        match self {
            E::NotAllowed { action, from } => pick(
                lang,
                format!("state（状态）：申请当前为“{}”，不能{}", from.name(lang), action.name(lang)),
                format!("state: the application is {}, so you cannot {}", from.name(lang), action.name(lang)),
            ),
            E::EmptyApplicant => pick(lang, "applicant（申请人）：不能为空".into(), "applicant: required".into()),
            E::EmptyActor => {
                pick(lang, "by（经办人）：须记录由谁办理".into(), "by: who did this must be recorded".into())
            }
            E::BeforeLastEvent { on, last } => pick(
                lang,
                format!("on（日期）：{on}早于本申请上一次办理的日期{last}"),
                format!("on: {on} is before the application's last recorded date {last}"),
            ),
            E::NotOnChecklist { document } => pick(
                lang,
                format!("documents（材料）：{}不在该申请类别的材料清单内", document.name_zh()),
                format!("documents: {} is not on this category's checklist", document.name_en()),
            ),
            E::CommitmentNotAccepted { document } => pick(
                lang,
                format!(
                    "documents（材料）：{}不能以书面承诺代替（{}）",
                    document.name_zh(),
                    if document.provisional() {
                        "申请表须本人填写"
                    } else {
                        "穗人社发〔2014〕4号未规定告知承诺制"
                    }
                ),
                format!(
                    "documents: a written commitment cannot replace {} ({})",
                    document.name_en(),
                    if document.provisional() {
                        "the applicant fills in the form"
                    } else {
                        "穗人社发〔2014〕4号 has no commitment procedure"
                    }
                ),
            ),
            E::Incomplete { missing } => pick(
                lang,
                format!("documents（材料）：材料不齐，不能作出认定，尚缺：{}", list(missing, lang)),
                format!("documents: incomplete, cannot approve; still missing: {}", list(missing, lang)),
            ),
            E::StillIncomplete { missing } => pick(
                lang,
                format!(
                    "documents（材料）：已一次性告知，补正后仍缺：{}。不再出具第二份告知书，可作出不予认定",
                    list(missing, lang)
                ),
                format!(
                    "documents: still missing after the one-time notice: {}. No second notice is served; \
                     the application may be refused",
                    list(missing, lang)
                ),
            ),
            E::SecondDeficiencyNotice { served_on } => pick(
                lang,
                format!("deficiency_notice（一次性告知书）：已于{served_on}一次性告知所缺材料，不能再次告知"),
                format!("deficiency_notice: everything missing was told once on {served_on}; no second notice"),
            ),
            E::NothingMissing => pick(
                lang,
                "defective（缺陷材料）：材料齐全且未指出有缺陷的材料，无须一次性告知".into(),
                "defective: the documents are complete and none was named defective; no notice is needed".into(),
            ),
            E::EmptyReason => pick(
                lang,
                "reason（理由）：不予认定须写明理由（《不予认定就业困难人员告知书》）".into(),
                "reason: a refusal must state its reason (notice of non-recognition)".into(),
            ),
            E::NoCreation => pick(
                lang,
                "history（办理记录）：第一条记录须为创建申请".into(),
                "history: the first event must be the application's creation".into(),
            ),
        }
    }
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for TransitionError {}

/// An application for recognition, with its documents, state and history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Application {
    applicant: String,
    category: ApplicationCategory,
    limits: TimeLimits,
    documents: BTreeMap<Document, Provision>,
    state: State,
    /// Kept after resubmission: it is what makes the notice one-time.
    deficiency_notice: Option<OneTimeDeficiencyNotice>,
    history: Vec<Event>,
}

impl Application {
    /// A new draft for `applicant` (a person id), opened by `by` on `on`. Time limits are the
    /// category's rulebook's ([`TimeLimits::of`]).
    pub fn new(
        applicant: &str,
        category: ApplicationCategory,
        by: &str,
        on: Date,
    ) -> Result<Application, TransitionError> {
        if blank(applicant) {
            return Err(TransitionError::EmptyApplicant);
        }
        if blank(by) {
            return Err(TransitionError::EmptyActor);
        }
        Ok(Application {
            applicant: applicant.to_owned(),
            limits: TimeLimits::of(&category),
            category,
            documents: BTreeMap::new(),
            state: State::Draft,
            deficiency_notice: None,
            history: vec![Event { action: Action::Create, by: by.to_owned(), on }],
        })
    }

    /// Rebuilds an application from its stored events, through the same checks as when they happened.
    pub fn replay(
        applicant: &str,
        category: ApplicationCategory,
        events: &[Event],
    ) -> Result<Application, TransitionError> {
        let Some((first, rest)) = events.split_first().filter(|(first, _)| first.action == Action::Create) else {
            return Err(TransitionError::NoCreation);
        };
        let mut app = Application::new(applicant, category, &first.by, first.on)?;
        for event in rest {
            app = app.apply(event)?;
        }
        Ok(app)
    }

    /// The same application with other time limits (a city's own, until policy files carry them).
    pub fn with_time_limits(mut self, limits: TimeLimits) -> Application {
        self.limits = limits;
        self
    }

    pub fn applicant(&self) -> &str {
        &self.applicant
    }
    pub const fn category(&self) -> &ApplicationCategory {
        &self.category
    }
    pub const fn state(&self) -> &State {
        &self.state
    }
    pub const fn time_limits(&self) -> TimeLimits {
        self.limits
    }
    pub const fn documents(&self) -> &BTreeMap<Document, Provision> {
        &self.documents
    }
    pub const fn deficiency_notice(&self) -> Option<&OneTimeDeficiencyNotice> {
        self.deficiency_notice.as_ref()
    }
    pub fn history(&self) -> &[Event] {
        &self.history
    }

    /// The day the application was received (its creation's day, which a back-dated application
    /// gives): the day its facts are read on and its policy chosen by (第五条).
    pub fn received_on(&self) -> Date {
        self.history.first().map(|e| e.on).expect("an application always has its creation event")
    }

    pub fn checklist(&self) -> Vec<Document> {
        checklist(&self.category)
    }

    /// The checklist's documents not yet supplied, in checklist order.
    pub fn missing(&self) -> Vec<Document> {
        checklist(&self.category).into_iter().filter(|d| !self.documents.contains_key(d)).collect()
    }

    fn last_date(&self) -> Date {
        self.history.last().map(|e| e.on).expect("an application always has its creation event")
    }

    /// Records a document received. Only while the applicant holds the file (draft, or after the
    /// one-time notice): once submitted, a change goes through the notice.
    pub fn provide(&self, document: Document, by: &str, on: Date) -> Result<Application, TransitionError> {
        self.apply(&Event { action: Action::Provide { document }, by: by.to_owned(), on })
    }

    /// Records a written commitment in place of proof (告知承诺制); see [`Document::accepts_commitment`].
    pub fn commit_in_lieu_of_proof(
        &self,
        document: Document,
        by: &str,
        on: Date,
    ) -> Result<Application, TransitionError> {
        self.apply(&Event { action: Action::CommitInLieuOfProof { document }, by: by.to_owned(), on })
    }

    /// Hands the file in (from `Draft`), or hands it back after the one-time notice (from `Deficient`).
    ///
    /// From `Draft` with documents missing, the office must "一次性告知" everything missing (notes
    /// §1.4), so submit serves that notice at once and the application becomes `Deficient`: an
    /// incomplete file is never `Submitted`, and the office cannot forget the notice.
    /// From `Deficient` still incomplete, the submission is refused ([`TransitionError::StillIncomplete`]):
    /// the notice was the one chance to be told, and the text sends such a file on for decision, which
    /// here is [`Application::reject`].
    pub fn submit(&self, by: &str, on: Date) -> Result<Application, TransitionError> {
        self.apply(&Event { action: Action::Submit, by: by.to_owned(), on })
    }

    /// Serves the one-time deficiency notice on a submitted file whose `defective` documents turned
    /// out unusable in review. The notice lists those and everything else missing, so that the
    /// applicant is told once and in full. Refused if a notice was ever served on this application.
    pub fn mark_deficient(&self, by: &str, on: Date, defective: &[Document]) -> Result<Application, TransitionError> {
        self.apply(&Event { action: Action::MarkDeficient { defective: defective.to_vec() }, by: by.to_owned(), on })
    }

    /// Recognises the applicant: only a submitted, complete file.
    pub fn approve(&self, by: &str, on: Date) -> Result<Application, TransitionError> {
        self.apply(&Event { action: Action::Approve, by: by.to_owned(), on })
    }

    /// Refuses recognition and serves the refusal notice on `on` (不予认定: "record the reason and
    /// serve a 《不予认定就业困难人员告知书》"). From `Submitted`, or from `Deficient` when the gaps were
    /// not filled.
    pub fn reject(&self, by: &str, on: Date, reason: &str) -> Result<Application, TransitionError> {
        self.apply(&Event { action: Action::Reject { reason: reason.to_owned() }, by: by.to_owned(), on })
    }

    /// The applicant withdraws, at any time before a decision.
    pub fn withdraw(&self, by: &str, on: Date) -> Result<Application, TransitionError> {
        self.apply(&Event { action: Action::Withdraw, by: by.to_owned(), on })
    }

    /// Applies one event, or says why it cannot happen; `self` is unchanged either way.
    pub fn apply(&self, event: &Event) -> Result<Application, TransitionError> {
        let (by, on) = (event.by.as_str(), event.on);
        let from = self.state.kind();
        let not_allowed = || TransitionError::NotAllowed { action: event.action.kind(), from };
        if blank(by) {
            return Err(TransitionError::EmptyActor);
        }
        if on < self.last_date() {
            return Err(TransitionError::BeforeLastEvent { on, last: self.last_date() });
        }
        let mut next = self.clone();
        match &event.action {
            Action::Create => return Err(not_allowed()),
            Action::Provide { document } | Action::CommitInLieuOfProof { document } => {
                if !matches!(from, StateKind::Draft | StateKind::Deficient) {
                    return Err(not_allowed());
                }
                if !self.checklist().contains(document) {
                    return Err(TransitionError::NotOnChecklist { document: *document });
                }
                let provision = if matches!(event.action, Action::Provide { .. }) {
                    Provision::Provided { on }
                } else if document.accepts_commitment() {
                    Provision::CommitmentInLieuOfProof { signed_on: on }
                } else {
                    return Err(TransitionError::CommitmentNotAccepted { document: *document });
                };
                next.documents.insert(*document, provision);
            }
            Action::Submit => {
                let missing = self.missing();
                next.state = match (from, missing.is_empty()) {
                    (StateKind::Draft | StateKind::Deficient, true) => State::Submitted { on },
                    (StateKind::Draft, false) => next.serve_deficiency_notice(missing, by, on),
                    (StateKind::Deficient, false) => return Err(TransitionError::StillIncomplete { missing }),
                    _ => return Err(not_allowed()),
                };
            }
            Action::MarkDeficient { defective } => {
                match (from, &self.deficiency_notice) {
                    (StateKind::Submitted | StateKind::Deficient, Some(notice)) => {
                        return Err(TransitionError::SecondDeficiencyNotice { served_on: notice.served_on });
                    }
                    (StateKind::Submitted, None) => {}
                    _ => return Err(not_allowed()),
                }
                let list = self.checklist();
                if let Some(d) = defective.iter().find(|d| !list.contains(d)) {
                    return Err(TransitionError::NotOnChecklist { document: *d });
                }
                for d in defective {
                    next.documents.remove(d);
                }
                let missing = next.missing();
                if missing.is_empty() {
                    return Err(TransitionError::NothingMissing);
                }
                next.state = next.serve_deficiency_notice(missing, by, on);
            }
            Action::Approve => {
                if from != StateKind::Submitted {
                    return Err(not_allowed());
                }
                // Submitted already implies complete; checked again because approval is the act
                // that must never happen on an incomplete file.
                let missing = self.missing();
                if !missing.is_empty() {
                    return Err(TransitionError::Incomplete { missing });
                }
                next.state = State::Approved { on };
            }
            Action::Reject { reason } => {
                if !matches!(from, StateKind::Submitted | StateKind::Deficient) {
                    return Err(not_allowed());
                }
                if blank(reason) {
                    return Err(TransitionError::EmptyReason);
                }
                let notice =
                    RefusalNotice { reason: reason.trim().to_owned(), served_on: on, served_by: by.to_owned() };
                next.state = State::Rejected { notice };
            }
            Action::Withdraw => {
                if from.is_final() {
                    return Err(not_allowed());
                }
                next.state = State::Withdrawn { on };
            }
        }
        next.history.push(event.clone());
        Ok(next)
    }

    fn serve_deficiency_notice(&mut self, missing: Vec<Document>, by: &str, on: Date) -> State {
        let notice = OneTimeDeficiencyNotice { missing, served_on: on, served_by: by.to_owned() };
        self.deficiency_notice = Some(notice.clone());
        State::Deficient { notice }
    }

    /// The last day for the district's review of a submitted file: [`TimeLimits::review_working_days`]
    /// working days after submission. The district's own receipt date is not recorded, so the count
    /// starts at submission: the deadline can come early, never late. `None` if not submitted or if
    /// the policy sets no limit.
    pub fn review_deadline(&self) -> Option<Date> {
        match (&self.state, self.limits.review_working_days) {
            (State::Submitted { on }, Some(n)) => add_working_days(*on, n),
            _ => None,
        }
    }

    /// Whether a submitted file is still undecided after its review deadline.
    pub fn review_overdue(&self, today: Date) -> bool {
        self.review_deadline().is_some_and(|last| today > last)
    }

    /// The last day to ask for re-review (重核) of a refusal: "within 30 days of receiving the notice"
    /// (notes §1.4). Counted from the day the notice was served (received in person at the office),
    /// that day not counted (民法典 第二百零一条); a last day on a weekend moves to the Monday (第二百零三条).
    /// `None` unless refused under a policy that provides re-review (gz-2014-4's text does not).
    pub fn appeal_deadline(&self) -> Option<Date> {
        match (&self.state, self.limits.appeal_days) {
            (State::Rejected { notice }, Some(days)) => days_period_end(notice.served_on, days),
            _ => None,
        }
    }

    /// Whether re-review may be asked for on `on`: from the notice's day to the deadline, inclusive.
    pub fn can_appeal(&self, on: Date) -> bool {
        match (&self.state, self.appeal_deadline()) {
            (State::Rejected { notice }, Some(last)) => notice.served_on <= on && on <= last,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use yuanzhu_rules::PolicySet;

    use super::*;
    use crate::application::Document as D;
    use crate::application::HardshipSubType as H;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn draft(category: ApplicationCategory) -> Application {
        Application::new("person-1", category, "clerk", d("2024-03-01")).unwrap()
    }

    fn low_income() -> Application {
        draft(ApplicationCategory::hardship(H::MinimumLivingAllowanceOrLowIncome))
    }

    fn with_all(app: &Application, on: Date) -> Application {
        app.checklist().into_iter().fold(app.clone(), |a, doc| a.provide(doc, "clerk", on).unwrap())
    }

    /// An application in each state, the gz 第3目 case.
    fn in_state(kind: StateKind) -> Application {
        let on = d("2024-03-04");
        let submitted = || with_all(&low_income(), on).submit("clerk", on).unwrap();
        match kind {
            StateKind::Draft => low_income(),
            StateKind::Submitted => submitted(),
            StateKind::Deficient => {
                low_income().provide(D::HardshipApplicationForm, "clerk", on).unwrap().submit("clerk", on).unwrap()
            }
            StateKind::Approved => submitted().approve("district", on).unwrap(),
            StateKind::Rejected => submitted().reject("district", on, "低保证已过期").unwrap(),
            StateKind::Withdrawn => low_income().withdraw("person-1", on).unwrap(),
        }
    }

    fn err_code(r: Result<Application, TransitionError>) -> &'static str {
        r.unwrap_err().code()
    }

    // ---- 第五条: the checklist, item by item ----

    #[test]
    fn checklist_follows_article_5_item_by_item() {
        let base = [D::EmploymentUnemploymentCertificate, D::HardshipApplicationForm];
        let cases = [
            (H::LongTermOlder, vec![]),
            (H::ZeroEmploymentHousehold, vec![D::HouseholdLabourersCertificates]),
            (H::MinimumLivingAllowanceOrLowIncome, vec![D::MinimumLivingAllowanceOrLowIncomeCertificate]),
            (H::SingleParentHousehold, vec![]),
        ];
        for (sub, extra) in cases {
            let expected: Vec<Document> = base.iter().copied().chain(extra).collect();
            assert_eq!(checklist(&ApplicationCategory::hardship(sub)), expected, "{sub:?}");
        }
        assert_eq!(D::EmploymentUnemploymentCertificate.citation(), "第五条第（一）项");
        assert_eq!(D::HardshipApplicationForm.citation(), "第五条第（一）项");
        assert_eq!(D::HouseholdLabourersCertificates.citation(), "第五条第（二）项");
        assert_eq!(D::MinimumLivingAllowanceOrLowIncomeCertificate.citation(), "第五条第（三）项");
        assert!(D::HardshipApplicationForm.name_zh().contains("一式三份"));
        assert!(D::MinimumLivingAllowanceOrLowIncomeCertificate.name_zh().contains("原件及复印件"));
    }

    #[test]
    fn provincial_checklist_is_the_form_and_the_category_evidence() {
        for c in ProvincialCategory::ALL {
            let list = checklist(&ApplicationCategory::provincial(c));
            assert_eq!(list, vec![D::ApplicationForm, D::CategoryEvidence(c)]);
            assert!(list.iter().all(|doc| doc.provisional()));
            assert_eq!(D::CategoryEvidence(c).citation(), c.citation());
        }
        assert_eq!(ProvincialCategory::CaregiverOfSeriouslyIll.citation(), "第一条第（十二）项");
        assert_eq!(ProvincialCategory::OlderUnemployed.citation(), "第一条第（一）项");
    }

    #[test]
    fn every_document_has_a_distinct_code_and_both_names() {
        let all = Document::all();
        let mut codes: Vec<&str> = all.iter().map(|doc| doc.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        for doc in all {
            assert!(!doc.name_zh().is_empty() && !doc.name_en().is_empty() && !doc.citation().is_empty());
            assert_ne!(doc.name(Lang::Zh), doc.name(Lang::En));
        }
    }

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

    // ---- transitions: every state × every action ----

    #[test]
    fn each_transition_is_allowed_or_refused_as_the_procedure_says() {
        use StateKind::*;
        type Act = fn(&Application) -> Result<Application, TransitionError>;
        let on = d("2024-03-05");
        let actions: [(&str, Act); 6] = [
            ("submit", |a| a.submit("clerk", d("2024-03-05"))),
            ("mark_deficient", |a| a.mark_deficient("clerk", d("2024-03-05"), &[D::HardshipApplicationForm])),
            ("approve", |a| a.approve("district", d("2024-03-05"))),
            ("reject", |a| a.reject("district", d("2024-03-05"), "不符合第三条第（三）项第3目")),
            ("withdraw", |a| a.withdraw("person-1", d("2024-03-05"))),
            ("provide", |a| a.provide(D::EmploymentUnemploymentCertificate, "clerk", d("2024-03-05"))),
        ];
        // Ok(state) or Err(code), in the order of `actions`.
        let na = Err("not_allowed_in_state");
        let table: [(StateKind, [Result<StateKind, &str>; 6]); 6] = [
            (Draft, [Ok(Deficient), na, na, na, Ok(Withdrawn), Ok(Draft)]),
            (Submitted, [na, Ok(Deficient), Ok(Approved), Ok(Rejected), Ok(Withdrawn), na]),
            (
                Deficient,
                [
                    Err("documents_still_missing"),
                    Err("second_deficiency_notice"),
                    na,
                    Ok(Rejected),
                    Ok(Withdrawn),
                    Ok(Deficient),
                ],
            ),
            (Approved, [na; 6]),
            (Rejected, [na; 6]),
            (Withdrawn, [na; 6]),
        ];
        for (from, expected) in table {
            let app = in_state(from);
            assert_eq!(app.state().kind(), from);
            for ((name, act), want) in actions.iter().zip(expected) {
                let got = act(&app).map(|a| a.state().kind()).map_err(|e| e.code());
                assert_eq!(got, want, "{name} from {from:?}");
                if let Ok(next) = act(&app) {
                    let last = next.history().last().unwrap();
                    assert_eq!((last.on, last.by.is_empty()), (on, false), "who and when are recorded");
                }
            }
        }
    }

    #[test]
    fn complete_draft_submits_and_is_approved() {
        let on = d("2024-03-04");
        let app = with_all(&low_income(), on).submit("clerk", on).unwrap();
        assert_eq!(app.state(), &State::Submitted { on });
        let app = app.approve("district", d("2024-03-08")).unwrap();
        assert_eq!(app.state(), &State::Approved { on: d("2024-03-08") });
        assert!(app.deficiency_notice().is_none());
        let kinds: Vec<ActionKind> = app.history().iter().map(|e| e.action.kind()).collect();
        assert_eq!(kinds.first(), Some(&ActionKind::Create));
        assert_eq!(kinds.last(), Some(&ActionKind::Approve));
    }

    // ---- 一次性告知 ----

    #[test]
    fn incomplete_submission_serves_one_notice_listing_everything_missing() {
        let on = d("2024-03-04");
        let app = low_income().provide(D::HardshipApplicationForm, "clerk", on).unwrap().submit("clerk", on).unwrap();
        let notice = app.deficiency_notice().unwrap();
        assert_eq!(
            notice.missing(),
            [D::EmploymentUnemploymentCertificate, D::MinimumLivingAllowanceOrLowIncomeCertificate]
        );
        assert_eq!((notice.served_on(), notice.served_by()), (on, "clerk"));
        assert_eq!(app.state(), &State::Deficient { notice: notice.clone() });
    }

    #[test]
    fn resubmission_still_incomplete_gets_no_second_notice_and_may_be_refused() {
        let on = d("2024-03-04");
        let app = in_state(StateKind::Deficient).provide(D::EmploymentUnemploymentCertificate, "clerk", on).unwrap();
        let e = app.submit("clerk", on).unwrap_err();
        assert_eq!(
            e,
            TransitionError::StillIncomplete { missing: vec![D::MinimumLivingAllowanceOrLowIncomeCertificate] }
        );
        assert!(e.message(Lang::Zh).contains("不再出具第二份告知书"));
        let refused = app.reject("district", d("2024-03-20"), "补正后仍未提交低保证").unwrap();
        assert_eq!(refused.state().kind(), StateKind::Rejected);
    }

    #[test]
    fn completed_after_notice_resubmits_and_no_second_notice_follows() {
        let on = d("2024-03-10");
        let app = with_all(&in_state(StateKind::Deficient), on).submit("clerk", on).unwrap();
        assert_eq!(app.state(), &State::Submitted { on });
        let e = app.mark_deficient("district", on, &[D::HardshipApplicationForm]).unwrap_err();
        assert_eq!(e, TransitionError::SecondDeficiencyNotice { served_on: d("2024-03-04") });
        assert_eq!(e.field(), "deficiency_notice");
        assert_eq!(app.approve("district", on).unwrap().state().kind(), StateKind::Approved);
    }

    #[test]
    fn review_notice_names_defective_documents_and_all_else_missing() {
        let on = d("2024-03-06");
        let app = in_state(StateKind::Submitted)
            .mark_deficient("street", on, &[D::MinimumLivingAllowanceOrLowIncomeCertificate])
            .unwrap();
        assert_eq!(app.deficiency_notice().unwrap().missing(), [D::MinimumLivingAllowanceOrLowIncomeCertificate]);
        assert_eq!(app.missing(), [D::MinimumLivingAllowanceOrLowIncomeCertificate], "the defective paper is struck");
        let e = in_state(StateKind::Submitted).mark_deficient("street", on, &[]).unwrap_err();
        assert_eq!((e.code(), e.field()), ("nothing_missing", "defective"));
        let e = in_state(StateKind::Submitted).mark_deficient("street", on, &[D::ApplicationForm]).unwrap_err();
        assert_eq!(e, TransitionError::NotOnChecklist { document: D::ApplicationForm });
    }

    #[test]
    fn approval_needs_a_submitted_complete_file() {
        for kind in [StateKind::Draft, StateKind::Deficient] {
            assert_eq!(err_code(in_state(kind).approve("district", d("2024-03-05"))), "not_allowed_in_state");
        }
        // A complete draft still has to be submitted first: the district decides on a file it holds.
        let complete = with_all(&low_income(), d("2024-03-04"));
        assert_eq!(err_code(complete.approve("district", d("2024-03-05"))), "not_allowed_in_state");
    }

    // ---- refusal, withdrawal, who and when ----

    #[test]
    fn refusal_needs_a_reason_and_serves_the_notice() {
        let app = in_state(StateKind::Submitted);
        for blank in ["", "   "] {
            let e = app.reject("district", d("2024-03-05"), blank).unwrap_err();
            assert_eq!((e.field(), e.code()), ("reason", "required"));
        }
        let refused = app.reject("district", d("2024-03-05"), "  家庭成员中有人就业  ").unwrap();
        let State::Rejected { notice } = refused.state() else { panic!("rejected") };
        assert_eq!(
            (notice.reason(), notice.served_on(), notice.served_by()),
            ("家庭成员中有人就业", d("2024-03-05"), "district")
        );
    }

    #[test]
    fn every_change_names_who_and_never_goes_back_in_time() {
        let app = in_state(StateKind::Submitted);
        assert_eq!(app.approve(" ", d("2024-03-05")).unwrap_err(), TransitionError::EmptyActor);
        let e = app.approve("district", d("2024-03-03")).unwrap_err();
        assert_eq!(e, TransitionError::BeforeLastEvent { on: d("2024-03-03"), last: d("2024-03-04") });
        assert_eq!(e.field(), "on");
        assert!(app.approve("district", d("2024-03-04")).is_ok(), "the same day is fine");
        let e = Application::new("", ApplicationCategory::hardship(H::LongTermOlder), "clerk", d("2024-03-01"))
            .unwrap_err();
        assert_eq!(e.field(), "applicant");
    }

    #[test]
    fn documents_outside_the_checklist_are_refused() {
        let e = low_income().provide(D::HouseholdLabourersCertificates, "clerk", d("2024-03-02")).unwrap_err();
        assert_eq!(e, TransitionError::NotOnChecklist { document: D::HouseholdLabourersCertificates });
        assert!(e.message(Lang::En).starts_with("documents:"));
    }

    // ---- 告知承诺制 ----

    #[test]
    fn written_commitment_replaces_provincial_proof_only() {
        let on = d("2024-03-04");
        let gd = draft(ApplicationCategory::provincial(ProvincialCategory::LandlessFarmer));
        let evidence = D::CategoryEvidence(ProvincialCategory::LandlessFarmer);
        let app = gd.commit_in_lieu_of_proof(evidence, "clerk", on).unwrap();
        assert_eq!(app.documents()[&evidence], Provision::CommitmentInLieuOfProof { signed_on: on });
        let e = app.commit_in_lieu_of_proof(D::ApplicationForm, "clerk", on).unwrap_err();
        assert_eq!(e, TransitionError::CommitmentNotAccepted { document: D::ApplicationForm });
        let app = app.provide(D::ApplicationForm, "clerk", on).unwrap().submit("clerk", on).unwrap();
        assert_eq!(app.approve("district", on).unwrap().state().kind(), StateKind::Approved);

        let e = low_income().commit_in_lieu_of_proof(D::MinimumLivingAllowanceOrLowIncomeCertificate, "clerk", on);
        let e = e.unwrap_err();
        assert_eq!(e.code(), "commitment_not_accepted");
        assert!(e.message(Lang::Zh).contains("未规定告知承诺制"));
    }

    // ---- deadlines ----

    #[test]
    fn weekdays_count_from_thursday_1_january_1970() {
        let cases = [
            ("1970-01-01", Weekday::Thursday),
            ("2024-01-01", Weekday::Monday),
            ("2023-08-01", Weekday::Tuesday),
            ("2024-03-31", Weekday::Sunday),
            ("2000-02-29", Weekday::Tuesday),
            ("1969-12-31", Weekday::Wednesday),
        ];
        for (day, want) in cases {
            assert_eq!(Weekday::of(d(day)), want, "{day}");
        }
    }

    #[test]
    fn working_days_skip_weekends_and_not_the_starting_day() {
        let cases = [
            ("2024-03-04", 0, "2024-03-04"), // Monday, nothing to add
            ("2024-03-04", 1, "2024-03-05"),
            ("2024-03-08", 1, "2024-03-11"), // Friday → Monday
            ("2024-03-09", 1, "2024-03-11"), // Saturday → Monday
            ("2024-03-10", 1, "2024-03-11"), // Sunday → Monday
            ("2024-03-04", 5, "2024-03-11"),
            ("2024-03-06", 10, "2024-03-20"),
            ("2023-08-01", 10, "2023-08-15"),
            ("2024-02-28", 2, "2024-03-01"), // across a leap day
            ("2024-12-31", 3, "2025-01-03"),
        ];
        for (from, n, want) in cases {
            assert_eq!(add_working_days(d(from), n), Some(d(want)), "{from} + {n}");
        }
        assert_eq!(add_working_days(d("9999-12-31"), 1), None);
    }

    #[test]
    fn provincial_review_deadline_is_ten_working_days_after_submission() {
        let on = d("2023-08-01");
        let gd = draft(ApplicationCategory::provincial(ProvincialCategory::Disabled));
        let gd = Application::new("person-1", gd.category().clone(), "clerk", on).unwrap();
        let app = with_all(&gd, on).submit("clerk", on).unwrap();
        assert_eq!(app.review_deadline(), Some(d("2023-08-15")));
        assert!(!app.review_overdue(d("2023-08-15")));
        assert!(app.review_overdue(d("2023-08-16")));
        assert_eq!(app.approve("district", on).unwrap().review_deadline(), None);
        assert_eq!(in_state(StateKind::Submitted).review_deadline(), None, "gz-2014-4 sets no limit");
    }

    fn gd_refused(served: &str) -> Application {
        let on = d(served);
        let gd = Application::new("p", ApplicationCategory::provincial(ProvincialCategory::Disabled), "c", on).unwrap();
        with_all(&gd, on).submit("c", on).unwrap().reject("district", on, "残疾人证已注销").unwrap()
    }

    #[test]
    fn re_review_window_is_30_days_from_the_notice() {
        // (notice served, last day to ask for 重核)
        let cases = [
            ("2024-03-04", "2024-04-03"), // Monday; ends on a Wednesday
            ("2024-03-01", "2024-04-01"), // day 30 is Sunday 2024-03-31 → Monday
            ("2024-02-29", "2024-04-01"), // day 30 is Saturday 2024-03-30 → Monday
            ("2023-12-31", "2024-01-30"),
        ];
        for (served, last) in cases {
            let app = gd_refused(served);
            assert_eq!(app.appeal_deadline(), Some(d(last)), "{served}");
            assert!(app.can_appeal(d(served)), "on the day it was served");
            assert!(app.can_appeal(d(last)), "on the last day");
            assert!(!app.can_appeal(d(last).next_day()), "the day after");
        }
        let app =
            gd_refused("2024-03-04").with_time_limits(TimeLimits { appeal_days: Some(15), ..TimeLimits::GD_2023_11 });
        assert_eq!(app.appeal_deadline(), Some(d("2024-03-19")));
    }

    #[test]
    fn no_re_review_window_under_gz_2014_4_or_before_refusal() {
        let refused = in_state(StateKind::Rejected);
        assert_eq!((refused.appeal_deadline(), refused.can_appeal(d("2024-03-05"))), (None, false));
        let approved = in_state(StateKind::Approved).with_time_limits(TimeLimits::GD_2023_11);
        assert_eq!((approved.appeal_deadline(), approved.can_appeal(d("2024-03-05"))), (None, false));
    }

    // ---- storage round trip and messages ----

    #[test]
    fn replaying_the_history_rebuilds_the_application() {
        for kind in
            [StateKind::Draft, StateKind::Submitted, StateKind::Deficient, StateKind::Approved, StateKind::Rejected]
        {
            let app = in_state(kind);
            let again = Application::replay(app.applicant(), app.category().clone(), app.history()).unwrap();
            assert_eq!(again, app);
        }
        let app = in_state(StateKind::Submitted);
        assert_eq!(
            Application::replay("p", app.category().clone(), &app.history()[1..]).unwrap_err(),
            TransitionError::NoCreation
        );
        assert_eq!(Application::replay("p", app.category().clone(), &[]).unwrap_err(), TransitionError::NoCreation);
    }

    #[test]
    fn messages_name_the_field_in_both_languages() {
        let errors = [
            TransitionError::NotAllowed { action: ActionKind::Approve, from: StateKind::Draft },
            TransitionError::EmptyApplicant,
            TransitionError::EmptyActor,
            TransitionError::BeforeLastEvent { on: d("2024-01-01"), last: d("2024-01-02") },
            TransitionError::NotOnChecklist { document: D::ApplicationForm },
            TransitionError::CommitmentNotAccepted { document: D::ApplicationForm },
            TransitionError::Incomplete { missing: vec![D::HardshipApplicationForm] },
            TransitionError::StillIncomplete { missing: vec![D::HardshipApplicationForm] },
            TransitionError::SecondDeficiencyNotice { served_on: d("2024-01-01") },
            TransitionError::NothingMissing,
            TransitionError::EmptyReason,
            TransitionError::NoCreation,
        ];
        for e in errors {
            let (zh, en) = (e.message(Lang::Zh), e.message(Lang::En));
            assert!(zh.starts_with(e.field()) && en.starts_with(e.field()), "{zh} / {en}");
            assert_ne!(zh, en);
            assert_eq!(e.to_string(), zh);
        }
    }

    // ---- properties ----

    #[derive(Debug, Clone)]
    enum Op {
        Provide(usize),
        Commit(usize),
        Submit,
        MarkDeficient(Vec<usize>),
        Approve,
        Reject(bool),
        Withdraw,
    }

    fn every_category() -> Vec<ApplicationCategory> {
        H::ALL
            .map(ApplicationCategory::hardship)
            .into_iter()
            .chain(ProvincialCategory::ALL.map(ApplicationCategory::provincial))
            .collect()
    }

    fn op() -> impl Strategy<Value = Op> {
        let doc = 0..60usize;
        prop_oneof![
            12 => doc.clone().prop_map(Op::Provide),
            3 => doc.clone().prop_map(Op::Commit),
            5 => Just(Op::Submit),
            3 => proptest::collection::vec(doc, 0..3).prop_map(Op::MarkDeficient),
            3 => Just(Op::Approve),
            1 => any::<bool>().prop_map(Op::Reject),
            1 => Just(Op::Withdraw),
        ]
    }

    /// Two picks in three from the application's checklist, so that complete files are common.
    fn pick_document(app: &Application, i: usize) -> Document {
        let (list, all) = (app.checklist(), Document::all());
        if i.is_multiple_of(3) { all[i % all.len()] } else { list[i % list.len()] }
    }

    fn run(app: &Application, op: &Op, on: Date) -> Result<Application, TransitionError> {
        let doc = |i: &usize| pick_document(app, *i);
        match op {
            Op::Provide(i) => app.provide(doc(i), "clerk", on),
            Op::Commit(i) => app.commit_in_lieu_of_proof(doc(i), "clerk", on),
            Op::Submit => app.submit("clerk", on),
            Op::MarkDeficient(ix) => app.mark_deficient("street", on, &ix.iter().map(doc).collect::<Vec<_>>()),
            Op::Approve => app.approve("district", on),
            Op::Reject(blank) => app.reject("district", on, if *blank { " " } else { "理由" }),
            Op::Withdraw => app.withdraw("person", on),
        }
    }

    proptest! {
        #[test]
        fn no_sequence_reaches_an_illegal_state(
            category in 0..16usize,
            steps in proptest::collection::vec((op(), -3i64..20), 0..40),
        ) {
            let mut app = draft(every_category()[category].clone());
            let mut day = d("2024-03-01").to_days();
            let mut notices = 0;
            for (op, delta) in steps {
                let on = Date::from_days(day + delta).unwrap();
                let before = app.state().kind();
                match run(&app, &op, on) {
                    Ok(next) => {
                        prop_assert!(!before.is_final(), "a final state never changes");
                        prop_assert!(delta >= 0, "never back in time");
                        prop_assert_eq!(next.history().len(), app.history().len() + 1);
                        day += delta;
                        app = next;
                    }
                    Err(e) => prop_assert!(!e.message(Lang::Zh).is_empty()),
                }
                if app.state().kind() == StateKind::Deficient && before != StateKind::Deficient {
                    notices += 1;
                }
                prop_assert!(notices <= 1, "at most one deficiency notice");
                match app.state() {
                    State::Submitted { .. } | State::Approved { .. } => prop_assert!(app.missing().is_empty()),
                    State::Deficient { notice } => {
                        prop_assert!(!notice.missing().is_empty());
                        prop_assert_eq!(Some(notice), app.deficiency_notice());
                    }
                    State::Rejected { notice } => prop_assert!(!notice.reason().trim().is_empty()),
                    State::Draft | State::Withdrawn { .. } => {}
                }
                if app.history().iter().any(|e| e.action == Action::Approve) {
                    prop_assert_eq!(app.state().kind(), StateKind::Approved);
                }
                let list = app.checklist();
                prop_assert!(app.documents().keys().all(|doc| list.contains(doc)));
                let paper_or_allowed =
                    |(doc, p): (&Document, &Provision)| doc.accepts_commitment() || matches!(p, Provision::Provided { .. });
                prop_assert!(app.documents().iter().all(paper_or_allowed));
                prop_assert!(app.history().windows(2).all(|w| w[0].on <= w[1].on));
            }
            let again = Application::replay(app.applicant(), app.category().clone(), app.history()).unwrap();
            prop_assert_eq!(again, app);
        }

        #[test]
        fn working_days_equal_counting_one_day_at_a_time(start in 0i64..40_000, n in 0u32..60) {
            let from = Date::from_days(start).unwrap();
            let mut day = from;
            for _ in 0..n {
                day = day.next_day();
                while !is_working_day(day) {
                    day = day.next_day();
                }
            }
            prop_assert_eq!(add_working_days(from, n), Some(day));
        }

        #[test]
        fn working_days_add_up(start in 0i64..40_000, a in 0u32..400, b in 0u32..400) {
            let from = Date::from_days(start).unwrap();
            let stepwise = add_working_days(add_working_days(from, a).unwrap(), b);
            prop_assert_eq!(stepwise, add_working_days(from, a + b));
            if a > 0 {
                prop_assert!(is_working_day(add_working_days(from, a).unwrap()));
            }
        }
    }
}
