package com.dts.apm.store;

import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/**
 * The fleet-wide questions the metrics snapshot and {@code status} ask of the integration table: counts by
 * provider and state, the oldest check, the earliest due time. Read on the query-only pool.
 */
public final class SnapshotQueries {
    // The metrics snapshot runs these every few seconds; V003's indexes serve them (CheckWriterIT checks the plans).
    static final String COUNTS_BY_PROVIDER_AND_STATE =
            "SELECT provider, state, count(*) FROM integration GROUP BY provider, state";
    static final String OLDEST_CHECK =
            "SELECT min(COALESCE(last_checked_at, created_at)) FROM integration WHERE enabled = 1";

    private final Jdbi jdbi;
    private final Jdbi reads;
    private final Dialect dialect;

    public SnapshotQueries(Database db) {
        this.jdbi = db.jdbi();
        this.reads = db.reads();
        this.dialect = db.dialect();
    }

    /**
     * How many nodes share this database: on PostgreSQL the nodes whose clustered scheduler ({@code schedulerName})
     * checked in lately (Quartz's own table {@code QRTZ_SCHEDULER_STATE}; late means two check-in intervals
     * missed, as Quartz itself judges a node dead). On SQLite one, this process.
     */
    public int liveNodes(String schedulerName, Instant now) {
        if (dialect == Dialect.SQLITE) {
            return 1;
        }
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM qrtz_scheduler_state WHERE sched_name = :name"
                        + " AND last_checkin_time + 2 * checkin_interval >= :now")
                .bind("name", schedulerName)
                .bind("now", now.toEpochMilli())
                .mapTo(Integer.class)
                .one());
    }

    /** Integration counts by provider and state; the state map of each provider lists every state. */
    public Map<String, Map<IntegrationState, Long>> countsByProviderAndState() {
        var out = new TreeMap<String, Map<IntegrationState, Long>>();
        reads.useHandle(h -> h.createQuery(COUNTS_BY_PROVIDER_AND_STATE)
                .map((rs, ctx) -> {
                    var m = out.computeIfAbsent(rs.getString(1), p -> {
                        var e = new EnumMap<IntegrationState, Long>(IntegrationState.class);
                        for (var s : IntegrationState.values()) {
                            e.put(s, 0L);
                        }
                        return e;
                    });
                    m.put(IntegrationState.valueOf(rs.getString(2)), rs.getLong(3));
                    return 0;
                })
                .list());
        return out;
    }

    /** Logins one round makes to one server host of one provider (host null: the provider's preset servers). */
    public record HostLogins(String provider, String host, long logins) {}

    /**
     * Per provider and server host, the logins one round of checks makes: one per enabled integration and protocol.
     * {@code status} and the schedule-capacity gauge ask it (a scan, grouped; not on the metrics snapshot's beat).
     */
    public List<HostLogins> loginsPerRound() {
        return reads.withHandle(h -> h.createQuery("""
                        SELECT provider, lower(imap_host), count(*) FROM integration
                         WHERE enabled = 1 AND protocols IN ('imap', 'imap+smtp') GROUP BY 1, 2
                        UNION ALL
                        SELECT provider, lower(smtp_host), count(*) FROM integration
                         WHERE enabled = 1 AND protocols IN ('smtp', 'imap+smtp') GROUP BY 1, 2
                        """)
                .map((rs, ctx) -> new HostLogins(rs.getString(1), rs.getString(2), rs.getLong(3)))
                .list());
    }

    /** The earliest due time among enabled integrations (the due index answers it without a scan). */
    public Optional<Instant> earliestDue() {
        return jdbi.withHandle(h -> h.createQuery("SELECT min(next_check_at) FROM integration WHERE enabled = 1")
                .map((rs, ctx) -> {
                    long v = rs.getLong(1);
                    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
                })
                .findOne());
    }

    /** When the least recently verified enabled integration was last checked (null: never checked counts as its creation). */
    public Optional<Instant> oldestCheck() {
        return reads.withHandle(h -> h.createQuery(OLDEST_CHECK)
                .map((rs, ctx) -> {
                    long v = rs.getLong(1);
                    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
                })
                .findOne());
    }
}
