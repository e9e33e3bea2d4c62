package com.dts.apm.store;

import com.dts.apm.provider.Outcome;
import org.jdbi.v3.core.Handle;

/** Writes state-transition facts; every change of state goes through here. */
final class Transitions {
    private Transitions() {}

    /** Records the transition and, in the same transaction, the webhook events it raises. */
    static long record(
            Handle h,
            long integrationId,
            long at,
            IntegrationState from,
            IntegrationState to,
            Outcome outcome,
            Long checkId,
            String reason) {
        Webhooks.recordTransition(h, integrationId, at, from, to, outcome);
        return h.createUpdate(
                        "INSERT INTO state_transition (integration_id, at, from_state, to_state, outcome, check_id, reason)"
                                + " VALUES (:i, :at, :from, :to, :outcome, :check, :reason)")
                .bind("i", integrationId)
                .bind("at", at)
                .bind("from", from.name())
                .bind("to", to.name())
                .bind("outcome", outcome == null ? null : outcome.name())
                .bind("check", checkId)
                .bind("reason", reason)
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one();
    }
}
