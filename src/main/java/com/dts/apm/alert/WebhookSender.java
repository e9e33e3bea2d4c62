package com.dts.apm.alert;

import com.dts.apm.config.Backoff;
import com.dts.apm.config.Config;
import com.dts.apm.metrics.Metrics;
import com.dts.apm.notify.WebhookClient;
import com.dts.apm.notify.WebhookSignature;
import com.dts.apm.store.WebhookEvent;
import com.dts.apm.store.Webhooks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the webhook outbox. Each round (a recurring task) gives every endpoint its new events, then hands the
 * endpoint's due deliveries to that endpoint's own worker thread: a slow or dead endpoint holds up only itself,
 * never the checks, the emails or the other endpoints. A failed attempt waits a doubling backoff with jitter (the
 * endpoint pauses until then), for at most {@link #RETRY_PERIOD}; then the delivery is FAILED. Every attempt of
 * one event carries the same webhook-id ({@code msg_<event id>}).
 */
public final class WebhookSender implements AutoCloseable {
    /** How long a delivery is retried before it is marked FAILED. */
    public static final Duration RETRY_PERIOD = Duration.ofHours(24);

    static final int BATCH = 50;
    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);

    private final List<Endpoint> endpoints;
    private final Webhooks store;
    private final WebhookClient client;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Backoff backoff;

    private static final class Endpoint {
        final String url;
        final Set<WebhookEvent> events;
        final WebhookSignature signature;
        final ExecutorService worker;
        final AtomicBoolean busy = new AtomicBoolean();
        volatile Instant pausedUntil = Instant.EPOCH;
        long fannedOut = -1; // the newest event id handed out to this endpoint (the round's thread only)

        Endpoint(String url, Set<WebhookEvent> events, WebhookSignature signature, ExecutorService worker) {
            this.url = url;
            this.events = events;
            this.signature = signature;
            this.worker = worker;
        }
    }

    /** Reads each endpoint's secret now: a bad secret file stops the start with the key that names it. */
    public WebhookSender(
            List<Config.Webhook> config,
            Webhooks store,
            WebhookClient client,
            MeterRegistry registry,
            Clock clock,
            Backoff backoff) {
        this.store = store;
        this.client = client;
        this.registry = registry;
        this.clock = clock;
        this.backoff = backoff;
        var list = new ArrayList<Endpoint>();
        for (int i = 0; i < config.size(); i++) {
            var w = config.get(i);
            var events = w.events().isEmpty() ? EnumSet.allOf(WebhookEvent.class) : EnumSet.noneOf(WebhookEvent.class);
            w.events().forEach(e -> events.add(WebhookEvent.parse(e).orElseThrow()));
            int n = i;
            var worker = Executors.newSingleThreadExecutor(r -> {
                var t = new Thread(r, "apm-webhook-" + n);
                t.setDaemon(true);
                return t;
            });
            list.add(new Endpoint(
                    w.url(),
                    events,
                    WebhookSignature.fromFile(w.secretFile(), "webhooks[" + i + "].secret-file"),
                    worker));
        }
        this.endpoints = List.copyOf(list);
        for (var kind : WebhookEvent.values()) {
            for (var result : List.of("sent", "retry", "failed")) {
                counter(kind, result);
            }
        }
    }

    public boolean configured() {
        return !endpoints.isEmpty();
    }

    /** One round: fan out new events, start each idle endpoint's deliveries. Returns at once; workers do the sending. */
    public void round() {
        var now = clock.instant();
        long newest = endpoints.isEmpty() ? 0 : store.newestEventId();
        for (var e : endpoints) {
            if (newest != e.fannedOut) { // a write transaction only when there is something new
                store.fanOut(e.url, e.events, now);
                e.fannedOut = newest;
            }
            if (e.pausedUntil.isAfter(now) || !e.busy.compareAndSet(false, true)) {
                continue;
            }
            try {
                e.worker.execute(() -> {
                    try {
                        deliver(e);
                    } catch (InterruptedException stop) {
                        Thread.currentThread().interrupt();
                    } catch (RuntimeException bug) {
                        log.error("webhooks to {}: delivery round failed", e.url, bug);
                    } finally {
                        e.busy.set(false);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                e.busy.set(false);
            }
        }
    }

    private void deliver(Endpoint e) throws InterruptedException {
        for (var due : store.due(e.url, clock.instant(), BATCH)) {
            var attempt = client.post(e.url, "msg_" + due.eventId(), due.body(), e.signature);
            var now = clock.instant();
            if (attempt.delivered()) {
                store.markSent(due.deliveryId(), now);
                counter(due.type(), "sent").increment();
                log.debug("webhook {} msg_{} delivered to {}", due.type().label(), due.eventId(), e.url);
                continue;
            }
            int failures = due.attempts() + 1;
            if (!now.isBefore(store.retryStart(due.deliveryId()).plus(RETRY_PERIOD))) {
                store.markFailedAttempt(due.deliveryId(), null, attempt.problem());
                counter(due.type(), "failed").increment();
                log.warn(
                        "webhook {} msg_{} to {} FAILED after {} attempts over {}: {} (webhooks replay {} sends it again)",
                        due.type().label(),
                        due.eventId(),
                        e.url,
                        failures,
                        "24h",
                        attempt.problem(),
                        due.deliveryId());
                continue;
            }
            var delay = jittered(backoff.after(failures));
            var next = now.plus(delay);
            store.markFailedAttempt(due.deliveryId(), next, attempt.problem());
            counter(due.type(), "retry").increment();
            log.warn(
                    "webhook {} msg_{} to {} not delivered (attempt {}): {}; next try in {} s",
                    due.type().label(),
                    due.eventId(),
                    e.url,
                    failures,
                    attempt.problem(),
                    delay.toSeconds());
            e.pausedUntil = next; // the endpoint is down or refusing: the other deliveries wait with this one
            return;
        }
    }

    /** Between half and all of {@code d}, so endpoints that failed together do not retry in step. */
    static Duration jittered(Duration d) {
        long ms = d.toMillis();
        return Duration.ofMillis(ms / 2 + ThreadLocalRandom.current().nextLong(ms / 2 + 1));
    }

    private Counter counter(WebhookEvent event, String result) {
        return Metrics.webhookDeliveries(registry, event.label(), result);
    }

    @Override
    public void close() {
        endpoints.forEach(e -> e.worker.shutdownNow());
    }
}
