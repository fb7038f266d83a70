//! Yuanzhu's domain: units of the service structure, persons and their registrations, as types
//! that cannot hold an invalid value. Pure: no I/O, no SQL, no HTTP.
#![forbid(unsafe_code)]

pub mod access;
pub mod application;
pub mod assistance;
pub mod masking;
pub mod registration;
pub mod residence_transfer;
pub mod revocation;
pub mod spreadsheet;
pub mod text;
pub mod unit;
pub mod workdays;
pub mod xlsx;

pub use registration::{Registration, RowError};
pub use unit::{Level, UnitCode};
