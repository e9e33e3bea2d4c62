package com.dts.apm.store;

import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import java.time.Instant;
import java.util.Set;

/**
 * One stored mailbox and where it stands. Carries no password or refresh token: see
 * {@link IntegrationStore#credential(long)}. {@code adminEmail} is the dealer's admin contact (null when none);
 * {@code signIn} says whether it signs in with an app password or an OAuth grant, and which OAuth app.
 */
public record Integration(
        long id,
        String dealerId,
        String dealerName,
        String contactEmail,
        String email,
        String provider,
        String username,
        Endpoint imap,
        Endpoint smtp,
        Set<Protocol> protocols,
        boolean enabled,
        boolean canary,
        IntegrationState state,
        Instant stateSince,
        Outcome lastOutcome,
        Instant problemSince,
        int consecutiveFailures,
        Instant nextCheckAt,
        Instant lastCheckedAt,
        Instant lastSuccessAt,
        Instant passwordChangedAt,
        Instant createdAt,
        String adminEmail,
        SignIn signIn) {
    public Integration {
        protocols = Set.copyOf(protocols);
        signIn = signIn == null ? SignIn.PASSWORD : signIn;
    }

    /** The endpoint checked for {@code protocol}. */
    public Endpoint endpoint(Protocol protocol) {
        return protocol == Protocol.IMAP ? imap : smtp;
    }

    /** {@code imap}, {@code smtp} or {@code imap+smtp}, as stored and as the CSV takes it. */
    public String protocolsLabel() {
        return Protocols.label(protocols);
    }
}
