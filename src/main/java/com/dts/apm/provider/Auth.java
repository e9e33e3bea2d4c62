package com.dts.apm.provider;

import java.util.Locale;

/**
 * How a mailbox signs in: with a stored (app) password, or with an OAuth grant ({@code oauth2}: a stored refresh
 * token traded for an access token, then SASL XOAUTH2). The label is the stored, CLI, CSV and JSON value.
 */
public enum Auth {
    PASSWORD,
    OAUTH2;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The auth a label names; null for null or blank. */
    public static Auth parse(String label) {
        if (label == null || label.isBlank()) {
            return null;
        }
        for (var a : values()) {
            if (a.label().equalsIgnoreCase(label.strip())) {
                return a;
            }
        }
        throw new IllegalArgumentException(
                "auth '" + label.replaceAll("\\p{Cntrl}", "?") + "' is not password or oauth2");
    }

    /** As {@link #parse}, null meaning {@link #PASSWORD}, a bad label a {@link com.dts.apm.BadInputException}. */
    public static Auth parseOrBad(String label) {
        try {
            var a = parse(label);
            return a == null ? PASSWORD : a;
        } catch (IllegalArgumentException e) {
            throw new com.dts.apm.BadInputException(e.getMessage());
        }
    }

    /** The OAuth app a provider's grants come from when the integration names none: gmail → google, Microsoft → microsoft. */
    public static String defaultApp(String provider) {
        return switch (provider) {
            case "gmail" -> "google";
            case "outlook", "microsoft365" -> "microsoft";
            default -> null;
        };
    }
}
