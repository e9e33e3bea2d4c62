package com.dts.apm.cli;

import com.dts.apm.api.ApiJson;
import com.dts.apm.check.Capacity;
import com.dts.apm.config.Durations;
import com.dts.apm.store.IntegrationState;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code status}: integration counts by provider and state, and whether each provider's round of checks fits its
 * interval under the login limits (a warning line on standard error when one does not).
 */
@Command(
        name = "status",
        description = "Integration counts by provider and state, and the schedule's capacity.",
        mixinStandardHelpOptions = true)
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Option(names = "--json", description = "An object: provider -> state -> count, totals, and capacity per provider.")
    boolean json;

    @Override
    public Integer call() {
        var ws = root.workspace();
        var counts = ws.snapshots().countsByProviderAndState();
        var totals = new TreeMap<IntegrationState, Long>();
        counts.values().forEach(m -> m.forEach((s, n) -> totals.merge(s, n, Long::sum)));
        var out = root.terminal.out();
        var capacity = Capacity.of(
                ws.snapshots().loginsPerRound(), ws.catalog(), ws.config().schedule());
        for (var line : capacity) {
            if (!line.fits()) {
                root.terminal.err().println("warning: " + line.warning());
            }
        }
        if (json) {
            var rows = capacity.stream()
                    .map(l -> {
                        var m = new LinkedHashMap<String, Object>();
                        m.put("provider", l.provider());
                        m.put("logins_per_round", l.logins());
                        m.put("hosts", l.hosts());
                        m.put("interval_seconds", l.interval().toSeconds());
                        m.put("needed_per_second", round(l.needed()));
                        m.put("allowed_per_second", round(l.allowed()));
                        m.put("ratio", round(l.ratio()));
                        return m;
                    })
                    .toList();
            out.println(ApiJson.text(Map.of("providers", counts, "totals", totals, "capacity", rows)));
            return 0;
        }
        var states = IntegrationState.values();
        out.printf("%-12s", "PROVIDER");
        for (var s : states) {
            out.printf(" %9s", s);
        }
        out.println();
        counts.forEach((provider, byState) -> {
            out.printf("%-12s", provider);
            for (var s : states) {
                out.printf(" %9d", byState.getOrDefault(s, 0L));
            }
            out.println();
        });
        out.printf("%-12s", "total");
        for (var s : states) {
            out.printf(" %9d", totals.getOrDefault(s, 0L));
        }
        out.println();
        if (!capacity.isEmpty()) {
            out.println();
            out.printf(
                    "%-12s %12s %6s %9s %10s %10s %6s%n",
                    "CAPACITY", "LOGINS/ROUND", "HOSTS", "INTERVAL", "NEEDED/S", "ALLOWED/S", "RATIO");
            for (var l : capacity) {
                out.printf(
                        Locale.ROOT,
                        "%-12s %12d %6d %9s %10.2f %10.2f %6.2f%n",
                        l.provider(),
                        l.logins(),
                        l.hosts(),
                        Durations.format(l.interval()),
                        l.needed(),
                        l.allowed(),
                        l.ratio());
            }
        }
        return 0;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
