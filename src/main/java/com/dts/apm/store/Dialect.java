package com.dts.apm.store;

/**
 * The two databases the stores run on. Nearly every statement is written once in SQL both take; the few that
 * differ ask this: a random number per row, and the claim of due integrations (leases on PostgreSQL).
 */
public enum Dialect {
    SQLITE,
    POSTGRESQL;

    /** A random whole number from 0 to {@code bound} - 1, computed per row ({@code bound} is SQL, e.g. a parameter). */
    String randomBelow(String bound) {
        return switch (this) {
            case SQLITE -> "(abs(random()) % " + bound + ")";
            case POSTGRESQL -> "floor(random() * " + bound + ")::bigint";
        };
    }
}
