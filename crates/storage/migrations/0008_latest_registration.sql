-- The latest unemployment registration of each person (the one that counts), kept on the person
-- by the batch path that records registrations, so that reassessment reads it with the person
-- instead of looking it up once per person.
ALTER TABLE persons ADD COLUMN latest_registration TEXT;
UPDATE persons SET latest_registration =
    (SELECT MAX(r.registered_on) FROM unemployment_registrations r WHERE r.person_id = persons.id);

-- Reassessment now moves through persons in the order of their IDs (time-ordered, the order
-- they are stored in) instead of ID numbers: a run left unfinished starts again from the first
-- person. That is safe: what it already recorded is found unchanged and not recorded twice.
UPDATE reassessments SET cursor = '', assessed = 0 WHERE finished_at IS NULL;
