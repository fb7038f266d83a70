//! Test support: a throwaway PostgreSQL, a person builder and the standard office.
//!
//! - **PostgreSQL.** Every storage test runs on both SQLite and PostgreSQL (DESIGN.md), so tests
//!   need a PostgreSQL they may fill and throw away. [`shared`] starts one server per test process
//!   from Debian's `postgresql` package, and each test creates its own database in it. Where
//!   PostgreSQL is not installed the tests print one loud line and pass, except under `CI=true`,
//!   where they fail. If `YUANZHU_TEST_PG_URL` is set, that server is used and nothing is started.
//! - **Persons.** [`person::PersonBuilder`] names what a positional CSV line left to its column's
//!   place: `PersonBuilder::new().serial(11).name("陈甲").residence_unit(STREET).minimum_living_allowance(true)`.
//!   Its ID number is valid by construction (check character from `yuanzhu_rules::synthetic`).
//!   It writes a row under [`person::REGISTRATION_HEADER`] (`csv_row`), a whole file with any
//!   other columns (`person::csv`), or the JSON body of `POST /api/v1/persons` (`json`).
//! - **The office.** [`office`] names the units the tests work in ([`office::COMMUNITY`] in
//!   [`office::STREET`] in [`office::DISTRICT`], and a neighbouring street) and
//!   [`office::Office::STANDARD`], one post per role: `city_admin`, `district_supervisor`,
//!   `street_officer`, `caseworker`, `hotline`, `social_worker`, `auditor`, and a `stranger`
//!   (a caseworker of the other street). The server tests' `TestApp::office()`
//!   (`crates/web/tests/common`) creates them on each engine and signs them in, returning an
//!   `Office<Client>`; this crate cannot, because the password hash and sign-in are the web
//!   crate's, and that crate depends on this one.
//!
//! ```no_run
//! // Where PostgreSQL is not installed this prints one loud line and the test passes.
//! let Some(pg) = yuanzhu_test_support::shared() else { return };
//! let url = pg.create_database("applicant_is_saved_with_its_audit_event");
//! // ... connect to `url` with sqlx and run the test ...
//! ```

mod cluster;
pub mod office;
pub mod person;
mod url;

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, Once, OnceLock, PoisonError};

use cluster::Cluster;

/// The environment variable naming a server to use instead of starting one. Its URL must point
/// at a database on a server where the tests may create (and drop) databases.
pub const URL_ENV: &str = "YUANZHU_TEST_PG_URL";

/// A PostgreSQL server for tests: either one this process started in a temp directory, or the
/// server named by [`URL_ENV`].
///
/// A server started by [`TempPg::start`] stops, and its directory is removed, when the value is
/// dropped, or at the latest a second after the test process ends (see [`shared`]).
#[derive(Debug)]
pub struct TempPg {
    server: Server,
    psql: PathBuf,
    /// Databases created by this process, so that two tests cannot share one by accident.
    created: Mutex<HashSet<String>>,
}

#[derive(Debug)]
enum Server {
    Owned(Cluster),
    External(String),
}

/// The server shared by all tests of this process, started on first use.
///
/// Returns `None`, after printing one loud line, where PostgreSQL is not installed and
/// [`URL_ENV`] is not set. Panics if PostgreSQL is installed but does not start (a broken
/// installation must fail the tests, not skip them), and where it is missing under `CI=true`.
///
/// Statics are never dropped, so the server cannot be stopped by `Drop`. A watchdog shell,
/// started with the server in its own process group, polls the test process once a second; when
/// the process is gone (finished, panicked, killed, or interrupted with Ctrl-C) it stops the
/// server and removes its directory.
pub fn shared() -> Option<&'static TempPg> {
    static SHARED: OnceLock<Option<TempPg>> = OnceLock::new();
    SHARED.get_or_init(TempPg::start).as_ref()
}

/// Whether PostgreSQL tests can run here: [`URL_ENV`] is set, or Debian's PostgreSQL server is
/// installed. Starts nothing.
pub fn is_available() -> bool {
    external_url().is_some() || cluster::highest_bin_dir_with(cluster::DEBIAN_ROOT.as_ref(), "initdb").is_some()
}

impl TempPg {
    /// Starts a private server (or connects to [`URL_ENV`]). Most tests want [`shared`] instead:
    /// starting a server takes about a second.
    ///
    /// Returns `None`, after printing one loud line, where PostgreSQL is not installed.
    pub fn start() -> Option<TempPg> {
        if let Some(url) = external_url() {
            assert!(
                url.starts_with("postgres://") || url.starts_with("postgresql://"),
                "{URL_ENV} must be a postgres:// URL, not {url:?}"
            );
            let pg = TempPg::new(Server::External(url), find_psql());
            pg.psql(&pg.url(), "select 1");
            return Some(pg);
        }
        let Some(bin) = cluster::highest_bin_dir_with(cluster::DEBIAN_ROOT.as_ref(), "initdb") else {
            assert!(!required(std::env::var("CI").ok().as_deref()), "{}", missing_in_ci());
            announce_skip();
            return None;
        };
        let cluster = Cluster::start(&bin).unwrap_or_else(|why| panic!("{why}"));
        Some(TempPg::new(Server::Owned(cluster), bin.join("psql")))
    }

    fn new(server: Server, psql: PathBuf) -> TempPg {
        TempPg { server, psql, created: Mutex::default() }
    }

    /// The URL of the server's maintenance database (`postgres`), or [`URL_ENV`] as given.
    pub fn url(&self) -> String {
        match &self.server {
            Server::Owned(_) => self.database_url("postgres"),
            Server::External(url) => url.clone(),
        }
    }

    /// The URL of database `db` on this server, for example
    /// `postgres://postgres@localhost/db?host=/tmp/yuanzhu-pg-AbC123`.
    pub fn database_url(&self, db: &str) -> String {
        match &self.server {
            Server::Owned(cluster) => url::socket_url(db, cluster.socket_dir()),
            Server::External(url) => url::with_database(url, db),
        }
    }

    /// The directory holding the server's socket, or `None` for a server named by [`URL_ENV`].
    pub fn socket_dir(&self) -> Option<&Path> {
        match &self.server {
            Server::Owned(cluster) => Some(cluster.socket_dir()),
            Server::External(_) => None,
        }
    }

    /// Creates an empty database and returns its URL. Name it after the test, so that each test
    /// has its own.
    ///
    /// Panics if the name is not a plain lowercase identifier of at most 63 bytes (longer names
    /// PostgreSQL would silently cut), or if this process created it before. On a server named
    /// by [`URL_ENV`] a database of that name left over from an earlier run is dropped first.
    pub fn create_database(&self, name: &str) -> String {
        if let Err(why) = url::check_database_name(name) {
            panic!("{why}");
        }
        let first_time = self.created.lock().unwrap_or_else(PoisonError::into_inner).insert(name.to_owned());
        assert!(first_time, "database {name:?} was already created by this test process; give each test its own");
        let mut commands = Vec::new();
        if let Server::External(_) = self.server {
            commands.push(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
        }
        commands.push(format!("CREATE DATABASE \"{name}\""));
        if let Err(why) = self.run_psql(&self.url(), &commands) {
            panic!("could not create database {name:?}: {why}");
        }
        self.database_url(name)
    }

    /// Runs SQL with `psql` against `url` and returns what it printed: unaligned, without
    /// headers, the trailing newline removed. Panics if psql fails.
    pub fn psql(&self, url: &str, sql: &str) -> String {
        self.run_psql(url, &[sql]).unwrap_or_else(|why| panic!("{why}"))
    }

    /// Each command goes in its own `-c`, so it runs in its own transaction: `CREATE DATABASE`
    /// refuses to run inside one.
    fn run_psql(&self, url: &str, commands: &[impl AsRef<str>]) -> Result<String, String> {
        let mut psql = Command::new(&self.psql);
        psql.args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url]).stdin(Stdio::null());
        for command in commands {
            psql.arg("-c").arg(command.as_ref());
        }
        let output = psql.output().map_err(|e| format!("could not run {}: {e}", self.psql.display()))?;
        if !output.status.success() {
            return Err(format!(
                "psql {} failed ({}): {}",
                url,
                output.status,
                String::from_utf8_lossy(&output.stderr).trim_end()
            ));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        Ok(stdout.strip_suffix('\n').unwrap_or(&stdout).to_owned())
    }
}

fn external_url() -> Option<String> {
    std::env::var(URL_ENV).ok().filter(|url| !url.is_empty())
}

/// psql for a server named by [`URL_ENV`]: Debian's newest, else whichever is on `PATH`.
fn find_psql() -> PathBuf {
    cluster::highest_bin_dir_with(cluster::DEBIAN_ROOT.as_ref(), "psql")
        .map_or_else(|| PathBuf::from("psql"), |bin| bin.join("psql"))
}

/// Whether PostgreSQL must be there: on CI (`CI=true`, as GitHub Actions, GitLab and our own
/// `.ci/run` set it), where a skipped half of the suite would pass unnoticed.
fn required(ci: Option<&str>) -> bool {
    ci.is_some_and(|v| !v.is_empty() && !v.eq_ignore_ascii_case("false") && v != "0")
}

fn missing_in_ci() -> String {
    format!(
        "PostgreSQL is not installed and {URL_ENV} is not set, but CI is set: on CI the PostgreSQL tests \
         must run (install the postgresql package, or set {URL_ENV})"
    )
}

/// Written straight to the process's stderr: libtest captures `eprintln!` of passing tests, and
/// a skip nobody sees is worse than no test.
fn announce_skip() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "=== PostgreSQL not installed: PostgreSQL tests SKIPPED \
             (install the postgresql package, or set {URL_ENV}) ==="
        );
    });
}

#[cfg(test)]
mod ci_tests {
    use super::required;

    #[test]
    fn on_ci_postgresql_is_required_and_elsewhere_it_may_be_skipped() {
        for ci in ["true", "1", "yes", "TRUE"] {
            assert!(required(Some(ci)), "{ci}");
        }
        for ci in [None, Some(""), Some("false"), Some("0"), Some("False")] {
            assert!(!required(ci), "{ci:?}");
        }
    }
}
