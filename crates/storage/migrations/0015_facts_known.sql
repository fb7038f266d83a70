-- Which yes/no facts of a person have an answer on file (yes or no), beside `facts`, which holds
-- those answered yes. A question left unanswered no longer reads as "no": the registration page
-- shows it unanswered, and a policy that needs it asks for it again. NULL for the persons
-- registered before: their files took every unanswered question as "no", so every fact counts as
-- answered.
ALTER TABLE persons ADD COLUMN facts_known BIGINT;
