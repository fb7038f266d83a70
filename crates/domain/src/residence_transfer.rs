//! Moving a person's residence to another unit (居住地转移): the one way a person's unit of
//! residence, and with it who may see their file, changes. A registration never moves anyone.
//!
//! A move is proposed by one side (the unit of residence, or the unit the person moves to) and
//! accepted or refused by the other, or withdrawn by the side that proposed it; a supervisor
//! (district or city) whose jurisdiction holds both units makes it at once. Each step is audited
//! with both units. One move of a person is open at a time.

use crate::access::{Action, Role, Target, User, role_allows};
use crate::unit::UnitCode;

/// Which unit proposed a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The unit the person lives in now.
    From,
    /// The unit the person moves to.
    To,
}

impl Side {
    pub const fn code(self) -> &'static str {
        match self {
            Side::From => "from",
            Side::To => "to",
        }
    }

    pub fn parse(code: &str) -> Option<Side> {
        match code {
            "from" => Some(Side::From),
            "to" => Some(Side::To),
            _ => None,
        }
    }

    const fn other(self) -> Side {
        match self {
            Side::From => Side::To,
            Side::To => Side::From,
        }
    }
}

/// Where a move stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Waiting for the other side.
    Proposed,
    Accepted,
    Refused,
    Withdrawn,
    /// Made at once by a supervisor over both units.
    Done,
}

impl State {
    pub const fn code(self) -> &'static str {
        match self {
            State::Proposed => "proposed",
            State::Accepted => "accepted",
            State::Refused => "refused",
            State::Withdrawn => "withdrawn",
            State::Done => "done",
        }
    }

    pub fn parse(code: &str) -> Option<State> {
        [State::Proposed, State::Accepted, State::Refused, State::Withdrawn, State::Done]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// How a user may start moving a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// A supervisor whose jurisdiction holds both units moves the person at once.
    Now,
    /// A proposal from this side, for the other to accept.
    Propose(Side),
}

/// Why a move cannot be started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The role never moves anyone.
    Role,
    /// The person already lives in that unit.
    SameUnit,
    /// The user's jurisdiction holds neither unit (a unit of hukou sees the person, but is no
    /// side of the move).
    NeitherSide,
}

/// Whether the user's jurisdiction holds the unit (a social worker's holds none).
fn holds(user: &User, unit: &UnitCode) -> bool {
    user.reaches(Target::Unit(unit))
}

/// How `user` may start moving a person from `from` to `to`.
pub fn start(user: &User, from: &UnitCode, to: &UnitCode) -> Result<Start, Refusal> {
    if !role_allows(user.role, Action::TransferResidence) {
        return Err(Refusal::Role);
    }
    if from == to {
        return Err(Refusal::SameUnit);
    }
    let supervisor = matches!(user.role, Role::CityAdmin | Role::DistrictSupervisor);
    match (holds(user, from), holds(user, to)) {
        (true, true) if supervisor => Ok(Start::Now),
        (true, _) => Ok(Start::Propose(Side::From)),
        (false, true) => Ok(Start::Propose(Side::To)),
        (false, false) => Err(Refusal::NeitherSide),
    }
}

/// A move as the rules of who acts on it see it.
#[derive(Debug, Clone, Copy)]
pub struct Move<'a> {
    pub from: &'a UnitCode,
    pub to: &'a UnitCode,
    pub proposed_by: Side,
    pub state: State,
    /// The account that proposed it: it does not decide its own proposal.
    pub proposer_account: &'a str,
}

impl Move<'_> {
    fn unit(&self, side: Side) -> &UnitCode {
        match side {
            Side::From => self.from,
            Side::To => self.to,
        }
    }

    /// Whether the user sees the move at all: their jurisdiction holds one of its units.
    pub fn seen_by(&self, user: &User) -> bool {
        holds(user, self.from) || holds(user, self.to)
    }

    /// Whether the user may accept or refuse it: it is open, their jurisdiction holds the side
    /// that did not propose it, and they did not propose it themselves.
    pub fn decided_by(&self, user: &User) -> bool {
        self.state == State::Proposed
            && role_allows(user.role, Action::TransferResidence)
            && holds(user, self.unit(self.proposed_by.other()))
            && user.account_id != self.proposer_account
    }

    /// Whether the user may withdraw it: it is open and their jurisdiction holds the side that
    /// proposed it.
    pub fn withdrawn_by(&self, user: &User) -> bool {
        self.state == State::Proposed
            && role_allows(user.role, Action::TransferResidence)
            && holds(user, self.unit(self.proposed_by))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, unit: &str, id: &str) -> User {
        User { account_id: id.into(), username: id.into(), role, unit: UnitCode::parse(unit).unwrap() }
    }

    fn u(code: &str) -> UnitCode {
        UnitCode::parse(code).unwrap()
    }

    #[test]
    fn a_side_proposes_and_a_supervisor_over_both_moves_at_once() {
        let (a, b) = (u("440104011001"), u("440104012001"));
        assert_eq!(start(&user(Role::CommunityWorker, "440104011001", "x"), &a, &b), Ok(Start::Propose(Side::From)));
        assert_eq!(start(&user(Role::CommunityWorker, "440104012001", "x"), &a, &b), Ok(Start::Propose(Side::To)));
        assert_eq!(start(&user(Role::StreetOfficer, "440104011", "x"), &a, &b), Ok(Start::Propose(Side::From)));
        assert_eq!(start(&user(Role::DistrictSupervisor, "440104", "x"), &a, &b), Ok(Start::Now));
        assert_eq!(start(&user(Role::CityAdmin, "440100", "x"), &a, &u("440105001")), Ok(Start::Now));
        // A supervisor over one side only proposes.
        assert_eq!(
            start(&user(Role::DistrictSupervisor, "440104", "x"), &a, &u("440105001")),
            Ok(Start::Propose(Side::From))
        );
        // A street officer over both still needs the other unit's acceptance.
        let both = user(Role::StreetOfficer, "440104011", "x");
        assert_eq!(start(&both, &a, &u("440104011002")), Ok(Start::Propose(Side::From)));
    }

    #[test]
    fn a_move_to_the_same_unit_by_a_role_that_never_moves_or_by_neither_side_is_refused() {
        let (a, b) = (u("440104011001"), u("440104012001"));
        assert_eq!(start(&user(Role::CommunityWorker, "440104011001", "x"), &a, &a), Err(Refusal::SameUnit));
        for role in [Role::HotlineOperator, Role::SocialWorker, Role::Auditor] {
            assert_eq!(start(&user(role, "440104", "x"), &a, &b), Err(Refusal::Role), "{role}");
        }
        assert_eq!(start(&user(Role::CommunityWorker, "440105001001", "x"), &a, &b), Err(Refusal::NeitherSide));
    }

    #[test]
    fn the_other_side_decides_and_the_proposing_side_withdraws() {
        let (a, b) = (u("440104011001"), u("440104012001"));
        let m = Move { from: &a, to: &b, proposed_by: Side::From, state: State::Proposed, proposer_account: "p" };
        let there = user(Role::CommunityWorker, "440104012001", "t");
        let here = user(Role::CommunityWorker, "440104011001", "h");
        assert!(m.decided_by(&there) && !m.withdrawn_by(&there));
        assert!(!m.decided_by(&here) && m.withdrawn_by(&here));
        let nobody = user(Role::CommunityWorker, "440105001001", "n");
        assert!(!m.seen_by(&nobody) && !m.decided_by(&nobody));
        // A supervisor over both decides, but never a proposal of their own.
        let district = user(Role::DistrictSupervisor, "440104", "d");
        assert!(m.decided_by(&district));
        let own = Move { proposer_account: "d", ..m };
        assert!(!own.decided_by(&district));
        let closed = Move { state: State::Accepted, ..m };
        assert!(!closed.decided_by(&there) && !closed.withdrawn_by(&here));
    }
}
