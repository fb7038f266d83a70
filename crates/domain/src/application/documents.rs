//! The documents an application needs (第五条), and how each was supplied.

use yuanzhu_rules::{Date, Lang};

use super::categories::PROVINCIAL;
use super::{ApplicationCategory, CategoryRule, HardshipSubType, ProvincialCategory};

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
    match category.rule() {
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

#[cfg(test)]
mod tests {
    use crate::application::fixtures::*;

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
}
