package com.dts.apm.cli;

import com.dts.apm.api.ApiJson;
import com.dts.apm.api.IntegrationJson.HistoryView;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code history ID}: recent checks and state changes of one integration. */
@Command(
        name = "history",
        description = "Recent checks and state changes of one integration.",
        mixinStandardHelpOptions = true)
final class HistoryCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Parameters(paramLabel = "ID")
    long id;

    @Option(names = "--limit", defaultValue = "20", description = "How many of each (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json")
    boolean json;

    @Override
    public Integer call() {
        var ws = root.workspace();
        var i = ws.integrations().get(id);
        var checks = ws.history().checks(id, limit);
        var transitions = ws.history().transitions(id, limit);
        var out = root.terminal.out();
        if (json) {
            var ext = ws.integrations().externalId(id).orElse(null);
            out.println(ApiJson.text(HistoryView.of(i, ext, checks, transitions)));
            return 0;
        }
        out.printf("%d %s (%s): %s%n%nchecks (newest first):%n", i.id(), i.email(), i.provider(), i.state());
        for (var c : checks) {
            out.printf(
                    "  %s  %-4s %-21s %6d ms  %s%n",
                    IntegrationsCommand.time(c.checkedAt()),
                    c.protocol().label(),
                    c.outcome(),
                    c.durationMs(),
                    c.detail() == null ? "" : c.detail());
        }
        if (checks.isEmpty()) {
            out.println("  (none yet)");
        }
        out.printf("%nstate changes (newest first):%n");
        for (var t : transitions) {
            out.printf(
                    "  %s  %s -> %s  %s%n",
                    IntegrationsCommand.time(t.at()), t.from(), t.to(), t.reason() == null ? "" : t.reason());
        }
        if (transitions.isEmpty()) {
            out.println("  (none yet)");
        }
        return 0;
    }
}
