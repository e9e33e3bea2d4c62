package com.dts.apm.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/** Polls a condition every 100 ms until it holds; fails the test naming {@code what} after {@code limit}. */
public final class Await {
    private Await() {}

    public static void until(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        var end = Instant.now().plus(limit);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(100);
        }
    }
}
