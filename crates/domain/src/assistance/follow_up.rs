//! Follow-up after placement (跟踪回访, 第十九条 "及时、准确地掌握其就业情况，做好跟踪回访服务"):
//! when a person starts work, visits fall due some months after the start (1, 3 and 6 by
//! default; configurable). Each records whether the person is still in the job, how they were
//! contacted, and what they need. A person found out of work needs help again.

use yuanzhu_rules::{Date, Lang};

use crate::revocation::ContactChannel;
use crate::text::{self, TextField, TextProblem};

/// The months after the start of a job at which follow-ups fall due, by default.
pub const DEFAULT_MONTHS: [u32; 3] = [1, 3, 6];

/// The days follow-ups of a job started on `started` fall due.
pub fn due_dates(started: Date, months: &[u32]) -> Vec<(u32, Date)> {
    months.iter().map(|&m| (m, started.add_months(m))).collect()
}

/// A follow-up as a caseworker records it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewFollowUp {
    pub months: Option<u32>,
    pub on: Option<Date>,
    pub in_job: Option<bool>,
    pub channel: String,
    pub need: String,
}

/// A checked follow-up of one job.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FollowUp {
    pub months: u32,
    pub due: Date,
    pub on: Date,
    pub in_job: bool,
    pub channel: ContactChannel,
    pub need: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUpError {
    Months { given: Option<u32>, allowed: Vec<u32> },
    MissingDate,
    FutureDate { on: Date, today: Date },
    BeforeStart { on: Date, started: Date },
    InJobRequired,
    Channel(String),
    Need(TextProblem),
}

impl NewFollowUp {
    /// Checks the follow-up of a job started on `started`, against the configured months.
    pub fn check(&self, started: Date, months: &[u32], today: Date) -> Result<FollowUp, Vec<FollowUpError>> {
        let mut errors = Vec::new();
        let m = self.months.filter(|m| months.contains(m));
        if m.is_none() {
            errors.push(FollowUpError::Months { given: self.months, allowed: months.to_vec() });
        }
        match self.on {
            None => errors.push(FollowUpError::MissingDate),
            Some(on) if on > today => errors.push(FollowUpError::FutureDate { on, today }),
            Some(on) if on < started => errors.push(FollowUpError::BeforeStart { on, started }),
            Some(_) => {}
        }
        if self.in_job.is_none() {
            errors.push(FollowUpError::InJobRequired);
        }
        let channel = ContactChannel::parse(self.channel.trim());
        if channel.is_none() {
            errors.push(FollowUpError::Channel(self.channel.clone()));
        }
        let need = self.need.trim().to_owned();
        if let Err(p) = text::check(TextField::Note, &need) {
            errors.push(FollowUpError::Need(p));
        }
        match (m, self.on, self.in_job, channel) {
            (Some(months), Some(on), Some(in_job), Some(channel)) if errors.is_empty() => {
                Ok(FollowUp { months, due: started.add_months(months), on, in_job, channel, need })
            }
            _ => Err(errors),
        }
    }
}

impl FollowUpError {
    pub const fn code(&self) -> &'static str {
        match self {
            FollowUpError::Months { .. } | FollowUpError::Channel(_) => "invalid_choice",
            FollowUpError::MissingDate | FollowUpError::InJobRequired => "required",
            FollowUpError::FutureDate { .. } => "date_in_future",
            FollowUpError::BeforeStart { .. } => "date_out_of_order",
            FollowUpError::Need(p) => p.code(),
        }
    }

    pub const fn field(&self) -> &'static str {
        match self {
            FollowUpError::Months { .. } => "months",
            FollowUpError::MissingDate | FollowUpError::FutureDate { .. } | FollowUpError::BeforeStart { .. } => "date",
            FollowUpError::InJobRequired => "in_job",
            FollowUpError::Channel(_) => "channel",
            FollowUpError::Need(_) => "need",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let f = self.field();
        let zh = matches!(lang, Lang::Zh);
        let pick = |z: String, e: String| if zh { format!("{f}：{z}") } else { format!("{f}: {e}") };
        match self {
            FollowUpError::Months { given, allowed } => {
                let list = allowed.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
                let given = given.map_or_else(String::new, |g| g.to_string());
                pick(
                    format!("回访月份“{given}”不在{list}之中"),
                    format!("`{given}` is not one of the follow-up months {list}"),
                )
            }
            FollowUpError::MissingDate => pick("必填".into(), "required".into()),
            FollowUpError::FutureDate { on, today } => {
                pick(format!("{on}晚于今天（{today}）"), format!("{on} is after today ({today})"))
            }
            FollowUpError::BeforeStart { on, started } => pick(
                format!("{on}早于就业开始之日（{started}）"),
                format!("{on} is before the job started ({started})"),
            ),
            FollowUpError::InJobRequired => {
                pick("须记录本人是否仍在岗".into(), "say whether the person is still in the job".into())
            }
            FollowUpError::Channel(c) => {
                let known = ContactChannel::ALL.map(ContactChannel::code).join(", ");
                pick(format!("“{c}”不是联系方式，可选：{known}"), format!("`{c}` is not a channel; one of {known}"))
            }
            FollowUpError::Need(TextProblem::TooLong { max, found }) => pick(
                format!("过长，最多{max}个字符，现有{found}个"),
                format!("too long, {max} characters at most, {found} given"),
            ),
            FollowUpError::Need(TextProblem::Hidden(c)) => pick(
                format!("含有不可见或改变书写方向的字符（U+{:04X}）", u32::from(*c)),
                format!("holds an invisible or direction-changing character (U+{:04X})", u32::from(*c)),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn follow_ups_fall_due_one_three_and_six_months_after_the_start() {
        let due = due_dates(day("2026-01-31"), &DEFAULT_MONTHS);
        // Month ends clamp: a job from 31 January is followed up on 28 February.
        assert_eq!(due, [(1, day("2026-02-28")), (3, day("2026-04-30")), (6, day("2026-07-31"))]);
    }

    #[test]
    fn a_follow_up_says_whether_the_person_is_still_in_the_job() {
        let started = day("2026-06-01");
        let mut n = NewFollowUp {
            months: Some(3),
            on: Some(day("2026-09-02")),
            in_job: Some(false),
            channel: "phone".into(),
            need: "需要推荐新岗位".into(),
        };
        let f = n.check(started, &DEFAULT_MONTHS, day("2026-12-07")).unwrap();
        assert_eq!((f.due, f.in_job), (day("2026-09-01"), false));
        n.months = Some(2);
        n.in_job = None;
        n.channel = "pigeon".into();
        n.on = Some(day("2026-05-01"));
        let fields: Vec<&str> = n
            .check(started, &DEFAULT_MONTHS, day("2026-12-07"))
            .unwrap_err()
            .iter()
            .map(FollowUpError::field)
            .collect();
        assert_eq!(fields, ["months", "date", "in_job", "channel"]);
        for e in n.check(started, &DEFAULT_MONTHS, day("2026-12-07")).unwrap_err() {
            for lang in [Lang::Zh, Lang::En] {
                assert!(e.message(lang).starts_with(e.field()), "{}", e.message(lang));
            }
        }
    }
}
