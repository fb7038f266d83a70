-- The open possible duplicates, oldest first: the queue every home page shows starts from them,
-- and decided flags (which only grow) stay out of its way.
CREATE INDEX duplicate_flags_open ON duplicate_flags (created_at, id) WHERE state = 'open';
