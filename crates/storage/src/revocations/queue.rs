//! The caseworker's queue: persons one more failed attempt would make unreachable.

// The module's imports and shared helpers (its errors, `blank`, the other sections' rows).
use super::*;

/// A person one more failed attempt would make unreachable under the lost-contact rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DueContact {
    /// The person's record key, for a link to their file.
    pub person_id: String,
    pub id_number: String,
    pub name: String,
    pub phone: Option<String>,
    pub residence_unit: String,
    pub policy: String,
    /// From this day a failed attempt completes the rule; reach the person before then.
    pub due: String,
    /// `due` is on or before the day asked about: the next attempt decides.
    pub overdue: bool,
}

/// The caseworker's queue: persons living in the units under `unit_prefix`, holding status that
/// lost contact ends under any of `policies`, whose failed attempts will meet the rule within
/// `within_days` days of `on` ([`LostContactRule::becomes_unreachable_within`]). Soonest first.
/// Persons with an open lost-contact proposal are with the reviewer, not here. Reads only those
/// who [`MAY_COME_DUE`], so a unit's thousands of holders never contacted cost nothing.
pub async fn about_to_become_unreachable(
    store: &Store,
    policies: &PolicySet,
    unit_prefix: &str,
    on: Date,
    within_days: u32,
) -> Result<Vec<DueContact>, RevocationError> {
    let like = unit_like(unit_prefix)?;
    let reason = ExitReason::LostContact;
    let horizon = Date::from_days(on.to_days() + i64::from(within_days));
    let mut out = Vec::new();
    for policy in policies.policies().iter().filter(|p| lists(p, reason)) {
        let rule = LostContactRule::of(policy);
        // A run that starts later comes due after the horizon: its period ends later.
        let latest_start = match horizon {
            Some(h) => match latest_start_reaching(h, |start| rule.completes_on(start)) {
                Some(start) => start,
                None => continue,
            },
            None => Date::from_ymd(9999, 12, 31).expect("a valid date"),
        };
        let candidates = may_come_due(store, policy, &like, on, latest_start).await?;
        if candidates.is_empty() {
            continue;
        }
        let mut contacts = contact_evidence(store, &policy.id, &like, on, Some(latest_start)).await?;
        for (h, judged) in candidates {
            let mut evidence = contacts.remove(&h.person_id).unwrap_or_default();
            if let Some(until) = judged {
                evidence.retain(|a| a.on > until);
            }
            let Some(due) = rule.becomes_unreachable_within(&evidence, on, within_days) else { continue };
            out.push(DueContact {
                person_id: h.person_id,
                id_number: h.id_number,
                name: h.name,
                phone: h.phone,
                residence_unit: h.residence_unit,
                policy: policy.id.clone(),
                due: due.to_string(),
                overdue: due <= on,
            });
        }
    }
    out.sort_by(|a, b| (&a.due, &a.id_number).cmp(&(&b.due, &b.id_number)));
    Ok(out)
}
