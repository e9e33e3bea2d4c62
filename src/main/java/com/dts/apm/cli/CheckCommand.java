package com.dts.apm.cli;

import com.dts.apm.BadInputException;
import com.dts.apm.api.ApiJson;
import com.dts.apm.api.IntegrationJson.CheckView;
import com.dts.apm.app.Verification;
import com.dts.apm.check.CheckListener;
import com.dts.apm.check.CheckService;
import com.dts.apm.store.Integration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code check ID...} / {@code check --all}: verifies now, records the result exactly as the daemon would,
 * and prints it. Exit 0 when every login worked, 1 when any failed.
 */
@Command(
        name = "check",
        description = "Verify integrations now and record the results.",
        mixinStandardHelpOptions = true)
final class CheckCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Parameters(paramLabel = "ID", arity = "0..*", description = "Integrations to check.")
    List<Long> ids = new ArrayList<>();

    @Option(
            names = "--all",
            description = "Check every enabled integration (concurrently, within the configured limits).")
    boolean all;

    @Option(names = "--json", description = "One JSON object per integration, one per line.")
    boolean json;

    /** One line of {@code check --json}. */
    @Override
    public Integer call() throws Exception {
        if (all == !ids.isEmpty()) {
            throw new BadInputException("give integration ids or --all (not both)");
        }
        var ws = root.workspace();
        List<Integration> targets = all
                ? ws.integrations().list().stream().filter(Integration::enabled).toList()
                : ids.stream().map(ws.integrations()::get).toList();
        if (targets.isEmpty()) {
            root.terminal.err().println("no enabled integrations to check");
            return 0;
        }
        var terminal = root.terminal;
        var failed = new AtomicInteger();
        var done = new AtomicInteger();
        try (var verification = new Verification(ws, CheckListener.NONE)) {
            int threads = Math.min(targets.size(), ws.config().schedule().maxConcurrentChecks());
            var pool = Executors.newFixedThreadPool(threads);
            try {
                var futures = new ArrayList<Future<CheckService.Report>>();
                for (var i : targets) {
                    futures.add(pool.submit(() -> verification.service().check(i)));
                }
                for (var f : futures) {
                    var report = get(f);
                    if (!report.outcome().isOk()) {
                        failed.incrementAndGet();
                    }
                    synchronized (terminal.out()) {
                        print(report);
                    }
                    if (terminal.errIsTty() && targets.size() > 1) {
                        terminal.err().print("\rchecked " + done.incrementAndGet() + "/" + targets.size());
                    }
                }
                if (terminal.errIsTty() && targets.size() > 1) {
                    terminal.err().println();
                }
            } finally {
                pool.shutdownNow();
            }
        }
        return failed.get() == 0 ? 0 : 1;
    }

    private static CheckService.Report get(Future<CheckService.Report> f) throws Exception {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private void print(CheckService.Report r) {
        var out = root.terminal.out();
        var i = r.after().orElse(r.before());
        if (json) {
            out.println(ApiJson.text(CheckView.of(i, r.results())));
            return;
        }
        out.printf("%d %s (%s): %s%n", i.id(), i.email(), i.provider(), i.state());
        for (var p : r.results()) {
            out.printf(
                    "  %-4s %-21s %6d ms  %s%n",
                    p.protocol().label(), p.outcome(), p.duration().toMillis(), p.detail() == null ? "" : p.detail());
        }
    }
}
