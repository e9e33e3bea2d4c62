package com.dts.apm.config;

import java.time.Duration;

/**
 * A doubling backoff, the one rule for every retry of the daemon (a failing check, an alert the relay did not take,
 * a check result the database could not take): {@code initial} after the first failure, twice as long after each
 * further one, never more than {@code max}.
 */
public record Backoff(Duration initial, Duration max) {
    public Backoff {
        java.util.Objects.requireNonNull(initial, "initial");
        java.util.Objects.requireNonNull(max, "max");
    }

    /** How long to wait after the {@code failures}-th failure in a row (1 for the first). */
    public Duration after(int failures) {
        var d = initial;
        for (int n = 1; n < failures && d.compareTo(max) < 0; n++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }
}
