package com.dts.apm.metrics;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link MetricsSource} whose answers the test sets; counts how often it is read. */
final class FakeSource implements MetricsSource {
    volatile Map<Key, Long> integrations = Map.of();
    volatile long queueDepth;
    volatile OptionalDouble oldestCheckAge = OptionalDouble.empty();
    volatile Optional<Instant> earliestDue = Optional.empty();
    volatile Map<String, Long> held = Map.of();
    volatile Map<String, Instant> certificates = Map.of();
    volatile RuntimeException failure;
    final AtomicInteger reads = new AtomicInteger();
    /** Runs inside every read (a test can make a read hang there). */
    volatile Runnable duringRead = () -> {};

    @Override
    public Map<Key, Long> integrationsByProviderAndState() {
        reads.incrementAndGet();
        duringRead.run();
        if (failure != null) {
            throw failure;
        }
        return integrations;
    }

    @Override
    public long notificationQueueDepth() {
        return queueDepth;
    }

    @Override
    public OptionalDouble oldestCheckAgeSeconds() {
        return oldestCheckAge;
    }

    @Override
    public Optional<Instant> earliestDueCheck() {
        return earliestDue;
    }

    @Override
    public Map<String, Long> heldAlertsByProvider() {
        return held;
    }

    @Override
    public Map<String, Instant> certificateNotAfterByHost() {
        return certificates;
    }
}
