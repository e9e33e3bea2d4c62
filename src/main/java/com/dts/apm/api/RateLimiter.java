package com.dts.apm.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most {@code limit} calls per key in any sliding {@code window}, in memory (per node). Verify logs in to the
 * real mailbox, and every failed login counts toward the provider's lock-out: this keeps a CRM retry loop from
 * locking a dealer out. The reconnect page holds its visitors (per address, per link) with the same window.
 */
public final class RateLimiter {
    private static final int MAX_KEYS = 100_000;
    private final int limit;
    private final Duration window;
    private final Clock clock;
    private final Map<String, ArrayDeque<Instant>> calls = new ConcurrentHashMap<>();

    public RateLimiter(int limit, Duration window, Clock clock) {
        this.limit = limit;
        this.window = window;
        this.clock = clock;
    }

    /**
     * Takes one call for {@code key}: empty when it is allowed, else the whole seconds until the next one is (at
     * least 1, the {@code Retry-After}).
     */
    public OptionalLong take(String key) {
        var now = clock.instant();
        if (calls.size() > MAX_KEYS) {
            calls.values().removeIf(q -> {
                synchronized (q) {
                    return q.isEmpty() || !q.peekLast().plus(window).isAfter(now);
                }
            });
        }
        var q = calls.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (q) {
            while (!q.isEmpty() && !q.peekFirst().plus(window).isAfter(now)) {
                q.pollFirst();
            }
            if (q.size() >= limit) {
                return OptionalLong.of(Math.max(
                        1, Duration.between(now, q.peekFirst().plus(window)).toSeconds() + 1));
            }
            q.addLast(now);
            return OptionalLong.empty();
        }
    }

    /** Takes one verification for {@code key}; throws a 429 problem with Retry-After when the key is at its limit. */
    void acquire(String key, String what) {
        var wait = take(key);
        if (wait.isPresent()) {
            throw new Problem(
                    429,
                    "Too many requests",
                    what + ": at most " + limit + " verifications per " + window.toSeconds() + " s; try again in "
                            + wait.getAsLong() + " s",
                    Map.of("Retry-After", Long.toString(wait.getAsLong())));
        }
    }
}
