package com.dts.apm.check;

import com.dts.apm.config.Config;
import com.dts.apm.provider.ProviderCatalog;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Per-provider pacing of logins: a cap on simultaneous connections and a login rate, so thousands of
 * logins from one address never look like an attack. Limits come from the provider's {@code limits}
 * in providers.yml, else from the schedule settings. A provider without limits of its own ({@code custom})
 * is paced per server host: 2,000 dealers on 2,000 private servers do not share one lane.
 */
public final class ProviderGate {
    private final ProviderCatalog catalog;
    private final Config.Schedule schedule;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    public ProviderGate(ProviderCatalog catalog, Config.Schedule schedule) {
        this.catalog = catalog;
        this.schedule = schedule;
    }

    /** The most logins in flight at once for this provider. */
    public int maxConcurrent(String provider) {
        var limits = catalog.find(provider).map(p -> p.limits()).orElse(null);
        var own = limits == null ? null : limits.maxConcurrent();
        return Math.max(1, own == null ? schedule.maxConcurrentPerProvider() : Math.min(own, schedule.maxConcurrentPerProvider()));
    }

    /** The login rate of one lane: the provider's, or each server host's when the provider is paced per host. */
    public double loginsPerSecond(String provider) {
        var limits = catalog.find(provider).map(p -> p.limits()).orElse(null);
        var own = limits == null ? null : limits.loginsPerSecond();
        return own == null ? schedule.loginsPerSecondPerProvider() : Math.min(own, schedule.loginsPerSecondPerProvider());
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
        return host == null || !pacedPerHost(provider) ? provider : provider + " " + host.toLowerCase(java.util.Locale.ROOT);
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
        var lane = lanes.computeIfAbsent(lane(provider, host), l -> new Lane(maxConcurrent(provider), loginsPerSecond(provider)));
        lane.slots.acquire();
        try {
            lane.pace();
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
        private long nextFree = System.nanoTime();

        Lane(int max, double perSecond) {
            slots = new Semaphore(max, true);
            spacingNanos = (long) (TimeUnit.SECONDS.toNanos(1) / perSecond);
        }

        void pace() throws InterruptedException {
            long wait;
            synchronized (this) {
                long now = System.nanoTime();
                long at = Math.max(now, nextFree);
                nextFree = at + spacingNanos;
                wait = at - now;
            }
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
    }
}
