//! What the revocation tests share.

pub(super) use yuanzhu_rules::policy::Policy;
pub(super) use yuanzhu_rules::{Date, Lang, PolicySet};

pub(super) use super::*;

pub(super) fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

pub(super) fn policy(id: &str) -> Policy {
    PolicySet::embedded().by_id(id).unwrap().clone()
}

pub(super) fn failed(on: &str) -> ContactAttempt {
    ContactAttempt { on: d(on), channel: ContactChannel::Phone, reached: false, note: "无人接听".into() }
}

pub(super) fn reached(on: &str) -> ContactAttempt {
    ContactAttempt { on: d(on), channel: ContactChannel::HomeVisit, reached: true, note: String::new() }
}

pub(super) fn refusal(on: &str) -> Refusal {
    Refusal { on: d(on), service: Service::JobReferral }
}
