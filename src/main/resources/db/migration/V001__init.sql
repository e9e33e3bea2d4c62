-- Schema version 1. Times are epoch milliseconds (UTC). Passwords are stored only as AES-256-GCM
-- ciphertext (secret_*), bound to the row id; see store/SecretBox.

CREATE TABLE dealer (
    id          TEXT PRIMARY KEY,
    name        TEXT,
    admin_email TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE integration (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    dealer_id            TEXT NOT NULL REFERENCES dealer(id),
    email                TEXT NOT NULL COLLATE NOCASE UNIQUE,
    contact_email        TEXT NOT NULL,
    provider             TEXT NOT NULL,
    username             TEXT NOT NULL,
    imap_host            TEXT,
    imap_port            INTEGER,
    imap_security        TEXT,
    smtp_host            TEXT,
    smtp_port            INTEGER,
    smtp_security        TEXT,
    protocols            TEXT NOT NULL,              -- 'imap', 'smtp' or 'imap+smtp'
    enabled              INTEGER NOT NULL DEFAULT 1,
    canary               INTEGER NOT NULL DEFAULT 0,
    state                TEXT NOT NULL DEFAULT 'UNKNOWN',
    state_since          INTEGER NOT NULL,
    last_outcome         TEXT,
    problem_since        INTEGER,                    -- first failure of the current run of failures
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_check_at        INTEGER,                    -- null: not scheduled (disabled)
    last_checked_at      INTEGER,
    last_success_at      INTEGER,
    secret_key_version   INTEGER,
    secret_nonce         BLOB,
    secret_ciphertext    BLOB,
    password_changed_at  INTEGER,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
CREATE INDEX integration_due ON integration (next_check_at) WHERE enabled = 1;
CREATE INDEX integration_dealer ON integration (dealer_id);

CREATE TABLE check_result (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    integration_id INTEGER NOT NULL REFERENCES integration(id) ON DELETE CASCADE,
    checked_at     INTEGER NOT NULL,
    protocol       TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    duration_ms    INTEGER NOT NULL,
    detail         TEXT
);
CREATE INDEX check_result_integration ON check_result (integration_id, checked_at);
CREATE INDEX check_result_time ON check_result (checked_at);

CREATE TABLE state_transition (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    integration_id INTEGER NOT NULL REFERENCES integration(id) ON DELETE CASCADE,
    at             INTEGER NOT NULL,
    from_state     TEXT NOT NULL,
    to_state       TEXT NOT NULL,
    outcome        TEXT,
    check_id       INTEGER,
    reason         TEXT
);
CREATE INDEX state_transition_integration ON state_transition (integration_id, at);

CREATE TABLE alert_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    integration_id  INTEGER REFERENCES integration(id) ON DELETE SET NULL,
    incident_id     INTEGER,                          -- the state_transition that opened the incident
    kind            TEXT NOT NULL,                    -- failure, reminder, recovery, ops
    outcome         TEXT,
    provider        TEXT,
    recipient       TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'PENDING',  -- PENDING, SENT, HELD, DROPPED, FAILED
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    last_error      TEXT
);
CREATE INDEX alert_outbox_pending ON alert_outbox (status, next_attempt_at);

-- One row per key version: a known value sealed under that key, so a wrong key file is
-- recognised at start instead of failing on the first password.
CREATE TABLE key_check (
    key_version INTEGER PRIMARY KEY,
    nonce       BLOB NOT NULL,
    ciphertext  BLOB NOT NULL,
    created_at  INTEGER NOT NULL
);
