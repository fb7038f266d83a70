//! The server's configuration: defaults, then a TOML file, then the environment and flags (the
//! command line merges those last two). Secrets never reach a log: `Debug` redacts them.

use std::fmt;
use std::path::Path;

/// How the server runs.
#[derive(Clone, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: String,
    /// The registry's database URL (may hold a password).
    pub db: String,
    /// Minutes without a request before a session ends.
    pub session_idle_minutes: i64,
    /// Hours after sign-in before a session ends regardless.
    pub session_absolute_hours: i64,
    /// Mark cookies `Secure`: set when the server sits behind TLS. A request that arrives with
    /// `X-Forwarded-Proto: https` gets `Secure` cookies in any case.
    pub secure_cookies: bool,
    /// Largest request body, in MiB (imports are the largest).
    pub max_body_mib: usize,
    /// `json` (structured logs, the default) or `text`.
    pub log_format: String,
    /// Seconds a supervisor's counts may be reused (0: never). A city's counts are one GROUP BY
    /// over every open recognition (about 0.7 s at 1M persons); a dashboard a minute old is fresh
    /// enough.
    pub dashboard_cache_seconds: u64,
    /// Seconds what a session cookie or API token stands for may be reused without asking the
    /// database (0: never). Changes made through another process take effect within it.
    pub auth_cache_seconds: u64,
    /// The bearer token a scraper of `/metrics` sends (`YUANZHU_METRICS_TOKEN` overrides it).
    /// Without it, `/metrics` answers only requests from the loopback interface that came through
    /// no proxy; everyone else gets 404.
    pub metrics_token: Option<String>,
    /// The city's time zone (an IANA name, `Asia/Shanghai` by default): the day that counts as
    /// today, and every time a page, an export or a printed form shows. Stored times stay UTC.
    pub time_zone: yuanzhu_storage::clock::Clock,
    /// The most data rows an import (CSV or xlsx, API or page) may have.
    pub import_max_rows: usize,
    /// The most MiB an xlsx import may unpack to: a small workbook can hold a huge sheet.
    pub import_max_unpacked_mib: u64,
    /// Seconds between two writings of the audit chain's head to the log and `/metrics` (0:
    /// never), so that copies of it live outside the database.
    pub audit_head_seconds: u64,
    /// The months after the start of a job at which follow-ups fall due (第十九条 跟踪回访).
    pub follow_up_months: Vec<u32>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".to_owned(),
            db: yuanzhu_storage::DEFAULT_URL.to_owned(),
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            secure_cookies: false,
            max_body_mib: 64,
            log_format: "json".to_owned(),
            dashboard_cache_seconds: 60,
            auth_cache_seconds: 5,
            metrics_token: None,
            time_zone: yuanzhu_storage::clock::Clock::default(),
            import_max_rows: 200_000,
            import_max_unpacked_mib: 256,
            audit_head_seconds: 60,
            follow_up_months: yuanzhu_domain::assistance::follow_up::DEFAULT_MONTHS.to_vec(),
        }
    }
}

impl Config {
    /// What an uploaded xlsx workbook may hold.
    pub fn xlsx_limits(&self) -> yuanzhu_domain::xlsx::XlsxLimits {
        yuanzhu_domain::xlsx::XlsxLimits {
            max_unpacked_bytes: self.import_max_unpacked_mib.saturating_mul(1024 * 1024),
            max_rows: self.import_max_rows,
        }
    }

    /// Reads a TOML file over the defaults, naming the file and the problem if it is wrong.
    pub fn from_file(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// A URL with its password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let Some((userinfo, host)) = rest.split_once('@') else { return url.to_owned() };
    match userinfo.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("db", &redact_url(&self.db))
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("session_absolute_hours", &self.session_absolute_hours)
            .field("secure_cookies", &self.secure_cookies)
            .field("max_body_mib", &self.max_body_mib)
            .field("log_format", &self.log_format)
            .field("dashboard_cache_seconds", &self.dashboard_cache_seconds)
            .field("auth_cache_seconds", &self.auth_cache_seconds)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .field("time_zone", &self.time_zone)
            .field("import_max_rows", &self.import_max_rows)
            .field("import_max_unpacked_mib", &self.import_max_unpacked_mib)
            .field("audit_head_seconds", &self.audit_head_seconds)
            .field("follow_up_months", &self.follow_up_months)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_database_password_or_the_metrics_token() {
        let c = Config {
            db: "postgres://yz:s3cret@db.example/yz".to_owned(),
            metrics_token: Some("scrape-s3cret".to_owned()),
            ..Config::default()
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret") && shown.contains("postgres://yz:***@db.example/yz"), "{shown}");
    }

    #[test]
    fn a_file_overrides_defaults_and_unknown_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("yz.toml");
        std::fs::write(&path, "listen = \"0.0.0.0:9000\"\nsession_idle_minutes = 10\n").unwrap();
        let c = Config::from_file(&path).unwrap();
        assert_eq!((c.listen.as_str(), c.session_idle_minutes, c.session_absolute_hours), ("0.0.0.0:9000", 10, 12));
        std::fs::write(&path, "lisen = \"x\"\n").unwrap();
        assert!(Config::from_file(&path).unwrap_err().contains("lisen"));
        assert_eq!(c.time_zone.zone(), "Asia/Shanghai");
        std::fs::write(&path, "time_zone = \"Asia/Urumqi\"\n").unwrap();
        assert_eq!(Config::from_file(&path).unwrap().time_zone.zone(), "Asia/Urumqi");
        std::fs::write(&path, "time_zone = \"Guangzhou\"\n").unwrap();
        let e = Config::from_file(&path).unwrap_err();
        assert!(e.contains("time_zone") && e.contains("Guangzhou"), "{e}");
    }
}
