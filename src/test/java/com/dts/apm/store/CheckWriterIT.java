package com.dts.apm.store;

import static com.dts.apm.testing.Integrations.anIntegration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dts.apm.config.Secret;
import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckWriterIT {
    // sub-millisecond precision on purpose: the database keeps milliseconds
    private final Instant t0 = Instant.parse("2026-11-28T10:00:00.123456789Z");
    private final Clock clock = Clock.fixed(t0, ZoneOffset.UTC);

    @TempDir
    Path dir;

    /** The database under test; CheckWriterPostgresIT runs these on PostgreSQL. */
    Database openDb() {
        return Database.open(dir.resolve("apm.db"));
    }

    /** Skips what only SQLite has (its query planner's wording). */
    void assumeSqlite() {}

    @Test
    void theIntegrationReturnedByRecordIsWhatTheDatabaseNowHolds() {
        var db = openDb();
        var store = new IntegrationStore(db, Vault.unlock(db, dir.resolve("master.key"), true, clock), clock);
        long id = store.add(anIntegration().withAdminEmail("boss@x.test").build(), Secret.of("pw"));
        var log = new CheckWriter(db);
        var failed = List.of(new CheckWriter.Result(Protocol.IMAP, Outcome.AUTH_REJECTED, 12, "no"));
        var ok = List.of(new CheckWriter.Result(Protocol.IMAP, Outcome.OK, 10, ""));

        // UNKNOWN -> SUSPECT (a new state, a problem opens, an alert)
        var at1 = t0.plus(Duration.ofNanos(1_500_000));
        var after1 = log.record(
                id,
                at1,
                failed,
                i -> new StateChange(
                        IntegrationState.SUSPECT,
                        Outcome.AUTH_REJECTED,
                        at1.plusSeconds(600),
                        1,
                        at1,
                        false,
                        "first failure",
                        List.of(new StateChange.NewAlert(AlertKind.FAILURE, Outcome.AUTH_REJECTED, "dealer@x.test"))));
        assertThat(after1).contains(store.get(id));
        // SUSPECT -> SUSPECT (same state: state_since stays; last success stays empty)
        var at2 = at1.plusSeconds(700);
        var after2 = log.record(
                id,
                at2,
                failed,
                i -> new StateChange(
                        IntegrationState.SUSPECT,
                        Outcome.AUTH_REJECTED,
                        at2.plusSeconds(600),
                        2,
                        i.problemSince(),
                        false,
                        "again",
                        List.of()));
        assertThat(after2).contains(store.get(id));
        assertThat(after2.orElseThrow().stateSince())
                .isEqualTo(after1.orElseThrow().stateSince());
        // -> HEALTHY (success)
        var at3 = at2.plusSeconds(700);
        var after3 = log.record(
                id,
                at3,
                ok,
                i -> new StateChange(
                        IntegrationState.HEALTHY,
                        Outcome.OK,
                        at3.plusSeconds(3600),
                        0,
                        null,
                        true,
                        "works",
                        List.of()));
        assertThat(after3).contains(store.get(id));
        // disabled while its check ran: stays DISABLED and unscheduled
        store.setEnabled(id, false);
        var at4 = at3.plusSeconds(700);
        var after4 = log.record(
                id,
                at4,
                ok,
                i -> new StateChange(
                        IntegrationState.HEALTHY,
                        Outcome.OK,
                        at4.plusSeconds(3600),
                        0,
                        null,
                        true,
                        "works",
                        List.of()));
        assertThat(after4).contains(store.get(id));
        assertThat(after4.orElseThrow().state()).isEqualTo(IntegrationState.DISABLED);
        assertThat(after4.orElseThrow().nextCheckAt()).isNull();
    }

    /**
     * A write that met another process's lock past the busy timeout must not spoil the next one: sqlite-jdbc leaves
     * such a connection outside auto-commit with no transaction, and a write that then joined it committed each
     * statement alone (a check's rows landed without its state, the flake of DatabaseLockedIT).
     */
    @Test
    void afterAWriteMetAnotherProcesssLockTheNextWriteIsStillOneTransaction() throws Exception {
        assumeSqlite();
        var db = openDb();
        var store = new IntegrationStore(db, Vault.unlock(db, dir.resolve("master.key"), true, clock), clock);
        long id = store.add(anIntegration().build(), Secret.of("pw"));
        var writer = new CheckWriter(db);
        var ok = List.of(new CheckWriter.Result(Protocol.IMAP, Outcome.OK, 10, ""));
        java.util.function.Function<Integration, StateChange> healthy = i -> new StateChange(
                IntegrationState.HEALTHY, Outcome.OK, t0.plusSeconds(3600), 0, null, true, "works", List.of());
        try (var blocker = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("apm.db"))) {
            try (var st = blocker.createStatement()) {
                st.execute("BEGIN EXCLUSIVE");
                st.executeUpdate("UPDATE integration SET email = email");
            }
            assertThatThrownBy(() -> writer.record(id, t0, ok, healthy))
                    .satisfies(e ->
                            assertThat(Database.isTransient(e)).as(e.toString()).isTrue());
            try (var st = blocker.createStatement()) {
                st.execute("ROLLBACK");
            }
            // the next write fails after its rows are inserted: none of them may stay
            assertThatThrownBy(() -> writer.record(id, t0.plusSeconds(1), ok, i -> {
                        throw new IllegalStateException("no decision");
                    }))
                    .hasMessageContaining("no decision");
            assertThat(checkRows(blocker, id)).as("rows of a write that failed").isZero();
            var after = writer.record(id, t0.plusSeconds(2), ok, healthy);
            assertThat(after.orElseThrow().state()).isEqualTo(IntegrationState.HEALTHY);
            assertThat(checkRows(blocker, id)).isEqualTo(1);
        }
    }

    private static long checkRows(java.sql.Connection c, long id) throws java.sql.SQLException {
        try (var st = c.prepareStatement("SELECT count(*) FROM check_result WHERE integration_id = ?")) {
            st.setLong(1, id);
            try (var rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void theMetricsSnapshotQueriesUseTheirIndexesInsteadOfScanningTheTable() {
        assumeSqlite();
        var db = openDb();
        assertThat(plan(db, SnapshotQueries.COUNTS_BY_PROVIDER_AND_STATE))
                .contains("COVERING INDEX integration_provider_state");
        assertThat(plan(db, SnapshotQueries.OLDEST_CHECK)).contains("INDEX integration_oldest_check");
    }

    private static String plan(Database db, String sql) {
        List<String> rows = db.reads()
                .withHandle(h -> h.createQuery("EXPLAIN QUERY PLAN " + sql)
                        .map((rs, ctx) -> rs.getString("detail"))
                        .list());
        return String.join("\n", rows);
    }
}
