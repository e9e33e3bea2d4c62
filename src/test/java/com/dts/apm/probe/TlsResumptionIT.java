package com.dts.apm.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Security;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With {@code checks.tls-session-lifetime} above 0, TLS sessions are resumed per server within it: the first check to a server makes a
 * full handshake (the chain is verified and its expiry reported), the next ones resume it (no certificate is sent,
 * so none is reported), the login is checked all the same. At 0, the default, every check verifies the chain.
 */
class TlsResumptionIT {
    private static final String USER = "resume@dealer.test";
    private static final String PASSWORD = "resume-app-password";
    private static TestCerts certs;
    private GreenMail mail;

    @BeforeAll
    static void certificates() {
        certs = TestCerts.forGreenMail();
    }

    @BeforeEach
    void start() {
        mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.IMAPS, ServerSetupTest.SMTPS}));
        mail.start();
        mail.setUser(USER, USER, PASSWORD);
    }

    @AfterEach
    void stop() {
        mail.stop();
    }

    private ProbeResult imaps(Probes probes, String password) {
        return probes.check(Targets.imap("custom", mail.getImaps().getPort(), Security.SSL, USER, password));
    }

    @Test
    void laterChecksToTheSameServerResumeTheVerifiedSession() {
        try (var probes = Probes.create(
                TestCerts.withTls(certs.trustingChecks(Duration.ofSeconds(20)), null, Duration.ofMinutes(10)))) {
            var first = imaps(probes, PASSWORD);
            assertThat(first.outcome()).as(first.detail()).isEqualTo(Outcome.OK);
            assertThat(first.certificateNotAfter())
                    .as("full handshake: chain verified and reported")
                    .isNotNull();
            var second = imaps(probes, PASSWORD);
            assertThat(second.outcome()).as(second.detail()).isEqualTo(Outcome.OK);
            assertThat(second.certificateNotAfter())
                    .as("resumed: no certificate exchanged")
                    .isNull();
            var wrong = imaps(probes, "not-the-password");
            assertThat(wrong.outcome())
                    .as("a resumed session still checks the login")
                    .isEqualTo(Outcome.AUTH_REJECTED);
            var smtp = probes.check(Targets.smtp("custom", mail.getSmtps().getPort(), Security.SSL, USER, PASSWORD));
            assertThat(smtp.certificateNotAfter())
                    .as("another port is another server: a full handshake")
                    .isNotNull();
        }
    }

    @Test
    void byDefaultTheLifetimeIsZeroAndEveryCheckVerifiesTheChain() {
        assertThat(certs.trustingChecks(Duration.ofSeconds(20)).tlsSessionLifetime())
                .isZero();
        try (var probes = Probes.create(certs.trustingChecks(Duration.ofSeconds(20)))) {
            for (int i = 0; i < 3; i++) {
                var r = imaps(probes, PASSWORD);
                assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.OK);
                assertThat(r.certificateNotAfter()).isNotNull();
            }
        }
    }
}
