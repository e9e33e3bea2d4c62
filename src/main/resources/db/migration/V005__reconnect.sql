-- Schema version 5: the hosted reconnect page.

-- One link per failure email or reminder that went out with reconnect.enabled. Only the SHA-256 of the token is
-- kept (256 random bits: nobody can find a preimage, and the hash alone opens no page). incident_id is the
-- state_transition into FAILING the email was about: a newer incident supersedes the link. outcome is the one
-- the email explained, so the page shows the same steps.
CREATE TABLE reconnect_link (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash     BLOB NOT NULL UNIQUE,
    integration_id INTEGER NOT NULL REFERENCES integration(id) ON DELETE CASCADE,
    incident_id    INTEGER NOT NULL,
    outcome        TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,   -- verifications (logins) made through this link
    used_at        INTEGER,                      -- a password saved through it: it opens nothing any more
    superseded_at  INTEGER                       -- a link for a newer incident was issued
);
CREATE INDEX reconnect_link_integration ON reconnect_link (integration_id);
CREATE INDEX reconnect_link_expiry ON reconnect_link (expires_at);
