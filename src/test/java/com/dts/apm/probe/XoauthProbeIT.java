package com.dts.apm.probe;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.config.Secret;
import com.dts.apm.provider.Auth;
import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.Security;
import com.dts.apm.testing.XoauthMailServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SASL XOAUTH2 over implicit TLS against a server that answers as Gmail does. */
class XoauthProbeIT {
    private static final String USER = "sales@dealer-g.test";
    private static final String GOOD = "ya29.a0Af-good-access-token";
    private static final String STALE = "ya29.a0Af-stale-access-token";

    private final TestCerts certs = TestCerts.forGreenMail();
    private XoauthMailServer imap;
    private XoauthMailServer smtp;
    private Probes probes;

    @BeforeEach
    void start() throws Exception {
        imap = XoauthMailServer.imap(certs.serverContext()).accept(GOOD);
        smtp = XoauthMailServer.smtp(certs.serverContext()).accept(GOOD);
        probes = Probes.create(certs.trustingChecks(Duration.ofSeconds(20)));
    }

    @AfterEach
    void stop() throws Exception {
        probes.close();
        imap.close();
        smtp.close();
    }

    private ProbeResult check(String provider, Protocol protocol, String token) {
        var port = protocol == Protocol.IMAP ? imap.port() : smtp.port();
        return probes.check(new ProbeTarget(
                Targets.CATALOG.get(provider),
                protocol,
                new Endpoint("localhost", port, Security.SSL),
                USER,
                Secret.of(token),
                Auth.OAUTH2));
    }

    @Test
    void logsInWithAFreshAccessTokenOverImapAndSmtp() {
        assertThat(check("gmail", Protocol.IMAP, GOOD).outcome()).isEqualTo(Outcome.OK);
        assertThat(check("gmail", Protocol.SMTP, GOOD).outcome()).isEqualTo(Outcome.OK);
        assertThat(imap.bearers()).containsExactly(GOOD);
        assertThat(smtp.bearers()).containsExactly(GOOD);
        // SASL-IR: the token travels in the AUTHENTICATE command; never a LOGIN with the token as a password
        assertThat(imap.lines()).anyMatch(l -> l.matches("\\S+ AUTHENTICATE XOAUTH2 \\S+"));
        assertThat(imap.lines()).noneMatch(l -> l.toUpperCase().contains(" LOGIN "));
    }

    @Test
    void aRefusedTokenIsAuthRejectedWithTheDecodedReason() {
        var i = check("gmail", Protocol.IMAP, STALE);
        assertThat(i.outcome()).isEqualTo(Outcome.AUTH_REJECTED);
        assertThat(i.detail())
                .contains("[AUTHENTICATIONFAILED] Invalid credentials (Failure)")
                .contains("\"status\":\"400\"")
                .contains("https://mail.google.com/")
                .doesNotContain(STALE);
        var s = check("gmail", Protocol.SMTP, STALE);
        assertThat(s.outcome()).isEqualTo(Outcome.AUTH_REJECTED);
        assertThat(s.detail())
                .contains("XOAUTH2 token refused")
                .contains("\"schemes\":\"Bearer\"")
                .doesNotContain(STALE);
    }

    @Test
    void outlookRefusingATokenIsTheDealersNotBasicAuthOff() {
        // for passwords, Outlook.com's refusals mean "no passwords taken"; for a token they mean the token is bad
        assertThat(check("outlook", Protocol.IMAP, STALE).outcome()).isEqualTo(Outcome.AUTH_REJECTED);
        assertThat(check("outlook", Protocol.SMTP, STALE).outcome()).isEqualTo(Outcome.AUTH_REJECTED);
        assertThat(check("outlook", Protocol.IMAP, GOOD).outcome()).isEqualTo(Outcome.OK);
    }

    @Test
    void aServerWithoutXoauth2IsAProtocolErrorAndNeverGetsTheToken() throws Exception {
        // a server (or a proxy in front of it) that takes passwords only: LOGIN / AUTH PLAIN with the token as the
        // password would be refused and read as the dealer's fault; it is ops' problem, and the token stays here
        try (var plainImap = XoauthMailServer.imap(certs.serverContext())
                        .accept(GOOD)
                        .withoutXoauth2();
                var plainSmtp = XoauthMailServer.smtp(certs.serverContext())
                        .accept(GOOD)
                        .withoutXoauth2()) {
            for (var server : java.util.List.of(plainImap, plainSmtp)) {
                var protocol = server == plainImap ? Protocol.IMAP : Protocol.SMTP;
                var result = probes.check(new ProbeTarget(
                        Targets.CATALOG.get("gmail"),
                        protocol,
                        new Endpoint("localhost", server.port(), Security.SSL),
                        USER,
                        Secret.of(GOOD),
                        Auth.OAUTH2));
                assertThat(result.outcome()).as(protocol.label()).isEqualTo(Outcome.PROTOCOL_ERROR);
                assertThat(result.detail())
                        .as(protocol.label())
                        .isEqualTo("the server does not offer SASL XOAUTH2 (its AUTH mechanisms: LOGIN PLAIN)");
                assertThat(server.lines()).as(protocol.label()).isNotEmpty(); // it did talk to the server
                assertThat(server.received(GOOD)).as(protocol.label()).isFalse();
                assertThat(server.bearers()).as(protocol.label()).isEmpty();
            }
            assertThat(plainImap.lines())
                    .noneMatch(l -> l.toUpperCase(java.util.Locale.ROOT).matches("\\S+ (LOGIN|AUTHENTICATE) .*"));
            assertThat(plainSmtp.lines())
                    .noneMatch(l -> l.toUpperCase(java.util.Locale.ROOT).startsWith("AUTH"));
        }
    }
}
