//! The words of storage's errors. Each `match` names every variant (no `_` arm), so that a
//! variant added in storage does not compile until it has its entry here; the store's own
//! failures (the database, a conflict of versions) are told per capability, since a conflict
//! names what changed.

use yuanzhu_rules::Lang;
use yuanzhu_storage::StoreError;
use yuanzhu_storage::accounts::AccountError;
use yuanzhu_storage::applications::ApplicationError;
use yuanzhu_storage::employment::EmploymentError;
use yuanzhu_storage::households::joins::{JoinError, JoinState};
use yuanzhu_storage::revocations::{ProposalState, RevocationError};

use super::{Describe, text};

/// A failure of the store other than a conflict of versions.
fn store_error(lang: Lang, e: &StoreError) -> String {
    text(lang, "store_error", &[("error", e)])
}

/// A stale version: `key` says what changed.
fn conflict(lang: Lang, key: &str, expected: i64, found: i64) -> String {
    text(lang, key, &[("expected", &expected), ("found", &found)])
}

fn person_not_found(lang: Lang, id_number: &str) -> String {
    text(lang, "person_not_found", &[("id_number", &id_number)])
}

impl Describe for RevocationError {
    fn message(&self, lang: Lang) -> String {
        match self {
            RevocationError::Rejected(e) => e.message(lang),
            RevocationError::Store(StoreError::Conflict { expected, found }) => {
                conflict(lang, "revocation.version_conflict", *expected, *found)
            }
            RevocationError::Store(e) => store_error(lang, e),
            RevocationError::UnknownPerson(id) => person_not_found(lang, id),
            RevocationError::UnknownProposal(id) => text(lang, "revocation.proposal_not_found", &[("id", id)]),
            RevocationError::AlreadyDecided { state, decided_by, decided_on } => {
                let state = text(lang, proposal_state(*state), &[]);
                text(
                    lang,
                    "revocation.already_decided",
                    &[("state", &state), ("decided_by", decided_by), ("decided_on", decided_on)],
                )
            }
            RevocationError::NothingToRevoke { id_number, reason } => {
                text(lang, "revocation.nothing_to_revoke", &[("id_number", id_number), ("reason", reason)])
            }
            RevocationError::UnknownPolicy(id) => text(lang, "revocation.unknown_policy", &[("policy", id)]),
            RevocationError::HouseholdReason => text(lang, "revocation.household_reason", &[]),
            RevocationError::AtOfficeNotReached => text(lang, "revocation.at_office_not_reached", &[]),
            RevocationError::EmptyActor => text(lang, "actor_required", &[]),
            RevocationError::UnitPrefix(prefix) => text(lang, "revocation.invalid_unit", &[("prefix", prefix)]),
        }
    }
}

fn proposal_state(state: ProposalState) -> &'static str {
    match state {
        ProposalState::Proposed => "revocation.state.proposed",
        ProposalState::Confirmed => "revocation.state.confirmed",
        ProposalState::Dismissed => "revocation.state.dismissed",
    }
}

impl Describe for ApplicationError {
    fn message(&self, lang: Lang) -> String {
        match self {
            ApplicationError::Transition(e) => e.message(lang),
            ApplicationError::PersonNotFound { id_number } => {
                text(lang, "application.person_not_found", &[("id_number", id_number)])
            }
            ApplicationError::NotFound { application_id } => {
                text(lang, "application.not_found", &[("application_id", application_id)])
            }
            ApplicationError::AlreadyRecognised { policy, category, since } => text(
                lang,
                "application.already_recognised",
                &[("policy", policy), ("category", category), ("since", since)],
            ),
            ApplicationError::AlreadyOpen { application_id } => {
                text(lang, "application.already_open", &[("application_id", application_id)])
            }
            ApplicationError::UnitPrefix { prefix } => text(lang, "application.invalid_unit", &[("prefix", prefix)]),
            ApplicationError::PolicyNotInForce { policy, received_on, in_force } => match in_force {
                Some(current) => text(
                    lang,
                    "application.policy_superseded",
                    &[("received_on", received_on), ("current", current), ("policy", policy)],
                ),
                None => {
                    text(lang, "application.no_policy_in_force", &[("received_on", received_on), ("policy", policy)])
                }
            },
            ApplicationError::RulesNotMet { policy, document, name, received_on, unmet, .. } => {
                let unmet = unmet
                    .iter()
                    .map(|u| {
                        let condition = if lang == Lang::Zh { &u.zh } else { &u.en };
                        text(
                            lang,
                            "application.unmet_condition",
                            &[("condition", condition), ("citation", &u.citation)],
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(&text(lang, "list_separator", &[]));
                let category = if lang == Lang::Zh { &name.0 } else { &name.1 };
                text(
                    lang,
                    "application.rules_not_met",
                    &[
                        ("document", document),
                        ("policy", policy),
                        ("received_on", received_on),
                        ("category", category),
                        ("unmet", &unmet),
                    ],
                )
            }
            ApplicationError::Store(StoreError::Conflict { expected, found }) => {
                conflict(lang, "application.version_conflict", *expected, *found)
            }
            ApplicationError::Store(e) => store_error(lang, e),
        }
    }
}

impl Describe for EmploymentError {
    fn message(&self, lang: Lang) -> String {
        match self {
            EmploymentError::Store(e) => store_error(lang, e),
            EmploymentError::UnknownPerson(id) => person_not_found(lang, id),
            EmploymentError::UnknownRecord(id) => text(lang, "employment.not_found", &[("id", id)]),
            EmploymentError::BelowWorkingAge { started_on, sixteenth } => {
                text(lang, "employment.below_working_age", &[("started_on", started_on), ("sixteenth", sixteenth)])
            }
            EmploymentError::Overlaps { started_on, other } => {
                let from = &other.started_on;
                let other = match (other.employer.as_deref(), other.ended_on.as_deref()) {
                    (Some(e), Some(u)) => {
                        text(lang, "employment.other.at_until", &[("from", from), ("employer", &e), ("until", &u)])
                    }
                    (Some(e), None) => text(lang, "employment.other.at_open", &[("from", from), ("employer", &e)]),
                    (None, Some(u)) => text(lang, "employment.other.until", &[("from", from), ("until", &u)]),
                    (None, None) => text(lang, "employment.other.open", &[("from", from)]),
                };
                text(lang, "employment.overlaps", &[("started_on", started_on), ("other", &other)])
            }
            EmploymentError::AlreadyEnded { started_on, ended_on } => {
                text(lang, "employment.already_ended", &[("started_on", started_on), ("ended_on", ended_on)])
            }
            EmploymentError::EndsBeforeStart { ended_on, started_on } => {
                text(lang, "employment.ends_before_start", &[("ended_on", ended_on), ("started_on", started_on)])
            }
            EmploymentError::EmptyActor => text(lang, "actor_required", &[]),
        }
    }
}

impl Describe for AccountError {
    fn message(&self, lang: Lang) -> String {
        match self {
            AccountError::UsernameTaken => text(lang, "account.username_taken", &[]),
            AccountError::InvalidUsername => text(lang, "account.invalid_username", &[]),
            AccountError::UnknownUnit(unit) => text(lang, "account.unknown_unit", &[("unit", unit)]),
            AccountError::RoleDoesNotFitUnit { role, unit } => {
                // The role's name is the domain's: its code in English.
                let role = if lang == Lang::Zh { role.name_zh() } else { role.code() };
                text(lang, "account.role_does_not_fit_unit", &[("role", &role), ("unit", unit)])
            }
            AccountError::NotFound(username) => text(lang, "account.not_found", &[("username", username)]),
            AccountError::PersonNotFound(id_number) => person_not_found(lang, id_number),
            AccountError::NotASocialWorker(username) => {
                text(lang, "account.not_a_social_worker", &[("username", username)])
            }
            AccountError::Store(e) => store_error(lang, e),
        }
    }
}

impl Describe for JoinError {
    fn message(&self, lang: Lang) -> String {
        match self {
            JoinError::Store(StoreError::Conflict { expected, found }) => {
                conflict(lang, "join.version_conflict", *expected, *found)
            }
            JoinError::Store(e) => store_error(lang, e),
            JoinError::NotFound(id) => text(lang, "join.not_found", &[("id", id)]),
            JoinError::AlreadyDecided { state, decided_by, decided_on } => {
                let state = text(lang, join_state(*state), &[]);
                text(
                    lang,
                    "join.already_decided",
                    &[("state", &state), ("decided_by", decided_by), ("decided_on", decided_on)],
                )
            }
            JoinError::NoLongerClaimed(household) => text(lang, "join.no_longer_claimed", &[("household", household)]),
            JoinError::ReasonRequired => text(lang, "join.reason_required", &[]),
        }
    }
}

fn join_state(state: JoinState) -> &'static str {
    match state {
        JoinState::Pending => "join.state.pending",
        JoinState::Accepted => "join.state.accepted",
        JoinState::Refused => "join.state.refused",
    }
}

#[cfg(test)]
mod tests {
    use yuanzhu_domain::access::Role;
    use yuanzhu_domain::application::TransitionError;
    use yuanzhu_domain::revocation::ProposalError;
    use yuanzhu_rules::Date;
    use yuanzhu_storage::applications::Unmet;
    use yuanzhu_storage::employment::Employment;

    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn work(employer: Option<&str>, ended_on: Option<&str>) -> Employment {
        Employment {
            id: "e1".into(),
            started_on: "2016-01-04".into(),
            ended_on: ended_on.map(Into::into),
            employer: employer.map(Into::into),
            categories_at_start: None,
        }
    }

    /// Every variant of every storage error: the field it names (a conflict of versions names
    /// `version` in its words), and its words in both languages.
    fn every_error() -> Vec<(Option<&'static str>, Box<dyn Describe>)> {
        let conflict = || StoreError::Conflict { expected: 1, found: 2 };
        let corrupt = || StoreError::Corrupt("x".into());
        let mut all: Vec<(Option<&'static str>, Box<dyn Describe>)> = Vec::new();
        let revocations = [
            RevocationError::Store(conflict()),
            RevocationError::Store(corrupt()),
            RevocationError::Rejected(ProposalError::ReviewerIsProposer),
            RevocationError::Rejected(ProposalError::BeforeProposal {
                on: d("2024-01-01"),
                proposed_on: d("2024-01-02"),
            }),
            RevocationError::UnknownPerson("440106197501011232".into()),
            RevocationError::UnknownProposal("x".into()),
            RevocationError::AlreadyDecided {
                state: ProposalState::Confirmed,
                decided_by: "street".into(),
                decided_on: "2024-01-02".into(),
            },
            RevocationError::NothingToRevoke { id_number: "440106197501011232".into(), reason: "employed" },
            RevocationError::UnknownPolicy("gz-2099-1".into()),
            RevocationError::HouseholdReason,
            RevocationError::AtOfficeNotReached,
            RevocationError::EmptyActor,
            RevocationError::UnitPrefix("44%".into()),
        ];
        for e in revocations {
            all.push((e.field(), Box::new(e)));
        }
        let applications = [
            ApplicationError::Transition(TransitionError::EmptyReason),
            ApplicationError::PersonNotFound { id_number: "440106197501011232".into() },
            ApplicationError::NotFound { application_id: "x".into() },
            ApplicationError::AlreadyRecognised {
                policy: "gz-2014-4".into(),
                category: "hardship_low_income".into(),
                since: "2016-03-01".into(),
            },
            ApplicationError::AlreadyOpen { application_id: "x".into() },
            ApplicationError::UnitPrefix { prefix: "44%".into() },
            ApplicationError::PolicyNotInForce {
                policy: "gz-2014-4".into(),
                received_on: d("2024-01-02"),
                in_force: None,
            },
            ApplicationError::PolicyNotInForce {
                policy: "gz-2014-4".into(),
                received_on: d("2024-01-02"),
                in_force: Some("gd-2023-11".into()),
            },
            ApplicationError::RulesNotMet {
                policy: "gz-2014-4".into(),
                document: "穗人社发〔2014〕4号".into(),
                category: "zero_employment_family".into(),
                name: Box::new(("零就业家庭".into(), "zero-employment family".into())),
                received_on: d("2016-03-01"),
                unmet: vec![],
            },
            ApplicationError::Store(conflict()),
            ApplicationError::Store(corrupt()),
        ];
        for e in applications {
            all.push((e.field(), Box::new(e)));
        }
        let employment = [
            EmploymentError::Store(corrupt()),
            EmploymentError::UnknownPerson("440106197501011232".into()),
            EmploymentError::UnknownRecord("x".into()),
            EmploymentError::BelowWorkingAge { started_on: d("1990-01-01"), sixteenth: d("1991-06-01") },
            EmploymentError::Overlaps { started_on: d("2016-02-01"), other: work(None, None) },
            EmploymentError::AlreadyEnded { started_on: "2016-01-04".into(), ended_on: "2016-06-30".into() },
            EmploymentError::EndsBeforeStart { ended_on: d("2015-12-31"), started_on: "2016-01-04".into() },
            EmploymentError::EmptyActor,
        ];
        for e in employment {
            all.push((e.field(), Box::new(e)));
        }
        let accounts = [
            AccountError::UsernameTaken,
            AccountError::InvalidUsername,
            AccountError::UnknownUnit("4401".into()),
            AccountError::RoleDoesNotFitUnit { role: Role::CityAdmin, unit: "440104".into() },
            AccountError::NotFound("x".into()),
            AccountError::PersonNotFound("440106197501011232".into()),
            AccountError::NotASocialWorker("x".into()),
            AccountError::Store(corrupt()),
        ];
        for e in accounts {
            all.push((e.field(), Box::new(e)));
        }
        let joins = [
            JoinError::Store(conflict()),
            JoinError::Store(corrupt()),
            JoinError::NotFound("x".into()),
            JoinError::AlreadyDecided {
                state: JoinState::Refused,
                decided_by: "a".into(),
                decided_on: "2024-01-02".into(),
            },
            JoinError::NoLongerClaimed("H1".into()),
            JoinError::ReasonRequired,
        ];
        for e in joins {
            all.push((e.field(), Box::new(e)));
        }
        all
    }

    #[test]
    fn every_storage_error_has_words_in_both_languages_starting_with_its_field() {
        for (field, e) in every_error() {
            let (zh, en) = (e.message(Lang::Zh), e.message(Lang::En));
            assert!(!zh.is_empty() && !en.is_empty());
            assert!(!zh.contains('{') && !en.contains('{'), "a placeholder left unfilled: {zh} / {en}");
            match field {
                Some(field) => assert!(zh.starts_with(field) && en.starts_with(field), "{zh} / {en}"),
                // The store's own failure names no field; its words are the store's error.
                None if zh.starts_with("数据库错误") => assert!(en.contains('x'), "{en}"),
                None => assert!(zh.starts_with("version") && en.starts_with("version"), "{zh} / {en}"),
            }
            assert_ne!(zh, en);
        }
    }

    /// The words as they were when each error wrote its own, composed from several entries.
    #[test]
    fn composed_messages_read_as_before() {
        let e = EmploymentError::Overlaps {
            started_on: d("2016-02-01"),
            other: work(Some("某公司"), Some("2016-03-31")),
        };
        assert_eq!(
            e.message(Lang::Zh),
            "started_on（就业日期）：自2016-02-01起的就业与自2016-01-04起在“某公司”的就业（至2016-03-31）重叠；\
             请先登记该就业结束（最后工作日早于2016-02-01），或核对日期"
        );
        assert_eq!(
            e.message(Lang::En),
            "started_on: work from 2016-02-01 overlaps the work at `某公司` from 2016-01-04 to 2016-03-31; record the \
             end of that work first (a last day before 2016-02-01), or check the date"
        );
        let unmet =
            |c: &str| Unmet { code: "x", citation: c.into(), zh: format!("条件{c}"), en: format!("rule {c}") };
        let e = ApplicationError::RulesNotMet {
            policy: "gz-2014-4".into(),
            document: "穗人社发〔2014〕4号".into(),
            category: "zero_employment_family".into(),
            name: Box::new(("零就业家庭".into(), "zero-employment family".into())),
            received_on: d("2016-03-01"),
            unmet: vec![unmet("第五条"), unmet("第六条")],
        };
        assert_eq!(
            e.message(Lang::Zh),
            "category（申请类别）：按穗人社发〔2014〕4号（gz-2014-4），以申请受理日2016-03-01的情况，不符合“零就业家庭”的认定条件：\
             条件第五条（第五条）；条件第六条（第六条）"
        );
        assert_eq!(
            e.message(Lang::En),
            "category: under 穗人社发〔2014〕4号 (gz-2014-4), as of 2016-03-01 (the day the application was received), \
             the person does not meet `zero-employment family`: rule 第五条 (第五条); rule 第六条 (第六条)"
        );
        let e = RevocationError::AlreadyDecided {
            state: ProposalState::Dismissed,
            decided_by: "street".into(),
            decided_on: "2024-01-02".into(),
        };
        assert_eq!(
            e.message(Lang::Zh),
            "proposal（注销建议）：该建议已由street于2024-01-02审核为“不予注销”，不能再次审核"
        );
        assert_eq!(
            e.message(Lang::En),
            "proposal: already dismissed by street on 2024-01-02; it cannot be decided again"
        );
        let e = AccountError::RoleDoesNotFitUnit { role: Role::CityAdmin, unit: "440104".into() };
        assert_eq!(e.message(Lang::En), "role: the role `city_admin` cannot be given at unit `440104`");
        let e = JoinError::Store(StoreError::Conflict { expected: 1, found: 2 });
        assert_eq!(e.message(Lang::En), "version: the request changed since it was read (version 1, now 2): reload");
    }
}
