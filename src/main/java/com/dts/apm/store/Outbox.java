package com.dts.apm.store;

import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.Outcome;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The alert outbox: rows are written with the state change that causes them (see {@link CheckWriter}), then
 * delivered by the sender, retried with backoff, held by the storm guard, released or dropped by ops. Kinds and
 * statuses are bound from {@link AlertKind} and {@link OutboxStatus}, never written into the SQL.
 */
public final class Outbox {
    private final Jdbi jdbi;
    private final Jdbi reads;

    public Outbox(Database db) {
        this.jdbi = db.jdbi();
        this.reads = db.reads();
    }

    /** One queued alert. */
    public record Alert(
            long id,
            Long integrationId,
            Long incidentId,
            AlertKind kind,
            Outcome outcome,
            String provider,
            String recipient,
            OutboxStatus status,
            int attempts,
            Instant createdAt,
            int reminderNumber,
            String lastError,
            String note) {}

    private static final String COLUMNS = "id, integration_id, incident_id, kind, outcome, provider, recipient, status,"
            + " attempts, created_at, reminder_number, last_error, note";

    private static Alert map(ResultSet rs) throws SQLException {
        long integration = rs.getLong(2);
        Long integrationId = rs.wasNull() ? null : integration;
        long incident = rs.getLong(3);
        Long incidentId = rs.wasNull() ? null : incident;
        return new Alert(
                rs.getLong(1),
                integrationId,
                incidentId,
                AlertKind.fromLabel(rs.getString(4)),
                rs.getString(5) == null ? null : Outcome.valueOf(rs.getString(5)),
                rs.getString(6),
                rs.getString(7),
                OutboxStatus.valueOf(rs.getString(8)),
                rs.getInt(9),
                Instant.ofEpochMilli(rs.getLong(10)),
                rs.getInt(11),
                rs.getString(12),
                rs.getString(13));
    }

    /** Queues a notice that no state change caused (a storm notice to ops) with its text; returns its id. */
    public long queueNotice(AlertKind kind, String provider, String recipient, String note, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        INSERT INTO alert_outbox (kind, provider, recipient, status, note, next_attempt_at, created_at)
                        VALUES (:kind, :provider, :to, :pending, :note, :now, :now)""")
                .bind("kind", kind.label())
                .bind("pending", OutboxStatus.PENDING.name())
                .bind("note", note)
                .bind("provider", provider)
                .bind("to", recipient)
                .bind("now", now.toEpochMilli())
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one());
    }

    public Optional<Alert> find(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM alert_outbox WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> map(rs))
                .findOne());
    }

    /** Held alerts, of one provider or (null) of all, oldest first. */
    public List<Alert> listHeld(String provider) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM alert_outbox WHERE status = :held"
                        + (provider == null ? "" : " AND provider = :p") + " ORDER BY id")
                .bind("held", OutboxStatus.HELD.name())
                .bindMap(provider == null ? Map.of() : Map.of("p", provider))
                .map((rs, ctx) -> map(rs))
                .list());
    }

    /** Sends a pending alert to another address from now on (the first one bounced). */
    public void redirect(long id, String recipient, Instant now, String error) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE alert_outbox SET recipient = :to, attempts = attempts + 1,"
                        + " next_attempt_at = :now, last_error = :e WHERE id = :id")
                .bind("to", recipient)
                .bind("now", now.toEpochMilli())
                .bind("e", error)
                .bind("id", id)
                .execute());
    }

    /** An alert that will never be sent, and why (the integration is gone, it recovered first, ops dropped it). */
    public void markDropped(long id, String why) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE alert_outbox SET status = :dropped, last_error = :e WHERE id = :id")
                .bind("dropped", OutboxStatus.DROPPED.name())
                .bind("e", why)
                .bind("id", id)
                .execute());
    }

    /** Moves one held alert back to pending, due now. */
    public void releaseOne(long id, Instant now) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE alert_outbox SET status = :pending, next_attempt_at = :now
                        WHERE id = :id AND status = :held""")
                .bind("pending", OutboxStatus.PENDING.name())
                .bind("held", OutboxStatus.HELD.name())
                .bind("now", now.toEpochMilli())
                .bind("id", id)
                .execute());
    }

    /** The status of the latest failure alert of an integration, if it has one. */
    public Optional<OutboxStatus> findLatestFailureStatus(long integrationId) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT status FROM alert_outbox WHERE integration_id = :i AND kind = :failure
                        ORDER BY id DESC LIMIT 1""")
                .bind("i", integrationId)
                .bind("failure", AlertKind.FAILURE.label())
                .mapTo(String.class)
                .findOne()
                .map(OutboxStatus::valueOf));
    }

    /** Remembers that the relay refused {@code address} for good. */
    public void recordBouncing(String address, Instant at, String detail) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO bouncing_address (address, since, detail) VALUES (:a, :at, :d)"
                        + " ON CONFLICT(address) DO UPDATE SET detail = excluded.detail")
                .bind("a", address)
                .bind("at", at.toEpochMilli())
                .bind("d", detail)
                .execute());
    }

    /**
     * An address the relay refused for good: since when, the relay's reply, and how many integrations name it as
     * their contact.
     */
    public record Bounce(String address, Instant since, String detail, int contactOf) {}

    /** Every address remembered as bouncing, oldest first. */
    public List<Bounce> listBouncing() {
        return jdbi.withHandle(h -> h.createQuery("SELECT b.address, b.since, b.detail,"
                        + " (SELECT count(*) FROM integration i WHERE i.contact_email = b.address COLLATE NOCASE)"
                        + " FROM bouncing_address b ORDER BY b.since, b.address")
                .map((rs, ctx) ->
                        new Bounce(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getInt(4)))
                .list());
    }

    /** Forgets a bouncing address (any case), so mail goes to it again; false when it was not remembered. */
    public boolean forgetBouncing(String address) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM bouncing_address WHERE address = :a")
                        .bind("a", address)
                        .execute())
                > 0;
    }

    /**
     * Forgets {@code address} as bouncing when nothing names it any more: no integration as its contact and no
     * dealer as its admin contact (an integration's contact was changed to another address).
     */
    static void forgetBouncingIfUnused(Handle h, String address) {
        h.createUpdate("DELETE FROM bouncing_address WHERE address = :a"
                        + " AND NOT EXISTS (SELECT 1 FROM integration i WHERE i.contact_email = :a COLLATE NOCASE)"
                        + " AND NOT EXISTS (SELECT 1 FROM dealer d WHERE d.admin_email = :a COLLATE NOCASE)")
                .bind("a", address)
                .execute();
    }

    public boolean isBouncing(String address) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM bouncing_address WHERE address = :a")
                        .bind("a", address)
                        .mapTo(Integer.class)
                        .one())
                > 0;
    }

    /** The admin contact of the dealer an integration belongs to, when one is set. */
    public Optional<String> findAdminContact(long integrationId) {
        return jdbi.withHandle(
                h -> h.createQuery("SELECT d.admin_email FROM integration i JOIN dealer d ON d.id = i.dealer_id"
                                + " WHERE i.id = :i AND d.admin_email IS NOT NULL AND d.admin_email <> ''")
                        .bind("i", integrationId)
                        .mapTo(String.class)
                        .findOne());
    }

    /** Pending alerts whose next attempt is due, oldest first. */
    public List<Alert> listDue(Instant now, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM alert_outbox"
                        + " WHERE status = :pending AND next_attempt_at <= :now ORDER BY id LIMIT :n")
                .bind("pending", OutboxStatus.PENDING.name())
                .bind("now", now.toEpochMilli())
                .bind("n", limit)
                .map((rs, ctx) -> map(rs))
                .list());
    }

    /** Pending alerts of one kind whose next attempt is due, oldest first. */
    public List<Alert> listDue(Instant now, AlertKind kind, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM alert_outbox"
                        + " WHERE status = :pending AND kind = :kind AND next_attempt_at <= :now ORDER BY id LIMIT :n")
                .bind("pending", OutboxStatus.PENDING.name())
                .bind("now", now.toEpochMilli())
                .bind("kind", kind.label())
                .bind("n", limit)
                .map((rs, ctx) -> map(rs))
                .list());
    }

    public List<Alert> list(OutboxStatus status) {
        return jdbi.withHandle(
                h -> h.createQuery("SELECT " + COLUMNS + " FROM alert_outbox WHERE status = :s ORDER BY id")
                        .bind("s", status.name())
                        .map((rs, ctx) -> map(rs))
                        .list());
    }

    public void markSent(long id, Instant at) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE alert_outbox SET status = :sent, sent_at = :at, attempts = attempts + 1, last_error = NULL
                        WHERE id = :id""")
                .bind("sent", OutboxStatus.SENT.name())
                .bind("at", at.toEpochMilli())
                .bind("id", id)
                .execute());
    }

    public void markRetry(long id, Instant next, String error) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE alert_outbox SET attempts = attempts + 1, next_attempt_at = :next,"
                        + " last_error = :e WHERE id = :id")
                .bind("next", next.toEpochMilli())
                .bind("e", error)
                .bind("id", id)
                .execute());
    }

    /** Gives up on an alert (the relay refused the recipient for good). */
    public void markFailed(long id, String error) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE alert_outbox SET status = :failed, attempts = attempts + 1, last_error = :e WHERE id = :id""")
                .bind("failed", OutboxStatus.FAILED.name())
                .bind("e", error)
                .bind("id", id)
                .execute());
    }

    /** Moves pending dealer alerts of a provider to HELD (storm guard). Returns how many. */
    public int hold(String provider, Collection<AlertKind> kinds) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE alert_outbox SET status = :held
                        WHERE status = :pending AND provider = :p AND kind IN (<kinds>)""")
                .bind("held", OutboxStatus.HELD.name())
                .bind("pending", OutboxStatus.PENDING.name())
                .bind("p", provider)
                .bindList("kinds", kinds.stream().map(AlertKind::label).toList())
                .execute());
    }

    /** Releases held alerts of a provider for delivery. */
    public int release(String provider, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE alert_outbox SET status = :pending, next_attempt_at = :now
                        WHERE status = :held AND provider = :p""")
                .bind("pending", OutboxStatus.PENDING.name())
                .bind("held", OutboxStatus.HELD.name())
                .bind("p", provider)
                .bind("now", now.toEpochMilli())
                .execute());
    }

    /** Drops held alerts of a provider: they will never be sent. */
    public int drop(String provider) {
        return jdbi.withHandle(
                h -> h.createUpdate("UPDATE alert_outbox SET status = :dropped WHERE status = :held AND provider = :p")
                        .bind("dropped", OutboxStatus.DROPPED.name())
                        .bind("held", OutboxStatus.HELD.name())
                        .bind("p", provider)
                        .execute());
    }

    /** Alerts written but not yet delivered. */
    public long queueDepth() {
        return reads.withHandle(h -> h.createQuery("SELECT count(*) FROM alert_outbox WHERE status = :pending")
                .bind("pending", OutboxStatus.PENDING.name())
                .mapTo(Long.class)
                .one());
    }

    public Map<String, Long> heldByProvider() {
        var out = new TreeMap<String, Long>();
        reads.useHandle(
                h -> h.createQuery("SELECT provider, count(*) FROM alert_outbox WHERE status = :held GROUP BY provider")
                        .bind("held", OutboxStatus.HELD.name())
                        .map((rs, ctx) -> out.put(rs.getString(1), rs.getLong(2)))
                        .list());
        return out;
    }
}
