package com.dts.apm.probe;

import static com.dts.apm.provider.Outcome.ACCOUNT_LOCKED;
import static com.dts.apm.provider.Outcome.APP_PASSWORD_REQUIRED;
import static com.dts.apm.provider.Outcome.AUTH_REJECTED;
import static com.dts.apm.provider.Outcome.BASIC_AUTH_DISABLED;
import static com.dts.apm.provider.Outcome.NETWORK_ERROR;
import static com.dts.apm.provider.Outcome.PROTOCOL_DISABLED;
import static com.dts.apm.provider.Outcome.PROTOCOL_ERROR;
import static com.dts.apm.provider.Outcome.RATE_LIMITED;
import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Security;
import com.dts.apm.testing.LogCapture;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A scripted server answers the login with the exact words each provider uses (providers.md), over a
 * real socket; the probe must turn each into the right outcome and keep the server's words as detail.
 */
class ProviderRepliesIT {
    private static final String USER = "sales@dealer-p.test";
    private static final String PASSWORD = "abcdefghijklmnop";

    private static Probes probes;
    private static LogCapture logs;

    @BeforeAll
    static void probes() {
        logs = new LogCapture();
        probes = Probes.create(TestCerts.defaultChecks(Duration.ofSeconds(20)));
    }

    @AfterAll
    static void close() {
        probes.close();
        try {
            assertThat(logs.text()).as("every check logged at DEBUG").contains("login to");
            for (var secret : GreenMailProbeIT.secretForms(USER, PASSWORD)) {
                assertThat(logs.text()).doesNotContain(secret);
            }
        } finally {
            logs.close();
        }
    }

    static Stream<Arguments> imapReplies() {
        return Stream.of(
                Arguments.of("gmail", APP_PASSWORD_REQUIRED, new String[] {
                    "{tag} NO [ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)"
                }),
                Arguments.of("gmail", ACCOUNT_LOCKED, new String[] {
                    "* NO [WEBALERT https://accounts.google.com/ContinueSignIn?sarp=1&scc=1&plt=AKgnsbtX1] Web login required.",
                    "{tag} NO [ALERT] Please log in via your web browser: https://support.google.com/mail/accounts/answer/78754 (Failure)"
                }),
                Arguments.of("gmail", RATE_LIMITED, new String[] {
                    "{tag} NO [ALERT] Too many simultaneous connections. (Failure)"
                }),
                Arguments.of("gmail", RATE_LIMITED, new String[] {
                    "* BYE [OVERQUOTA] Account exceeded command or bandwidth limits."
                }),
                Arguments.of("gmail", AUTH_REJECTED, new String[] {
                    "{tag} NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)"
                }),
                Arguments.of("gmail", PROTOCOL_DISABLED, new String[] {
                    "{tag} NO [ALERT] Your account is not enabled for IMAP use."
                }),
                Arguments.of("outlook", BASIC_AUTH_DISABLED, new String[] {
                    "{tag} NO Basic authentication is disabled.",
                    "* BYE Microsoft Exchange Server IMAP4 server signing off."
                }),
                Arguments.of("outlook", BASIC_AUTH_DISABLED, new String[] {
                    "{tag} NO LOGIN failed.", "* BYE Microsoft Exchange Server IMAP4 server signing off."
                }),
                // Microsoft 365: Exchange Online takes no password over IMAP (imapsync#317, Webklex/php-imap#302)
                Arguments.of("microsoft365", BASIC_AUTH_DISABLED, new String[] {
                    "{tag} NO LOGIN failed.", "* BYE Microsoft Exchange Server IMAP4 server signing off."
                }),
                Arguments.of("microsoft365", BASIC_AUTH_DISABLED, new String[] {"{tag} NO AUTHENTICATE failed."}),
                Arguments.of(
                        "microsoft365", BASIC_AUTH_DISABLED, new String[] {"{tag} NO Basic authentication is disabled."
                        }),
                Arguments.of("zoho", PROTOCOL_DISABLED, new String[] {
                    "{tag} NO [ALERT] You are yet to enable IMAP for your account. Please contact your administrator (Failure)"
                }),
                Arguments.of("yahoo", AUTH_REJECTED, new String[] {
                    "{tag} NO [AUTHENTICATIONFAILED] LOGIN Invalid credentials"
                }),
                Arguments.of(
                        "aol", AUTH_REJECTED, new String[] {"{tag} NO [AUTHENTICATIONFAILED] LOGIN Invalid credentials"
                        }),
                Arguments.of(
                        "icloud", AUTH_REJECTED, new String[] {"{tag} NO [AUTHENTICATIONFAILED] Authentication failed"
                        }),
                Arguments.of("custom", NETWORK_ERROR, new String[] {"* BYE Server shutting down, try again later"}));
    }

    @ParameterizedTest(name = "{0} IMAP {1}")
    @MethodSource("imapReplies")
    void classifiesImapLoginReply(String provider, Outcome expected, String[] reply) throws Exception {
        try (var server = ScriptedMailServer.imap().onLogin(reply).start()) {
            var r = probes.check(Targets.imap(provider, server.port(), Security.PLAIN, USER, PASSWORD));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(expected);
            assertThat(r.detail())
                    .isNotBlank()
                    .hasSizeLessThanOrEqualTo(Details.MAX)
                    .doesNotContain(PASSWORD);
            assertThat(server.received())
                    .anySatisfy(l -> assertThat(l.text()).containsPattern("(?i)LOGIN|AUTHENTICATE"));
            assertThat(server.connections()).as("one connection per check").isEqualTo(1);
        }
    }

    @Test
    void exchangeLoginOkButNextCommandRefusedIsAuthRejected() throws Exception {
        try (var server = ScriptedMailServer.imap()
                .afterLogin("{tag} BAD User is authenticated but not connected.")
                .start()) {
            var r = probes.check(Targets.imap("custom", server.port(), Security.PLAIN, USER, PASSWORD));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(AUTH_REJECTED);
            assertThat(r.detail()).contains("authenticated but not connected");
        }
    }

    @Test
    void imapServerSayingLoginDisabledGetsNoPasswordAndIsOpsProtocolError() throws Exception {
        // a plain-text port that wants STARTTLS first: a configuration matter for ops, never a dealer email
        try (var server = ScriptedMailServer.imap().withoutAuth().start()) {
            var r = probes.check(Targets.imap("custom", server.port(), Security.PLAIN, USER, PASSWORD));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(PROTOCOL_ERROR);
            assertThat(server.received())
                    .extracting(ScriptedMailServer.Line::text)
                    .noneMatch(l -> l.toUpperCase(java.util.Locale.ROOT).matches("^\\S+ (LOGIN|AUTHENTICATE).*"));
        }
    }

    @Test
    void microsoft365LoginOkButNextCommandRefusedIsAuthRejected() throws Exception {
        // providers.md: low confidence, the imapsync FAQ ties this to a wrong password
        try (var server = ScriptedMailServer.imap()
                .afterLogin("{tag} BAD User is authenticated but not connected.")
                .start()) {
            var r = probes.check(Targets.imap("microsoft365", server.port(), Security.PLAIN, USER, PASSWORD));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(AUTH_REJECTED);
            assertThat(r.detail()).contains("authenticated but not connected");
        }
    }

    @Test
    void validImapLoginIsOkAndLogsOut() throws Exception {
        try (var server = ScriptedMailServer.imap().start()) {
            var r = probes.check(Targets.imap("custom", server.port(), Security.PLAIN, USER, PASSWORD));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.OK);
            assertThat(server.received())
                    .extracting(l -> l.text().split(" ").length > 1 ? l.text().split(" ")[1] : "")
                    .contains("LIST", "LOGOUT")
                    .doesNotContain("SELECT", "EXAMINE", "FETCH", "STORE", "APPEND");
        }
    }

    static Stream<Arguments> smtpReplies() {
        return Stream.of(
                Arguments.of("gmail", APP_PASSWORD_REQUIRED, new String[] {
                    "534-5.7.9 Application-specific password required. Learn more at",
                    "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor d9443c01a7336-21c3 - gsmtp"
                }),
                Arguments.of("gmail", ACCOUNT_LOCKED, new String[] {
                    "534-5.7.14 <https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=AKgnsbu>",
                    "534-5.7.14 Please log in via your web browser and then try again.",
                    "534 5.7.14  Learn more at https://support.google.com/mail/answer/78754 x3sm - gsmtp"
                }),
                Arguments.of("gmail", RATE_LIMITED, new String[] {
                    "454 4.7.0 Too many login attempts, please try again later. x3sm1 - gsmtp"
                }),
                Arguments.of("gmail", AUTH_REJECTED, new String[] {
                    "535-5.7.8 Username and Password not accepted. For more information, go to",
                    "535 5.7.8  https://support.google.com/mail/?p=BadCredentials x3sm - gsmtp"
                }),
                Arguments.of("outlook", BASIC_AUTH_DISABLED, new String[] {
                    "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [AM0PR02CA0001.eurprd02.prod.outlook.com 2025-09-01T10:00:00.000Z 08DC]"
                }),
                Arguments.of("custom", BASIC_AUTH_DISABLED, new String[] {
                    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [SN4PR0501CA0123.namprd05.prod.outlook.com]"
                }),
                Arguments.of("custom", BASIC_AUTH_DISABLED, new String[] {
                    "550 5.7.30 Basic authentication is not supported for Client Submission."
                }),
                // Microsoft 365 SMTP AUTH (mailR#107, email-oauth2-proxy#193, Exchange Team blog 4114750, MailKit#700)
                Arguments.of("microsoft365", BASIC_AUTH_DISABLED, new String[] {
                    "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [BN9PR03CA0123.namprd03.prod.outlook.com]"
                }),
                Arguments.of("microsoft365", BASIC_AUTH_DISABLED, new String[] {
                    "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [SN4PR0501CA0123.namprd05.prod.outlook.com]"
                }),
                Arguments.of("microsoft365", BASIC_AUTH_DISABLED, new String[] {
                    "550 5.7.30 Basic authentication is not supported for Client Submission."
                }),
                Arguments.of("microsoft365", AUTH_REJECTED, new String[] {
                    "535 5.7.3 Authentication unsuccessful [BN9PR03CA0123.namprd03.prod.outlook.com]"
                }),
                Arguments.of(
                        "yahoo", APP_PASSWORD_REQUIRED, new String[] {"535 5.7.0 (#AUTH005) Too many bad auth attempts."
                        }),
                Arguments.of(
                        "yahoo", AUTH_REJECTED, new String[] {"535 5.7.0 (#MBR1212) Incorrect username or password."}),
                Arguments.of(
                        "aol", AUTH_REJECTED, new String[] {"535 5.7.0 (#MBR1212) Incorrect username or password."}),
                Arguments.of("custom", RATE_LIMITED, new String[] {"421 4.7.0 Try again later, closing connection."}));
    }

    @ParameterizedTest(name = "{0} SMTP {1}")
    @MethodSource("smtpReplies")
    void classifiesSmtpAuthReply(String provider, Outcome expected, String[] reply) throws Exception {
        try (var server = ScriptedMailServer.smtp().onLogin(reply).start()) {
            var r = probes.check(Targets.smtp(provider, server.port(), Security.PLAIN, USER, PASSWORD));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(expected);
            assertThat(r.detail())
                    .isNotBlank()
                    .hasSizeLessThanOrEqualTo(Details.MAX)
                    .doesNotContain(PASSWORD);
            assertThat(server.received()).anySatisfy(l -> assertThat(l.text()).startsWithIgnoringCase("AUTH"));
            assertThat(server.received()).noneSatisfy(l -> assertThat(l.text()).startsWithIgnoringCase("MAIL FROM"));
        }
    }

    @Test
    void smtpServerOfferingNoAuthIsProtocolError() throws Exception {
        try (var server = ScriptedMailServer.smtp().withoutAuth().start()) {
            var r = probes.check(Targets.smtp("custom", server.port(), Security.PLAIN, USER, PASSWORD));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(PROTOCOL_ERROR);
            assertThat(r.detail()).contains("no AUTH");
        }
    }

    @Test
    void validSmtpLoginIsOkAndSendsNothing() throws Exception {
        try (var server = ScriptedMailServer.smtp().start()) {
            var r = probes.check(Targets.smtp("custom", server.port(), Security.PLAIN, USER, PASSWORD));
            assertThat(r.outcome()).as(r.detail()).isEqualTo(Outcome.OK);
            assertThat(server.received())
                    .extracting(ScriptedMailServer.Line::text)
                    .noneMatch(l -> l.toUpperCase(java.util.Locale.ROOT).matches("^(MAIL|RCPT|DATA).*"))
                    .anyMatch(l -> l.equalsIgnoreCase("QUIT"));
        }
    }
}
