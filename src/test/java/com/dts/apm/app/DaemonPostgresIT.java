package com.dts.apm.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.dts.apm.store.IntegrationState;
import com.dts.apm.testing.Await;
import com.dts.apm.testing.LogCapture;
import com.dts.apm.testing.PostgresDatabases;
import com.dts.apm.testing.PostgresServer;
import com.dts.apm.testing.TestConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
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

    /**
     * PostgreSQL stopped (as a crash would) and started again while the daemon runs: /healthz says 503 meanwhile,
     * the daemon reconnects by itself and goes on checking, and the outage is one ERROR line for the node (whatever
     * the loops and Quartz's job store met) naming only the server, and one INFO line with its duration when the
     * database answers again. Every failed loop is still counted in apm_loop_errors_total.
     */
    @Test
    void survivesAPostgresOutageAndReconnectsByItself() throws Exception {
        var ids =
                java.util.List.of(add("o1@dealer-o.test", "pw-o1-app-pass"), add("o2@dealer-o.test", "pw-o2-app-pass"));
        try (var logs = new LogCapture();
                var app = start()) {
            Await.until(
                    "both healthy",
                    Duration.ofSeconds(20),
                    () -> ids.stream().allMatch(id -> state(app, id) == IntegrationState.HEALTHY));
            assertThat(health(app)).isEqualTo(200);
            double loopErrorsBefore = loopErrors(app);
            pg.kill();
            var down = System.nanoTime();
            Await.until("healthz 503", Duration.ofSeconds(15), () -> health(app) == 503);
            Thread.sleep(Math.max(
                    0,
                    OUTAGE.toMillis()
                            - Duration.ofNanos(System.nanoTime() - down).toMillis()));
            pg.restart();
            Await.until("healthz 200 again", Duration.ofSeconds(30), () -> health(app) == 200);
            long after = countChecks();
            Await.until("checks recorded after the restart", Duration.ofSeconds(30), () -> {
                try {
                    return countChecks() >= after + 4;
                } catch (Exception e) {
                    return false;
                }
            });
            // the clustered job store (Quartz's own tables) fires again too: the alert round (every 10 s) after the
            // restart
            long restartedAt = System.currentTimeMillis();
            Await.until("the clustered alert job fired after the restart", Duration.ofSeconds(40), () -> {
                try (var c = connect();
                        var rs = c.createStatement()
                                .executeQuery(
                                        "SELECT prev_fire_time FROM qrtz_triggers WHERE trigger_name = 'alerts'")) {
                    return rs.next() && rs.getLong(1) > restartedAt;
                } catch (Exception e) {
                    return false;
                }
            });
            var errors = logs.atLeast(Level.ERROR);
            // one for the node: not one per loop (dispatch, node count, check writes), nor Quartz's own
            assertThat(errors).as(String.join("\n", errors)).hasSize(1);
            var server = "127.0.0.1:" + pg.port();
            assertThat(errors.get(0))
                    .matches("ERROR database " + java.util.regex.Pattern.quote(server)
                            + " unreachable \\(SQLState 08\\w{3}, [\\w.$]+(, root [\\w.$]+)?\\)(?s).*")
                    .doesNotContain(pg.username())
                    .doesNotContain("jdbc:");
            var recovered = logs.atLeast(Level.INFO).stream()
                    .filter(l -> l.startsWith("INFO database ") && l.contains("answers again"))
                    .toList();
            assertThat(recovered).hasSize(1);
            var duration = java.util.regex.Pattern.compile("INFO database " + java.util.regex.Pattern.quote(server)
                            + " answers again after an outage of (\\d+)s")
                    .matcher(recovered.get(0));
            assertThat(duration.matches()).as(recovered.get(0)).isTrue();
            // the outage began at the kill or a little after (the first failed call), and ended after the restart
            assertThat(Long.parseLong(duration.group(1))).isBetween(OUTAGE.toSeconds() - 10, OUTAGE.toSeconds() + 30);
            assertThat(loopErrors(app)).as("every failed loop is still counted").isGreaterThan(loopErrorsBefore + 3);
            assertThat(logs.text()).doesNotContain(pg.password()).doesNotContain("pw-o1-app-pass");
            System.out.println("outage test: " + errors.get(0) + "\n" + recovered.get(0));
        }
    }

    /** The sum of apm_loop_errors_total over its loops, as /metrics shows it. */
    private static double loopErrors(App app) throws Exception {
        var body = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return body.lines()
                .filter(l -> l.startsWith("apm_loop_errors_total{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** How long PostgreSQL stays down in the outage test (the 30 s, shortened where the run is timed). */
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("apm.test.pg-outage-seconds", 30));

    private static int health(App app) {
        try {
            return HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/healthz"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @AfterEach
    void closePools() {
        if (databases != null) {
            databases.close();
        }
    }
}
