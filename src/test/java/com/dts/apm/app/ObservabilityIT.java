package com.dts.apm.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.dts.apm.config.ConfigLoader;
import com.dts.apm.store.IntegrationState;
import com.dts.apm.testing.Await;
import com.dts.apm.testing.Cli;
import com.dts.apm.testing.LogCapture;
import com.dts.apm.testing.TestConfig;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 end to end: the daemon on a free port checks integrations against GreenMail, and a scrape over
 * real HTTP shows the checks, the integrations by state, the duration histogram and the oldest check age;
 * {@code /healthz} turns 503 with a reason when the database goes away under the running daemon.
 */
class ObservabilityIT {
    private static final String ALICE = "alice@dealer-a.test";
    private static final String ALICE_PASSWORD = "alice-app-password";
    private static final String BOB = "bob@gmail-dealer.test";
    private static final String BOB_PASSWORD = "bobsapppasswordx";

    @TempDir
    Path dir;

    private GreenMail mail;
    private Path config;
    private Cli cli;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void setUp() throws Exception {
        mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.IMAP, ServerSetupTest.SMTP}));
        mail.start();
        config = dir.resolve("apm.yml");
        TestConfig.in(dir)
                .schedule(s -> s.interval("1h")
                        .jitter("0s")
                        .loginsPerSecondPerProvider(100)
                        .shutdownGrace("10s"))
                .writeTo(config);
        cli = new Cli(config);
    }

    @AfterEach
    void tearDown() {
        mail.stop();
    }

    private long add(String email, String password, String provider) {
        mail.setUser(email, email, password);
        var r = cli.runWithInput(
                password + "\n",
                "integrations",
                "add",
                "--dealer-id",
                "D-" + email.charAt(0),
                "--email",
                email,
                "--provider",
                provider,
                "--imap-host",
                "127.0.0.1",
                "--imap-port",
                String.valueOf(mail.getImap().getPort()),
                "--imap-security",
                "plain",
                "--smtp-host",
                "127.0.0.1",
                "--smtp-port",
                String.valueOf(mail.getSmtp().getPort()),
                "--smtp-security",
                "plain",
                "--password-stdin");
        assertThat(r.exit()).as(r.err()).isZero();
        return Long.parseLong(r.out().strip());
    }

    private App start() {
        return App.start(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC());
    }

    private HttpResponse<String> get(App app, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, limit, condition);
    }

    private static IntegrationState state(App app, long id) {
        return app.workspace().integrations().get(id).state();
    }

    @Test
    void scrapeShowsChecksIntegrationsDurationsAndOldestCheckAge() throws Exception {
        long alice = add(ALICE, ALICE_PASSWORD, "custom");
        long bob = add(BOB, BOB_PASSWORD, "gmail");
        mail.getUserManager().getUser(BOB).setPassword("bob-revoked-it");
        try (var logs = new LogCapture();
                var app = start()) {
            await(
                    "both checked",
                    Duration.ofSeconds(30),
                    () -> state(app, alice) == IntegrationState.HEALTHY && state(app, bob) == IntegrationState.SUSPECT);

            // the gauges serve a snapshot refreshed every 5 s in the background: wait for one taken after the checks
            await("a snapshot after the checks", Duration.ofSeconds(15), () -> {
                try {
                    return Double.valueOf(1.0)
                            .equals(parse(get(app, "/metrics").body())
                                    .get("apm_integrations{provider=\"gmail\",state=\"SUSPECT\"}"));
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            var response = get(app, "/metrics");
            assertThat(response.statusCode()).isEqualTo(200);
            var m = parse(response.body());
            assertThat(m.get("apm_checks_total{outcome=\"OK\",protocol=\"imap\",provider=\"custom\"}"))
                    .isEqualTo(1.0);
            assertThat(m.get("apm_checks_total{outcome=\"OK\",protocol=\"smtp\",provider=\"custom\"}"))
                    .isEqualTo(1.0);
            assertThat(m.get("apm_checks_total{outcome=\"AUTH_REJECTED\",protocol=\"imap\",provider=\"gmail\"}"))
                    .isEqualTo(1.0);
            assertThat(m.get("apm_checks_total{outcome=\"AUTH_REJECTED\",protocol=\"smtp\",provider=\"gmail\"}"))
                    .isEqualTo(1.0);
            assertThat(m.get("apm_integrations{provider=\"custom\",state=\"HEALTHY\"}"))
                    .isEqualTo(1.0);
            assertThat(m.get("apm_integrations{provider=\"gmail\",state=\"SUSPECT\"}"))
                    .isEqualTo(1.0);
            for (var p : new String[] {"imap", "smtp"}) {
                var labels = "protocol=\"" + p + "\",provider=\"custom\"";
                assertThat(m.get("apm_check_duration_seconds_count{" + labels + "}"))
                        .isEqualTo(1.0);
                assertThat(m.get("apm_check_duration_seconds_bucket{" + labels + ",le=\"0.05\"}"))
                        .isNotNull();
                assertThat(m.get("apm_check_duration_seconds_bucket{" + labels + ",le=\"60.0\"}"))
                        .isEqualTo(1.0);
                assertThat(m.get("apm_check_duration_seconds_bucket{" + labels + ",le=\"+Inf\"}"))
                        .isEqualTo(1.0);
                assertThat(m.get("apm_check_duration_seconds_sum{" + labels + "}"))
                        .isPositive()
                        .isLessThan(60.0);
            }
            for (var provider : app.workspace().catalog().ids()) {
                assertThat(m.get("apm_alerts_held{provider=\"" + provider + "\"}"))
                        .as("nothing held at %s: 0, not a missing series", provider)
                        .isEqualTo(0.0);
            }
            // capacity at start: gmail 2 logins an hour against its own 5 per second; custom 2 an hour on its one host
            // against the schedule's 100 per second per host; providers without integrations at 0
            assertThat(m.get("apm_schedule_capacity_ratio{provider=\"gmail\"}"))
                    .isCloseTo(2 / 3600.0 / 5, within(1e-9));
            assertThat(m.get("apm_schedule_capacity_ratio{provider=\"custom\"}"))
                    .isCloseTo(2 / 3600.0 / 100, within(1e-9));
            assertThat(m.get("apm_schedule_capacity_ratio{provider=\"yahoo\"}")).isEqualTo(0.0);
            assertThat(logs.text())
                    .contains(
                            "schedule capacity (logins a round needs per second / what the limits allow): custom 0.00,"
                                    + " gmail 0.00");
            assertThat(m.get("apm_oldest_check_age_seconds")).isNotNull().isBetween(0.0, 600.0);
            assertThat(m.get("apm_check_overdue_seconds"))
                    .as("the daemon keeps up")
                    .isNotNull()
                    .isBetween(0.0, 60.0);
            assertThat(response.body())
                    .doesNotContain(ALICE)
                    .doesNotContain(BOB)
                    .doesNotContain("dealer-a");

            var health = get(app, "/healthz");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("ok");

            var text = logs.text();
            assertThat(text).containsPattern("integration " + bob + " \\(gmail.*UNKNOWN -> SUSPECT: AUTH_REJECTED");
            assertThat(text).containsPattern("integration " + alice + " \\(custom.*UNKNOWN -> HEALTHY: OK");
            assertThat(text).contains("integration " + alice + " (custom) imap login ok");
            assertThat(text).doesNotContain(ALICE_PASSWORD).doesNotContain(BOB_PASSWORD);
        }
    }

    @Test
    void healthzIs503WithAReasonWhenTheDatabaseFileIsDeleted() throws Exception {
        add(ALICE, ALICE_PASSWORD, "custom");
        try (var app = start()) {
            await("healthy", Duration.ofSeconds(20), () -> status(app) == 200);
            var db = app.workspace().database().file();
            Files.delete(db);
            Files.deleteIfExists(Path.of(db + "-wal"));
            Files.deleteIfExists(Path.of(db + "-shm"));
            await("unhealthy", Duration.ofSeconds(20), () -> status(app) == 503);
            assertThat(get(app, "/healthz").body()).contains("database");
            assertThat(get(app, "/metrics").statusCode())
                    .as("scrapes still answer")
                    .isEqualTo(200);
        }
    }

    @Test
    void healthzIs503WhenTheDatabaseFileIsCorrupted() throws Exception {
        add(ALICE, ALICE_PASSWORD, "custom");
        try (var app = start()) {
            await("healthy", Duration.ofSeconds(20), () -> status(app) == 200);
            var db = app.workspace().database().file();
            Files.deleteIfExists(Path.of(db + "-wal"));
            Files.deleteIfExists(Path.of(db + "-shm"));
            Files.write(
                    db,
                    "this is not an SQLite database any more, it was overwritten"
                            .repeat(200)
                            .getBytes());
            await("unhealthy", Duration.ofSeconds(20), () -> status(app) == 503);
            assertThat(get(app, "/healthz").body()).contains("database");
        }
    }

    private int status(App app) {
        try {
            return get(app, "/healthz").statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*})?) (\\S+)$");

    /** Series (name with labels in scrape order) to value. */
    private static Map<String, Double> parse(String body) {
        var out = new HashMap<String, Double>();
        body.lines().filter(l -> !l.startsWith("#")).forEach(l -> {
            var m = SAMPLE.matcher(l);
            if (m.matches()) {
                out.put(m.group(1), Double.valueOf(m.group(2)));
            }
        });
        return out;
    }
}
