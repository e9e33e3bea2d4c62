package com.dts.apm.notify;

import com.dts.apm.config.Config;
import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.testing.TestConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Object mother for alerts: a Gmail AUTH_REJECTED failure for "Sample Motors" unless told otherwise. */
final class AnAlert {
    static final ProviderCatalog CATALOG = ProviderCatalog.builtIn();
    static final Instant NOW = Instant.parse("2025-03-15T10:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final Config.Alerts ALERTS = TestConfig.alertsOf(a -> a.productName("DTS System")
            .from("DTS System <alerts@dts.example>")
            .supportContact("help@dts.example")
            .reconnectUrl("https://dealers.dts.example/settings/email?integration={integration_id}&tab=mail")
            .opsEmail("ops@dts.example"));

    private String provider = "gmail";
    private Outcome outcome = Outcome.AUTH_REJECTED;
    private AlertKind kind = AlertKind.FAILURE;
    private String dealerName = "Sample Motors";
    private String mailbox = "sales@sample-motors.example";
    private String detail = "NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)";
    private int reminder;

    static AnAlert anAlert() {
        return new AnAlert();
    }

    AnAlert provider(String id) {
        this.provider = id;
        return this;
    }

    AnAlert outcome(Outcome o) {
        this.outcome = o;
        return this;
    }

    AnAlert kind(AlertKind k) {
        this.kind = k;
        this.reminder = k == AlertKind.REMINDER ? 2 : 0;
        return this;
    }

    AnAlert dealerName(String name) {
        this.dealerName = name;
        return this;
    }

    AnAlert mailbox(String m) {
        this.mailbox = m;
        return this;
    }

    AnAlert detail(String d) {
        this.detail = d;
        return this;
    }

    AlertContext build() {
        return AlertContext.of(
                ALERTS,
                dealerName,
                mailbox,
                CATALOG.get(provider),
                outcome,
                kind,
                4711,
                Instant.parse("2025-03-12T08:30:00Z"),
                reminder,
                detail);
    }
}
