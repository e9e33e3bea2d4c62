package com.dts.apm.check;

import com.dts.apm.config.Backoff;
import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.Outcome;
import com.dts.apm.store.Integration;
import com.dts.apm.store.IntegrationState;
import com.dts.apm.store.StateChange;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The integration state machine, a pure function of (integration as stored, this check's outcome, now):
 * the new state, when to check next, and which alerts to queue. Tested as a table.
 *
 * <pre>
 * UNKNOWN/HEALTHY/DEGRADED --dealer failure--> SUSPECT --dealer failure (confirmed)--> FAILING (failure alert)
 * any --OK--> HEALTHY (recovery alert when it was FAILING)
 * transient or ops failures lasting degraded-after --> DEGRADED (ops alert)
 * </pre>
 */
public final class StateMachine {
    private final Policy policy;

    public StateMachine(Policy policy) {
        this.policy = policy;
    }

    /**
     * Settings the machine reads. {@code jitter} is the random offset (already drawn, may be negative)
     * added to a regular interval, so the function itself stays deterministic.
     */
    public record Policy(
            Duration confirmAfter,
            Duration failingRecheckInterval,
            Duration degradedAfter,
            Duration retryInitial,
            Duration retryMax,
            boolean recoveryNotice,
            boolean basicAuthToDealer,
            String opsEmail) {}

    /** True when this outcome is the dealer's to fix under the current policy. */
    boolean dealerActionable(Outcome o) {
        return o.dealerCanFix(policy.basicAuthToDealer());
    }

    /**
     * @param interval the regular interval for this integration's provider
     * @param jitter a random offset for the regular interval, drawn by the caller
     */
    public StateChange decide(Integration i, Outcome outcome, Instant now, Duration interval, Duration jitter) {
        var from = i.state();
        var alerts = new ArrayList<StateChange.NewAlert>();
        if (outcome.isOk()) {
            if (from == IntegrationState.FAILING && policy.recoveryNotice()) {
                alerts.add(new StateChange.NewAlert(AlertKind.RECOVERY, outcome, i.contactEmail()));
            }
            return new StateChange(
                    IntegrationState.HEALTHY,
                    outcome,
                    now.plus(interval).plus(jitter),
                    0,
                    null,
                    true,
                    from == IntegrationState.HEALTHY ? null : "login succeeded",
                    alerts);
        }
        int failures = i.consecutiveFailures() + 1;
        var problemSince = i.problemSince() == null ? now : i.problemSince();
        if (dealerActionable(outcome)) {
            return switch (from) {
                case SUSPECT, FAILING -> {
                    if (from == IntegrationState.SUSPECT) {
                        alerts.add(new StateChange.NewAlert(AlertKind.FAILURE, outcome, i.contactEmail()));
                    }
                    yield new StateChange(
                            IntegrationState.FAILING,
                            outcome,
                            now.plus(policy.failingRecheckInterval()),
                            failures,
                            problemSince,
                            false,
                            from == IntegrationState.SUSPECT ? "failure confirmed: " + outcome : null,
                            alerts);
                }
                default ->
                    new StateChange(
                            IntegrationState.SUSPECT,
                            outcome,
                            now.plus(policy.confirmAfter()),
                            failures,
                            problemSince,
                            false,
                            "first failure: " + outcome + "; re-checking to confirm",
                            alerts);
            };
        }
        // Transient or ops-side: retry with backoff; never the dealer's problem.
        var next = now.plus(backoff(failures, interval));
        if (from == IntegrationState.FAILING) {
            // keep the slow pace: every failed login counts toward the provider's lock-out
            next = now.plus(policy.failingRecheckInterval());
            return new StateChange(from, outcome, next, failures, problemSince, false, null, alerts);
        }
        if (from == IntegrationState.SUSPECT) {
            // the confirming check could not reach a verdict: try again soon, stay SUSPECT
            return new StateChange(
                    from,
                    outcome,
                    now.plus(min(backoff(failures, interval), policy.confirmAfter())),
                    failures,
                    problemSince,
                    false,
                    null,
                    alerts);
        }
        boolean lasting = !now.isBefore(problemSince.plus(policy.degradedAfter()));
        if (lasting && from != IntegrationState.DEGRADED) {
            if (policy.opsEmail() != null) {
                alerts.add(new StateChange.NewAlert(AlertKind.OPS, outcome, policy.opsEmail()));
            }
            return new StateChange(
                    IntegrationState.DEGRADED,
                    outcome,
                    next,
                    failures,
                    problemSince,
                    false,
                    outcome + " for " + Duration.between(problemSince, now).toMinutes() + " min",
                    alerts);
        }
        return new StateChange(from, outcome, next, failures, problemSince, false, null, List.of());
    }

    /** retry-initial, doubling per consecutive failure, capped at retry-max and at the regular interval. */
    Duration backoff(int failures, Duration interval) {
        return min(new Backoff(policy.retryInitial(), policy.retryMax()).after(failures), interval);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
