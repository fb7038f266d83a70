//! Accounts, sessions, API tokens and login throttling, on both databases.

mod common;

use chrono::{DateTime, Duration, Utc};
use yuanzhu_domain::UnitCode;
use yuanzhu_domain::access::Role;
use yuanzhu_rules::Lang;
use yuanzhu_storage::accounts::{self, AccountError};
use yuanzhu_storage::audit::{self, Verdict};
use yuanzhu_storage::{Store, sessions};
use yuanzhu_web::words::Describe;

async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let stores = common::stores("accounts").await;
    for (store, _) in &stores {
        store.init().await.unwrap();
    }
    stores
}

fn unit(code: &str) -> UnitCode {
    UnitCode::parse(code).unwrap()
}

const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";

async fn caseworker(store: &Store, name: &str) -> accounts::Account {
    accounts::create(store, name, Role::CommunityWorker, &unit("440104011"), HASH, "admin").await.unwrap()
}

/// Every event's text, to search for what must never be in it.
async fn all_events(store: &Store) -> String {
    let rows: Vec<(String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT action, before_json, after_json FROM audit_events ORDER BY seq")
            .fetch_all(store.pool())
            .await
            .unwrap();
    format!("{rows:?}")
}

#[tokio::test]
async fn usernames_are_unique_and_normalised() {
    for (store, _dir) in stores().await {
        let a = caseworker(&store, "  Li.Si_2 ").await;
        assert_eq!((a.username.as_str(), a.version, a.disabled), ("li.si_2", 1, false));
        let again = accounts::create(&store, "LI.SI_2", Role::Auditor, &unit("440100"), HASH, "admin").await;
        assert!(matches!(again, Err(AccountError::UsernameTaken)), "{again:?}");
        for bad in ["", "li si", "李四", &"x".repeat(65)] {
            let e = accounts::create(&store, bad, Role::Auditor, &unit("440100"), HASH, "admin").await.unwrap_err();
            assert_eq!((e.code(), e.field()), ("invalid_username", Some("username")), "{bad}");
        }
        let (found, hash) = accounts::by_username(&store, " LI.si_2").await.unwrap().unwrap();
        assert_eq!((found, hash.as_str()), (a.clone(), HASH));
        assert_eq!(accounts::by_id(&store, &a.id).await.unwrap(), Some(a.clone()));
        assert_eq!(accounts::by_username(&store, "nobody").await.unwrap(), None);
        assert_eq!(accounts::count(&store).await.unwrap(), 1);
        assert_eq!(a.user().role, Role::CommunityWorker);
    }
}

#[tokio::test]
async fn a_role_that_does_not_fit_its_unit_is_refused_naming_the_field() {
    for (store, _dir) in stores().await {
        for (role, code) in [
            (Role::CityAdmin, "440104"),
            (Role::StreetOfficer, "440104"),
            (Role::StreetOfficer, "440100"),
            (Role::DistrictSupervisor, "440104011"),
            (Role::CommunityWorker, "440104"),
        ] {
            let e = accounts::create(&store, "x", role, &unit(code), HASH, "admin").await.unwrap_err();
            assert_eq!((e.code(), e.field()), ("role_does_not_fit_unit", Some("role")), "{role} at {code}");
            assert!(e.message(Lang::Zh).starts_with("role（角色）"), "{}", e.message(Lang::Zh));
            assert!(e.message(Lang::En).starts_with("role:"), "{}", e.message(Lang::En));
        }
        for (i, (role, code)) in [
            (Role::CityAdmin, "440100"),
            (Role::DistrictSupervisor, "440100"),
            (Role::DistrictSupervisor, "440104"),
            (Role::StreetOfficer, "440104011"),
            // A town is a street's level; so is a forest farm, whose level is `other`.
            (Role::StreetOfficer, "440111103"),
            (Role::StreetOfficer, "440117405"),
            (Role::CommunityWorker, "440104011"),
            (Role::SocialWorker, "440100"),
        ]
        .into_iter()
        .enumerate()
        {
            accounts::create(&store, &format!("ok{i}"), role, &unit(code), HASH, "admin").await.unwrap();
        }
        let e = accounts::create(&store, "y", Role::Auditor, &unit("440199"), HASH, "admin").await.unwrap_err();
        assert_eq!((e.code(), e.field()), ("unknown_unit", Some("unit")));
        assert!(e.message(Lang::Zh).contains("440199"));
    }
}

#[tokio::test]
async fn the_list_of_a_unit_holds_its_subtree_by_username_and_the_city_holds_all() {
    for (store, _dir) in stores().await {
        accounts::create(&store, "root", Role::CityAdmin, &unit("440100"), HASH, "admin").await.unwrap();
        accounts::create(&store, "yuexiu", Role::DistrictSupervisor, &unit("440104"), HASH, "root").await.unwrap();
        caseworker(&store, "dongshan-b").await;
        caseworker(&store, "dongshan-a").await;
        accounts::create(&store, "haizhu", Role::DistrictSupervisor, &unit("440105"), HASH, "root").await.unwrap();
        let names = |list: Vec<accounts::Account>| list.into_iter().map(|a| a.username).collect::<Vec<_>>();
        assert_eq!(names(accounts::list(&store, "440104").await.unwrap()), ["dongshan-a", "dongshan-b", "yuexiu"]);
        assert_eq!(names(accounts::list(&store, "440104011").await.unwrap()), ["dongshan-a", "dongshan-b"]);
        assert_eq!(accounts::list(&store, "440100").await.unwrap().len(), 5);
        assert_eq!(accounts::list(&store, "").await.unwrap().len(), 5);
    }
}

#[tokio::test]
async fn disabling_ends_sessions_and_revokes_tokens() {
    for (store, _dir) in stores().await {
        let a = caseworker(&store, "zhang").await;
        let other = caseworker(&store, "wang").await;
        sessions::create(&store, &a.id, "session-secret", "csrf", "2999-01-01T00:00:00.000000Z").await.unwrap();
        sessions::create(&store, &other.id, "other-secret", "csrf", "2999-01-01T00:00:00.000000Z").await.unwrap();
        sessions::create_token(&store, &a.id, "token-secret", "nightly export", None, "zhang").await.unwrap();
        let now = "2026-01-01T00:00:00.000000Z";
        assert_eq!(sessions::lookup(&store, "session-secret").await.unwrap().unwrap().account, a);
        assert_eq!(sessions::token_account(&store, "token-secret", now).await.unwrap(), Some(a.clone()));

        let disabled = accounts::set_disabled(&store, "Zhang", true, "admin").await.unwrap();
        assert_eq!((disabled.disabled, disabled.version), (true, 2));
        assert_eq!(sessions::lookup(&store, "session-secret").await.unwrap(), None);
        assert_eq!(sessions::token_account(&store, "token-secret", now).await.unwrap(), None);
        assert!(sessions::lookup(&store, "other-secret").await.unwrap().is_some(), "other accounts keep theirs");
        // Disabling twice changes nothing.
        assert_eq!(accounts::set_disabled(&store, "zhang", true, "admin").await.unwrap().version, 2);

        // Re-enabling restores neither: the user signs in again.
        let enabled = accounts::set_disabled(&store, "zhang", false, "admin").await.unwrap();
        assert_eq!((enabled.disabled, enabled.version), (false, 3));
        assert_eq!(sessions::lookup(&store, "session-secret").await.unwrap(), None);
        assert_eq!(sessions::token_account(&store, "token-secret", now).await.unwrap(), None);

        let e = accounts::set_disabled(&store, "ghost", true, "admin").await.unwrap_err();
        assert_eq!((e.code(), e.field()), ("account_not_found", Some("username")));
        let events = all_events(&store).await;
        for action in ["account.created", "account.disabled", "account.enabled", "account.token_created"] {
            assert!(events.contains(action), "{action} in {events}");
        }
        assert_eq!(audit::verify(&store).await.unwrap(), Verdict::Intact { events: 5 });
    }
}

#[tokio::test]
async fn a_new_password_ends_the_sessions_and_never_reaches_the_audit_trail() {
    for (store, _dir) in stores().await {
        let a = caseworker(&store, "zhang").await;
        sessions::create(&store, &a.id, "s", "csrf", "2999-01-01T00:00:00.000000Z").await.unwrap();
        let changed = accounts::set_password(&store, "zhang", "$argon2id$new-hash", "zhang").await.unwrap();
        assert_eq!(changed.version, 2);
        assert_eq!(sessions::lookup(&store, "s").await.unwrap(), None);
        assert_eq!(accounts::by_username(&store, "zhang").await.unwrap().unwrap().1, "$argon2id$new-hash");
        let events = all_events(&store).await;
        assert!(events.contains("account.password_set"));
        assert!(!events.contains("argon2id"), "{events}");
    }
}

#[tokio::test]
async fn secrets_of_sessions_and_tokens_are_not_stored_in_clear() {
    for (store, _dir) in stores().await {
        let a = caseworker(&store, "zhang").await;
        sessions::create(&store, &a.id, "my-session-secret", "csrf", "2999-01-01T00:00:00.000000Z").await.unwrap();
        sessions::create_token(&store, &a.id, "my-token-secret", "label", None, "zhang").await.unwrap();
        let stored: Vec<(String,)> =
            sqlx::query_as("SELECT id_hash FROM sessions UNION ALL SELECT token_hash FROM api_tokens")
                .fetch_all(store.pool())
                .await
                .unwrap();
        assert_eq!(stored.len(), 2);
        for (h,) in &stored {
            assert!(h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) && !h.contains("secret"), "{h}");
        }
        assert!(!all_events(&store).await.contains("my-token-secret"));
        assert_eq!(sessions::lookup(&store, "my-session-secre").await.unwrap(), None);
    }
}

#[tokio::test]
async fn sessions_are_touched_deleted_and_purged_when_idle_or_past_their_end() {
    for (store, _dir) in stores().await {
        let a = caseworker(&store, "zhang").await;
        sessions::create(&store, &a.id, "idle", "c1", "2999-01-01T00:00:00.000000Z").await.unwrap();
        sessions::create(&store, &a.id, "old", "c2", "2026-01-01T08:00:00.000000Z").await.unwrap();
        sessions::create(&store, &a.id, "fresh", "c3", "2999-01-01T00:00:00.000000Z").await.unwrap();
        sessions::create(&store, &a.id, "gone", "c4", "2999-01-01T00:00:00.000000Z").await.unwrap();
        for s in ["old", "fresh", "gone"] {
            sessions::touch(&store, s, "2026-01-01T09:00:00.000000Z").await.unwrap();
        }
        sessions::touch(&store, "idle", "2026-01-01T07:00:00.000000Z").await.unwrap();
        let fresh = sessions::lookup(&store, "fresh").await.unwrap().unwrap();
        assert_eq!((fresh.csrf_token.as_str(), fresh.last_seen_at.as_str()), ("c3", "2026-01-01T09:00:00.000000Z"));
        sessions::delete(&store, "gone").await.unwrap();
        assert_eq!(sessions::lookup(&store, "gone").await.unwrap(), None);
        let purged = sessions::purge_expired(&store, "2026-01-01T08:30:00.000000Z", "2026-01-01T09:00:00.000000Z")
            .await
            .unwrap();
        assert_eq!(purged, 2);
        assert!(sessions::lookup(&store, "fresh").await.unwrap().is_some());
        assert_eq!(sessions::lookup(&store, "idle").await.unwrap(), None);
        assert_eq!(sessions::lookup(&store, "old").await.unwrap(), None);
    }
}

#[tokio::test]
async fn a_token_stops_working_when_revoked_or_expired() {
    for (store, _dir) in stores().await {
        let a = caseworker(&store, "zhang").await;
        let until = Some("2026-06-01T00:00:00.000000Z");
        let expiring = sessions::create_token(&store, &a.id, "t1", "until June", until, "admin").await.unwrap();
        let revoked = sessions::create_token(&store, &a.id, "t2", "revoked", None, "admin").await.unwrap();
        assert_ne!(expiring, revoked);
        let before_june = "2026-05-31T23:59:59.999999Z";
        assert!(sessions::token_account(&store, "t1", before_june).await.unwrap().is_some());
        assert_eq!(sessions::token_account(&store, "t1", "2026-06-01T00:00:00.000000Z").await.unwrap(), None);
        assert!(sessions::revoke_token(&store, &revoked, "admin").await.unwrap());
        assert!(!sessions::revoke_token(&store, &revoked, "admin").await.unwrap(), "already revoked");
        assert!(!sessions::revoke_token(&store, "no-such-token", "admin").await.unwrap());
        assert_eq!(sessions::token_account(&store, "t2", before_june).await.unwrap(), None);
        assert_eq!(sessions::token_account(&store, "unknown", before_june).await.unwrap(), None);
        assert!(all_events(&store).await.contains("account.token_revoked"));
        let missing = sessions::create_token(&store, "no-such-account", "t3", "x", None, "admin").await;
        assert!(missing.is_err());
        assert_eq!(audit::verify(&store).await.unwrap(), Verdict::Intact { events: 4 });
    }
}

fn at(minutes: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-01T08:00:00Z").unwrap().with_timezone(&Utc) + Duration::minutes(minutes)
}

async fn fail_at(store: &Store, username: &str, minutes: &[i64]) {
    for &m in minutes {
        sessions::record_failure(store, username, at(m)).await.unwrap();
    }
}

#[tokio::test]
async fn the_fifth_failure_within_15_minutes_locks_for_15_minutes_from_it() {
    for (store, _dir) in stores().await {
        fail_at(&store, "zhang", &[0, 1, 2, 3]).await;
        assert_eq!(sessions::locked_until(&store, "zhang", at(3)).await.unwrap(), None, "four failures");
        fail_at(&store, "zhang", &[10]).await;
        assert_eq!(sessions::locked_until(&store, "zhang", at(10)).await.unwrap(), Some(at(25)));
        let just_before = at(25) - Duration::microseconds(1);
        assert_eq!(sessions::locked_until(&store, "zhang", just_before).await.unwrap(), Some(at(25)));
        assert_eq!(sessions::locked_until(&store, "zhang", at(25)).await.unwrap(), None, "lifted");
        // Other names are not affected.
        assert_eq!(sessions::locked_until(&store, "wang", at(10)).await.unwrap(), None);
    }
}

#[tokio::test]
async fn failures_spread_over_more_than_15_minutes_do_not_lock() {
    for (store, _dir) in stores().await {
        fail_at(&store, "zhang", &[0, 4, 8, 12, 16]).await;
        assert_eq!(sessions::locked_until(&store, "zhang", at(16)).await.unwrap(), None);
        // Exactly 15 minutes apart still counts as within.
        fail_at(&store, "zhang", &[19]).await;
        assert_eq!(sessions::locked_until(&store, "zhang", at(19)).await.unwrap(), Some(at(34)));
    }
}

#[tokio::test]
async fn failures_count_under_the_normalised_name_and_a_success_clears_them() {
    for (store, _dir) in stores().await {
        fail_at(&store, "Zhang", &[0, 1]).await;
        fail_at(&store, " zhang ", &[2, 3]).await;
        fail_at(&store, "ZHANG", &[4]).await;
        assert_eq!(sessions::locked_until(&store, "zhang", at(5)).await.unwrap(), Some(at(19)));
        sessions::clear_failures(&store, "zhang").await.unwrap();
        assert_eq!(sessions::locked_until(&store, "zhang", at(5)).await.unwrap(), None);
        // A name that is not a valid username is throttled all the same.
        fail_at(&store, "no such user!", &[0, 1, 2, 3, 4]).await;
        assert_eq!(sessions::locked_until(&store, "no such user!", at(5)).await.unwrap(), Some(at(19)));
    }
}
