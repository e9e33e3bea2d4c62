package com.dts.apm.metrics;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** One reading of the {@link MetricsSource}, taken at {@code takenAt}; gauges serve from it. */
record Snapshot(
        Instant takenAt,
        Map<MetricsSource.Key, Long> integrations,
        long queueDepth,
        OptionalDouble oldestCheckAgeSeconds,
        Optional<Instant> earliestDueCheck,
        Map<String, Long> heldAlerts,
        Map<String, Instant> certificateNotAfter) {

    Snapshot {
        integrations = Map.copyOf(integrations);
        heldAlerts = Map.copyOf(heldAlerts);
        certificateNotAfter = Map.copyOf(certificateNotAfter);
    }

    static Snapshot empty(Instant at) {
        return new Snapshot(at, Map.of(), 0, OptionalDouble.empty(), Optional.empty(), Map.of(), Map.of());
    }
}
