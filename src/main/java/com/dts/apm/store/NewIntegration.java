package com.dts.apm.store;

import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Protocol;
import java.util.Objects;
import java.util.Set;

/**
 * What an operator supplies to store a mailbox (the password travels apart, as a {@code Secret}).
 * {@code adminEmail} is the dealer's admin contact (escalations, bounce fallback); null keeps the stored one.
 */
public record NewIntegration(
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
        String adminEmail) {
    public NewIntegration {
        Objects.requireNonNull(dealerId, "dealerId");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(username, "username");
        protocols = Set.copyOf(protocols);
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("at least one protocol");
        }
        if (protocols.contains(Protocol.IMAP) && imap == null) {
            throw new IllegalArgumentException("IMAP is checked but no IMAP server is known");
        }
        if (protocols.contains(Protocol.SMTP) && smtp == null) {
            throw new IllegalArgumentException("SMTP is checked but no SMTP server is known");
        }
        contactEmail = contactEmail == null || contactEmail.isBlank() ? email : contactEmail;
        adminEmail = adminEmail == null || adminEmail.isBlank() ? null : adminEmail;
    }
}
