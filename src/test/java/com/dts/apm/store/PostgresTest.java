package com.dts.apm.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

class PostgresTest {
    @Test
    void namesOnlyTheServersOfAUrl() {
        assertThat(Postgres.server("jdbc:postgresql://db.example:6432/apm?user=apm&password=secret"))
                .isEqualTo("db.example:6432");
        assertThat(Postgres.server("jdbc:postgresql://db.example/apm")).isEqualTo("db.example:5432");
        assertThat(Postgres.server("jdbc:postgresql://a:5432,b/apm?targetServerType=primary"))
                .isEqualTo("a:5432,b:5432");
        assertThat(Postgres.server("jdbc:postgresql://[::1]:5433/apm")).isEqualTo("[::1]:5433");
        assertThat(Postgres.server("jdbc:postgresql://[::1]/apm")).isEqualTo("[::1]:5432");
        assertThat(Postgres.server("jdbc:postgresql://apm:secret@db.example:5432/apm"))
                .isEqualTo("db.example:5432");
        assertThat(Postgres.server("jdbc:postgresql://?user=apm")).isEqualTo("localhost:5432");
        assertThat(Postgres.server("jdbc:postgresql:apm")).isEqualTo("localhost:5432");
    }

    @Test
    void tellsAnUnreachableDatabaseFromOtherFailures() {
        assertThat(Database.unreachable(new RuntimeException(new SQLException("refused", "08001"))))
                .isTrue();
        assertThat(Database.unreachable(new SQLException("I/O error", "08006"))).isTrue();
        assertThat(Database.unreachable(new SQLTransientConnectionException("apm-db - Connection is not available")))
                .isTrue();
        assertThat(Database.unreachable(new SQLException("the database system is starting up", "57P03")))
                .isTrue();
        assertThat(Database.unreachable(new SQLException("terminating connection", "57P01")))
                .isTrue();
        assertThat(Database.unreachable(new SQLException("deadlock", "40P01"))).isFalse();
        assertThat(Database.unreachable(new SQLException("password authentication failed", "28P01")))
                .isFalse();
        assertThat(Database.unreachable(new SQLiteException("unable to open", SQLiteErrorCode.SQLITE_CANTOPEN)))
                .isTrue();
        assertThat(Database.unreachable(new SQLiteException("locked", SQLiteErrorCode.SQLITE_BUSY)))
                .isFalse();
        assertThat(Database.unreachable(new IllegalStateException(new ConnectException("refused"))))
                .isFalse();
    }
}
