package com.dts.apm.metrics;

import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The daemon's meters (design.md, "Metrics"): {@code apm_checks_total}, {@code apm_check_duration_seconds},
 * {@code apm_notifications_total}, the gauges read from a {@link MetricsSource}, and JVM and process metrics,
 * all in one Prometheus registry that {@link HttpEndpoint} serves.
 */
public final class Metrics implements AutoCloseable {
    /** How long a snapshot of the {@link MetricsSource} serves scrapes before it is read again. */
    public static final Duration DEFAULT_SNAPSHOT_INTERVAL = Duration.ofSeconds(10);

    /** Histogram buckets for one login, from a fast local server to the check deadline and beyond. */
    static final List<Duration> CHECK_DURATION_BUCKETS = List.of(
            Duration.ofMillis(50),
            Duration.ofMillis(100),
            Duration.ofMillis(250),
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            Duration.ofSeconds(20),
            Duration.ofSeconds(30),
            Duration.ofSeconds(45),
            Duration.ofSeconds(60));

    /** Notification series (each dealer kind by result) are created at zero so that {@code increase()} sees the first one. */
    private static final List<String> NOTIFICATION_RESULTS = List.of("sent", "failed");

    private final PrometheusMeterRegistry registry;
    private final SnapshotGauges gauges;
    private final java.util.concurrent.ConcurrentMap<CheckKey, Counter> checkCounters =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentMap<CheckKey, Timer> checkTimers =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Duration snapshotInterval;
    private final AtomicBoolean warmed = new AtomicBoolean();
    private final JvmGcMetrics gcMetrics;

    public Metrics(MetricsSource source) {
        this(source, DEFAULT_SNAPSHOT_INTERVAL, Clock.systemUTC());
    }

    /**
     * @param snapshotInterval the source is read at most once per interval, on a scrape
     * @param clock gives the snapshot time and the age of the oldest check between snapshots
     */
    public Metrics(MetricsSource source, Duration snapshotInterval, Clock clock) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        this.gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        this.gauges = new SnapshotGauges(registry, source, snapshotInterval, clock);
        this.snapshotInterval = snapshotInterval;
        for (var kind : AlertKind.TO_DEALER) {
            for (var result : NOTIFICATION_RESULTS) {
                notifications(kind.label(), result);
            }
        }
    }

    /** Counts one login check and records how long it took. {@code provider} is a catalog key such as gmail. */
    public void recordCheck(String provider, Protocol protocol, Outcome outcome, Duration duration) {
        // the meters are looked up once per label set: a builder and registry lookup per check cost more than the count
        checkCounters
                .computeIfAbsent(
                        new CheckKey(provider, protocol, outcome),
                        k -> Counter.builder("apm.checks")
                                .description("Login checks by provider, protocol and outcome")
                                .tag("provider", Labels.word(k.provider()))
                                .tag("protocol", k.protocol().label())
                                .tag("outcome", k.outcome().name())
                                .register(registry))
                .increment();
        checkTimers
                .computeIfAbsent(
                        new CheckKey(provider, protocol, null),
                        k -> Timer.builder("apm.check.duration")
                                .description("Duration of one login check (connect, login, logout)")
                                .tag("provider", Labels.word(k.provider()))
                                .tag("protocol", k.protocol().label())
                                .publishPercentileHistogram(false)
                                .serviceLevelObjectives(CHECK_DURATION_BUCKETS.toArray(Duration[]::new))
                                .register(registry))
                .record(duration);
    }

    private record CheckKey(String provider, Protocol protocol, Outcome outcome) {}

    /** Records how long writing one finished check to the database took (results, state, transition, alerts). */
    public void recordCheckWrite(Duration took) {
        Timer.builder("apm.check.write")
                .description("Duration of the database transaction that records one finished check")
                .register(registry)
                .record(took);
    }

    /** Counts one dealer notification; {@code kind} is failure, reminder or recovery, {@code result} sent or failed. */
    public void recordNotification(AlertKind kind, String result) {
        notifications(kind.label(), Labels.word(result)).increment();
    }

    /**
     * Counts one failure of a daemon loop ({@code apm_loop_errors_total{loop}}): a check or a scheduled job that
     * threw instead of returning. {@code loop} is a fixed word (dispatch, check, alerts, ...), never an id.
     */
    public void recordLoopError(String loop) {
        Counter.builder("apm.loop.errors")
                .description("Unexpected failures of a daemon loop; each was logged once per cause and retried")
                .tag("loop", Labels.word(loop))
                .register(registry)
                .increment();
    }

    /**
     * Counts one trade of an OAuth refresh token at an app's token endpoint ({@code apm_oauth_token_refreshes_total});
     * {@code result} is {@code ok} or the outcome in lower case. Cached access tokens count nothing.
     */
    public void recordTokenRefresh(String app, String result) {
        Counter.builder("apm.oauth.token.refreshes")
                .description("Refresh tokens traded at an OAuth app's token endpoint, by app and result")
                .tag("app", Labels.word(app))
                .tag("result", Labels.word(result))
                .register(registry)
                .increment();
    }

    /** Counts one dealer-system API request and its time ({@code route} is the template, never a path with an id). */
    public static void recordApiRequest(MeterRegistry registry, String route, int status, Duration took) {
        Counter.builder("apm.api.requests")
                .description("API requests by route template and status")
                .tag("route", route)
                .tag("status", Integer.toString(status))
                .register(registry)
                .increment();
        Timer.builder("apm.api.request.duration")
                .description("Time to answer one API request, by route template")
                .tag("route", route)
                .serviceLevelObjectives(
                        Duration.ofMillis(5),
                        Duration.ofMillis(10),
                        Duration.ofMillis(25),
                        Duration.ofMillis(50),
                        Duration.ofMillis(100),
                        Duration.ofMillis(250),
                        Duration.ofMillis(1000),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(30))
                .register(registry)
                .record(took);
    }

    /** The counter of webhook delivery attempts of one event type with one result (sent, retry, failed). */
    public static Counter webhookDeliveries(MeterRegistry registry, String event, String result) {
        return Counter.builder("apm.webhook.deliveries")
                .description("Webhook delivery attempts by event type and result (sent, retry, failed)")
                .tag("event", event)
                .tag("result", result)
                .register(registry);
    }

    /** The registry, for the daemon to bind further meters (executor pools, for instance). */
    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Reads the {@link MetricsSource} ahead of the scrapes: run it every half snapshot interval and a scrape
     * never pays for the database read (at 100,000 integrations the read is a table scan of some 100 ms).
     */
    public void refreshSnapshot() {
        gauges.refreshIfOlderThan(snapshotInterval.dividedBy(2));
        if (warmed.compareAndSet(false, true)) {
            // The first render loads the exposition code (some 40 ms): pay it here, at start, not in a scrape.
            registry.scrape(HttpEndpoint.PROMETHEUS_TEXT);
            registry.scrape(HttpEndpoint.OPENMETRICS_TEXT);
        }
    }

    /** How often {@link #refreshSnapshot()} should run. */
    public Duration snapshotRefreshPeriod() {
        return snapshotInterval.dividedBy(2);
    }

    /** Refreshes the snapshot-backed gauges if due and renders every meter in the given exposition format. */
    String scrape(String contentType) {
        gauges.refreshIfStale();
        return registry.scrape(contentType);
    }

    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }

    private Counter notifications(String kind, String result) {
        return Counter.builder("apm.notifications")
                .description("Dealer notifications by kind and result")
                .tag("kind", kind)
                .tag("result", result)
                .register(registry);
    }
}
