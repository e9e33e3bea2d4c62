package com.dts.apm.alert;

import com.dts.apm.config.Config;
import com.dts.apm.config.Durations;
import com.dts.apm.notify.OpsNotice;
import com.dts.apm.provider.AlertKind;
import com.dts.apm.store.IntegrationStore;
import com.dts.apm.store.Outbox;
import com.dts.apm.store.Storms;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Never emails a thousand dealers for a provider's problem. A provider is in a wave when, within
 * {@code storm-guard.window}, at least {@code min-count} of its dealer integrations and at least
 * {@code share} of them turned dealer-actionable, or when one of its canaries fails. Then its pending dealer
 * mail is HELD and ops hear of it (log, {@code apm_alerts_held}, an email to {@code alerts.ops-email}).
 * The wave has passed when neither holds any more and fewer than {@code min-count} of the mailboxes that
 * failed during it still fail: held mail of mailboxes still FAILING is released, the rest dropped.
 * An operator may decide earlier with {@link #release} or {@link #drop}.
 */
public final class StormGuard {
    private static final Logger log = LoggerFactory.getLogger(StormGuard.class);
    /** Outbox kinds addressed to dealers: what a wave holds. */
    private final Storms storms;

    private final Outbox outbox;
    private final IntegrationStore integrations;
    private final Config.Alerts config;
    private final Clock clock;

    public StormGuard(Storms storms, Outbox outbox, IntegrationStore integrations, Config.Alerts config, Clock clock) {
        this.storms = storms;
        this.outbox = outbox;
        this.integrations = integrations;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Looks at every provider: starts, keeps or ends waves, holding dealer mail accordingly. Returns the
     * providers whose dealer mail is held after this look, for the delivery round that follows.
     */
    public java.util.Set<String> evaluate() {
        var holding = new java.util.TreeSet<String>();
        var now = clock.instant();
        var guard = config.stormGuard();
        var windowStart = now.minus(guard.window());
        var waves = storms.measure(windowStart);
        var active = storms.list();
        var seen = new HashSet<String>();
        for (var storm : active) {
            seen.add(storm.provider());
            var wave = waves.get(storm.provider());
            boolean trigger = wave != null && reason(wave).isPresent();
            long still = storms.stillFailing(storm.provider(), storm.startedAt().minus(guard.window()));
            if (!trigger && still < guard.minCount()) {
                end(storm, now);
            } else if (!storm.released()) {
                outbox.hold(storm.provider(), AlertKind.TO_DEALER);
                holding.add(storm.provider());
            }
        }
        for (var wave : waves.values()) {
            if (seen.contains(wave.provider())) {
                continue;
            }
            var why = reason(wave);
            if (why.isPresent() && storms.start(wave.provider(), now, why.get())) {
                int held = outbox.hold(wave.provider(), AlertKind.TO_DEALER);
                holding.add(wave.provider());
                log.warn(
                        "storm guard: provider-wide wave at {} ({}): holding its dealer alerts ({} so far) for ops to decide"
                                + " (alerts held / release / drop)",
                        wave.provider(),
                        why.get(),
                        held);
                notifyOps(
                        wave.provider(),
                        OpsNotice.toNote(
                                OpsNotice.started(config.productName(), wave.provider(), now, why.get(), held)),
                        now);
            }
        }
        return holding;
    }

    /** Why this provider is in a wave; empty when it is not. */
    Optional<String> reason(Storms.Wave w) {
        var guard = config.stormGuard();
        if (w.canariesFailing() > 0) {
            return Optional.of(w.canariesFailing() + " canary mailbox(es) fail too: the failure is the provider's");
        }
        if (w.turned() >= guard.minCount() && w.turned() >= Math.ceil(guard.share() * w.total())) {
            return Optional.of(
                    w.turned() + " of " + w.total() + " mailboxes failed within " + Durations.format(guard.window()));
        }
        return Optional.empty();
    }

    private void end(Storms.Storm storm, Instant now) {
        if (!storm.released()) {
            outbox.hold(
                    storm.provider(),
                    AlertKind.TO_DEALER); // what was queued since the last round is decided the same way
        }
        long released = 0;
        long dropped = 0;
        for (var alert : outbox.listHeld(storm.provider())) {
            var i = alert.integrationId() == null
                    ? null
                    : integrations.find(alert.integrationId()).orElse(null);
            boolean send =
                    i != null && OutboxSender.stale(alert.kind(), i, outbox).isEmpty();
            if (send) {
                outbox.releaseOne(alert.id(), now);
                released++;
            } else {
                outbox.markDropped(
                        alert.id(), "held during the " + storm.provider() + " wave; the mailbox works again");
                dropped++;
            }
        }
        storms.end(storm.provider());
        log.info(
                "storm guard: the {} wave has passed: {} held alert(s) released (still failing), {} dropped (recovered)",
                storm.provider(),
                released,
                dropped);
        notifyOps(
                storm.provider(),
                OpsNotice.toNote(
                        OpsNotice.ended(config.productName(), storm.provider(), storm.startedAt(), released, dropped)),
                now);
    }

    /** Operator: send the held mail of {@code provider} now, and hold no more for the rest of this wave. */
    public int release(String provider) {
        storms.markReleased(provider);
        int n = outbox.release(provider, clock.instant());
        log.info("storm guard: operator released {} held alert(s) of {}", n, provider);
        return n;
    }

    /** Operator: never send the held mail of {@code provider}; a wave still going keeps holding new mail. */
    public int drop(String provider) {
        int n = outbox.drop(provider);
        log.info("storm guard: operator dropped {} held alert(s) of {}", n, provider);
        return n;
    }

    private void notifyOps(String provider, String note, Instant now) {
        if (config.opsEmail() != null) {
            outbox.queueNotice(AlertKind.STORM, provider, config.opsEmail(), note, now);
        }
    }
}
