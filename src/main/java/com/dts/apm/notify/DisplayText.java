package com.dts.apm.notify;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Makes untrusted text (dealer names, server replies) safe to place on one line of an email; says when, in UTC. */
final class DisplayText {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern(
                    "d MMMM yyyy 'at' HH:mm 'UTC'", Locale.ENGLISH)
            .withZone(ZoneOffset.UTC);

    private DisplayText() {}

    /** A moment as every email writes it: {@code 2 December 2026 at 15:04 UTC}. */
    static String when(Instant t) {
        return WHEN.format(t);
    }

    /** Control characters (CR, LF, tab, ...) become spaces, runs of spaces one space, ends trimmed. */
    static String oneLine(String text) {
        if (text == null) {
            return "";
        }
        var sb = new StringBuilder(text.length());
        boolean space = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean blank = Character.isWhitespace(c)
                    || Character.isISOControl(c)
                    || Character.getType(c) == Character.FORMAT
                    || c == '\u2028'
                    || c == '\u2029';
            if (blank) {
                space = sb.length() > 0;
            } else {
                if (space) {
                    sb.append(' ');
                    space = false;
                }
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** {@link #oneLine} cut to at most {@code max} characters, with an ellipsis when cut. */
    static String oneLine(String text, int max) {
        var line = oneLine(text);
        if (line.length() <= max) {
            return line;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(line.charAt(end - 1))) {
            end--;
        }
        return line.substring(0, end).stripTrailing() + "\u2026";
    }

    /** True when {@code text} holds a CR, LF or other control character. */
    static boolean hasControl(String text) {
        return text.chars().anyMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029');
    }
}
