//! `/metrics` in Prometheus text: requests by route and status, a latency histogram by route,
//! and the database pool. Written by hand: three families do not need a metrics framework.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use yuanzhu_storage::audit::Head;
use yuanzhu_storage::checkpoint::CheckpointCounts;

use crate::state::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    /// The audit chain's head as last read ([`crate::audit_head`]).
    audit_head: Mutex<Option<Head>>,
}

impl Metrics {
    /// Remembers the audit chain's head, for the next scrape.
    pub fn set_audit_head(&self, head: Head) {
        *self.audit_head.lock().expect("metrics lock") = Some(head);
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        *self
            .requests
            .lock()
            .expect("metrics lock")
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let mut latency = self.latency.lock().expect("metrics lock");
        let h = latency.entry(route.to_owned()).or_default();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += seconds;
    }

    /// The exposition text.
    pub fn render(&self, pool_size: u32, pool_idle: usize, checkpoints: Option<CheckpointCounts>) -> String {
        let mut out = String::new();
        out.push_str("# HELP yuanzhu_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE yuanzhu_http_requests_total counter\n");
        for ((method, route, status), n) in self.requests.lock().expect("metrics lock").iter() {
            let _ = writeln!(
                out,
                "yuanzhu_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        out.push_str("# HELP yuanzhu_http_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE yuanzhu_http_request_duration_seconds histogram\n");
        for (route, h) in self.latency.lock().expect("metrics lock").iter() {
            let route = escape(route);
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "yuanzhu_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "yuanzhu_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "yuanzhu_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
            let _ = writeln!(out, "yuanzhu_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
        }
        out.push_str("# HELP yuanzhu_db_pool_connections Connections in the database pool.\n");
        out.push_str("# TYPE yuanzhu_db_pool_connections gauge\n");
        let _ = writeln!(out, "yuanzhu_db_pool_connections{{state=\"open\"}} {pool_size}");
        let _ = writeln!(out, "yuanzhu_db_pool_connections{{state=\"idle\"}} {pool_idle}");
        if let Some(head) = self.audit_head.lock().expect("metrics lock").as_ref() {
            out.push_str("# HELP yuanzhu_audit_head_seq The audit chain's last event as last read; its hash is the label. Kept by a scraper, it is a copy of the head outside the database (audit verify --expect-head SEQ:HASH).\n");
            out.push_str("# TYPE yuanzhu_audit_head_seq gauge\n");
            let _ = writeln!(out, "yuanzhu_audit_head_seq{{hash=\"{}\"}} {}", escape(&head.hash), head.seq);
        }
        if let Some(c) = checkpoints {
            out.push_str("# HELP yuanzhu_sqlite_checkpoints_total Background checkpoints of SQLite's log.\n");
            out.push_str("# TYPE yuanzhu_sqlite_checkpoints_total counter\n");
            let _ = writeln!(out, "yuanzhu_sqlite_checkpoints_total{{outcome=\"done\"}} {}", c.runs);
            let _ = writeln!(out, "yuanzhu_sqlite_checkpoints_total{{outcome=\"failed\"}} {}", c.failures);
            out.push_str("# HELP yuanzhu_sqlite_wal_pages Pages in SQLite's log at the last checkpoint, and of those copied back.\n");
            out.push_str("# TYPE yuanzhu_sqlite_wal_pages gauge\n");
            let _ = writeln!(out, "yuanzhu_sqlite_wal_pages{{state=\"log\"}} {}", c.log_pages);
            let _ = writeln!(out, "yuanzhu_sqlite_wal_pages{{state=\"copied\"}} {}", c.copied_pages);
        }
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Middleware: times every request, labelled by its route pattern (never the raw path, which
/// would hold ID numbers).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().to_string();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |m| m.as_str()).to_owned();
    let response = next.run(request).await;
    state.metrics.observe(&method, &route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_lands_in_every_bucket_at_or_above_its_time() {
        let m = Metrics::default();
        m.observe("GET", "/api/v1/persons/{id_number}", 200, 0.003);
        let text = m.render(4, 3, None);
        assert!(text.contains("route=\"/api/v1/persons/{id_number}\",le=\"0.0025\"} 0"), "{text}");
        assert!(text.contains("route=\"/api/v1/persons/{id_number}\",le=\"0.005\"} 1"));
        assert!(text.contains("route=\"/api/v1/persons/{id_number}\",le=\"+Inf\"} 1"));
        assert!(text.contains(
            "yuanzhu_http_requests_total{method=\"GET\",route=\"/api/v1/persons/{id_number}\",status=\"200\"} 1"
        ));
        assert!(text.contains("yuanzhu_db_pool_connections{state=\"idle\"} 3"));
        assert!(!text.contains("checkpoint"), "PostgreSQL and the command line have none: {text}");
    }

    #[test]
    fn a_serving_sqlite_store_reports_its_background_checkpoints() {
        let counts = CheckpointCounts { runs: 12, failures: 1, log_pages: 40, copied_pages: 38 };
        let text = Metrics::default().render(4, 3, Some(counts));
        for line in [
            "yuanzhu_sqlite_checkpoints_total{outcome=\"done\"} 12",
            "yuanzhu_sqlite_checkpoints_total{outcome=\"failed\"} 1",
            "yuanzhu_sqlite_wal_pages{state=\"log\"} 40",
            "yuanzhu_sqlite_wal_pages{state=\"copied\"} 38",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} in {text}");
        }
    }
}
