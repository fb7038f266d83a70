-- Accounts, sessions, API tokens and the jurisdiction of #4 (第二条, 第十八条: each user acts for
-- one unit in one role). Sessions live in the database so that application servers stay stateless.

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    unit_code TEXT NOT NULL REFERENCES units (code),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Only a hash of the session's secret is stored: a copy of the database opens no session.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    absolute_expires_at TEXT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    label TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

-- Failed logins by username (known or not, so that throttling reveals nothing).
CREATE TABLE login_failures (
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);

-- A social worker sees only the persons assigned to them (第十三条 社工服务).
CREATE TABLE assignments (
    person_id TEXT NOT NULL REFERENCES persons (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    assigned_on TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    PRIMARY KEY (person_id, account_id)
);
CREATE INDEX assignments_account ON assignments (account_id);

-- The unit of hukou may also see a person (#4); unknown for most imported records.
ALTER TABLE persons ADD COLUMN hukou_unit TEXT REFERENCES units (code);
CREATE INDEX persons_hukou_unit ON persons (hukou_unit);
