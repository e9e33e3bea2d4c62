-- Schema version 2, PostgreSQL: ../V002__alerts.sql with BIGINT times and the nocase collation.

ALTER TABLE alert_outbox ADD COLUMN reminder_number INTEGER NOT NULL DEFAULT 0;
ALTER TABLE alert_outbox ADD COLUMN note TEXT;
CREATE INDEX alert_outbox_integration ON alert_outbox (integration_id, kind);
CREATE INDEX state_transition_time ON state_transition (at);

CREATE TABLE bouncing_address (
    address TEXT COLLATE nocase PRIMARY KEY,
    since   BIGINT NOT NULL,
    detail  TEXT
);

CREATE TABLE storm (
    provider   TEXT PRIMARY KEY,
    started_at BIGINT NOT NULL,
    reason     TEXT NOT NULL,
    released   INTEGER NOT NULL DEFAULT 0
);
