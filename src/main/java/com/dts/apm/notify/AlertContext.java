package com.dts.apm.notify;

import com.dts.apm.config.Config;
import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.ProviderSpec;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * Everything one alert email says. {@code integrationId} only fills the {@code {integration_id}}
 * placeholder of {@code reconnectUrl}; it is never shown on its own. {@code detail} is the server's
 * reply text: ops mail shows it, dealer mail never does.
 *
 * @param failingSince when the failure was first seen; null when unknown
 * @param reminderNumber 1 for the first reminder; 0 for the other kinds
 */
public record AlertContext(
        String productName,
        String dealerName,
        String mailbox,
        ProviderSpec provider,
        Outcome outcome,
        AlertKind kind,
        long integrationId,
        String reconnectUrl,
        String supportContact,
        Instant failingSince,
        int reminderNumber,
        String detail) {

    /** The placeholder in {@code alerts.reconnect-url} that becomes the integration id. */
    public static final String INTEGRATION_ID = "{integration_id}";

    public AlertContext {
        Objects.requireNonNull(productName, "productName");
        Objects.requireNonNull(mailbox, "mailbox");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reconnectUrl, "reconnectUrl");
        dealerName = dealerName == null ? "" : dealerName;
        supportContact = supportContact == null ? "" : supportContact;
        if (reminderNumber < 0) {
            throw new IllegalArgumentException("reminderNumber must not be negative");
        }
    }

    /** An alert with the product name, reconnect URL and support contact taken from {@code alerts}. */
    public static AlertContext of(
            Config.Alerts alerts,
            String dealerName,
            String mailbox,
            ProviderSpec provider,
            Outcome outcome,
            AlertKind kind,
            long integrationId,
            Instant failingSince,
            int reminderNumber,
            String detail) {
        return new AlertContext(
                alerts.productName(),
                dealerName,
                mailbox,
                provider,
                outcome,
                kind,
                integrationId,
                alerts.reconnectUrl(),
                alerts.supportContact(),
                failingSince,
                reminderNumber,
                detail);
    }

    /** The reconnect URL with the integration id filled in, URL-encoded. */
    public String reconnectLink() {
        return reconnectUrl.replace(
                INTEGRATION_ID, URLEncoder.encode(Long.toString(integrationId), StandardCharsets.UTF_8));
    }
}
