package com.dts.apm.provider;

import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The closed set of results of one login check (design.md). The name is the stored value, the JSON
 * value and the metric tag; {@link #who()} says who has to act, {@link #severity()} which outcome speaks
 * for a check of several protocols, and {@link #dealerCanFix(boolean)} whether the dealer is asked to act.
 */
public enum Outcome {
    OK(Actor.NOBODY, 0),
    AUTH_REJECTED(Actor.DEALER, 8),
    /** The OAuth token endpoint refused the stored refresh token ({@code invalid_grant}): the dealer signs in again. */
    TOKEN_REVOKED(Actor.DEALER, 10),
    APP_PASSWORD_REQUIRED(Actor.DEALER, 9),
    PROTOCOL_DISABLED(Actor.DEALER, 7),
    ACCOUNT_LOCKED(Actor.DEALER, 6),
    BASIC_AUTH_DISABLED(Actor.OPS, 5),
    TLS_ERROR(Actor.OPS, 4),
    PROTOCOL_ERROR(Actor.OPS, 3),
    RATE_LIMITED(Actor.NOBODY, 2),
    NETWORK_ERROR(Actor.NOBODY, 1);

    /** Who has to do something about an outcome. */
    public enum Actor {
        DEALER,
        OPS,
        NOBODY
    }

    private final Actor who;
    private final int severity;

    Outcome(Actor who, int severity) {
        this.who = who;
        this.severity = severity;
    }

    public Actor who() {
        return who;
    }

    public boolean isOk() {
        return this == OK;
    }

    /** Failures that go away by themselves: retried with backoff, never alerted to the dealer. */
    public boolean isTransient() {
        return this == RATE_LIMITED || this == NETWORK_ERROR;
    }

    /** Failures only the dealer can fix (a new app password, a setting in their account). */
    public boolean isDealerActionable() {
        return who == Actor.DEALER;
    }

    /**
     * Whether the dealer is asked to act on this outcome: the dealer's outcomes, and {@link #BASIC_AUTH_DISABLED}
     * too when {@code alerts.basic-auth-disabled-to-dealer} says the dealer, not ops, reconnects such mailboxes.
     */
    public boolean dealerCanFix(boolean basicAuthToDealer) {
        return isDealerActionable() || (this == BASIC_AUTH_DISABLED && basicAuthToDealer);
    }

    /** Every outcome a dealer may be asked to fix under some setting, in declaration order (what a SQL filter binds). */
    public static List<Outcome> dealerFixable() {
        return Arrays.stream(values()).filter(o -> o.dealerCanFix(true)).toList();
    }

    /**
     * How much this outcome matters when several protocols of one check disagree: someone's action beats a
     * transient failure, the dealer's beats ops', and a missing app password beats a plain rejection.
     */
    public int severity() {
        return severity;
    }

    /** The outcome that speaks for a check of several protocols: the most severe; OK for none. */
    public static Outcome worst(Collection<Outcome> outcomes) {
        return outcomes.stream().max(Comparator.comparingInt(Outcome::severity)).orElse(OK);
    }
}
