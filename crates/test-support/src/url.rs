//! Connection URLs and database names, without a URL crate.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// `postgres://postgres@localhost/DB?host=DIR`: libpq and sqlx both read `host=` with a path as
/// the directory of a Unix socket; `localhost` is only there to make a well-formed URL.
pub(crate) fn socket_url(db: &str, socket_dir: &Path) -> String {
    format!("postgres://postgres@localhost/{db}?host={}", percent_encode(socket_dir.as_os_str().as_bytes()))
}

/// `url` with its database (the path) replaced by `db`; user, password, host, port and query
/// are kept.
pub(crate) fn with_database(url: &str, db: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let query = tail.find(['?', '#']).map_or("", |at| &tail[at..]);
    format!("{scheme}://{authority}/{db}{query}")
}

/// Names go into SQL and URLs unquoted-safe, and PostgreSQL silently cuts identifiers longer
/// than 63 bytes: the database would then not be the one the URL names.
pub(crate) fn check_database_name(name: &str) -> Result<(), String> {
    let plain = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !plain {
        return Err(format!(
            "database name {name:?}: use lowercase letters, digits and _, starting with a letter \
             (a test's name will do)"
        ));
    }
    if name.len() > 63 {
        return Err(format!("database name {name:?} is {} bytes; PostgreSQL would cut it to 63", name.len()));
    }
    if ["postgres", "template0", "template1"].contains(&name) {
        return Err(format!("database name {name:?} belongs to PostgreSQL itself"));
    }
    Ok(())
}

fn percent_encode(bytes: &[u8]) -> String {
    let mut encoded = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_url_names_the_database_and_the_socket_directory() {
        assert_eq!(
            socket_url("case_42", Path::new("/tmp/yuanzhu-pg-AbC123")),
            "postgres://postgres@localhost/case_42?host=/tmp/yuanzhu-pg-AbC123"
        );
    }

    #[test]
    fn socket_url_escapes_a_directory_with_unusual_characters() {
        assert_eq!(socket_url("d", Path::new("/tmp/a b&c")), "postgres://postgres@localhost/d?host=/tmp/a%20b%26c");
    }

    #[test]
    fn with_database_keeps_credentials_port_and_query() {
        assert_eq!(
            with_database("postgres://u:p@db.example:6543/ci?sslmode=disable", "case_1"),
            "postgres://u:p@db.example:6543/case_1?sslmode=disable"
        );
        assert_eq!(with_database("postgresql://u@h/", "x"), "postgresql://u@h/x");
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
        assert_eq!(with_database("postgres://u@h?host=/s", "x"), "postgres://u@h/x?host=/s");
    }

    #[test]
    fn test_names_are_accepted_as_database_names() {
        assert_eq!(check_database_name("male_reaches_older_category_on_40th_birthday"), Ok(()));
        assert_eq!(check_database_name("_x1"), Ok(()));
    }

    #[test]
    fn names_that_need_quoting_are_refused() {
        for name in ["", "Case", "1st", "a-b", "a b", "a\"b", "é"] {
            assert!(check_database_name(name).is_err(), "{name:?} was accepted");
        }
    }

    #[test]
    fn names_postgres_would_cut_are_refused() {
        assert_eq!(check_database_name(&"a".repeat(63)), Ok(()));
        assert!(check_database_name(&"a".repeat(64)).is_err());
    }

    #[test]
    fn postgres_own_databases_are_refused() {
        for name in ["postgres", "template0", "template1"] {
            assert!(check_database_name(name).is_err(), "{name:?} was accepted");
        }
    }
}
