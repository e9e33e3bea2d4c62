package com.dts.apm.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.check.CheckService;
import com.dts.apm.check.ProviderGate;
import com.dts.apm.check.StateMachine;
import com.dts.apm.config.ConfigLoader;
import com.dts.apm.probe.ProbeResult;
import com.dts.apm.provider.Outcome;
import com.dts.apm.store.IntegrationState;
import com.dts.apm.store.NewIntegration;
import com.dts.apm.store.Outbox;
import com.dts.apm.testing.Cli;
import com.dts.apm.testing.TestClock;
import com.dts.apm.testing.TestConfig;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared set-up for the alert tests: a real workspace (SQLite in a temp folder), the real check service with a
 * scripted probe (outcome per mailbox), a controllable clock, and GreenMail as the relay.
 */
abstract class AlertHarness {
    @TempDir
    Path dir;

    GreenMail relay;
    TestClock clock;
    Workspace ws;
    CheckService checks;
    Alerting alerting;
    Outbox outbox;
    Path config;
    final Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
    final List<String> counted = new ArrayList<>();

    @BeforeEach
    void startRelay() {
        relay = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        relay.start();
        clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    @AfterEach
    void stopRelay() {
        relay.stop();
    }

    /** Opens the workspace with the relay on {@code relayPort} (0: no relay). */
    void open(int relayPort) throws Exception {
        open(relayPort, c -> c);
    }

    /** As {@link #open(int)}, with {@code more} settings (alerts keys) on top. */
    void open(int relayPort, UnaryOperator<TestConfig> more) throws Exception {
        var yaml = TestConfig.in(dir)
                .noHttpPort()
                .alerts("product-name", "DTS System")
                .alerts("from", "\"DTS System <alerts@dts.test>\"")
                .alerts("ops-email", "ops@dts.test")
                .alerts("retry-initial", "1m")
                .alerts("retry-max", "10m")
                .alerts("storm-guard", "{ share: 0.5, min-count: 3, window: 30m }");
        if (relayPort > 0) {
            yaml.relay("127.0.0.1", relayPort);
        }
        config = more.apply(yaml).writeTo(dir.resolve("apm.yml"));
        var c = ConfigLoader.load(config, null);
        ws = Workspace.open(c, Map.of(), clock);
        outbox = ws.outbox();
        checks = new CheckService(
                ws.integrations(),
                ws.checkWriter(),
                ws.catalog(),
                protocol -> target -> new ProbeResult(
                        protocol,
                        outcomes.getOrDefault(target.username(), Outcome.OK),
                        Duration.ofMillis(3),
                        "scripted reply",
                        null),
                new ProviderGate(ws.catalog(), c.schedule()),
                new StateMachine(Verification.policy(ws)),
                c.schedule(),
                clock,
                (i, r) -> {},
                com.dts.apm.process.DatabaseOutage.NONE,
                null,
                Duration.ofSeconds(20));
        alerting = Alerting.create(ws, (kind, result) -> counted.add(kind.label() + ":" + result));
    }

    void open() throws Exception {
        open(relay.getSmtp().getPort());
    }

    Cli cli() {
        return new Cli(config);
    }

    long add(NewIntegration n) {
        return ws.integrations().add(n, com.dts.apm.config.Secret.of("abcdabcdabcdabcd"));
    }

    IntegrationState check(long id) throws InterruptedException {
        return checks.check(ws.integrations().get(id)).after().orElseThrow().state();
    }

    /** Makes the mailbox fail and checks it twice, confirm-after apart: it ends FAILING with a failure alert queued. */
    void breakIt(long id, Outcome outcome) throws InterruptedException {
        outcomes.put(ws.integrations().get(id).username(), outcome);
        assertThat(check(id)).isEqualTo(IntegrationState.SUSPECT);
        clock.advance(Duration.ofMinutes(11));
        assertThat(check(id)).isEqualTo(IntegrationState.FAILING);
    }

    void fixIt(long id) throws InterruptedException {
        outcomes.remove(ws.integrations().get(id).username());
        assertThat(check(id)).isEqualTo(IntegrationState.HEALTHY);
    }

    MimeMessage[] received() {
        return relay.getReceivedMessages();
    }

    List<String> statuses(String kind) {
        return ws.database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT status FROM alert_outbox WHERE kind = :k ORDER BY id")
                        .bind("k", kind)
                        .mapTo(String.class)
                        .list());
    }

    static String to(MimeMessage m) throws Exception {
        return Arrays.stream(m.getRecipients(Message.RecipientType.TO))
                .map(a -> ((jakarta.mail.internet.InternetAddress) a).getAddress())
                .reduce((a, b) -> a + "," + b)
                .orElse("");
    }

    static String text(MimeMessage m) throws Exception {
        return (String) ((MimeMultipart) m.getContent()).getBodyPart(0).getContent();
    }

    static String html(MimeMessage m) throws Exception {
        return (String) ((MimeMultipart) m.getContent()).getBodyPart(1).getContent();
    }

    static String raw(MimeMessage m) {
        return GreenMailUtil.getWholeMessage(m);
    }

    static int freePort() throws Exception {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
