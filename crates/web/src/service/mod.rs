//! The use cases: one function per thing a user does, taking the user, the state and a typed
//! command, and answering a typed result or one error. The API (`crate::api`) and the pages
//! (`crate::ui`) are adapters over them: extractors and JSON on one side, forms and templates on
//! the other, neither calling the other. See docs/ARCHITECTURE.md.

pub mod admin;
pub mod applications;
pub mod assistance;
pub(crate) mod common;
pub mod household_joins;
pub mod households;
pub mod person_file;
pub mod persons;
pub mod residence_transfers;
pub mod revocations;
pub mod session;
pub mod transfer;
