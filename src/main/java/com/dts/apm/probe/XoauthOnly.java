package com.dts.apm.probe;

import jakarta.mail.Provider;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.eclipse.angus.mail.iap.ProtocolException;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.protocol.IMAPProtocol;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * The IMAP store and SMTP transport of an OAuth check: they log in with SASL XOAUTH2 or not at all. Angus falls back
 * to IMAP {@code LOGIN} with the "password" when the server offers none of the configured mechanisms, which would send
 * the access token as a password; these refuse before anything is sent. Jakarta Mail builds them by reflection from
 * {@link #IMAP} and {@link #SMTP} (public classes, public constructors).
 */
public final class XoauthOnly {
    static final String MECHANISM = "XOAUTH2";

    static final Provider IMAP = new Provider(Provider.Type.STORE, "imap", Imap.class.getName(), "com.dts.apm", "1");
    static final Provider SMTP =
            new Provider(Provider.Type.TRANSPORT, "smtp", Smtp.class.getName(), "com.dts.apm", "1");

    private XoauthOnly() {}

    /** The server offers no SASL XOAUTH2; nothing was sent. Carries the mechanisms it does offer. */
    static final class NotOffered extends ProtocolException {
        private static final long serialVersionUID = 1L;

        private final String mechanisms;

        NotOffered(String mechanisms) {
            super("the server does not offer SASL " + MECHANISM);
            this.mechanisms = mechanisms;
        }

        /** The AUTH mechanisms the server offers, space-separated and sorted, or "none". */
        String mechanisms() {
            return mechanisms;
        }
    }

    /** The AUTH mechanisms of IMAP capabilities ({@code AUTH=PLAIN} and so on), sorted, or "none". */
    static String imapMechanisms(Map<String, String> capabilities) {
        var found = new TreeSet<String>();
        for (var c : capabilities.keySet()) {
            var upper = c.toUpperCase(Locale.ROOT);
            if (upper.startsWith("AUTH=")) {
                found.add(upper.substring("AUTH=".length()));
            }
        }
        return found.isEmpty() ? "none" : String.join(" ", found);
    }

    /** The mechanisms of an SMTP {@code AUTH} extension parameter, sorted, or "none". */
    static String smtpMechanisms(String authParameter, boolean authEqualsLogin) {
        var found = new TreeSet<String>();
        if (authParameter != null) {
            for (var m : authParameter.strip().split("\\s+")) {
                if (!m.isEmpty()) {
                    found.add(m.toUpperCase(Locale.ROOT));
                }
            }
        }
        if (authEqualsLogin) {
            found.add("LOGIN");
        }
        return found.isEmpty() ? "none" : String.join(" ", found);
    }

    /** IMAP: after STARTTLS and the capabilities that come with it, before any LOGIN or AUTHENTICATE. */
    public static final class Imap extends IMAPStore {
        public Imap(Session session, URLName url) {
            super(session, url);
        }

        @Override
        protected void preLogin(IMAPProtocol p) throws ProtocolException {
            if (!p.hasCapability("AUTH=" + MECHANISM)) {
                throw new NotOffered(imapMechanisms(p.getCapabilities()));
            }
        }
    }

    /** SMTP: no mechanism but XOAUTH2 counts as supported, whatever the session's properties say. */
    public static final class Smtp extends SMTPTransport {
        public Smtp(Session session, URLName url) {
            super(session, url);
        }

        @Override
        protected boolean supportsAuthentication(String auth) {
            return MECHANISM.equalsIgnoreCase(auth) && super.supportsAuthentication(auth);
        }
    }
}
