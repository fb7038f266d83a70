-- Application numbers people can read aloud (申请编号 SQ-2026-000123): numbered per year of the
-- day the application was received, in the order they were received. The printed forms and
-- notices carry it instead of the record's UUID. Portable: the number is kept as its year and its
-- place in the year (formatted by the application), the counter as one row per year.
CREATE TABLE application_numbers (
    year BIGINT PRIMARY KEY,
    last_number BIGINT NOT NULL
);
ALTER TABLE applications ADD COLUMN number_year BIGINT;
ALTER TABLE applications ADD COLUMN number_seq BIGINT;

-- The applications made before numbers existed, numbered by the day received and then by when
-- they were recorded.
UPDATE applications SET number_year = numbered.year, number_seq = numbered.seq
FROM (
    SELECT a.id, CAST(substr(e.on_date, 1, 4) AS BIGINT) AS year,
           ROW_NUMBER() OVER (PARTITION BY substr(e.on_date, 1, 4) ORDER BY e.on_date, a.created_at, a.id) AS seq
    FROM applications a JOIN application_events e ON e.application_id = a.id AND e.seq = 1
) AS numbered
WHERE applications.id = numbered.id;
INSERT INTO application_numbers (year, last_number)
    SELECT number_year, MAX(number_seq) FROM applications WHERE number_year IS NOT NULL GROUP BY number_year;
CREATE UNIQUE INDEX applications_number ON applications (number_year, number_seq);
