package com.dts.apm.cli;

import com.dts.apm.api.ApiJson;
import com.dts.apm.api.IntegrationJson.View;
import com.dts.apm.store.Integration;
import com.dts.apm.store.IntegrationInput;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code integrations add|list|show|remove|enable|disable|set-password|import}. */
@Command(
        name = "integrations",
        description = "Manage the stored mailboxes.",
        mixinStandardHelpOptions = true,
        subcommands = {
            IntegrationsCommand.Add.class,
            IntegrationsCommand.ListCmd.class,
            IntegrationsCommand.Show.class,
            IntegrationsCommand.Remove.class,
            IntegrationsCommand.Enable.class,
            IntegrationsCommand.Disable.class,
            IntegrationsCommand.SetPassword.class,
            ImportCommand.class
        })
final class IntegrationsCommand {
    @ParentCommand
    RootCommand root;

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    static String time(Instant t) {
        return t == null ? "-" : TIME.format(t);
    }

    @Command(
            name = "add",
            description = "Store a mailbox and its app password; prints the new id.",
            mixinStandardHelpOptions = true)
    static final class Add implements Callable<Integer> {
        @ParentCommand
        IntegrationsCommand parent;

        @Option(names = "--dealer-id", required = true, description = "The dealer's id in the dealer system.")
        String dealerId;

        @Option(names = "--dealer-name", description = "The dealer's name, used in emails.")
        String dealerName;

        @Option(names = "--contact-email", description = "Where alerts go (default: the mailbox itself).")
        String contactEmail;

        @Option(
                names = "--admin-email",
                description = "The dealer's admin contact: gets reminders after the second one,"
                        + " and the alerts when the contact address bounces.")
        String adminEmail;

        @Option(
                names = "--external-id",
                description = "The dealer system's own id of this mailbox (the API's {external_id}).")
        String externalId;

        @Option(names = "--email", required = true, description = "The mailbox address.")
        String email;

        @Option(
                names = "--provider",
                description =
                        "gmail, icloud, yahoo, zoho, aol, outlook, microsoft365 or custom (default: guessed from the domain).")
        String provider;

        @Option(
                names = "--username",
                description = "Login name (default: what the provider expects, usually the address).")
        String username;

        @Option(names = "--imap-host")
        String imapHost;

        @Option(names = "--imap-port")
        String imapPort;

        @Option(names = "--imap-security", description = "ssl, starttls or plain (plain only for a loopback host).")
        String imapSecurity;

        @Option(names = "--smtp-host")
        String smtpHost;

        @Option(names = "--smtp-port")
        String smtpPort;

        @Option(names = "--smtp-security", description = "ssl, starttls or plain (plain only for a loopback host).")
        String smtpSecurity;

        @Option(
                names = "--protocols",
                description =
                        "imap, smtp or imap,smtp (default: both; smtp for microsoft365, which takes no password over IMAP).")
        String protocols;

        @Option(names = "--disabled", description = "Store it without checking it.")
        boolean disabled;

        @Option(
                names = "--canary",
                description = "An ops-owned canary mailbox: its failure means the provider, not the dealer.")
        boolean canary;

        @Mixin
        PasswordOptions password;

        @Mixin
        OAuthOptions oauth;

        @Override
        public Integer call() {
            var terminal = parent.root.terminal;
            var oauth2 = oauth.oauth();
            if (oauth2 && (password.fromStdin || password.file != null)) {
                throw new com.dts.apm.BadInputException("--auth oauth2 takes a refresh token, not a password");
            }
            var raw = oauth2 ? null : password.read(terminal);
            var token = oauth2 ? oauth.refreshToken(terminal) : null;
            var input = new IntegrationInput(
                    dealerId,
                    dealerName,
                    contactEmail,
                    email,
                    provider,
                    username,
                    imapHost,
                    imapPort,
                    imapSecurity,
                    smtpHost,
                    smtpPort,
                    smtpSecurity,
                    protocols,
                    disabled ? "false" : null,
                    canary,
                    adminEmail,
                    IntegrationInput.externalId(externalId));
            var ws = parent.root.workspace();
            var valid = oauth2
                    ? input.validate(ws.catalog(), null, IntegrationInput.Labels.CLI, false)
                    : input.validate(ws.catalog(), raw);
            valid.warnings().forEach(w -> terminal.err().println("warning: " + w.message()));
            var signIn = oauth.signIn(valid.provider().id(), ws.config().oauth().keySet());
            long id = ws.integrations()
                    .add(valid.integration(), oauth2 ? token : valid.password(), input.externalId(), signIn);
            terminal.out().println(id);
            return 0;
        }
    }

    @Command(name = "list", description = "List the stored mailboxes.", mixinStandardHelpOptions = true)
    static final class ListCmd implements Callable<Integer> {
        @ParentCommand
        IntegrationsCommand parent;

        @Option(names = "--json", description = "A JSON array.")
        boolean json;

        @Override
        public Integer call() {
            var out = parent.root.terminal.out();
            var store = parent.root.workspace().integrations();
            if (json) {
                var all = store.page(null, null, null, 0, Integer.MAX_VALUE);
                out.println(ApiJson.text(all.stream()
                        .map(k -> View.of(k.integration(), k.externalId()))
                        .toList()));
            } else {
                printTable(out, store.list());
            }
            return 0;
        }
    }

    static void printTable(PrintStream out, List<Integration> all) {
        var fmt = "%-6s %-12s %-32s %-12s %-9s %-8s %-17s %s%n";
        out.printf(fmt, "ID", "DEALER", "EMAIL", "PROVIDER", "STATE", "ENABLED", "LAST CHECK", "LAST OUTCOME");
        for (var i : all) {
            out.printf(
                    fmt,
                    i.id(),
                    cut(i.dealerId(), 12),
                    cut(i.email(), 32),
                    i.provider(),
                    i.state(),
                    i.enabled() ? "yes" : "no",
                    time(i.lastCheckedAt()),
                    i.lastOutcome() == null ? "-" : i.lastOutcome());
        }
        if (all.isEmpty()) {
            out.println("(no integrations yet: add one with `integrations add` or `integrations import`)");
        }
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "~";
    }

    @Command(name = "show", description = "Show one mailbox.", mixinStandardHelpOptions = true)
    static final class Show implements Callable<Integer> {
        @ParentCommand
        IntegrationsCommand parent;

        @Parameters(paramLabel = "ID")
        long id;

        @Option(names = "--json")
        boolean json;

        @Override
        public Integer call() {
            var out = parent.root.terminal.out();
            var store = parent.root.workspace().integrations();
            var i = store.get(id);
            if (json) {
                out.println(ApiJson.text(View.of(i, store.externalId(id).orElse(null))));
                return 0;
            }
            out.printf("id:             %d%n", i.id());
            out.printf(
                    "dealer:         %s%s%n", i.dealerId(), i.dealerName() == null ? "" : " (" + i.dealerName() + ")");
            out.printf("mailbox:        %s (login %s)%n", i.email(), i.username());
            out.printf("alerts go to:   %s%n", i.contactEmail());
            out.printf("admin contact:  %s%n", i.adminEmail() == null ? "-" : i.adminEmail());
            out.printf("provider:       %s%s%n", i.provider(), i.canary() ? " (canary)" : "");
            var signIn = i.signIn();
            out.printf(
                    "auth:           %s%n",
                    signIn.oauth()
                            ? "oauth2 (app " + signIn.app(i.provider())
                                    + (signIn.oauthApp() == null ? ", the provider's default" : "") + ")"
                            : "password");
            out.printf("imap:           %s%n", i.imap() == null ? "-" : i.imap());
            out.printf("smtp:           %s%n", i.smtp() == null ? "-" : i.smtp());
            out.printf("checks:         %s%s%n", i.protocolsLabel(), i.enabled() ? "" : " (disabled)");
            out.printf("state:          %s since %s%n", i.state(), time(i.stateSince()));
            out.printf("last outcome:   %s%n", i.lastOutcome() == null ? "-" : i.lastOutcome());
            out.printf("last check:     %s%n", time(i.lastCheckedAt()));
            out.printf("last success:   %s%n", time(i.lastSuccessAt()));
            out.printf("next check:     %s%n", time(i.nextCheckAt()));
            out.printf("%s   %s%n", signIn.oauth() ? "grant set:   " : "password set:", time(i.passwordChangedAt()));
            return 0;
        }
    }

    @Command(name = "remove", description = "Delete a mailbox and its history.", mixinStandardHelpOptions = true)
    static final class Remove implements Callable<Integer> {
        @ParentCommand
        IntegrationsCommand parent;

        @Parameters(paramLabel = "ID")
        long id;

        @Override
        public Integer call() {
            parent.root.workspace().integrations().remove(id);
            parent.root.terminal.err().println("removed integration " + id);
            return 0;
        }
    }

    /** {@code enable} and {@code disable}: one integration switched on or off. */
    abstract static class Switch implements Callable<Integer> {
        @ParentCommand
        IntegrationsCommand parent;

        @Parameters(paramLabel = "ID")
        long id;

        private final boolean enabled;

        Switch(boolean enabled) {
            this.enabled = enabled;
        }

        @Override
        public Integer call() {
            parent.root.workspace().integrations().setEnabled(id, enabled);
            parent.root.terminal.err().println((enabled ? "enabled" : "disabled") + " integration " + id);
            return 0;
        }
    }

    @Command(
            name = "enable",
            description = "Check this mailbox again (at once, then on schedule).",
            mixinStandardHelpOptions = true)
    static final class Enable extends Switch {
        Enable() {
            super(true);
        }
    }

    @Command(name = "disable", description = "Stop checking this mailbox.", mixinStandardHelpOptions = true)
    static final class Disable extends Switch {
        Disable() {
            super(false);
        }
    }

    @Command(
            name = "set-password",
            description = "Replace the stored app password; the mailbox is checked at once.",
            mixinStandardHelpOptions = true)
    static final class SetPassword implements Callable<Integer> {
        @ParentCommand
        IntegrationsCommand parent;

        @Parameters(paramLabel = "ID")
        long id;

        @Mixin
        PasswordOptions password;

        @Override
        public Integer call() {
            var terminal = parent.root.terminal;
            var secret = IntegrationInput.password(password.read(terminal));
            var ws = parent.root.workspace();
            var integration = ws.integrations().get(id);
            var spec = ws.catalog().get(integration.provider());
            // an OAuth mailbox's secret is its refresh token: the app-password rules say nothing about it
            var oauth = integration.signIn().oauth();
            if (!oauth) {
                IntegrationInput.passwordWarnings(spec, integration.email(), integration.protocols(), secret)
                        .forEach(w -> terminal.err().println("warning: " + w.message()));
            }
            ws.integrations().setPassword(id, secret);
            terminal.err()
                    .println((oauth ? "refresh token" : "password") + " of integration " + id
                            + " replaced; it will be checked at once");
            return 0;
        }
    }
}
