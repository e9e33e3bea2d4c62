package com.dts.apm.store;

import com.dts.apm.provider.Protocol;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The stored form of a protocol set: {@code imap}, {@code smtp} or {@code imap+smtp}. */
public final class Protocols {
    private static final Pattern SEPARATOR = Pattern.compile("[+,]");

    private Protocols() {}

    public static String label(Set<Protocol> protocols) {
        return EnumSet.copyOf(protocols).stream().map(Protocol::label).collect(Collectors.joining("+"));
    }

    /** Reads {@code imap}, {@code smtp}, {@code imap+smtp} or {@code imap,smtp}. */
    public static Set<Protocol> parse(String text) {
        var set = EnumSet.noneOf(Protocol.class);
        for (var part : SEPARATOR.split(text)) {
            if (!part.isBlank()) {
                set.add(Protocol.parse(part));
            }
        }
        if (set.isEmpty()) {
            throw new IllegalArgumentException("no protocol given (use imap, smtp or imap+smtp)");
        }
        return set;
    }
}
