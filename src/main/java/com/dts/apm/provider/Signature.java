package com.dts.apm.provider;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One known server reply: when a reply to a login over {@code protocol} (null: either) contains
 * {@code match} (case-insensitive; a regex when it starts with {@code re:}), the check's outcome is
 * {@code outcome}.
 */
public record Signature(Protocol protocol, String match, Outcome outcome, String note) {
    public Signature {
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(outcome, "outcome");
        if (match.isBlank()) {
            throw new IllegalArgumentException("empty match");
        }
        if (match.startsWith("re:")) {
            Pattern.compile(match.substring(3)); // fail at load, not at the first failed login
        }
    }

    public boolean matches(Protocol replyProtocol, String reply) {
        if (reply == null || (protocol != null && protocol != replyProtocol)) {
            return false;
        }
        if (match.startsWith("re:")) {
            return Pattern.compile(match.substring(3), Pattern.CASE_INSENSITIVE)
                    .matcher(reply)
                    .find();
        }
        return reply.toLowerCase(Locale.ROOT).contains(match.toLowerCase(Locale.ROOT));
    }
}
