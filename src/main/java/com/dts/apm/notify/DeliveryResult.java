package com.dts.apm.notify;

import java.util.Objects;

/** The result of one send: a status and a short one-line detail that never holds a secret. */
public record DeliveryResult(DeliveryStatus status, String detail) {
    public DeliveryResult {
        Objects.requireNonNull(status, "status");
        detail = detail == null ? "" : detail;
    }

    public boolean delivered() {
        return status == DeliveryStatus.DELIVERED;
    }
}
