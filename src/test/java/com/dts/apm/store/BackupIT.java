package com.dts.apm.store;

import static com.dts.apm.testing.Integrations.anIntegration;
import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.config.Secret;
import com.dts.apm.testing.Cli;
import com.dts.apm.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupIT {
    @TempDir
    Path dir;

    private Path db() {
        return dir.resolve("data/apm.db");
    }

    private Cli cli() throws Exception {
        var config = dir.resolve("apm.yml");
        TestConfig.in(dir)
                .database(db())
                .keyFile(dir.resolve("data/master.key"))
                .noHttpPort()
                .writeTo(config);
        return new Cli(config);
    }

    @Test
    void copiesEveryCommittedRowWhileAWriterKeepsInserting() throws Exception {
        var clock = Clock.systemUTC();
        var database = Database.open(db());
        var store = new IntegrationStore(
                database, Vault.unlock(database, dir.resolve("data/master.key"), true, clock), clock);
        long integration = store.add(
                anIntegration()
                        .withEmail("sales@gmail.com")
                        .withProvider("gmail")
                        .build(),
                Secret.of("pw-1"));

        var lastCommitted = new AtomicLong();
        var stop = new AtomicBoolean();
        var failure = new AtomicReference<Throwable>();
        var writer = new Thread(
                () -> {
                    try {
                        while (!stop.get()) {
                            long id = database.jdbi()
                                    .inTransaction(h -> h.createUpdate(
                                                    "INSERT INTO check_result (integration_id, checked_at, protocol, outcome, duration_ms, detail)"
                                                            + " VALUES (?, ?, 'imap', 'OK', 12, 'filler text to make pages')")
                                            .bind(0, integration)
                                            .bind(1, System.currentTimeMillis())
                                            .executeAndReturnGeneratedKeys("id")
                                            .mapTo(Long.class)
                                            .one());
                            lastCommitted.set(id);
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                },
                "writer");
        writer.start();
        while (lastCommitted.get() < 200) {
            Thread.sleep(5);
        }
        long before = lastCommitted.get();
        var target = dir.resolve("backup.db");
        var result = cli().run("db", "backup", target.toString());
        long after = lastCommitted.get();
        stop.set(true);
        writer.join(10_000);

        assertThat(failure.get()).isNull();
        assertThat(result.exit()).as(result.all()).isZero();
        assertThat(result.out()).contains("integrity ok");
        assertThat(after).as("the writer kept committing during the backup").isGreaterThan(before);
        assertThat(Files.getPosixFilePermissions(target))
                .containsOnly(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + target);
                var st = c.createStatement()) {
            try (var rs = st.executeQuery("PRAGMA integrity_check")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
            try (var rs = st.executeQuery("SELECT count(*), max(id) FROM check_result WHERE id <= " + before)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1))
                        .as("every row committed before the backup began")
                        .isEqualTo(before);
            }
            try (var rs = st.executeQuery("SELECT count(*) FROM integration")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void refusesToOverwriteAnExistingFile() throws Exception {
        Database.open(db());
        var target = dir.resolve("exists.db");
        Files.writeString(target, "precious");
        var result = cli().run("db", "backup", target.toString());
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err().strip())
                .startsWith("error: backup file")
                .contains("already exists")
                .doesNotContain("\n");
        assertThat(Files.readString(target)).isEqualTo("precious");
    }

    @Test
    void aMissingFileIsAUsageErrorPointingAtTheRightHelp() throws Exception {
        var result = cli().run("db", "backup");
        assertThat(result.exit()).isEqualTo(2);
        assertThat(result.err())
                .contains("Missing required parameter: 'FILE'")
                .contains("(see: app-password-monitor db backup --help)");
    }

    @Test
    void refusesAMissingDatabaseOrFolderWithoutCreatingAnything() throws Exception {
        var missingDb = cli().run("db", "backup", dir.resolve("b.db").toString());
        assertThat(missingDb.exit()).isEqualTo(2);
        assertThat(missingDb.err()).contains("does not exist");
        assertThat(db()).doesNotExist();
        assertThat(dir.resolve("b.db")).doesNotExist();

        Database.open(db());
        var missingFolder = cli().run("db", "backup", dir.resolve("nope/b.db").toString());
        assertThat(missingFolder.exit()).isEqualTo(2);
        assertThat(missingFolder.err()).contains("backup folder");
    }
}
