package com.dts.apm.store;

import com.dts.apm.BadInputException;
import com.dts.apm.provider.Outcome;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The webhook outbox. Events are written by {@link #recordTransition} and {@link #recordPasswordReplaced} inside
 * the transaction of the change they report; the sender fans them out to each endpoint and records each attempt.
 */
public final class Webhooks {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Jdbi jdbi;
    private final Dialect dialect;

    public Webhooks(Database db) {
        this.jdbi = db.jdbi();
        this.dialect = db.dialect();
    }

    /** One delivery that is due: the event's exact body and its id, which is the webhook-id on every attempt. */
    public record Due(long deliveryId, long eventId, WebhookEvent type, String body, int attempts, Instant createdAt) {}

    /** One delivery as {@code webhooks list|failed} show it. */
    public record Delivery(
            long id,
            long eventId,
            String type,
            String endpoint,
            WebhookDeliveryStatus status,
            int attempts,
            Instant createdAt,
            Instant nextAttemptAt,
            Instant deliveredAt,
            String lastError) {}

    static void recordTransition(
            Handle h, long integrationId, long at, IntegrationState from, IntegrationState to, Outcome outcome) {
        var detail = outcome == null
                ? null
                : h
                        .createQuery("SELECT detail FROM check_result WHERE integration_id = :i"
                                + " AND checked_at = :at AND outcome = :o ORDER BY id LIMIT 1")
                        .bind("i", integrationId)
                        .bind("at", at)
                        .bind("o", outcome.name())
                        .mapTo(String.class)
                        .list()
                        .stream()
                        .filter(java.util.Objects::nonNull)
                        .findFirst()
                        .orElse(null);
        for (var type : WebhookEvent.of(from, to)) {
            insert(h, type, integrationId, at, from, to, outcome, detail);
        }
    }

    static void recordPasswordReplaced(Handle h, long integrationId, long at) {
        var state = h.createQuery("SELECT state FROM integration WHERE id = :i")
                .bind("i", integrationId)
                .mapTo(String.class)
                .one();
        var s = IntegrationState.valueOf(state);
        insert(h, WebhookEvent.PASSWORD_REPLACED, integrationId, at, s, s, null, null);
    }

    private static void insert(
            Handle h,
            WebhookEvent type,
            long integrationId,
            long at,
            IntegrationState from,
            IntegrationState to,
            Outcome outcome,
            String detail) {
        var row = h.createQuery("SELECT external_id, dealer_id, email, provider FROM integration WHERE id = :i")
                .bind("i", integrationId)
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)})
                .one();
        var time = Instant.ofEpochMilli(at).toString();
        var data = new LinkedHashMap<String, Object>();
        data.put("id", integrationId);
        data.put("external_id", row[0]);
        data.put("dealer_id", row[1]);
        data.put("email", row[2]);
        data.put("provider", row[3]);
        data.put("state", to.name());
        data.put("previous_state", from.name());
        data.put("outcome", outcome == null ? null : outcome.name());
        data.put("detail", detail);
        data.put("changed_at", time);
        var body = new LinkedHashMap<String, Object>();
        body.put("type", type.label());
        body.put("timestamp", time);
        body.put("data", data);
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a webhook body", e);
        }
        h.createUpdate("INSERT INTO webhook_event (type, integration_id, body, created_at) VALUES (:t, :i, :b, :at)")
                .bind("t", type.label())
                .bind("i", integrationId)
                .bind("b", json)
                .bind("at", at)
                .execute();
    }

    /**
     * Gives {@code url} a delivery for every event of {@code types} newer than it has seen; an endpoint seen for the
     * first time starts at the newest event (it gets what happens from now on). Returns how many were added.
     */
    public int fanOut(String url, Collection<WebhookEvent> types, Instant now) {
        return jdbi.inTransaction(h -> {
            if (dialect == Dialect.POSTGRESQL) {
                // Identity values are handed out before commit, so a lower id may commit after a higher one was fanned
                // out and be skipped. This lock waits for every transaction inserting an event and holds off new ones.
                h.execute("LOCK TABLE webhook_event IN EXCLUSIVE MODE");
            }
            h.createUpdate("INSERT INTO webhook_endpoint (url, fanned_out_through)"
                            + " VALUES (:url, (SELECT COALESCE(max(id), 0) FROM webhook_event)) ON CONFLICT DO NOTHING")
                    .bind("url", url)
                    .execute();
            long through = h.createQuery("SELECT fanned_out_through FROM webhook_endpoint WHERE url = :url")
                    .bind("url", url)
                    .mapTo(Long.class)
                    .one();
            long newest = h.createQuery("SELECT COALESCE(max(id), 0) FROM webhook_event")
                    .mapTo(Long.class)
                    .one();
            if (newest <= through) {
                return 0;
            }
            int n = h.createUpdate(
                            "INSERT INTO webhook_delivery (event_id, endpoint, status, next_attempt_at, created_at)"
                                    + " SELECT id, :url, :pending, :now, :now FROM webhook_event WHERE id > :after AND id <= :newest"
                                    + " AND type IN (<types>) ON CONFLICT DO NOTHING")
                    .bind("url", url)
                    .bind("pending", WebhookDeliveryStatus.PENDING.name())
                    .bind("now", now.toEpochMilli())
                    .bind("after", through)
                    .bind("newest", newest)
                    .bindList("types", types.stream().map(WebhookEvent::label).toList())
                    .execute();
            h.createUpdate("UPDATE webhook_endpoint SET fanned_out_through = :n WHERE url = :url")
                    .bind("n", newest)
                    .bind("url", url)
                    .execute();
            return n;
        });
    }

    /** The id of the newest event (0 when none): a cheap read that tells the sender whether to fan out. */
    public long newestEventId() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(max(id), 0) FROM webhook_event")
                .mapTo(Long.class)
                .one());
    }

    /** The deliveries to {@code url} due at {@code now}, oldest event first. */
    public List<Due> due(String url, Instant now, int limit) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT d.id, d.event_id, e.type, e.body, d.attempts, e.created_at"
                                + " FROM webhook_delivery d JOIN webhook_event e ON e.id = d.event_id"
                                + " WHERE d.endpoint = :url AND d.status = :pending AND d.next_attempt_at <= :now ORDER BY d.event_id LIMIT :n")
                .bind("url", url)
                .bind("pending", WebhookDeliveryStatus.PENDING.name())
                .bind("now", now.toEpochMilli())
                .bind("n", limit)
                .map((rs, ctx) -> new Due(
                        rs.getLong(1),
                        rs.getLong(2),
                        WebhookEvent.parse(rs.getString(3)).orElseThrow(),
                        rs.getString(4),
                        rs.getInt(5),
                        Instant.ofEpochMilli(rs.getLong(6))))
                .list());
    }

    public void markSent(long deliveryId, Instant at) {
        update(deliveryId, WebhookDeliveryStatus.SENT, at, null, at);
    }

    /** A failed attempt: tried again at {@code next}, or marked FAILED when {@code next} is null. */
    public void markFailedAttempt(long deliveryId, Instant next, String error) {
        update(
                deliveryId,
                next == null ? WebhookDeliveryStatus.FAILED : WebhookDeliveryStatus.PENDING,
                next,
                error,
                null);
    }

    private void update(long id, WebhookDeliveryStatus status, Instant next, String error, Instant deliveredAt) {
        jdbi.useHandle(h -> h.createUpdate(
                        "UPDATE webhook_delivery SET status = :s, attempts = attempts + 1,"
                                + " next_attempt_at = COALESCE(:next, next_attempt_at), last_error = :err, delivered_at = :at WHERE id = :id")
                .bind("s", status.name())
                .bind("next", next == null ? null : next.toEpochMilli())
                .bind("err", error)
                .bind("at", deliveredAt == null ? null : deliveredAt.toEpochMilli())
                .bind("id", id)
                .execute());
    }

    /** The newest deliveries, or only those of {@code status}. */
    public List<Delivery> list(Optional<WebhookDeliveryStatus> status, int limit) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT d.id, d.event_id, e.type, d.endpoint, d.status, d.attempts, d.created_at,"
                                + " d.next_attempt_at, d.delivered_at, d.last_error FROM webhook_delivery d JOIN webhook_event e ON e.id = d.event_id"
                                + (status.isPresent() ? " WHERE d.status = :s" : "") + " ORDER BY d.id DESC LIMIT :n")
                .bind("s", status.map(Enum::name).orElse(null))
                .bind("n", limit)
                .map((rs, ctx) -> new Delivery(
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getString(3),
                        rs.getString(4),
                        WebhookDeliveryStatus.valueOf(rs.getString(5)),
                        rs.getInt(6),
                        IntegrationStore.instant(rs, "created_at"),
                        IntegrationStore.instant(rs, "next_attempt_at"),
                        IntegrationStore.instant(rs, "delivered_at"),
                        rs.getString(10)))
                .list());
    }

    /** Sends a delivery again (same event, same webhook-id): back to PENDING, due now, with a fresh retry period. */
    public void replay(long deliveryId, Instant now) {
        int n = jdbi.withHandle(
                h -> h.createUpdate("UPDATE webhook_delivery SET status = :p, attempts = 0, next_attempt_at = :now,"
                                + " created_at = :now, last_error = NULL WHERE id = :id")
                        .bind("p", WebhookDeliveryStatus.PENDING.name())
                        .bind("now", now.toEpochMilli())
                        .bind("id", deliveryId)
                        .execute());
        if (n == 0) {
            throw new BadInputException("no webhook delivery with id " + deliveryId + " (see: webhooks list)");
        }
    }

    /** When the delivery's retry period started (its creation, or its last replay). */
    public Instant retryStart(long deliveryId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT created_at FROM webhook_delivery WHERE id = :id")
                .bind("id", deliveryId)
                .mapTo(Long.class)
                .findOne()
                .map(Instant::ofEpochMilli)
                .orElse(Instant.EPOCH));
    }

    /** Deletes events older than {@code before} that no endpoint still waits for. */
    public int prune(Instant before) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM webhook_event WHERE created_at < :before AND NOT EXISTS"
                        + " (SELECT 1 FROM webhook_delivery d WHERE d.event_id = webhook_event.id AND d.status = :p)")
                .bind("before", before.toEpochMilli())
                .bind("p", WebhookDeliveryStatus.PENDING.name())
                .execute());
    }
}
