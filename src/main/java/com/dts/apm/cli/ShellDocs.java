package com.dts.apm.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Build-time generator (run by the pom in {@code package}, from the main class path, so a build without
 * test classes still makes the .deb): writes the bash completion script and the man page from the
 * picocli model, so both always match the commands that ship.
 */
public final class ShellDocs {
    static final String NAME = "app-password-monitor";

    private ShellDocs() {}

    /** {@code ShellDocs OUTPUT_DIR [VERSION]}: writes {@code OUTPUT_DIR/NAME} (completion) and {@code NAME.1.gz}. */
    public static void main(String[] args) throws IOException {
        var dir = Path.of(args[0]);
        var version = args.length > 1 ? args[1] : "dev";
        Files.createDirectories(dir);
        var cmd = commandLine();
        Files.writeString(dir.resolve(NAME), AutoComplete.bash(NAME, cmd), StandardCharsets.UTF_8);
        try (Writer w = new OutputStreamWriter(
                new GZIPOutputStream(Files.newOutputStream(dir.resolve(NAME + ".1.gz"))), StandardCharsets.UTF_8)) {
            w.write(manPage(cmd, version));
        }
    }

    static CommandLine commandLine() {
        var quiet = new PrintStream(PrintStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        var cmd = new CommandLine(
                new RootCommand(new Terminal(new ByteArrayInputStream(new byte[0]), quiet, quiet, Map.of())));
        Commands.register(cmd);
        return cmd;
    }

    /** The man page in troff ({@code man -l} reads it). */
    static String manPage(CommandLine root, String version) {
        var m = new StringBuilder();
        m.append(".TH APP\\-PASSWORD\\-MONITOR 1 \"\" \"")
                .append(NAME)
                .append(' ')
                .append(esc(version))
                .append("\" \"System Administration\"\n");
        m.append(".SH NAME\n")
                .append(NAME)
                .append(" \\- ")
                .append(esc(text(root.getCommandSpec().usageMessage().description())))
                .append('\n');
        m.append(".SH SYNOPSIS\n.B ")
                .append(NAME)
                .append("\n[\\fB\\-\\-config\\fR \\fIFILE\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n");
        m.append(".SH DESCRIPTION\n")
                .append(
                        esc(
                                "A daemon (the run command, started by systemd as app-password-monitor.service) "
                                        + "that logs in to each dealer's mailbox over IMAP and/or SMTP on a schedule, records every check "
                                        + "in SQLite, serves Prometheus metrics and /healthz on 127.0.0.1:9464, and emails the dealer "
                                        + "when an app password stops working. The other commands manage integrations, keys and the database."))
                .append('\n');
        m.append(".SH GLOBAL OPTIONS\n");
        options(m, root.getCommandSpec());
        m.append(".SH COMMANDS\n");
        for (var sub : root.getSubcommands().values()) {
            command(m, sub, NAME);
        }
        m.append(".SH EXIT STATUS\n");
        item(m, "0", "Success.");
        item(m, "1", "A check failed (check), or the command could not finish.");
        item(m, "2", "Bad usage or bad input; one line on standard error says why.");
        item(m, "70", "Internal error.");
        m.append(".SH ENVIRONMENT\n");
        item(
                m,
                "APM_CONFIG",
                "The config file when --config is not given. The launcher sets "
                        + "/etc/app-password-monitor/app-password-monitor.yml when that file exists.");
        item(
                m,
                "CREDENTIALS_DIRECTORY",
                "Set by systemd (LoadCredential=): master-key and relay-password are read from it. "
                        + "When it is unset and run as root, the launcher points it at /etc/credstore/app-password-monitor.");
        item(m, "JAVA, APM_JAVA_OPTS", "The java binary and extra JVM options used by the launcher.");
        m.append(".SH FILES\n");
        item(
                m,
                "/etc/app-password-monitor/app-password-monitor.yml",
                "Configuration (a conffile: upgrades keep your edits).");
        item(
                m,
                "/etc/credstore/app-password-monitor/master-key",
                "The master key that seals stored app passwords (root, 0600).");
        item(
                m,
                "/etc/credstore/app-password-monitor/relay-password",
                "The alert relay's SMTP password; empty means none.");
        item(m, "/var/lib/app-password-monitor/", "The state folder: the SQLite database.");
        m.append(".SH SEE ALSO\n\\fBsystemctl\\fR(1), \\fBjournalctl\\fR(1), \\fBsystemd.exec\\fR(5), "
                + "/usr/share/doc/app-password-monitor/README.md\n");
        return m.toString();
    }

    private static void command(StringBuilder m, CommandLine cmd, String parent) {
        var spec = cmd.getCommandSpec();
        if (spec.usageMessage().hidden() || spec.name().equals("help")) {
            return;
        }
        var full = parent + " " + spec.name();
        var subs = cmd.getSubcommands();
        m.append(".SS \"").append(esc(full.substring(NAME.length() + 1))).append("\"\n");
        m.append(esc(text(spec.usageMessage().description()))).append('\n');
        if (subs.isEmpty() || spec.userObject() instanceof java.util.concurrent.Callable<?>) {
            var synopsis = new CommandLine.Help(
                            spec, new CommandLine.Help.ColorScheme.Builder(CommandLine.Help.Ansi.OFF).build())
                    .synopsis(0)
                    .strip();
            m.append(".PP\n.nf\n").append(esc(synopsis)).append("\n.fi\n");
            options(m, spec);
        }
        for (var sub : subs.values()) {
            command(m, sub, full);
        }
    }

    private static void options(StringBuilder m, CommandSpec spec) {
        for (var p : spec.positionalParameters()) {
            if (!p.hidden()) {
                rawItem(m, "\\fI" + esc(p.paramLabel()) + "\\fR", text(p.description()));
            }
        }
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            var names = String.join(", ", o.names());
            var head =
                    "\\fB" + esc(names) + "\\fR" + (o.arity().max() > 0 ? " \\fI" + esc(o.paramLabel()) + "\\fR" : "");
            rawItem(m, head, text(o.description()) + defaultOf(o));
        }
    }

    private static String defaultOf(ArgSpec a) {
        var d = a.defaultValue();
        return d == null || d.isEmpty() ? "" : " (default: " + d + ")";
    }

    private static void item(StringBuilder m, String tag, String body) {
        rawItem(m, esc(tag), body);
    }

    private static void rawItem(StringBuilder m, String rawTag, String body) {
        m.append(".TP\n").append(rawTag).append('\n').append(esc(body)).append('\n');
    }

    private static String text(String[] lines) {
        return String.join(" ", List.of(lines)).replace("%n", " ").strip();
    }

    /** troff escaping: backslashes, hyphens, and a leading dot or quote that would read as a request. */
    static String esc(String s) {
        var e = s.replace("\\", "\\e").replace("-", "\\-");
        return e.lines()
                .map(l -> l.startsWith(".") || l.startsWith("'") ? "\\&" + l : l)
                .reduce((a, b) -> a + "\n" + b)
                .orElse("");
    }
}
