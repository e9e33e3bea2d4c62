package com.dts.apm.process;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.dts.apm.store.Database;
import com.dts.apm.testing.LogCapture;
import com.dts.apm.testing.TestClock;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class DatabaseOutageTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-12-07T18:00:00Z"));
    private final DatabaseOutage outage = new DatabaseOutage("db.example:5432", Database::unreachable, clock);

    /** What HikariCP throws on every tick while PostgreSQL is down: a pool timeout over the driver's refusal. */
    private static RuntimeException poolTimeout(int waiting) {
        var refused = new SQLException(
                "Connection to db.example:5432 refused for user apm", "08001", new ConnectException("refused"));
        return new IllegalStateException(new SQLTransientConnectionException(
                "apm-db - Connection is not available, request timed out after 5000ms (waiting=" + waiting + ")",
                "08001",
                refused));
    }

    @Test
    void logsOneErrorWhenTheOutageStartsAndOneInfoWithItsDurationWhenItEnds() {
        try (var logs = new LogCapture()) {
            for (int i = 1; i <= 20; i++) {
                assertThat(outage.failed(i % 2 == 0 ? "dispatch" : "cluster", poolTimeout(i)))
                        .isTrue();
                clock.advance(Duration.ofMillis(1600));
            }
            assertThat(outage.ongoing()).isTrue();
            outage.succeeded();
            outage.succeeded();
            assertThat(outage.ongoing()).isFalse();

            var loud = logs.atLeast(Level.INFO);
            assertThat(loud).hasSize(2);
            assertThat(loud.get(0))
                    .startsWith("ERROR database db.example:5432 unreachable (SQLState 08001,"
                            + " java.sql.SQLTransientConnectionException, root java.net.ConnectException)");
            assertThat(loud.get(1)).isEqualTo("INFO database db.example:5432 answers again after an outage of 32s");
            assertThat(logs.text()).contains("dispatch failed: database db.example:5432 still unreachable");
            // the driver's message names the user: it stays out of every line
            assertThat(logs.text()).doesNotContain("apm ").doesNotContain("for user");
        }
    }

    @Test
    void leavesOtherFailuresToTheCaller() {
        try (var logs = new LogCapture()) {
            assertThat(outage.failed("dispatch", new IllegalStateException("a bug")))
                    .isFalse();
            assertThat(outage.failed("dispatch", new RuntimeException(new SQLException("bad login", "28P01"))))
                    .isFalse();
            outage.succeeded();
            assertThat(outage.ongoing()).isFalse();
            assertThat(logs.atLeast(Level.DEBUG)).isEmpty();
        }
    }

    @Test
    void aRelapseRightAfterTheRecoveryIsQuietUnlessItLasts() {
        outage.failed("dispatch", poolTimeout(1));
        clock.advance(Duration.ofSeconds(30));
        outage.succeeded();
        try (var logs = new LogCapture()) {
            // a wait for a connection that began before the server came back runs out just after
            clock.advance(Duration.ofSeconds(2));
            assertThat(outage.failed("record", poolTimeout(2))).isTrue();
            clock.advance(Duration.ofSeconds(1));
            outage.succeeded();
            assertThat(logs.atLeast(Level.INFO)).isEmpty();

            // down again for real: quiet for the settling time, then one ERROR, then one INFO
            clock.advance(Duration.ofSeconds(1));
            outage.failed("dispatch", poolTimeout(3));
            clock.advance(Duration.ofSeconds(5));
            outage.failed("dispatch", poolTimeout(4));
            assertThat(logs.atLeast(Level.INFO)).isEmpty();
            clock.advance(Duration.ofSeconds(6));
            outage.failed("dispatch", poolTimeout(5));
            outage.failed("dispatch", poolTimeout(6));
            clock.advance(Duration.ofSeconds(3));
            outage.succeeded();
            assertThat(logs.atLeast(Level.INFO))
                    .containsExactly(
                            "ERROR database db.example:5432 unreachable (SQLState 08001,"
                                    + " java.sql.SQLTransientConnectionException, root java.net.ConnectException)"
                                    + " for 11s: checks and jobs wait for it, their results are held; logged once"
                                    + " until it answers again",
                            "INFO database db.example:5432 answers again after an outage of 14s");
        }
    }

    @Test
    void aLaterOutageIsLoggedAgain() {
        outage.failed("dispatch", poolTimeout(1));
        outage.succeeded();
        clock.advance(DatabaseOutage.SETTLE);
        try (var logs = new LogCapture()) {
            outage.failed("dispatch", poolTimeout(2));
            assertThat(logs.atLeast(Level.ERROR)).hasSize(1);
        }
    }

    @Test
    void namesTheClassesOfAFailureWithoutAnSqlState() {
        assertThat(DatabaseOutage.cause(new SQLTransientConnectionException("timed out")))
                .isEqualTo("java.sql.SQLTransientConnectionException");
        assertThat(DatabaseOutage.cause(new IllegalStateException(new ConnectException("refused"))))
                .isEqualTo("java.lang.IllegalStateException, root java.net.ConnectException");
    }

    @Test
    void everyLoopsErrorLogHandsTheOutageToTheOneTrackerAndStillCounts() {
        var counted = new ArrayList<String>();
        var log = LoggerFactory.getLogger(DatabaseOutageTest.class);
        var dispatch = new ErrorLog(log, counted::add, outage);
        var record = new ErrorLog(log, counted::add, outage);
        try (var logs = new LogCapture()) {
            for (int i = 0; i < 5; i++) {
                dispatch.failed("dispatch", poolTimeout(i));
                record.failedBecause("recording check results", "record", "cannot reach the server", poolTimeout(i));
            }
            dispatch.failed("dispatch", new IllegalStateException("a bug"));
            outage.succeeded();
            dispatch.recovered("dispatch");
            record.recovered("recording check results");
            assertThat(logs.atLeast(Level.ERROR)).hasSize(2);
            assertThat(logs.atLeast(Level.ERROR).get(0)).startsWith("ERROR database db.example:5432 unreachable");
            assertThat(logs.atLeast(Level.ERROR).get(1))
                    .contains("dispatch failed")
                    .contains("a bug");
            // the loop that met only the outage has nothing of its own to take back
            assertThat(logs.text()).contains("dispatch works again").doesNotContain("recording check results works");
        }
        assertThat(counted).hasSize(11);
    }

    @Test
    @SuppressWarnings("try") // the route is held for the block and removed by close()
    void routesALibrarysReportsOfTheOutageAndNothingElse() {
        var quartz = LoggerFactory.getLogger("org.quartz.impl.jdbcjobstore.JobStoreTX");
        try (var logs = new LogCapture()) {
            try (var route = outage.routeLogsOf("org.quartz")) {
                quartz.error("ClusterManager: Error managing cluster: failed", poolTimeout(1));
                quartz.error("An error occurred while firing triggers {}", "reminders", poolTimeout(2));
                quartz.warn("no exception here");
                quartz.error("a bug of its own", new IllegalStateException("bug"));
                LoggerFactory.getLogger("com.example").error("not routed", poolTimeout(3));
            }
            quartz.error("after close", poolTimeout(4));
            assertThat(logs.atLeast(Level.WARN))
                    .hasSize(5)
                    .anyMatch(l -> l.startsWith("ERROR database db.example:5432 unreachable"))
                    .anyMatch(l -> l.equals("WARN no exception here"))
                    .anyMatch(l -> l.startsWith("ERROR a bug of its own"))
                    .anyMatch(l -> l.startsWith("ERROR not routed"))
                    .anyMatch(l -> l.startsWith("ERROR after close"))
                    .noneMatch(l -> l.contains("ClusterManager"));
        }
    }
}
