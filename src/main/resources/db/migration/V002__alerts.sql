-- Schema version 2: what the alert sender, reminders and storm guard remember.

-- Reminders count per incident (1 = first reminder); 0 for every other kind.
ALTER TABLE alert_outbox ADD COLUMN reminder_number INTEGER NOT NULL DEFAULT 0;
-- The text of a notice that belongs to no integration (a storm notice to ops): subject, blank line, body.
ALTER TABLE alert_outbox ADD COLUMN note TEXT;
CREATE INDEX alert_outbox_integration ON alert_outbox (integration_id, kind);

-- Addresses the relay refused for good (5xx): no more mail goes there; the dealer's admin contact
-- gets it instead.
CREATE TABLE bouncing_address (
    address TEXT PRIMARY KEY COLLATE NOCASE,
    since   INTEGER NOT NULL,
    detail  TEXT
);

-- A provider-wide wave of dealer-actionable failures: dealer mail of that provider is held until the
-- wave passes or an operator releases it (released = 1: stop holding for the rest of this wave).
CREATE TABLE storm (
    provider   TEXT PRIMARY KEY,
    started_at INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    released   INTEGER NOT NULL DEFAULT 0
);
