package com.dts.apm.cli;

import com.dts.apm.BadInputException;
import com.dts.apm.alert.StormGuard;
import com.dts.apm.api.ApiJson;
import com.dts.apm.app.Alerting;
import com.dts.apm.app.Workspace;
import com.dts.apm.store.IntegrationInput;
import com.dts.apm.store.Storms;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.ToIntBiFunction;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code alerts held}: dealer emails the storm guard holds, per provider; {@code release} and {@code drop} decide. */
@Command(
        name = "held",
        mixinStandardHelpOptions = true,
        description = "List dealer emails held by the storm guard (a provider-wide wave), per provider.")
final class AlertsHeld implements Callable<Integer> {
    @ParentCommand
    AlertsCommand alerts;

    @Option(names = "--json", description = "A JSON array, one object per held email.")
    boolean json;

    /** One held email as JSON shows it. */
    record HeldView(
            long id,
            String provider,
            String kind,
            String outcome,
            Long integrationId,
            String recipient,
            Instant createdAt,
            Instant stormSince,
            String stormReason) {}

    @Override
    public Integer call() {
        var ws = alerts.root.workspace();
        var held = ws.outbox().listHeld(null);
        Map<String, Storms.Storm> storms =
                ws.storms().list().stream().collect(Collectors.toMap(Storms.Storm::provider, Function.identity()));
        var out = alerts.root.terminal.out();
        if (json) {
            out.println(ApiJson.text(held.stream()
                    .map(a -> {
                        var s = storms.get(a.provider());
                        return new HeldView(
                                a.id(),
                                a.provider(),
                                a.kind().label(),
                                a.outcome() == null ? null : a.outcome().name(),
                                a.integrationId(),
                                a.recipient(),
                                a.createdAt(),
                                s == null ? null : s.startedAt(),
                                s == null ? null : s.reason());
                    })
                    .toList()));
            return 0;
        }
        var counts = new TreeMap<String, Long>();
        held.forEach(a -> counts.merge(a.provider(), 1L, Long::sum));
        storms.keySet().forEach(p -> counts.putIfAbsent(p, 0L));
        if (counts.isEmpty()) {
            out.println("no dealer emails are held");
            return 0;
        }
        out.printf("%-12s %6s  %-17s  %s%n", "PROVIDER", "HELD", "WAVE SINCE", "WHY");
        counts.forEach((p, n) -> {
            var s = storms.get(p);
            out.printf(
                    "%-12s %6d  %-17s  %s%n",
                    p,
                    n,
                    s == null ? "(passed)" : IntegrationsCommand.time(s.startedAt()),
                    s == null ? "-" : s.reason() + (s.released() ? " (released by an operator)" : ""));
        });
        return 0;
    }

    private static String provider(Workspace ws, String provider) {
        var p = provider.trim();
        boolean known = ws.catalog().find(p).isPresent()
                || !ws.outbox().listHeld(p).isEmpty()
                || ws.storms().find(p).isPresent();
        if (!known) {
            throw new BadInputException("unknown provider '" + IntegrationInput.printable(p) + "' (known: "
                    + String.join(", ", ws.catalog().ids()) + ")");
        }
        return p;
    }

    /** {@code alerts release|drop --provider P}: an operator's decision about the emails held for one provider. */
    abstract static class Decision implements Callable<Integer> {
        @ParentCommand
        AlertsCommand alerts;

        @Option(names = "--provider", required = true, paramLabel = "P")
        String provider;

        private final ToIntBiFunction<StormGuard, String> decide;
        private final String done;

        /** @param done what the operator is told: a format of the number of emails moved and the provider */
        Decision(ToIntBiFunction<StormGuard, String> decide, String done) {
            this.decide = decide;
            this.done = done;
        }

        @Override
        public Integer call() {
            var ws = alerts.root.workspace();
            var p = provider(ws, provider);
            alerts.root.terminal.out().println(String.format(done, decide.applyAsInt(Alerting.stormGuard(ws), p), p));
            return 0;
        }
    }

    /** {@code alerts release --provider P}: send the held emails now; the wave holds no more. */
    @Command(
            name = "release",
            mixinStandardHelpOptions = true,
            description = "Send the dealer emails held for a provider now, and stop holding for the rest of its wave.")
    static final class Release extends Decision {
        Release() {
            super(StormGuard::release, "released %d held email(s) of %s: the daemon sends them now");
        }
    }

    /** {@code alerts drop --provider P}: the held emails are never sent. */
    @Command(
            name = "drop",
            mixinStandardHelpOptions = true,
            description =
                    "Never send the dealer emails held for a provider (while its wave lasts, new ones are still held).")
    static final class Drop extends Decision {
        Drop() {
            super(StormGuard::drop, "dropped %d held email(s) of %s");
        }
    }
}
