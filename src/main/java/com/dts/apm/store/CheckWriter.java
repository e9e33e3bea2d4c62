package com.dts.apm.store;

import com.dts.apm.config.Secret;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;

/**
 * The write path of a finished check: its results, the new state, a transition when the state changed, and
 * the alerts it queues, all in one transaction. Built once per process: its group-commit queue is what lets
 * concurrent checks share a commit.
 */
public final class CheckWriter {
    private final Database db;
    /** Seals a rotated OAuth refresh token; null: this writer takes none. */
    private final SecretBox box;

    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();

    public CheckWriter(Database db) {
        this(db, null);
    }

    /** A writer that also stores the refresh tokens an OAuth token endpoint rotated, sealed with {@code box}. */
    public CheckWriter(Database db, SecretBox box) {
        this.db = db;
        this.box = box;
    }

    /** One protocol's result, as the prober reports it. */
    public record Result(Protocol protocol, Outcome outcome, long durationMs, String detail) {}

    /**
     * Records the results of one check of {@code integrationId} at {@code at} and applies {@code decide} to
     * the integration as it stands inside the transaction. Returns the updated integration, or empty when
     * it was removed meanwhile (the results are then dropped with it).
     *
     * <p>Group commit: a check that finds the writer busy queues its record, and whoever gets the writer next
     * writes every queued record in one transaction, so concurrent checks share one commit (one fsync)
     * instead of paying one each. If that shared transaction fails for a reason that is not transient, each
     * record is retried alone so one bad record cannot fail its neighbours.
     *
     * @throws RuntimeException the database error when the record could not be written (see
     *     {@link Database#isTransient}); nothing of it was written then
     */
    public Optional<Integration> record(
            long integrationId, Instant at, List<Result> results, Function<Integration, StateChange> decide) {
        return record(integrationId, at, results, decide, false);
    }

    /**
     * Like {@link #record(long, Instant, List, Function)}; {@code retry} says an earlier attempt to record this
     * same check failed. SQLite can report an error for a commit that did reach the disk (a full disk while the
     * WAL index grows), so a retry first looks whether the check is there already and then writes nothing.
     */
    public Optional<Integration> record(
            long integrationId,
            Instant at,
            List<Result> results,
            Function<Integration, StateChange> decide,
            boolean retry) {
        return record(integrationId, at, results, decide, retry, null);
    }

    /**
     * Like {@link #record(long, Instant, List, Function, boolean)}; {@code rotated}, when not null, is the new
     * refresh token the OAuth token endpoint issued during this check: it replaces the sealed secret in the same
     * transaction as the check (Microsoft rotates on every refresh).
     */
    public Optional<Integration> record(
            long integrationId,
            Instant at,
            List<Result> results,
            Function<Integration, StateChange> decide,
            boolean retry,
            Secret rotated) {
        if (rotated != null && box == null) {
            throw new IllegalStateException("this check writer has no key to seal a rotated refresh token");
        }
        var mine = new Pending(integrationId, at, results, decide, retry, rotated);
        queue.add(mine);
        db.underWriteLock(h -> {
            if (!mine.done) {
                writeQueued(h);
            }
            return null;
        });
        if (mine.error != null) {
            throw mine.error;
        }
        return mine.result;
    }

    /** One record waiting for the writer; fields are set under the writer lock, read after taking it. */
    private static final class Pending {
        final long integrationId;
        final Instant at;
        final List<Result> results;
        final Function<Integration, StateChange> decide;
        final boolean retry;
        final Secret rotated;
        Optional<Integration> result;
        RuntimeException error;
        boolean done;

        Pending(
                long integrationId,
                Instant at,
                List<Result> results,
                Function<Integration, StateChange> decide,
                boolean retry,
                Secret rotated) {
            this.integrationId = integrationId;
            this.retry = retry;
            this.rotated = rotated;
            this.at = at;
            this.results = List.copyOf(results);
            this.decide = decide;
        }
    }

    private void writeQueued(Handle handle) {
        var batch = new ArrayList<Pending>();
        for (Pending p; (p = queue.poll()) != null; ) {
            batch.add(p);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            var written = handle.inTransaction(h -> {
                var out = new ArrayList<Optional<Integration>>(batch.size());
                for (var p : batch) {
                    out.add(write(h, p));
                }
                return out;
            });
            for (int k = 0; k < batch.size(); k++) {
                batch.get(k).result = written.get(k);
                batch.get(k).done = true;
            }
        } catch (RuntimeException e) {
            if (batch.size() == 1 || Database.isTransient(e)) {
                for (var p : batch) {
                    p.error = e;
                    p.done = true;
                }
                return;
            }
            for (var p : batch) {
                try {
                    if (!autoCommit(handle)) {
                        // the failed batch left the connection outside any real transaction (see Database): the
                        // rest fail with the batch's error and are retried on a fresh connection
                        throw e;
                    }
                    p.result = handle.inTransaction(h -> write(h, p));
                } catch (RuntimeException alone) {
                    p.error = alone;
                }
                p.done = true;
            }
        }
    }

    private static boolean autoCommit(Handle handle) {
        try {
            return handle.getConnection().getAutoCommit();
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    private Optional<Integration> write(Handle h, Pending p) {
        long integrationId = p.integrationId;
        var results = p.results;
        var current = h.createQuery("SELECT " + IntegrationStore.COLUMNS + IntegrationStore.FROM + " WHERE i.id = :id")
                .bind("id", integrationId)
                .map(IntegrationStore::map)
                .findOne();
        if (current.isEmpty()) {
            return Optional.empty();
        }
        var before = current.get();
        long now = p.at.toEpochMilli();
        if (p.retry
                && !results.isEmpty()
                && h.createQuery("SELECT count(*) FROM check_result WHERE integration_id = :i AND checked_at = :at")
                                .bind("i", integrationId)
                                .bind("at", now)
                                .mapTo(Long.class)
                                .one()
                        > 0) {
            // A retry of a write whose commit reached the disk although SQLite reported an error (disk full
            // while updating the WAL index): it is recorded already; writing it again would double it.
            return current;
        }
        if (p.rotated != null) {
            IntegrationStore.storeSealed(
                    h, integrationId, box.seal(p.rotated, SecretBox.passwordContext(integrationId)));
        }
        Long lastCheckId = null;
        if (!results.isEmpty()) {
            var batch = h.prepareBatch(
                    "INSERT INTO check_result (integration_id, checked_at, protocol, outcome, duration_ms, detail)"
                            + " VALUES (:i, :at, :p, :o, :d, :detail)");
            for (var r : results) {
                batch.bind("i", integrationId)
                        .bind("at", now)
                        .bind("p", r.protocol().label())
                        .bind("o", r.outcome().name())
                        .bind("d", r.durationMs())
                        .bind("detail", r.detail())
                        .add();
            }
            batch.execute();
        }
        var change = p.decide.apply(before);
        // A check that raced with disable keeps the integration disabled.
        var state = before.enabled() ? change.state() : IntegrationState.DISABLED;
        if (!results.isEmpty() && state != before.state()) {
            // only a transition names its check: the last row just inserted (SQLite and PostgreSQL alike; the
            // integration's lease, or SQLite's one writer, means no other check of it writes at this instant)
            lastCheckId = h.createQuery(
                            "SELECT max(id) FROM check_result WHERE integration_id = :i AND checked_at = :at")
                    .bind("i", integrationId)
                    .bind("at", now)
                    .mapTo(Long.class)
                    .one();
        }
        h.createUpdate("UPDATE integration SET state = :state,"
                        + " state_since = CASE WHEN state = :state THEN state_since ELSE :now END,"
                        + " last_outcome = :outcome, consecutive_failures = :fails, problem_since = :problem,"
                        + " next_check_at = CASE WHEN enabled = 1 THEN :next ELSE NULL END,"
                        + " last_checked_at = :now, last_success_at = CASE WHEN :ok = 1 THEN :now ELSE last_success_at END,"
                        + " updated_at = :now"
                        // the check is recorded: its lease (PostgreSQL, several nodes) is over
                        + (db.dialect() == Dialect.POSTGRESQL ? ", lease_node = NULL, lease_until = NULL" : "")
                        + " WHERE id = :id")
                .bind("state", state.name())
                .bind("now", now)
                .bind("outcome", change.outcome().name())
                .bind("fails", change.consecutiveFailures())
                .bind(
                        "problem",
                        change.problemSince() == null
                                ? null
                                : change.problemSince().toEpochMilli())
                .bind("next", change.nextCheckAt().toEpochMilli())
                .bind("ok", change.success())
                .bind("id", integrationId)
                .execute();
        Long transitionId = null;
        if (state != before.state()) {
            transitionId = Transitions.record(
                    h, integrationId, now, before.state(), state, change.outcome(), lastCheckId, change.reason());
        }
        for (var alert : change.alerts()) {
            h.createUpdate("""
                            INSERT INTO alert_outbox (integration_id, incident_id, kind, outcome, provider, recipient, status,
                                                      next_attempt_at, created_at)
                            VALUES (:i, :incident, :kind, :outcome, :provider, :to, :pending, :now, :now)""")
                    .bind("i", integrationId)
                    .bind("incident", transitionId)
                    .bind("kind", alert.kind().label())
                    .bind(
                            "outcome",
                            alert.outcome() == null ? null : alert.outcome().name())
                    .bind("provider", before.provider())
                    .bind("to", alert.recipient())
                    .bind("pending", OutboxStatus.PENDING.name())
                    .bind("now", now)
                    .execute();
        }
        return Optional.of(afterUpdate(before, state, change, now));
    }

    /**
     * The integration as the UPDATE above leaves it, without reading it back (this runs under the writer lock, once
     * per check). Times go through epoch milliseconds, as a read would return them.
     */
    private static Integration afterUpdate(Integration before, IntegrationState state, StateChange change, long now) {
        var at = Instant.ofEpochMilli(now);
        return new Integration(
                before.id(),
                before.dealerId(),
                before.dealerName(),
                before.contactEmail(),
                before.email(),
                before.provider(),
                before.username(),
                before.imap(),
                before.smtp(),
                before.protocols(),
                before.enabled(),
                before.canary(),
                state,
                state == before.state() ? before.stateSince() : at,
                change.outcome(),
                millis(change.problemSince()),
                change.consecutiveFailures(),
                before.enabled() ? millis(change.nextCheckAt()) : null,
                at,
                change.success() ? at : before.lastSuccessAt(),
                before.passwordChangedAt(),
                before.createdAt(),
                before.adminEmail(),
                before.signIn());
    }

    private static Instant millis(Instant t) {
        return t == null ? null : Instant.ofEpochMilli(t.toEpochMilli());
    }
}
