//! Where an application stands ([`State`]) and what happened to it ([`Event`]).

use yuanzhu_rules::{Date, Lang};

use super::{Document, OneTimeDeficiencyNotice, RefusalNotice};

/// Where an application stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    Draft,
    /// Complete and with the office since `on`.
    Submitted {
        on: Date,
    },
    Deficient {
        notice: OneTimeDeficiencyNotice,
    },
    Approved {
        on: Date,
    },
    Rejected {
        notice: RefusalNotice,
    },
    Withdrawn {
        on: Date,
    },
}

/// The states without their data, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StateKind {
    Draft,
    Submitted,
    Deficient,
    Approved,
    Rejected,
    Withdrawn,
}

impl State {
    pub const fn kind(&self) -> StateKind {
        match self {
            State::Draft => StateKind::Draft,
            State::Submitted { .. } => StateKind::Submitted,
            State::Deficient { .. } => StateKind::Deficient,
            State::Approved { .. } => StateKind::Approved,
            State::Rejected { .. } => StateKind::Rejected,
            State::Withdrawn { .. } => StateKind::Withdrawn,
        }
    }
}

impl StateKind {
    pub const fn code(self) -> &'static str {
        ["draft", "submitted", "deficient", "approved", "rejected", "withdrawn"][self as usize]
    }

    pub fn name(self, lang: Lang) -> &'static str {
        let zh = ["草稿", "已提交", "待补正（已一次性告知）", "已认定", "不予认定", "已撤回"];
        let en = ["a draft", "submitted", "deficient (notice served)", "approved", "refused", "withdrawn"];
        if lang == Lang::Zh { zh[self as usize] } else { en[self as usize] }
    }

    /// No further change: the decision is made or the applicant has left.
    pub const fn is_final(self) -> bool {
        matches!(self, StateKind::Approved | StateKind::Rejected | StateKind::Withdrawn)
    }
}

/// One recorded change: what, by whom (an actor id), on which day.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    pub action: Action,
    pub by: String,
    pub on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    Create,
    Provide {
        document: Document,
    },
    CommitInLieuOfProof {
        document: Document,
    },
    Submit,
    /// Documents found defective in review; the notice adds everything else still missing.
    MarkDeficient {
        defective: Vec<Document>,
    },
    Approve,
    Reject {
        reason: String,
    },
    Withdraw,
}

/// The actions without their data, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    Create,
    Provide,
    CommitInLieuOfProof,
    Submit,
    MarkDeficient,
    Approve,
    Reject,
    Withdraw,
}

impl Action {
    pub const fn kind(&self) -> ActionKind {
        match self {
            Action::Create => ActionKind::Create,
            Action::Provide { .. } => ActionKind::Provide,
            Action::CommitInLieuOfProof { .. } => ActionKind::CommitInLieuOfProof,
            Action::Submit => ActionKind::Submit,
            Action::MarkDeficient { .. } => ActionKind::MarkDeficient,
            Action::Approve => ActionKind::Approve,
            Action::Reject { .. } => ActionKind::Reject,
            Action::Withdraw => ActionKind::Withdraw,
        }
    }
}

impl ActionKind {
    pub fn name(self, lang: Lang) -> &'static str {
        let zh = [
            "创建申请",
            "补交材料",
            "以书面承诺代替证明材料",
            "提交申请",
            "出具一次性告知书",
            "作出认定",
            "作出不予认定",
            "撤回申请",
        ];
        let en = [
            "create it",
            "add documents",
            "accept a written commitment",
            "submit it",
            "serve a one-time deficiency notice",
            "approve it",
            "refuse it",
            "withdraw it",
        ];
        if lang == Lang::Zh { zh[self as usize] } else { en[self as usize] }
    }
}
