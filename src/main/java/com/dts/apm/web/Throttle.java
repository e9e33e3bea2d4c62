package com.dts.apm.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/** At most {@code limit} requests per key in any sliding {@code window}, in memory (per client address, per link). */
final class Throttle {
    private static final int MAX_KEYS = 100_000;
    private final int limit;
    private final Duration window;
    private final Clock clock;
    private final Map<String, ArrayDeque<Instant>> calls = new ConcurrentHashMap<>();

    Throttle(int limit, Duration window, Clock clock) {
        this.limit = limit;
        this.window = window;
        this.clock = clock;
    }

    /** Takes one request for {@code key}: empty when allowed, else the seconds until the next one is. */
    OptionalLong take(String key) {
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
}
