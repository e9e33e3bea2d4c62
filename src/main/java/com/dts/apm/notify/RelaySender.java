package com.dts.apm.notify;

import com.dts.apm.config.Config;
import com.dts.apm.config.ConfigException;
import com.dts.apm.config.Secret;
import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Security;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands alert messages to the configured SMTP relay ({@code alerts.relay}) and reports how it went
 * as a value, never by throwing. One connection per message; thread-safe. Jakarta Mail's debug
 * output stays off, so neither the AUTH exchange nor the password is ever logged.
 */
public final class RelaySender {
    private static final Logger log = LoggerFactory.getLogger(RelaySender.class);
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(15);
    static final Duration DEFAULT_IO_TIMEOUT = Duration.ofSeconds(60);
    private static final int DETAIL_MAX = 200;

    private final Endpoint relay;
    private final String username;
    private final Secret password;
    private final Session session;

    /** A sender with 15 s connect and 60 s read/write timeouts. */
    public RelaySender(Config.Relay relay) {
        this(relay, DEFAULT_CONNECT_TIMEOUT, DEFAULT_IO_TIMEOUT);
    }

    /**
     * @throws ConfigException when the relay settings cannot work: a username without a password
     *     file (or the reverse), an unreadable or empty password file, or a password that would
     *     cross the network in clear text ({@code plain} to a host that is not loopback)
     */
    public RelaySender(Config.Relay relay, Duration connectTimeout, Duration ioTimeout) {
        if (relay.host() == null || relay.host().isBlank()) {
            this.relay = null;
            this.username = null;
            this.password = null;
            this.session = null;
            return;
        }
        try {
            this.relay = new Endpoint(relay.host(), relay.port(), Security.parse(relay.security()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("key alerts.relay: " + e.getMessage());
        }
        boolean hasUser = relay.username() != null && !relay.username().isBlank();
        if (hasUser != (relay.passwordFile() != null)) {
            throw new ConfigException("key alerts.relay: username and password-file go together; set both or neither");
        }
        this.username = hasUser ? relay.username() : null;
        this.password = hasUser ? readPassword(relay) : null;
        if (hasUser && this.relay.security() == Security.PLAIN && !this.relay.isLoopback()) {
            throw new ConfigException("key alerts.relay.security: plain would send the relay password in clear text to "
                    + this.relay.host() + "; use ssl or starttls, or a relay on loopback");
        }
        if (this.relay.security() == Security.PLAIN && !this.relay.isLoopback()) {
            log.warn("alert relay {} uses plain SMTP over the network: alerts travel unencrypted", this.relay);
        }
        this.session = Session.getInstance(properties(this.relay, hasUser, connectTimeout, ioTimeout));
        this.session.setDebug(false);
    }

    /** False when {@code alerts.relay.host} is not set: the caller keeps its alerts queued. */
    public boolean isConfigured() {
        return relay != null;
    }

    /** Sends {@code message} to its recipients; the result says whether to retry. */
    public DeliveryResult send(MimeMessage message) {
        var id = messageId(message);
        if (relay == null) {
            return new DeliveryResult(DeliveryStatus.TRANSIENT_FAILURE, "no relay configured (alerts.relay.host)");
        }
        DeliveryResult result;
        Transport transport = null;
        try {
            transport = session.getTransport("smtp");
            transport.connect(relay.host(), relay.port(), username, password == null ? null : password.reveal());
            transport.sendMessage(message, message.getAllRecipients());
            result = new DeliveryResult(DeliveryStatus.DELIVERED, "accepted by " + relay.host() + ":" + relay.port());
        } catch (MessagingException e) {
            result = classify(e);
        } catch (RuntimeException e) { // a bug or a broken message: keep the alert, say why
            result = new DeliveryResult(
                    DeliveryStatus.TRANSIENT_FAILURE, clean(e.getClass().getSimpleName() + ": " + e.getMessage()));
        } finally {
            closeQuietly(transport);
        }
        if (result.delivered()) {
            log.info("alert {} handed to relay {}", id, relay);
        } else {
            log.warn("alert {} not delivered via relay {}: {} ({})", id, relay, result.status(), result.detail());
        }
        return result;
    }

    DeliveryResult classify(MessagingException e) {
        if (e instanceof AuthenticationFailedException) {
            return new DeliveryResult(
                    DeliveryStatus.TRANSIENT_FAILURE,
                    clean("relay refused our login as " + username + ": " + e.getMessage()));
        }
        for (Exception x = e; x != null; x = x instanceof MessagingException m ? m.getNextException() : null) {
            if (x instanceof SMTPAddressFailedException a) {
                return byCode(a.getReturnCode(), "recipient refused: " + a.getMessage());
            }
            if (x instanceof SMTPSenderFailedException s) {
                // The sender is our own configuration: every alert would fail the same way; keep them queued.
                return new DeliveryResult(DeliveryStatus.TRANSIENT_FAILURE, clean("sender refused: " + s.getMessage()));
            }
            if (x instanceof SMTPSendFailedException s) {
                return byCode(s.getReturnCode(), "message refused: " + s.getMessage());
            }
        }
        if (e instanceof SendFailedException s
                && s.getInvalidAddresses() != null
                && s.getInvalidAddresses().length > 0
                && (s.getValidSentAddresses() == null || s.getValidSentAddresses().length == 0)) {
            return new DeliveryResult(
                    DeliveryStatus.PERMANENT_REJECTION, clean("recipient refused: " + e.getMessage()));
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        var what = root == e
                ? e.getMessage()
                : e.getMessage() + " (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        return new DeliveryResult(DeliveryStatus.TRANSIENT_FAILURE, clean(what));
    }

    private DeliveryResult byCode(int code, String what) {
        var status = code >= 500 && code < 600 ? DeliveryStatus.PERMANENT_REJECTION : DeliveryStatus.TRANSIENT_FAILURE;
        return new DeliveryResult(status, clean(what));
    }

    /** One line, short, and never the relay password even if a server echoed it. */
    private String clean(String text) {
        var masked = text == null ? "" : text;
        if (password != null) {
            // Mask before cutting: a password straddling the cut would otherwise leave its first characters.
            // Also the base64 forms AUTH LOGIN and AUTH PLAIN send, which a relay may echo in an error.
            var pw = password.reveal();
            var forms = new ArrayList<String>();
            for (var plain : List.of("\0" + username + "\0" + pw, username + "\0" + username + "\0" + pw, pw)) {
                var b64 = Base64.getEncoder().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
                forms.add(b64);
                forms.add(b64.replace("=", ""));
            }
            forms.add(pw);
            for (var form : forms) {
                masked = masked.replace(form, "***");
            }
        }
        return DisplayText.oneLine(masked, DETAIL_MAX);
    }

    private static Properties properties(Endpoint relay, boolean auth, Duration connectTimeout, Duration ioTimeout) {
        var p = new Properties();
        p.setProperty("mail.debug", "false");
        p.setProperty("mail.smtp.host", relay.host());
        p.setProperty("mail.smtp.port", Integer.toString(relay.port()));
        p.setProperty("mail.smtp.connectiontimeout", Long.toString(connectTimeout.toMillis()));
        p.setProperty("mail.smtp.timeout", Long.toString(ioTimeout.toMillis()));
        p.setProperty("mail.smtp.writetimeout", Long.toString(ioTimeout.toMillis()));
        p.setProperty("mail.smtp.auth", Boolean.toString(auth));
        switch (relay.security()) {
            case SSL -> {
                p.setProperty("mail.smtp.ssl.enable", "true");
                p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
            }
            case STARTTLS -> {
                p.setProperty("mail.smtp.starttls.enable", "true");
                p.setProperty("mail.smtp.starttls.required", "true");
                p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
            }
            case PLAIN -> p.setProperty("mail.smtp.starttls.enable", "false");
        }
        return p;
    }

    private static Secret readPassword(Config.Relay relay) {
        try {
            var text = Files.readString(relay.passwordFile(), StandardCharsets.UTF_8)
                    .trim();
            if (text.isEmpty()) {
                throw new ConfigException("key alerts.relay.password-file: " + relay.passwordFile() + " is empty");
            }
            return Secret.of(text);
        } catch (IOException e) {
            throw new ConfigException("key alerts.relay.password-file: cannot read " + relay.passwordFile() + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** After the relay took the message, a failed QUIT must not turn it into a retry (a duplicate). */
    private static void closeQuietly(Transport transport) {
        if (transport != null) {
            try {
                transport.close();
            } catch (MessagingException e) {
                log.debug("closing the relay connection failed: {}", e.getMessage());
            }
        }
    }

    private static String messageId(MimeMessage message) {
        try {
            var id = message.getMessageID();
            return id == null ? "(no Message-ID)" : id;
        } catch (MessagingException e) {
            return "(no Message-ID)";
        }
    }
}
