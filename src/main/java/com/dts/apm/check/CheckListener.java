package com.dts.apm.check;

import com.dts.apm.probe.ProbeResult;
import com.dts.apm.store.Integration;

/** Told about every finished login check and its database write (metrics hang here). */
public interface CheckListener {
    CheckListener NONE = (integration, result) -> {};

    void checked(Integration integration, ProbeResult result);

    /** Told how long recording one finished check in the database took (the write transaction). */
    default void recorded(java.time.Duration took) {}

    /**
     * Told each time recording a finished check failed for a while (a locked or full database) and is
     * retried; {@code loop} is the name counted in {@code apm_loop_errors_total}.
     */
    default void loopFailed(String loop) {}

    /** Told about every trade of an OAuth refresh token: the app, and {@code ok} or the outcome in lower case. */
    default void tokenRefreshed(String app, String result) {}
}
