//! Who may do what, and where (第二条, 第十八条: three levels of management, four levels of
//! service). A user acts in one role for one unit; their jurisdiction is that unit's subtree. A
//! person belongs to the unit of residence, and the unit of hukou may also see them. A social
//! worker reaches only the persons assigned to them (第十三条).

use std::fmt;

pub use crate::masking::{mask_id_number, mask_name, mask_phone, masked_text};
use crate::unit::{Level, UnitCode};

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    CityAdmin,
    DistrictSupervisor,
    /// Reviews and decides applications at the street office.
    StreetOfficer,
    /// The caseworker of a community or village.
    CommunityWorker,
    HotlineOperator,
    /// Contracted by the city; sees only the persons assigned to them.
    SocialWorker,
    /// Reads everything in the subtree, changes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::CityAdmin,
        Role::DistrictSupervisor,
        Role::StreetOfficer,
        Role::CommunityWorker,
        Role::HotlineOperator,
        Role::SocialWorker,
        Role::Auditor,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Role::CityAdmin => "city_admin",
            Role::DistrictSupervisor => "district_supervisor",
            Role::StreetOfficer => "street_officer",
            Role::CommunityWorker => "community_worker",
            Role::HotlineOperator => "hotline_operator",
            Role::SocialWorker => "social_worker",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    pub const fn name_zh(self) -> &'static str {
        match self {
            Role::CityAdmin => "市级管理员",
            Role::DistrictSupervisor => "区级督导",
            Role::StreetOfficer => "街道审核员",
            Role::CommunityWorker => "社区经办员",
            Role::HotlineOperator => "热线坐席",
            Role::SocialWorker => "社工",
            Role::Auditor => "审计员",
        }
    }

    /// The levels of unit this role can be given: a city admin acts for the city, a supervisor
    /// for the city or a district, a street officer for a street or town, a caseworker for a
    /// community or village (or the street's own service centre).
    pub fn fits(self, level: Level) -> bool {
        match self {
            Role::CityAdmin => level == Level::City,
            Role::DistrictSupervisor => matches!(level, Level::City | Level::District),
            Role::StreetOfficer => level == Level::StreetOrTown,
            Role::CommunityWorker => matches!(level, Level::StreetOrTown | Level::CommunityOrVillage),
            Role::HotlineOperator | Role::SocialWorker | Role::Auditor => true,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What a user may ask to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Search the registry and open a person's file.
    View,
    /// See full ID and phone numbers in a person's file (lists always mask them).
    ViewIdentity,
    /// Register a person or an unemployment registration, import a file, record employment.
    Register,
    /// Log a contact attempt or a refusal of services (第六条).
    LogContact,
    /// Record a service given to a person (第八至十六条): guidance, information, a referral, a
    /// home visit, a social worker's session.
    RecordService,
    /// Open, complete, submit or withdraw a hardship application (第五条).
    PrepareApplication,
    /// Mark an application deficient, approve or reject it.
    DecideApplication,
    /// See the queue of applications made at the unit's offices (第五条): those who prepare or
    /// decide them, and those who oversee them.
    ListApplications,
    /// Propose revoking a person's status.
    ProposeRevocation,
    /// Confirm or dismiss a revocation proposal.
    DecideRevocation,
    /// Decide whether two records are the same person.
    DecideDuplicate,
    /// Propose, accept, refuse or withdraw a transfer of a person's residence to another unit, or
    /// (a supervisor over both units) make one.
    TransferResidence,
    /// Assign a social worker to a person.
    AssignSocialWorker,
    /// Reassess everyone in the subtree as of a date.
    Reassess,
    /// Export the registry.
    Export,
    /// Verify the audit chain.
    VerifyAudit,
    /// Add, disable and reset accounts.
    ManageUsers,
}

impl Action {
    pub const ALL: [Action; 17] = [
        Action::View,
        Action::ViewIdentity,
        Action::Register,
        Action::LogContact,
        Action::RecordService,
        Action::PrepareApplication,
        Action::DecideApplication,
        Action::ListApplications,
        Action::ProposeRevocation,
        Action::DecideRevocation,
        Action::DecideDuplicate,
        Action::TransferResidence,
        Action::AssignSocialWorker,
        Action::Reassess,
        Action::Export,
        Action::VerifyAudit,
        Action::ManageUsers,
    ];
}

/// Whether the role ever allows the action, wherever it is.
pub fn role_allows(role: Role, action: Action) -> bool {
    use Action::*;
    use Role::*;
    match action {
        View => true,
        ViewIdentity => matches!(role, CityAdmin | StreetOfficer | CommunityWorker | SocialWorker),
        Register | PrepareApplication => matches!(role, CityAdmin | StreetOfficer | CommunityWorker),
        LogContact => matches!(role, CityAdmin | StreetOfficer | CommunityWorker | HotlineOperator | SocialWorker),
        // The offices that serve persons, and the social workers the city pays to (第十三条); the
        // hotline's own record is its ticket.
        RecordService => matches!(role, CityAdmin | StreetOfficer | CommunityWorker | SocialWorker),
        ProposeRevocation => matches!(role, CityAdmin | StreetOfficer | CommunityWorker | SocialWorker),
        DecideApplication | DecideRevocation | AssignSocialWorker | DecideDuplicate => {
            matches!(role, CityAdmin | StreetOfficer)
        }
        ListApplications => matches!(role, CityAdmin | DistrictSupervisor | StreetOfficer | CommunityWorker | Auditor),
        Reassess => matches!(role, CityAdmin | DistrictSupervisor),
        TransferResidence => matches!(role, CityAdmin | DistrictSupervisor | StreetOfficer | CommunityWorker),
        Export => matches!(role, CityAdmin | DistrictSupervisor | StreetOfficer | Auditor),
        VerifyAudit => matches!(role, CityAdmin | Auditor),
        ManageUsers => role == CityAdmin,
    }
}

/// The signed-in user, as the rules of access see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub account_id: String,
    pub username: String,
    pub role: Role,
    pub unit: UnitCode,
}

/// Where a person belongs, for deciding who reaches them.
#[derive(Debug, Clone, Copy)]
pub struct PersonReach<'a> {
    pub residence_unit: &'a UnitCode,
    pub hukou_unit: Option<&'a UnitCode>,
    /// Whether the user asking is a social worker assigned to this person.
    pub assigned_to_user: bool,
}

/// What an action is about.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    Person(PersonReach<'a>),
    /// A unit, for actions on a whole subtree (reassess, export, import into a unit).
    Unit(&'a UnitCode),
}

impl User {
    /// Whether this user reaches the person or unit at all. Outside of it, the person does not
    /// exist for them (the API answers 404, never 403).
    pub fn reaches(&self, target: Target<'_>) -> bool {
        match target {
            Target::Person(p) if self.role == Role::SocialWorker => p.assigned_to_user,
            Target::Person(p) => {
                self.unit.contains(p.residence_unit) || p.hukou_unit.is_some_and(|h| self.unit.contains(h))
            }
            Target::Unit(u) => self.role != Role::SocialWorker && self.unit.contains(u),
        }
    }

    /// Whether the user may do `action` on `target`: the role allows it and the target lies in
    /// the user's jurisdiction.
    pub fn can(&self, action: Action, target: Target<'_>) -> bool {
        role_allows(self.role, action) && self.reaches(target)
    }

    /// The prefix of unit codes a search is limited to, or `None` for a social worker, whose
    /// reach is their assignments instead.
    pub fn unit_prefix(&self) -> Option<&str> {
        (self.role != Role::SocialWorker).then(|| self.unit.prefix())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, unit: &str) -> User {
        User { account_id: "a".into(), username: "u".into(), role, unit: UnitCode::parse(unit).unwrap() }
    }

    fn person(unit: &UnitCode) -> Target<'_> {
        Target::Person(PersonReach { residence_unit: unit, hukou_unit: None, assigned_to_user: false })
    }

    #[test]
    fn jurisdiction_is_the_subtree_of_the_users_unit() {
        let street = user(Role::StreetOfficer, "440104011");
        let own = UnitCode::parse("440104011").unwrap();
        let child = UnitCode::parse("440104011001").unwrap();
        let sibling = UnitCode::parse("440104012").unwrap();
        let parent = UnitCode::parse("440104").unwrap();
        assert!(street.reaches(person(&own)) && street.reaches(person(&child)));
        assert!(!street.reaches(person(&sibling)) && !street.reaches(person(&parent)));
    }

    #[test]
    fn the_city_reaches_every_district_of_guangzhou() {
        let admin = user(Role::CityAdmin, "440100");
        let street = UnitCode::parse("440104011").unwrap();
        assert!(admin.reaches(person(&street)));
        assert_eq!(admin.unit_prefix(), Some("4401"));
    }

    #[test]
    fn the_unit_of_hukou_also_sees_the_person() {
        let caseworker = user(Role::CommunityWorker, "440105001001");
        let residence = UnitCode::parse("440104011001").unwrap();
        let hukou = UnitCode::parse("440105001001").unwrap();
        let p = PersonReach { residence_unit: &residence, hukou_unit: Some(&hukou), assigned_to_user: false };
        assert!(caseworker.reaches(Target::Person(p)));
    }

    #[test]
    fn a_social_worker_reaches_only_assigned_persons_even_in_their_unit() {
        let sw = user(Role::SocialWorker, "440104011");
        let unit = UnitCode::parse("440104011001").unwrap();
        let mut p = PersonReach { residence_unit: &unit, hukou_unit: None, assigned_to_user: false };
        assert!(!sw.reaches(Target::Person(p)));
        p.assigned_to_user = true;
        assert!(sw.reaches(Target::Person(p)));
        assert!(!sw.reaches(Target::Unit(&unit)));
    }

    #[test]
    fn an_auditor_reads_everything_and_changes_nothing() {
        let changes = Action::ALL
            .into_iter()
            .filter(|a| !matches!(a, Action::View | Action::ListApplications | Action::Export | Action::VerifyAudit));
        for a in changes {
            assert!(!role_allows(Role::Auditor, a), "{a:?}");
        }
        assert!(!role_allows(Role::Auditor, Action::ViewIdentity));
    }

    #[test]
    fn only_a_city_admin_manages_users() {
        for r in Role::ALL {
            assert_eq!(role_allows(r, Action::ManageUsers), r == Role::CityAdmin);
        }
    }

    #[test]
    fn roles_round_trip_through_their_codes() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
