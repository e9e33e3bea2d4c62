package com.dts.apm.api;

import com.dts.apm.BadInputException;
import com.dts.apm.store.IntegrationInput;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/** What a token may do; each route needs one. */
public enum Scope {
    INTEGRATIONS_READ("integrations:read"),
    INTEGRATIONS_WRITE("integrations:write"),
    CHECKS_RUN("checks:run"),
    CREDENTIALS_READ("credentials:read");

    private final String label;

    Scope(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Reads {@code integrations:read,checks:run}; refuses an unknown or empty list. */
    public static Set<Scope> parseList(String text) {
        var set = EnumSet.noneOf(Scope.class);
        for (var part : (text == null ? "" : text).split("[,\\s]+")) {
            if (!part.isBlank()) {
                set.add(parse(part));
            }
        }
        if (set.isEmpty()) {
            throw new BadInputException("no scope given (use " + all() + ")");
        }
        return set;
    }

    static Scope parse(String label) {
        return Arrays.stream(values())
                .filter(s -> s.label.equals(label.trim()))
                .findFirst()
                .orElseThrow(() -> new BadInputException(
                        "unknown scope '" + IntegrationInput.printable(label.trim()) + "' (known: " + all() + ")"));
    }

    static String all() {
        return Arrays.stream(values()).map(Scope::label).collect(Collectors.joining(", "));
    }
}
