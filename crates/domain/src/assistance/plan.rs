//! An individual assistance plan (援助计划, 第十二条第（一）项 "制定有针对性的援助计划"): goals, the
//! actions that serve them with a due date and an owner each, and a day to review it. An action
//! is done (by the service record that did it), rescheduled with a reason, or dropped with a
//! reason: a plan keeps what was intended and what became of it.

use yuanzhu_rules::{Date, Lang, Policy};

use super::service::ServiceKind;
use crate::text::{self, TextField, TextProblem};

/// A plan as a caseworker writes it, before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewPlan {
    pub goals: Vec<String>,
    pub actions: Vec<NewAction>,
    pub review_on: Option<Date>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewAction {
    pub kind: String,
    pub due: Option<Date>,
    /// The username of who does it; the plan's author when none is named.
    pub owner: Option<String>,
}

/// A checked plan.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Plan {
    pub goals: Vec<String>,
    pub actions: Vec<PlanAction>,
    pub made_on: Date,
    pub review_on: Date,
    pub policy: String,
    pub article: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanAction {
    pub kind: ServiceKind,
    pub due: Date,
    pub owner: String,
    #[serde(flatten)]
    pub state: ActionState,
}

/// What became of an action.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ActionState {
    Open,
    /// Done by this service record.
    Done {
        service: String,
        on: Date,
    },
    /// Dropped, with the reason.
    Dropped {
        reason: String,
        on: Date,
    },
}

impl ActionState {
    pub const fn code(&self) -> &'static str {
        match self {
            ActionState::Open => "open",
            ActionState::Done { .. } => "done",
            ActionState::Dropped { .. } => "dropped",
        }
    }
}

/// A plan has at least one goal and one action, and no more than a caseworker can follow.
pub const MAX_GOALS: usize = 10;
pub const MAX_ACTIONS: usize = 30;
const GOAL_MAX_CHARS: usize = 200;

/// Why a plan or a change to an action was refused; each names its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    NoGoal,
    TooManyGoals,
    Goal {
        index: usize,
        problem: TextProblem,
    },
    NoAction,
    TooManyActions,
    ActionKind {
        index: usize,
        kind: String,
    },
    ActionDue {
        index: usize,
    },
    ActionDueBeforePlan {
        index: usize,
        due: Date,
        made_on: Date,
    },
    MissingReview,
    ReviewNotAfter {
        review_on: Date,
        made_on: Date,
    },
    /// Rescheduling or dropping needs a reason.
    ReasonRequired,
    Reason(TextProblem),
    /// A new due date before the day it is set.
    RescheduleInPast {
        due: Date,
        today: Date,
    },
    /// The action is done or dropped already.
    ActionClosed {
        state: &'static str,
    },
    NoPolicy {
        on: Date,
    },
}

impl NewPlan {
    /// Checks the plan made on `made_on` by `author`, under the policy in force that day; every
    /// problem is reported.
    pub fn check(&self, made_on: Date, author: &str, policy: Option<&Policy>) -> Result<Plan, Vec<PlanError>> {
        let mut errors = Vec::new();
        let goals: Vec<String> = self.goals.iter().map(|g| g.trim().to_owned()).filter(|g| !g.is_empty()).collect();
        if goals.is_empty() {
            errors.push(PlanError::NoGoal);
        }
        if goals.len() > MAX_GOALS {
            errors.push(PlanError::TooManyGoals);
        }
        for (index, g) in goals.iter().enumerate() {
            let found = g.chars().count();
            if found > GOAL_MAX_CHARS {
                errors.push(PlanError::Goal { index, problem: TextProblem::TooLong { max: GOAL_MAX_CHARS, found } });
            } else if let Err(problem) = text::check(TextField::Note, g) {
                errors.push(PlanError::Goal { index, problem });
            }
        }
        if self.actions.is_empty() {
            errors.push(PlanError::NoAction);
        }
        if self.actions.len() > MAX_ACTIONS {
            errors.push(PlanError::TooManyActions);
        }
        let mut actions = Vec::new();
        for (index, a) in self.actions.iter().enumerate() {
            let kind = ServiceKind::parse(a.kind.trim());
            if kind.is_none() {
                errors.push(PlanError::ActionKind { index, kind: a.kind.clone() });
            }
            match a.due {
                None => errors.push(PlanError::ActionDue { index }),
                Some(due) if due < made_on => errors.push(PlanError::ActionDueBeforePlan { index, due, made_on }),
                Some(_) => {}
            }
            if let (Some(kind), Some(due)) = (kind, a.due) {
                let owner = a.owner.as_deref().map(str::trim).filter(|o| !o.is_empty()).unwrap_or(author).to_owned();
                actions.push(PlanAction { kind, due, owner, state: ActionState::Open });
            }
        }
        match self.review_on {
            None => errors.push(PlanError::MissingReview),
            Some(r) if r <= made_on => errors.push(PlanError::ReviewNotAfter { review_on: r, made_on }),
            Some(_) => {}
        }
        let Some(policy) = policy else {
            errors.push(PlanError::NoPolicy { on: made_on });
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Plan {
            goals,
            actions,
            made_on,
            review_on: self.review_on.expect("checked"),
            policy: policy.id.clone(),
            article: policy.plan_citation.clone(),
        })
    }
}

impl PlanAction {
    /// Whether it is still to be done and its day has passed.
    pub fn overdue(&self, today: Date) -> bool {
        self.state == ActionState::Open && self.due < today
    }

    /// Done by a service record given on `on`.
    pub fn done(&mut self, service: &str, on: Date) -> Result<(), PlanError> {
        self.open()?;
        self.state = ActionState::Done { service: service.to_owned(), on };
        Ok(())
    }

    /// A new due date, with the reason.
    pub fn reschedule(&mut self, due: Date, reason: &str, today: Date) -> Result<(), PlanError> {
        self.open()?;
        reason_ok(reason)?;
        if due < today {
            return Err(PlanError::RescheduleInPast { due, today });
        }
        self.due = due;
        Ok(())
    }

    /// Dropped, with the reason.
    pub fn drop_with(&mut self, reason: &str, today: Date) -> Result<(), PlanError> {
        self.open()?;
        reason_ok(reason)?;
        self.state = ActionState::Dropped { reason: reason.trim().to_owned(), on: today };
        Ok(())
    }

    fn open(&self) -> Result<(), PlanError> {
        match self.state {
            ActionState::Open => Ok(()),
            ref s => Err(PlanError::ActionClosed { state: s.code() }),
        }
    }
}

fn reason_ok(reason: &str) -> Result<(), PlanError> {
    if reason.trim().is_empty() {
        return Err(PlanError::ReasonRequired);
    }
    text::check(TextField::Note, reason).map_err(PlanError::Reason)
}

impl PlanError {
    pub const fn code(&self) -> &'static str {
        match self {
            PlanError::NoGoal | PlanError::NoAction | PlanError::MissingReview | PlanError::ActionDue { .. } => {
                "required"
            }
            PlanError::ReasonRequired => "reason_required",
            PlanError::TooManyGoals | PlanError::TooManyActions => "too_many",
            PlanError::Goal { problem, .. } | PlanError::Reason(problem) => problem.code(),
            PlanError::ActionKind { .. } => "invalid_choice",
            PlanError::ActionDueBeforePlan { .. } | PlanError::ReviewNotAfter { .. } => "date_out_of_order",
            PlanError::RescheduleInPast { .. } => "date_in_past",
            PlanError::ActionClosed { .. } => "action_closed",
            PlanError::NoPolicy { .. } => "no_policy_in_force",
        }
    }

    /// The field, as the interface names it (`actions[2].due`).
    pub fn field(&self) -> String {
        match self {
            PlanError::NoGoal | PlanError::TooManyGoals => "goals".into(),
            PlanError::Goal { index, .. } => format!("goals[{index}]"),
            PlanError::NoAction | PlanError::TooManyActions => "actions".into(),
            PlanError::ActionKind { index, .. } => format!("actions[{index}].kind"),
            PlanError::ActionDue { index } | PlanError::ActionDueBeforePlan { index, .. } => {
                format!("actions[{index}].due")
            }
            PlanError::MissingReview | PlanError::ReviewNotAfter { .. } => "review_on".into(),
            PlanError::ReasonRequired | PlanError::Reason(_) => "reason".into(),
            PlanError::RescheduleInPast { .. } => "due".into(),
            PlanError::ActionClosed { .. } => "action".into(),
            PlanError::NoPolicy { .. } => "review_on".into(),
        }
    }

    /// What went wrong, starting with the field.
    pub fn message(&self, lang: Lang) -> String {
        let f = self.field();
        let zh = matches!(lang, Lang::Zh);
        let pick = |z: String, e: String| if zh { format!("{f}：{z}") } else { format!("{f}: {e}") };
        match self {
            PlanError::NoGoal => pick("至少写一个援助目标".into(), "at least one goal".into()),
            PlanError::TooManyGoals => pick(format!("最多{MAX_GOALS}个目标"), format!("{MAX_GOALS} goals at most")),
            PlanError::Goal { problem: TextProblem::TooLong { max, found }, .. } => pick(
                format!("过长，最多{max}个字符，现有{found}个"),
                format!("too long, {max} characters at most, {found} given"),
            ),
            PlanError::Goal { problem: TextProblem::Hidden(c), .. } | PlanError::Reason(TextProblem::Hidden(c)) => {
                pick(
                    format!("含有不可见或改变书写方向的字符（U+{:04X}）", u32::from(*c)),
                    format!("holds an invisible or direction-changing character (U+{:04X})", u32::from(*c)),
                )
            }
            PlanError::Reason(TextProblem::TooLong { max, found }) => pick(
                format!("过长，最多{max}个字符，现有{found}个"),
                format!("too long, {max} characters at most, {found} given"),
            ),
            PlanError::NoAction => pick("至少安排一项援助措施".into(), "at least one action".into()),
            PlanError::TooManyActions => {
                pick(format!("最多{MAX_ACTIONS}项措施"), format!("{MAX_ACTIONS} actions at most"))
            }
            PlanError::ActionKind { kind, .. } => {
                let known = ServiceKind::ALL.map(ServiceKind::code).join(", ");
                pick(
                    format!("“{kind}”不是服务类别，可选：{known}"),
                    format!("`{kind}` is not a kind of service; one of {known}"),
                )
            }
            PlanError::ActionDue { .. } => pick("须写明完成期限".into(), "a due date is required".into()),
            PlanError::ActionDueBeforePlan { due, made_on, .. } => pick(
                format!("期限{due}早于制定计划之日（{made_on}）"),
                format!("{due} is before the plan was made ({made_on})"),
            ),
            PlanError::MissingReview => pick("须写明复核日期".into(), "a review date is required".into()),
            PlanError::ReviewNotAfter { review_on, made_on } => pick(
                format!("复核日期{review_on}须晚于制定计划之日（{made_on}）"),
                format!("{review_on} must be after the day the plan is made ({made_on})"),
            ),
            PlanError::ReasonRequired => {
                pick("调整或取消措施须写明理由".into(), "rescheduling or dropping needs a reason".into())
            }
            PlanError::RescheduleInPast { due, today } => pick(
                format!("新期限{due}早于今天（{today}）"),
                format!("the new due date {due} is before today ({today})"),
            ),
            PlanError::ActionClosed { state } => pick(
                format!("该措施已{}，不能再更改", if *state == "done" { "完成" } else { "取消" }),
                format!("the action is {state} already"),
            ),
            PlanError::NoPolicy { on } => pick(format!("{on}没有生效的政策"), format!("no policy is in force on {on}")),
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

    fn plan() -> NewPlan {
        NewPlan {
            goals: vec!["三个月内实现就业".into()],
            actions: vec![
                NewAction { kind: "career_guidance".into(), due: Some(day("2026-12-15")), owner: None },
                NewAction { kind: "job_referral".into(), due: Some(day("2027-01-10")), owner: Some("sw".into()) },
            ],
            review_on: Some(day("2027-03-01")),
        }
    }

    fn check(p: &NewPlan) -> Result<Plan, Vec<PlanError>> {
        let policies = PolicySet::embedded();
        p.check(day("2026-12-07"), "caseworker", policies.in_force_on(day("2026-12-07")))
    }

    #[test]
    fn a_plan_cites_its_article_and_its_actions_have_owners() {
        let p = check(&plan()).unwrap();
        assert!(p.article.contains("第十二条第（一）项"), "{}", p.article);
        assert_eq!(p.actions[0].owner, "caseworker", "the author owns what names no owner");
        assert_eq!(p.actions[1].owner, "sw");
        assert!(p.actions.iter().all(|a| a.state == ActionState::Open));
    }

    #[test]
    fn every_problem_is_named_with_its_place() {
        let p = NewPlan {
            goals: vec!["  ".into()],
            actions: vec![NewAction { kind: "x".into(), due: Some(day("2026-01-01")), owner: None }],
            review_on: Some(day("2026-12-07")),
        };
        let fields: Vec<(String, &str)> = check(&p).unwrap_err().iter().map(|e| (e.field(), e.code())).collect();
        for want in [
            ("goals", "required"),
            ("actions[0].kind", "invalid_choice"),
            ("actions[0].due", "date_out_of_order"),
            ("review_on", "date_out_of_order"),
        ] {
            assert!(fields.contains(&(want.0.to_owned(), want.1)), "{want:?} in {fields:?}");
        }
        for e in check(&p).unwrap_err() {
            for lang in [Lang::Zh, Lang::En] {
                assert!(e.message(lang).starts_with(&e.field()), "{}", e.message(lang));
            }
        }
    }

    #[test]
    fn an_action_is_done_rescheduled_with_a_reason_or_dropped_with_one_and_then_stays() {
        let mut a = check(&plan()).unwrap().actions.remove(0);
        let today = day("2026-12-20");
        assert!(a.overdue(today));
        assert_eq!(a.reschedule(day("2027-01-05"), " ", today), Err(PlanError::ReasonRequired));
        assert_eq!(
            a.reschedule(day("2026-12-01"), "本人住院", today),
            Err(PlanError::RescheduleInPast { due: day("2026-12-01"), today })
        );
        a.reschedule(day("2027-01-05"), "本人住院", today).unwrap();
        assert!(!a.overdue(today));
        a.done("svc-1", day("2027-01-04")).unwrap();
        assert_eq!(a.drop_with("不需要", today), Err(PlanError::ActionClosed { state: "done" }));
        assert!(!a.overdue(day("2027-02-01")), "a done action is never overdue");
    }
}
