package com.dts.apm.provider;

import java.util.Locale;

/** The two mail protocols an integration logs in with. */
public enum Protocol {
    IMAP,
    SMTP;

    /** Lower-case name used in JSON, metrics tags and the database. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Protocol parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown protocol '" + text + "' (use imap or smtp)");
        }
    }
}
