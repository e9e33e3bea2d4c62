package com.dts.apm.app;

import com.dts.apm.check.CheckListener;
import com.dts.apm.metrics.CertificateExpiries;
import com.dts.apm.metrics.MetricsSource;
import com.dts.apm.probe.ProbeResult;
import com.dts.apm.store.Integration;
import com.dts.apm.store.Outbox;
import com.dts.apm.store.SnapshotQueries;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The gauges' view of the database (a few GROUP BY queries, read at most once per snapshot interval),
 * plus the earliest certificate expiry seen per mail server host, kept in memory from the checks.
 */
final class StoreMetricsSource implements MetricsSource, CheckListener {
    private final SnapshotQueries checks;
    private final Outbox outbox;
    private final Clock clock;
    private final List<String> providers;
    private final CertificateExpiries certificates = new CertificateExpiries();

    /** {@code providers}: the catalog's ids, each reported with 0 held alerts when none is held. */
    StoreMetricsSource(SnapshotQueries checks, Outbox outbox, Clock clock, Collection<String> providers) {
        this.checks = checks;
        this.outbox = outbox;
        this.clock = clock;
        this.providers = List.copyOf(providers);
    }

    @Override
    public void checked(Integration integration, ProbeResult result) {
        if (result.certificateNotAfter() != null) {
            certificates.seen(
                    integration.endpoint(result.protocol()).host(), result.certificateNotAfter(), clock.instant());
        }
    }

    @Override
    public Map<Key, Long> integrationsByProviderAndState() {
        var out = new HashMap<Key, Long>();
        checks.countsByProviderAndState()
                .forEach((provider, states) ->
                        states.forEach((state, n) -> out.put(new Key(provider, state.name()), n)));
        return out;
    }

    @Override
    public long notificationQueueDepth() {
        return outbox.queueDepth();
    }

    @Override
    public OptionalDouble oldestCheckAgeSeconds() {
        return checks.oldestCheck()
                .map(t -> OptionalDouble.of(
                        Math.max(0, Duration.between(t, clock.instant()).toMillis() / 1000.0)))
                .orElse(OptionalDouble.empty());
    }

    @Override
    public Optional<Instant> earliestDueCheck() {
        return checks.earliestDue();
    }

    @Override
    public Map<String, Long> heldAlertsByProvider() {
        // every provider of the catalog, so a dashboard panel reads 0 rather than "No data"
        var held = new HashMap<String, Long>();
        providers.forEach(p -> held.put(p, 0L));
        held.putAll(outbox.heldByProvider());
        return held;
    }

    @Override
    public Map<String, Instant> certificateNotAfterByHost() {
        return certificates.earliest();
    }
}
