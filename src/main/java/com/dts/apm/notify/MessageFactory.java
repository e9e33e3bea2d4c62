package com.dts.apm.notify;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Date;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Builds the MIME message for a {@link ComposedEmail}: multipart/alternative (text, then HTML), UTF-8,
 * from {@code alerts.from}, with a Message-ID derived from the alert id so a resend of the same alert
 * carries the same id. Refuses a line break in the subject or an address, and strips it from
 * display names, so no value can add a header. Immutable and thread-safe.
 */
public final class MessageFactory {
    static final int NAME_MAX = 64;
    private static final Pattern ALERT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final InternetAddress from;
    private final String fromDomain;
    private final Clock clock;
    private final Session session;

    /**
     * @param from the sender, e.g. {@code DTS System <alerts@example.com>}
     * @throws IllegalArgumentException when {@code from} is not exactly one valid address
     */
    public MessageFactory(String from, Clock clock) {
        this.from = parseOne("from address", from);
        this.fromDomain = this.from
                .getAddress()
                .substring(this.from.getAddress().lastIndexOf('@') + 1)
                .toLowerCase(Locale.ROOT);
        this.clock = clock;
        var props = new Properties();
        props.setProperty("mail.mime.charset", "UTF-8");
        this.session = Session.getInstance(props);
        this.session.setDebug(false);
    }

    /** The sender address. */
    public InternetAddress from() {
        return (InternetAddress) from.clone();
    }

    /** The Message-ID an alert's email carries: {@code <alert-ID@app-password-monitor.DOMAIN-OF-FROM>}. */
    public String messageId(String alertId) {
        if (alertId == null || !ALERT_ID.matcher(alertId).matches()) {
            throw new IllegalArgumentException(
                    "alert id must be 1-64 letters, digits, dots, dashes or underscores, got '" + alertId + "'");
        }
        return "<alert-" + alertId + "@app-password-monitor." + fromDomain + ">";
    }

    /**
     * Builds the message for one recipient.
     *
     * @param toName display name (e.g. the dealer's name); control characters are removed and it is
     *     cut to 64 characters; null or blank for none
     * @throws IllegalArgumentException when the subject or the address holds a line break, the
     *     address is not valid, or the alert id has characters a Message-ID cannot carry
     */
    public MimeMessage create(ComposedEmail email, String toAddress, String toName, String alertId) {
        if (DisplayText.hasControl(email.subject())) {
            throw new IllegalArgumentException("subject contains a line break or control character");
        }
        var to = parseOne("recipient address", toAddress);
        var name = DisplayText.oneLine(toName, NAME_MAX);
        var messageId = messageId(alertId);
        try {
            if (!name.isEmpty()) {
                to.setPersonal(name, StandardCharsets.UTF_8.name());
            }
            var msg = new AlertMessage(session, messageId);
            msg.setFrom(from);
            msg.setRecipient(Message.RecipientType.TO, to);
            msg.setSubject(email.subject(), StandardCharsets.UTF_8.name());
            msg.setSentDate(Date.from(clock.instant()));
            // RFC 3834: an automatic message; asks auto-responders (vacation replies) to stay quiet.
            msg.setHeader("Auto-Submitted", "auto-generated");
            msg.setHeader("X-Auto-Response-Suppress", "All");

            var text = new MimeBodyPart();
            text.setText(email.textBody(), StandardCharsets.UTF_8.name(), "plain");
            var html = new MimeBodyPart();
            html.setText(email.htmlBody(), StandardCharsets.UTF_8.name(), "html");
            var body = new MimeMultipart("alternative");
            body.addBodyPart(text);
            body.addBodyPart(html);
            msg.setContent(body);
            msg.saveChanges();
            return msg;
        } catch (MessagingException | UnsupportedEncodingException e) {
            throw new IllegalStateException("cannot build the alert message " + messageId, e);
        }
    }

    private static InternetAddress parseOne(String what, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        if (DisplayText.hasControl(text)) {
            throw new IllegalArgumentException(what + " contains a line break or control character");
        }
        try {
            var parsed = InternetAddress.parse(text, true);
            if (parsed.length != 1) {
                throw new IllegalArgumentException(what + " must be exactly one address, got " + parsed.length);
            }
            var address = parsed[0];
            address.validate();
            if (address.getAddress().indexOf('@') < 1) {
                throw new IllegalArgumentException(what + " '" + text + "' has no domain");
            }
            return address;
        } catch (AddressException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is not valid: " + e.getMessage());
        }
    }

    /** Keeps the Message-ID we chose instead of the random one {@code saveChanges()} would set. */
    private static final class AlertMessage extends MimeMessage {
        private final String messageId;

        AlertMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }
    }
}
