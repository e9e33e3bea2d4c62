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
