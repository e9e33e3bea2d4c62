package com.dts.apm.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/**
 * What the storm guard reads and remembers: per provider, how many integrations turned dealer-actionable
 * lately and whether a canary fails; and the providers whose dealer mail is held for a wave.
 */
public final class Storms {
    private final Jdbi jdbi;

    public Storms(Database db) {
        this.jdbi = db.jdbi();
    }

    /** An ongoing wave: dealer mail of {@code provider} is held unless an operator {@code released} it. */
    public record Storm(String provider, Instant startedAt, String reason, boolean released) {}

    /**
     * One provider's numbers: enabled dealer integrations ({@code total}, canaries left out), how many of them
     * turned SUSPECT since the window start ({@code turned}), and enabled canaries now SUSPECT or FAILING.
     */
    public record Wave(String provider, long total, long turned, long canariesFailing) {}

    public List<Storm> list() {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT provider, started_at, reason, released FROM storm ORDER BY provider")
                .map((rs, ctx) -> new Storm(
                        rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3), rs.getBoolean(4)))
                .list());
    }

    public Optional<Storm> find(String provider) {
        return list().stream().filter(s -> s.provider().equals(provider)).findFirst();
    }

    /** The numbers of every provider with at least one enabled integration. */
    public Map<String, Wave> measure(Instant windowStart) {
        long since = windowStart.toEpochMilli();
        return jdbi.withHandle(h -> {
            var totals =
                    counts(h.createQuery("SELECT provider, count(*) FROM integration WHERE enabled = 1 AND canary = 0"
                                    + " GROUP BY provider")
                            .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                            .list());
            var turned = counts(h.createQuery(
                            "SELECT i.provider, count(DISTINCT t.integration_id) FROM state_transition t"
                                    + " JOIN integration i ON i.id = t.integration_id"
                                    + " WHERE t.to_state = 'SUSPECT' AND t.at >= :since AND i.canary = 0 AND i.enabled = 1 GROUP BY i.provider")
                    .bind("since", since)
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                    .list());
            var canaries =
                    counts(h.createQuery("SELECT provider, count(*) FROM integration WHERE enabled = 1 AND canary = 1"
                                    + " AND state IN ('SUSPECT', 'FAILING') GROUP BY provider")
                            .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                            .list());
            var out = new TreeMap<String, Wave>();
            for (var p : union(totals, turned, canaries)) {
                out.put(
                        p,
                        new Wave(
                                p,
                                totals.getOrDefault(p, 0L),
                                turned.getOrDefault(p, 0L),
                                canaries.getOrDefault(p, 0L)));
            }
            return out;
        });
    }

    /** Dealer integrations of {@code provider} still SUSPECT or FAILING whose problem began at or after {@code since}. */
    public long stillFailing(String provider, Instant since) {
        return jdbi.withHandle(
                h -> h.createQuery("SELECT count(*) FROM integration WHERE provider = :p AND canary = 0 AND enabled = 1"
                                + " AND state IN ('SUSPECT', 'FAILING') AND problem_since >= :since")
                        .bind("p", provider)
                        .bind("since", since.toEpochMilli())
                        .mapTo(Long.class)
                        .one());
    }

    /** Starts holding a provider's dealer mail; false when a storm for it is already on record. */
    public boolean start(String provider, Instant at, String reason) {
        return jdbi.withHandle(
                        h -> h.createUpdate("INSERT INTO storm (provider, started_at, reason) VALUES (:p, :at, :r)"
                                        + " ON CONFLICT(provider) DO NOTHING")
                                .bind("p", provider)
                                .bind("at", at.toEpochMilli())
                                .bind("r", reason)
                                .execute())
                > 0;
    }

    /** An operator released the held mail: stop holding for the rest of this wave. */
    public void markReleased(String provider) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE storm SET released = 1 WHERE provider = :p")
                .bind("p", provider)
                .execute());
    }

    public void end(String provider) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM storm WHERE provider = :p")
                .bind("p", provider)
                .execute());
    }

    private static Map<String, Long> counts(List<Map.Entry<String, Long>> rows) {
        var m = new TreeMap<String, Long>();
        rows.forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    @SafeVarargs
    private static java.util.Set<String> union(Map<String, Long>... maps) {
        var s = new java.util.TreeSet<String>();
        for (var m : maps) {
            s.addAll(m.keySet());
        }
        return s;
    }
}
