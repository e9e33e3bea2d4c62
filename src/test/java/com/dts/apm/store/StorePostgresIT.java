package com.dts.apm.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.PostgresDatabases;
import com.dts.apm.testing.PostgresServer;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every test of {@link StoreIT} on a real PostgreSQL (a fresh database each); the SQLite-file tests skip. */
class StorePostgresIT extends StoreIT {
    @RegisterExtension
    static final PostgresServer pg = new PostgresServer();

    private PostgresDatabases databases;

    @Override
    Database openDb() {
        if (databases == null) {
            databases = new PostgresDatabases(pg, dir);
        }
        return databases.open();
    }

    @Override
    void assumeSqlite() {
        Assumptions.abort("SQLite only: the file, its pragmas and its bytes");
    }

    @Override
    int schemaVersion(Database db) {
        return db.jdbi()
                .withHandle(h -> h.createQuery("SELECT max(version) FROM schema_version")
                        .mapTo(Integer.class)
                        .one());
    }

    @Override
    void setSchemaVersion(Database db, int version) {
        db.jdbi().useHandle(h -> h.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, 0)", version));
    }

    @Override
    void failSealingOf(Database db, long id) {
        db.jdbi().useHandle(h -> {
            h.execute(
                    "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'interrupted'; END $$");
            h.execute("CREATE TRIGGER boom BEFORE UPDATE OF secret_ciphertext ON integration FOR EACH ROW"
                    + " WHEN (NEW.id = " + id + ") EXECUTE FUNCTION boom()");
        });
    }

    /** Nodes started together on an empty database: the advisory lock lets one migrate, the others find it done. */
    @Test
    void nodesStartedTogetherMigrateOneAtATime() throws Exception {
        var databases = new PostgresDatabases(pg, dir);
        try {
            var pool = Executors.newFixedThreadPool(4);
            var go = new CountDownLatch(1);
            var opened = new ArrayList<Future<Database>>();
            for (int i = 0; i < 4; i++) {
                opened.add(pool.submit(() -> {
                    go.await();
                    return databases.open();
                }));
            }
            go.countDown();
            for (var f : opened) {
                assertThat(f.get(60, TimeUnit.SECONDS).answers()).isTrue();
            }
            pool.shutdown();
            var versions = databases
                    .open()
                    .jdbi()
                    .withHandle(h -> h.createQuery("SELECT version FROM schema_version ORDER BY version")
                            .mapTo(Integer.class)
                            .list());
            // every version once, in order: the shared scripts (1 to 5, 7) and PostgreSQL's own (6)
            assertThat(versions)
                    .containsExactly(1, 2, 3, 4, 5, 6, 7)
                    .containsExactlyElementsOf(Migrations.postgresScripts().stream()
                            .map(Migrations::version)
                            .toList());
        } finally {
            databases.close();
        }
    }

    @AfterEach
    void closePools() {
        if (databases != null) {
            databases.close();
        }
    }
}
