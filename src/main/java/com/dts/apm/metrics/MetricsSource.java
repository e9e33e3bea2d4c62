package com.dts.apm.metrics;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What the gauges report, read from the database by the daemon. {@link Metrics} calls it at most once
 * per snapshot interval, from a scrape thread; an exception keeps the previous snapshot.
 */
public interface MetricsSource {

    /** Number of integrations per provider and state (design.md's state names). */
    Map<Key, Long> integrationsByProviderAndState();

    /** Alerts written to the outbox but not yet delivered. */
    long notificationQueueDepth();

    /** Seconds since the least recently verified enabled integration was checked; empty when there is none. */
    OptionalDouble oldestCheckAgeSeconds();

    /**
     * The earliest due time among enabled integrations; empty when there is none. Past due by more than a few
     * seconds means the daemon is not keeping up (stalled scheduler, starved pool, too low provider limits).
     */
    Optional<Instant> earliestDueCheck();

    /** Dealer emails held by the storm guard, per provider: every provider of the catalog, 0 when none is held. */
    Map<String, Long> heldAlertsByProvider();

    /** The notAfter of the certificate last seen per mail server host name (never a mailbox). */
    Map<String, Instant> certificateNotAfterByHost();

    /** A provider and an integration state: the labels of {@code apm_integrations}. */
    record Key(String provider, String state) {
        public Key {
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(state, "state");
        }
    }

    /** A source with nothing to report, for commands that run without a database. */
    static MetricsSource empty() {
        return new MetricsSource() {
            @Override
            public Map<Key, Long> integrationsByProviderAndState() {
                return Map.of();
            }

            @Override
            public long notificationQueueDepth() {
                return 0;
            }

            @Override
            public OptionalDouble oldestCheckAgeSeconds() {
                return OptionalDouble.empty();
            }

            @Override
            public Optional<Instant> earliestDueCheck() {
                return Optional.empty();
            }

            @Override
            public Map<String, Long> heldAlertsByProvider() {
                return Map.of();
            }

            @Override
            public Map<String, Instant> certificateNotAfterByHost() {
                return Map.of();
            }
        };
    }
}
