-- Revocation (注销, 穗人社发〔2014〕4号 第六条; gd: 粤人社规〔2019〕7号 第三章第五条): the evidence the
-- rules read (contact attempts, refusals of services) and the proposals a reviewer decides.
-- Portable between SQLite and PostgreSQL (DESIGN.md): dates as ISO-8601 TEXT, flags as integers,
-- IDs made by the application (UUIDv7).

-- 第六条第（五）项 连续1个月无法与其联络: every attempt to reach the person, successful or not.
-- Append-only: a mistaken attempt is corrected by logging another, never by editing.
CREATE TABLE contact_attempts (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    on_date TEXT NOT NULL,
    channel TEXT NOT NULL,
    reached INTEGER NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX contact_attempts_person ON contact_attempts (person_id, on_date);

-- 第六条第（二）项 拒绝……职业介绍、职业指导等就业服务: each refusal, with what was offered.
CREATE TABLE refusals (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    on_date TEXT NOT NULL,
    service TEXT NOT NULL,
    note TEXT NOT NULL,
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX refusals_person ON refusals (person_id, on_date);

-- A proposal to revoke, under one policy, and its review. `grounds` is the domain's Grounds as JSON.
-- `by_rule` = 1 when a rule of the policy proposed it (then `proposed_by` is whoever ran the rule).
-- `version` guards the review against a stale screen (optimistic concurrency).
CREATE TABLE revocation_proposals (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    reason TEXT NOT NULL,
    policy TEXT NOT NULL,
    citation TEXT NOT NULL,
    grounds TEXT NOT NULL,
    proposed_on TEXT NOT NULL,
    proposed_by TEXT NOT NULL,
    by_rule INTEGER NOT NULL,
    state TEXT NOT NULL,
    decided_by TEXT,
    decided_on TEXT,
    decision_note TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX revocation_proposals_person ON revocation_proposals (person_id, policy, reason);
CREATE INDEX revocation_proposals_state ON revocation_proposals (state, proposed_on);
-- At most one open proposal per person, policy and reason: a rule run twice, or two caseworkers
-- reporting the same fact, propose once (INSERT … ON CONFLICT DO NOTHING on both engines).
CREATE UNIQUE INDEX revocation_proposals_open ON revocation_proposals (person_id, policy, reason)
    WHERE state = 'proposed';
