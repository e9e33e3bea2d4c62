package com.dts.apm.api;

import com.dts.apm.probe.ProbeResult;
import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Protocol;
import com.dts.apm.store.CheckHistory;
import com.dts.apm.store.CheckRecord;
import com.dts.apm.store.Integration;
import com.dts.apm.store.IntegrationInput;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;

/** The JSON shapes of the API and of the command line's {@code --json}, in and out. An integration out never carries a password; a body in may (write-only). */
public final class IntegrationJson {
    private IntegrationJson() {}

    /** A mail server in and out: {@code {host, port, security}}. */
    public record Server(String host, Integer port, String security) {
        static Server of(Endpoint e) {
            return e == null
                    ? null
                    : new Server(e.host(), e.port(), e.security().label());
        }
    }

    /** The body of {@code PUT /integrations/{external_id}} and {@code POST /verify}. */
    record Body(
            String dealerId,
            String dealerName,
            String contactEmail,
            String adminEmail,
            String email,
            String provider,
            String username,
            Server imap,
            Server smtp,
            List<String> protocols,
            Boolean enabled,
            String password,
            String auth,
            String refreshToken,
            String oauthApp) {
        @Override
        public String toString() {
            return "Body[" + email + "]"; // never the password or the refresh token
        }
    }

    /**
     * An integration out: the {@code integrations list --json} fields (external id, servers and protocols included);
     * {@code oauth_app} is the OAuth app whose token endpoint its checks use (the named one or the provider's
     * default), null when it signs in with a password.
     */
    public record View(
            long id,
            String externalId,
            String dealerId,
            String dealerName,
            String email,
            String contactEmail,
            String adminEmail,
            String provider,
            String username,
            String auth,
            String oauthApp,
            List<String> protocols,
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
            Instant passwordChangedAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<IntegrationInput.Warning> warnings) {
        /** The view of {@code i}, known to the dealer system as {@code externalId} (null when it has none). */
        public static View of(Integration i, String externalId) {
            return new View(
                    i.id(),
                    externalId,
                    i.dealerId(),
                    i.dealerName(),
                    i.email(),
                    i.contactEmail(),
                    i.adminEmail(),
                    i.provider(),
                    i.username(),
                    i.signIn().auth().label(),
                    i.signIn().oauth() ? i.signIn().app(i.provider()) : null,
                    protocols(i),
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
                    i.passwordChangedAt(),
                    null);
        }

        /** The answer to a PUT: the view with what the input probably got wrong (an empty list when nothing). */
        View withWarnings(List<IntegrationInput.Warning> list) {
            return new View(
                    id,
                    externalId,
                    dealerId,
                    dealerName,
                    email,
                    contactEmail,
                    adminEmail,
                    provider,
                    username,
                    auth,
                    oauthApp,
                    protocols,
                    imap,
                    smtp,
                    state,
                    enabled,
                    canary,
                    lastOutcome,
                    lastCheckedAt,
                    lastSuccessAt,
                    nextCheckAt,
                    stateSince,
                    passwordChangedAt,
                    List.copyOf(list));
        }

        private static List<String> protocols(Integration i) {
            return EnumSet.copyOf(i.protocols()).stream().map(Protocol::label).toList();
        }
    }

    /** {@code GET .../credential}: the one answer that carries a password. */
    record Credential(String password) {
        @Override
        public String toString() {
            return "Credential[***]";
        }
    }

    /** A page of a listing. */
    record Page(List<View> items, String nextCursor) {}

    /** The {@code check --json} object. */
    public record CheckView(long id, String email, String provider, String state, List<ProtocolView> checks) {
        /** {@code i} (as it is after the check) with the check's results. */
        public static CheckView of(Integration i, List<ProbeResult> results) {
            return new CheckView(
                    i.id(),
                    i.email(),
                    i.provider(),
                    i.state().name(),
                    results.stream().map(ProtocolView::of).toList());
        }
    }

    public record ProtocolView(String protocol, String outcome, long durationMs, String detail) {
        static ProtocolView of(ProbeResult r) {
            return new ProtocolView(
                    r.protocol().label(), r.outcome().name(), r.duration().toMillis(), r.detail());
        }
    }

    /** {@code GET .../history}: recent checks and state changes, newest first (as {@code history --json}). */
    public record HistoryView(
            long id,
            String externalId,
            String email,
            String state,
            List<HistoryCheck> checks,
            List<CheckHistory.TransitionRecord> transitions) {
        public static HistoryView of(
                Integration i,
                String externalId,
                List<CheckRecord> checks,
                List<CheckHistory.TransitionRecord> transitions) {
            return new HistoryView(
                    i.id(),
                    externalId,
                    i.email(),
                    i.state().name(),
                    checks.stream().map(HistoryCheck::of).toList(),
                    transitions);
        }
    }

    public record HistoryCheck(Instant checkedAt, String protocol, String outcome, long durationMs, String detail) {
        static HistoryCheck of(CheckRecord c) {
            return new HistoryCheck(
                    c.checkedAt(), c.protocol().label(), c.outcome().name(), c.durationMs(), c.detail());
        }
    }
}
