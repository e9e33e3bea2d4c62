package com.dts.apm.app;

import com.dts.apm.testing.PostgresDatabases;
import com.dts.apm.testing.PostgresServer;
import com.dts.apm.testing.TestConfig;
import java.sql.DriverManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every daemon round of {@link DaemonIT} (GreenMail, the command line, the daemon) with the database on PostgreSQL. */
class DaemonPostgresIT extends DaemonIT {
    @RegisterExtension
    static final PostgresServer pg = new PostgresServer();

    private PostgresDatabases databases;

    private PostgresDatabases databases() {
        if (databases == null) {
            databases = new PostgresDatabases(pg, dir);
        }
        return databases;
    }

    @Override
    TestConfig baseConfig() {
        return TestConfig.in(dir).postgres(databases());
    }

    @Override
    java.sql.Connection connect() throws java.sql.SQLException {
        var c = databases().config();
        return DriverManager.getConnection(c.url(), c.username(), pg.password());
    }

    @AfterEach
    void closePools() {
        if (databases != null) {
            databases.close();
        }
    }
}
