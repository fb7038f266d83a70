//! A service given to a person (第八条's guidance, information and referral, 第十二条's home visits
//! and policy delivery, 第十一、十三、十四、十六条's community employment, social work, start-up and
//! domestic-service guidance): what was done, when, and what came of an offer. A declined offer is
//! the evidence 第六条第（二）项 needs, so it counts as a refusal of the service.

use yuanzhu_rules::{Date, Lang, Money, Policy};

use crate::revocation::Service;
use crate::text::{self, TextField, TextProblem};

/// The kinds of service, by the codes of the interface (`kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    CareerGuidance,
    JobInformation,
    JobReferral,
    PolicyDelivery,
    HomeVisit,
    StartupGuidance,
    DomesticServiceGuidance,
    CommunityEmployment,
    SocialWorkSession,
    TrainingRecommendation,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 10] = [
        ServiceKind::CareerGuidance,
        ServiceKind::JobInformation,
        ServiceKind::JobReferral,
        ServiceKind::PolicyDelivery,
        ServiceKind::HomeVisit,
        ServiceKind::StartupGuidance,
        ServiceKind::DomesticServiceGuidance,
        ServiceKind::CommunityEmployment,
        ServiceKind::SocialWorkSession,
        ServiceKind::TrainingRecommendation,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            ServiceKind::CareerGuidance => "career_guidance",
            ServiceKind::JobInformation => "job_information",
            ServiceKind::JobReferral => "job_referral",
            ServiceKind::PolicyDelivery => "policy_delivery",
            ServiceKind::HomeVisit => "home_visit",
            ServiceKind::StartupGuidance => "startup_guidance",
            ServiceKind::DomesticServiceGuidance => "domestic_service_guidance",
            ServiceKind::CommunityEmployment => "community_employment",
            ServiceKind::SocialWorkSession => "social_work_session",
            ServiceKind::TrainingRecommendation => "training_recommendation",
        }
    }

    pub fn parse(code: &str) -> Option<ServiceKind> {
        ServiceKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The service a declined offer of this kind refuses, as 第六条第（二）项 counts refusals
    /// ("拒绝……职业介绍、职业指导等就业服务").
    pub const fn refused_service(self) -> Service {
        match self {
            ServiceKind::JobReferral => Service::JobReferral,
            ServiceKind::CareerGuidance => Service::CareerGuidance,
            ServiceKind::TrainingRecommendation => Service::VocationalTraining,
            _ => Service::Other,
        }
    }

    /// Whether the kind is an offer the person can take up or decline; information given and a
    /// visit made have no outcome to record.
    pub const fn is_offer(self) -> bool {
        !matches!(self, ServiceKind::JobInformation | ServiceKind::PolicyDelivery | ServiceKind::HomeVisit)
    }
}

/// What came of an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceOutcome {
    Accepted,
    /// Declined: with the person's reason in the note. Counts as a refusal (第六条第（二）项).
    Declined,
    /// The person did not come. Not a refusal by itself: a caseworker who judges it one logs it.
    NoShow,
}

impl ServiceOutcome {
    pub const ALL: [ServiceOutcome; 3] = [ServiceOutcome::Accepted, ServiceOutcome::Declined, ServiceOutcome::NoShow];

    pub const fn code(self) -> &'static str {
        match self {
            ServiceOutcome::Accepted => "accepted",
            ServiceOutcome::Declined => "declined",
            ServiceOutcome::NoShow => "no_show",
        }
    }

    pub fn parse(code: &str) -> Option<ServiceOutcome> {
        ServiceOutcome::ALL.into_iter().find(|o| o.code() == code)
    }
}

/// A service as a caseworker records it, before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewService {
    pub kind: String,
    pub on: Option<Date>,
    pub note: String,
    pub outcome: Option<String>,
    /// The employer a referral sends the person to, in free text until vacancies exist.
    pub employer: Option<String>,
    /// The vacancy a referral is for, by its reference.
    pub vacancy: Option<String>,
    /// A guaranteed start-up loan (创业担保贷款, 第十四条) asked for with start-up guidance.
    pub loan_amount: Option<Money>,
}

/// A checked service record: its kind, day, outcome and the article it delivers under the policy
/// in force that day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServiceRecord {
    pub kind: ServiceKind,
    pub on: Date,
    pub note: String,
    pub outcome: Option<ServiceOutcome>,
    pub employer: Option<String>,
    pub vacancy: Option<String>,
    pub loan_amount: Option<Money>,
    pub policy: String,
    pub article: String,
}

impl ServiceRecord {
    /// Whether it is a refusal of a service under 第六条第（二）项.
    pub fn is_refusal(&self) -> bool {
        self.outcome == Some(ServiceOutcome::Declined)
    }

    /// What the refusal it counts as says was offered: the kind, where a referral sent the
    /// person, and their reason. The record's own words, in the office's language (as a
    /// caseworker would have written the refusal by hand), not a label of the interface.
    pub fn refusal_note(&self) -> String {
        let offered = self.employer.iter().chain(self.vacancy.iter()).cloned().collect::<Vec<_>>().join("，");
        let name = super::LedgerKind::Service(self.kind).name(Lang::Zh);
        let what = if offered.is_empty() { name.to_owned() } else { format!("{name}（{offered}）") };
        format!("拒绝{what}：{}", self.note)
    }
}

/// Why a service record was refused; each names its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceError {
    UnknownKind(String),
    MissingDate,
    FutureDate {
        on: Date,
        today: Date,
    },
    UnknownOutcome(String),
    /// Information given and a visit made have no outcome.
    OutcomeOfNoOffer(ServiceKind),
    /// A declined offer needs the person's reason.
    DeclinedWithoutReason,
    /// A referral names where it sends the person.
    ReferralWithoutEmployer,
    /// A loan amount belongs to start-up guidance, and is more than nothing.
    LoanAmount,
    Text(&'static str, TextProblem),
    /// No policy in force on the day, or it does not list the service.
    NotInPolicy {
        kind: ServiceKind,
        on: Date,
    },
}

const EMPLOYER_MAX: usize = 100;

impl NewService {
    /// Checks the record against the policy in force on its day; every problem is reported.
    pub fn check(&self, policy: Option<&Policy>, today: Date) -> Result<ServiceRecord, Vec<ServiceError>> {
        let mut errors = Vec::new();
        let kind = ServiceKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.push(ServiceError::UnknownKind(self.kind.clone()));
        }
        match self.on {
            None => errors.push(ServiceError::MissingDate),
            Some(on) if on > today => errors.push(ServiceError::FutureDate { on, today }),
            Some(_) => {}
        }
        let outcome = match self.outcome.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            None => None,
            Some(code) => match ServiceOutcome::parse(code) {
                Some(o) => Some(o),
                None => {
                    errors.push(ServiceError::UnknownOutcome(code.to_owned()));
                    None
                }
            },
        };
        let note = self.note.trim().to_owned();
        if let Err(p) = text::check(TextField::Note, &note) {
            errors.push(ServiceError::Text("note", p));
        }
        let clean = |v: &Option<String>| v.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
        let (employer, vacancy) = (clean(&self.employer), clean(&self.vacancy));
        for (field, value) in [("employer", &employer), ("vacancy", &vacancy)] {
            if let Some(v) = value {
                let found = v.chars().count();
                if found > EMPLOYER_MAX {
                    errors.push(ServiceError::Text(field, TextProblem::TooLong { max: EMPLOYER_MAX, found }));
                } else if let Some(c) = v.chars().find(|c| c.is_control() || text::is_hidden_formatting(*c)) {
                    errors.push(ServiceError::Text(field, TextProblem::Hidden(c)));
                }
            }
        }
        if let Some(kind) = kind {
            if outcome.is_some() && !kind.is_offer() {
                errors.push(ServiceError::OutcomeOfNoOffer(kind));
            }
            if kind == ServiceKind::JobReferral && employer.is_none() && vacancy.is_none() {
                errors.push(ServiceError::ReferralWithoutEmployer);
            }
            let loan_ok = self.loan_amount.is_none_or(|m| kind == ServiceKind::StartupGuidance && m > Money::ZERO);
            if !loan_ok {
                errors.push(ServiceError::LoanAmount);
            }
        }
        if outcome == Some(ServiceOutcome::Declined) && note.is_empty() {
            errors.push(ServiceError::DeclinedWithoutReason);
        }
        let (Some(kind), Some(on)) = (kind, self.on) else { return Err(errors) };
        let Some((policy, spec)) =
            policy.and_then(|p| p.services.iter().find(|s| s.code == kind.code()).map(|s| (p, s)))
        else {
            errors.push(ServiceError::NotInPolicy { kind, on });
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ServiceRecord {
            kind,
            on,
            note,
            outcome,
            employer,
            vacancy,
            loan_amount: self.loan_amount,
            policy: policy.id.clone(),
            article: spec.citation.clone(),
        })
    }
}

impl ServiceError {
    pub const fn code(&self) -> &'static str {
        match self {
            ServiceError::UnknownKind(_) | ServiceError::UnknownOutcome(_) => "invalid_choice",
            ServiceError::MissingDate => "required",
            ServiceError::FutureDate { .. } => "date_in_future",
            ServiceError::OutcomeOfNoOffer(_) => "no_outcome_for_kind",
            ServiceError::DeclinedWithoutReason => "reason_required",
            ServiceError::ReferralWithoutEmployer => "employer_required",
            ServiceError::LoanAmount => "invalid_amount",
            ServiceError::Text(_, p) => p.code(),
            ServiceError::NotInPolicy { .. } => "not_in_policy",
        }
    }

    pub const fn field(&self) -> &'static str {
        match self {
            ServiceError::UnknownKind(_) | ServiceError::NotInPolicy { .. } => "kind",
            ServiceError::MissingDate | ServiceError::FutureDate { .. } => "date",
            ServiceError::UnknownOutcome(_) | ServiceError::OutcomeOfNoOffer(_) => "outcome",
            ServiceError::DeclinedWithoutReason => "note",
            ServiceError::ReferralWithoutEmployer => "employer",
            ServiceError::LoanAmount => "loan_amount",
            ServiceError::Text(field, _) => field,
        }
    }

    /// What went wrong, starting with the field.
    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let pick = |z: String, e: String| if zh { z } else { e };
        let codes = |all: &mut dyn Iterator<Item = &'static str>| all.collect::<Vec<_>>().join(", ");
        match self {
            ServiceError::UnknownKind(k) => {
                let known = codes(&mut ServiceKind::ALL.iter().map(|k| k.code()));
                pick(
                    format!("kind（服务类别）：“{k}”不是服务类别，可选：{known}"),
                    format!("kind: `{k}` is not a kind of service; one of {known}"),
                )
            }
            ServiceError::MissingDate => pick("date（服务日期）：必填".into(), "date: required".into()),
            ServiceError::FutureDate { on, today } => pick(
                format!("date（服务日期）：{on}晚于今天（{today}），只能记录已提供的服务"),
                format!("date: {on} is after today ({today}); record services once given"),
            ),
            ServiceError::UnknownOutcome(o) => {
                let known = codes(&mut ServiceOutcome::ALL.iter().map(|o| o.code()));
                pick(
                    format!("outcome（结果）：“{o}”不是结果，可选：{known}"),
                    format!("outcome: `{o}` is not an outcome; one of {known}"),
                )
            }
            ServiceError::OutcomeOfNoOffer(k) => pick(
                format!("outcome（结果）：“{}”不是可接受或拒绝的服务，不记录结果", k.code()),
                format!("outcome: `{}` is not an offer the person takes up or declines; it has no outcome", k.code()),
            ),
            ServiceError::DeclinedWithoutReason => pick(
                "note（说明）：本人拒绝时须记录其理由（第六条第（二）项的依据）".into(),
                "note: a declined offer needs the person's reason (the evidence 第六条第（二）项 needs)".into(),
            ),
            ServiceError::ReferralWithoutEmployer => pick(
                "employer（用人单位）：职业介绍须写明介绍到的用人单位或岗位".into(),
                "employer: a referral names the employer or the vacancy it sends the person to".into(),
            ),
            ServiceError::LoanAmount => pick(
                "loan_amount（贷款金额）：只有创业指导可记录申请的创业担保贷款金额，且须大于零".into(),
                "loan_amount: only start-up guidance records a loan asked for, and it is more than zero".into(),
            ),
            ServiceError::Text(field, TextProblem::TooLong { max, found }) => pick(
                format!("{field}：过长，最多{max}个字符，现有{found}个"),
                format!("{field}: too long, {max} characters at most, {found} given"),
            ),
            ServiceError::Text(field, TextProblem::Hidden(c)) => pick(
                format!("{field}：含有不可见或改变书写方向的字符（U+{:04X}），请删除后重新输入", u32::from(*c)),
                format!(
                    "{field}: holds an invisible or direction-changing character (U+{:04X}); delete it",
                    u32::from(*c)
                ),
            ),
            ServiceError::NotInPolicy { kind, on } => pick(
                format!("kind（服务类别）：{on}施行的政策未列出“{}”", kind.code()),
                format!("kind: no policy in force on {on} lists `{}`", kind.code()),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yuanzhu_rules::PolicySet;

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn new(kind: &str, on: &str) -> NewService {
        NewService { kind: kind.into(), on: Some(day(on)), ..NewService::default() }
    }

    fn check(n: &NewService) -> Result<ServiceRecord, Vec<ServiceError>> {
        let policies = PolicySet::embedded();
        n.on.map_or_else(|| n.check(None, day("2026-12-07")), |on| n.check(policies.in_force_on(on), day("2026-12-07")))
    }

    fn codes(r: Result<ServiceRecord, Vec<ServiceError>>) -> Vec<(&'static str, &'static str)> {
        r.unwrap_err().iter().map(|e| (e.field(), e.code())).collect()
    }

    #[test]
    fn every_policy_lists_every_kind_and_only_those() {
        for p in PolicySet::embedded().policies() {
            let listed: Vec<&str> = p.services.iter().map(|s| s.code.as_str()).collect();
            for k in ServiceKind::ALL {
                assert!(listed.contains(&k.code()), "{} does not list {}", p.id, k.code());
            }
            for code in listed {
                assert!(ServiceKind::parse(code).is_some(), "{} lists an unknown kind {code}", p.id);
            }
        }
    }

    #[test]
    fn a_service_cites_the_article_of_the_policy_in_force_that_day() {
        // 第八条: guidance, information and referral first; 第十二条第（一）项: home visits.
        let r = check(&new("career_guidance", "2016-05-01")).unwrap();
        assert_eq!((r.policy.as_str(), r.article.as_str()), ("gz-2014-4", "第八条"));
        let r = check(&new("home_visit", "2016-05-01")).unwrap();
        assert_eq!(r.article, "第十二条第（一）项");
        let r = check(&new("startup_guidance", "2016-05-01")).unwrap();
        assert_eq!(r.article, "第十四条");
        let r = check(&new("social_work_session", "2026-03-01")).unwrap();
        assert_eq!(r.policy, "gd-2023-11");
        assert!(r.article.contains("第十三条"), "{}", r.article);
    }

    #[test]
    fn a_declined_offer_is_a_refusal_and_needs_the_persons_reason() {
        let mut n = new("career_guidance", "2026-03-01");
        n.outcome = Some("declined".into());
        assert_eq!(codes(check(&n)), [("note", "reason_required")]);
        n.note = "本人表示暂不需要".into();
        let r = check(&n).unwrap();
        assert!(r.is_refusal());
        assert_eq!(r.kind.refused_service(), Service::CareerGuidance);
        n.outcome = Some("no_show".into());
        assert!(!check(&n).unwrap().is_refusal(), "not coming is not refusing by itself");
    }

    #[test]
    fn a_referral_names_where_it_sends_the_person() {
        let mut n = new("job_referral", "2026-03-01");
        assert_eq!(codes(check(&n)), [("employer", "employer_required")]);
        n.employer = Some("  ".into());
        assert_eq!(codes(check(&n)), [("employer", "employer_required")], "blank is none");
        n.employer = Some("广州某物业管理有限公司".into());
        assert_eq!(check(&n).unwrap().employer.as_deref(), Some("广州某物业管理有限公司"));
        assert_eq!(ServiceKind::JobReferral.refused_service(), Service::JobReferral);
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let n = NewService {
            kind: "massage".into(),
            on: Some(day("2027-01-01")),
            outcome: Some("maybe".into()),
            note: "a\u{202E}b".into(),
            ..NewService::default()
        };
        let found = codes(check(&n));
        for expected in [
            ("kind", "invalid_choice"),
            ("date", "date_in_future"),
            ("outcome", "invalid_choice"),
            ("note", "invalid_field"),
        ] {
            assert!(found.contains(&expected), "{expected:?} not in {found:?}");
        }
        assert_eq!(
            codes(check(&NewService { kind: "home_visit".into(), ..NewService::default() })),
            [("date", "required")]
        );
    }

    #[test]
    fn information_and_visits_have_no_outcome_and_loans_go_with_startup_guidance() {
        let mut n = new("home_visit", "2026-03-01");
        n.outcome = Some("accepted".into());
        assert_eq!(codes(check(&n)), [("outcome", "no_outcome_for_kind")]);
        let mut n = new("career_guidance", "2026-03-01");
        n.loan_amount = Some(Money::from_fen(100));
        assert_eq!(codes(check(&n)), [("loan_amount", "invalid_amount")]);
        let mut n = new("startup_guidance", "2026-03-01");
        n.loan_amount = Some(Money::ZERO);
        assert_eq!(codes(check(&n)), [("loan_amount", "invalid_amount")]);
        n.loan_amount = Some("200000".parse().unwrap());
        assert_eq!(check(&n).unwrap().loan_amount, Some("200000".parse().unwrap()));
    }

    #[test]
    fn before_any_policy_nothing_is_cited() {
        assert_eq!(codes(check(&new("career_guidance", "2010-01-01"))), [("kind", "not_in_policy")]);
    }

    #[test]
    fn messages_start_with_the_field_in_both_languages() {
        let errors = [
            ServiceError::UnknownKind("x".into()),
            ServiceError::MissingDate,
            ServiceError::FutureDate { on: day("2027-01-01"), today: day("2026-12-07") },
            ServiceError::UnknownOutcome("x".into()),
            ServiceError::OutcomeOfNoOffer(ServiceKind::HomeVisit),
            ServiceError::DeclinedWithoutReason,
            ServiceError::ReferralWithoutEmployer,
            ServiceError::LoanAmount,
            ServiceError::Text("employer", TextProblem::TooLong { max: 100, found: 101 }),
            ServiceError::Text("note", TextProblem::Hidden('\u{202E}')),
            ServiceError::NotInPolicy { kind: ServiceKind::HomeVisit, on: day("2010-01-01") },
        ];
        for e in errors {
            for lang in [Lang::Zh, Lang::En] {
                let m = e.message(lang);
                assert!(m.starts_with(e.field()), "{lang:?}: `{m}` does not start with {}", e.field());
            }
            assert!(e.message(Lang::Zh).chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{e:?}");
        }
    }
}
