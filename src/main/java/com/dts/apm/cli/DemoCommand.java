package com.dts.apm.cli;

import com.dts.apm.demo.Demo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code demo}: the whole loop against a sandbox mail server, for a newcomer with no real mailbox. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Show the whole loop in about a minute with no real mailbox: a sandbox mail server, six dealers,",
                "two revoked app passwords, the alert emails (saved as .eml) and the metrics.",
                "Ignores --config: it writes its own into the demo folder."})
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "A new or empty folder for the demo's config, database, key and emails (default: a new temporary folder).")
    Path dir;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "How long each step may wait before the demo gives up (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws IOException, InterruptedException {
        var folder = dir != null ? dir : Files.createTempDirectory("apm-demo-");
        PrintStream out = root.terminal.out();
        out.printf("app-password-monitor demo in %s%n", folder);
        new Demo(folder, out, Duration.ofSeconds(timeoutSeconds)).run();
        return 0;
    }
}
