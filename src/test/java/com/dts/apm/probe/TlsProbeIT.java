package com.dts.apm.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dts.apm.config.Config;
import com.dts.apm.config.ConfigException;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.Security;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS rules against real handshakes: an unknown issuer, an expired certificate and a certificate for
 * another host are TLS_ERROR even when the certificate is in the trust store where that applies;
 * STARTTLS configured but not offered is TLS_ERROR and the password never crosses in plain text; a PEM
 * file of CA certificates works as the trust store, and one without a certificate is a config error.
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
        assertThat(server.received())
                .extracting(l -> l.text().toUpperCase(Locale.ROOT))
                .noneMatch(l -> l.contains("LOGIN") || l.contains("AUTH"))
                .noneMatch(l -> l.contains(PASSWORD.toUpperCase(Locale.ROOT)));
    }

    @Test
    void trustedCertificateOverImplicitTlsIsOk() throws Exception {
        try (var server =
                ScriptedMailServer.imap().implicitTls(good.serverContext()).start()) {
            var r = check(good, Protocol.IMAP, server.port(), Security.SSL);
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.OK);
            assertThat(server.received())
                    .allSatisfy(l -> assertThat(l.encrypted()).isTrue());
        }
    }

    @Test
    void selfSignedCertificateIsTlsErrorForImapAndSmtp() throws Exception {
        try (var imap = ScriptedMailServer.imap()
                        .implicitTls(good.serverContext())
                        .start();
                var smtp =
                        ScriptedMailServer.smtp().startTls(good.serverContext()).start()) {
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
        try (var server =
                ScriptedMailServer.imap().implicitTls(expired.serverContext()).start()) {
            var r = check(expired, Protocol.IMAP, server.port(), Security.SSL);
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.TLS_ERROR);
            assertNoLoginReached(server);
        }
    }

    @Test
    void certificateForAnotherHostIsTlsErrorEvenWhenTrusted() throws Exception {
        try (var imap = ScriptedMailServer.imap()
                        .implicitTls(otherHost.serverContext())
                        .start();
                var smtp = ScriptedMailServer.smtp()
                        .startTls(otherHost.serverContext())
                        .start()) {
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
                var smtp =
                        ScriptedMailServer.smtp().startTls(good.serverContext()).start()) {
            var r = check(good, Protocol.IMAP, imap.port(), Security.STARTTLS);
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.OK);
            assertThat(imap.received())
                    .filteredOn(l -> l.text().toUpperCase(Locale.ROOT).contains("LOGIN"))
                    .isNotEmpty()
                    .allSatisfy(l -> assertThat(l.encrypted()).isTrue());
            var s = check(good, Protocol.SMTP, smtp.port(), Security.STARTTLS);
            assertThat(s.outcome()).as(s.detail()).isEqualTo(Outcome.OK);
            assertThat(smtp.received())
                    .filteredOn(l -> l.text().toUpperCase(Locale.ROOT).startsWith("AUTH"))
                    .isNotEmpty()
                    .allSatisfy(l -> assertThat(l.encrypted()).isTrue());
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

    private static Config.Checks trustingPem(Path pem) {
        return new Config.Checks(Duration.ofSeconds(5), Duration.ofSeconds(10), DEADLINE, pem, null, null);
    }

    @Test
    void pemFileOfCaCertificatesIsATrustStore() throws Exception {
        // a bundle as ops teams keep them: comments and openssl's subject lines around several certificates
        var pem = dir.resolve("private-mail-ca.pem");
        Files.writeString(
                pem,
                "# private mail CAs\nsubject=CN = mail.other-host.test\n" + PemFiles.certificates(otherHost)
                        + "\nsubject=CN = localhost\n" + PemFiles.certificates(good),
                StandardCharsets.US_ASCII);
        try (var imap = ScriptedMailServer.imap()
                        .implicitTls(good.serverContext())
                        .start();
                var smtp =
                        ScriptedMailServer.smtp().startTls(good.serverContext()).start();
                var probes = Probes.create(trustingPem(pem))) {
            var r = probes.check(
                    Targets.target("custom", Protocol.IMAP, "127.0.0.1", imap.port(), Security.SSL, USER, PASSWORD));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.OK);
            var s = probes.check(Targets.target(
                    "custom", Protocol.SMTP, "127.0.0.1", smtp.port(), Security.STARTTLS, USER, PASSWORD));
            assertThat(s.outcome()).as(s.detail()).isEqualTo(Outcome.OK);
        }
    }

    @Test
    void pemFileTrustsOnlyTheCertificatesInIt() throws Exception {
        var pem = dir.resolve("other-only.pem");
        Files.writeString(pem, PemFiles.certificates(otherHost), StandardCharsets.US_ASCII);
        try (var imap = ScriptedMailServer.imap()
                        .implicitTls(good.serverContext())
                        .start();
                var probes = Probes.create(trustingPem(pem))) {
            var r = probes.check(
                    Targets.target("custom", Protocol.IMAP, "127.0.0.1", imap.port(), Security.SSL, USER, PASSWORD));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.TLS_ERROR);
            assertNoLoginReached(imap);
        }
    }

    @Test
    void pemFileWithoutACertificateOrWithGarbageIsAOneLineConfigError() throws Exception {
        var keyOnly = dir.resolve("key-only.pem");
        Files.writeString(
                keyOnly, "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n");
        var garbage = dir.resolve("garbage.pem");
        Files.writeString(
                garbage, "# CA\n-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        var truncated = dir.resolve("truncated.pem");
        Files.writeString(
                truncated,
                PemFiles.certificates(good) + PemFiles.certificates(good).substring(0, 200));
        var notAStore = dir.resolve("not-a-store.p12");
        Files.writeString(notAStore, "this is neither a key store nor PEM\n");
        assertConfigError(keyOnly, "is a PEM file with no certificate in it");
        assertConfigError(garbage, "the certificate at line 2 is not a valid X.509 certificate");
        assertConfigError(truncated, "has no -----END CERTIFICATE----- line");
        assertConfigError(
                notAStore, "cannot read " + notAStore + " as a PKCS12 key store or a PEM file of certificates");
    }

    private static void assertConfigError(Path file, String problem) {
        assertThatThrownBy(() -> Probes.create(trustingPem(file))).isInstanceOfSatisfying(ConfigException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(2);
            assertThat(e.getMessage())
                    .startsWith("checks.trust-store: ")
                    .contains(file.toString(), problem)
                    .doesNotContain("\n");
        });
    }

    @Test
    void plainLoginToANonLoopbackHostIsRefusedBeforeAnyConnection() {
        try (var probes = Probes.create(TestCerts.defaultChecks(DEADLINE))) {
            assertThatThrownBy(() -> probes.check(Targets.target(
                            "custom", Protocol.IMAP, "mail.example.com", 143, Security.PLAIN, USER, PASSWORD)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("plain")
                    .hasMessageNotContaining(PASSWORD);
        }
    }
}
