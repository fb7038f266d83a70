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
//! [`Application::appeal_deadline`] (day counting). Working days and rest days come from the
//! national schedule ([`WorkCalendar`](crate::workdays::WorkCalendar)).
//!
//! One file per part: `categories` (what one may apply under), `documents` (the checklist),
//! `deadlines` (time limits and working days), `notices` (what the applicant is served), `events`
//! (states and actions), `errors` (why a change was refused) and `machine` (the application and its
//! transitions). Every type is used as `application::Name`; the tests sit beside what they test.

use yuanzhu_rules::Lang;

mod categories;
mod deadlines;
mod documents;
mod errors;
mod events;
mod machine;
mod notices;

#[cfg(test)]
mod fixtures;
#[cfg(test)]
mod properties;

pub use categories::{ApplicationCategory, CategoryError, CategoryRule, HardshipSubType, ProvincialCategory};
pub use deadlines::TimeLimits;
pub use documents::{Document, Provision, checklist};
pub use errors::TransitionError;
pub use events::{Action, ActionKind, Event, State, StateKind};
pub use machine::Application;
pub use notices::{OneTimeDeficiencyNotice, RefusalNotice};

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
