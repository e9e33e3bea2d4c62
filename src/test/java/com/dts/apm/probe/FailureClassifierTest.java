package com.dts.apm.probe;

import static com.dts.apm.provider.Outcome.ACCOUNT_LOCKED;
import static com.dts.apm.provider.Outcome.APP_PASSWORD_REQUIRED;
import static com.dts.apm.provider.Outcome.AUTH_REJECTED;
import static com.dts.apm.provider.Outcome.BASIC_AUTH_DISABLED;
import static com.dts.apm.provider.Outcome.NETWORK_ERROR;
import static com.dts.apm.provider.Outcome.PROTOCOL_DISABLED;
import static com.dts.apm.provider.Outcome.PROTOCOL_ERROR;
import static com.dts.apm.provider.Outcome.RATE_LIMITED;
import static com.dts.apm.provider.Outcome.TLS_ERROR;
import static com.dts.apm.provider.Protocol.IMAP;
import static com.dts.apm.provider.Protocol.SMTP;
import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.ProviderCatalog;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.angus.mail.iap.ConnectionException;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.iap.Response;
import org.eclipse.angus.mail.util.MailConnectException;
import org.eclipse.angus.mail.util.SocketConnectException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FailureClassifierTest {
    private static final ProviderCatalog CATALOG = ProviderCatalog.builtIn();

    /** IMAP: the text after tag and NO, as Jakarta Mail's AuthenticationFailedException carries it. */
    static Stream<Arguments> imapReplies() {
        return Stream.of(
                // Gmail
                row("gmail", "[AUTHENTICATIONFAILED] Invalid credentials (Failure)", AUTH_REJECTED),
                row(
                        "gmail",
                        "[ALERT] Application-specific password required: https://support.google.com/accounts/answer/185833 (Failure)",
                        APP_PASSWORD_REQUIRED),
                row("gmail", "[ALERT] Your account is not enabled for IMAP use.", PROTOCOL_DISABLED),
                row(
                        "gmail",
                        "[ALERT] Your account is not enabled for IMAP use. Please visit your Gmail settings page and enable your account for IMAP access. (Failure)",
                        PROTOCOL_DISABLED),
                row("gmail", "[ALERT] IMAP access is disabled for your domain.", PROTOCOL_DISABLED),
                row(
                        "gmail",
                        "[ALERT] Please log in via your web browser: https://support.google.com/mail/accounts/answer/78754 (Failure)",
                        ACCOUNT_LOCKED),
                row("gmail", "[ALERT] Too many simultaneous connections. (Failure)", RATE_LIMITED),
                row("gmail", "[OVERQUOTA] Account exceeded command or bandwidth limits.", RATE_LIMITED),
                row("gmail", "[ALERT] Account exceeded command or bandwidth limits. (Failure)", RATE_LIMITED),
                row("gmail", "[UNAVAILABLE] Temporary System Problem (Failure)", NETWORK_ERROR),
                // iCloud: app-password-only, one text for wrong and for main password
                row("icloud", "[AUTHENTICATIONFAILED] Authentication failed", AUTH_REJECTED),
                row("icloud", "[AUTHENTICATIONFAILED] Authentication Failed", AUTH_REJECTED),
                // Yahoo and AOL
                row("yahoo", "[AUTHENTICATIONFAILED] LOGIN Invalid credentials", AUTH_REJECTED),
                row("yahoo", "[AUTHENTICATIONFAILED] AUTHENTICATE Invalid credentials", AUTH_REJECTED),
                row("yahoo", "[AUTHENTICATIONFAILED] Incorrect username or password.", AUTH_REJECTED),
                row("yahoo", "Server error - Please try again later [OCF12]", NETWORK_ERROR),
                row("aol", "[AUTHENTICATIONFAILED] LOGIN Invalid credentials", AUTH_REJECTED),
                row("aol", "[AUTHENTICATIONFAILED] AUTHENTICATE Invalid credentials", AUTH_REJECTED),
                // Zoho
                row("zoho", "[AUTHENTICATIONFAILED] Invalid credentials(Failure)", AUTH_REJECTED),
                row(
                        "zoho",
                        "[ALERT] You are yet to enable IMAP for your account. Please contact your administrator (Failure)",
                        PROTOCOL_DISABLED),
                // Microsoft personal accounts: no password works any more
                row("outlook", "Basic authentication is disabled.", BASIC_AUTH_DISABLED),
                row("outlook", "LOGIN failed.", BASIC_AUTH_DISABLED),
                row("outlook", "AUTHENTICATE failed.", BASIC_AUTH_DISABLED),
                // Microsoft 365 (Exchange Online): no password over IMAP since October 2022, whatever the words
                row("microsoft365", "LOGIN failed.", BASIC_AUTH_DISABLED),
                row("microsoft365", "AUTHENTICATE failed.", BASIC_AUTH_DISABLED),
                row("microsoft365", "Basic authentication is disabled.", BASIC_AUTH_DISABLED),
                // Microsoft 365 behind a custom domain chosen as custom: generic rules
                row("custom", "LOGIN failed.", AUTH_REJECTED),
                row("custom", "AUTHENTICATE failed.", AUTH_REJECTED),
                row("custom", "Basic authentication is disabled.", BASIC_AUTH_DISABLED),
                // Fastmail, Yandex (custom provider here)
                row("custom", "Incorrect username or password.", AUTH_REJECTED),
                row(
                        "custom",
                        "[AUTHENTICATIONFAILED] LOGIN Invalid credentials or IMAP is disabled sc=ebI8JB0ug4Y1_290737_53p",
                        AUTH_REJECTED),
                // RFC 5530 codes at any provider
                row("custom", "[EXPIRED] Password expired", AUTH_REJECTED),
                row("custom", "[UNAVAILABLE] Try again later", NETWORK_ERROR),
                row("custom", "[ALERT] Please sign in on the web first", ACCOUNT_LOCKED),
                row("custom", "[ALERT] Mailbox is read-only", AUTH_REJECTED));
    }

    @ParameterizedTest(name = "{0} IMAP \"{1}\" -> {2}")
    @MethodSource("imapReplies")
    void classifiesImapLoginReplies(String provider, String text, Outcome expected) {
        var failure = Failure.error(IMAP, Failure.Stage.LOGIN, new AuthenticationFailedException(text));
        assertThat(FailureClassifier.classify(CATALOG.get(provider), failure)).isEqualTo(expected);
    }

    /** SMTP: the reply code and the last server response, joined as SMTPTransport returns it. */
    static Stream<Arguments> smtpReplies() {
        return Stream.of(
                smtp(
                        "gmail",
                        535,
                        "535-5.7.8 Username and Password not accepted. Learn more at\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1-20020a - gsmtp",
                        AUTH_REJECTED),
                smtp(
                        "gmail",
                        534,
                        "534-5.7.9 Application-specific password required. Learn more at\n534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor a1 - gsmtp",
                        APP_PASSWORD_REQUIRED),
                smtp(
                        "gmail",
                        534,
                        "534-5.7.14 <https://accounts.google.com/signin/continue?sarp=1&scc=1&plt=AKgnsbt>\n534-5.7.14 Please log in via your web browser and\n534 5.7.14 then try again.",
                        ACCOUNT_LOCKED),
                smtp(
                        "gmail",
                        454,
                        "454 4.7.0 Too many login attempts, please try again later. a1 - gsmtp",
                        RATE_LIMITED),
                smtp("yahoo", 535, "535 5.7.0 (#AUTH005) Too many bad auth attempts.", APP_PASSWORD_REQUIRED),
                smtp("yahoo", 535, "535 5.7.0 (#MBR1212) Incorrect username or password.", AUTH_REJECTED),
                smtp("aol", 535, "535 5.7.0 (#AUTH005) Too many bad auth attempts.", APP_PASSWORD_REQUIRED),
                smtp("zoho", 535, "535 Authentication Failed", AUTH_REJECTED),
                smtp(
                        "outlook",
                        535,
                        "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [BN9PR03CA0123.namprd03.prod.outlook.com 2025-09-01T10:00:00.000Z 08DD]",
                        BASIC_AUTH_DISABLED),
                smtp(
                        "outlook",
                        535,
                        "535 5.7.3 Authentication unsuccessful [BN9PR03CA0123.namprd03.prod.outlook.com]",
                        BASIC_AUTH_DISABLED),
                smtp(
                        "outlook",
                        554,
                        "554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Failed to process message due to a permanent exception with message WASCL UserAction verdict is not None. Actual verdict is RefuseQuota, ShowTierUpgrade.",
                        ACCOUNT_LOCKED),
                // Microsoft 365: SMTP AUTH may still take a password, so a plain rejection is the dealer's to fix
                smtp(
                        "microsoft365",
                        535,
                        "535 5.7.139 Authentication unsuccessful, basic authentication is disabled. [BN9PR03CA0123.namprd03.prod.outlook.com]",
                        BASIC_AUTH_DISABLED),
                smtp(
                        "microsoft365",
                        535,
                        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [SN4PR0501CA0123.namprd05.prod.outlook.com]",
                        BASIC_AUTH_DISABLED),
                smtp(
                        "microsoft365",
                        550,
                        "550 5.7.30 Basic authentication is not supported for Client Submission.",
                        BASIC_AUTH_DISABLED),
                smtp(
                        "microsoft365",
                        535,
                        "535 5.7.3 Authentication unsuccessful [BN9PR03CA0123.namprd03.prod.outlook.com]",
                        AUTH_REJECTED),
                smtp(
                        "microsoft365",
                        554,
                        "554 5.2.0 STOREDRV.Submission.Exception:OutboundSpamException; Failed to process message due to a permanent exception with message WASCL UserAction verdict is not None. Actual verdict is RefuseQuota, ShowTierUpgrade.",
                        ACCOUNT_LOCKED),
                // Microsoft 365 behind a custom domain chosen as custom: generic rules
                smtp(
                        "custom",
                        535,
                        "535 5.7.3 Authentication unsuccessful [BN9PR03CA0123.namprd03.prod.outlook.com]",
                        AUTH_REJECTED),
                smtp(
                        "custom",
                        535,
                        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.",
                        BASIC_AUTH_DISABLED),
                smtp(
                        "custom",
                        550,
                        "550 5.7.30 Basic authentication is not supported for Client Submission.",
                        BASIC_AUTH_DISABLED),
                smtp("custom", 534, "534 5.7.9 Authentication mechanism is too weak", APP_PASSWORD_REQUIRED),
                smtp("custom", 530, "530 5.7.0 Must issue a STARTTLS command first", PROTOCOL_ERROR),
                smtp("custom", 421, "421 4.7.0 Try again later, closing connection.", RATE_LIMITED),
                smtp("custom", 451, "451 4.3.0 Temporary server error", RATE_LIMITED),
                smtp("custom", 501, "501 5.5.4 Syntax error in parameters", PROTOCOL_ERROR));
    }

    @ParameterizedTest(name = "{0} SMTP \"{2}\" -> {3}")
    @MethodSource("smtpReplies")
    void classifiesSmtpReplies(String provider, int code, String text, Outcome expected) {
        var failure = new Failure(SMTP, Failure.Stage.LOGIN, code, text, new AuthenticationFailedException(text));
        assertThat(FailureClassifier.classify(CATALOG.get(provider), failure)).isEqualTo(expected);
    }

    static Stream<Arguments> exceptions() {
        return Stream.of(
                Arguments.of(
                        new MessagingException("Unknown host", new UnknownHostException("mail.nowhere.invalid")),
                        NETWORK_ERROR),
                Arguments.of(
                        new MailConnectException(new SocketConnectException(
                                "refused", new ConnectException("Connection refused"), "h", 1, 1)),
                        NETWORK_ERROR),
                Arguments.of(
                        new MessagingException("read", new SocketTimeoutException("Read timed out")), NETWORK_ERROR),
                Arguments.of(new MessagingException("reset", new SocketException("Connection reset")), NETWORK_ERROR),
                Arguments.of(new MessagingException("eof", new EOFException()), NETWORK_ERROR),
                Arguments.of(
                        new MessagingException(
                                "* BYE Jakarta Mail Exception",
                                new ConnectionException(
                                        null, Response.byeResponse(new SocketTimeoutException("Read timed out")))),
                        NETWORK_ERROR),
                Arguments.of(
                        new MessagingException(
                                "* BYE Jakarta Mail Exception",
                                new ConnectionException(
                                        null,
                                        Response.byeResponse(
                                                new java.io.IOException("Connection dropped by server?")))),
                        NETWORK_ERROR),
                Arguments.of(
                        new MessagingException(
                                "* BYE Jakarta Mail Exception",
                                new ConnectionException(
                                        null, Response.byeResponse(new CappedSocket.TooMuchDataException(1024)))),
                        PROTOCOL_ERROR),
                Arguments.of(
                        new MessagingException("read", new CappedSocket.TooMuchDataException(1024)), PROTOCOL_ERROR),
                Arguments.of(
                        new MessagingException(
                                "* BYE Jakarta Mail Exception",
                                new ConnectionException(
                                        null,
                                        Response.byeResponse(
                                                new LiteralGuard.LiteralTooLargeException("2000000000 bytes")))),
                        PROTOCOL_ERROR),
                Arguments.of(
                        new MessagingException(
                                "greeting", new LiteralGuard.LiteralTooLargeException("2000000000 bytes")),
                        PROTOCOL_ERROR),
                Arguments.of(
                        new MessagingException("tls", new SSLHandshakeException("PKIX path building failed")),
                        TLS_ERROR),
                Arguments.of(
                        new MessagingException(
                                "tls",
                                sslCausedBy(new CertificateException(
                                        "No subject alternative names matching IP address 10.0.0.1 found"))),
                        TLS_ERROR),
                Arguments.of(
                        new MessagingException("tls", sslCausedBy(new EOFException("SSL peer shut down incorrectly"))),
                        TLS_ERROR),
                Arguments.of(
                        new MessagingException("STARTTLS is required but host does not support STARTTLS"), TLS_ERROR),
                Arguments.of(
                        new MessagingException(
                                "STARTTLS required but not supported by server",
                                new ProtocolException("STARTTLS required but not supported by server")),
                        TLS_ERROR),
                Arguments.of(
                        new AuthenticationFailedException(
                                "No authentication mechanisms supported by both server and client"),
                        PROTOCOL_ERROR),
                Arguments.of(
                        new MessagingException("Got bad greeting from SMTP host: h, port: 25, response: HTTP/1.1 400"),
                        PROTOCOL_ERROR),
                Arguments.of(new IllegalStateException("something odd"), PROTOCOL_ERROR));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("exceptions")
    void classifiesExceptionsByTheirCauseChain(Exception error, Outcome expected) {
        for (Protocol protocol : Protocol.values()) {
            var failure = Failure.error(protocol, Failure.Stage.CONNECT, error);
            assertThat(FailureClassifier.classify(CATALOG.get("gmail"), failure))
                    .isEqualTo(expected);
        }
    }

    @Test
    void byeDuringLoginIsTransient() {
        var bye = new ConnectionException(null, new Response("* BYE Server shutting down"));
        var failure = Failure.error(IMAP, Failure.Stage.CONNECT, new MessagingException(bye.getMessage(), bye));
        assertThat(FailureClassifier.classify(CATALOG.get("custom"), failure)).isEqualTo(NETWORK_ERROR);
    }

    @Test
    void gmailOverquotaByeIsRateLimited() {
        var bye = new ConnectionException(
                null, new Response("* BYE [OVERQUOTA] Account exceeded command or bandwidth limits."));
        var failure = Failure.error(IMAP, Failure.Stage.CONNECT, new MessagingException(bye.getMessage(), bye));
        assertThat(FailureClassifier.classify(CATALOG.get("gmail"), failure)).isEqualTo(RATE_LIMITED);
    }

    @Test
    void exchangeRefusingTheCommandAfterLoginIsAuthRejected() {
        var bad = new ProtocolException(new Response("A3 BAD User is authenticated but not connected."));
        var failure = Failure.error(IMAP, Failure.Stage.AFTER_LOGIN, bad);
        assertThat(FailureClassifier.classify(CATALOG.get("custom"), failure)).isEqualTo(AUTH_REJECTED);
        assertThat(FailureClassifier.classify(CATALOG.get("outlook"), failure)).isEqualTo(BASIC_AUTH_DISABLED);
        assertThat(FailureClassifier.classify(CATALOG.get("microsoft365"), failure))
                .as("providers.md: low confidence, the imapsync FAQ ties it to a wrong password")
                .isEqualTo(AUTH_REJECTED);
    }

    @Test
    void microsoft365ImapWordsMeanNothingOverSmtp() {
        // "LOGIN failed." means "no password over IMAP" only when the IMAP server says it
        var failure = new Failure(SMTP, Failure.Stage.LOGIN, 535, "535 LOGIN failed.", null);
        assertThat(FailureClassifier.classify(CATALOG.get("microsoft365"), failure))
                .isEqualTo(AUTH_REJECTED);
    }

    @Test
    void otherFailureAfterLoginIsProtocolError() {
        var no = new ProtocolException(new Response("A3 NO something broke"));
        var failure = Failure.error(IMAP, Failure.Stage.AFTER_LOGIN, no);
        assertThat(FailureClassifier.classify(CATALOG.get("custom"), failure)).isEqualTo(PROTOCOL_ERROR);
    }

    @Test
    void providerSignaturesWinOverGenericRules() {
        // generic rules alone would read a 535 as AUTH_REJECTED; Yahoo's #AUTH005 says otherwise
        var failure =
                new Failure(SMTP, Failure.Stage.LOGIN, 535, "535 5.7.0 (#AUTH005) Too many bad auth attempts.", null);
        assertThat(FailureClassifier.classify(CATALOG.get("custom"), failure)).isEqualTo(AUTH_REJECTED);
        assertThat(FailureClassifier.classify(CATALOG.get("yahoo"), failure)).isEqualTo(APP_PASSWORD_REQUIRED);
    }

    @Test
    void signaturesOnlyMatchTheirProtocol() {
        // Zoho's IMAP-disabled text means nothing when an SMTP server says it
        var failure = new Failure(SMTP, Failure.Stage.LOGIN, 535, "535 You are yet to enable IMAP", null);
        assertThat(FailureClassifier.classify(CATALOG.get("zoho"), failure)).isEqualTo(AUTH_REJECTED);
    }

    @Test
    void deadlineAndMissingAuthHaveFixedOutcomes() {
        assertThat(FailureClassifier.classify(CATALOG.get("gmail"), Failure.error(IMAP, Failure.Stage.DEADLINE, null)))
                .isEqualTo(NETWORK_ERROR);
        assertThat(FailureClassifier.classify(
                        CATALOG.get("gmail"), Failure.reply(SMTP, Failure.Stage.NO_AUTH, 250, null)))
                .isEqualTo(PROTOCOL_ERROR);
    }

    @Test
    void everyOutcomeButOkAndTokenRevokedIsReachable() {
        // TOKEN_REVOKED comes from the token endpoint (oauth.TokenAnswers), never from a mail server's reply
        var reached = Stream.of(imapReplies(), smtpReplies(), exceptions())
                .flatMap(s -> s)
                .map(a -> a.get()[a.get().length - 1])
                .distinct()
                .count();
        assertThat(reached).isEqualTo(Outcome.values().length - 2);
    }

    private static SSLHandshakeException sslCausedBy(Exception cause) {
        var e = new SSLHandshakeException("handshake failed");
        e.initCause(cause);
        return e;
    }

    private static Arguments row(String provider, String text, Outcome expected) {
        return Arguments.of(provider, text, expected);
    }

    private static Arguments smtp(String provider, int code, String text, Outcome expected) {
        return Arguments.of(provider, code, text, expected);
    }
}
