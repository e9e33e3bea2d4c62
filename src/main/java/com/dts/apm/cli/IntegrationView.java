package com.dts.apm.cli;

import com.dts.apm.provider.Endpoint;
import com.dts.apm.store.Integration;
import java.time.Instant;

/**
 * How an integration is shown in JSON: every field design.md names, the dealer system's external id, and never a
 * secret.
 */
record IntegrationView(
        long id,
        String externalId,
        String dealerId,
        String dealerName,
        String email,
        String contactEmail,
        String adminEmail,
        String provider,
        String username,
        String protocols,
        Server imap,
        Server smtp,
        String state,
        boolean enabled,
        boolean canary,
        String lastOutcome,
        Instant lastCheckedAt,
        Instant lastSuccessAt,
        Instant nextCheckAt,
        Instant stateSince,
        Instant passwordChangedAt) {

    record Server(String host, int port, String security) {
        static Server of(Endpoint e) {
            return e == null
                    ? null
                    : new Server(e.host(), e.port(), e.security().label());
        }
    }

    /** The view of {@code i}, known to the dealer system as {@code externalId} (null when it has none). */
    static IntegrationView of(Integration i, String externalId) {
        return new IntegrationView(
                i.id(),
                externalId,
                i.dealerId(),
                i.dealerName(),
                i.email(),
                i.contactEmail(),
                i.adminEmail(),
                i.provider(),
                i.username(),
                i.protocolsLabel(),
                Server.of(i.imap()),
                Server.of(i.smtp()),
                i.state().name(),
                i.enabled(),
                i.canary(),
                i.lastOutcome() == null ? null : i.lastOutcome().name(),
                i.lastCheckedAt(),
                i.lastSuccessAt(),
                i.nextCheckAt(),
                i.stateSince(),
                i.passwordChangedAt());
    }
}
