//! Yuanzhu's rules: facts about a person in, an assessment with reasons and citations out.
//!
//! Pure: no I/O, no async, no SQL. Policy files arrive as text; records arrive as bytes.
#![forbid(unsafe_code)]

pub mod batch;
pub mod calendar;
pub mod citation;
pub mod clock;
pub mod contract;
pub mod explain;
pub mod facts;
pub mod id_number;
pub mod lang;
pub mod money;
pub mod policy;
pub mod retirement;
pub mod synthetic;

pub use calendar::Date;
pub use facts::{Fact, FactSet, Facts, FemaleRetirementTrack, ParentCertificate, Sex};
pub use id_number::{IdNumber, IdNumberError};
pub use lang::Lang;
pub use money::{Money, MoneyError};
pub use policy::{Outcome, Policy, PolicySet};
