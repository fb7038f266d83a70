//! The assistance itself (第七至十六条, 第十九条): the services given to each person, as records
//! that cite the article they deliver, and the ledger (台帐) they make up with placements and,
//! later, plans, training and follow-ups.

pub mod follow_up;
pub mod ledger;
pub mod plan;
pub mod service;

pub use follow_up::{FollowUp, FollowUpError, NewFollowUp};
pub use ledger::{LedgerEntry, LedgerKind};
pub use plan::{ActionState, NewAction, NewPlan, Plan, PlanAction, PlanError};
pub use service::{NewService, ServiceError, ServiceKind, ServiceOutcome, ServiceRecord};
