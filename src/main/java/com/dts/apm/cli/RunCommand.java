package com.dts.apm.cli;

import com.dts.apm.app.App;
import com.dts.apm.app.Logs;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import sun.misc.Signal;

/** {@code run}: the daemon, in the foreground, until SIGTERM or SIGINT; exits 0 after a clean stop. */
@Command(name = "run", description = "Run the daemon in the foreground (systemd runs this).", mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Override
    public Integer call() throws InterruptedException {
        var stop = new CountDownLatch(1);
        // Handle the signals ourselves so a stop is orderly and exits 0 instead of the JVM's 143.
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        Logs.configure(root.config().logging(), root.terminal.env());
        try (var app = App.start(root.config(), root.terminal.env(), Clock.systemUTC())) {
            stop.await();
        }
        return 0;
    }
}
