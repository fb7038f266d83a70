-- The latest assessment of each person (as of a date, under a policy), and reassessment runs.
-- A run records where it is, page by page, so that it resumes after a crash without doing
-- anything twice.

CREATE TABLE assessments (
    person_id TEXT PRIMARY KEY REFERENCES persons (id),
    as_of TEXT NOT NULL,
    policy TEXT NOT NULL,
    eligible INTEGER NOT NULL,
    categories TEXT NOT NULL,
    unmet TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE reassessments (
    id TEXT PRIMARY KEY,
    as_of TEXT NOT NULL,
    policy TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    cursor TEXT NOT NULL,
    assessed BIGINT NOT NULL,
    changed BIGINT NOT NULL
);
