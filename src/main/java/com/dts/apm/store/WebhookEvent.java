package com.dts.apm.store;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** The webhook event types (design.md): every transition is {@code state_changed}, some are also one of the others. */
public enum WebhookEvent {
    STATE_CHANGED("integration.state_changed"),
    FAILING("integration.failing"),
    RECOVERED("integration.recovered"),
    DEGRADED("integration.degraded"),
    PASSWORD_REPLACED("integration.password_replaced");

    private final String label;

    WebhookEvent(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static Optional<WebhookEvent> parse(String label) {
        return Arrays.stream(values()).filter(e -> e.label.equals(label)).findFirst();
    }

    /** The events one transition raises: always {@code state_changed}, plus the one its new state names. */
    static Set<WebhookEvent> of(IntegrationState from, IntegrationState to) {
        var set = EnumSet.of(STATE_CHANGED);
        if (to == IntegrationState.FAILING) {
            set.add(FAILING);
        } else if (to == IntegrationState.DEGRADED) {
            set.add(DEGRADED);
        } else if (to == IntegrationState.HEALTHY
                && (from == IntegrationState.FAILING || from == IntegrationState.DEGRADED)) {
            set.add(RECOVERED);
        }
        return set;
    }
}
