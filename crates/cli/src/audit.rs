//! `yuanzhu audit …`: checking the audit chain, and keeping its head outside the database.
//! Wiring only: the chain is checked by the store, checkpoints are signed and opened by
//! `yuanzhu_storage::seal`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use yuanzhu_storage::audit::{self, Head, Verdict};
use yuanzhu_storage::seal;

use crate::registry::fail;

/// What to check the chain against besides itself.
#[derive(Debug, Default)]
pub struct Expected {
    /// `SEQ:HASH`, as an earlier `audit verify` printed it.
    pub head: Option<String>,
    /// A signed checkpoint and the public key to open it with.
    pub checkpoint: Option<(PathBuf, PathBuf)>,
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Exit 0 when the chain is intact (and holds what was expected), 1 when not, 2 when the command
/// cannot tell (unreadable files, no database).
pub async fn verify(url: &str, expected: Expected) -> ExitCode {
    let head = match expected.head.as_deref().map(str::parse::<Head>).transpose() {
        Ok(head) => head,
        Err(e) => return crate::usage_error(format!("--expect-head: {e}")),
    };
    let checkpoint = match &expected.checkpoint {
        None => None,
        Some((file, key)) => {
            let opened = read(key)
                .and_then(|k| seal::read_public_key(&k).map_err(|e| format!("{}: {e}", key.display())))
                .and_then(|key| {
                    let text = read(file)?;
                    let c = seal::read_checkpoint(&text).map_err(|e| format!("{}: {e}", file.display()))?;
                    Ok((c, key))
                });
            let (checkpoint, key) = match opened {
                Ok(both) => both,
                Err(e) => return fail(e),
            };
            match seal::open(&checkpoint, &key) {
                Ok(head) => Some((head, checkpoint.at)),
                Err(e) => {
                    println!("audit checkpoint {} refused: {e}", file.display());
                    return ExitCode::from(1);
                }
            }
        }
    };
    let outcome = async {
        let store = crate::connect(url).await?;
        let mut results = vec![audit::verify_with_head(&store).await?];
        for expected in head.iter().chain(checkpoint.as_ref().map(|(h, _)| h)) {
            results.push((audit::verify_against(&store, expected).await?, expected.clone()));
        }
        store.close().await;
        Ok::<_, yuanzhu_storage::StoreError>(results)
    }
    .await;
    let results = match outcome {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    let (verdict, reached) = &results[0];
    if let Verdict::Broken { seq, reason } = verdict {
        println!("audit chain broken at event {seq}: {reason}");
        return ExitCode::from(1);
    }
    println!("audit chain intact: {} events", reached.seq);
    println!("head: {reached}");
    let mut all_held = true;
    for (i, (verdict, expected)) in results.iter().enumerate().skip(1) {
        let what = match (&head, &checkpoint) {
            (Some(_), _) if i == 1 => "the expected head".to_owned(),
            (_, Some((_, at))) => format!("the checkpoint of {at}"),
            _ => unreachable!("one result per expectation"),
        };
        match verdict {
            Verdict::Intact { .. } => println!("holds {what}: event {}", expected),
            Verdict::Broken { reason, .. } => {
                println!("does not hold {what} ({expected}): {reason}");
                all_held = false;
            }
        }
    }
    if all_held { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// Writes a new signing key to `out` (readable by its owner only) and its public key to
/// `out.pub`; never over an existing file.
pub fn keygen(out: &Path) -> ExitCode {
    let public = public_path(out);
    for path in [out, public.as_path()] {
        if path.exists() {
            return fail(format!(
                "{} exists: a key is never overwritten; remove it or choose another name",
                path.display()
            ));
        }
    }
    let key = seal::generate_key();
    if let Err(e) = write_new(out, seal::secret_key_file(&key).as_bytes(), true)
        .and_then(|()| write_new(&public, seal::public_key_file(&key.verifying_key()).as_bytes(), false))
    {
        return fail(e);
    }
    println!("signing key: {} (keep it off the database server, readable by you only)", out.display());
    println!("public key:  {} (checks checkpoints: keep a copy with them)", public.display());
    ExitCode::SUCCESS
}

fn public_path(key: &Path) -> PathBuf {
    let mut name = key.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Creates `path` (failing if it exists) with `bytes`; only its owner may read a secret.
fn write_new(path: &Path, bytes: &[u8], secret: bool) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file = options.open(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(bytes).and_then(|()| file.sync_all()).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Checks the chain, signs its head with the key and writes the checkpoint into `dir`.
pub async fn checkpoint(url: &str, key: &Path, dir: &Path) -> ExitCode {
    let key = match read(key).and_then(|k| seal::read_secret_key(&k).map_err(|e| format!("{}: {e}", key.display()))) {
        Ok(key) => key,
        Err(e) => return fail(e),
    };
    let checked = async {
        let store = crate::connect(url).await?;
        let checked = audit::verify_with_head(&store).await;
        store.close().await;
        checked
    }
    .await;
    let head = match checked {
        Ok((Verdict::Intact { .. }, head)) => head,
        Ok((Verdict::Broken { seq, reason }, _)) => {
            println!("audit chain broken at event {seq}: {reason}; no checkpoint is signed for a broken chain");
            return ExitCode::from(1);
        }
        Err(e) => return fail(e),
    };
    let now = chrono::Utc::now();
    let signed = seal::sign(&key, &head, &now.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    let path = dir.join(format!("audit-checkpoint-{}-{}.json", head.seq, now.format("%Y%m%dT%H%M%SZ")));
    let text = serde_json::to_string_pretty(&signed).expect("a checkpoint serialises") + "\n";
    if let Err(e) = write_new(&path, text.as_bytes(), false) {
        return fail(e);
    }
    println!("checkpoint: {} (head {head})", path.display());
    ExitCode::SUCCESS
}
