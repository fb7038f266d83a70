//! The standard office: the units the tests work in and one post per role, named.
//!
//! `Store::init` loads the city's divisions (districts and streets); the two communities are
//! added by the test ([`COMMUNITIES`]). The server tests turn [`Office::STANDARD`] into signed-in
//! clients with `TestApp::office()` (`crates/web/tests/common`), so that a test says
//! `office.caseworker` instead of creating an account by hand.

use yuanzhu_domain::access::Role;

/// Guangzhou.
pub const CITY: &str = "440100";
/// 越秀区.
pub const DISTRICT: &str = "440104";
/// 东山街道, in [`DISTRICT`].
pub const STREET: &str = "440104011";
/// A community of [`STREET`].
pub const COMMUNITY: &str = "440104011001";
/// 农林街道, the neighbouring street of the same district.
pub const OTHER_STREET: &str = "440104012";
/// A community of [`OTHER_STREET`].
pub const OTHER_COMMUNITY: &str = "440104012001";
/// The communities the standard office needs, each under its street.
pub const COMMUNITIES: [&str; 2] = [COMMUNITY, OTHER_COMMUNITY];

/// An account to create: its username, role and unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Post {
    pub username: &'static str,
    pub role: Role,
    pub unit: &'static str,
}

/// One of each role at its usual unit, and a caseworker of the neighbouring street who reaches
/// none of the standard persons. `T` is a [`Post`] in [`Office::STANDARD`], and whatever the
/// tests make of it (a signed-in client) elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office<T> {
    /// `city` at [`CITY`].
    pub city_admin: T,
    /// `district` at [`DISTRICT`].
    pub district_supervisor: T,
    /// `officer` at [`STREET`]: reviews and decides.
    pub street_officer: T,
    /// `caseworker` at [`COMMUNITY`], where the standard persons live.
    pub caseworker: T,
    /// `hotline` at [`DISTRICT`].
    pub hotline: T,
    /// `social` at [`STREET`]: sees only the persons assigned to them.
    pub social_worker: T,
    /// `auditor` at [`STREET`]: reads, changes nothing.
    pub auditor: T,
    /// `stranger`, a caseworker at [`OTHER_COMMUNITY`].
    pub stranger: T,
}

const fn post(username: &'static str, role: Role, unit: &'static str) -> Post {
    Post { username, role, unit }
}

impl Office<Post> {
    pub const STANDARD: Office<Post> = Office {
        city_admin: post("city", Role::CityAdmin, CITY),
        district_supervisor: post("district", Role::DistrictSupervisor, DISTRICT),
        street_officer: post("officer", Role::StreetOfficer, STREET),
        caseworker: post("caseworker", Role::CommunityWorker, COMMUNITY),
        hotline: post("hotline", Role::HotlineOperator, DISTRICT),
        social_worker: post("social", Role::SocialWorker, STREET),
        auditor: post("auditor", Role::Auditor, STREET),
        stranger: post("stranger", Role::CommunityWorker, OTHER_COMMUNITY),
    };
}

impl<T> Office<T> {
    /// Every member, in the order of the fields.
    pub fn each(&self) -> [&T; 8] {
        [
            &self.city_admin,
            &self.district_supervisor,
            &self.street_officer,
            &self.caseworker,
            &self.hotline,
            &self.social_worker,
            &self.auditor,
            &self.stranger,
        ]
    }
}

#[cfg(test)]
mod tests {
    use yuanzhu_domain::{Level, UnitCode};

    use super::*;

    #[test]
    fn the_standard_office_has_every_role_at_a_unit_it_may_hold() {
        let posts = Office::STANDARD.each();
        for role in Role::ALL {
            assert!(posts.iter().any(|p| p.role == role), "{role:?} has a post");
        }
        let mut names: Vec<&str> = posts.iter().map(|p| p.username).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), posts.len(), "usernames are distinct");
        let at = |code: &str| UnitCode::parse(code).unwrap();
        for p in posts {
            let level = match p.unit.len() {
                6 if p.unit.ends_with("00") => Level::City,
                6 => Level::District,
                9 => Level::StreetOrTown,
                _ => Level::CommunityOrVillage,
            };
            assert!(p.role.fits(level) && at(CITY).contains(&at(p.unit)), "{p:?}");
        }
        assert!(at(DISTRICT).contains(&at(STREET)) && at(DISTRICT).contains(&at(OTHER_STREET)));
        assert!(at(STREET).contains(&at(COMMUNITY)) && at(OTHER_STREET).contains(&at(OTHER_COMMUNITY)));
        assert!(!at(STREET).contains(&at(OTHER_COMMUNITY)), "the stranger is out of the street's reach");
        for community in COMMUNITIES {
            assert!([STREET, OTHER_STREET].contains(&&community[..9]), "{community} is under a standard street");
        }
    }
}
