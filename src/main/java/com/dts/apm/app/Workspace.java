package com.dts.apm.app;

import com.dts.apm.config.Config;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.store.Database;
import com.dts.apm.store.IntegrationStore;
import com.dts.apm.store.SecretBox;
import com.dts.apm.store.Vault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * What every command and the daemon open first: the configuration, the provider catalog, the database
 * and its keys. Built with constructors in one place; the daemon adds its moving parts on top.
 */
public final class Workspace {
    private final Config config;
    private final ProviderCatalog catalog;
    private final Database database;
    private final SecretBox box;
    private final IntegrationStore integrations;
    private final Clock clock;
    private final Config.Relay relay;

    private Workspace(Config config, ProviderCatalog catalog, Database database, SecretBox box, Clock clock,
            Config.Relay relay) {
        this.config = config;
        this.relay = relay;
        this.catalog = catalog;
        this.database = database;
        this.box = box;
        this.clock = clock;
        this.integrations = new IntegrationStore(database, box, clock);
    }

    /** Opens everything; creates the database and, for a database without secrets, the first key. */
    public static Workspace open(Config config, Map<String, String> env, Clock clock) {
        var catalog = ProviderCatalog.load(config.providers().file());
        var database = Database.open(config.database().path());
        var keyFile = keyFile(config, env);
        var box = Vault.unlock(database, keyFile, config.secrets().keyFile() == null, clock);
        return new Workspace(config, catalog, database, box, clock, config.alerts().relay().withCredential(env));
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
}
