//! The application and its state machine: every change goes through [`Application::apply`].

use std::collections::BTreeMap;

use yuanzhu_rules::Date;

use super::{
    Action, ApplicationCategory, Document, Event, OneTimeDeficiencyNotice, Provision, RefusalNotice, State, StateKind,
    TimeLimits, TransitionError, blank, checklist,
};

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
}

#[cfg(test)]
mod tests {
    use crate::application::fixtures::*;

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
}
