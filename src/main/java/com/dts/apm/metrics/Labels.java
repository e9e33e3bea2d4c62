package com.dts.apm.metrics;

import java.util.regex.Pattern;

/**
 * Guards label values. Providers, states, kinds and results are short words from closed sets; anything
 * else (an email address that slipped in, a free-text error) becomes {@code other}, so a label can
 * neither leak a mailbox nor grow with the number of integrations.
 */
final class Labels {
    static final String OTHER = "other";

    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,39}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})");

    private Labels() {}

    static String word(String value) {
        return value != null && WORD.matcher(value).matches() ? value : OTHER;
    }

    static boolean isHostName(String value) {
        return value != null && HOST.matcher(value).matches();
    }
}
