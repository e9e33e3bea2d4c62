package com.dts.apm.app;

import static com.dts.apm.app.DatabaseLockedIT.addSlowIntegrations;
import static com.dts.apm.app.DatabaseLockedIT.await;
import static com.dts.apm.app.DatabaseLockedIT.count;
import static com.dts.apm.app.DatabaseLockedIT.healthz;
import static com.dts.apm.app.DatabaseLockedIT.writeConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.config.ConfigLoader;
import com.dts.apm.store.IntegrationState;
import com.dts.apm.testing.Cli;
import com.dts.apm.testing.LogCapture;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file system under the database fills up while checks finish (a small tmpfs; skipped with the reason where
 * this machine cannot mount one): a clear error, logged once, no corruption, no lost result, no second login, and
 * recovery as soon as space returns.
 */
class DiskFullIT {
    @TempDir
    Path dir;

    private Path disk;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "tmpfs needs Linux");
        disk = Files.createDirectories(dir.resolve("disk"));
        var r = run("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", disk.toString());
        Assumptions.assumeTrue(r.isEmpty(), () -> {
            var reason = "skipped: cannot mount a small tmpfs here (needs root or CAP_SYS_ADMIN): " + r;
            System.out.println(reason);
            return reason;
        });
    }

    @AfterEach
    void unmount() throws Exception {
        if (disk != null && !run("mountpoint", "-q", disk.toString()).equals("exit 1")) {
            var r = run("umount", disk.toString());
            if (!r.isEmpty()) {
                run("umount", "-l", disk.toString());
            }
        }
    }

    /** Empty when the command succeeded, else its exit code and output. */
    private static String run(String... cmd) throws Exception {
        try {
            var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            return p.exitValue() == 0 ? "" : ("exit " + p.exitValue() + (out.isEmpty() ? "" : ": " + out));
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    /** Writes until the file system refuses; returns the filler to delete. */
    private static Path fill(Path where) throws IOException {
        var filler = where.resolve("filler");
        var block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // ENOSPC: the disk is full now
        }
        return filler;
    }

    private static String integrity(Path db) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
                var st = c.createStatement();
                var rs = st.executeQuery("PRAGMA integrity_check")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void aFullDiskHoldsTheResultsAndRecoversWhenSpaceReturns() throws Exception {
        var db = disk.resolve("apm.db");
        var config = writeConfig(dir, db);
        var cli = new Cli(config);
        try (var slow = new SlowImapServer(1500)) {
            var ids = addSlowIntegrations(cli, slow.port(), 4);
            try (var logs = new LogCapture();
                    var app = App.start(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC())) {
                // fill up once the logins are under way (1.5 s each), so it is their results that meet the full disk
                await(
                        "every login under way",
                        Duration.ofSeconds(60),
                        () -> slow.current.get() + slow.logins.get() >= 4);
                var filler = fill(disk);
                await("every login done", Duration.ofSeconds(30), () -> slow.logins.get() >= 4);
                await(
                        "the failed write reported",
                        Duration.ofSeconds(30),
                        () -> logs.text().contains("recording check results failed"));
                assertThat(logs.text()).contains("the disk is full");

                // the command line says so in one line instead of a stack trace
                var r = cli.runWithInput(
                        "another-app-password\n",
                        "integrations",
                        "add",
                        "--dealer-id",
                        "D-F",
                        "--email",
                        "full@dealer-f.test",
                        "--provider",
                        "custom",
                        "--protocols",
                        "imap",
                        "--imap-host",
                        "127.0.0.1",
                        "--imap-port",
                        String.valueOf(slow.port()),
                        "--imap-security",
                        "plain",
                        "--password-stdin");
                assertThat(r.exit()).as(r.all()).isNotZero();
                assertThat(r.err().strip())
                        .startsWith("error:")
                        .contains("disk is full")
                        .doesNotContain("\n");

                // still running and answering; with no room even for the shared-memory file, reads may fail too,
                // and /healthz may say so (503) until space returns
                assertThat(healthz(app)).isIn(200, 503);

                Files.delete(filler);
                await("results recorded once space returned", Duration.ofSeconds(60), () -> {
                    try (var c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                        return count(c, "SELECT count(*) FROM check_result") >= 4;
                    } catch (Exception e) {
                        return false; // a fresh connection each time: one opened while the disk was full may not see
                        // the writes
                    }
                });
                try (var c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                    assertThat(count(c, "SELECT count(*) FROM check_result"))
                            .as("each result recorded once, none twice")
                            .isEqualTo(4);
                }
                assertThat(ids)
                        .allSatisfy(id -> assertThat(
                                        app.workspace().integrations().get(id).state())
                                .isEqualTo(IntegrationState.HEALTHY));
                assertThat(slow.logins.get())
                        .as("no second login while the results were held")
                        .isEqualTo(4);
                assertThat(logs.text()
                                .lines()
                                .filter(l -> l.contains("recording check results failed"))
                                .count())
                        .isEqualTo(1);
                assertThat(logs.text()).contains("recording check results works again");
                assertThat(integrity(db)).isEqualTo("ok");
                await("healthy again", Duration.ofSeconds(30), () -> {
                    try {
                        return healthz(app) == 200;
                    } catch (Exception e) {
                        return false;
                    }
                });
            }
            assertThat(integrity(db)).isEqualTo("ok");
        }
    }
}
