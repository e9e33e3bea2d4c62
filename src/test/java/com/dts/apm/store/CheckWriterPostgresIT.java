package com.dts.apm.store;

import com.dts.apm.testing.PostgresDatabases;
import com.dts.apm.testing.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link CheckWriterIT} on a real PostgreSQL. */
class CheckWriterPostgresIT extends CheckWriterIT {
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
        Assumptions.abort("SQLite only: EXPLAIN QUERY PLAN, the file lock of another process");
    }

    @AfterEach
    void closePools() {
        if (databases != null) {
            databases.close();
        }
    }
}
