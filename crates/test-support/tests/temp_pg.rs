//! The throwaway PostgreSQL, run for real. Where PostgreSQL is not installed these tests pass
//! after one loud line on stderr, like every PostgreSQL test.

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use yuanzhu_test_support::{TempPg, URL_ENV, is_available, shared};

#[test]
fn each_test_gets_a_fresh_database_that_answers() {
    let Some(pg) = shared() else { return };
    let first = pg.create_database("each_test_gets_a_fresh_database_1");
    let second = pg.create_database("each_test_gets_a_fresh_database_2");
    assert_ne!(first, second);
    assert_eq!(pg.psql(&first, "select 1"), "1");
    assert_eq!(pg.psql(&second, "select current_database()"), "each_test_gets_a_fresh_database_2");
    assert_eq!(
        pg.psql(&second, "select count(*) from pg_class where relkind = 'r' and relnamespace = 'public'::regnamespace"),
        "0"
    );
}

#[test]
fn tables_in_one_test_database_are_invisible_in_another() {
    let Some(pg) = shared() else { return };
    let mine = pg.create_database("tables_are_invisible_mine");
    let theirs = pg.create_database("tables_are_invisible_theirs");
    pg.psql(&mine, "create table applicant (id text primary key)");
    assert_eq!(pg.psql(&theirs, "select to_regclass('applicant') is null"), "t");
}

#[test]
fn a_database_name_used_twice_in_one_process_is_refused() {
    let Some(pg) = shared() else { return };
    pg.create_database("used_twice");
    let second = catch_unwind(AssertUnwindSafe(|| pg.create_database("used_twice")));
    assert!(second.is_err(), "the second create_database(\"used_twice\") succeeded");
}

#[test]
fn urls_name_the_socket_directory_of_a_started_server() {
    let Some(pg) = shared() else { return };
    let Some(dir) = pg.socket_dir() else { return }; // a server named by YUANZHU_TEST_PG_URL
    let dir = dir.to_str().unwrap();
    assert!(dir.starts_with('/'), "{dir}");
    assert_eq!(pg.url(), format!("postgres://postgres@localhost/postgres?host={dir}"));
    assert_eq!(pg.database_url("case_7"), format!("postgres://postgres@localhost/case_7?host={dir}"));
    assert!(Path::new(dir).join(".s.PGSQL.5432").exists());
}

#[test]
fn a_started_server_listens_on_no_tcp_port_and_skips_durability() {
    let Some(pg) = shared() else { return };
    if pg.socket_dir().is_none() {
        return;
    }
    let show = |setting: &str| pg.psql(&pg.url(), &format!("show {setting}"));
    assert_eq!(show("listen_addresses"), "");
    assert_eq!(show("fsync"), "off");
    assert_eq!(show("synchronous_commit"), "off");
    assert_eq!(show("full_page_writes"), "off");
    assert_eq!(show("server_encoding"), "UTF8");
    assert_eq!(pg.psql(&pg.url(), "select upper('ä') = 'Ä'"), "t");
}

#[test]
fn dropping_a_private_server_stops_it_and_removes_its_directory() {
    if std::env::var_os(URL_ENV).is_some() {
        return;
    }
    let Some(pg) = TempPg::start() else { return };
    let dir = pg.socket_dir().unwrap().to_path_buf();
    let postmaster = postmaster_pid(&dir);
    assert_eq!(pg.psql(&pg.url(), "select 1"), "1");
    drop(pg);
    assert!(!dir.exists(), "{} is still there", dir.display());
    assert!(!is_running(postmaster), "postmaster {postmaster} still runs");
}

#[test]
fn a_server_outlives_no_test_process_even_one_that_never_drops_it() {
    if std::env::var_os(URL_ENV).is_some() || !is_available() {
        return;
    }
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "child_starts_the_shared_server_and_exits", "--nocapture"])
        .env(CHILD_ENV, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&child.stdout);
    let line = stdout.lines().find_map(|line| line.strip_prefix("SOCKET_DIR="));
    let dir = PathBuf::from(line.unwrap_or_else(|| panic!("child printed no SOCKET_DIR:\n{stdout}")));
    let postmaster =
        stdout.lines().find_map(|line| line.strip_prefix("POSTMASTER=")).and_then(|pid| pid.parse().ok()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while (dir.exists() || is_running(postmaster)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!dir.exists(), "the watchdog left {}", dir.display());
    assert!(!is_running(postmaster), "the watchdog left postmaster {postmaster} running");
}

const CHILD_ENV: &str = "YUANZHU_TEST_SUPPORT_CHILD";

/// Half of the test above, run in a child process: starts the shared server, says where, and
/// exits without dropping anything.
#[test]
#[ignore = "run by a_server_outlives_no_test_process_even_one_that_never_drops_it"]
fn child_starts_the_shared_server_and_exits() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let pg = shared().unwrap();
    let dir = pg.socket_dir().unwrap();
    let mut stdout = std::io::stdout();
    writeln!(stdout, "SOCKET_DIR={}", dir.display()).unwrap();
    writeln!(stdout, "POSTMASTER={}", postmaster_pid(dir)).unwrap();
    stdout.flush().unwrap();
    std::process::exit(0);
}

/// The first line of `postmaster.pid`.
fn postmaster_pid(dir: &Path) -> u32 {
    let pid_file = std::fs::read_to_string(dir.join("data/postmaster.pid")).unwrap();
    pid_file.lines().next().unwrap().trim().parse().unwrap()
}

/// Running, as opposed to gone or a zombie: an orphaned postmaster is reaped by PID 1, which in
/// a container may never do it.
fn is_running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')))
}
