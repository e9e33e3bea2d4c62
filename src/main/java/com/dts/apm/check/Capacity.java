package com.dts.apm.check;

import com.dts.apm.config.Config;
import com.dts.apm.config.Durations;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.store.SnapshotQueries.HostLogins;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Whether a round of checks fits its interval under the login limits: per provider, the logins a round needs per
 * second (one per enabled integration and protocol, spread over the provider's interval) against the rate the
 * {@link ProviderGate} allows. A provider paced per server host ({@code custom}) fits when its busiest host does:
 * its ratio is that host's. A ratio above 1 means the round takes longer than the interval, and integrations
 * fall behind by that factor.
 */
public final class Capacity {
    private Capacity() {}

    /**
     * One provider: {@code logins} per round over {@code hosts} lanes, {@code needed} and {@code allowed} logins per
     * second in total, and {@code ratio}, needed ÷ allowed in the binding lane (the busiest host when paced per host).
     */
    public record Line(
            String provider,
            long logins,
            int hosts,
            boolean perHost,
            String busiestHost,
            Duration interval,
            double needed,
            double allowed,
            double ratio) {
        public boolean fits() {
            return ratio <= 1.0;
        }

        /** The one-line warning for a round that does not fit, naming the numbers and what to change. */
        public String warning() {
            if (perHost) {
                return String.format(
                        Locale.ROOT,
                        "schedule: %s host %s needs %.2f logins/s for a round every %s (%,d logins)"
                                + " but %s allows %.2f/s per host: a round there takes %.1fx the interval; raise"
                                + " schedule.logins-per-second-per-provider or the interval",
                        provider,
                        busiestHost,
                        ratio * allowed / hosts,
                        Durations.format(interval),
                        busiestLogins(),
                        provider,
                        allowed / hosts,
                        ratio);
            }
            return String.format(
                    Locale.ROOT,
                    "schedule: %s needs %.2f logins/s for a round every %s (%,d logins) but its"
                            + " limits allow %.2f/s: a round takes %.1f h, %.1fx the interval; raise its limits.logins-per-second"
                            + " in providers.yml or its interval",
                    provider,
                    needed,
                    Durations.format(interval),
                    logins,
                    allowed,
                    logins / allowed / 3600,
                    ratio);
        }

        private long busiestLogins() {
            return Math.round(ratio * allowed / hosts * interval.toSeconds());
        }
    }

    /** As below, with the gate and intervals the daemon uses for {@code catalog} and {@code schedule}. */
    public static List<Line> of(List<HostLogins> rows, ProviderCatalog catalog, Config.Schedule schedule) {
        return of(
                rows,
                new ProviderGate(catalog, schedule),
                p -> catalog.find(p).map(spec -> spec.limits().interval()).orElse(schedule.interval()));
    }

    /** The lines for every provider with logins, in provider order. */
    public static List<Line> of(List<HostLogins> rows, ProviderGate gate, Function<String, Duration> interval) {
        var byProvider = new TreeMap<String, Map<String, Long>>();
        for (var r : rows) {
            var host = gate.pacedPerHost(r.provider()) && r.host() != null ? r.host() : "";
            byProvider.computeIfAbsent(r.provider(), p -> new TreeMap<>()).merge(host, r.logins(), Long::sum);
        }
        var lines = new ArrayList<Line>();
        byProvider.forEach((provider, hosts) -> {
            var every = interval.apply(provider);
            double seconds = every.toMillis() / 1000.0;
            double rate = gate.loginsPerSecond(provider);
            long logins = hosts.values().stream().mapToLong(Long::longValue).sum();
            var busiest =
                    hosts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
            boolean perHost = gate.pacedPerHost(provider);
            double needed = logins / seconds;
            double allowed = rate * (perHost ? hosts.size() : 1);
            double ratio = perHost ? busiest.getValue() / seconds / rate : needed / allowed;
            lines.add(new Line(
                    provider,
                    logins,
                    perHost ? hosts.size() : 1,
                    perHost,
                    perHost ? busiest.getKey() : null,
                    every,
                    needed,
                    allowed,
                    ratio));
        });
        return lines;
    }
}
