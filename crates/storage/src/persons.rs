//! Persons and their registrations: the real-name record (第七条), automatic recognition at
//! unemployment registration (第四条), and the person's file (第十九条 一人一档).

use std::collections::HashSet;

// Column lists are constants of this crate, never input: safe to splice into SQL.
use sqlx::{AssertSqlSafe, Row};
use yuanzhu_domain::access::{PersonReach, Target, User};
use yuanzhu_domain::{Registration, RowError, UnitCode};
use yuanzhu_rules::policy::Recognition;
use yuanzhu_rules::{Date, FactSet, Facts, FemaleRetirementTrack, Lang, PolicySet, Sex};

use crate::audit;

use crate::{Store, StoreError};
pub use import::{ImportError, import};
pub use plan::transfer_required;

/// The stored real-name record, as it appears in audit events and the person's file.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PersonRecord {
    pub id_number: String,
    pub name: String,
    pub sex: String,
    pub birth_date: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub residence_unit: String,
    pub household_ref: Option<String>,
    pub relation: Option<String>,
    pub female_retirement_track: String,
    /// The yes/no facts of the contract that hold, by name.
    pub facts: Vec<&'static str>,
    pub parent_certificates: Vec<&'static str>,
    /// The yes/no facts with no answer on file (neither yes nor no), by name.
    pub unanswered: Vec<&'static str>,
    pub unemployed_since: Option<String>,
}

const FACT_NAMES: [(yuanzhu_rules::Fact, &str); 21] = {
    use yuanzhu_rules::Fact::*;
    [
        (HukouLocal, "hukou_local"),
        (RuralToUrban, "rural_to_urban"),
        (RegisteredUnemployed, "registered_unemployed"),
        (AbleToWork, "able_to_work"),
        (WillingToBeAssisted, "willing_to_be_assisted"),
        (Disabled, "disabled"),
        (ZeroEmploymentFamily, "zero_employment_family"),
        (MinimumLivingAllowance, "minimum_living_allowance"),
        (LowIncomeFamily, "low_income_family"),
        (SingleParentRaisingChildren, "single_parent_raising_children"),
        (CollegeGraduate, "college_graduate"),
        (HukouInProvince, "hukou_in_province"),
        (WithoutWork, "without_work"),
        (RuralHukou, "rural_hukou"),
        (FormerlyRegisteredPoorHousehold, "formerly_registered_poor_household"),
        (LandlessFarmer, "landless_farmer"),
        (DrugRehabilitated, "drug_rehabilitated"),
        (ReleasedPrisoner, "released_prisoner"),
        (MentalHealthRecovered, "mental_health_recovered"),
        (Veteran, "veteran"),
        (CaregiverOfSeriouslyIllRelative, "caregiver_of_seriously_ill_relative"),
    ]
};

pub(crate) fn fact_names(facts: FactSet) -> Vec<&'static str> {
    FACT_NAMES.iter().filter(|(fact, _)| facts.has(*fact)).map(|(_, n)| *n).collect()
}

/// Every yes/no fact: what a file registered before answers were kept counts as answered.
fn every_fact() -> FactSet {
    FACT_NAMES.iter().fold(FactSet::default(), |set, (fact, _)| set.with(*fact))
}

/// The facts with no answer, from the set of those answered.
fn unanswered_names(known: FactSet) -> Vec<&'static str> {
    FACT_NAMES.iter().filter(|(fact, _)| !known.has(*fact)).map(|(_, n)| *n).collect()
}

fn certificate_names(bits: u8) -> Vec<&'static str> {
    yuanzhu_rules::ParentCertificate::ALL.iter().filter(|c| bits & c.bit() != 0).map(|c| c.code()).collect()
}

fn sex_code(sex: Sex) -> &'static str {
    match sex {
        Sex::Female => "female",
        Sex::Male => "male",
    }
}

fn track_code(t: FemaleRetirementTrack) -> &'static str {
    match t {
        FemaleRetirementTrack::Worker => "worker",
        FemaleRetirementTrack::Cadre => "cadre",
    }
}

impl PersonRecord {
    /// The record a registration makes, `known` being the facts it answers.
    fn of(r: &Registration, known: FactSet) -> PersonRecord {
        let f = &r.facts;
        PersonRecord {
            id_number: r.id_number.to_string(),
            name: r.name.clone(),
            sex: sex_code(f.sex).to_owned(),
            birth_date: f.birth_date.to_string(),
            phone: r.phone.clone(),
            address: r.address.clone(),
            residence_unit: r.residence_unit.to_string(),
            household_ref: r.household_ref.clone(),
            relation: r.relation.clone(),
            female_retirement_track: track_code(f.female_retirement_track).to_owned(),
            facts: fact_names(f.facts),
            parent_certificates: certificate_names(f.parent_certificates),
            unanswered: unanswered_names(known),
            unemployed_since: f.unemployed_since.map(|d| d.to_string()),
        }
    }
}

/// What one batch of registrations did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportSummary {
    pub persons_created: u64,
    pub persons_updated: u64,
    pub persons_unchanged: u64,
    pub registrations_recorded: u64,
    pub recognitions_granted: u64,
    pub rejected: Vec<RowError>,
}

impl ImportSummary {
    pub fn absorb(&mut self, other: ImportSummary) {
        self.persons_created += other.persons_created;
        self.persons_updated += other.persons_updated;
        self.persons_unchanged += other.persons_unchanged;
        self.registrations_recorded += other.registrations_recorded;
        self.recognitions_granted += other.recognitions_granted;
        self.rejected.extend(other.rejected);
    }
}

/// Unit codes known to the store, to refuse a registration at an unknown unit before writing.
pub async fn unit_codes(store: &Store) -> Result<HashSet<String>, StoreError> {
    Ok(sqlx::query_scalar::<_, String>("SELECT code FROM units").fetch_all(store.pool()).await?.into_iter().collect())
}

/// Who records a batch, and what they may change.
#[derive(Debug, Clone, Copy)]
pub struct Writer<'a> {
    /// Whose jurisdiction bounds the batch: a row about a person registered outside it is refused,
    /// in the words used for a unit outside it. `None` for the command line, which acts for the
    /// whole registry.
    pub user: Option<&'a User>,
    /// Whether a change to a person already registered must name the version of their file it
    /// was based on (one registration through the API or a page). An import's rows carry none:
    /// a batch is last-writer by design, in one transaction.
    pub versioned: bool,
}

impl Writer<'_> {
    /// The command line: the whole registry, last writer wins.
    pub const OPERATOR: Writer<'static> = Writer { user: None, versioned: false };

    /// Whether the writer reaches a person registered with these units.
    fn reaches(&self, residence_unit: &str, hukou_unit: Option<&str>) -> bool {
        let Some(user) = self.user else { return true };
        let (Ok(residence), hukou) = (UnitCode::parse(residence_unit), hukou_unit.map(UnitCode::parse).transpose())
        else {
            return false;
        };
        let hukou = hukou.ok().flatten();
        user.reaches(Target::Person(PersonReach {
            residence_unit: &residence,
            hukou_unit: hukou.as_ref(),
            assigned_to_user: false,
        }))
    }
}

/// Records a batch of registrations in one transaction: every row commits or none does, so a
/// crash never leaves half a batch, and running the same rows again changes nothing.
pub async fn register_batch(
    store: &Store,
    rows: &[Registration],
    units: &HashSet<String>,
    actor: &str,
    policies: &PolicySet,
    lang: Lang,
) -> Result<ImportSummary, StoreError> {
    register_batch_as(store, rows, units, Writer::OPERATOR, actor, policies, lang).await
}

/// [`register_batch`] by a writer of limited reach or with versions.
pub async fn register_batch_as(
    store: &Store,
    rows: &[Registration],
    units: &HashSet<String>,
    writer: Writer<'_>,
    actor: &str,
    policies: &PolicySet,
    lang: Lang,
) -> Result<ImportSummary, StoreError> {
    let mut summary = ImportSummary::default();
    let accepted = known_units(rows.iter().cloned(), units, lang, &mut summary);
    let prepared = plan::prepare(accepted, policies, lang, &mut summary);
    bulk::register(store, prepared, writer, policies, lang, actor, &mut summary).await?;
    summary.rejected.sort_by_key(|e| e.row);
    Ok(summary)
}

/// The rows at a unit of the tree; the others are reported in `summary`.
fn known_units(
    rows: impl Iterator<Item = Registration>,
    units: &HashSet<String>,
    lang: Lang,
    summary: &mut ImportSummary,
) -> Vec<Registration> {
    let mut accepted = Vec::with_capacity(rows.size_hint().0);
    for r in rows {
        if units.contains(r.residence_unit.as_str()) {
            accepted.push(r);
            continue;
        }
        summary.rejected.push(RowError::unknown_unit(&r, lang));
    }
    accepted
}

/// The set of the facts named.
fn fact_set(names: &[&str]) -> FactSet {
    FACT_NAMES.iter().filter(|(_, n)| names.contains(n)).fold(FactSet::default(), |set, (fact, _)| set.with(*fact))
}

/// The registration as it applies to a person on file, and the yes/no facts answered after it:
/// a column the row lacks keeps the value on file, an empty one clears it (absent means
/// unchanged). The registration's own columns (name, unit, date) are always given.
pub fn applied(row: &Registration, on_file: &PersonRecord) -> Result<(Registration, FactSet), StoreError> {
    use yuanzhu_domain::registration::Extra;
    use yuanzhu_rules::contract::Field;
    let g = row.given;
    let mut r = row.clone();
    let given = g.facts().bits();
    let facts = (fact_set(&on_file.facts).bits() & !given) | (row.facts.facts.bits() & given);
    r.facts.facts = FactSet::from_bits(facts);
    let known_on_file = every_fact().bits() & !fact_set(&on_file.unanswered).bits();
    let known = FactSet::from_bits((known_on_file & !given) | g.answered().bits());
    if !g.has_field(Field::ParentCertificates) {
        r.facts.parent_certificates = on_file
            .parent_certificates
            .iter()
            .filter_map(|c| yuanzhu_rules::ParentCertificate::from_code(c))
            .fold(0, |bits, c| bits | c.bit());
    }
    if !g.has_field(Field::UnemployedSince) {
        r.facts.unemployed_since = on_file
            .unemployed_since
            .as_deref()
            .map(|d| Date::parse(d).map_err(|_| StoreError::Corrupt(format!("stored date `{d}`"))))
            .transpose()?;
    }
    if !g.has_field(Field::FemaleRetirementTrack) {
        r.facts.female_retirement_track = match on_file.female_retirement_track.as_str() {
            "cadre" => FemaleRetirementTrack::Cadre,
            _ => FemaleRetirementTrack::Worker,
        };
    }
    let keep = |extra: Extra, mine: &mut Option<String>, stored: &Option<String>| {
        if !g.has_extra(extra) {
            mine.clone_from(stored);
        }
    };
    keep(Extra::Phone, &mut r.phone, &on_file.phone);
    keep(Extra::Address, &mut r.address, &on_file.address);
    keep(Extra::HouseholdRef, &mut r.household_ref, &on_file.household_ref);
    keep(Extra::Relation, &mut r.relation, &on_file.relation);
    Ok((r, known))
}

/// The record a person on file would have after this registration (see [`applied`]).
pub fn record_after(row: &Registration, on_file: &PersonRecord) -> Result<PersonRecord, StoreError> {
    let (r, known) = applied(row, on_file)?;
    Ok(PersonRecord::of(&r, known))
}

/// The categories 第四条 recognises automatically for a registration, under the policy in force
/// on its date: (policy, category index) pairs, with the facts as of that registration.
fn automatic_categories<'p>(
    r: &Registration,
    policies: &'p PolicySet,
) -> (Option<&'p yuanzhu_rules::Policy>, Facts, Vec<usize>) {
    let facts = Facts { unemployment_registered_on: Some(r.registered_on), ..r.facts };
    let Some(policy) = policies.in_force_on(r.registered_on) else { return (None, facts, Vec::new()) };
    let outcome = policy.assess(&facts, r.registered_on);
    let matched = (0..policy.categories.len())
        .filter(|&i| outcome.categories & (1 << i) != 0 && policy.categories[i].recognition == Recognition::Automatic)
        .collect();
    (Some(policy), facts, matched)
}

/// What an automatic recognition records in its audit event.
fn recognition_event(policy: &yuanzhu_rules::Policy, i: usize, facts: &Facts, on: Date) -> String {
    let category = &policy.categories[i];
    let because = crate::recognitions::because(policy, i, facts, on);
    // Keys in the order `serde_json::Value` keeps them (sorted), as the audit trail always had them.
    #[derive(serde::Serialize)]
    struct Recognised<'a> {
        authority: &'a str,
        because: &'a str,
        category: &'a str,
        citation: &'a str,
        recognized_on: String,
        route: &'a str,
    }
    let event = Recognised {
        authority: "第四条",
        because: &because,
        category: category.code,
        citation: &category.citation,
        recognized_on: on.to_string(),
        route: "automatic",
    };
    serde_json::to_string(&event).expect("a recognition serialises")
}

pub(crate) mod bulk;
mod import;
pub(crate) mod native;
mod plan;
mod postgres;
mod sqlite;

pub(crate) const PERSON_COLUMNS: &str = "id_number, name, sex, birth_date, phone, address, residence_unit, household_ref, relation, \
     female_retirement_track, facts, parent_certificates, unemployed_since, facts_known";

/// A recognition as the person's file shows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecognitionEntry {
    pub category: String,
    pub policy: String,
    pub citation: String,
    pub route: String,
    pub recognized_on: String,
    pub decided_by: String,
    pub ended_on: Option<String>,
    pub end_reason: Option<String>,
}

/// The person's file (一人一档): facts, recognised categories, registrations and the timeline.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PersonFile {
    pub person: PersonRecord,
    pub version: i64,
    /// Codes of the categories currently recognised.
    pub categories: Vec<String>,
    pub recognitions: Vec<RecognitionEntry>,
    pub registrations: Vec<String>,
    /// The household today, with its derived zero-employment status, if the person has one.
    /// Not shown as stored: what a caller may see of the other members depends on their
    /// jurisdiction, so the web's file shows its own view of it instead.
    #[serde(skip_serializing)]
    pub household: Option<crate::households::Household>,
    pub timeline: Vec<audit::Event>,
}

/// The file of the person with this ID number, if registered.
pub async fn file(store: &Store, id_number: &str) -> Result<Option<PersonFile>, StoreError> {
    let Some(row) =
        sqlx::query(AssertSqlSafe(format!("SELECT id, version, {PERSON_COLUMNS} FROM persons WHERE id_number = $1")))
            .bind(id_number)
            .fetch_optional(store.pool())
            .await?
    else {
        return Ok(None);
    };
    let id: String = row.try_get("id")?;
    let person = native::person_record(&row)?;
    let recognitions = sqlx::query(
        "SELECT category, policy, citation, route, recognized_on, decided_by, ended_on, end_reason \
         FROM recognitions WHERE person_id = $1 ORDER BY recognized_on, category",
    )
    .bind(&id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(RecognitionEntry {
            category: r.try_get("category")?,
            policy: r.try_get("policy")?,
            citation: r.try_get("citation")?,
            route: r.try_get("route")?,
            recognized_on: r.try_get("recognized_on")?,
            decided_by: r.try_get("decided_by")?,
            ended_on: r.try_get("ended_on")?,
            end_reason: r.try_get("end_reason")?,
        })
    })
    .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let registrations = sqlx::query_scalar::<_, String>(
        "SELECT registered_on FROM unemployment_registrations WHERE person_id = $1 ORDER BY registered_on",
    )
    .bind(&id)
    .fetch_all(store.pool())
    .await?;
    let mut categories: Vec<String> =
        recognitions.iter().filter(|r| r.ended_on.is_none()).map(|r| r.category.clone()).collect();
    categories.dedup();
    let household = match &person.household_ref {
        Some(h) => crate::households::household(store, h, store.clock().today()).await?,
        None => None,
    };
    Ok(Some(PersonFile {
        person,
        version: row.try_get("version")?,
        categories,
        recognitions,
        registrations,
        household,
        timeline: audit::history_of(store, &id).await?,
    }))
}

/// How many persons are registered.
pub async fn count(store: &Store) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM persons").fetch_one(store.pool()).await?)
}

/// The most recent registration date of a person, if any (the one that counts, notes §4.1).
pub async fn latest_registration(store: &Store, id_number: &str) -> Result<Option<Date>, StoreError> {
    let text: Option<String> = sqlx::query_scalar(
        "SELECT MAX(r.registered_on) FROM unemployment_registrations r JOIN persons p ON p.id = r.person_id WHERE p.id_number = $1",
    )
    .bind(id_number)
    .fetch_one(store.pool())
    .await?;
    text.map(|t| Date::parse(&t).map_err(|_| StoreError::Corrupt(format!("stored date `{t}`")))).transpose()
}
