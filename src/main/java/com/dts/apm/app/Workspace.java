package com.dts.apm.app;

import com.dts.apm.config.Config;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.store.ApiTokens;
import com.dts.apm.store.CheckHistory;
import com.dts.apm.store.CheckWriter;
import com.dts.apm.store.Database;
import com.dts.apm.store.Incidents;
import com.dts.apm.store.IntegrationStore;
import com.dts.apm.store.Outbox;
import com.dts.apm.store.SecretBox;
import com.dts.apm.store.SnapshotQueries;
import com.dts.apm.store.Storms;
import com.dts.apm.store.Vault;
import com.dts.apm.store.Webhooks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * What every command and the daemon open first: the configuration, the provider catalog, the database
 * and its keys, and the one instance of each store object over that database. Built with constructors in one
 * place; the daemon adds its moving parts on top. {@link #close()} closes the database.
 */
public final class Workspace implements AutoCloseable {
    private final Config config;
    private final ProviderCatalog catalog;
    private final Database database;
    private final SecretBox box;
    private final IntegrationStore integrations;
    private final CheckWriter checkWriter;
    private final CheckHistory history;
    private final SnapshotQueries snapshots;
    private final Outbox outbox;
    private final Storms storms;
    private final Incidents incidents;
    private final ApiTokens apiTokens;
    private final Webhooks webhooks;
    private final com.dts.apm.store.ReconnectLinks reconnectLinks;
    private final Clock clock;
    private final Config.Relay relay;

    private Workspace(
            Config config, ProviderCatalog catalog, Database database, SecretBox box, Clock clock, Config.Relay relay) {
        this.config = config;
        this.relay = relay;
        this.catalog = catalog;
        this.database = database;
        this.box = box;
        this.clock = clock;
        this.integrations = new IntegrationStore(database, box, clock);
        this.checkWriter = new CheckWriter(database, box);
        this.history = new CheckHistory(database);
        this.snapshots = new SnapshotQueries(database);
        this.outbox = new Outbox(database);
        this.storms = new Storms(database);
        this.incidents = new Incidents(database);
        this.apiTokens = new ApiTokens(database, clock);
        this.webhooks = new Webhooks(database);
        this.reconnectLinks = new com.dts.apm.store.ReconnectLinks(database, box, clock);
    }

    /** Opens everything; creates the database and, for a database without secrets, the first key. */
    public static Workspace open(Config config, Map<String, String> env, Clock clock) {
        var catalog = ProviderCatalog.load(config.providers().file());
        var database = Database.open(config.database());
        SecretBox box;
        try {
            // Several nodes share one PostgreSQL database and must share its key: none makes up a key of its own.
            box = Vault.unlock(
                    database,
                    keyFile(config, env),
                    config.secrets().keyFile() == null && !config.database().postgres(),
                    clock);
        } catch (RuntimeException e) { // a wrong or unreadable key: the command fails, the database is closed
            database.close();
            throw e;
        }
        return new Workspace(
                config, catalog, database, box, clock, config.alerts().relay().withCredential(env));
    }

    /**
     * The master key file: {@code secrets.key-file} when set; else the systemd credential
     * {@code $CREDENTIALS_DIRECTORY/master-key} when present; else {@code master.key} beside the database.
     */
    public static Path keyFile(Config config, Map<String, String> env) {
        if (config.secrets().keyFile() != null) {
            return config.secrets().keyFile();
        }
        var credentials = env.get("CREDENTIALS_DIRECTORY");
        if (credentials != null && Files.isRegularFile(Path.of(credentials, "master-key"))) {
            return Path.of(credentials, "master-key");
        }
        var dir = config.database().path().toAbsolutePath().getParent();
        return dir.resolve("master.key");
    }

    public Config config() {
        return config;
    }

    public ProviderCatalog catalog() {
        return catalog;
    }

    public Database database() {
        return database;
    }

    public SecretBox secrets() {
        return box;
    }

    public IntegrationStore integrations() {
        return integrations;
    }

    /** The alert relay, its password from the systemd credential {@code relay-password} when the config names no file. */
    public Config.Relay relay() {
        return relay;
    }

    public Clock clock() {
        return clock;
    }

    /** The write path of finished checks (one per process: it holds the group-commit queue). */
    public CheckWriter checkWriter() {
        return checkWriter;
    }

    public CheckHistory history() {
        return history;
    }

    public SnapshotQueries snapshots() {
        return snapshots;
    }

    public Outbox outbox() {
        return outbox;
    }

    public Storms storms() {
        return storms;
    }

    /** The webhook outbox: events, per-endpoint deliveries. */
    public Webhooks webhooks() {
        return webhooks;
    }

    /** The dealer-system API's tokens (hashes only). */
    public ApiTokens apiTokens() {
        return apiTokens;
    }

    /** The hosted reconnect page's links (hashes only). */
    public com.dts.apm.store.ReconnectLinks reconnectLinks() {
        return reconnectLinks;
    }

    public Incidents incidents() {
        return incidents;
    }

    @Override
    public void close() {
        database.close();
    }
}
