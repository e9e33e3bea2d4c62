package com.dts.apm.check;

import com.dts.apm.config.Config;
import com.dts.apm.provider.ProviderCatalog;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Per-provider pacing of logins: a cap on simultaneous connections and a login rate, so thousands of
 * logins from one address never look like an attack. Limits come from the provider's {@code limits}
 * in providers.yml, else from the schedule settings. They are the limits of the whole cluster: with several nodes
 * on one database each node takes its share (the cap and the rate divided by the live nodes, a cap never below 1).
 * A provider without limits of its own ({@code custom}) is paced per server host: 2,000 dealers on 2,000
 * private servers do not share one lane.
 */
public final class ProviderGate {
    private final ProviderCatalog catalog;
    private final Config.Schedule schedule;
    private final Ticker ticker;
    private final IntSupplier nodes;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    public ProviderGate(ProviderCatalog catalog, Config.Schedule schedule) {
        this(catalog, schedule, Ticker.SYSTEM);
    }

    /** As above, pacing on {@code ticker} instead of {@link System#nanoTime()} (a test seam). */
    public ProviderGate(ProviderCatalog catalog, Config.Schedule schedule, Ticker ticker) {
        this(catalog, schedule, ticker, () -> 1);
    }

    /** As above, for one of {@code nodes} live nodes sharing the limits (read on every login: nodes come and go). */
    public ProviderGate(ProviderCatalog catalog, Config.Schedule schedule, Ticker ticker, IntSupplier nodes) {
        this.nodes = nodes;
        this.catalog = catalog;
        this.schedule = schedule;
        this.ticker = ticker;
    }

    /** The monotonic time the gate paces on, and the wait until a point of it. */
    public interface Ticker {
        Ticker SYSTEM = new Ticker() {
            @Override
            public long nanos() {
                return System.nanoTime();
            }

            @Override
            public void sleepUntil(long nanos) throws InterruptedException {
                long wait = nanos - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
        };

        long nanos();

        /** Returns once {@link #nanos()} has reached {@code nanos}. */
        void sleepUntil(long nanos) throws InterruptedException;
    }

    /** The most logins in flight at once for this provider on this node (the cluster's cap, this node's share). */
    public int maxConcurrent(String provider) {
        var limits = catalog.find(provider).map(p -> p.limits()).orElse(null);
        var own = limits == null ? null : limits.maxConcurrent();
        int cluster =
                own == null ? schedule.maxConcurrentPerProvider() : Math.min(own, schedule.maxConcurrentPerProvider());
        return Math.max(1, cluster / liveNodes());
    }

    private int liveNodes() {
        return Math.max(1, nodes.getAsInt());
    }

    /** The login rate of one lane: the provider's, or each server host's when the provider is paced per host. */
    public double loginsPerSecond(String provider) {
        var limits = catalog.find(provider).map(p -> p.limits()).orElse(null);
        var own = limits == null ? null : limits.loginsPerSecond();
        return own == null
                ? schedule.loginsPerSecondPerProvider()
                : Math.min(own, schedule.loginsPerSecondPerProvider());
    }

    /**
     * Whether {@code provider} is paced per server host: it has no limits of its own in providers.yml ({@code custom},
     * an unknown provider), so its integrations are on many unrelated servers, each of which gets the schedule's limits.
     */
    public boolean pacedPerHost(String provider) {
        var limits = catalog.find(provider).map(p -> p.limits()).orElse(null);
        return limits == null || (limits.maxConcurrent() == null && limits.loginsPerSecond() == null);
    }

    /** The lane a login to {@code host} takes: the provider's, or the provider's lane for that host. */
    public String lane(String provider, String host) {
        return host == null || !pacedPerHost(provider)
                ? provider
                : provider + " " + host.toLowerCase(java.util.Locale.ROOT);
    }

    /** As {@link #enter(String, String)} in the provider's own lane. */
    public Permit enter(String provider) throws InterruptedException {
        return enter(provider, null);
    }

    /**
     * Waits for a connection slot and a rate permit in the lane of a login to {@code host}; the returned permit
     * must be closed after the login.
     */
    public Permit enter(String provider, String host) throws InterruptedException {
        var lane = lanes.computeIfAbsent(
                lane(provider, host), l -> new Lane(maxConcurrent(provider), loginsPerSecond(provider), ticker));
        lane.slots.acquire();
        try {
            lane.pace(liveNodes());
        } catch (InterruptedException e) {
            lane.slots.release();
            throw e;
        }
        return lane.slots::release;
    }

    /** A held connection slot. */
    public interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    private static final class Lane {
        final Semaphore slots;
        final long spacingNanos;
        private final Ticker ticker;
        private long nextFree;

        Lane(int max, double perSecond, Ticker ticker) {
            slots = new Semaphore(max, true);
            spacingNanos = (long) (TimeUnit.SECONDS.toNanos(1) / perSecond);
            this.ticker = ticker;
            nextFree = ticker.nanos();
        }

        /** Waits for this node's next login of the lane: {@code nodes} nodes share the rate, so the spacing grows with them. */
        void pace(int nodes) throws InterruptedException {
            long at;
            synchronized (this) {
                long now = ticker.nanos();
                at = Math.max(now, nextFree);
                nextFree = at + spacingNanos * nodes;
                if (at == now) {
                    return;
                }
            }
            ticker.sleepUntil(at);
        }
    }
}
