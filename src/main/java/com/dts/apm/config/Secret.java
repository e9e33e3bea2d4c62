package com.dts.apm.config;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A password held in memory. It prints as {@code ***} wherever it lands (logs, records, exceptions)
 * and is only handed out by {@link #reveal()}, which the few callers that must log in use.
 */
public final class Secret {
    private final char[] value;

    private Secret(char[] value) {
        this.value = value;
    }

    public static Secret of(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("empty secret");
        }
        return new Secret(value.toCharArray());
    }

    public static Secret ofUtf8(byte[] bytes) {
        return of(new String(bytes, StandardCharsets.UTF_8));
    }

    /** The plain value, for the login call or the cipher only. */
    public String reveal() {
        return new String(value);
    }

    public byte[] utf8() {
        return reveal().getBytes(StandardCharsets.UTF_8);
    }

    public int length() {
        return value.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && Arrays.equals(value, s.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "***";
    }
}
