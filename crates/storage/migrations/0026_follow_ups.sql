-- Follow-ups after placement (跟踪回访, 第十九条; #13 §5): one per job and month after its start
-- (1, 3 and 6 by default). `in_job` is 1 when the person was still in the job.
CREATE TABLE follow_ups (
    id TEXT PRIMARY KEY,
    employment_id TEXT NOT NULL REFERENCES employment_records (id),
    person_id TEXT NOT NULL REFERENCES persons (id),
    months INTEGER NOT NULL,
    due_on TEXT NOT NULL,
    on_date TEXT NOT NULL,
    in_job INTEGER NOT NULL,
    channel TEXT NOT NULL,
    need TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (employment_id, months)
);
CREATE INDEX follow_ups_person ON follow_ups (person_id, on_date);
CREATE INDEX employment_records_started ON employment_records (started_on);
