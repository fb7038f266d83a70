-- The caseworker's queue of persons about to become unreachable (第六条第（五）项 连续1个月无法与其
-- 联络, gd 第三章第五条（十）) read every contact attempt and registration of every holder of a
-- status in the unit, to run the rule on each. Kept on the person instead, by
-- revocations::log_contact in the transaction that logs an attempt, so that the queue reads only
-- the persons whose run of failed attempts could come due:
--   contact_run_from: the first failed attempt after the last successful one (NULL when none
--     follows it). Registrations and decided proposals only move the run's start later, so this
--     is the earliest the rule's period can have started: a bound, and the rule still decides.
--   last_contact_on: the latest attempt. An attempt dated after the day the queue is asked for
--     makes the bound above unsafe for that day, so such persons are read in full.
ALTER TABLE persons ADD COLUMN contact_run_from TEXT;
ALTER TABLE persons ADD COLUMN last_contact_on TEXT;

UPDATE persons SET
    last_contact_on = (SELECT MAX(a.on_date) FROM contact_attempts a WHERE a.person_id = persons.id),
    contact_run_from = (SELECT MIN(f.on_date) FROM contact_attempts f WHERE f.person_id = persons.id
        AND f.reached = 0 AND f.on_date > COALESCE((SELECT MAX(s.on_date) FROM contact_attempts s
        WHERE s.person_id = persons.id AND s.reached = 1), ''))
WHERE id IN (SELECT person_id FROM contact_attempts);

-- Only persons ever contacted: the queue walks a unit's part of this, filtering on the index alone.
CREATE INDEX persons_contact_run ON persons (residence_unit, contact_run_from, last_contact_on)
    WHERE last_contact_on IS NOT NULL;
