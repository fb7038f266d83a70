//! A PostgreSQL cluster in a temp directory, from Debian's binaries.
//!
//! Layout of the directory: `data/` (the cluster), `server.log`, and the server's socket
//! `.s.PGSQL.5432`. The server listens on no TCP port, so it never collides with another
//! server, such as the `main` cluster Debian's package creates on port 5432.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tempfile::TempDir;

/// Where Debian's `postgresql-NN` packages put their binaries: `/usr/lib/postgresql/NN/bin`.
pub(crate) const DEBIAN_ROOT: &str = "/usr/lib/postgresql";

/// A Unix socket path holds at most 107 bytes; the server adds `/.s.PGSQL.NNNNN`.
const MAX_SOCKET_DIR_LEN: usize = 107 - "/.s.PGSQL.65535".len();

/// Tests start many connection pools at once; PostgreSQL's default of 100 runs out.
const SERVER_OPTIONS: &str = "-c listen_addresses='' -c fsync=off -c synchronous_commit=off \
                              -c full_page_writes=off -c max_connections=300";

/// The `bin` directory of the newest version under `root` that has `program`: a newer client
/// may be installed beside an older server.
pub(crate) fn highest_bin_dir_with(root: &Path, program: &str) -> Option<PathBuf> {
    std::fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = version(entry.file_name().to_str()?)?;
            let bin = entry.path().join("bin");
            bin.join(program).is_file().then_some((version, bin))
        })
        .max()
        .map(|(_, bin)| bin)
}

/// `"15"` → `[15]`, `"9.6"` → `[9, 6]`; anything else is not a version.
fn version(name: &str) -> Option<Vec<u32>> {
    name.split('.').map(|part| part.parse().ok()).collect()
}

#[derive(Debug)]
pub(crate) struct Cluster {
    bin: PathBuf,
    /// PostgreSQL refuses to run as root, so as root every server program runs as `postgres`.
    as_postgres: bool,
    dir: TempDir,
}

impl Cluster {
    /// Creates the cluster and starts the server; returns once it accepts connections.
    pub(crate) fn start(bin: &Path) -> Result<Cluster, String> {
        let dir = tempfile::Builder::new()
            .prefix("yuanzhu-pg-")
            .tempdir()
            .map_err(|e| format!("could not create a temp directory for PostgreSQL: {e}"))?;
        let cluster = Cluster { bin: bin.to_owned(), as_postgres: running_as_root(), dir };
        cluster.check_socket_dir_len()?;
        cluster.hand_dir_to_server_user()?;
        cluster.spawn_watchdog()?;
        cluster.initdb()?;
        cluster.start_server()?;
        Ok(cluster)
    }

    pub(crate) fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log_file(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    fn check_socket_dir_len(&self) -> Result<(), String> {
        let len = self.socket_dir().as_os_str().len();
        if len > MAX_SOCKET_DIR_LEN {
            return Err(format!(
                "PostgreSQL's socket would not fit in {} ({len} bytes, at most {MAX_SOCKET_DIR_LEN}): \
                 set TMPDIR to a shorter directory, such as /tmp",
                self.socket_dir().display()
            ));
        }
        Ok(())
    }

    /// The directory is readable by all, so a client running as any user can reach the socket;
    /// `data/` inside it is private to the server, as initdb requires.
    fn hand_dir_to_server_user(&self) -> Result<(), String> {
        let dir = self.socket_dir();
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| format!("could not open up {}: {e}", dir.display()))?;
        if self.as_postgres {
            run(Command::new("chown").arg("postgres:postgres").arg(dir))
                .map_err(|why| format!("{why}\n(is the postgresql package installed completely?)"))?;
        }
        Ok(())
    }

    /// Statics are never dropped, and a killed process drops nothing, so `Drop` alone would leave
    /// servers running. The watchdog is a shell that polls this process once a second; once the
    /// process is gone, it stops the server and removes the directory. Once `Drop` has removed
    /// the directory, the watchdog has nothing left to do and exits.
    ///
    /// It is started in a process group of its own, so the Ctrl-C that interrupts the tests does
    /// not reach it, and detached (`&` in a shell we wait for), so it is never a zombie of ours.
    fn spawn_watchdog(&self) -> Result<(), String> {
        const SCRIPT: &str = r#"(
            pid=$1 dir=$2; shift 2
            while kill -0 "$pid" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
            if [ -f "$dir/data/postmaster.pid" ]; then "$@" -D "$dir/data" stop -m immediate -w; fi
            rm -rf "$dir"
        ) </dev/null >/dev/null 2>&1 &"#;
        let pg_ctl = self.server_command("pg_ctl");
        let mut watchdog = Command::new("sh");
        watchdog
            .args(["-c", SCRIPT, "yuanzhu-pg-watchdog"])
            .arg(std::process::id().to_string())
            .arg(self.socket_dir())
            .arg(pg_ctl.get_program())
            .args(pg_ctl.get_args())
            .current_dir("/")
            .process_group(0);
        run(&mut watchdog)
    }

    fn initdb(&self) -> Result<(), String> {
        // C.UTF-8 is built into glibc, so it exists without locales installed, unlike the
        // machine's own locale; and it classifies non-ASCII characters, unlike plain C.
        run(self
            .server_command("initdb")
            .arg("-D")
            .arg(self.data_dir())
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"])
            // A throwaway cluster needs no fsync at the end of initdb.
            .arg("--no-sync"))
    }

    fn start_server(&self) -> Result<(), String> {
        // pg_ctl passes -o through a shell, hence the quotes around the directory.
        let options = format!("{SERVER_OPTIONS} -k '{}'", self.socket_dir().display());
        let mut pg_ctl = self.server_command("pg_ctl");
        pg_ctl
            .arg("-D")
            .arg(self.data_dir())
            .arg("-l")
            .arg(self.log_file())
            .args(["-w", "-t", "60", "-o", &options, "start"])
            // Like the watchdog: Ctrl-C must not take the server down behind the watchdog's back.
            .process_group(0);
        run(&mut pg_ctl).map_err(|why| {
            let log = std::fs::read_to_string(self.log_file()).unwrap_or_default();
            format!("{why}\nserver log:\n{log}")
        })
    }

    /// A server program, run as `postgres` if we are root.
    fn server_command(&self, program: &str) -> Command {
        let program = self.bin.join(program);
        let mut command = if self.as_postgres {
            let mut runuser = Command::new(runuser());
            runuser.args(["-u", "postgres", "--"]).arg(program);
            runuser
        } else {
            Command::new(program)
        };
        // The postgres user may not be allowed into the test's working directory.
        command.current_dir(self.socket_dir()).stdin(Stdio::null());
        command
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.data_dir().join("postmaster.pid").exists() {
            let mut pg_ctl = self.server_command("pg_ctl");
            pg_ctl.arg("-D").arg(self.data_dir()).args(["stop", "-m", "immediate", "-w"]);
            let _ = pg_ctl.stdout(Stdio::null()).stderr(Stdio::null()).status();
        }
        // The `dir` field, dropped next, removes the directory.
    }
}

/// Runs `command`; on failure, says what ran and what it printed.
fn run(command: &mut Command) -> Result<(), String> {
    let output =
        command.stdin(Stdio::null()).output().map_err(|e| format!("could not run {:?}: {e}", command.get_program()))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "{command:?} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    ))
}

/// `/proc/self` belongs to the process's effective user: no libc needed to ask.
fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|meta| meta.uid() == 0)
}

/// root's `PATH` has `/usr/sbin`, a test runner's may not.
fn runuser() -> PathBuf {
    ["/usr/sbin/runuser", "/sbin/runuser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from("runuser"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn install(root: &Path, version: &str, programs: &[&str]) {
        let bin = root.join(version).join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        for program in programs {
            std::fs::write(bin.join(program), "").unwrap();
        }
    }

    #[test]
    fn newest_installed_server_is_chosen_by_version_not_by_spelling() {
        let root = tempfile::tempdir().unwrap();
        install(root.path(), "9.6", &["initdb", "psql"]);
        install(root.path(), "15", &["initdb", "psql"]);
        install(root.path(), "16", &["psql"]);
        install(root.path(), "common", &["initdb"]);
        assert_eq!(highest_bin_dir_with(root.path(), "initdb"), Some(root.path().join("15/bin")));
        assert_eq!(highest_bin_dir_with(root.path(), "psql"), Some(root.path().join("16/bin")));
    }

    #[test]
    fn no_server_is_found_where_none_is_installed() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(highest_bin_dir_with(root.path(), "initdb"), None);
        assert_eq!(highest_bin_dir_with(&root.path().join("missing"), "initdb"), None);
    }
}
