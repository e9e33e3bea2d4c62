package com.dts.apm.cli;

import com.dts.apm.api.ApiJson;
import com.dts.apm.store.WebhookDeliveryStatus;
import com.dts.apm.store.Webhooks;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code webhooks list|failed|replay ID}: the webhook deliveries to the dealer system. */
@Command(
        name = "webhooks",
        description = "Webhook deliveries to the dealer system.",
        mixinStandardHelpOptions = true,
        subcommands = {WebhooksCommand.ListCmd.class, WebhooksCommand.Failed.class, WebhooksCommand.Replay.class})
final class WebhooksCommand {
    @ParentCommand
    RootCommand root;

    static void print(PrintStream out, List<Webhooks.Delivery> all, boolean json) {
        if (json) {
            out.println(ApiJson.text(all));
            return;
        }
        var fmt = "%-7s %-30s %-8s %-8s %-17s %-17s %s%n";
        out.printf(fmt, "ID", "EVENT", "STATUS", "ATTEMPTS", "CREATED", "NEXT/DELIVERED", "ENDPOINT / LAST ERROR");
        for (var d : all) {
            out.printf(
                    fmt,
                    d.id(),
                    d.type(),
                    d.status(),
                    d.attempts(),
                    IntegrationsCommand.time(d.createdAt()),
                    IntegrationsCommand.time(
                            d.status() == WebhookDeliveryStatus.SENT ? d.deliveredAt() : d.nextAttemptAt()),
                    d.endpoint() + (d.lastError() == null ? "" : "  " + d.lastError()));
        }
        if (all.isEmpty()) {
            out.println("(no webhook deliveries)");
        }
    }

    @Command(name = "list", description = "The newest deliveries.", mixinStandardHelpOptions = true)
    static final class ListCmd implements Callable<Integer> {
        @ParentCommand
        WebhooksCommand parent;

        @Option(names = "--json", description = "A JSON array.")
        boolean json;

        @Option(names = "--limit", defaultValue = "50", description = "How many (default ${DEFAULT-VALUE}).")
        int limit;

        @Override
        public Integer call() {
            print(parent.root.terminal.out(), parent.root.workspace().webhooks().list(Optional.empty(), limit), json);
            return 0;
        }
    }

    @Command(
            name = "failed",
            description = "Deliveries that gave up after 24 h of retries.",
            mixinStandardHelpOptions = true)
    static final class Failed implements Callable<Integer> {
        @ParentCommand
        WebhooksCommand parent;

        @Option(names = "--json", description = "A JSON array.")
        boolean json;

        @Override
        public Integer call() {
            print(
                    parent.root.terminal.out(),
                    parent.root.workspace().webhooks().list(Optional.of(WebhookDeliveryStatus.FAILED), 1000),
                    json);
            return 0;
        }
    }

    @Command(
            name = "replay",
            description = "Send a delivery again (same webhook-id); the running daemon picks it up.",
            mixinStandardHelpOptions = true)
    static final class Replay implements Callable<Integer> {
        @ParentCommand
        WebhooksCommand parent;

        @Parameters(paramLabel = "ID", description = "A delivery id from `webhooks list` or `webhooks failed`.")
        long id;

        @Override
        public Integer call() {
            parent.root.workspace().webhooks().replay(id, Clock.systemUTC().instant());
            parent.root.terminal.err().println("webhook delivery " + id + " is due again");
            return 0;
        }
    }
}
