//! Latency of opening a person's file (一人一档: facts, recognitions, registrations, household,
//! timeline) on a populated registry, for BENCHMARKS.md.
//!
//!     cargo run --release -p yuanzhu-storage --example file_latency -- sqlite:yuanzhu-data/yuanzhu.db 2000
//!
//! Picks SAMPLES persons at random and opens each file once, one after another; prints
//! p50/p95/p99 and the slowest, in milliseconds.

use std::time::Instant;

use yuanzhu_storage::{Store, persons};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args.next().unwrap_or_else(|| yuanzhu_storage::DEFAULT_URL.to_owned());
    let samples: i64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(1000);
    let store = Store::connect(&url).await.expect("the database opens");
    let ids: Vec<String> = sqlx::query_scalar("SELECT id_number FROM persons ORDER BY random() LIMIT $1")
        .bind(samples)
        .fetch_all(store.pool())
        .await
        .expect("persons can be listed");
    let mut millis = Vec::with_capacity(ids.len());
    for id in &ids {
        let started = Instant::now();
        let file = persons::file(&store, id).await.expect("the file opens");
        assert!(file.is_some());
        millis.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    millis.sort_by(f64::total_cmp);
    let at = |q: f64| millis[((millis.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{} files: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        millis.len(),
        at(0.50),
        at(0.95),
        at(0.99),
        millis[millis.len() - 1]
    );
    store.close().await;
}
