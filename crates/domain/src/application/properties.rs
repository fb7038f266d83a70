//! Property tests of the state machine: no sequence of actions reaches an illegal state.

use proptest::prelude::*;

use crate::application::fixtures::*;

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
}
