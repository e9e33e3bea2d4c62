package com.dts.apm.cli;

import com.dts.apm.ApmException;
import com.dts.apm.app.Workspace;
import java.time.Clock;
import com.dts.apm.config.Config;
import com.dts.apm.config.ConfigLoader;
import com.dts.apm.store.Database;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
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
    @Option(names = "--config", paramLabel = "FILE", description = "YAML config file (default: $APM_CONFIG, else embedded defaults)")
    Path configFile;

    final Terminal terminal;
    private Config config;

    RootCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    /** The loaded configuration; read once per command. */
    Config config() {
        if (config == null) {
            config = ConfigLoader.load(configFile, terminal.env().get("APM_CONFIG"));
        }
        return config;
    }

    /** Opens the configuration, database and keys for a command. */
    Workspace workspace() {
        return Workspace.open(config(), terminal.env(), Clock.systemUTC());
    }

    /** Runs one command line and returns the exit code; streams and environment are injected for tests. */
    public static int execute(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        var terminal = new Terminal(in, out, err, env);
        var cmd = new CommandLine(new RootCommand(terminal));
        Commands.register(cmd);
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
                    + (ex.getMessage() == null ? "" : ": " + ex.getMessage().lines().findFirst().orElse("")));
            return 70;
        });
        cmd.setParameterExceptionHandler((ex, line) -> {
            err.println("error: " + shorten(ex.getMessage()));
            err.println("(see: " + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return 2;
        });
        return cmd.execute(args);
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
