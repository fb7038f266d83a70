//! A whole file's registrations, batch after batch, each batch in its own transaction (a crash
//! loses at most the batch in flight, never half of one). While one batch is written, the next
//! is read from its source, checked against the unit tree and prepared ([`super::plan::prepare`])
//! on another thread: on two cores, the rows' records, JSON and rules overlap the writes, and on
//! SQLite a task copies the log back into the database meanwhile ([`crate::checkpoint`]).

use std::collections::HashSet;
use std::sync::Arc;

use yuanzhu_domain::{Registration, RowError};
use yuanzhu_rules::{Lang, PolicySet};

use super::plan::{self, Prepared};
use super::{ImportSummary, Writer, bulk, known_units};
use crate::{Store, StoreError};

/// A batch that could not be written: the batches before it are committed, it and the ones
/// after it are not.
#[derive(Debug, thiserror::Error)]
#[error("batch {batch} (rows {first_row}–): {source}")]
pub struct ImportError {
    /// 1 for the first batch.
    pub batch: usize,
    /// The file row of the batch's first row.
    pub first_row: usize,
    pub source: StoreError,
}

/// Imports every batch `batches` yields. A batch's rows are the file's rows, good or bad: bad
/// ones, and rows at a unit the tree does not know, are reported in the summary's `rejected`.
/// `progress` hears of every committed batch with the summary so far.
pub async fn import<I>(
    store: &Store,
    batches: I,
    units: &HashSet<String>,
    actor: &str,
    policies: &PolicySet,
    lang: Lang,
    mut progress: impl FnMut(&ImportSummary),
) -> Result<ImportSummary, ImportError>
where
    I: Iterator<Item = Vec<Result<Registration, RowError>>> + Send + 'static,
{
    let context = Arc::new(Context { units: units.clone(), policies: policies.clone(), lang });
    let mut summary = ImportSummary::default();
    let mut next = prepare_next(batches, context.clone());
    // A serving store checkpoints in the background already.
    let _checkpoints = match &store.native {
        super::native::Native::Sqlite(pool) if store.checkpoints.is_none() => {
            Some(crate::checkpoint::Background::start(pool.clone()))
        }
        _ => None,
    };
    for batch in 1.. {
        let (batches, prepared) = next.await.expect("preparing a batch does not panic");
        let Some(Batch { rows, first_row, part }) = prepared else { break };
        // The next batch is prepared while this one is written.
        next = prepare_next(batches, context.clone());
        let mut part = part;
        let (policies, lang) = (&context.policies, context.lang);
        bulk::register(store, rows, Writer::OPERATOR, policies, lang, actor, &mut part)
            .await
            .map_err(|source| ImportError { batch, first_row, source })?;
        summary.absorb(part);
        progress(&summary);
    }
    Ok(summary)
}

struct Context {
    units: HashSet<String>,
    policies: PolicySet,
    lang: Lang,
}

/// A batch ready to be written, and what its rows already told (rows rejected).
struct Batch {
    rows: Vec<Prepared>,
    first_row: usize,
    part: ImportSummary,
}

/// Takes the next batch of `batches` and prepares it on a blocking thread; hands `batches` back.
fn prepare_next<I>(mut batches: I, context: Arc<Context>) -> tokio::task::JoinHandle<(I, Option<Batch>)>
where
    I: Iterator<Item = Vec<Result<Registration, RowError>>> + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let Some(rows) = batches.next() else { return (batches, None) };
        let first_row = rows.first().map_or(0, |r| match r {
            Ok(r) => r.row,
            Err(e) => e.row,
        });
        let mut part = ImportSummary::default();
        let mut good = Vec::with_capacity(rows.len());
        for row in rows {
            match row {
                Ok(r) => good.push(r),
                Err(e) => part.rejected.push(e),
            }
        }
        let accepted = known_units(good.into_iter(), &context.units, context.lang, &mut part);
        let rows = plan::prepare(accepted, &context.policies, context.lang, &mut part);
        (batches, Some(Batch { rows, first_row, part }))
    })
}

#[cfg(test)]
mod tests {
    use yuanzhu_domain::registration::read_csv;
    use yuanzhu_rules::Date;

    use super::*;
    use crate::audit::{self, Verdict};
    use crate::persons::{self, PersonFile};

    /// A fresh initialised SQLite store, and a PostgreSQL one where PostgreSQL is installed.
    async fn stores(test: &str) -> Vec<(Store, Option<tempfile::TempDir>)> {
        let dir = tempfile::tempdir().unwrap();
        let mut out =
            vec![(Store::connect(&format!("sqlite:{}/t.db", dir.path().display())).await.unwrap(), Some(dir))];
        if let Some(pg) = yuanzhu_test_support::shared() {
            let url = pg.create_database(&format!("{test}_{}", std::process::id()));
            out.push((Store::connect(&url).await.unwrap(), None));
        }
        for (store, _) in &out {
            store.init().await.unwrap();
        }
        out
    }

    const HEADER: &str = "ref,id_number,name,address,residence_unit,registered_on,hukou_local,registered_unemployed,able_to_work,willing_to_be_assisted,disabled";

    fn rows(lines: &[&str]) -> Vec<Result<Registration, RowError>> {
        let text = std::iter::once(HEADER).chain(lines.iter().copied()).collect::<Vec<_>>().join("\n");
        read_csv(text.as_bytes(), Date::parse("2026-11-26").unwrap(), Lang::Zh).unwrap()
    }

    // 张三 (41 in 2016: older_unemployed), corrected in a later batch, registered again in a
    // third; 李四 twice in one batch; a row at an unknown unit; a row with a bad ID number.
    const FILE: [&str; 7] = [
        "a,440106197501011232,张三,东山路1号,440104011,2016-03-01,true,true,true,true,",
        "b,11010519491231002X,李四,,440104011,2016-03-01,true,true,true,true,true",
        "c,11010519491231002X,李四,,440104011,2016-04-01,true,true,true,true,true",
        "d,440106197501011232,张三,东山路2号,440104011,2016-03-01,true,true,true,true,",
        "e,440106199001011235,王五,,999999999,2016-03-01,true,true,true,true,",
        "f,1234,赵六,,440104011,2016-03-01,true,true,true,true,",
        "g,440106197501011232,张三,东山路2号,440104011,2016-09-01,true,true,true,true,",
    ];

    async fn file(store: &Store, id_number: &str) -> PersonFile {
        persons::file(store, id_number).await.unwrap().unwrap()
    }

    #[tokio::test]
    async fn a_file_in_many_batches_records_what_one_batch_records() {
        let policies = PolicySet::embedded();
        for ((batched, _a), (whole, _b)) in stores("import_batched").await.into_iter().zip(stores("import_whole").await)
        {
            let units = persons::unit_codes(&batched).await.unwrap();
            let batches: Vec<_> = rows(&FILE).chunks(2).map(<[_]>::to_vec).collect();
            let mut heard = Vec::new();
            let s = import(&batched, batches.into_iter(), &units, "importer", &policies, Lang::Zh, |s| {
                heard.push(s.persons_created)
            })
            .await
            .unwrap();
            assert_eq!(heard, [2, 2, 2, 2], "every committed batch is heard of, with the summary so far");
            let all: Vec<Registration> = rows(&FILE).into_iter().filter_map(Result::ok).collect();
            let one = persons::register_batch(&whole, &all, &units, "importer", &policies, Lang::Zh).await.unwrap();
            let counts = |s: &ImportSummary| {
                (
                    s.persons_created,
                    s.persons_updated,
                    s.persons_unchanged,
                    s.registrations_recorded,
                    s.recognitions_granted,
                )
            };
            assert_eq!(counts(&s), (2, 1, 2, 4, 1), "{s:?}");
            assert_eq!(counts(&s), counts(&one));
            let mut rejected: Vec<(usize, String)> = s.rejected.iter().map(|e| (e.row, e.code.clone())).collect();
            rejected.sort();
            assert_eq!(rejected.iter().map(|r| r.0).collect::<Vec<_>>(), [6, 7], "{rejected:?}");
            assert_eq!(rejected[0].1, "unknown_unit");
            for id in ["440106197501011232", "11010519491231002X"] {
                let (a, b) = (file(&batched, id).await, file(&whole, id).await);
                assert_eq!(
                    (&a.person, a.version, &a.categories, &a.registrations),
                    (&b.person, b.version, &b.categories, &b.registrations)
                );
                let actions =
                    |f: &PersonFile| f.timeline.iter().map(|e| (e.action.clone(), e.after.clone())).collect::<Vec<_>>();
                assert_eq!(actions(&a), actions(&b));
            }
            assert_eq!(file(&batched, "440106197501011232").await.person.address.as_deref(), Some("东山路2号"));
            assert!(matches!(audit::verify(&batched).await.unwrap(), Verdict::Intact { events: 8 }));
        }
    }

    #[tokio::test]
    async fn a_batch_that_fails_is_named_and_the_batches_before_it_stay() {
        let policies = PolicySet::embedded();
        for (store, _dir) in stores("import_fails").await {
            let units = persons::unit_codes(&store).await.unwrap();
            // A unit the check passes but the database does not hold: the second batch's insert fails.
            let mut units_claimed = units.clone();
            units_claimed.insert("440104011999".to_owned());
            let batches = vec![rows(&FILE[..1]), rows(&[&FILE[1].replace("440104011,", "440104011999,")])];
            let e = import(&store, batches.into_iter(), &units_claimed, "importer", &policies, Lang::Zh, |_| {})
                .await
                .unwrap_err();
            assert_eq!((e.batch, e.first_row), (2, 2), "{e}");
            assert_eq!(persons::count(&store).await.unwrap(), 1, "the first batch is committed, the second not");
            assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { events: 3 }));
        }
    }

    #[tokio::test]
    async fn text_with_tabs_backslashes_and_line_breaks_is_stored_as_it_was_read() {
        let policies = PolicySet::embedded();
        let address = "路\t1号\\2\\N\r\n室";
        let line = format!("a,440106197501011232,张\\三,\"{address}\",440104011,2016-03-01,true,true,true,true,");
        for (store, _dir) in stores("import_text").await {
            let units = persons::unit_codes(&store).await.unwrap();
            import(&store, vec![rows(&[&line])].into_iter(), &units, "importer", &policies, Lang::Zh, |_| {})
                .await
                .unwrap();
            let f = file(&store, "440106197501011232").await;
            assert_eq!((f.person.name.as_str(), f.person.address.as_deref()), ("张\\三", Some(address)));
            assert!(f.timeline[0].after.as_deref().unwrap().contains(r#""address":"路\t1号\\2\\N\r\n室""#));
            assert!(matches!(audit::verify(&store).await.unwrap(), Verdict::Intact { .. }));
        }
    }
}
