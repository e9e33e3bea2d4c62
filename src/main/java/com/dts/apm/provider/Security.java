package com.dts.apm.provider;

import java.util.Locale;

/** How a connection is protected: implicit TLS, STARTTLS upgrade (never falling back), or plain (loopback only). */
public enum Security {
    SSL,
    STARTTLS,
    PLAIN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Security parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown security '" + text + "' (use ssl, starttls or plain)");
        }
    }
}
