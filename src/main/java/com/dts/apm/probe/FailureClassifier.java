package com.dts.apm.probe;

import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.ProviderSpec;
import jakarta.mail.AuthenticationFailedException;
import java.io.EOFException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.eclipse.angus.mail.iap.ProtocolException;

/**
 * The one place that turns a failed check into an {@link Outcome}. Pure: no I/O, no clock.
 *
 * <p>Order: (1) the provider's own signatures, first match wins; (2) the generic rules for the
 * protocol (IMAP response codes, SMTP reply codes, exception types); (3) provider policy: a generic
 * auth rejection at a {@code no-passwords} provider is {@code BASIC_AUTH_DISABLED}. At an
 * {@code app-password-only} provider it stays {@code AUTH_REJECTED}: the dealer needs a new app
 * password either way.
 *
 * <p>Choices where the sources leave room:
 * <ul>
 *   <li>IMAP {@code [UNAVAILABLE]} is {@code NETWORK_ERROR}: the provider's back end is down, which is
 *       transient and not caused by our pacing ({@code RATE_LIMITED} would send ops looking at limits).
 *   <li>A {@code BYE} while logging in is {@code NETWORK_ERROR}: servers say BYE when shutting down or
 *       shedding load; if it persists the integration turns DEGRADED and ops look.
 *   <li>SMTP 530 (and 534 other than 5.7.9 / 5.7.14) in answer to AUTH is {@code PROTOCOL_ERROR}: the
 *       server wants something we did not do (STARTTLS first, another mechanism); ops, not the dealer.
 *   <li>A failure of the command after a successful IMAP login is {@code PROTOCOL_ERROR}, except
 *       Exchange's "User is authenticated but not connected", which is {@code AUTH_REJECTED}.
 * </ul>
 */
final class FailureClassifier {
    private static final Pattern STARTTLS_MISSING =
            Pattern.compile("STARTTLS (is )?required but", Pattern.CASE_INSENSITIVE);
    private static final Pattern NO_MECHANISM = Pattern.compile(
            "No authentication mechanisms supported|No login methods supported", Pattern.CASE_INSENSITIVE);
    /** Angus IMAP's IOException when the server closes the connection without a word. */
    private static final String DROPPED = "Connection dropped by server?";

    private static final Pattern WEB_HINT = Pattern.compile("\\bweb\\b|browser", Pattern.CASE_INSENSITIVE);

    private FailureClassifier() {}

    static Outcome classify(ProviderSpec provider, Failure failure) {
        if (failure.stage() == Failure.Stage.DEADLINE) {
            return Outcome.NETWORK_ERROR;
        }
        if (failure.stage() == Failure.Stage.NO_AUTH || failure.stage() == Failure.Stage.NO_XOAUTH2) {
            return Outcome.PROTOCOL_ERROR;
        }
        var reply = serverReply(failure);
        if (reply != null) {
            for (var signature : provider.signatures()) {
                if (signature.matches(failure.protocol(), reply.text())) {
                    return signature.outcome();
                }
            }
            var generic = failure.protocol() == Protocol.IMAP
                    ? imapReply(reply.text(), reply.bye(), failure.stage())
                    : smtpReply(failure.code(), reply.text());
            return provider.applyPolicy(generic);
        }
        return exception(failure.error());
    }

    /** The server's own words in a failure, when the server said anything. */
    static ServerReply serverReply(Failure failure) {
        if (failure.reply() != null) {
            return new ServerReply(failure.reply(), false);
        }
        for (var t = failure.error(); t != null; t = t.getCause()) {
            if (t instanceof ProtocolException pe && pe.getResponse() != null) {
                var r = pe.getResponse();
                if (r.isSynthetic()) {
                    return null; // Angus turns an I/O error into a fake BYE: not the server's words
                }
                return new ServerReply(r.getRest(), r.isBYE());
            }
            if (t instanceof AuthenticationFailedException
                    && failure.protocol() == Protocol.IMAP
                    && t.getMessage() != null
                    && !NO_MECHANISM.matcher(t.getMessage()).find()) {
                return new ServerReply(t.getMessage(), false); // IMAPStore: the text after tag and NO
            }
        }
        return null;
    }

    /** A reply text; {@code bye} when it came as an IMAP BYE. */
    record ServerReply(String text, boolean bye) {}

    static Outcome imapReply(String text, boolean bye, Failure.Stage stage) {
        var t = text.toUpperCase(Locale.ROOT);
        if (t.contains("[UNAVAILABLE]")) {
            return Outcome.NETWORK_ERROR;
        }
        if (t.contains("[OVERQUOTA]") || t.contains("[LIMIT]")) {
            return Outcome.RATE_LIMITED;
        }
        if (t.contains("[WEBALERT")
                || (t.contains("[ALERT]") && WEB_HINT.matcher(text).find())) {
            return Outcome.ACCOUNT_LOCKED;
        }
        if (t.contains("[PRIVACYREQUIRED]")) {
            return Outcome.TLS_ERROR;
        }
        if (t.contains("[EXPIRED]") || t.contains("[AUTHENTICATIONFAILED]")) {
            return Outcome.AUTH_REJECTED;
        }
        if (t.contains("BASIC AUTHENTICATION IS DISABLED")) {
            return Outcome.BASIC_AUTH_DISABLED; // Exchange Online, also behind custom domains
        }
        if (t.contains("AUTHENTICATED BUT NOT CONNECTED")) {
            return Outcome.AUTH_REJECTED; // Exchange: LOGIN said OK, the next command says no
        }
        if (bye) {
            return Outcome.NETWORK_ERROR;
        }
        return stage == Failure.Stage.LOGIN ? Outcome.AUTH_REJECTED : Outcome.PROTOCOL_ERROR;
    }

    static Outcome smtpReply(int code, String text) {
        if (text.contains("5.7.139") || text.contains("5.7.30")) {
            return Outcome.BASIC_AUTH_DISABLED; // Exchange Online: basic auth / SMTP AUTH switched off
        }
        if (code == 535) {
            return Outcome.AUTH_REJECTED;
        }
        if (code == 534) {
            if (text.contains("5.7.9")) {
                return Outcome.APP_PASSWORD_REQUIRED;
            }
            if (text.contains("5.7.14")) {
                return Outcome.ACCOUNT_LOCKED;
            }
            return Outcome.PROTOCOL_ERROR;
        }
        if (code == 538) {
            return Outcome.TLS_ERROR; // encryption required for the requested mechanism
        }
        if (code >= 400 && code < 500) {
            return Outcome.RATE_LIMITED; // 421, 454 and friends: come back later
        }
        return Outcome.PROTOCOL_ERROR; // 530, 550 without 5.7.30, 5xx syntax errors, nonsense
    }

    /** Exception rules, walking the cause chain: TLS first (an SSL error may wrap an EOF), then network. */
    static Outcome exception(Throwable error) {
        if (error == null) {
            return Outcome.PROTOCOL_ERROR;
        }
        int depth = 0;
        for (var t = error; t != null && depth++ < 20; t = next(t)) {
            if (t instanceof CappedSocket.TooMuchDataException || t instanceof LiteralGuard.LiteralTooLargeException) {
                return Outcome.PROTOCOL_ERROR; // a flood, an endless line, a 2 GB literal: the server misbehaves
            }
        }
        depth = 0;
        for (var t = error; t != null && depth++ < 20; t = next(t)) {
            if (t instanceof SSLException
                    || t instanceof CertificateException
                    || t instanceof GeneralSecurityException
                    || (t.getMessage() != null
                            && STARTTLS_MISSING.matcher(t.getMessage()).find())
                    || (t.getMessage() != null && t.getMessage().startsWith("Server identity does not match"))) {
                return Outcome.TLS_ERROR;
            }
        }
        depth = 0;
        for (var t = error; t != null && depth++ < 20; t = next(t)) {
            if (t instanceof UnknownHostException
                    || t instanceof SocketException
                    || t instanceof InterruptedIOException
                    || t instanceof EOFException
                    || DROPPED.equals(t.getMessage())) {
                return Outcome.NETWORK_ERROR; // refused, unreachable, reset, closed, timeouts
            }
        }
        return Outcome.PROTOCOL_ERROR;
    }

    /** The cause, or for Angus's synthetic BYE the I/O exception it stands for. */
    private static Throwable next(Throwable t) {
        if (t.getCause() != null) {
            return t.getCause();
        }
        if (t instanceof ProtocolException pe
                && pe.getResponse() != null
                && pe.getResponse().isSynthetic()) {
            return pe.getResponse().getException();
        }
        return null;
    }
}
