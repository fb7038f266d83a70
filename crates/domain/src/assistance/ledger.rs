//! The ledger (台帐, 第十九条 "一人一档、一帮扶一台帐"): every piece of help a person was given and
//! what came of it, in date order, each citing the article it serves. It is read from the records
//! themselves (services, placements, and later plans, training, follow-ups and subsidies); the
//! audit trail stays the record of who changed what.

use yuanzhu_rules::{Date, Lang};

use super::service::{ServiceKind, ServiceOutcome, ServiceRecord};

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LedgerKind {
    Service(ServiceKind),
    /// Work found (就业登记): the aim of the help, followed up under 第十九条.
    Placement,
    /// The end of that work: the person needs help again.
    PlacementEnded,
    /// A follow-up of the work (跟踪回访).
    FollowUp,
}

impl LedgerKind {
    pub const fn code(self) -> &'static str {
        match self {
            LedgerKind::Service(k) => k.code(),
            LedgerKind::Placement => "placement",
            LedgerKind::PlacementEnded => "placement_ended",
            LedgerKind::FollowUp => "follow_up",
        }
    }

    pub fn parse(code: &str) -> Option<LedgerKind> {
        match code {
            "placement" => Some(LedgerKind::Placement),
            "placement_ended" => Some(LedgerKind::PlacementEnded),
            "follow_up" => Some(LedgerKind::FollowUp),
            _ => ServiceKind::parse(code).map(LedgerKind::Service),
        }
    }

    /// The kind's name, as a ledger prints it.
    pub const fn name(self, lang: Lang) -> &'static str {
        use ServiceKind as K;
        let (zh, en) = match self {
            LedgerKind::Service(K::CareerGuidance) => ("职业指导", "Career guidance"),
            LedgerKind::Service(K::JobInformation) => ("就业信息", "Job information"),
            LedgerKind::Service(K::JobReferral) => ("职业介绍", "Job referral"),
            LedgerKind::Service(K::PolicyDelivery) => ("政策宣传", "Policy delivery"),
            LedgerKind::Service(K::HomeVisit) => ("入户家访", "Home visit"),
            LedgerKind::Service(K::StartupGuidance) => ("创业指导", "Start-up guidance"),
            LedgerKind::Service(K::DomesticServiceGuidance) => ("家庭服务业就业指导", "Domestic-service guidance"),
            LedgerKind::Service(K::CommunityEmployment) => ("组织社区就业", "Community employment"),
            LedgerKind::Service(K::SocialWorkSession) => ("社工就业辅导", "Social worker's session"),
            LedgerKind::Service(K::TrainingRecommendation) => ("推荐职业技能培训", "Training recommendation"),
            LedgerKind::Placement => ("实现就业", "Found work"),
            LedgerKind::PlacementEnded => ("就业终止", "Work ended"),
            LedgerKind::FollowUp => ("跟踪回访", "Follow-up"),
        };
        if matches!(lang, Lang::Zh) { zh } else { en }
    }
}

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub on: Date,
    pub kind: LedgerKind,
    /// The article the help serves, as the policy in force that day cites it.
    pub article: String,
    pub policy: Option<String>,
    /// The record it comes from (its id), to open it.
    pub record: String,
    pub by: String,
    pub detail: Detail,
}

/// What the line says beyond its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detail {
    Service(ServiceRecord),
    Placement { employer: Option<String> },
    PlacementEnded { employer: Option<String> },
    FollowUp(super::follow_up::FollowUp),
}

impl LedgerEntry {
    /// The entry for a service record.
    pub fn of_service(record: ServiceRecord, id: String, by: String) -> LedgerEntry {
        LedgerEntry {
            on: record.on,
            kind: LedgerKind::Service(record.kind),
            article: record.article.clone(),
            policy: Some(record.policy.clone()),
            record: id,
            by,
            detail: Detail::Service(record),
        }
    }

    /// The entries of a job: its start and, once it ended, its end, citing the ledger's article
    /// of the policy in force on each day.
    pub fn of_placement(
        policies: &yuanzhu_rules::PolicySet,
        id: &str,
        started: Date,
        ended: Option<Date>,
        employer: Option<&str>,
        by: &str,
    ) -> Vec<LedgerEntry> {
        let employer = employer.map(str::to_owned);
        let entry = |on: Date, kind: LedgerKind, detail: Detail| {
            let policy = policies.in_force_on(on);
            LedgerEntry {
                on,
                kind,
                article: policy.map(|p| p.ledger_citation.clone()).unwrap_or_default(),
                policy: policy.map(|p| p.id.clone()),
                record: id.to_owned(),
                by: by.to_owned(),
                detail,
            }
        };
        let mut entries = vec![entry(started, LedgerKind::Placement, Detail::Placement { employer: employer.clone() })];
        if let Some(end) = ended {
            entries.push(entry(end, LedgerKind::PlacementEnded, Detail::PlacementEnded { employer }));
        }
        entries
    }

    /// The entry for a follow-up of a job, citing the ledger's article of the policy of its day.
    pub fn of_follow_up(
        policies: &yuanzhu_rules::PolicySet,
        f: super::follow_up::FollowUp,
        id: String,
        by: String,
    ) -> LedgerEntry {
        let policy = policies.in_force_on(f.on);
        LedgerEntry {
            on: f.on,
            kind: LedgerKind::FollowUp,
            article: policy.map(|p| p.ledger_citation.clone()).unwrap_or_default(),
            policy: policy.map(|p| p.id.clone()),
            record: id,
            by,
            detail: Detail::FollowUp(f),
        }
    }

    /// One sentence: the kind, what came of it, and the note or the employer.
    pub fn summary(&self, lang: Lang) -> String {
        let zh = matches!(lang, Lang::Zh);
        let name = self.kind.name(lang);
        let sep = if zh { "：" } else { ": " };
        let join = |parts: Vec<String>| {
            parts.into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(if zh { "；" } else { "; " })
        };
        match &self.detail {
            Detail::Service(r) => {
                let outcome = r.outcome.map(|o| outcome_name(o, lang).to_owned()).unwrap_or_default();
                let to = r
                    .employer
                    .iter()
                    .chain(r.vacancy.iter())
                    .map(|e| if zh { format!("介绍至{e}") } else { format!("to {e}") })
                    .collect::<Vec<_>>()
                    .join(if zh { "，" } else { ", " });
                let loan = r
                    .loan_amount
                    .map(|m| {
                        if zh {
                            format!("申请创业担保贷款{}元", m.grouped())
                        } else {
                            format!("guaranteed start-up loan asked: ¥{}", m.grouped())
                        }
                    })
                    .unwrap_or_default();
                let rest = join(vec![to, loan, outcome, r.note.clone()]);
                if rest.is_empty() { name.to_owned() } else { format!("{name}{sep}{rest}") }
            }
            Detail::FollowUp(f) => {
                let when = if zh { format!("第{}个月", f.months) } else { format!("month {}", f.months) };
                let job = match (f.in_job, zh) {
                    (true, true) => "仍在岗",
                    (false, true) => "已离岗",
                    (true, false) => "still in the job",
                    (false, false) => "no longer in the job",
                };
                format!("{name}{sep}{}", join(vec![when, job.to_owned(), f.need.clone()]))
            }
            Detail::Placement { employer } | Detail::PlacementEnded { employer } => match employer {
                Some(e) if !e.is_empty() => format!("{name}{sep}{e}"),
                _ => name.to_owned(),
            },
        }
    }
}

pub const fn outcome_name(o: ServiceOutcome, lang: Lang) -> &'static str {
    match (o, lang) {
        (ServiceOutcome::Accepted, Lang::Zh) => "本人接受",
        (ServiceOutcome::Declined, Lang::Zh) => "本人拒绝",
        (ServiceOutcome::NoShow, Lang::Zh) => "本人未到场",
        (ServiceOutcome::Accepted, Lang::En) => "accepted",
        (ServiceOutcome::Declined, Lang::En) => "declined",
        (ServiceOutcome::NoShow, Lang::En) => "did not come",
    }
}

/// The entries in date order; on one day, in the order they were recorded (their ids are
/// time-ordered UUIDv7s).
pub fn in_order(mut entries: Vec<LedgerEntry>) -> Vec<LedgerEntry> {
    entries.sort_by(|a, b| a.on.cmp(&b.on).then_with(|| a.record.cmp(&b.record)));
    entries
}
