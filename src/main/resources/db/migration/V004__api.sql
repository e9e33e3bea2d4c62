-- Schema version 4: the dealer-system API.

-- Bearer tokens of the API. Only the SHA-256 of the token is kept: a token is 256 random bits, so a
-- slow password hash would add nothing but CPU per request (nobody can guess a preimage), and the hash
-- alone lets nobody call the API. scopes: space-separated, e.g. 'integrations:read checks:run'.
CREATE TABLE api_token (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL UNIQUE,
    token_hash   BLOB NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);

-- The dealer system's own id of an integration (PUT /api/v1/integrations/{external_id}); optional.
ALTER TABLE integration ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX integration_external_id ON integration (external_id) WHERE external_id IS NOT NULL;

-- Webhook events (Standard Webhooks): written in the transaction of the state change they report, then fanned
-- out to each configured endpoint (webhook_delivery) and delivered at least once with the same webhook-id.
-- integration_id has no foreign key: the event of a removed integration is still delivered.
CREATE TABLE webhook_event (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    type           TEXT NOT NULL,                  -- integration.state_changed, integration.failing, ...
    integration_id INTEGER,
    body           TEXT NOT NULL,                  -- the exact JSON that is signed and sent
    created_at     INTEGER NOT NULL
);
CREATE INDEX webhook_event_time ON webhook_event (created_at);

-- How far each endpoint (by URL) has been given events: a new endpoint starts at the newest event.
CREATE TABLE webhook_endpoint (
    url                TEXT PRIMARY KEY,
    fanned_out_through INTEGER NOT NULL
);

CREATE TABLE webhook_delivery (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        INTEGER NOT NULL REFERENCES webhook_event(id) ON DELETE CASCADE,
    endpoint        TEXT NOT NULL,
    status          TEXT NOT NULL,                 -- PENDING, SENT, FAILED
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    delivered_at    INTEGER,
    last_error      TEXT,
    UNIQUE (event_id, endpoint)
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (endpoint, status, next_attempt_at);
