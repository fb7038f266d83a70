-- Moves of a person's residence to another unit (居住地转移): proposed by one side, accepted or
-- refused by the other, withdrawn by the side that proposed, or made at once by a supervisor over
-- both units. The only way a person's unit of residence changes.
CREATE TABLE residence_transfers (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    from_unit TEXT NOT NULL REFERENCES units (code),
    to_unit TEXT NOT NULL REFERENCES units (code),
    -- 'from' or 'to': the side that proposed; 'both' for a move made at once.
    proposed_by_side TEXT NOT NULL,
    -- proposed, accepted, refused, withdrawn or done.
    state TEXT NOT NULL,
    note TEXT,
    proposed_by TEXT NOT NULL,
    proposer_account TEXT NOT NULL,
    proposed_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    decision_note TEXT
);
CREATE INDEX residence_transfers_from ON residence_transfers (from_unit, state);
CREATE INDEX residence_transfers_to ON residence_transfers (to_unit, state);
CREATE INDEX residence_transfers_person ON residence_transfers (person_id);
-- One open move of a person at a time.
CREATE UNIQUE INDEX residence_transfers_open ON residence_transfers (person_id) WHERE state = 'proposed';
