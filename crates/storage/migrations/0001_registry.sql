-- The registry: units, persons, registrations, recognitions and the audit chain.
-- Portable between SQLite and PostgreSQL (DESIGN.md): dates and timestamps as ISO-8601 TEXT,
-- flags as integers, IDs made by the application (UUIDv7), no database-side defaults for IDs.

CREATE TABLE units (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_code TEXT REFERENCES units (code),
    synthetic INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX units_parent ON units (parent_code);

-- 第七条 real-name records, 第十九条 one file per person.
CREATE TABLE persons (
    id TEXT PRIMARY KEY,
    id_number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    sex TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    phone TEXT,
    address TEXT,
    residence_unit TEXT NOT NULL REFERENCES units (code),
    household_ref TEXT,
    relation TEXT,
    female_retirement_track TEXT NOT NULL,
    facts BIGINT NOT NULL,
    parent_certificates INTEGER NOT NULL,
    unemployed_since TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX persons_name_birth ON persons (name, birth_date);
CREATE INDEX persons_unit ON persons (residence_unit);
CREATE INDEX persons_phone ON persons (phone);

-- 失业登记: a history; the most recent counts.
CREATE TABLE unemployment_registrations (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    registered_on TEXT NOT NULL,
    unit_code TEXT NOT NULL REFERENCES units (code),
    created_at TEXT NOT NULL,
    UNIQUE (person_id, registered_on)
);

-- 认定: each with its policy version, date, route and decider.
CREATE TABLE recognitions (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    category TEXT NOT NULL,
    policy TEXT NOT NULL,
    citation TEXT NOT NULL,
    route TEXT NOT NULL,
    recognized_on TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    ended_on TEXT,
    end_reason TEXT,
    UNIQUE (person_id, category, policy, recognized_on)
);
CREATE INDEX recognitions_person ON recognitions (person_id);

-- Append-only events, chained by hash. audit_head serialises appends (a row lock on PostgreSQL).
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    person_id TEXT,
    policy TEXT,
    before_json TEXT,
    after_json TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_person ON audit_events (person_id, seq);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
