package com.dts.apm.cli;

import com.dts.apm.api.ApiJson;
import com.dts.apm.api.Scope;
import com.dts.apm.api.Tokens;
import com.dts.apm.store.ApiTokens;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code api-tokens create|list|revoke}: the bearer tokens of the dealer-system API. */
@Command(
        name = "api-tokens",
        description = "Manage the dealer-system API's bearer tokens.",
        mixinStandardHelpOptions = true,
        subcommands = {ApiTokensCommand.Create.class, ApiTokensCommand.ListCmd.class, ApiTokensCommand.Revoke.class})
final class ApiTokensCommand {
    @ParentCommand
    RootCommand root;

    private ApiTokens store() {
        return root.workspace().apiTokens();
    }

    @Command(
            name = "create",
            description = "Make a token; it is printed once, alone on the last line of standard output.",
            mixinStandardHelpOptions = true)
    static final class Create implements Callable<Integer> {
        @ParentCommand
        ApiTokensCommand parent;

        @Parameters(paramLabel = "NAME", description = "Who uses it, e.g. crm-prod (letters, digits, . _ -).")
        String name;

        @Option(
                names = "--scopes",
                required = true,
                paramLabel = "S,...",
                description = "integrations:read, integrations:write, checks:run, credentials:read (comma-separated).")
        String scopes;

        @Override
        public Integer call() {
            var set = Scope.parseList(scopes);
            var token = new Tokens(parent.store()).create(name, set);
            var terminal = parent.root.terminal;
            terminal.err()
                    .println("API token " + name + " created with scopes "
                            + String.join(",", set.stream().map(Scope::label).toList())
                            + "; it is shown only now: keep it in the dealer system's secret store");
            terminal.out().println(token);
            return 0;
        }
    }

    /** One token in {@code list --json}: never the token, which is not stored. */
    record TokenView(String name, List<String> scopes, java.time.Instant createdAt, java.time.Instant lastUsedAt) {}

    @Command(
            name = "list",
            description = "List the tokens (names and scopes; a token itself is never shown again).",
            mixinStandardHelpOptions = true)
    static final class ListCmd implements Callable<Integer> {
        @ParentCommand
        ApiTokensCommand parent;

        @Option(names = "--json", description = "A JSON array.")
        boolean json;

        @Override
        public Integer call() {
            var all = parent.store().list();
            var out = parent.root.terminal.out();
            if (json) {
                out.println(ApiJson.text(all.stream()
                        .map(t -> new TokenView(
                                t.name(), List.copyOf(new TreeSet<>(t.scopes())), t.createdAt(), t.lastUsedAt()))
                        .toList()));
                return 0;
            }
            var fmt = "%-24s %-60s %-17s %s%n";
            out.printf(fmt, "NAME", "SCOPES", "CREATED", "LAST USED");
            for (var t : all) {
                out.printf(
                        fmt,
                        t.name(),
                        String.join(",", new TreeSet<>(t.scopes())),
                        IntegrationsCommand.time(t.createdAt()),
                        IntegrationsCommand.time(t.lastUsedAt()));
            }
            if (all.isEmpty()) {
                out.println("(no API tokens yet: make one with `api-tokens create NAME --scopes ...`)");
            }
            return 0;
        }
    }

    @Command(
            name = "revoke",
            description = "Delete a token: requests with it get 401 at once.",
            mixinStandardHelpOptions = true)
    static final class Revoke implements Callable<Integer> {
        @ParentCommand
        ApiTokensCommand parent;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            parent.store().revoke(name);
            parent.root.terminal.err().println("revoked API token " + name);
            return 0;
        }
    }
}
