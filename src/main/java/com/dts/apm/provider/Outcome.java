package com.dts.apm.provider;

/**
 * The closed set of results of one login check (design.md). The name is the stored value, the JSON
 * value and the metric tag; {@link #who()} says who has to act.
 */
public enum Outcome {
    OK(Actor.NOBODY),
    AUTH_REJECTED(Actor.DEALER),
    APP_PASSWORD_REQUIRED(Actor.DEALER),
    PROTOCOL_DISABLED(Actor.DEALER),
    ACCOUNT_LOCKED(Actor.DEALER),
    BASIC_AUTH_DISABLED(Actor.OPS),
    TLS_ERROR(Actor.OPS),
    PROTOCOL_ERROR(Actor.OPS),
    RATE_LIMITED(Actor.NOBODY),
    NETWORK_ERROR(Actor.NOBODY);

    /** Who has to do something about an outcome. */
    public enum Actor {
        DEALER,
        OPS,
        NOBODY
    }

    private final Actor who;

    Outcome(Actor who) {
        this.who = who;
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
}
