-- Search finds what a caseworker types (issue #11): a fragment of a name (a given name, 测试 in
-- 甲测试), the last digits of a phone number, the last characters of an ID number. The indexes of
-- persons serve only what a value starts with, so two tables of our own hold what a value ends
-- with, kept by the same transaction as every write of a person (`search::terms`), the same on
-- both engines. No FTS5 or pg_trgm: a trigram cannot serve the two-character fragments most
-- Chinese searches are (a given name), and neither returns its matches in an order to stop at.
--
-- A fragment that starts at the second character of a name or later is the start of one of
-- its parts: the name from that character on (黄明华 has one, 明华). So a fragment is a range of
-- parts, which a B-tree serves in order, any length from two characters. A part is at most 32
-- characters and starts at the 100th character at the latest, so an absurdly long name costs a
-- bounded number of bounded rows. Name and birth date ride along, to rank within a part and to
-- leave out names that start with the fragment (those rank higher) without reading persons.
CREATE TABLE person_name_parts (
    part TEXT NOT NULL,
    name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    id_number TEXT NOT NULL,
    PRIMARY KEY (part, name, birth_date, id_number)
);

-- Phone and ID numbers read from the end (the last 18 characters, reversed): the last four
-- digits of a phone, or the last six characters of an ID number with its check character X,
-- are then the start of a value, a range again.
CREATE TABLE person_number_tails (
    kind TEXT NOT NULL,
    reversed TEXT NOT NULL,
    id_number TEXT NOT NULL,
    PRIMARY KEY (kind, reversed, id_number)
);

-- The persons registered before this migration, as `search::terms` would have written them.
-- Portable SQL: `substr` and `length` count characters on both engines; SQLite has no
-- `reverse`, hence a character at a time.
WITH RECURSIVE starts (n) AS (
    SELECT 2
    UNION ALL
    SELECT n + 1 FROM starts WHERE n < 100 AND n + 1 < (SELECT MAX(length(name)) FROM persons)
)
INSERT INTO person_name_parts (part, name, birth_date, id_number)
SELECT substr(p.name, s.n, 32), p.name, p.birth_date, p.id_number
FROM persons p, starts s
WHERE s.n < length(p.name)
ON CONFLICT DO NOTHING;

INSERT INTO person_number_tails (kind, reversed, id_number)
SELECT 'id', CASE WHEN length(id_number) >= 1 THEN substr(id_number, length(id_number), 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 2 THEN substr(id_number, length(id_number) - 1, 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 3 THEN substr(id_number, length(id_number) - 2, 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 4 THEN substr(id_number, length(id_number) - 3, 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 5 THEN substr(id_number, length(id_number) - 4, 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 6 THEN substr(id_number, length(id_number) - 5, 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 7 THEN substr(id_number, length(id_number) - 6, 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 8 THEN substr(id_number, length(id_number) - 7, 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 9 THEN substr(id_number, length(id_number) - 8, 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 10 THEN substr(id_number, length(id_number) - 9, 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 11 THEN substr(id_number, length(id_number) - 10, 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 12 THEN substr(id_number, length(id_number) - 11, 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 13 THEN substr(id_number, length(id_number) - 12, 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 14 THEN substr(id_number, length(id_number) - 13, 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 15 THEN substr(id_number, length(id_number) - 14, 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 16 THEN substr(id_number, length(id_number) - 15, 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 17 THEN substr(id_number, length(id_number) - 16, 1) ELSE '' END ||
    CASE WHEN length(id_number) >= 18 THEN substr(id_number, length(id_number) - 17, 1) ELSE '' END,
    id_number
FROM persons;

INSERT INTO person_number_tails (kind, reversed, id_number)
SELECT 'phone', CASE WHEN length(phone) >= 1 THEN substr(phone, length(phone), 1) ELSE '' END ||
    CASE WHEN length(phone) >= 2 THEN substr(phone, length(phone) - 1, 1) ELSE '' END ||
    CASE WHEN length(phone) >= 3 THEN substr(phone, length(phone) - 2, 1) ELSE '' END ||
    CASE WHEN length(phone) >= 4 THEN substr(phone, length(phone) - 3, 1) ELSE '' END ||
    CASE WHEN length(phone) >= 5 THEN substr(phone, length(phone) - 4, 1) ELSE '' END ||
    CASE WHEN length(phone) >= 6 THEN substr(phone, length(phone) - 5, 1) ELSE '' END ||
    CASE WHEN length(phone) >= 7 THEN substr(phone, length(phone) - 6, 1) ELSE '' END ||
    CASE WHEN length(phone) >= 8 THEN substr(phone, length(phone) - 7, 1) ELSE '' END ||
    CASE WHEN length(phone) >= 9 THEN substr(phone, length(phone) - 8, 1) ELSE '' END ||
    CASE WHEN length(phone) >= 10 THEN substr(phone, length(phone) - 9, 1) ELSE '' END ||
    CASE WHEN length(phone) >= 11 THEN substr(phone, length(phone) - 10, 1) ELSE '' END ||
    CASE WHEN length(phone) >= 12 THEN substr(phone, length(phone) - 11, 1) ELSE '' END ||
    CASE WHEN length(phone) >= 13 THEN substr(phone, length(phone) - 12, 1) ELSE '' END ||
    CASE WHEN length(phone) >= 14 THEN substr(phone, length(phone) - 13, 1) ELSE '' END ||
    CASE WHEN length(phone) >= 15 THEN substr(phone, length(phone) - 14, 1) ELSE '' END ||
    CASE WHEN length(phone) >= 16 THEN substr(phone, length(phone) - 15, 1) ELSE '' END ||
    CASE WHEN length(phone) >= 17 THEN substr(phone, length(phone) - 16, 1) ELSE '' END ||
    CASE WHEN length(phone) >= 18 THEN substr(phone, length(phone) - 17, 1) ELSE '' END,
    id_number
FROM persons
WHERE phone IS NOT NULL AND phone <> '';
