package com.dts.apm.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Security;
import com.dts.apm.testing.LogCapture;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real logins against GreenMail over IMAPS, SMTPS and SMTP with STARTTLS. GreenMail serves a throw-away
 * certificate for localhost/127.0.0.1 and the probes trust it through {@code checks.trust-store}, so host
 * names and chains are verified exactly as in production.
 */
class GreenMailProbeIT {
    private static final String USER = "sales@dealer-g.test";
    private static final String PASSWORD = "qwer-tyui-opas-dfgh-7";

    private static TestCerts certs;
    private GreenMail mail;
    private StartTlsFront front;
    private Probes probes;

    @BeforeAll
    static void certificates() {
        certs = TestCerts.forGreenMail();
    }

    @BeforeEach
    void start() throws Exception {
        mail = new GreenMail(ServerSetup.dynamicPort(
                new ServerSetup[] {ServerSetupTest.IMAPS, ServerSetupTest.SMTPS, ServerSetupTest.SMTP}));
        mail.start();
        mail.setUser(USER, USER, PASSWORD);
        front = new StartTlsFront(certs.serverContext(), mail.getSmtp().getPort());
        probes = Probes.create(certs.trustingChecks(Duration.ofSeconds(20)));
    }

    @AfterEach
    void stop() throws Exception {
        probes.close();
        front.close();
        mail.stop();
    }

    private ProbeResult imaps(String password) {
        return probes.check(Targets.imap("custom", mail.getImaps().getPort(), Security.SSL, USER, password));
    }

    private ProbeResult smtps(String password) {
        return probes.check(Targets.smtp("custom", mail.getSmtps().getPort(), Security.SSL, USER, password));
    }

    private ProbeResult smtpStartTls(String password) {
        return probes.check(Targets.target(
                "custom",
                com.dts.apm.provider.Protocol.SMTP,
                "localhost",
                front.port(),
                Security.STARTTLS,
                USER,
                password));
    }

    @Test
    void acceptsValidLoginOverImaps() {
        var r = imaps(PASSWORD);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.OK);
        assertThat(r.detail()).isEmpty();
        assertThat(r.certificateNotAfter())
                .as("expiry learnt from the verified chain")
                .isNotNull();
    }

    @Test
    void rejectsChangedPasswordOverImaps() {
        mail.getUserManager().getUser(USER).setPassword("the-dealer-changed-it");
        var r = imaps(PASSWORD);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.AUTH_REJECTED);
        assertThat(r.detail()).isNotBlank().doesNotContain(PASSWORD);
    }

    @Test
    void acceptsValidLoginOverSmtps() {
        var r = smtps(PASSWORD);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.OK);
        assertThat(r.certificateNotAfter()).isNotNull();
    }

    @Test
    void rejectsChangedPasswordOverSmtps() {
        mail.getUserManager().getUser(USER).setPassword("the-dealer-changed-it");
        var r = smtps(PASSWORD);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.AUTH_REJECTED);
        assertThat(r.detail()).startsWith("535").doesNotContain(PASSWORD);
    }

    @Test
    void acceptsValidLoginOverSmtpWithStartTls() {
        var r = smtpStartTls(PASSWORD);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.OK);
        assertThat(r.certificateNotAfter())
                .as("the upgrade verified the certificate")
                .isNotNull();
    }

    @Test
    void rejectsChangedPasswordOverSmtpWithStartTls() {
        mail.getUserManager().getUser(USER).setPassword("the-dealer-changed-it");
        var r = smtpStartTls(PASSWORD);
        assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.AUTH_REJECTED);
    }

    @Test
    void rejectsCertificateNotInTrustStore() {
        try (var untrusting = Probes.create(TestCerts.defaultChecks(Duration.ofSeconds(20)))) {
            var r = untrusting.check(Targets.imap("custom", mail.getImaps().getPort(), Security.SSL, USER, PASSWORD));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.TLS_ERROR);
            assertThat(mail.getReceivedMessages()).isEmpty();
        }
    }

    @Test
    void passwordNeverAppearsInLogsDebugOutputOrDetails() {
        var jul = new JulCapture("org.eclipse.angus", "jakarta.mail");
        var stdout = System.out;
        var stderr = System.err;
        var console = new ByteArrayOutputStream();
        var results = new ArrayList<ProbeResult>();
        try (var logs = new LogCapture()) {
            System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
            results.addAll(List.of(imaps(PASSWORD), smtps(PASSWORD), smtpStartTls(PASSWORD)));
            mail.getUserManager().getUser(USER).setPassword("the-dealer-changed-it");
            results.addAll(List.of(imaps(PASSWORD), smtps(PASSWORD), smtpStartTls(PASSWORD)));
            System.setOut(stdout);
            System.setErr(stderr);
            // GreenMail's own log lines (logger com.icegreen, shown as c.i.g.) stand for the provider's logs
            var ours = console.toString(StandardCharsets.UTF_8)
                    .lines()
                    .filter(l -> !l.contains(" c.i.g."))
                    .collect(java.util.stream.Collectors.joining("\n"));
            var everything = logs.text() + "\n" + jul.text() + "\n" + ours + "\n" + results;
            assertThat(logs.text()).as("the probes log each check at DEBUG").contains("login to");
            for (var secret : secretForms(USER, PASSWORD)) {
                assertThat(everything).doesNotContain(secret);
            }
            assertThat(results)
                    .extracting(ProbeResult::outcome)
                    .containsExactly(
                            Outcome.OK,
                            Outcome.OK,
                            Outcome.OK,
                            Outcome.AUTH_REJECTED,
                            Outcome.AUTH_REJECTED,
                            Outcome.AUTH_REJECTED);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
            jul.close();
        }
    }

    /** The password and the base64 forms a client sends it in (AUTH LOGIN, AUTH PLAIN). */
    static List<String> secretForms(String user, String password) {
        var b64 = Base64.getEncoder();
        return List.of(
                password,
                b64.encodeToString(password.getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8)),
                b64.encodeToString((user + "\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8)));
    }

    /** Jakarta Mail's own java.util.logging output at the finest level, where protocol traces would show. */
    static final class JulCapture extends Handler implements AutoCloseable {
        private final List<Logger> loggers = new ArrayList<>();
        private final List<Level> before = new ArrayList<>();
        private final StringBuilder text = new StringBuilder();

        JulCapture(String... names) {
            setLevel(Level.ALL);
            for (var name : names) {
                var l = Logger.getLogger(name);
                loggers.add(l);
                before.add(l.getLevel());
                l.setLevel(Level.ALL);
                l.addHandler(this);
            }
        }

        @Override
        public synchronized void publish(LogRecord r) {
            text.append(r.getMessage()).append(' ');
            if (r.getParameters() != null) {
                for (var p : r.getParameters()) {
                    text.append(p).append(' ');
                }
            }
            if (r.getThrown() != null) {
                text.append(r.getThrown());
            }
            text.append('\n');
        }

        synchronized String text() {
            return text.toString();
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            for (int i = 0; i < loggers.size(); i++) {
                loggers.get(i).removeHandler(this);
                loggers.get(i).setLevel(before.get(i));
            }
        }
    }
}
