-- Possible duplicates: the same name and birth date under different ID numbers. A person
-- decides; nothing is merged automatically.
CREATE TABLE duplicate_flags (
    id TEXT PRIMARY KEY,
    person_a TEXT NOT NULL REFERENCES persons (id),
    person_b TEXT NOT NULL REFERENCES persons (id),
    state TEXT NOT NULL,
    decided_by TEXT,
    decided_on TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (person_a, person_b)
);
