//! The registry's commands: `db init`, `import`, `person show`, `demo`.
//! Wiring only: the domain reads files into registrations, the store records them.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use yuanzhu_domain::RowError;
use yuanzhu_domain::spreadsheet;
use yuanzhu_domain::xlsx::read_xlsx;
use yuanzhu_rules::{Lang, PolicySet};
use yuanzhu_storage::persons::{self, ImportSummary};
use yuanzhu_storage::{Store, StoreError, applications, revocations};
use yuanzhu_web::words::Describe;

use crate::{demo, pipeline};

/// Rows per transaction: a crash loses at most the batch in flight, never half of one.
const BATCH: usize = 10000;

/// Who the command line acts as in the audit trail.
pub fn actor() -> String {
    let user = std::env::var("USER").unwrap_or_else(|_| "unknown".to_owned());
    format!("cli:{user}")
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime starts")
}

pub fn fail(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("yuanzhu: {e}");
    ExitCode::from(2)
}

pub async fn init(url: &str) -> ExitCode {
    let result = async {
        let store = crate::connect(url).await?;
        let loaded = store.init().await?;
        store.close().await;
        Ok::<_, StoreError>(loaded)
    }
    .await;
    match result {
        Ok(l) => {
            println!("schema ready; units: {} added, {} already present", l.added, l.present);
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

pub async fn import(url: &str, file: &PathBuf, report: Option<&PathBuf>, lang: Lang, policies: &PolicySet) -> ExitCode {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => return fail(format!("cannot read {}: {e}", file.display())),
    };
    let today = crate::clock().today();
    let batches = if file.extension().is_some_and(|x| x.eq_ignore_ascii_case("xlsx")) {
        read_xlsx(&bytes, today, lang)
            .map_err(|e| e.to_string())
            .map(|rows| pipeline::in_batches(rows.into_iter(), BATCH))
    } else {
        pipeline::csv_batches(bytes, BATCH, today, lang).map_err(|e| e.to_string())
    };
    let batches = match batches {
        Ok(b) => b,
        Err(e) => return fail(format!("{}: {e}", file.display())),
    };
    // The schema is brought up to date (harmless when it is); the unit tree is `db init`'s job.
    let store = match crate::connect(url).await {
        Ok(s) => match s.migrate().await {
            Ok(()) => s,
            Err(e) => return fail(e),
        },
        Err(e) => return fail(e),
    };
    let units = match persons::unit_codes(&store).await {
        Ok(u) if !u.is_empty() => u,
        Ok(_) => return fail("the database has no unit tree: run `yuanzhu db init` first"),
        Err(e) => return fail(e),
    };
    let actor = actor();
    let mut shown = false;
    let imported = persons::import(&store, batches, &units, &actor, policies, lang, |s| {
        let done = s.persons_created + s.persons_updated + s.persons_unchanged + s.rejected.len() as u64;
        eprint!("\r{done} rows");
        shown = true;
    })
    .await;
    if shown {
        eprintln!();
    }
    let mut summary = match imported {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let flagged = match yuanzhu_storage::duplicates::flag_new(&store, &actor).await {
        Ok(flags) => flags.len(),
        Err(e) => return fail(e),
    };
    store.close().await;
    summary.rejected.sort_by_key(|e| e.row);
    if let Some(path) = report
        && let Err(e) = write_report(path, &summary.rejected)
    {
        return fail(format!("cannot write the report {}: {e}", path.display()));
    }
    println!(
        "persons: {} created, {} updated, {} unchanged; registrations: {}; automatic recognitions: {}; rows rejected: {}; possible duplicates flagged: {flagged}",
        summary.persons_created,
        summary.persons_updated,
        summary.persons_unchanged,
        summary.registrations_recorded,
        summary.recognitions_granted,
        summary.rejected.len()
    );
    for e in summary.rejected.iter().take(20) {
        eprintln!("row {}: {} {}: {}", e.row, e.field.as_deref().unwrap_or("-"), e.code, e.message);
    }
    if summary.rejected.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}

/// The rejected rows as a CSV file a spreadsheet opens safely (see [`spreadsheet`]).
fn write_report(path: &PathBuf, rejected: &[RowError]) -> Result<(), csv::Error> {
    let mut file = std::fs::File::create(path)?;
    file.write_all(spreadsheet::BOM.as_bytes())?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(file));
    w.write_record(["row", "ref", "field", "code", "message"])?;
    for e in rejected {
        let row = e.row.to_string();
        let record =
            [row.as_str(), e.reference.as_deref().unwrap_or(""), e.field.as_deref().unwrap_or(""), &e.code, &e.message];
        w.write_record(record.map(spreadsheet::neutralize).iter().map(|c| c.as_bytes()))?;
    }
    w.flush()?;
    Ok(())
}

pub async fn person_show(url: &str, id_number: &str, json: bool) -> ExitCode {
    let id = match yuanzhu_rules::IdNumber::parse_or_upgrade(id_number) {
        Ok(id) => id,
        Err(e) => return fail(format!("id_number: {}", e.message(Lang::Zh))),
    };
    let file = async {
        let store = crate::connect(url).await?;
        let file = persons::file(&store, id.as_str()).await?;
        // The one file (一人一档) also holds the person's applications, contact attempts and
        // revocation proposals.
        let extra = match &file {
            None => None,
            Some(_) => Some(serde_json::json!({
                "applications": applications::of_person(&store, id.as_str()).await.map_err(|e| StoreError::Io(e.message(Lang::Zh)))?,
                "contacts": revocations::contacts(&store, id.as_str()).await.map_err(|e| StoreError::Io(e.to_string()))?,
                "revocation_proposals": revocations::proposals_of(&store, id.as_str()).await.map_err(|e| StoreError::Io(e.to_string()))?,
            })),
        };
        store.close().await;
        Ok::<_, StoreError>(file.map(|f| (f, extra.unwrap_or_default())))
    }
    .await;
    match file {
        Ok(Some((f, extra))) => {
            // A closed pipe (`| head`) is not an error of ours: stop writing quietly.
            let mut out = std::io::stdout().lock();
            let _ = if json {
                let mut whole = serde_json::to_value(&f).expect("a file serialises");
                if let (Some(map), serde_json::Value::Object(more)) = (whole.as_object_mut(), extra) {
                    map.extend(more);
                }
                writeln!(out, "{}", serde_json::to_string_pretty(&whole).expect("JSON"))
            } else {
                write_file(&mut out, &f)
            };
            ExitCode::SUCCESS
        }
        Ok(None) => {
            eprintln!("yuanzhu: no person with ID number {id}");
            ExitCode::from(1)
        }
        Err(e) => fail(e),
    }
}

fn write_file(out: &mut impl Write, f: &persons::PersonFile) -> std::io::Result<()> {
    writeln!(out, "{} {} {} {}", f.person.name, f.person.id_number, f.person.sex, f.person.birth_date)?;
    writeln!(out, "categories: {}", f.categories.join(", "))?;
    for e in &f.timeline {
        writeln!(out, "{}  {:<24} {}", crate::clock().show(&e.at), e.action, e.actor)?;
    }
    Ok(())
}

/// Adds the demo communities and `persons_wanted` demo persons, showing progress on stderr.
/// Each batch is generated and prepared while the one before it is written.
pub async fn fill_demo(
    store: &Store,
    persons_wanted: usize,
    seed: u64,
    policies: &PolicySet,
) -> Result<ImportSummary, StoreError> {
    let communities = demo::communities(store).await?;
    let units = persons::unit_codes(store).await?;
    let mut start = 0;
    let batches = std::iter::from_fn(move || {
        let n = BATCH.min(persons_wanted - start);
        let batch = demo::registrations(seed, start, n, &communities);
        start += n;
        (n > 0).then(|| batch.into_iter().map(Ok).collect())
    });
    let summary = persons::import(store, batches, &units, "demo", policies, Lang::Zh, |s| {
        eprint!("\r{} / {persons_wanted}", s.persons_created + s.persons_unchanged);
    })
    .await
    .map_err(|e| e.source)?;
    eprintln!();
    Ok(summary)
}

/// Services given to the demo persons of `district` (see [`demo::services`]), recorded as any
/// service is, with its audit event; returns how many.
pub async fn fill_demo_services(
    store: &Store,
    persons: usize,
    seed: u64,
    district: &str,
    policies: &PolicySet,
) -> Result<usize, StoreError> {
    let communities: Vec<yuanzhu_domain::UnitCode> = yuanzhu_storage::units::all(store)
        .await?
        .into_iter()
        .filter(|u| u.synthetic && u.level == "community")
        .filter_map(|u| yuanzhu_domain::UnitCode::parse(&u.code).ok())
        .collect();
    let registrations = demo::registrations(seed, 0, persons, &communities);
    let given = demo::services(seed, &registrations, district, store.clock().today(), policies);
    for (id_number, unit, record) in &given {
        yuanzhu_storage::services::record(store, id_number.as_str(), record, unit.as_str(), "demo").await?;
    }
    Ok(given.len())
}

pub async fn demo(url: &str, persons_wanted: usize, seed: u64, policies: &PolicySet) -> ExitCode {
    let result = async {
        let store = crate::connect(url).await?;
        store.init().await?;
        let started = std::time::Instant::now();
        let summary = fill_demo(&store, persons_wanted, seed, policies).await?;
        store.close().await;
        Ok::<_, StoreError>((summary, started.elapsed()))
    }
    .await;
    match result {
        Ok((s, took)) => {
            println!(
                "demo registry: {} persons created, {} unchanged, {} automatic recognitions, in {:.1} s",
                s.persons_created,
                s.persons_unchanged,
                s.recognitions_granted,
                took.as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

pub async fn reassess(url: &str, policy: &yuanzhu_rules::Policy, on: yuanzhu_rules::Date) -> ExitCode {
    let actor = actor();
    let result = async {
        let store = crate::connect(url).await?;
        store.migrate().await?;
        let summary = yuanzhu_storage::reassess::run(
            &store,
            policy,
            on,
            &actor,
            yuanzhu_storage::reassess::PAGE,
            |done, total| {
                eprint!("\r{done} / {total}");
                true
            },
        )
        .await;
        eprintln!();
        // Reassessment also runs the rules that propose revocations (第六条): they only propose,
        // a reviewer decides.
        let lost_contact = match &summary {
            Ok(_) => Some(yuanzhu_storage::revocations::propose_unreachable(&store, policy, on, &actor).await),
            Err(_) => None,
        };
        store.close().await;
        Ok::<_, StoreError>((summary?, lost_contact))
    }
    .await;
    match result {
        Ok((s, lost_contact)) => {
            let proposals = match lost_contact {
                Some(Ok(p)) => serde_json::json!({ "lost_contact": p.proposed.len(), "already_open": p.already_open }),
                Some(Err(e)) => return fail(e),
                None => serde_json::Value::Null,
            };
            let mut out = serde_json::to_value(&s).expect("a summary serialises");
            out["revocation_proposals"] = proposals;
            println!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
