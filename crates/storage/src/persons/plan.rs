//! A batch planned in memory, in two steps. [`prepare`] works out what each row means on its own
//! (the record, the JSON of its events, the categories 第四条 recognises), which needs no
//! database, so the next batch is prepared on another thread while this one is written. [`plan`]
//! then meets the prepared rows with what is stored, in one pass: a person twice in the batch
//! sees their own earlier row, and only what changes is written.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use yuanzhu_domain::{Registration, RowError};
use yuanzhu_rules::{FactSet, Lang, PolicySet};

use super::bulk::person_json;
use super::{ImportSummary, PersonRecord, Writer, applied, automatic_categories, recognition_event};
use crate::audit::AuditAction;
use crate::{StoreError, new_id};

/// A row and what it means, whatever is stored.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub row: Registration,
    /// The record of the row as a new person's.
    pub record: PersonRecord,
    /// The yes/no facts the row answers.
    pub known: FactSet,
    /// The record as audit JSON.
    pub json: String,
    pub on: String,
    /// The JSON of its `registration.recorded` event.
    pub registration_json: String,
    /// The categories recognised automatically at this registration, if not already.
    pub recognitions: Vec<Recognition>,
    /// Why the row cannot register a person not yet on file: a question the policy in force
    /// requires and the row does not ask (a person on file keeps their answer).
    pub missing_if_new: Option<RowError>,
}

/// An automatic recognition a row brings, with its event's JSON.
#[derive(Debug)]
pub(crate) struct Recognition {
    pub category: &'static str,
    pub policy: Arc<str>,
    pub citation: String,
    pub json: String,
}

/// Policy IDs, shared by every recognition under them.
type PolicyIds<'p> = HashMap<&'p str, Arc<str>>;

/// The categories 第四条 recognises automatically for a registration, with their events.
fn recognitions_of<'p>(row: &Registration, policies: &'p PolicySet, ids: &mut PolicyIds<'p>) -> Vec<Recognition> {
    let (policy, facts, matched) = automatic_categories(row, policies);
    let Some(policy) = policy else { return Vec::new() };
    let id = ids.entry(&policy.id).or_insert_with(|| Arc::from(policy.id.as_str())).clone();
    matched
        .into_iter()
        .map(|i| Recognition {
            category: policy.categories[i].code,
            policy: id.clone(),
            citation: policy.categories[i].citation.clone(),
            json: recognition_event(policy, i, &facts, row.registered_on),
        })
        .collect()
}

/// Works out each row on its own. A row that leaves empty a question the policy in force on its
/// date requires is refused here, whoever the person is (an empty cell is an absent field).
pub(crate) fn prepare(
    rows: Vec<Registration>,
    policies: &PolicySet,
    lang: Lang,
    summary: &mut ImportSummary,
) -> Vec<Prepared> {
    let mut ids = PolicyIds::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let unanswered = row.unanswered(policies, lang);
        if let Some(e) = unanswered.cleared.into_iter().next() {
            summary.rejected.push(e);
            continue;
        }
        let known = row.given.answered();
        let record = PersonRecord::of(&row, known);
        let json = person_json(&record);
        let on = row.registered_on.to_string();
        let registration_json = registration_json(&on, row.residence_unit.as_str());
        let recognitions = recognitions_of(&row, policies, &mut ids);
        let missing_if_new = unanswered.absent.into_iter().next();
        out.push(Prepared { row, record, known, json, on, registration_json, recognitions, missing_if_new });
    }
    out
}

fn registration_json(on: &str, unit: &str) -> String {
    #[derive(serde::Serialize)]
    struct Recorded<'a> {
        registered_on: &'a str,
        unit: &'a str,
    }
    serde_json::to_string(&Recorded { registered_on: on, unit }).expect("a registration serialises")
}

/// The rows' ID numbers, each once: the keys to read the stored persons by.
pub(crate) fn id_numbers(rows: &[Prepared]) -> Vec<&str> {
    let mut keys: Vec<&str> = rows.iter().map(|p| p.record.id_number.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// What is stored of the batch's persons, read in its transaction.
#[derive(Debug, Default)]
pub(crate) struct Stored {
    pub persons: HashMap<String, StoredPerson>,
    /// (person ID, registration date)
    pub registered: HashSet<(String, String)>,
    /// (person ID, category, policy) of the recognitions that have not ended.
    pub recognised: HashSet<(String, String, String)>,
    /// (person ID, category, policy, date recognised) of every recognition, ended or not: a
    /// registration read again does not grant again what it granted once and was since ended.
    pub granted: HashSet<(String, String, String, String)>,
}

impl Stored {
    /// A stored recognition of one of the batch's persons, ended or not.
    pub fn add_recognition(&mut self, person_id: String, category: String, policy: String, on: String, open: bool) {
        if open {
            self.recognised.insert((person_id.clone(), category.clone(), policy.clone()));
        }
        self.granted.insert((person_id, category, policy, on));
    }
}

#[derive(Debug)]
pub(crate) struct StoredPerson {
    pub id: String,
    pub version: i64,
    pub latest: Option<String>,
    /// The unit of hukou, through which that unit also reaches the person.
    pub hukou_unit: Option<String>,
    pub record: PersonRecord,
}

/// A person to insert, or to update if stored before the batch.
#[derive(Debug)]
pub(crate) struct Person {
    pub id: String,
    pub record: PersonRecord,
    /// The fact bits of the row whose facts the record holds.
    pub facts: i64,
    /// The bits of the facts answered (yes or no).
    pub known: i64,
    pub certificates: i64,
    /// A new person's version; for a stored one, the version read (the update's guard).
    pub version: i64,
    /// Changes made by this batch to a stored person (each a `person.updated` event).
    pub changes: i64,
    pub latest: Option<String>,
}

#[derive(Debug)]
pub(crate) struct NewRegistration {
    pub id: String,
    pub person_id: String,
    pub on: String,
    pub unit: String,
}

#[derive(Debug)]
pub(crate) struct NewRecognition {
    pub id: String,
    pub person_id: String,
    pub category: &'static str,
    pub policy: Arc<str>,
    pub citation: String,
    pub on: String,
}

/// An audit event planned for the batch, in the chain's order.
#[derive(Debug)]
pub(crate) struct Event {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    pub person_id: String,
    pub policy: Option<Arc<str>>,
    pub before: Option<String>,
    pub after: String,
}

impl Event {
    pub fn draft<'a>(&'a self, actor: &'a str) -> crate::audit::Draft<'a> {
        crate::audit::Draft {
            actor,
            action: self.action,
            entity: self.entity,
            entity_id: &self.entity_id,
            person_id: Some(&self.person_id),
            policy: self.policy.as_deref(),
            before: self.before.as_deref(),
            after: Some(&self.after),
        }
    }
}

/// What a batch writes.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// New persons, in the order of their first row.
    pub created: Vec<Person>,
    /// Stored persons whose record changed.
    pub updated: Vec<Person>,
    /// Stored persons whose latest registration moved: (ID, date).
    pub latest_moved: Vec<(String, String)>,
    pub registrations: Vec<NewRegistration>,
    pub recognitions: Vec<NewRecognition>,
    pub events: Vec<Event>,
}

/// A person as the batch leaves them so far.
struct Known {
    id: String,
    /// The stored version, for a person stored before this batch.
    stored_version: Option<i64>,
    hukou_unit: Option<String>,
    changes: i64,
    record: PersonRecord,
    facts: i64,
    known: i64,
    certificates: i64,
    latest: Option<String>,
    latest_moved: bool,
    /// The position of a new person in [`Plan::created`].
    created: Option<usize>,
}

impl Known {
    /// The version of the file as the batch leaves it so far.
    fn version(&self) -> i64 {
        self.stored_version.unwrap_or(1) + self.changes
    }
}

/// A row that would move a person to another unit ([`RowError::transfer_required`], whose words
/// are the domain's).
pub fn transfer_required(row: &Registration, on_file: &str, lang: Lang) -> RowError {
    RowError::transfer_required(row, on_file, lang)
}

/// Meets the rows with what is stored. Rows are taken apart: their strings move into the plan.
/// A row about a person on file outside the writer's reach is refused in the words used for a
/// unit outside it, and a row that would move a person is refused: a move is a transfer.
pub(crate) fn plan(
    rows: Vec<Prepared>,
    stored: Stored,
    writer: Writer<'_>,
    policies: &PolicySet,
    lang: Lang,
    summary: &mut ImportSummary,
) -> Result<Plan, StoreError> {
    let Stored { persons, mut registered, mut recognised, mut granted } = stored;
    let mut known: HashMap<String, Known> = HashMap::with_capacity(rows.len());
    for (id_number, p) in persons {
        known.insert(
            id_number,
            Known {
                id: p.id,
                stored_version: Some(p.version),
                hukou_unit: p.hukou_unit,
                changes: 0,
                record: p.record,
                facts: 0,
                known: 0,
                certificates: 0,
                latest: p.latest,
                latest_moved: false,
                created: None,
            },
        );
    }
    let mut out = Plan { events: Vec::with_capacity(rows.len() * 2), ..Plan::default() };
    let mut created: Vec<String> = Vec::new();
    let mut ids = PolicyIds::new();
    for p in rows {
        let Prepared { row, record, known: answered, json, on, registration_json, recognitions, missing_if_new } = p;
        let k = match known.get_mut(record.id_number.as_str()) {
            None => {
                if let Some(expected) = row.base_version {
                    return Err(StoreError::Conflict { expected, found: 0 });
                }
                if let Some(e) = missing_if_new {
                    summary.rejected.push(e);
                    continue;
                }
                let id = new_id();
                out.events.push(Event {
                    action: AuditAction::PersonCreated.code(),
                    entity: "person",
                    entity_id: id.clone(),
                    person_id: id.clone(),
                    policy: None,
                    before: None,
                    after: json,
                });
                summary.persons_created += 1;
                created.push(record.id_number.clone());
                let k = Known {
                    id,
                    stored_version: None,
                    hukou_unit: None,
                    changes: 0,
                    record,
                    facts: i64::from(row.facts.facts.bits()),
                    known: i64::from(answered.bits()),
                    certificates: i64::from(row.facts.parent_certificates),
                    latest: None,
                    latest_moved: false,
                    created: Some(created.len() - 1),
                };
                let k = known.entry(k.record.id_number.clone()).or_insert(k);
                (k, recognitions)
            }
            Some(k) => {
                if k.stored_version.is_some() && !writer.reaches(&k.record.residence_unit, k.hukou_unit.as_deref()) {
                    summary.rejected.push(RowError::outside_jurisdiction(&row, lang));
                    continue;
                }
                if k.record.residence_unit != row.residence_unit.as_str() {
                    summary.rejected.push(transfer_required(&row, &k.record.residence_unit, lang));
                    continue;
                }
                match row.base_version {
                    Some(expected) if expected != k.version() => {
                        return Err(StoreError::Conflict { expected, found: k.version() });
                    }
                    None if writer.versioned => return Err(StoreError::VersionRequired { found: k.version() }),
                    _ => {}
                }
                // A column the row lacks keeps what the file holds.
                let (applied_row, applied_known) = applied(&row, &k.record)?;
                let after = PersonRecord::of(&applied_row, applied_known);
                let recognitions = if applied_row.facts == row.facts {
                    recognitions
                } else {
                    recognitions_of(&applied_row, policies, &mut ids)
                };
                if k.record == after {
                    summary.persons_unchanged += 1;
                } else {
                    // The record before is what the previous event's JSON said (the same function).
                    let before = person_json(&k.record);
                    let after_json = if after == record { json } else { person_json(&after) };
                    out.events.push(Event {
                        action: AuditAction::PersonUpdated.code(),
                        entity: "person",
                        entity_id: k.id.clone(),
                        person_id: k.id.clone(),
                        policy: None,
                        before: Some(before),
                        after: after_json,
                    });
                    summary.persons_updated += 1;
                    k.record = after;
                    k.facts = i64::from(applied_row.facts.facts.bits());
                    k.known = i64::from(applied_known.bits());
                    k.certificates = i64::from(applied_row.facts.parent_certificates);
                    k.changes += 1;
                }
                (k, recognitions)
            }
        };
        let (k, recognitions) = k;
        if k.latest.as_ref().is_none_or(|latest| *latest < on) {
            k.latest = Some(on.clone());
            k.latest_moved = true;
        }
        let person_id = k.id.clone();
        if registered.insert((person_id.clone(), on.clone())) {
            let id = new_id();
            out.events.push(Event {
                action: AuditAction::RegistrationRecorded.code(),
                entity: "unemployment_registration",
                entity_id: id.clone(),
                person_id: person_id.clone(),
                policy: None,
                before: None,
                after: registration_json,
            });
            out.registrations.push(NewRegistration {
                id,
                person_id: person_id.clone(),
                on: on.clone(),
                unit: row.residence_unit.as_str().to_owned(),
            });
            summary.registrations_recorded += 1;
        }
        for r in recognitions {
            let key = (person_id.clone(), r.category.to_owned(), r.policy.to_string());
            let once = (key.0.clone(), key.1.clone(), key.2.clone(), on.clone());
            if granted.contains(&once) || !recognised.insert(key) {
                continue;
            }
            granted.insert(once);
            let id = new_id();
            out.events.push(Event {
                action: AuditAction::RecognitionGranted.code(),
                entity: "recognition",
                entity_id: id.clone(),
                person_id: person_id.clone(),
                policy: Some(r.policy.clone()),
                before: None,
                after: r.json,
            });
            out.recognitions.push(NewRecognition {
                id,
                person_id: person_id.clone(),
                category: r.category,
                policy: r.policy,
                citation: r.citation,
                on: on.clone(),
            });
            summary.recognitions_granted += 1;
        }
    }
    let person = |k: Known, version: i64| Person {
        id: k.id,
        record: k.record,
        facts: k.facts,
        known: k.known,
        certificates: k.certificates,
        version,
        changes: k.changes,
        latest: k.latest,
    };
    let mut new: Vec<Option<Person>> = (0..created.len()).map(|_| None).collect();
    for (_, k) in known {
        match (k.created, k.stored_version) {
            (Some(i), _) => {
                let version = 1 + k.changes;
                new[i] = Some(person(k, version));
            }
            (None, Some(version)) => {
                if k.latest_moved {
                    out.latest_moved.push((k.id.clone(), k.latest.clone().expect("moved to a date")));
                }
                if k.changes > 0 {
                    out.updated.push(person(k, version));
                }
            }
            (None, None) => unreachable!("a person is either stored or created"),
        }
    }
    out.created = new.into_iter().map(|p| p.expect("every created person is known")).collect();
    Ok(out)
}
