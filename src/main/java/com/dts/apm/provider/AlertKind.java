package com.dts.apm.provider;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What an alert is for: the closed set of outbox kinds. The label is the stored value, the metric tag and the
 * template file prefix. The dealer kinds are the {@code kind} tag of {@code apm_notifications_total}; {@link #OPS}
 * and {@link #STORM} go to the operations address.
 */
public enum AlertKind {
    /** A dealer-actionable failure was confirmed: here is how to fix it. */
    FAILURE,
    /** The failure is still there: how long, and the same steps again. */
    REMINDER,
    /** It works again; nothing to do. */
    RECOVERY,
    /** A notice for the ops address: provider-side, TLS or protocol trouble, a degraded integration. */
    OPS,
    /** A notice for the ops address that a provider-wide wave started or ended (the storm guard); its text is stored. */
    STORM;

    /** The kinds addressed to the dealer, in declaration order: what the storm guard holds and the metrics count. */
    public static final List<AlertKind> TO_DEALER =
            Arrays.stream(values()).filter(AlertKind::toDealer).toList();

    /** Lower-case name: the stored value, the metric tag and the template file prefix. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True for the kinds addressed to the dealer. */
    public boolean toDealer() {
        return this == FAILURE || this == REMINDER || this == RECOVERY;
    }

    /** True for the kinds rendered from an email template (a storm notice carries its own text). */
    public boolean templated() {
        return this != STORM;
    }

    /** The kind stored as {@code label}; anything else is a database this version did not write. */
    public static AlertKind fromLabel(String label) {
        for (var k : values()) {
            if (k.label().equals(label)) {
                return k;
            }
        }
        throw new IllegalStateException("alert_outbox holds an unknown kind '" + label + "'");
    }

    /** Parses what a person typed: {@code failure}, {@code reminder}, {@code recovery} or {@code ops}, any case. */
    public static AlertKind parse(String text) {
        var k = text.trim().toUpperCase(Locale.ROOT);
        if (k.equals("STORM") || Arrays.stream(values()).noneMatch(v -> v.name().equals(k))) {
            throw new IllegalArgumentException(
                    "unknown alert kind '" + text + "' (use failure, reminder, recovery or ops)");
        }
        return valueOf(k);
    }
}
