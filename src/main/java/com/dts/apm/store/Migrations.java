package com.dts.apm.store;

import com.dts.apm.ApmException;
import com.dts.apm.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned schema migrations kept in {@code db/migration/}. The applied version lives in SQLite's
 * {@code user_version}; each script runs in its own transaction together with the version bump.
 */
final class Migrations {
    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    /** In order; the version of a script is its position (1-based). Append only. */
    static final List<String> SCRIPTS = List.of("V001__init.sql", "V002__alerts.sql", "V003__snapshot_indexes.sql",
            "V004__api.sql", "V005__reconnect.sql");

    private Migrations() {}

    static int latest() {
        return SCRIPTS.size();
    }

    static void apply(Jdbi jdbi, Path file) {
        int current = jdbi.withHandle(h -> h.createQuery("PRAGMA user_version").mapTo(Integer.class).one());
        if (current > latest()) {
            throw new BadInputException("database " + file + " has schema version " + current
                    + " but this build knows only up to " + latest()
                    + ": it was written by a newer app-password-monitor; refusing to change it");
        }
        for (int v = current + 1; v <= latest(); v++) {
            var name = SCRIPTS.get(v - 1);
            var sql = read(name);
            int version = v;
            jdbi.useTransaction(h -> {
                h.createScript(sql).execute();
                h.execute("PRAGMA user_version = " + version);
            });
            log.info("database {}: applied migration {}", file, name);
        }
    }

    private static String read(String name) {
        try (InputStream in = Migrations.class.getResourceAsStream("/db/migration/" + name)) {
            if (in == null) {
                throw new IllegalStateException("migration " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + name, e);
        }
    }
}
