package com.dts.apm.cli;

import com.dts.apm.ApmException;
import com.dts.apm.app.Workspace;
import com.dts.apm.config.Config;
import com.dts.apm.config.ConfigLoader;
import com.dts.apm.process.StopSignal;
import com.dts.apm.store.Database;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code app-password-monitor} command: global options and the list of subcommands. */
@Command(
        name = "app-password-monitor",
        mixinStandardHelpOptions = true,
        versionProvider = RootCommand.Version.class,
        description = "Re-verifies dealers' mailbox app passwords over IMAP and SMTP and tells them when one dies.",
        subcommands = {CommandLine.HelpCommand.class})
public final class RootCommand {
    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "YAML config file (default: $APM_CONFIG, else embedded defaults)")
    Path configFile;

    final Terminal terminal;
    /** SIGTERM and SIGINT: {@code run} claims them, every other command gives them back before it runs. */
    final StopSignal stop;

    private Config config;
    private Workspace workspace; // opened by the first command that needs it, closed when the command line is done

    RootCommand(Terminal terminal) {
        this(terminal, StopSignal.later());
    }

    RootCommand(Terminal terminal, StopSignal stop) {
        this.terminal = terminal;
        this.stop = stop;
    }

    /** The loaded configuration; read once per command. */
    Config config() {
        if (config == null) {
            config = ConfigLoader.load(configFile, terminal.env().get("APM_CONFIG"));
        }
        return config;
    }

    /** The configuration, database and keys for a command: opened once, closed by {@link #execute} when it returns. */
    Workspace workspace() {
        if (workspace == null) {
            workspace = Workspace.open(config(), terminal.env(), Clock.systemUTC());
        }
        return workspace;
    }

    /** Runs one command line and returns the exit code; streams and environment are injected for tests. */
    public static int execute(
            String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        return execute(args, in, out, err, env, StopSignal.later());
    }

    /** As above, with the signals {@code main} took before anything else. */
    public static int execute(
            String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env, StopSignal stop) {
        try {
            return run(args, in, out, err, env, stop);
        } finally {
            stop.release(); // a usage error, say: a signal that came meanwhile acts now (after run: nothing to do)
        }
    }

    private static int run(
            String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env, StopSignal stop) {
        var terminal = new Terminal(in, out, err, env);
        var root = new RootCommand(terminal, stop);
        try {
            return run(root, args, out, err, stop);
        } finally {
            if (root.workspace != null) {
                root.workspace.close();
            }
        }
    }

    private static int run(RootCommand root, String[] args, PrintStream out, PrintStream err, StopSignal stop) {
        var cmd = new CommandLine(root);
        Commands.register(cmd);
        cmd.setExecutionStrategy(parsed -> {
            if (!isRun(parsed)) {
                stop.release(); // only the daemon stops in order; a command dies on SIGTERM as it always did
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        cmd.setExecutionExceptionHandler((ex, line, parse) -> {
            if (ex instanceof ApmException a) {
                err.println("error: " + a.getMessage());
                return a.exitCode();
            }
            if (ex instanceof org.jdbi.v3.core.JdbiException && Database.isTransient(ex)) {
                // disk full, database locked past the busy timeout: the operator's to fix, not a bug
                err.println("error: database: " + Database.describe(ex));
                return 1;
            }
            err.println("internal error: " + ex.getClass().getSimpleName()
                    + (ex.getMessage() == null
                            ? ""
                            : ": " + ex.getMessage().lines().findFirst().orElse("")));
            return 70;
        });
        cmd.setParameterExceptionHandler((ex, line) -> {
            err.println("error: " + shorten(ex.getMessage()));
            err.println("(see: " + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return 2;
        });
        return cmd.execute(args);
    }

    private static boolean isRun(CommandLine.ParseResult parsed) {
        var leaf = parsed;
        while (leaf.hasSubcommand()) {
            leaf = leaf.subcommand();
        }
        return leaf.commandSpec().userObject() instanceof RunCommand
                && !leaf.isUsageHelpRequested()
                && !leaf.isVersionHelpRequested();
    }

    /** One line of at most 300 characters: picocli quotes the offending argument, which may be megabytes long. */
    static String shorten(String message) {
        var line = message == null ? "" : message.lines().findFirst().orElse("");
        return line.length() <= 300 ? line : line.substring(0, 300) + "... (" + line.length() + " characters)";
    }

    /** Reports the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            var v = RootCommand.class.getPackage().getImplementationVersion();
            return new String[] {"app-password-monitor " + (v == null ? "dev" : v)};
        }
    }
}
