-- Bulk imports started from the pages. A job's progress and its per-row report live here, not in
-- one server's memory: after a restart the page still shows the job, and a job whose server died
-- while it ran (its heartbeat stopped) is shown as interrupted, with the rows it had done. The rows
-- themselves are committed batch by batch as they always were.
CREATE TABLE import_jobs (
    id TEXT PRIMARY KEY,
    -- Only the account that started a job sees it.
    account_id TEXT NOT NULL REFERENCES accounts (id),
    started_at TEXT NOT NULL,
    -- Written after every batch and every few seconds while the job runs.
    heartbeat_at TEXT NOT NULL,
    -- running, finished or failed; a running job whose heartbeat is old was interrupted.
    state TEXT NOT NULL,
    -- Why it failed, in the language of the one who started it.
    failure TEXT,
    total INTEGER NOT NULL,
    done INTEGER NOT NULL,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    registrations INTEGER NOT NULL DEFAULT 0,
    recognitions INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX import_jobs_started ON import_jobs (started_at);

-- The rows a job did not import, and why: the report a caseworker downloads.
CREATE TABLE import_job_rejections (
    job_id TEXT NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    row_number INTEGER NOT NULL,
    reference TEXT,
    field TEXT,
    code TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX import_job_rejections_job ON import_job_rejections (job_id, row_number);
