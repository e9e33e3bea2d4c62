package com.dts.apm.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gauges fed by the {@link MetricsSource}. A scrape calls {@link #refreshIfStale()} first, which reads
 * the source at most once per interval; every gauge then reads the current {@link Snapshot}, so a burst
 * of scrapes costs one database read. A source that throws keeps the previous snapshot (logged once).
 *
 * <p>Series whose provider/state or provider disappears stay at 0 (a few dozen at most: providers times
 * states); certificate hosts that disappear are removed, and at most {@link #MAX_CERTIFICATE_HOSTS} hosts,
 * the soonest to expire, are exported so custom servers cannot grow the series count without bound.
 */
final class SnapshotGauges {
    static final int MAX_CERTIFICATE_HOSTS = 100;

    private static final Logger log = LoggerFactory.getLogger(SnapshotGauges.class);

    private final MetricsSource source;
    private final Duration interval;
    private final Clock clock;
    private final AtomicReference<Snapshot> current;
    private final MultiGauge integrations;
    private final MultiGauge heldAlerts;
    private final MultiGauge certificates;
    private final Set<MetricsSource.Key> seenIntegrations = new LinkedHashSet<>();
    private final Set<String> seenHeldProviders = new LinkedHashSet<>();
    private final ReentrantLock refreshing = new ReentrantLock();
    private Instant lastAttempt; // guarded by refreshing
    private boolean sourceFailing; // guarded by refreshing

    SnapshotGauges(MeterRegistry registry, MetricsSource source, Duration interval, Clock clock) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("snapshot interval must not be negative: " + interval);
        }
        this.source = source;
        this.interval = interval;
        this.clock = clock;
        this.current = new AtomicReference<>(Snapshot.empty(clock.instant()));
        Gauge.builder("apm.notification.queue.depth", current, ref -> ref.get().queueDepth())
                .description("Alerts written to the outbox but not yet delivered")
                .strongReference(true)
                .register(registry);
        Gauge.builder("apm.oldest.check.age.seconds", current, this::oldestCheckAgeSeconds)
                .description("Seconds since the least recently verified enabled integration was checked")
                .strongReference(true)
                .register(registry);
        Gauge.builder("apm.check.overdue.seconds", current, this::checkOverdueSeconds)
                .description("Seconds the most overdue enabled integration is past its due time (0: none is late)")
                .strongReference(true)
                .register(registry);
        integrations = MultiGauge.builder("apm.integrations")
                .description("Integrations by provider and state")
                .register(registry);
        heldAlerts = MultiGauge.builder("apm.alerts.held")
                .description("Dealer emails held by the storm guard, by provider")
                .register(registry);
        certificates = MultiGauge.builder("apm.tls.certificate.expiry.timestamp.seconds")
                .description("Unix time at which the certificate last seen on a mail server host expires")
                .register(registry);
    }

    /**
     * Reads the source if the snapshot is older than the interval; otherwise does nothing. A scrape calls it:
     * when another thread is reading the source already, it serves the current snapshot instead of waiting.
     */
    void refreshIfStale() {
        if (refreshing.tryLock()) {
            try {
                refresh(interval);
            } finally {
                refreshing.unlock();
            }
        }
    }

    /**
     * Reads the source if the last attempt is older than {@code age}. The daemon calls it in the background
     * with half the interval, so a scrape finds a fresh snapshot and never waits for the database read.
     */
    void refreshIfOlderThan(Duration age) {
        refreshing.lock();
        try {
            refresh(age);
        } finally {
            refreshing.unlock();
        }
    }

    private void refresh(Duration age) {
        var now = clock.instant();
        if (lastAttempt != null && now.isBefore(lastAttempt.plus(age))) {
            return;
        }
        lastAttempt = now;
        Snapshot next;
        try {
            next = read(now);
        } catch (RuntimeException e) {
            if (!sourceFailing) {
                log.warn(
                        "metrics source failed, gauges keep the snapshot of {}: {}",
                        current.get().takenAt(),
                        e.toString());
            }
            sourceFailing = true;
            return;
        }
        if (sourceFailing) {
            log.info("metrics source answers again");
            sourceFailing = false;
        }
        current.set(next);
        publish(next);
    }

    private Snapshot read(Instant now) {
        var byProviderAndState = new HashMap<MetricsSource.Key, Long>();
        source.integrationsByProviderAndState()
                .forEach((key, count) -> byProviderAndState.merge(
                        new MetricsSource.Key(Labels.word(key.provider()), Labels.word(key.state())),
                        count,
                        Long::sum));
        var held = new HashMap<String, Long>();
        source.heldAlertsByProvider().forEach((provider, count) -> held.merge(Labels.word(provider), count, Long::sum));
        var notAfter = new HashMap<String, Instant>();
        source.certificateNotAfterByHost().entrySet().stream()
                .filter(e -> Labels.isHostName(e.getKey()) && e.getValue() != null)
                .sorted(Map.Entry.comparingByValue())
                .forEachOrdered(e -> {
                    var host = e.getKey().toLowerCase(Locale.ROOT);
                    if (notAfter.size() < MAX_CERTIFICATE_HOSTS || notAfter.containsKey(host)) {
                        notAfter.putIfAbsent(host, e.getValue());
                    }
                });
        return new Snapshot(
                now,
                byProviderAndState,
                source.notificationQueueDepth(),
                source.oldestCheckAgeSeconds(),
                source.earliestDueCheck(),
                held,
                notAfter);
    }

    private void publish(Snapshot snapshot) {
        seenIntegrations.addAll(snapshot.integrations().keySet());
        integrations.register(
                seenIntegrations.stream()
                        .map(key -> MultiGauge.Row.of(
                                Tags.of("provider", key.provider(), "state", key.state()),
                                current,
                                ref -> ref.get().integrations().getOrDefault(key, 0L)))
                        .toList(),
                false);
        seenHeldProviders.addAll(snapshot.heldAlerts().keySet());
        heldAlerts.register(
                seenHeldProviders.stream()
                        .map(provider -> MultiGauge.Row.of(
                                Tags.of("provider", provider),
                                current,
                                ref -> ref.get().heldAlerts().getOrDefault(provider, 0L)))
                        .toList(),
                false);
        certificates.register(
                snapshot.certificateNotAfter().keySet().stream()
                        .map(host ->
                                MultiGauge.Row.of(Tags.of("host", host), current, ref -> epochSeconds(ref.get(), host)))
                        .toList(),
                false);
    }

    private double oldestCheckAgeSeconds(AtomicReference<Snapshot> ref) {
        var snapshot = ref.get();
        var age = snapshot.oldestCheckAgeSeconds();
        if (age.isEmpty()) {
            return Double.NaN;
        }
        // Grows between reads and while the source fails: a stuck database must not look fresh.
        var sinceSnapshot =
                Duration.between(snapshot.takenAt(), clock.instant()).toMillis() / 1000.0;
        return age.getAsDouble() + Math.max(0, sinceSnapshot);
    }

    private double checkOverdueSeconds(AtomicReference<Snapshot> ref) {
        // from the due time itself: grows between reads and while the source fails, like the oldest check age
        return ref.get()
                .earliestDueCheck()
                .map(due -> Math.max(0, Duration.between(due, clock.instant()).toMillis() / 1000.0))
                .orElse(Double.NaN);
    }

    private static double epochSeconds(Snapshot snapshot, String host) {
        var notAfter = snapshot.certificateNotAfter().get(host);
        return notAfter == null ? Double.NaN : notAfter.getEpochSecond();
    }
}
