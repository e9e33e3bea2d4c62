package com.dts.apm.web;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-page form tokens: each rendered form gets a random one bound to its link, taken back by the one POST it allows.
 * A post without it, with another link's, an old or a replayed one is refused (a page from another site cannot read
 * one, and the page itself cannot be framed). Kept in memory: after a restart an open form asks to be reloaded.
 */
final class Csrf {
    static final Duration LIFETIME = Duration.ofHours(1);
    private static final int MAX = 50_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Issued(long linkId, Instant expires) {}

    private final Map<String, Issued> issued = new ConcurrentHashMap<>();
    private final Clock clock;

    Csrf(Clock clock) {
        this.clock = clock;
    }

    String issue(long linkId) {
        var now = clock.instant();
        if (issued.size() >= MAX) {
            issued.values().removeIf(i -> !i.expires().isAfter(now));
            if (issued.size() >= MAX) {
                issued.clear(); // a flood of page views: open forms ask to be reloaded, nothing worse
            }
        }
        var bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        var token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        issued.put(token, new Issued(linkId, now.plus(LIFETIME)));
        return token;
    }

    /** True once for a token issued for {@code linkId} that has not expired; it is gone afterwards either way. */
    boolean take(String token, long linkId) {
        if (token == null || token.length() != 32) {
            return false;
        }
        var i = issued.remove(token);
        return i != null && i.linkId() == linkId && i.expires().isAfter(clock.instant());
    }
}
