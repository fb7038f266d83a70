//! Signed checkpoints of the audit chain. The chain's head lives in the same database as the
//! events, so whoever can write to the database can rewrite an event and every hash after it. A
//! checkpoint is the head (event number and hash) at a moment, signed with an ed25519 key that
//! never touches the database server; kept elsewhere, it proves later that the chain still holds
//! that event with that hash, which no rewrite can fake without the key.
//!
//! Files are small and plain, so that an operator can read and archive them:
//! - the signing key: `secret-key: <64 hex digits>` (the ed25519 seed), with a comment line;
//! - its public key: `public-key: <64 hex digits>`;
//! - a checkpoint: one JSON object, `{"format", "seq", "hash", "at", "public_key", "signature"}`,
//!   the signature over `yuanzhu-audit-checkpoint/1`, the number, the hash and the time, one per
//!   line.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use crate::audit::Head;

/// The version of the checkpoint format, the first line of what is signed.
const FORMAT: &str = "yuanzhu-audit-checkpoint/1";

/// A checkpoint: the head of the chain at a moment, signed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    pub format: String,
    pub seq: i64,
    pub hash: String,
    /// When it was made (UTC, ISO 8601).
    pub at: String,
    /// The key that signed it, to tell checkpoints of several keys apart.
    pub public_key: String,
    pub signature: String,
}

/// What is wrong with a key or a checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("not a key file: expected a line `{0}: ` and 64 hexadecimal digits")]
    NotAKey(&'static str),
    #[error("not a checkpoint file: {0}")]
    NotACheckpoint(String),
    #[error("the checkpoint was signed by another key ({0}), not this one")]
    OtherKey(String),
    #[error("the checkpoint's signature does not match its contents: it was altered or forged")]
    BadSignature,
}

/// A new signing key, from the operating system's random source.
pub fn generate_key() -> SigningKey {
    SigningKey::generate(&mut rand_core::OsRng)
}

/// The signing key's file.
pub fn secret_key_file(key: &SigningKey) -> String {
    format!(
        "# Yuanzhu audit signing key (ed25519). Keep it off the database server: whoever holds it can sign checkpoints.\n\
         secret-key: {}\n",
        hex(key.as_bytes())
    )
}

/// The public key's file: what checks a checkpoint.
pub fn public_key_file(key: &VerifyingKey) -> String {
    format!("# Yuanzhu audit public key (ed25519): checks checkpoints.\npublic-key: {}\n", hex(key.as_bytes()))
}

pub fn read_secret_key(text: &str) -> Result<SigningKey, SealError> {
    Ok(SigningKey::from_bytes(&key_bytes(text, "secret-key")?))
}

pub fn read_public_key(text: &str) -> Result<VerifyingKey, SealError> {
    VerifyingKey::from_bytes(&key_bytes(text, "public-key")?).map_err(|_| SealError::NotAKey("public-key"))
}

fn key_bytes(text: &str, label: &'static str) -> Result<[u8; 32], SealError> {
    let value = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix(label).and_then(|rest| rest.strip_prefix(':')))
        .map(str::trim)
        .next()
        .ok_or(SealError::NotAKey(label))?;
    unhex(value).and_then(|b| <[u8; 32]>::try_from(b).ok()).ok_or(SealError::NotAKey(label))
}

fn message(seq: i64, hash: &str, at: &str) -> String {
    format!("{FORMAT}\n{seq}\n{hash}\n{at}\n")
}

/// Signs the head as of `at`.
pub fn sign(key: &SigningKey, head: &Head, at: &str) -> Checkpoint {
    let signature = key.sign(message(head.seq, &head.hash, at).as_bytes());
    Checkpoint {
        format: FORMAT.to_owned(),
        seq: head.seq,
        hash: head.hash.clone(),
        at: at.to_owned(),
        public_key: hex(key.verifying_key().as_bytes()),
        signature: hex(&signature.to_bytes()),
    }
}

/// Reads a checkpoint file.
pub fn read_checkpoint(text: &str) -> Result<Checkpoint, SealError> {
    let c: Checkpoint = serde_json::from_str(text).map_err(|e| SealError::NotACheckpoint(e.to_string()))?;
    if c.format != FORMAT {
        return Err(SealError::NotACheckpoint(format!("format `{}`, expected `{FORMAT}`", c.format)));
    }
    Ok(c)
}

/// The head a checkpoint vouches for, if `key` signed it as it stands.
pub fn open(checkpoint: &Checkpoint, key: &VerifyingKey) -> Result<Head, SealError> {
    if !checkpoint.public_key.eq_ignore_ascii_case(&hex(key.as_bytes())) {
        return Err(SealError::OtherKey(checkpoint.public_key.clone()));
    }
    let signature = unhex(&checkpoint.signature)
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b))
        .ok_or(SealError::BadSignature)?;
    key.verify(message(checkpoint.seq, &checkpoint.hash, &checkpoint.at).as_bytes(), &signature)
        .map_err(|_| SealError::BadSignature)?;
    Ok(Head { seq: checkpoint.seq, hash: checkpoint.hash.clone() })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> Head {
        Head { seq: 42, hash: "ab".repeat(32) }
    }

    #[test]
    fn a_checkpoint_opens_with_its_key_and_with_no_other() {
        let key = generate_key();
        let secret = read_secret_key(&secret_key_file(&key)).unwrap();
        let public = read_public_key(&public_key_file(&key.verifying_key())).unwrap();
        let checkpoint = sign(&secret, &head(), "2026-12-07T10:00:00Z");
        let text = serde_json::to_string(&checkpoint).unwrap();
        assert_eq!(open(&read_checkpoint(&text).unwrap(), &public), Ok(head()));
        let other = generate_key().verifying_key();
        assert!(matches!(open(&checkpoint, &other), Err(SealError::OtherKey(_))));
    }

    #[test]
    fn an_altered_checkpoint_does_not_open() {
        let key = generate_key();
        let mut checkpoint = sign(&key, &head(), "2026-12-07T10:00:00Z");
        checkpoint.seq = 41;
        assert_eq!(open(&checkpoint, &key.verifying_key()), Err(SealError::BadSignature));
        let mut checkpoint = sign(&key, &head(), "2026-12-07T10:00:00Z");
        checkpoint.hash = "cd".repeat(32);
        assert_eq!(open(&checkpoint, &key.verifying_key()), Err(SealError::BadSignature));
    }

    #[test]
    fn files_that_are_not_keys_are_refused() {
        assert_eq!(read_secret_key("secret-key: 12").unwrap_err(), SealError::NotAKey("secret-key"));
        assert!(read_public_key(&secret_key_file(&generate_key())).is_err(), "a secret key is not a public one");
        assert!(read_checkpoint("{}").is_err());
    }
}
