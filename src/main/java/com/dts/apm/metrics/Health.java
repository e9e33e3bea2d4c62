package com.dts.apm.metrics;

import java.util.Objects;

/** Answers {@code /healthz}: the daemon says whether its scheduler runs and its database answers. */
@FunctionalInterface
public interface Health {

    Status check();

    /** Healthy or not, with a short reason an operator can read (never a secret). */
    record Status(boolean healthy, String reason) {
        public Status {
            Objects.requireNonNull(reason, "reason");
        }

        public static Status ok() {
            return new Status(true, "ok");
        }

        public static Status failing(String reason) {
            return new Status(false, reason);
        }
    }
}
