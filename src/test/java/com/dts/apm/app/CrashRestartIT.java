package com.dts.apm.app;

import static com.dts.apm.app.DatabaseLockedIT.await;
import static com.dts.apm.app.DatabaseLockedIT.count;
import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.ChildJvm;
import com.dts.apm.testing.Cli;
import com.dts.apm.testing.TestConfig;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a real daemon process in the middle of a round, then a restart: the database is intact,
 * every check and alert recorded before the kill is still there, and the round resumes where it stopped: what was
 * checked is not checked again (no burst), what was not is checked once, each confirmed failure has one alert.
 */
class CrashRestartIT {
    private static final int GOOD = 50;
    private static final int BAD = 10;

    @TempDir
    Path dir;

    private GreenMail mail;
    private Path config;
    private Path db;
    private Path log;
    private Process daemon;

    @BeforeEach
    void setUp() throws Exception {
        mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.IMAP}));
        mail.start();
        db = dir.resolve("data/apm.db");
        log = dir.resolve("daemon.log");
        config = dir.resolve("apm.yml");
        TestConfig.in(dir)
                .schedule(s -> s.quick()
                        .interval("1h")
                        .failingRecheckInterval("1h")
                        .maxConcurrentChecks(2)
                        .maxConcurrentPerProvider(2)
                        .loginsPerSecondPerProvider(10)
                        .shutdownGrace("5s"))
                .writeTo(config);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        mail.stop();
    }

    private List<Long> addAll() {
        var cli = new Cli(config);
        var ids = new ArrayList<Long>();
        for (int i = 0; i < BAD + GOOD; i++) {
            var email = (i < BAD ? "bad" : "good") + i + "@dealer-k.test";
            mail.setUser(email, email, "right-app-password-" + i);
            var stored = i < BAD ? "revoked-app-password-" + i : "right-app-password-" + i;
            var r = cli.runWithInput(
                    stored + "\n",
                    "integrations",
                    "add",
                    "--dealer-id",
                    "D-K" + (i % 7),
                    "--email",
                    email,
                    "--provider",
                    "custom",
                    "--protocols",
                    "imap",
                    "--imap-host",
                    "127.0.0.1",
                    "--imap-port",
                    String.valueOf(mail.getImap().getPort()),
                    "--imap-security",
                    "plain",
                    "--password-stdin");
            assertThat(r.exit()).as(r.err()).isZero();
            ids.add(Long.parseLong(r.out().strip()));
        }
        return ids;
    }

    private Process startDaemon() throws Exception {
        return ChildJvm.main(dir, log, "--config", config.toString(), "run").start();
    }

    private static Set<Long> ids(Connection c, String sql) throws Exception {
        var out = new HashSet<Long>();
        try (var st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    private String daemonLog() {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (Exception e) {
            return e.toString();
        }
    }

    @Test
    void killDashNineMidRoundLosesNothingAndResumesWithoutABurst() throws Exception {
        var all = addAll();
        Set<Long> checksBefore;
        Set<Long> alertsBefore;
        long uncheckedAtKill;
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
                var st = c.createStatement()) {
            // first the bad ones alone, so their alerts are written before the kill
            st.executeUpdate("UPDATE integration SET next_check_at = next_check_at + 3600000 WHERE email LIKE 'good%'");
        }
        daemon = startDaemon();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            await("every bad integration confirmed FAILING", Duration.ofSeconds(120), () -> {
                assertThat(daemon.isAlive()).as(this::daemonLog).isTrue();
                return count(c, "SELECT count(*) FROM integration WHERE state = 'FAILING'") == BAD;
            });
            try (var st = c.createStatement()) {
                // then the round of the good ones, as if they had all come due now
                st.executeUpdate("UPDATE integration SET next_check_at = 0 WHERE email LIKE 'good%'");
            }
            await("part of the round done", Duration.ofSeconds(120), () -> {
                assertThat(daemon.isAlive()).as(this::daemonLog).isTrue();
                return count(
                                c,
                                "SELECT count(*) FROM integration WHERE email LIKE 'good%' AND last_checked_at IS NOT NULL")
                        >= 12;
            });
            checksBefore = ids(c, "SELECT id FROM check_result");
            alertsBefore = ids(c, "SELECT id FROM alert_outbox");
            uncheckedAtKill = count(c, "SELECT count(*) FROM integration WHERE last_checked_at IS NULL");
        }
        daemon.destroyForcibly(); // SIGKILL: no shutdown hook, no graceful stop
        assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(uncheckedAtKill).as("killed in the middle of the round").isPositive();
        assertThat(alertsBefore).hasSize(BAD);

        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
                var st = c.createStatement()) {
            try (var rs = st.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
            assertThat(ids(c, "SELECT id FROM check_result")).containsAll(checksBefore);
            assertThat(ids(c, "SELECT id FROM alert_outbox")).containsAll(alertsBefore);
        }

        daemon = startDaemon();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            await("the round finished after the restart", Duration.ofSeconds(180), () -> {
                assertThat(daemon.isAlive()).as(this::daemonLog).isTrue();
                return count(c, "SELECT count(*) FROM integration WHERE last_checked_at IS NULL") == 0
                        && count(c, "SELECT count(*) FROM integration WHERE state = 'FAILING'") == BAD;
            });
            // a burst would be rows due again: none is due within the next 50 minutes, and none is in flight (a
            // claimed row stays due until its check is recorded), so nothing is left for the dispatcher to claim
            assertThat(count(
                            c,
                            "SELECT count(*) FROM integration WHERE next_check_at < "
                                    + (System.currentTimeMillis()
                                            + Duration.ofMinutes(50).toMillis())))
                    .as("rows due again")
                    .isZero();
            assertThat(ids(c, "SELECT id FROM check_result")).containsAll(checksBefore);
            assertThat(ids(c, "SELECT id FROM alert_outbox")).containsAll(alertsBefore);
            for (var id : all.subList(BAD, BAD + GOOD)) {
                assertThat(count(c, "SELECT count(*) FROM check_result WHERE integration_id = " + id))
                        .as("integration %d checked exactly once across the kill", id)
                        .isEqualTo(1);
            }
            for (var id : all.subList(0, BAD)) {
                assertThat(count(
                                c,
                                "SELECT count(*) FROM alert_outbox WHERE kind = 'failure' AND integration_id = " + id))
                        .as("one failure alert for integration %d", id)
                        .isEqualTo(1);
                assertThat(count(c, "SELECT count(*) FROM check_result WHERE integration_id = " + id))
                        .as("integration %d: one check, one confirming re-check", id)
                        .isEqualTo(2);
            }
            assertThat(count(c, "SELECT count(*) FROM alert_outbox WHERE status = 'PENDING'"))
                    .isEqualTo(count(c, "SELECT count(*) FROM alert_outbox"));
        }
        daemon.destroy(); // SIGTERM: an orderly stop now
        assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(daemon.exitValue()).as(this::daemonLog).isZero();
    }
}
