-- Households across jurisdictions (#11): a person joins a household whose members live outside
-- the registering unit only when that unit accepts, and what a change does to members elsewhere
-- goes to their own unit.

-- A registration's claim that a person belongs to a household, held for the other unit's
-- decision. Keyed by ID number: the claim is written before the registration that makes the
-- person. While it is pending the person does not count in the household (its zero-employment
-- status, the family cascade); a refusal clears the household from the person's record.
CREATE TABLE household_joins (
    id TEXT PRIMARY KEY,
    id_number TEXT NOT NULL,
    household_ref TEXT NOT NULL,
    relation TEXT,
    requested_by TEXT NOT NULL,
    -- The requester's unit: members outside its subtree are the ones whose unit decides.
    requested_unit TEXT NOT NULL,
    requested_on TEXT NOT NULL,
    state TEXT NOT NULL,
    decided_by TEXT,
    decided_on TEXT,
    decision_note TEXT,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX household_joins_household ON household_joins (household_ref, state);
-- One open claim per person and household; the household's members are read with it.
CREATE UNIQUE INDEX household_joins_pending ON household_joins (id_number, household_ref) WHERE state = 'pending';

-- A household's zero-employment status changed because of a member's work: each other member's
-- unit is told, in its own queue, until someone there marks it seen.
CREATE TABLE household_changes (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    household_ref TEXT NOT NULL,
    on_date TEXT NOT NULL,
    zero_employment INTEGER NOT NULL,
    cause TEXT NOT NULL,
    caused_by TEXT NOT NULL,
    seen_by TEXT,
    seen_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX household_changes_person ON household_changes (person_id);
CREATE INDEX household_changes_unseen ON household_changes (seen_at);
