//! The use cases: one function per thing a user does, taking the user, the state and a typed
//! command, and answering a typed result or one error. The API (`crate::api`) and the pages
//! (`crate::ui`) are adapters over them: extractors and JSON on one side, forms and templates on
//! the other, neither calling the other. See docs/ARCHITECTURE.md.

pub(crate) mod common;
pub mod revocations;
