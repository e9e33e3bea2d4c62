-- Schema version 3: indexes for the metrics snapshot, which the daemon reads every 5 seconds. Without them
-- both queries scan the whole integration table (about 150 ms of CPU at 100,000 integrations; 11 ms with).

-- apm_integrations{provider,state}: SELECT provider, state, count(*) ... GROUP BY provider, state
CREATE INDEX integration_provider_state ON integration (provider, state);
-- apm_oldest_check_age_seconds: SELECT min(COALESCE(last_checked_at, created_at)) ... WHERE enabled = 1
-- (the expression and the WHERE must stay exactly as the query writes them, or SQLite ignores the index)
CREATE INDEX integration_oldest_check ON integration (COALESCE(last_checked_at, created_at)) WHERE enabled = 1;
