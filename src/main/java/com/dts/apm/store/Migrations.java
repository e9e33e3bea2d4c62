package com.dts.apm.store;

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
 * On PostgreSQL a script of the same name under {@code db/migration/postgresql/} replaces the shared one where
 * the SQL differs (a script written in SQL both take is kept once); the version is the highest row of
 * {@code schema_version}, and the whole run holds an advisory lock, so nodes started together migrate one at a time.
 */
final class Migrations {
    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    /** In order; the version of a script is its position (1-based). Append only. */
    static final List<String> SCRIPTS = List.of(
            "V001__init.sql",
            "V002__alerts.sql",
            "V003__snapshot_indexes.sql",
            "V004__api.sql",
            "V005__reconnect.sql",
            // shared, numbered after PostgreSQL's V006 (on SQLite, where the version is the position, it is 6)
            "V007__oauth.sql");

    /**
     * PostgreSQL's own versions beyond {@link #SCRIPTS}, under {@code db/migration/postgresql/}: what only several nodes
     * need (leases, Quartz's tables). Numbered after the shared ones they follow; a version is its file's number.
     */
    static final List<String> POSTGRES_ONLY = List.of("V006__cluster.sql");

    private Migrations() {}

    static int latest() {
        return SCRIPTS.size();
    }

    /** Every PostgreSQL script in version order: the shared list and {@link #POSTGRES_ONLY}. */
    static List<String> postgresScripts() {
        var all = new java.util.ArrayList<>(SCRIPTS);
        all.addAll(POSTGRES_ONLY);
        all.sort(java.util.Comparator.comparingInt(Migrations::version));
        return all;
    }

    /** The version in a script's name: {@code V006__cluster.sql} is 6. */
    static int version(String script) {
        return Integer.parseInt(script.substring(1, script.indexOf("__")));
    }

    static int latestPostgres() {
        var all = postgresScripts();
        return version(all.get(all.size() - 1));
    }

    static void apply(Jdbi jdbi, Path file) {
        int current = jdbi.withHandle(
                h -> h.createQuery("PRAGMA user_version").mapTo(Integer.class).one());
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

    /** Any fixed number, the same in every build: the advisory lock the migrators of one PostgreSQL database share. */
    static final long POSTGRES_LOCK = 0x61706d5f6d6967L; // "apm_mig"

    static void applyPostgres(Jdbi jdbi, String label) {
        jdbi.useHandle(h -> {
            h.createQuery("SELECT 1 FROM (SELECT pg_advisory_lock(:k)) l")
                    .bind("k", POSTGRES_LOCK)
                    .mapTo(Integer.class)
                    .one();
            try {
                h.execute(
                        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)");
                int current = h.createQuery("SELECT COALESCE(max(version), 0) FROM schema_version")
                        .mapTo(Integer.class)
                        .one();
                if (current > latestPostgres()) {
                    throw new BadInputException("database " + label + " has schema version " + current
                            + " but this build knows only up to " + latestPostgres()
                            + ": it was written by a newer app-password-monitor; refusing to change it");
                }
                for (var name : postgresScripts()) {
                    int version = version(name);
                    if (version <= current) {
                        continue;
                    }
                    var sql = readFirst("/db/migration/postgresql/" + name, "/db/migration/" + name);
                    h.useTransaction(t -> {
                        t.createScript(sql).execute();
                        t.createUpdate("INSERT INTO schema_version (version, applied_at) VALUES (:v, :at)")
                                .bind("v", version)
                                .bind("at", System.currentTimeMillis())
                                .execute();
                    });
                    log.info("database {}: applied migration {}", label, name);
                }
            } finally {
                h.createQuery("SELECT pg_advisory_unlock(:k)")
                        .bind("k", POSTGRES_LOCK)
                        .mapTo(Boolean.class)
                        .one();
            }
        });
    }

    private static String readFirst(String preferred, String shared) {
        try (InputStream in = Migrations.class.getResourceAsStream(preferred)) {
            if (in != null) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration " + preferred, e);
        }
        return read(shared.substring("/db/migration/".length()));
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
