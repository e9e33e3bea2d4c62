package com.dts.apm.app;

import com.dts.apm.alert.OutboxSender;
import com.dts.apm.alert.Reminders;
import com.dts.apm.alert.StormGuard;
import com.dts.apm.metrics.Metrics;
import com.dts.apm.notify.AlertComposer;
import com.dts.apm.notify.MessageFactory;
import com.dts.apm.notify.RelaySender;
import com.dts.apm.provider.AlertKind;
import java.util.function.BiConsumer;

/**
 * The alert side of the daemon, built from a workspace: storm guard, outbox sender, reminders, and the one composer
 * (templates compiled once) that the API's verify hints and the reconnect page also speak through.
 */
public record Alerting(StormGuard guard, OutboxSender sender, Reminders reminders, AlertComposer composer) {

    /** Builds them; reads the relay password file and compiles the templates (a bad one stops the start). */
    static Alerting create(Workspace ws, Metrics metrics) {
        return create(ws, metrics::recordNotification);
    }

    /** As above with any counter of final dealer-mail results (kind, sent|failed). */
    static Alerting create(Workspace ws, BiConsumer<AlertKind, String> counter) {
        var alerts = ws.config().alerts();
        var composer = AlertComposer.from(alerts, ws.clock());
        MessageFactory messages;
        try {
            messages = new MessageFactory(alerts.from(), ws.clock());
        } catch (IllegalArgumentException e) {
            throw new com.dts.apm.config.ConfigException("key alerts.from: " + e.getMessage());
        }
        var relay = new RelaySender(ws.relay());
        var guard = stormGuard(ws);
        var reconnect = ws.config().reconnect();
        var sender = new OutboxSender(
                ws.outbox(),
                ws.integrations(),
                ws.history(),
                ws.catalog(),
                composer,
                messages,
                relay,
                alerts,
                ws.clock(),
                counter,
                reconnect.enabled() ? ws.reconnectLinks() : null,
                reconnect,
                ws.config().api().publicUrl());
        var reminders = new Reminders(ws.incidents(), alerts, ws.clock());
        return new Alerting(guard, sender, reminders, composer);
    }

    /** The storm guard alone, for the {@code alerts release|drop} commands. */
    public static StormGuard stormGuard(Workspace ws) {
        return new StormGuard(
                ws.storms(), ws.outbox(), ws.integrations(), ws.config().alerts(), ws.clock());
    }

    /** One round of the alerts task: the storm guard decides what to hold, then due mail goes out. */
    public void sendRound() {
        sender.deliverDue(guard.evaluate());
    }
}
