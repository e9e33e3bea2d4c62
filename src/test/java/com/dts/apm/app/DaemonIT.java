package com.dts.apm.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
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
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole daemon in-process against GreenMail on loopback: check, record, state, transition, metric. */
class DaemonIT {
    @TempDir
    Path dir;

    private GreenMail mail;
    private Path config;
    private Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.IMAP, ServerSetupTest.SMTP}));
        mail.start();
        config = dir.resolve("apm.yml");
        writeConfig("3s", 8);
        cli = new Cli(config);
    }

    @AfterEach
    void tearDown() {
        mail.stop();
    }

    /** The config every test starts from; DaemonPostgresIT puts the database on PostgreSQL. */
    TestConfig baseConfig() {
        return TestConfig.in(dir);
    }

    private void writeConfig(String interval, int perProvider) {
        baseConfig()
                .schedule(s -> s.quick()
                        .interval(interval)
                        .failingRecheckInterval("2s")
                        .maxConcurrentPerProvider(perProvider)
                        .shutdownGrace("10s"))
                .writeTo(config);
    }

    private long add(String email, String password, int imapPort, int smtpPort) {
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
                "custom",
                "--imap-host",
                "127.0.0.1",
                "--imap-port",
                String.valueOf(imapPort),
                "--imap-security",
                "plain",
                "--smtp-host",
                "127.0.0.1",
                "--smtp-port",
                String.valueOf(smtpPort),
                "--smtp-security",
                "plain",
                "--password-stdin");
        assertThat(r.exit()).as(r.err()).isZero();
        return Long.parseLong(r.out().strip());
    }

    long add(String email, String password) {
        return add(email, password, mail.getImap().getPort(), mail.getSmtp().getPort());
    }

    App start() {
        return App.start(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC());
    }

    private static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, limit, condition);
    }

    static IntegrationState state(App app, long id) {
        return app.workspace().integrations().get(id).state();
    }

    @Test
    void revokedPasswordGoesSuspectThenFailingAndANewPasswordHealsItAtOnce() throws Exception {
        long a = add("alice@dealer-a.test", "alice-app-password-1");
        long b = add("bob@dealer-b.test", "bob-app-password-1");
        try (var logs = new LogCapture();
                var app = start()) {
            await(
                    "both healthy",
                    Duration.ofSeconds(20),
                    () -> state(app, a) == IntegrationState.HEALTHY && state(app, b) == IntegrationState.HEALTHY);

            mail.getUserManager().getUser("alice@dealer-a.test").setPassword("the-dealer-changed-it");
            await("alice suspect", Duration.ofSeconds(20), () -> state(app, a) == IntegrationState.SUSPECT);
            await("alice failing", Duration.ofSeconds(20), () -> state(app, a) == IntegrationState.FAILING);
            assertThat(state(app, b)).isEqualTo(IntegrationState.HEALTHY);

            var log = app.workspace().history();
            var transitions = log.transitions(a, 10).stream()
                    .map(t -> t.from() + ">" + t.to())
                    .toList();
            assertThat(transitions).containsSubsequence("SUSPECT>FAILING", "HEALTHY>SUSPECT", "UNKNOWN>HEALTHY");
            assertThat(log.checks(a, 50))
                    .anySatisfy(c -> assertThat(c.outcome().name()).isEqualTo("AUTH_REJECTED"));
            // exactly one failure alert was queued for the incident, in the transaction of the change
            var outbox = app.workspace()
                    .database()
                    .jdbi()
                    .withHandle(h -> h.createQuery("SELECT kind FROM alert_outbox WHERE integration_id = " + a)
                            .mapTo(String.class)
                            .list());
            assertThat(outbox).containsExactly("failure");

            // the dealer makes a new app password; it is entered through the command line while the daemon runs
            mail.getUserManager().getUser("alice@dealer-a.test").setPassword("alice-app-password-2");
            var changedAt = Instant.now();
            var r = cli.runWithInput(
                    "alice-app-password-2\n", "integrations", "set-password", String.valueOf(a), "--password-stdin");
            assertThat(r.exit()).isZero();
            await("alice healthy again", Duration.ofSeconds(5), () -> state(app, a) == IntegrationState.HEALTHY);
            assertThat(Duration.between(changedAt, Instant.now())).isLessThan(Duration.ofSeconds(5));
            var kinds = app.workspace()
                    .database()
                    .jdbi()
                    .withHandle(h -> h.createQuery(
                                    "SELECT kind FROM alert_outbox WHERE integration_id = " + a + " ORDER BY id")
                            .mapTo(String.class)
                            .list());
            assertThat(kinds).containsExactly("failure", "recovery");

            // metrics over real HTTP
            var body = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(body)
                    .contains("apm_checks_total{outcome=\"AUTH_REJECTED\",protocol=\"imap\",provider=\"custom\"}");
            assertThat(body).contains("apm_checks_total{outcome=\"OK\",protocol=\"smtp\",provider=\"custom\"}");
            assertThat(body).doesNotContain("alice@").doesNotContain("dealer-a");
            var health = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/healthz"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(logs.text()).doesNotContain("alice-app-password").doesNotContain("bob-app-password");
        }
    }

    @Test
    void commandLineChangesArePickedUpWithoutRestart() throws Exception {
        writeConfig("1h", 8);
        long a = add("carol@dealer-c.test", "carol-app-password");
        try (var app = start()) {
            await("carol healthy", Duration.ofSeconds(15), () -> state(app, a) == IntegrationState.HEALTHY);
            long b = add("dave@dealer-d.test", "dave-app-password");
            await(
                    "new integration checked at once",
                    Duration.ofSeconds(10),
                    () -> state(app, b) == IntegrationState.HEALTHY);
            assertThat(cli.run("integrations", "disable", String.valueOf(a)).exit())
                    .isZero();
            var checksBefore = app.workspace().history().checks(a, 100).size();
            assertThat(cli.run("integrations", "enable", String.valueOf(a)).exit())
                    .isZero();
            await(
                    "re-enabled integration checked at once",
                    Duration.ofSeconds(10),
                    () -> app.workspace().history().checks(a, 100).size() > checksBefore);
            assertThat(cli.run("integrations", "remove", String.valueOf(b)).exit())
                    .isZero();
            assertThat(app.workspace().integrations().find(b)).isEmpty();
        }
    }

    @Test
    void anIntegrationRemovedWhileItsCheckIsInFlightLeavesNoTrace() throws Exception {
        writeConfig("1h", 8);
        try (var held = SlowImapServer.held();
                var logs = new LogCapture();
                var app = start()) {
            var r = cli.runWithInput(
                    "held-app-password\n",
                    "integrations",
                    "add",
                    "--dealer-id",
                    "D-H",
                    "--email",
                    "held@dealer-h.test",
                    "--provider",
                    "custom",
                    "--protocols",
                    "imap",
                    "--imap-host",
                    "127.0.0.1",
                    "--imap-port",
                    String.valueOf(held.port()),
                    "--imap-security",
                    "plain",
                    "--password-stdin");
            assertThat(r.exit()).as(r.err()).isZero();
            long id = Long.parseLong(r.out().strip());
            // a new integration is checked at once; the server holds its login, so the check is in flight
            await("the check is at its login", Duration.ofSeconds(10), () -> held.asked.get() == 1);
            long writes = checkWrites(app);
            assertThat(cli.run("integrations", "remove", String.valueOf(id)).exit())
                    .isZero();
            assertThat(app.workspace().integrations().find(id)).isEmpty();
            assertThat(held.logins.get())
                    .as("the login was still unanswered when the row went")
                    .isZero();

            held.release();
            await(
                    "the check of the removed integration ended",
                    Duration.ofSeconds(10),
                    () -> checkWrites(app) > writes
                            || !logs.atLeast(Level.ERROR).isEmpty());
            assertThat(held.logins.get()).isEqualTo(1);
            assertThat(logs.atLeast(Level.ERROR)).isEmpty();
            for (var table : List.of("check_result", "state_transition", "alert_outbox")) {
                assertThat(count("SELECT count(*) FROM " + table + " WHERE integration_id = " + id))
                        .as(table)
                        .isZero();
            }
            assertThat(app.workspace().integrations().find(id))
                    .as("not brought back by the late write")
                    .isEmpty();
            assertThat(logs.text()).doesNotContain("held-app-password");
        }
    }

    /** How many check writes the daemon has timed ({@code apm_check_write_seconds_count}), over real HTTP. */
    private static long checkWrites(App app) {
        try {
            var body = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            return body.lines()
                    .filter(l -> l.startsWith("apm_check_write_seconds_count"))
                    .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .sum();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void restartKeepsDueTimesAndDoesNotRecheckEverything() throws Exception {
        writeConfig("1h", 8);
        var ids = List.of(
                add("e1@dealer-e.test", "pw-e1-app-pass"),
                add("e2@dealer-e.test", "pw-e2-app-pass"),
                add("e3@dealer-e.test", "pw-e3-app-pass"));
        List<Instant> due;
        try (var app = start()) {
            await(
                    "all checked",
                    Duration.ofSeconds(15),
                    () -> ids.stream().allMatch(id -> state(app, id) == IntegrationState.HEALTHY));
            due = ids.stream()
                    .map(id -> app.workspace().integrations().get(id).nextCheckAt())
                    .toList();
        }
        long checks = countChecks();
        try (var app = start()) {
            // two claim rounds: the second began after the daemon was up, and would have claimed anything due
            await("two claim rounds", Duration.ofSeconds(10), () -> app.dispatchRounds() >= 2);
            assertThat(ids.stream()
                            .map(id -> app.workspace().integrations().get(id).nextCheckAt())
                            .toList())
                    .isEqualTo(due);
        }
        assertThat(countChecks()).isEqualTo(checks);
        assertThat(due).allSatisfy(t -> assertThat(t).isAfter(Instant.now().plus(Duration.ofMinutes(50))));
    }

    long countChecks() throws Exception {
        return count("SELECT count(*) FROM check_result");
    }

    /** A plain connection to the test's database, outside the daemon. */
    java.sql.Connection connect() throws java.sql.SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("data/apm.db"));
    }

    private long count(String sql) throws java.sql.SQLException {
        try (var c = connect();
                var st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @SuppressWarnings("try") // the resource is held for the block and closed by it
    @Test
    void perProviderConcurrencyCapHoldsAndShutdownRecordsEveryStartedCheck() throws Exception {
        writeConfig("1h", 2);
        try (var slow = new SlowImapServer(700)) {
            var ids = new java.util.ArrayList<Long>();
            for (int i = 0; i < 8; i++) {
                var email = "slow" + i + "@dealer-s.test";
                var r = cli.runWithInput(
                        "slow-app-password\n",
                        "integrations",
                        "add",
                        "--dealer-id",
                        "D-S",
                        "--email",
                        email,
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
                assertThat(r.exit()).as(r.err()).isZero();
                ids.add(Long.parseLong(r.out().strip()));
            }
            Instant stopAsked;
            try (var app = start()) {
                await("first logins", Duration.ofSeconds(10), () -> slow.logins.get() >= 3);
                stopAsked = Instant.now();
            }
            var stopTook = Duration.between(stopAsked, Instant.now());
            assertThat(slow.peak.get()).isEqualTo(2);
            assertThat(stopTook).isLessThan(Duration.ofSeconds(10));
            // every login the server completed belongs to a recorded check
            assertThat(countChecks()).isEqualTo(slow.logins.get());
            assertThat(countChecks()).isLessThan(8);
        }
    }
}
