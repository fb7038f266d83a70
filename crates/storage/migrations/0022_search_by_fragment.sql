-- Search finds what a caseworker types (issue #11): a fragment of a name (a given name, 测试 in
-- 甲测试), the last digits of a phone number, the last characters of an ID number. The indexes of
-- persons serve only what a value starts with, so what a value holds or ends with is made the
-- start of something indexed, or its end is, the same on both engines. No FTS5 or pg_trgm: a trigram cannot
-- serve the two-character fragments most Chinese searches are (a given name), and neither
-- returns its matches in an order to stop at.
--
-- A fragment that starts at the second character of a name or later is the start of one of
-- its parts: the name from that character on (黄明华 has one, 明华). So a fragment is a range of
-- parts, which a B-tree serves in order, any length from two characters. The parts are rows of
-- a table of their own, written in the same transaction as every write of a person
-- (`search::terms`). A part is at most 32 characters and starts at the 100th character at the
-- latest, so an absurdly long name costs a bounded number of bounded rows. Name and birth date
-- ride along, to rank within a part and to leave out names that start with the fragment (those
-- rank higher) without reading persons.
CREATE TABLE person_name_parts (
    part TEXT NOT NULL,
    name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    id_number TEXT NOT NULL,
    PRIMARY KEY (part, name, birth_date, id_number)
);

-- The persons registered before this migration, as `search::terms` would have written them.
-- Portable SQL: `substr` and `length` count characters on both engines.
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

-- Phone and ID numbers by their last four characters: a phone's last digits, an ID number's
-- sequence code and check character (X included). A longer tail is looked up by its last four
-- and the rest compared on the hundred or so persons that share them (at 1M). Indexes on an
-- expression, kept by the engines themselves at every write, used by a query only where it
-- repeats the expression exactly (`search::terms`). Phone numbers have 10 to 12 digits, ID
-- numbers 18 characters.
CREATE INDEX persons_phone_last4 ON persons (substr(phone, length(phone) - 3));
CREATE INDEX persons_id_number_last4 ON persons (substr(id_number, 15));
