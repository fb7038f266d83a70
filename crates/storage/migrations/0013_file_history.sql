-- A person's history without the openings of the file: every opening is an audit event of the
-- person (person.viewed), and a file opened every day would otherwise read years of openings to
-- show its history. The file's timeline reads this index; the audit trail keeps every event.
CREATE INDEX audit_events_history ON audit_events (person_id, seq) WHERE action <> 'person.viewed';
