package com.dts.apm.cli;

import com.dts.apm.store.IntegrationState;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code status}: integration counts by provider and state. */
@Command(name = "status", description = "Integration counts by provider and state.", mixinStandardHelpOptions = true)
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Option(names = "--json", description = "An object: provider -> state -> count, plus totals.")
    boolean json;

    @Override
    public Integer call() {
        var ws = root.workspace();
        var counts = ws.snapshots().countsByProviderAndState();
        var totals = new TreeMap<IntegrationState, Long>();
        counts.values().forEach(m -> m.forEach((s, n) -> totals.merge(s, n, Long::sum)));
        var out = root.terminal.out();
        if (json) {
            out.println(Json.write(Map.of("providers", counts, "totals", totals)));
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
        return 0;
    }
}
