package com.dts.apm.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.config.ConfigLoader;
import com.dts.apm.store.IntegrationState;
import com.dts.apm.testing.Await;
import com.dts.apm.testing.Cli;
import com.dts.apm.testing.LogCapture;
import com.dts.apm.testing.TestConfig;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running daemon, end to end: a password revoked on GreenMail becomes exactly one email in the dealer's
 * inbox (GreenMail is the relay too), and a recovery note when it is fixed.
 */
class DaemonAlertsIT {
    @TempDir
    Path dir;

    private GreenMail mail;
    private Path config;
    private Cli cli;

    @BeforeEach
    void setUp() {
        mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.IMAP, ServerSetupTest.SMTP}));
        mail.start();
        config = dir.resolve("apm.yml");
        cli = new Cli(config);
    }

    @AfterEach
    void tearDown() {
        mail.stop();
    }

    private void writeConfig(boolean relay) {
        var yaml = TestConfig.in(dir)
                .schedule(s ->
                        s.quick().interval("3s").failingRecheckInterval("1s").shutdownGrace("10s"))
                .alerts("from", "\"DTS System <alerts@dts.test>\"")
                .alerts("send-interval", "1s");
        if (relay) {
            yaml.relay("127.0.0.1", mail.getSmtp().getPort());
        }
        yaml.writeTo(config);
    }

    private List<String> outbox(App app, long id) {
        return app.workspace()
                .database()
                .jdbi()
                .withHandle(h -> h.createQuery(
                                "SELECT kind || ' ' || status FROM alert_outbox WHERE integration_id = :id ORDER BY id")
                        .bind("id", id)
                        .mapTo(String.class)
                        .list());
    }

    private static int checks(App app, long id) {
        return app.workspace().history().checks(id, 100).size();
    }

    private static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, limit, condition);
    }

    private MimeMessage[] inbox(String address) {
        return mail.getReceivedMessagesForDomain(address);
    }

    private long add() {
        mail.setUser("sales@dealer-a.test", "sales@dealer-a.test", "first-app-password");
        var r = cli.runWithInput(
                "first-app-password\n",
                "integrations",
                "add",
                "--dealer-id",
                "D-A",
                "--dealer-name",
                "Dealer A",
                "--email",
                "sales@dealer-a.test",
                "--contact-email",
                "owner@dealer-a.test",
                "--admin-email",
                "boss@dealer-a.test",
                "--provider",
                "custom",
                "--imap-host",
                "127.0.0.1",
                "--imap-port",
                String.valueOf(mail.getImap().getPort()),
                "--imap-security",
                "plain",
                "--protocols",
                "imap",
                "--password-stdin");
        assertThat(r.exit()).as(r.err()).isZero();
        return Long.parseLong(r.out().strip());
    }

    @Test
    void aRevokedPasswordBecomesOneEmailAndAFixBecomesARecoveryNote() throws Exception {
        writeConfig(true);
        long id = add();
        try (var logs = new LogCapture();
                var app = App.start(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC())) {
            var integrations = app.workspace().integrations();
            await("healthy", Duration.ofSeconds(15), () -> integrations.get(id).state() == IntegrationState.HEALTHY);
            mail.getUserManager().getUser("sales@dealer-a.test").setPassword("revoked-by-the-dealer");
            await("failure email", Duration.ofSeconds(20), () -> inbox("owner@dealer-a.test").length == 1);
            var failure = inbox("owner@dealer-a.test")[0];
            assertThat(failure.getSubject())
                    .startsWith("Action needed")
                    .contains("sales@dealer-a.test")
                    .contains("Dealer A");
            // the failure goes on for several more checks: still one email
            long checks = app.workspace().history().checks(id, 100).size();
            await(
                    "more failed checks",
                    Duration.ofSeconds(20),
                    () -> app.workspace().history().checks(id, 100).size() >= checks + 3);
            // dealer mail comes only from the outbox, one email per row: one row, sent, is one email for good
            await(
                    "the failure alert recorded as sent",
                    Duration.ofSeconds(10),
                    () -> outbox(app, id).contains("failure SENT"));
            assertThat(outbox(app, id)).containsExactly("failure SENT");
            assertThat(inbox("owner@dealer-a.test")).hasSize(1);
            assertThat(inbox("boss@dealer-a.test")).isEmpty();

            mail.getUserManager().getUser("sales@dealer-a.test").setPassword("second-app-password");
            var r = cli.runWithInput(
                    "second-app-password\n", "integrations", "set-password", String.valueOf(id), "--password-stdin");
            assertThat(r.exit()).isZero();
            await("recovery email", Duration.ofSeconds(20), () -> inbox("owner@dealer-a.test").length == 2);
            assertThat(inbox("owner@dealer-a.test")[1].getSubject()).doesNotStartWith("Action needed");

            // the relay has the email a moment before the sender records it: wait for the count
            var scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics"))
                    .build();
            await("recovery counted", Duration.ofSeconds(10), () -> {
                try {
                    return HttpClient.newHttpClient()
                            .send(scrape, HttpResponse.BodyHandlers.ofString())
                            .body()
                            .contains("apm_notifications_total{kind=\"recovery\",result=\"sent\"} 1.0");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            var body = HttpClient.newHttpClient()
                    .send(scrape, HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(body)
                    .contains("apm_notifications_total{kind=\"failure\",result=\"sent\"} 1.0")
                    .contains("apm_notifications_total{kind=\"recovery\",result=\"sent\"} 1.0")
                    .doesNotContain("owner@");
            assertThat(logs.text()).doesNotContain("first-app-password").doesNotContain("second-app-password");
        }
    }

    @Test
    void withoutARelayRunWarnsOnceAndAlertsWait() throws Exception {
        writeConfig(false);
        long id = add();
        try (var logs = new LogCapture();
                var app = App.start(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC())) {
            await(
                    "healthy",
                    Duration.ofSeconds(15),
                    () -> app.workspace().integrations().get(id).state() == IntegrationState.HEALTHY);
            mail.getUserManager().getUser("sales@dealer-a.test").setPassword("revoked-by-the-dealer");
            await(
                    "failing",
                    Duration.ofSeconds(20),
                    () -> app.workspace().integrations().get(id).state() == IntegrationState.FAILING);
            // the daemon goes on (a re-check every second, a send round every second): two more checks recorded
            int failingChecks = checks(app, id);
            await("two more checks", Duration.ofSeconds(20), () -> checks(app, id) >= failingChecks + 2);
            assertThat(outbox(app, id)).containsExactly("failure PENDING");
            assertThat(logs.text().split("alerts.relay.host is not set", -1)).hasSize(2);
            assertThat(new com.dts.apm.store.Outbox(app.workspace().database()).queueDepth())
                    .isEqualTo(1);
            assertThat(mail.getReceivedMessages()).isEmpty();
        }
    }
}
