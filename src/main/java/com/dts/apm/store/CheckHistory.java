package com.dts.apm.store;

import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** What was recorded about one integration: its recent checks and state changes; and the retention that prunes them. */
public final class CheckHistory {
    private final Jdbi jdbi;

    public CheckHistory(Database db) {
        this.jdbi = db.jdbi();
    }

    /** The most recent checks of one integration, newest first. */
    public List<CheckRecord> checks(long integrationId, int limit) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT id, integration_id, checked_at, protocol, outcome, duration_ms, detail"
                                + " FROM check_result WHERE integration_id = :i ORDER BY checked_at DESC, id DESC LIMIT :n")
                .bind("i", integrationId)
                .bind("n", limit)
                .map((rs, ctx) -> new CheckRecord(
                        rs.getLong(1),
                        rs.getLong(2),
                        Instant.ofEpochMilli(rs.getLong(3)),
                        Protocol.parse(rs.getString(4)),
                        Outcome.valueOf(rs.getString(5)),
                        rs.getLong(6),
                        rs.getString(7)))
                .list());
    }

    /** A recorded change of state. */
    public record TransitionRecord(
            Instant at, IntegrationState from, IntegrationState to, Outcome outcome, String reason) {}

    public List<TransitionRecord> transitions(long integrationId, int limit) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT at, from_state, to_state, outcome, reason FROM state_transition"
                                + " WHERE integration_id = :i ORDER BY at DESC, id DESC LIMIT :n")
                .bind("i", integrationId)
                .bind("n", limit)
                .map((rs, ctx) -> new TransitionRecord(
                        Instant.ofEpochMilli(rs.getLong(1)),
                        IntegrationState.valueOf(rs.getString(2)),
                        IntegrationState.valueOf(rs.getString(3)),
                        rs.getString(4) == null ? null : Outcome.valueOf(rs.getString(4)),
                        rs.getString(5)))
                .list());
    }

    /** Deletes check results older than {@code before}, in small batches; returns how many went. */
    public int pruneBefore(Instant before) {
        int total = 0;
        while (true) {
            int n = jdbi.withHandle(h -> h.createUpdate("DELETE FROM check_result WHERE id IN"
                            + " (SELECT id FROM check_result WHERE checked_at < :t LIMIT 5000)")
                    .bind("t", before.toEpochMilli())
                    .execute());
            total += n;
            if (n < 5000) {
                return total;
            }
        }
    }
}
