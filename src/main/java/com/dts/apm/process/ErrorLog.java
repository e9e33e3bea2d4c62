package com.dts.apm.process;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Logs a failing loop once per cause instead of once per round: the first failure at ERROR with its
 * stack, repeats of the same cause only at DEBUG, and one INFO line when it works again. Every failure,
 * logged or not, is counted under its loop's name ({@code apm_loop_errors_total{loop}}). A failure that says the
 * database is out of reach is the node's {@link DatabaseOutage}'s to log (once for every loop), not this loop's.
 */
public final class ErrorLog {
    private final Logger log;
    private final ConcurrentHashMap<String, String> failing = new ConcurrentHashMap<>();
    private final Consumer<String> count;
    private final DatabaseOutage outage;

    /** {@code count} is told the loop's name on every failure, logged or not (a metric). */
    public ErrorLog(Logger log, Consumer<String> count) {
        this(log, count, DatabaseOutage.NONE);
    }

    /** As above, handing failures that say the database is out of reach to the node's {@code outage}. */
    public ErrorLog(Logger log, Consumer<String> count, DatabaseOutage outage) {
        this.log = log;
        this.count = count;
        this.outage = outage;
    }

    public void failed(String what, Throwable e) {
        failed(what, what, e);
    }

    /** {@code what} keys the once-per-cause logging; {@code loop} is the name counted. */
    public void failed(String what, String loop, Throwable e) {
        failed(what, loop, e.getClass().getName() + ": " + e.getMessage(), summary(e), e);
    }

    /**
     * Like {@link #failed(String, String, Throwable)}, with the cause told in words: one episode whatever
     * the exact message (a locked database says so with a different text each time).
     */
    public void failedBecause(String what, String loop, String cause, Throwable e) {
        failed(what, loop, cause, cause, e);
    }

    private void failed(String what, String loop, String cause, String shown, Throwable e) {
        count.accept(loop);
        if (outage.failed(what, e)) {
            return;
        }
        // the same cause with other numbers in it is the same cause ("timed out after 5004ms (total=1, waiting=3)")
        var key = cause.replaceAll("[0-9]+", "#");
        var previous = failing.put(what, key);
        if (key.equals(previous)) {
            log.debug("{} still failing: {}", what, cause);
        } else {
            log.error("{} failed (logged once until it recovers): {}", what, shown, e);
        }
    }

    /** The message plus the root cause's: "Failed to start transaction" alone does not say the database is locked. */
    public static String summary(Throwable e) {
        var root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e || root.getMessage() == null
                ? e.getMessage()
                : e.getMessage() + " (" + root.getMessage() + ")";
    }

    public void recovered(String what) {
        if (!failing.isEmpty() && failing.remove(what) != null) {
            log.info("{} works again", what);
        }
    }
}
