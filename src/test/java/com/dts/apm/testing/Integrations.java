package com.dts.apm.testing;

import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.Security;
import com.dts.apm.store.Integration;
import com.dts.apm.store.IntegrationState;
import com.dts.apm.store.NewIntegration;
import com.icegreen.greenmail.util.GreenMail;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * The integration object mother: {@code anIntegration().withEmail(...).withImap(mail).build()} is a row to add,
 * {@code ...inState(FAILING, 3, since).stored(7, now)} a row as the store returns it, for code that takes one.
 */
public final class Integrations {
    private Integrations() {}

    /** An integration with sensible defaults: dealer-1 (Acme Motors), a custom provider on loopback, both protocols. */
    public static Builder anIntegration() {
        return new Builder();
    }

    public static final class Builder {
        private String dealerId = "dealer-1";
        private String dealerName = "Acme Motors";
        private String contactEmail;
        private String email = "sales@acme-motors.test";
        private String provider = "custom";
        private Endpoint imap = new Endpoint("127.0.0.1", 3993, Security.SSL);
        private Endpoint smtp = new Endpoint("127.0.0.1", 3465, Security.SSL);
        private Set<Protocol> protocols = EnumSet.allOf(Protocol.class);
        private String username;
        private boolean enabled = true;
        private boolean canary;
        private String adminEmail;
        private IntegrationState state = IntegrationState.UNKNOWN;
        private int failures;
        private Instant problemSince;
        private Outcome lastOutcome;

        private Builder() {}

        public Builder asCanary() {
            this.canary = true;
            return this;
        }

        public Builder disabled() {
            this.enabled = false;
            return this;
        }

        public Builder withAdminEmail(String adminEmail) {
            this.adminEmail = adminEmail;
            return this;
        }

        public Builder withContactEmail(String contactEmail) {
            this.contactEmail = contactEmail;
            return this;
        }

        public Builder withEmail(String email) {
            this.email = email;
            return this;
        }

        public Builder withDealer(String id, String name) {
            this.dealerId = id;
            this.dealerName = name;
            return this;
        }

        public Builder withProvider(String provider) {
            this.provider = provider;
            return this;
        }

        public Builder withImap(Endpoint imap) {
            this.imap = imap;
            return this;
        }

        public Builder withSmtp(Endpoint smtp) {
            this.smtp = smtp;
            return this;
        }

        /** No SMTP endpoint at all (an IMAP-only row as the import writes it). */
        public Builder withoutSmtp() {
            this.smtp = null;
            return this;
        }

        /** IMAP and SMTP on GreenMail's plain loopback ports. */
        public Builder withImap(GreenMail mail) {
            return withImap(new Endpoint("127.0.0.1", mail.getImap().getPort(), Security.PLAIN));
        }

        public Builder withSmtp(GreenMail mail) {
            return withSmtp(new Endpoint("127.0.0.1", mail.getSmtp().getPort(), Security.PLAIN));
        }

        public Builder withUsername(String username) {
            this.username = username;
            return this;
        }

        public Builder only(Protocol protocol) {
            this.protocols = EnumSet.of(protocol);
            return this;
        }

        /** For {@link #stored}: the state, its consecutive failures and since when it has a problem (null: none). */
        public Builder inState(IntegrationState state, int failures, Instant problemSince) {
            this.state = state;
            this.failures = failures;
            this.problemSince = problemSince;
            return this;
        }

        public Builder withLastOutcome(Outcome outcome) {
            this.lastOutcome = outcome;
            return this;
        }

        /** The row to add. */
        public NewIntegration build() {
            return new NewIntegration(
                    dealerId,
                    dealerName,
                    contactEmail,
                    email,
                    provider,
                    username == null ? email : username,
                    imap,
                    smtp,
                    protocols,
                    enabled,
                    canary,
                    adminEmail);
        }

        /**
         * The row as stored under {@code id}: created 30 days before {@code now}, in its state since a day before,
         * due at {@code now}, never checked.
         */
        public Integration stored(long id, Instant now) {
            return new Integration(
                    id,
                    dealerId,
                    dealerName,
                    contactEmail,
                    email,
                    provider,
                    username == null ? email : username,
                    imap,
                    smtp,
                    protocols,
                    enabled,
                    canary,
                    state,
                    now.minus(Duration.ofDays(1)),
                    lastOutcome,
                    problemSince,
                    failures,
                    now,
                    null,
                    null,
                    null,
                    now.minus(Duration.ofDays(30)),
                    adminEmail,
                    com.dts.apm.store.SignIn.PASSWORD);
        }
    }
}
