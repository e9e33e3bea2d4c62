package com.dts.apm.process;

import com.dts.apm.config.Durations;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's view of its database being out of reach (PostgreSQL stopped, the network gone, the pool timing out):
 * every loop meets the same outage, so it is told once. The first failure that says so logs one ERROR line naming
 * only the server and the failure's SQLState and class; every failure after it until a database call works again is
 * DEBUG; the first success after it logs one INFO line with how long it lasted. Failures of any other kind are not
 * its business ({@link #failed} answers false and the caller logs them as before).
 *
 * <p>Right after an outage a call that had waited on the dead server may still fail (a pooled connection's wait
 * that began before the server came back): a failure within {@link #SETTLE} of the recovery reopens the outage at
 * DEBUG only, and says so at ERROR only if it lasts past {@code SETTLE}.
 */
public final class DatabaseOutage {
    private static final Logger log = LoggerFactory.getLogger(DatabaseOutage.class);

    /** How long after a recovery a relapse stays quiet (twice the pool's wait for a connection). */
    public static final Duration SETTLE = Duration.ofSeconds(10);

    /** Recognises nothing: for the command line, where one failed command says it all. */
    public static final DatabaseOutage NONE = new DatabaseOutage("-", e -> false, Clock.systemUTC());

    private final String server;
    private final Predicate<Throwable> unreachable;
    private final Clock clock;
    private final Duration settle;

    /** When the outage began; null while the database answers. Read without the lock on every success. */
    private volatile Instant since;

    private boolean logged; // the ERROR line of this outage is out; guarded by this
    private Instant recoveredAt; // the last INFO recovery; guarded by this

    /**
     * {@code server} is what the lines name ({@code host:port}, never a user or the URL's parameters);
     * {@code unreachable} tells a failure that means the database cannot be reached from any other.
     */
    public DatabaseOutage(String server, Predicate<Throwable> unreachable, Clock clock) {
        this(server, unreachable, clock, SETTLE);
    }

    DatabaseOutage(String server, Predicate<Throwable> unreachable, Clock clock, Duration settle) {
        this.server = server;
        this.unreachable = unreachable;
        this.clock = clock;
        this.settle = settle;
    }

    /**
     * Tells the tracker {@code what} failed with {@code e}. True when {@code e} says the database is out of reach:
     * then it has been logged here (ERROR if it starts an outage, else DEBUG) and the caller logs nothing more.
     */
    public boolean failed(String what, Throwable e) {
        if (!unreachable.test(e)) {
            return false;
        }
        synchronized (this) {
            var now = clock.instant();
            if (since == null) {
                since = now;
                logged = recoveredAt == null || !now.isBefore(recoveredAt.plus(settle));
                if (logged) {
                    log.error(
                            "database {} unreachable ({}): checks and jobs wait for it, their results are held;"
                                    + " logged once until it answers again",
                            server,
                            cause(e));
                } else {
                    log.debug(
                            "{} failed: database {} unreachable again right after it came back ({})",
                            what,
                            server,
                            cause(e));
                }
            } else if (!logged && !now.isBefore(since.plus(settle))) {
                logged = true;
                log.error(
                        "database {} unreachable ({}) for {}: checks and jobs wait for it, their results are held;"
                                + " logged once until it answers again",
                        server,
                        cause(e),
                        lasted(now));
            } else {
                log.debug("{} failed: database {} still unreachable ({})", what, server, cause(e));
            }
        }
        return true;
    }

    /** Tells the tracker a database call worked: ends an outage (one INFO line with its duration). Cheap otherwise. */
    public void succeeded() {
        if (since == null) {
            return;
        }
        synchronized (this) {
            if (since == null) {
                return;
            }
            var now = clock.instant();
            if (logged) {
                log.info("database {} answers again after an outage of {}", server, lasted(now));
                recoveredAt = now;
            } else {
                log.debug("database {} answers again after {}", server, lasted(now));
            }
            since = null;
            logged = false;
        }
    }

    /**
     * Until closed, the WARN and ERROR lines of the loggers named {@code loggerPrefix}... whose exception says the
     * database is out of reach are told to this tracker instead of logged (Quartz's job store reports the outage
     * too). With several nodes in one JVM (tests) the first node's tracker hears them all.
     */
    public LogRoute routeLogsOf(String loggerPrefix) {
        return OutageLogFilter.install(loggerPrefix, this);
    }

    /** A library's log lines routed through a tracker, until closed. */
    public interface LogRoute extends AutoCloseable {
        @Override
        void close();
    }

    /** True from the first unreachable failure until the next success. */
    public boolean ongoing() {
        return since != null;
    }

    private String lasted(Instant now) {
        return Durations.format(Duration.between(since, now).truncatedTo(ChronoUnit.SECONDS));
    }

    /**
     * The SQLState and class of the failure (its first {@link SQLException}, else itself) and of its root cause: never
     * a message, which may name a user or quote the URL.
     */
    static String cause(Throwable e) {
        SQLException sql = null;
        Throwable root = e;
        int depth = 0; // a chain may loop (A caused by B caused by A)
        for (Throwable t = e; t != null && depth < 32; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (sql == null && t instanceof SQLException s) {
                sql = s;
            }
            root = t;
        }
        Throwable named = sql == null ? e : sql;
        var classes = root == named
                ? named.getClass().getName()
                : named.getClass().getName() + ", root " + root.getClass().getName();
        return sql == null || sql.getSQLState() == null ? classes : "SQLState " + sql.getSQLState() + ", " + classes;
    }
}
