package com.dts.apm.store;

/** Where an alert is in the outbox: the closed set of {@code alert_outbox.status} values. */
public enum OutboxStatus {
    /** Waiting for its next attempt. */
    PENDING,
    /** Handed to the relay. */
    SENT,
    /** Given up: the relay refused it for good, or it could not be built. */
    FAILED,
    /** Held by the storm guard until ops release or drop it. */
    HELD,
    /** Will never be sent: the integration is gone, the news went stale, or ops dropped it. */
    DROPPED
}
