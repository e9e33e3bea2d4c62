package com.dts.apm.notify;

import java.util.Objects;

/** A rendered alert: a one-line subject, a plain-text body and the HTML body that mirrors it. */
public record ComposedEmail(String subject, String textBody, String htmlBody) {
    public ComposedEmail {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(textBody, "textBody");
        Objects.requireNonNull(htmlBody, "htmlBody");
    }
}
