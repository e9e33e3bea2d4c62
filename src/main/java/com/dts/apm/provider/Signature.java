package com.dts.apm.provider;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One known server reply: when a reply to a login over {@code protocol} (null: either) contains
 * {@code match} (case-insensitive; a regex when it starts with {@code re:}), the check's outcome is
 * {@code outcome}. The regex is compiled once, when the catalog is read; a bad one fails the load.
 */
public final class Signature {
    private final Protocol protocol;
    private final String match;
    private final Outcome outcome;
    private final String note;
    private final Pattern regex; // null for a plain substring
    private final String lowerMatch;

    public Signature(Protocol protocol, String match, Outcome outcome, String note) {
        Objects.requireNonNull(match, "match");
        Objects.requireNonNull(outcome, "outcome");
        if (match.isBlank()) {
            throw new IllegalArgumentException("empty match");
        }
        this.protocol = protocol;
        this.match = match;
        this.outcome = outcome;
        this.note = note;
        this.regex = match.startsWith("re:") ? Pattern.compile(match.substring(3), Pattern.CASE_INSENSITIVE) : null;
        this.lowerMatch = match.toLowerCase(Locale.ROOT);
    }

    public Protocol protocol() {
        return protocol;
    }

    public String match() {
        return match;
    }

    public Outcome outcome() {
        return outcome;
    }

    public String note() {
        return note;
    }

    public boolean matches(Protocol replyProtocol, String reply) {
        if (reply == null || (protocol != null && protocol != replyProtocol)) {
            return false;
        }
        if (regex != null) {
            return regex.matcher(reply).find();
        }
        return reply.toLowerCase(Locale.ROOT).contains(lowerMatch);
    }

    @Override
    public String toString() {
        return "Signature[protocol=" + protocol + ", match=" + match + ", outcome=" + outcome + ", note=" + note + "]";
    }
}
