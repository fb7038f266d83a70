-- Services given to persons (第八至十六条; #13): one row per service, citing the article it
-- delivered under the policy in force on its day. A declined offer also wrote a row of
-- `refusals` (第六条第（二）项) in the same transaction: `refusal_id` names it.
-- `unit_code` is the unit of the worker who gave it (the ledger and KPIs count by it);
-- `loan_fen` is a start-up loan asked for, in fen.
CREATE TABLE service_records (
    id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL,
    on_date TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    note TEXT NOT NULL,
    outcome TEXT,
    employer TEXT,
    vacancy TEXT,
    loan_fen BIGINT,
    policy TEXT NOT NULL,
    article TEXT NOT NULL,
    refusal_id TEXT REFERENCES refusals (id),
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX service_records_person ON service_records (person_id, on_date);
CREATE INDEX service_records_unit ON service_records (unit_code, on_date);
