package com.dts.apm.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.DriverManager;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ReadConnectionsIT {
    @TempDir
    Path dir;

    private Database open() {
        return Database.open(dir.resolve("apm.db"));
    }

    private static long storms(Database db) {
        return db.reads()
                .withHandle(h -> h.createQuery("SELECT count(*) FROM storm")
                        .mapTo(Long.class)
                        .one());
    }

    private static long pragma(Handle h, String name) {
        return h.createQuery("PRAGMA " + name).mapTo(Long.class).one();
    }

    @Test
    void pooledReadConnectionsCarryThePragmasOfEveryConnection() {
        var db = open();
        db.reads().useHandle(h -> {
            assertThat(pragma(h, "foreign_keys")).isEqualTo(1);
            assertThat(pragma(h, "busy_timeout")).isEqualTo(5000);
            assertThat(pragma(h, "synchronous")).isEqualTo(2); // FULL
            assertThat(pragma(h, "query_only")).isEqualTo(1);
            assertThat(h.createQuery("PRAGMA journal_mode").mapTo(String.class).one())
                    .isEqualTo("wal");
        });
    }

    @Test
    void readsReuseOneConnectionInsteadOfOpeningOneEach() throws Exception {
        var db = open();
        var first = db.reads().withHandle(Handle::getConnection);
        var second = db.reads().withHandle(Handle::getConnection);
        assertThat(second).isSameAs(first);
        assertThat(first.isClosed()).isFalse();
        db.close();
        assertThat(first.isClosed()).isTrue();
        // after close a read still works, on a connection of its own
        assertThat((long) db.reads().withHandle(h -> pragma(h, "user_version"))).isEqualTo(Migrations.latest());
    }

    @Test
    void aWriteThroughTheReadPoolFailsAndLeavesNothingBehind() {
        var db = open();
        assertThatThrownBy(() -> db.reads()
                        .useHandle(h ->
                                h.execute("INSERT INTO storm (provider, started_at, reason) VALUES ('x', 1, 'r')")))
                .hasMessageContaining("readonly");
        // transactions begin IMMEDIATE (a write intent): refused too
        assertThatThrownBy(() -> db.reads().useTransaction(h -> h.execute("DELETE FROM storm")))
                .isInstanceOf(org.jdbi.v3.core.transaction.TransactionException.class);
        assertThat(storms(db)).isZero();
        // the writer still writes
        db.inWriteTransaction(h -> h.execute("INSERT INTO storm (provider, started_at, reason) VALUES ('x', 1, 'r')"));
        assertThat(storms(db)).isOne();
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void readsAnswerWhileAnotherProcessHoldsTheDatabaseLockedAndSeeItsCommitAfterwards() throws Exception {
        var db = open();
        storms(db); // one pooled connection
        try (var other = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("apm.db"));
                var st = other.createStatement()) {
            st.execute("BEGIN EXCLUSIVE");
            st.execute("INSERT INTO storm (provider, started_at, reason) VALUES ('locked', 1, 'r')");
            // WAL: a reader reads the last commit while another connection writes
            assertThat(storms(db)).isZero();
            st.execute("COMMIT");
        }
        // the pooled connection holds no old snapshot
        assertThat(storms(db)).isOne();
    }

    @Test
    void theDatabaseFileStaysOwnerOnlyWithPooledReads() throws Exception {
        var db = open();
        for (int i = 0; i < 3; i++) {
            db.reads()
                    .useHandle(h -> h.createQuery("SELECT count(*) FROM integration")
                            .mapTo(Long.class)
                            .one());
        }
        for (var name : new String[] {"apm.db", "apm.db-wal", "apm.db-shm"}) {
            var f = dir.resolve(name);
            if (Files.exists(f)) {
                assertThat(Files.getPosixFilePermissions(f))
                        .as(name)
                        .containsOnly(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            }
        }
    }
}
