package com.dts.apm.cli;

import com.dts.apm.app.App;
import com.dts.apm.process.Logs;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code run}: the daemon, in the foreground, until SIGTERM or SIGINT; exits 0 after a clean stop, also when the
 * signal comes during start-up (it stops between start-up steps, never in the middle of one).
 */
@Command(
        name = "run",
        description = "Run the daemon in the foreground (systemd runs this).",
        mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Override
    @SuppressWarnings("try") // the daemon runs until the stop signal; close() stops it in order
    public Integer call() throws InterruptedException {
        var stop = root.stop;
        stop.claim(); // main took the signals first; from here they stop the daemon in order (exit 0, not 143)
        var config = root.config();
        Logs.configure(config.logging(), root.terminal.env());
        var started = App.start(config, root.terminal.env(), Clock.systemUTC(), stop::requested);
        if (started.isPresent()) {
            try (var app = started.get()) {
                stop.await();
            }
        }
        return 0;
    }
}
