package com.dts.apm.store;

import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.Outcome;
import java.time.Instant;
import java.util.List;

/**
 * What a finished check does to an integration, decided by the state machine: the new state and
 * counters, when to check next, and the alerts to queue in the same transaction.
 */
public record StateChange(
        IntegrationState state,
        Outcome outcome,
        Instant nextCheckAt,
        int consecutiveFailures,
        Instant problemSince,
        boolean success,
        String reason,
        List<NewAlert> alerts) {
    public StateChange {
        alerts = List.copyOf(alerts);
    }

    /** An alert to write into the outbox. */
    public record NewAlert(AlertKind kind, Outcome outcome, String recipient) {}
}
