package com.dts.apm.schedule;

import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * Logs a failing loop once per cause instead of once per round: the first failure at ERROR with its
 * stack, repeats of the same cause only at DEBUG, and one INFO line when it works again.
 */
final class ErrorLog {
    private final Logger log;
    private final ConcurrentHashMap<String, String> failing = new ConcurrentHashMap<>();

    ErrorLog(Logger log) {
        this.log = log;
    }

    void failed(String what, Throwable e) {
        failed(what, e.getClass().getName() + ": " + e.getMessage(), e.getMessage(), e);
    }

    /** Like {@link #failed(String, Throwable)}, with the cause told in words (one episode whatever the exact message). */
    void failedBecause(String what, String cause, Throwable e) {
        failed(what, cause, cause, e);
    }

    private void failed(String what, String cause, String shown, Throwable e) {
        var previous = failing.put(what, cause);
        if (cause.equals(previous)) {
            log.debug("{} still failing: {}", what, cause);
        } else {
            log.error("{} failed (logged once until it recovers): {}", what, shown, e);
        }
    }

    void recovered(String what) {
        if (!failing.isEmpty() && failing.remove(what) != null) {
            log.info("{} works again", what);
        }
    }
}
