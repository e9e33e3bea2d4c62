package com.dts.apm.notify;

import java.util.Locale;

/** How handing one alert to the relay ended; the lower-case name is the {@code result} metric tag. */
public enum DeliveryStatus {
    /** The relay accepted the message. */
    DELIVERED,
    /** Try again later: relay not configured or down, a 4xx reply, a timeout, a refused relay login. */
    TRANSIENT_FAILURE,
    /** The relay refused this message for good (5xx for the recipient or the content): do not retry. */
    PERMANENT_REJECTION;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
