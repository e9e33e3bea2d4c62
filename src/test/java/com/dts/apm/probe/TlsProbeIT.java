package com.dts.apm.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.Security;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS rules against real handshakes: an unknown issuer, an expired certificate and a certificate for
 * another host are TLS_ERROR even when the certificate is in the trust store where that applies;
 * STARTTLS configured but not offered is TLS_ERROR and the password never crosses in plain text.
 */
class TlsProbeIT {
    private static final String USER = "sales@dealer-t.test";
    private static final String PASSWORD = "tls-suite-app-password";
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    private static TestCerts good;
    private static TestCerts expired;
    private static TestCerts otherHost;

    @BeforeAll
    static void certificates() {
        good = TestCerts.generate(dir, "good");
        expired = TestCerts.expired(dir, "expired");
        otherHost = TestCerts.forOtherHost(dir, "other-host");
    }

    private static ProbeResult check(TestCerts trusted, Protocol protocol, int port, Security security) {
        var checks = trusted == null ? TestCerts.defaultChecks(DEADLINE) : trusted.trustingChecks(DEADLINE);
        try (var probes = Probes.create(checks)) {
            return probes.check(Targets.target("custom", protocol, "127.0.0.1", port, security, USER, PASSWORD));
        }
    }

    private static void assertNoLoginReached(ScriptedMailServer server) {
        assertThat(server.received()).extracting(l -> l.text().toUpperCase(Locale.ROOT))
                .noneMatch(l -> l.contains("LOGIN") || l.contains("AUTH"))
                .noneMatch(l -> l.contains(PASSWORD.toUpperCase(Locale.ROOT)));
    }

    @Test
    void trustedCertificateOverImplicitTlsIsOk() throws Exception {
        try (var server = ScriptedMailServer.imap().implicitTls(good.serverContext()).start()) {
            var r = check(good, Protocol.IMAP, server.port(), Security.SSL);
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.OK);
            assertThat(server.received()).allSatisfy(l -> assertThat(l.encrypted()).isTrue());
        }
    }

    @Test
    void selfSignedCertificateIsTlsErrorForImapAndSmtp() throws Exception {
        try (var imap = ScriptedMailServer.imap().implicitTls(good.serverContext()).start();
                var smtp = ScriptedMailServer.smtp().startTls(good.serverContext()).start()) {
            var r = check(null, Protocol.IMAP, imap.port(), Security.SSL);
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.TLS_ERROR);
            assertThat(r.detail()).isNotBlank().hasSizeLessThanOrEqualTo(Details.MAX);
            assertNoLoginReached(imap);
            var s = check(null, Protocol.SMTP, smtp.port(), Security.STARTTLS);
            assertThat(s.outcome()).as(s.detail()).isEqualTo(Outcome.TLS_ERROR);
            assertNoLoginReached(smtp);
        }
    }

    @Test
    void expiredCertificateIsTlsErrorEvenWhenTrusted() throws Exception {
        try (var server = ScriptedMailServer.imap().implicitTls(expired.serverContext()).start()) {
            var r = check(expired, Protocol.IMAP, server.port(), Security.SSL);
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.TLS_ERROR);
            assertNoLoginReached(server);
        }
    }

    @Test
    void certificateForAnotherHostIsTlsErrorEvenWhenTrusted() throws Exception {
        try (var imap = ScriptedMailServer.imap().implicitTls(otherHost.serverContext()).start();
                var smtp = ScriptedMailServer.smtp().startTls(otherHost.serverContext()).start()) {
            var r = check(otherHost, Protocol.IMAP, imap.port(), Security.SSL);
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.TLS_ERROR);
            assertNoLoginReached(imap);
            var s = check(otherHost, Protocol.SMTP, smtp.port(), Security.STARTTLS);
            assertThat(s.outcome()).as(s.detail()).isEqualTo(Outcome.TLS_ERROR);
            assertNoLoginReached(smtp);
        }
    }

    @Test
    void startTlsUpgradeThenLoginIsOkAndTheLoginIsEncrypted() throws Exception {
        try (var imap = ScriptedMailServer.imap().startTls(good.serverContext()).start();
                var smtp = ScriptedMailServer.smtp().startTls(good.serverContext()).start()) {
            var r = check(good, Protocol.IMAP, imap.port(), Security.STARTTLS);
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.OK);
            assertThat(imap.received()).filteredOn(l -> l.text().toUpperCase(Locale.ROOT).contains("LOGIN"))
                    .isNotEmpty().allSatisfy(l -> assertThat(l.encrypted()).isTrue());
            var s = check(good, Protocol.SMTP, smtp.port(), Security.STARTTLS);
            assertThat(s.outcome()).as(s.detail()).isEqualTo(Outcome.OK);
            assertThat(smtp.received()).filteredOn(l -> l.text().toUpperCase(Locale.ROOT).startsWith("AUTH"))
                    .isNotEmpty().allSatisfy(l -> assertThat(l.encrypted()).isTrue());
        }
    }

    @Test
    void startTlsConfiguredButNotOfferedIsTlsErrorWithoutPlaintextFallback() throws Exception {
        try (var imap = ScriptedMailServer.imap().withoutStartTls().start();
                var smtp = ScriptedMailServer.smtp().withoutStartTls().start()) {
            var r = check(good, Protocol.IMAP, imap.port(), Security.STARTTLS);
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.TLS_ERROR);
            assertThat(r.detail()).containsIgnoringCase("STARTTLS");
            assertNoLoginReached(imap);
            var s = check(good, Protocol.SMTP, smtp.port(), Security.STARTTLS);
            assertThat(s.outcome()).as(s.detail()).isEqualTo(Outcome.TLS_ERROR);
            assertThat(s.detail()).containsIgnoringCase("STARTTLS");
            assertNoLoginReached(smtp);
        }
    }

    @Test
    void plainLoginToANonLoopbackHostIsRefusedBeforeAnyConnection() {
        try (var probes = Probes.create(TestCerts.defaultChecks(DEADLINE))) {
            assertThatThrownBy(() -> probes.check(Targets.target("custom", Protocol.IMAP, "mail.example.com", 143,
                    Security.PLAIN, USER, PASSWORD)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("plain")
                    .hasMessageNotContaining(PASSWORD);
        }
    }
}
