-- wrk's --latency table has p50/p75/p90/p99; the pages' goal is a p95. Loaded by the other
-- scripts: prints one line "p50 … p95 … p99 … ms, N req" after the run.
function done(summary, latency, requests)
  local function ms(p) return string.format("%.2f", latency:percentile(p) / 1000) end
  io.write(string.format("percentiles: p50 %s / p90 %s / p95 %s / p99 %s ms, %d requests, %d non-2xx\n",
    ms(50), ms(90), ms(95), ms(99), summary.requests, summary.errors.status))
end
