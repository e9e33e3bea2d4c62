package com.dts.apm.notify;

import static com.dts.apm.notify.AnAlert.anAlert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.dts.apm.config.Config;
import com.dts.apm.config.ConfigException;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class RelaySenderIT {
    static final String RELAY_PASSWORD = "relay-Pa55w0rd-never-logged";

    @RegisterExtension
    static final GreenMailExtension relay = new GreenMailExtension(
                    new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort())
            .withConfiguration(GreenMailConfiguration.aConfig().withUser("relay-user", RELAY_PASSWORD));

    final AlertComposer composer = new AlertComposer(null, AnAlert.CLOCK);
    final MessageFactory factory = new MessageFactory(AnAlert.ALERTS.from(), AnAlert.CLOCK);
    final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    PrintStream realOut;
    Level rootLevel;

    @TempDir
    Path dir;

    @BeforeEach
    void captureLogsAndStdout() {
        // Our code and the mail client at TRACE; GreenMail (the test's relay) keeps its own level:
        // its wire log is the server's business, not ours.
        var root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        var ours = (Logger) LoggerFactory.getLogger("com.dts.apm");
        rootLevel = ours.getLevel();
        ours.setLevel(Level.TRACE);
        ((Logger) LoggerFactory.getLogger("org.eclipse.angus")).setLevel(Level.TRACE);
        ((Logger) LoggerFactory.getLogger("jakarta.mail")).setLevel(Level.TRACE);
        logs.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        logs.start();
        root.addAppender(logs);
        realOut = System.out;
        System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(realOut);
        var root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAppender(logs);
        ((Logger) LoggerFactory.getLogger("com.dts.apm")).setLevel(rootLevel);
    }

    @Test
    void deliversThroughAPlainLoopbackRelay() throws Exception {
        var sender = new RelaySender(new Config.Relay("127.0.0.1", relayPort(), "plain", null, null));
        var mail = composer.compose(anAlert().build());

        var result = sender.send(factory.create(mail, "sales@sample-motors.example", "Sample Motors", "101"));

        assertThat(result.status()).isEqualTo(DeliveryStatus.DELIVERED);
        var received = relay.getReceivedMessages();
        assertThat(received).hasSize(1);
        assertReceived(received[0], mail, "<alert-101@app-password-monitor.dts.example>");
    }

    @Test
    void deliversWithAuthUsingThePasswordFileAndNeverLogsThePassword() throws Exception {
        var file = Files.writeString(dir.resolve("relay.pw"), "  " + RELAY_PASSWORD + "\n");
        var sender = new RelaySender(new Config.Relay("localhost", relayPort(), "plain", "relay-user", file));
        var mail = composer.compose(anAlert().provider("yahoo").build());

        var result = sender.send(factory.create(mail, "owner@dealer.example", null, "102"));

        assertThat(result.status()).isEqualTo(DeliveryStatus.DELIVERED);
        assertReceived(relay.getReceivedMessages()[0], mail, "<alert-102@app-password-monitor.dts.example>");
        assertThat(logs.list).isNotEmpty();
        assertNoPasswordAnywhere(result);
    }

    @Test
    void aWrongRelayPasswordIsATransientFailureWithoutThePassword() throws Exception {
        var file = Files.writeString(dir.resolve("relay.pw"), "wrong-" + RELAY_PASSWORD);
        var sender = new RelaySender(new Config.Relay("127.0.0.1", relayPort(), "plain", "relay-user", file));

        var result = sender.send(factory.create(composer.compose(anAlert().build()), "a@b.example", null, "103"));

        assertThat(result.status()).isEqualTo(DeliveryStatus.TRANSIENT_FAILURE);
        assertThat(result.detail()).contains("login");
        assertThat(relay.getReceivedMessages()).isEmpty();
        assertNoPasswordAnywhere(result);
        assertThat(result.detail()).doesNotContain("wrong-");
    }

    @Test
    void relayDownIsATransientFailure() throws Exception {
        int closedPort;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        var sender = new RelaySender(new Config.Relay("127.0.0.1", closedPort, "plain", null, null));

        var result = sender.send(factory.create(composer.compose(anAlert().build()), "a@b.example", null, "104"));

        assertThat(result.status()).isEqualTo(DeliveryStatus.TRANSIENT_FAILURE);
        assertThat(result.detail()).isNotBlank().doesNotContain("\n");
    }

    @Test
    void aRelayThatNeverAnswersTimesOutAsATransientFailure() throws Exception {
        try (var hang = ScriptedSmtpServer.silent()) {
            var sender = new RelaySender(
                    new Config.Relay("127.0.0.1", hang.port(), "plain", null, null),
                    Duration.ofSeconds(2),
                    Duration.ofMillis(500));

            var result = sender.send(factory.create(composer.compose(anAlert().build()), "a@b.example", null, "105"));

            assertThat(result.status()).isEqualTo(DeliveryStatus.TRANSIENT_FAILURE);
        }
    }

    @Test
    void aPermanentRecipientRejectionIsReportedAsSuch() throws Exception {
        try (var server = ScriptedSmtpServer.rejectingRecipients("550 5.1.1 <gone@dealer.example>: user unknown")) {
            var sender = new RelaySender(new Config.Relay("127.0.0.1", server.port(), "plain", null, null));

            var result = sender.send(
                    factory.create(composer.compose(anAlert().build()), "gone@dealer.example", null, "106"));

            assertThat(result.status()).isEqualTo(DeliveryStatus.PERMANENT_REJECTION);
            assertThat(result.detail()).contains("550").contains("user unknown");
            assertThat(server.commands).anyMatch(c -> c.startsWith("RCPT TO:<gone@dealer.example>"));
        }
    }

    @Test
    void aTemporaryRecipientRejectionIsRetried() throws Exception {
        try (var server = ScriptedSmtpServer.rejectingRecipients("451 4.3.0 try again later")) {
            var sender = new RelaySender(new Config.Relay("127.0.0.1", server.port(), "plain", null, null));

            var result =
                    sender.send(factory.create(composer.compose(anAlert().build()), "a@dealer.example", null, "107"));

            assertThat(result.status()).isEqualTo(DeliveryStatus.TRANSIENT_FAILURE);
        }
    }

    @Test
    void noHostMeansNotConfiguredAndNothingIsSent() throws Exception {
        var sender = new RelaySender(new Config.Relay(null, null, null, null, null));

        assertThat(sender.isConfigured()).isFalse();
        var result = sender.send(factory.create(composer.compose(anAlert().build()), "a@b.example", null, "108"));
        assertThat(result.status()).isEqualTo(DeliveryStatus.TRANSIENT_FAILURE);
        assertThat(result.detail()).contains("no relay configured");
    }

    @Test
    void refusesToSendTheRelayPasswordInClearOverTheNetwork() throws Exception {
        var file = Files.writeString(dir.resolve("relay.pw"), RELAY_PASSWORD);

        assertThatThrownBy(() -> new RelaySender(new Config.Relay("smtp.example.com", 25, "plain", "u", file)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("clear text")
                .hasMessageNotContaining(RELAY_PASSWORD);
    }

    @Test
    void refusesAUsernameWithoutAPasswordFile() {
        assertThatThrownBy(() -> new RelaySender(new Config.Relay("127.0.0.1", 25, "plain", "u", null)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("password-file");
    }

    private int relayPort() {
        return relay.getSmtp().getPort();
    }

    private static void assertReceived(MimeMessage got, ComposedEmail mail, String messageId) throws Exception {
        assertThat(got.getSubject()).isEqualTo(mail.subject());
        assertThat(got.getMessageID()).isEqualTo(messageId);
        assertThat(((InternetAddress) got.getFrom()[0]).getAddress()).isEqualTo("alerts@dts.example");
        assertThat(got.getContentType()).startsWith("multipart/alternative");
        var parts = (MimeMultipart) got.getContent();
        assertThat(parts.getBodyPart(0).isMimeType("text/plain")).isTrue();
        assertThat(parts.getBodyPart(1).isMimeType("text/html")).isTrue();
        assertThat(((String) parts.getBodyPart(0).getContent()).replace("\r\n", "\n"))
                .isEqualTo(mail.textBody());
    }

    private void assertNoPasswordAnywhere(DeliveryResult result) {
        var authPlain = java.util.Base64.getEncoder()
                .encodeToString(("\0relay-user\0" + RELAY_PASSWORD).getBytes(StandardCharsets.UTF_8));
        var authLogin = java.util.Base64.getEncoder().encodeToString(RELAY_PASSWORD.getBytes(StandardCharsets.UTF_8));
        assertThat(result.detail()).doesNotContain(RELAY_PASSWORD);
        assertThat(logs.list)
                .filteredOn(e -> !e.getLoggerName().startsWith("com.icegreen"))
                .allSatisfy(e -> {
                    assertThat(e.getFormattedMessage()).doesNotContain(RELAY_PASSWORD, authPlain, authLogin);
                    if (e.getThrowableProxy() != null) {
                        assertThat(e.getThrowableProxy().getMessage()).doesNotContain(RELAY_PASSWORD);
                    }
                });
        // Jakarta Mail's debug output would start lines with "DEBUG SMTP" and show the AUTH exchange.
        var printed = stdout.toString(StandardCharsets.UTF_8);
        assertThat(printed).doesNotContain("DEBUG SMTP", RELAY_PASSWORD, authPlain, authLogin);
    }
}
