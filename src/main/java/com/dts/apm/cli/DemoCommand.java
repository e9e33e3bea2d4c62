package com.dts.apm.cli;

import com.dts.apm.ApmException;
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
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Show the whole loop in about a minute with no real mailbox: a sandbox mail server, six dealers,",
            "two revoked app passwords, the alert emails (saved as .eml) and the metrics.",
            "Ignores --config: it writes its own into the demo folder.",
            "Runs from target/app-password-monitor-demo.jar; the service jar (and the .deb) leave the demo out."
        })
final class DemoCommand implements Callable<Integer> {
    @ParentCommand
    RootCommand root;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description =
                    "A new or empty folder for the demo's config, database, key and emails (default: a new temporary folder).")
    Path dir;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "60",
            description = "How long each step may wait before the demo gives up (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    /** The one line the service jar answers with: it ships neither the demo nor a mail server. */
    static final String ELSEWHERE =
            "the demo is not in the service jar (it ships no mail server); from a source checkout"
                    + " run: mvn -B package -DskipTests && java -jar target/app-password-monitor-demo.jar demo";

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!demoPresent()) {
            throw new ApmException(ELSEWHERE);
        }
        var folder = dir != null ? dir : Files.createTempDirectory("apm-demo-");
        PrintStream out = root.terminal.out();
        out.printf("app-password-monitor demo in %s%n", folder);
        new Demo(folder, out, Duration.ofSeconds(timeoutSeconds)).run();
        return 0;
    }

    /** Whether this class path has the demo and its sandbox mail server (the demo jar does, the service jar not). */
    static boolean demoPresent() {
        var loader = DemoCommand.class.getClassLoader();
        try {
            Class.forName("com.dts.apm.demo.Demo", false, loader);
            Class.forName("com.icegreen.greenmail.util.GreenMail", false, loader);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
