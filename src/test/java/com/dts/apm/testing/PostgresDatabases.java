package com.dts.apm.testing;

import com.dts.apm.config.Config;
import com.dts.apm.store.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One fresh database on a {@link PostgresServer} for one test, opened through the real {@code database.url} path
 * (the password from a file, the pool, the migrations) as often as the test likes; {@link #close()} closes every
 * pool it opened, so a class of tests never runs the server out of connections.
 */
public final class PostgresDatabases implements AutoCloseable {
    private final Config.Database config;
    private final List<Database> opened = new ArrayList<>();

    public PostgresDatabases(PostgresServer server, Path dir) {
        try {
            var pw = server.writePasswordFile(dir.resolve("pg-password"));
            this.config = new Config.Database(null, server.createDatabase(), server.username(), pw, 4);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code database:} settings of this database (for a config file, see {@link #yaml()}). */
    public Config.Database config() {
        return config;
    }

    /** The same as YAML lines under {@code database:}, indented by two spaces. */
    public String yaml() {
        return "  url: " + config.url() + "\n  username: " + config.username() + "\n  password-file: "
                + config.passwordFile() + "\n";
    }

    public synchronized Database open() {
        var db = Database.open(config);
        opened.add(db);
        return db;
    }

    @Override
    public synchronized void close() {
        opened.forEach(Database::close);
        opened.clear();
    }
}
