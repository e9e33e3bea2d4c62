package com.dts.apm.notify;

import java.util.Locale;

/**
 * What an alert email is for. The first three go to the dealer and are the {@code kind} tag of
 * {@code apm_notifications_total}; {@link #OPS} goes to the operations address.
 */
public enum AlertKind {
    /** A dealer-actionable failure was confirmed: here is how to fix it. */
    FAILURE,
    /** The failure is still there: how long, and the same steps again. */
    REMINDER,
    /** It works again; nothing to do. */
    RECOVERY,
    /** A notice for the ops address: provider-side, TLS or protocol trouble, a degraded integration. */
    OPS;

    /** Lower-case name: the metric tag and the template file prefix. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True for the kinds addressed to the dealer. */
    public boolean toDealer() {
        return this != OPS;
    }

    /** Parses {@code failure}, {@code reminder}, {@code recovery} or {@code ops}, any case. */
    public static AlertKind parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown alert kind '" + text + "' (use failure, reminder, recovery or ops)");
        }
    }
}
