package com.dts.apm.alert;

import com.dts.apm.config.Config;
import com.dts.apm.notify.AlertComposer;
import com.dts.apm.notify.AlertContext;
import com.dts.apm.notify.ComposedEmail;
import com.dts.apm.notify.DeliveryResult;
import com.dts.apm.notify.MessageFactory;
import com.dts.apm.notify.OpsNotice;
import com.dts.apm.notify.RelaySender;
import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.store.CheckHistory;
import com.dts.apm.store.Integration;
import com.dts.apm.store.IntegrationState;
import com.dts.apm.store.IntegrationStore;
import com.dts.apm.store.Outbox;
import com.dts.apm.store.OutboxStatus;
import com.dts.apm.store.ReconnectLinks;
import jakarta.mail.internet.MimeMessage;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers due outbox rows through the relay: renders each alert from the integration as it stands now,
 * records the result, retries with backoff while the relay is down (the round stops at the first such
 * failure, and the relay itself is tried again only after the same backoff), and on a permanent 5xx refusal of a dealer address marks it bouncing and moves the alert to the
 * dealer's admin contact. Delivery is at least once: only a crash between the relay's acceptance and
 * {@code markSent} repeats an email, with the same Message-ID.
 */
public final class OutboxSender {
    private static final Logger log = LoggerFactory.getLogger(OutboxSender.class);
    static final int BATCH = 50;
    /** From this many ops notices due at once, ops get one digest instead. */
    static final int DIGEST_FROM = 3;

    static final int DIGEST_MAX = 500;

    private final Outbox outbox;
    private final IntegrationStore integrations;
    private final CheckHistory checks;
    private final ProviderCatalog catalog;
    private final AlertComposer composer;
    private final MessageFactory messages;
    private final RelaySender relay;
    private final Config.Alerts config;
    private final Clock clock;
    private final BiConsumer<AlertKind, String> counter;
    /** Rounds in a row that found the relay down, and when to knock again: the relay gets backoff too. */
    private int downRounds;

    private Instant nextRelayTry = Instant.MIN;
    private final ReconnectLinks links; // null: reconnect.enabled is false
    private final Config.Reconnect reconnect;
    private final String publicUrl;

    /**
     * {@code counter} counts a final dealer-mail result: (kind, {@code sent} or {@code failed}). With {@code links}
     * (reconnect.enabled; else null, and so are {@code reconnect} and {@code publicUrl}) each failure email and
     * reminder a new password can fix links to {@code publicUrl}/reconnect/{token}, a link made as the mail is
     * rendered and kept only when the relay takes it.
     */
    public OutboxSender(
            Outbox outbox,
            IntegrationStore integrations,
            CheckHistory checks,
            ProviderCatalog catalog,
            AlertComposer composer,
            MessageFactory messages,
            RelaySender relay,
            Config.Alerts config,
            Clock clock,
            BiConsumer<AlertKind, String> counter,
            ReconnectLinks links,
            Config.Reconnect reconnect,
            String publicUrl) {
        this.links = links;
        this.reconnect = reconnect;
        this.publicUrl = publicUrl == null ? null : publicUrl.replaceAll("/+$", "");
        this.outbox = outbox;
        this.integrations = integrations;
        this.checks = checks;
        this.catalog = catalog;
        this.composer = composer;
        this.messages = messages;
        this.relay = relay;
        this.config = config;
        this.clock = clock;
        this.counter = counter;
    }

    public boolean relayConfigured() {
        return relay.isConfigured();
    }

    /** Delivers what is due now; returns how many were handed to the relay. Without a relay, nothing moves. */
    public int deliverDue() {
        return deliverDue(Set.of());
    }

    /**
     * As {@link #deliverDue()}, holding instead of sending any dealer mail of the {@code holding} providers (an
     * alert queued by a check after the storm guard's look of this round).
     */
    public synchronized int deliverDue(Set<String> holding) {
        if (!relay.isConfigured() || clock.instant().isBefore(nextRelayTry)) {
            return 0;
        }
        int sent = roundTrip(holding);
        if (sent < 0) {
            downRounds++;
            nextRelayTry = clock.instant().plus(config.retry().after(downRounds));
            return 0;
        }
        downRounds = 0;
        return sent;
    }

    /** One delivery round; the number handed to the relay, or -1 when the relay was found down. */
    private int roundTrip(Set<String> holding) {
        int sent = 0;
        var ops = outbox.listDue(clock.instant(), AlertKind.OPS, DIGEST_MAX);
        if (ops.size() >= DIGEST_FROM) {
            var r = digest(ops);
            if (r == Step.RELAY_DOWN) {
                return -1;
            }
            sent += r == Step.SENT ? 1 : 0;
        }
        for (var alert : outbox.listDue(clock.instant(), BATCH)) {
            if (holding.contains(alert.provider()) && alert.kind().toDealer()) {
                outbox.hold(alert.provider(), AlertKind.TO_DEALER);
                continue;
            }
            var r = deliver(alert);
            if (r == Step.SENT) {
                sent++;
            } else if (r == Step.RELAY_DOWN) {
                return -1; // the rest would fail the same way; they stay due for the next round
            }
        }
        return sent;
    }

    enum Step {
        SENT,
        DONE,
        RELAY_DOWN
    }

    Step deliver(Outbox.Alert alert) {
        var now = clock.instant();
        var kind = alert.kind();
        if (kind == AlertKind.STORM) {
            return send(
                    alert,
                    OpsNotice.fromNote(alert.note() == null ? "" : alert.note()),
                    alert.recipient(),
                    null,
                    false);
        }
        Optional<Integration> found =
                alert.integrationId() == null ? Optional.empty() : integrations.find(alert.integrationId());
        if (found.isEmpty()) {
            outbox.markDropped(alert.id(), "the integration was removed");
            return Step.DONE;
        }
        var i = found.get();
        var stale = stale(kind, i, outbox);
        if (stale.isPresent()) {
            outbox.markDropped(alert.id(), stale.get());
            log.info("alert {} ({}) dropped: {}", alert.id(), kind.label(), stale.get());
            return Step.DONE;
        }
        var to = alert.recipient();
        if (kind.toDealer() && outbox.isBouncing(to)) {
            var admin = fallbackAddress(i.id(), to);
            if (admin.isEmpty()) {
                return fail(alert, to + " bounces and the dealer has no other contact");
            }
            outbox.redirect(alert.id(), admin.get(), now, to + " bounces; sent to the admin contact instead");
            to = admin.get();
        }
        ComposedEmail mail;
        String token = null;
        try {
            boolean oauth = i.signIn().oauth();
            // the hosted reconnect page takes an app password: an OAuth mailbox reconnects in the dealer system
            token = oauth ? null : issueLink(alert, kind, i);
            mail = composer.compose(context(alert, kind, i, token, oauth));
        } catch (RuntimeException e) {
            revoke(token);
            return fail(alert, "cannot render: " + e.getMessage());
        }
        var step = send(alert, mail, to, kind.toDealer() ? i.dealerName() : null, kind.toDealer());
        if (step != Step.SENT) {
            revoke(token);
        }
        return step;
    }

    /** Outcomes a new password entered on the reconnect page can fix (a locked account may need one after the unlock). */
    static final Set<Outcome> RECONNECTABLE =
            Set.of(Outcome.AUTH_REJECTED, Outcome.APP_PASSWORD_REQUIRED, Outcome.ACCOUNT_LOCKED);

    /** A reconnect link's token for this failure email or reminder; null when it gets the plain alerts.reconnect-url. */
    private String issueLink(Outbox.Alert alert, AlertKind kind, Integration i) {
        if (links == null || alert.incidentId() == null || !(kind == AlertKind.FAILURE || kind == AlertKind.REMINDER)) {
            return null;
        }
        var outcome = alert.outcome() != null ? alert.outcome() : i.lastOutcome();
        if (outcome == null || !RECONNECTABLE.contains(outcome)) {
            return null;
        }
        return links.issue(i.id(), alert.incidentId(), outcome, reconnect.linkTtl());
    }

    private void revoke(String token) {
        if (token != null) {
            links.revoke(token);
        }
    }

    /**
     * Why a dealer alert no longer says what is true; empty when it still does. An alert can wait (relay down, backoff,
     * held by the storm guard) while the mailbox changes: a failure or reminder for a mailbox that works again would
     * send the dealer to fix what is fixed, and a recovery note is news only to a dealer who got the failure email.
     */
    static Optional<String> stale(AlertKind kind, Integration i, Outbox outbox) {
        return switch (kind) {
            case FAILURE, REMINDER ->
                i.state() == IntegrationState.FAILING
                        ? Optional.empty()
                        : Optional.of("the mailbox left FAILING before the " + kind.label() + " went out");
            case RECOVERY ->
                outbox.findLatestFailureStatus(i.id())
                                .filter(OutboxStatus.SENT::equals)
                                .isPresent()
                        ? Optional.empty()
                        : Optional.of("the dealer never got the failure email this recovery note answers");
            case OPS, STORM -> Optional.empty();
        };
    }

    private AlertContext context(Outbox.Alert alert, AlertKind kind, Integration i, String token, boolean oauth) {
        var spec = catalog.find(i.provider()).orElseGet(() -> catalog.get(ProviderCatalog.CUSTOM));
        var outcome =
                alert.outcome() != null ? alert.outcome() : (i.lastOutcome() != null ? i.lastOutcome() : Outcome.OK);
        if (oauth
                && kind.toDealer()
                && (outcome == Outcome.AUTH_REJECTED || outcome == Outcome.APP_PASSWORD_REQUIRED)) {
            // An OAuth mailbox has no app password: the mail server refusing a fresh access token is fixed the way a
            // revoked grant is, by connecting the mailbox again with Sign in with Google / Microsoft.
            outcome = Outcome.TOKEN_REVOKED;
        }
        String detail = null;
        if (kind == AlertKind.OPS) {
            detail = checks.checks(i.id(), 5).stream()
                    .filter(c -> !c.outcome().isOk())
                    .findFirst()
                    .map(c -> c.detail())
                    .orElse(null);
        }
        if (token != null) {
            return new AlertContext(
                    config.productName(),
                    i.dealerName(),
                    i.email(),
                    spec,
                    outcome,
                    kind,
                    i.id(),
                    publicUrl + "/reconnect/" + token,
                    config.supportContact(),
                    i.problemSince(),
                    alert.reminderNumber(),
                    detail);
        }
        return AlertContext.of(
                config,
                i.dealerName(),
                i.email(),
                spec,
                outcome,
                kind,
                i.id(),
                i.problemSince(),
                alert.reminderNumber(),
                detail);
    }

    private Step send(Outbox.Alert alert, ComposedEmail mail, String to, String toName, boolean dealer) {
        MimeMessage message;
        try {
            message = messages.create(mail, to, toName, Long.toString(alert.id()));
        } catch (IllegalArgumentException e) {
            // a recipient with a line break and the like: refused before any byte reaches the relay
            return fail(alert, "refused to build the message: " + e.getMessage());
        }
        DeliveryResult r = relay.send(message);
        var now = clock.instant();
        switch (r.status()) {
            case DELIVERED -> {
                outbox.markSent(alert.id(), now);
                if (alert.kind().toDealer()) {
                    counter.accept(alert.kind(), "sent");
                }
                log.info("alert {} ({}) sent to {}", alert.id(), alert.kind().label(), to);
                return Step.SENT;
            }
            case PERMANENT_REJECTION -> {
                if (dealer) {
                    outbox.recordBouncing(to, now, r.detail());
                    log.warn(
                            "alert {} ({}): the relay refused {} for good; no more mail goes there: {}",
                            alert.id(),
                            alert.kind().label(),
                            to,
                            r.detail());
                    var admin = alert.integrationId() == null
                            ? Optional.<String>empty()
                            : fallbackAddress(alert.integrationId(), to);
                    if (admin.isPresent()) {
                        outbox.redirect(alert.id(), admin.get(), now, "refused for " + to + ": " + r.detail());
                        log.info("alert {} moves to the dealer's admin contact", alert.id());
                        return Step.DONE;
                    }
                }
                return fail(alert, r.detail());
            }
            default -> {
                var next = now.plus(config.retry().after(alert.attempts() + 1));
                outbox.markRetry(alert.id(), next, r.detail());
                log.warn(
                        "alert {} ({}) not delivered, retry at {}: {}",
                        alert.id(),
                        alert.kind().label(),
                        next,
                        r.detail());
                return Step.RELAY_DOWN;
            }
        }
    }

    /** Many ops notices at once (a wave of TLS errors, our own network down): one email per ops address. */
    private Step digest(List<Outbox.Alert> alerts) {
        var byRecipient = new TreeMap<String, List<Outbox.Alert>>(String.CASE_INSENSITIVE_ORDER);
        alerts.forEach(a -> byRecipient
                .computeIfAbsent(a.recipient(), k -> new ArrayList<>())
                .add(a));
        var result = Step.DONE;
        for (var group : byRecipient.entrySet()) {
            var lines = new ArrayList<OpsNotice.DigestLine>();
            for (var a : group.getValue()) {
                var i = a.integrationId() == null
                        ? Optional.<Integration>empty()
                        : integrations.find(a.integrationId());
                lines.add(new OpsNotice.DigestLine(
                        a.provider(),
                        i.map(Integration::email).orElse("(removed)"),
                        i.map(Integration::dealerName).orElse(""),
                        a.outcome() == null ? "-" : a.outcome().name(),
                        i.map(Integration::problemSince).orElse(null)));
            }
            var first = group.getValue().get(0);
            MimeMessage message;
            try {
                message = messages.create(
                        OpsNotice.digest(config.productName(), lines), group.getKey(), null, "digest-" + first.id());
            } catch (IllegalArgumentException e) {
                group.getValue()
                        .forEach(a -> outbox.markFailed(a.id(), "refused to build the message: " + e.getMessage()));
                continue;
            }
            var r = relay.send(message);
            var now = clock.instant();
            switch (r.status()) {
                case DELIVERED -> {
                    group.getValue().forEach(a -> outbox.markSent(a.id(), now));
                    log.info("ops digest of {} notice(s) sent to {}", lines.size(), group.getKey());
                    result = Step.SENT;
                }
                case PERMANENT_REJECTION -> group.getValue().forEach(a -> outbox.markFailed(a.id(), r.detail()));
                default -> {
                    var next = now.plus(config.retry().after(first.attempts() + 1));
                    group.getValue().forEach(a -> outbox.markRetry(a.id(), next, r.detail()));
                    return Step.RELAY_DOWN;
                }
            }
        }
        return result;
    }

    private Optional<String> fallbackAddress(long integrationId, String bouncing) {
        return outbox.findAdminContact(integrationId)
                .filter(a -> !a.equalsIgnoreCase(bouncing))
                .filter(a -> !outbox.isBouncing(a));
    }

    private Step fail(Outbox.Alert alert, String why) {
        outbox.markFailed(alert.id(), why);
        if (alert.kind().toDealer()) {
            counter.accept(alert.kind(), "failed");
        }
        log.error("alert {} ({}) given up: {}", alert.id(), alert.kind().label(), why);
        return Step.DONE;
    }
}
