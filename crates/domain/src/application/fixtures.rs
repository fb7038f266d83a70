//! What the application's tests share: applications in each state, and the names they use.

pub(super) use yuanzhu_rules::{Date, Lang};

pub(super) use super::{Document as D, HardshipSubType as H, *};

pub(super) fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

pub(super) fn draft(category: ApplicationCategory) -> Application {
    Application::new("person-1", category, "clerk", d("2024-03-01")).unwrap()
}

pub(super) fn low_income() -> Application {
    draft(ApplicationCategory::hardship(H::MinimumLivingAllowanceOrLowIncome))
}

pub(super) fn with_all(app: &Application, on: Date) -> Application {
    app.checklist().into_iter().fold(app.clone(), |a, doc| a.provide(doc, "clerk", on).unwrap())
}

/// An application in each state, the gz 第3目 case.
pub(super) fn in_state(kind: StateKind) -> Application {
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

pub(super) fn err_code(r: Result<Application, TransitionError>) -> &'static str {
    r.unwrap_err().code()
}
