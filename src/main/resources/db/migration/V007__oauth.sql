-- OAuth mailboxes. auth: how the integration signs in, 'password' (an app password) or 'oauth2' (an OAuth grant).
-- For 'oauth2' the sealed secret (secret_*) is the grant's refresh token, sealed exactly as a password is (AES-GCM,
-- bound to the row id, re-sealed by `keys rotate`); oauth_app names the config's oauth.<app> that issued it (null:
-- the provider's default app, gmail -> google, outlook/microsoft365 -> microsoft). Written in SQL that SQLite and
-- PostgreSQL both take, so one script serves both. Numbered after PostgreSQL's V006; SQLite counts it as its 6th.
ALTER TABLE integration ADD COLUMN auth TEXT NOT NULL DEFAULT 'password';
ALTER TABLE integration ADD COLUMN oauth_app TEXT;
