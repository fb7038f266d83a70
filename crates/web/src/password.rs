//! Passwords (argon2id) and the secrets of sessions and tokens. Hashing is deliberately slow, so
//! it runs on the blocking pool, never on the threads that answer requests.

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 10;

/// Why a new password is refused, in both languages.
pub fn check_new(password: &str) -> Result<(), (String, String)> {
    let n = password.chars().count();
    if n < MIN_LENGTH {
        return Err((
            format!("密码至少需要{MIN_LENGTH}个字符，当前为{n}个"),
            format!("a password needs at least {MIN_LENGTH} characters, this one has {n}"),
        ));
    }
    if password.chars().all(|c| c == password.chars().next().unwrap_or(' ')) {
        return Err(("密码不能由同一个字符重复组成".to_owned(), "a password cannot repeat one character".to_owned()));
    }
    Ok(())
}

/// The PHC string of an argon2id hash of `password`.
pub async fn hash(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_now(&password)).await.expect("hashing does not panic")
}

pub fn hash_now(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 accepts any password").to_string()
}

/// Whether `password` matches `phc`. A malformed stored hash matches nothing.
pub async fn verify(phc: String, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
    })
    .await
    .expect("verifying does not panic")
}

/// A hash that matches no password, verified when the username is unknown so that the answer
/// takes as long as for a known one.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_now(&secret()))
}

/// A fresh random secret: 32 bytes from the operating system, as 64 hex digits.
pub fn secret() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A readable generated password for first-start and demo accounts: 16 characters without
/// look-alikes (0/O, 1/l/I).
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}

/// Equal-time comparison of two secrets.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_no_other() {
        let h = hash("correct horse battery".to_owned()).await;
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(h.clone(), "correct horse battery".to_owned()).await);
        assert!(!verify(h, "correct horse batterY".to_owned()).await);
        assert!(!verify("not a hash".to_owned(), "x".to_owned()).await);
    }

    #[test]
    fn short_or_monotonous_passwords_are_refused() {
        assert!(check_new("short").is_err());
        assert!(check_new("aaaaaaaaaaaa").is_err());
        assert!(check_new("长城长城长城长城长城").is_ok());
    }

    #[test]
    fn secrets_are_fresh_and_compare_in_equal_time() {
        let (a, b) = (secret(), secret());
        assert_ne!(a, b);
        assert!(same(&a, &a.clone()) && !same(&a, &b) && !same(&a, "short"));
        assert_eq!(generate().len(), 16);
    }
}
