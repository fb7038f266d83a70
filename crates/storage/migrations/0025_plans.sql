-- Assistance plans (援助计划, 第十二条第（一）项; #13 §2): at most one active plan per person (the
-- partial index), its goals as a JSON array of text, and its actions in their order (`seq`).
-- An action's `state` is open, done (by `service_id`) or dropped; `reason` is why it was last
-- rescheduled or dropped. `version` goes up with every change, for stale edits.
CREATE TABLE plans (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    unit_code TEXT NOT NULL,
    made_on TEXT NOT NULL,
    review_on TEXT NOT NULL,
    goals TEXT NOT NULL,
    policy TEXT NOT NULL,
    article TEXT NOT NULL,
    state TEXT NOT NULL,
    made_by TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX plans_one_active ON plans (person_id) WHERE state = 'active';

CREATE TABLE plan_actions (
    plan_id TEXT NOT NULL REFERENCES plans (id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    due_on TEXT NOT NULL,
    owner TEXT NOT NULL,
    state TEXT NOT NULL,
    service_id TEXT REFERENCES service_records (id),
    closed_on TEXT,
    reason TEXT,
    PRIMARY KEY (plan_id, seq)
);
-- The owner's queue of what is due.
CREATE INDEX plan_actions_owner ON plan_actions (owner, state, due_on);
