package com.dts.apm.notify;

import java.time.Instant;

/**
 * Plain-text ops emails that are not about one mailbox: a provider-wide wave (dealer mail held, or the
 * wave passed) and the digest of many ops notices due at once. Every value is HTML-escaped in the HTML part.
 */
public final class OpsNotice {

    private OpsNotice() {}

    /** The wave started at {@code since}: {@code held} dealer emails are held; {@code reason} says why. */
    public static ComposedEmail started(String product, String provider, Instant since, String reason, long held) {
        var subject = product + ": dealer alerts for " + provider + " are held (provider-wide wave)";
        var body = String.join(
                "\n",
                "Many " + provider + " mailboxes failed at the same time. This looks like a problem at " + provider
                        + " (an outage, a policy change, our address being blocked), not something each dealer did.",
                "",
                "Since:   " + DisplayText.when(since),
                "Why:     " + reason,
                "Held:    " + held + " dealer email(s) so far; new ones for " + provider + " are held too.",
                "",
                "Nothing is sent to these dealers until the wave passes or you decide:",
                "  app-password-monitor alerts held",
                "  app-password-monitor alerts release --provider " + provider + "   (send them)",
                "  app-password-monitor alerts drop --provider " + provider + "      (never send them)",
                "",
                "When the mailboxes work again, held emails of mailboxes that recovered are dropped and the rest are sent.");
        return compose(product, subject, body);
    }

    /** The wave passed: {@code released} held emails went out (still failing), {@code dropped} did not (recovered). */
    public static ComposedEmail ended(String product, String provider, Instant since, long released, long dropped) {
        var subject = product + ": the " + provider + " wave has passed";
        var body = String.join(
                "\n",
                "The wave of " + provider + " failures that began " + DisplayText.when(since) + " has passed.",
                "",
                "Sent:    " + released + " held dealer email(s) of mailboxes that still fail.",
                "Dropped: " + dropped + " held dealer email(s) of mailboxes that work again.");
        return compose(product, subject, body);
    }

    private static ComposedEmail compose(String product, String subject, String body) {
        var text = body + "\n\n--\nSent by app-password-monitor to the ops address (alerts.ops-email).\n";
        return fromNote(DisplayText.oneLine(subject, 160) + "\n\n" + text);
    }

    /** One line of a digest: a mailbox that needs ops. */
    public record DigestLine(String provider, String mailbox, String dealer, String outcome, Instant since) {}

    /** Many ops notices due at once (a wave of TLS errors, our own network down) in one email. */
    public static ComposedEmail digest(String product, java.util.List<DigestLine> lines) {
        var body = new StringBuilder(lines.size() + " mailboxes need attention from operations:\n\n");
        for (var l : lines) {
            body.append("- ")
                    .append(DisplayText.oneLine(l.mailbox(), 254))
                    .append(" (")
                    .append(l.provider())
                    .append(", ")
                    .append(DisplayText.oneLine(l.dealer(), 60))
                    .append("): ")
                    .append(l.outcome())
                    .append(l.since() == null ? "" : " since " + DisplayText.when(l.since()))
                    .append('\n');
        }
        body.append("\napp-password-monitor status and history ID show more; each mailbox gets no further ops email\n"
                + "until its state changes again.");
        return compose(
                product, product + ": " + lines.size() + " mailboxes need attention from operations", body.toString());
    }

    /** The notice as one string to keep in the outbox: subject, a blank line, the text body. */
    public static String toNote(ComposedEmail mail) {
        return mail.subject() + "\n\n" + mail.textBody();
    }

    /** The notice back from {@link #toNote}. */
    public static ComposedEmail fromNote(String note) {
        int cut = note.indexOf("\n\n");
        var subject = cut < 0 ? note : note.substring(0, cut);
        var text = cut < 0 ? "" : note.substring(cut + 2);
        return new ComposedEmail(
                DisplayText.oneLine(subject, 160),
                text,
                "<!DOCTYPE html><html><body style=\"font-family:Arial,sans-serif;font-size:14px;color:#222\">"
                        + "<pre style=\"font-family:Consolas,monospace;white-space:pre-wrap\">" + escape(text)
                        + "</pre></body></html>");
    }

    static String escape(String s) {
        var b = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
