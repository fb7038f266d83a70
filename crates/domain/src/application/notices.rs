//! The notices an applicant is served: the one-time deficiency notice and the refusal notice.

use yuanzhu_rules::Date;

use super::Document;

/// 一次性告知: everything missing, told once. Fields are private to `application` (only the
/// machine serves a notice) so that a notice always lists at least one document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OneTimeDeficiencyNotice {
    pub(super) missing: Vec<Document>,
    pub(super) served_on: Date,
    pub(super) served_by: String,
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
    pub(super) reason: String,
    pub(super) served_on: Date,
    pub(super) served_by: String,
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

#[cfg(test)]
mod tests {
    use crate::application::fixtures::*;

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
}
