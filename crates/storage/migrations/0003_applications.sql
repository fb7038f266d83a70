-- Recognition by application (穗人社发〔2014〕4号 第五条; 粤人社规〔2023〕11号 chapter 2): the
-- application as a row for finding it, its events as the record it is rebuilt from.
-- Portable between SQLite and PostgreSQL (DESIGN.md): dates as ISO-8601 TEXT, application IDs.

-- `state` and `version` mirror the fold of the events: `state` for listing without replaying,
-- `version` for optimistic concurrency (every change names the version it read).
-- `unit_code` is the street (town) office the application was made at: the applicant's
-- residence unit on the day it was opened (第五条 "向户籍所在街（镇）公共就业服务机构申办"). It stays
-- with the application if the person later moves.
CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    unit_code TEXT NOT NULL REFERENCES units (code),
    policy TEXT NOT NULL,
    category TEXT NOT NULL,
    state TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX applications_person ON applications (person_id);
CREATE INDEX applications_state_unit ON applications (state, unit_code);
-- One undecided application per person and category: a second would decide the same thing twice.
CREATE UNIQUE INDEX applications_one_open ON applications (person_id, policy, category)
    WHERE state IN ('draft', 'submitted', 'deficient');

-- The domain's events (who, when, what), numbered 1, 2, … within their application. `payload`
-- is the action's data as JSON text (a document code, the defective documents, a reason).
CREATE TABLE application_events (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    seq BIGINT NOT NULL,
    action TEXT NOT NULL,
    by_actor TEXT NOT NULL,
    on_date TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (application_id, seq)
);
