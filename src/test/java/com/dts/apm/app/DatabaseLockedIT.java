package com.dts.apm.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.config.ConfigLoader;
import com.dts.apm.store.IntegrationState;
import com.dts.apm.testing.Await;
import com.dts.apm.testing.Cli;
import com.dts.apm.testing.LogCapture;
import com.dts.apm.testing.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another process holds SQLite's write lock longer than the busy timeout while checks finish: the daemon keeps
 * the results (retrying the write), does not log in again, stays healthy, and says so once.
 */
class DatabaseLockedIT {
    @TempDir
    Path dir;

    static List<Long> addSlowIntegrations(Cli cli, int port, int n) {
        var ids = new ArrayList<Long>();
        for (int i = 0; i < n; i++) {
            var r = cli.runWithInput(
                    "slow-app-password\n",
                    "integrations",
                    "add",
                    "--dealer-id",
                    "D-L",
                    "--email",
                    "locked" + i + "@dealer-l.test",
                    "--provider",
                    "custom",
                    "--protocols",
                    "imap",
                    "--imap-host",
                    "127.0.0.1",
                    "--imap-port",
                    String.valueOf(port),
                    "--imap-security",
                    "plain",
                    "--password-stdin");
            assertThat(r.exit()).as(r.err()).isZero();
            ids.add(Long.parseLong(r.out().strip()));
        }
        return ids;
    }

    static Path writeConfig(Path dir, Path db) {
        return TestConfig.in(dir)
                .database(db)
                .schedule(s -> s.interval("1h")
                        .jitter("0s")
                        .maxConcurrentPerProvider(8)
                        .loginsPerSecondPerProvider(100)
                        .shutdownGrace("5s"))
                .writeTo(dir.resolve("apm.yml"));
    }

    /** The await the daemon ITs share (one implementation: {@link Await}). */
    static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, limit, condition);
    }

    static long count(Connection c, String sql) {
        try (var st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static int healthz(App app) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/healthz"))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void checksKeepTheirResultsWhileAnotherProcessHoldsTheWriteLock() throws Exception {
        var db = dir.resolve("data/apm.db");
        var config = writeConfig(dir, db);
        try (var slow = new SlowImapServer(1500)) {
            var ids = addSlowIntegrations(new Cli(config), slow.port(), 4);
            try (var logs = new LogCapture();
                    var app = App.start(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC());
                    var blocker = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                // the logins are under way (1.5 s each); take the write lock like another process would
                try (var st = blocker.createStatement()) {
                    st.execute("BEGIN EXCLUSIVE");
                    st.executeUpdate("UPDATE dealer SET name = name");
                }
                await("every login done", Duration.ofSeconds(30), () -> slow.logins.get() >= 4);
                await(
                        "the failed write reported",
                        Duration.ofSeconds(30),
                        () -> logs.text().contains("recording check results failed"));
                // hold on until every one of the 4 results has met the lock (each refusal is one line: the first at
                // ERROR, the repeats at DEBUG) and is held for a retry
                await(
                        "every result refused and held",
                        Duration.ofSeconds(30),
                        () -> logs.text()
                                        .lines()
                                        .filter(l -> l.contains("recording check results failed")
                                                || l.contains("recording check results still failing"))
                                        .count()
                                >= 4);
                assertThat(count(blocker, "SELECT count(*) FROM check_result")).isZero();
                assertThat(healthz(app))
                        .as("the daemon answers while the database is locked")
                        .isEqualTo(200);
                try (var st = blocker.createStatement()) {
                    st.execute("ROLLBACK");
                }
                await(
                        "results recorded once the lock is gone",
                        Duration.ofSeconds(60),
                        () -> count(blocker, "SELECT count(*) FROM check_result") == 4);
                assertThat(ids)
                        .allSatisfy(id -> assertThat(
                                        app.workspace().integrations().get(id).state())
                                .isEqualTo(IntegrationState.HEALTHY));
                assertThat(slow.logins.get())
                        .as("no second login while the results were held")
                        .isEqualTo(4);
                var text = logs.text();
                assertThat(text.lines()
                                .filter(l -> l.contains("recording check results failed"))
                                .count())
                        .isEqualTo(1);
                assertThat(text)
                        .contains("the database is locked by another process")
                        .contains("recording check results works again");
                assertThat(healthz(app)).isEqualTo(200);
            }
        }
    }

    /**
     * A check gives its login slot back before it writes: while the writes wait, the next logins go ahead, but no
     * more results wait unwritten than the cap again (issue 16: the slot was held for the write).
     */
    @Test
    void whileResultsWaitToBeWrittenTheNextLoginsGoAheadUpToTwiceTheCap() throws Exception {
        var db = dir.resolve("data/apm.db");
        var config = TestConfig.in(dir)
                .database(db)
                .schedule(s -> s.interval("1h")
                        .jitter("0s")
                        .maxConcurrentChecks(2)
                        .maxConcurrentPerProvider(8)
                        .loginsPerSecondPerProvider(100)
                        .shutdownGrace("5s"))
                .writeTo(dir.resolve("apm.yml"));
        try (var slow = new SlowImapServer(1500)) {
            addSlowIntegrations(new Cli(config), slow.port(), 6);
            try (var app = App.start(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC());
                    var blocker = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                // the first 2 logins are under way (1.5 s each); take the write lock like another process would
                try (var st = blocker.createStatement()) {
                    st.execute("BEGIN EXCLUSIVE");
                    st.executeUpdate("UPDATE dealer SET name = name");
                }
                await(
                        "4 logins: 2 at once, then 2 more while the first 2 wait to write",
                        Duration.ofSeconds(30),
                        () -> slow.asked.get() >= 4);
                // a third pair would have logged in within 1.5 s more if nothing held it back
                Thread.sleep(2_500);
                assertThat(slow.asked.get())
                        .as("no more than 2 logging in plus 2 waiting to write")
                        .isEqualTo(4);
                assertThat(count(blocker, "SELECT count(*) FROM check_result")).isZero();
                assertThat(healthz(app)).isEqualTo(200);
                try (var st = blocker.createStatement()) {
                    st.execute("ROLLBACK");
                }
                await(
                        "all 6 recorded once the lock is gone",
                        Duration.ofSeconds(60),
                        () -> count(blocker, "SELECT count(*) FROM check_result") == 6);
                assertThat(slow.logins.get())
                        .as("each mailbox logged in to once")
                        .isEqualTo(6);
            }
        }
    }
}
