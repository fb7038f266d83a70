-- Employment records (就业登记) and the zero-employment status of households derived from them
-- (第三条第（三）项第2目 “零就业家庭”): never typed in, always computed from the members.

CREATE TABLE employment_records (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    started_on TEXT NOT NULL,
    ended_on TEXT,
    employer TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX employment_records_person ON employment_records (person_id);
CREATE INDEX persons_household ON persons (household_ref);
