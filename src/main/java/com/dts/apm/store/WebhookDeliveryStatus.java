package com.dts.apm.store;

/** Where one webhook delivery to one endpoint stands. */
public enum WebhookDeliveryStatus {
    /** Not delivered yet; tried again at {@code next_attempt_at}. */
    PENDING,
    /** The endpoint answered 2xx. */
    SENT,
    /** Retried for the whole retry period without a 2xx; {@code webhooks replay} sends it again. */
    FAILED
}
