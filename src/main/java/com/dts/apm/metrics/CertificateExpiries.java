package com.dts.apm.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The earliest certificate expiry seen per mail server host. One host name often stands for many servers, and
 * during a certificate roll-out some still present the old certificate: keeping the last one seen would flip the
 * gauge between the two. An expiry stands until a later one has been the only one seen for {@link #WINDOW}, so the
 * old certificate is reported until no server shows it any more.
 */
public final class CertificateExpiries {
    /** How long an earlier expiry is kept after it was last seen. */
    static final Duration WINDOW = Duration.ofHours(24);

    private record Seen(Instant notAfter, Instant at) {}

    private final Map<String, Seen> byHost = new ConcurrentHashMap<>();

    public void seen(String host, Instant notAfter, Instant now) {
        byHost.merge(
                host,
                new Seen(notAfter, now),
                (old, fresh) -> !fresh.notAfter().isAfter(old.notAfter())
                                || old.at().plus(WINDOW).isBefore(now)
                        ? fresh
                        : old);
    }

    public Map<String, Instant> earliest() {
        return byHost.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(
                        Map.Entry::getKey, e -> e.getValue().notAfter()));
    }
}
