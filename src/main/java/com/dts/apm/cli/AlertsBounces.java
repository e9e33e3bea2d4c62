package com.dts.apm.cli;

import com.dts.apm.BadInputException;
import com.dts.apm.api.ApiJson;
import com.dts.apm.store.IntegrationInput;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code alerts bounces}: addresses the relay refused for good, whose dealer mail goes to the admin contact instead;
 * {@code unbounce} forgets one.
 */
@Command(
        name = "bounces",
        mixinStandardHelpOptions = true,
        description =
                "List the addresses the relay refused for good (5xx); their dealer mail goes to the admin contact.")
final class AlertsBounces implements Callable<Integer> {
    @ParentCommand
    AlertsCommand alerts;

    @Option(names = "--json", description = "A JSON array, one object per address.")
    boolean json;

    /** One bouncing address as JSON shows it; {@code integrations}: how many name it as their contact. */
    record BounceView(String address, Instant since, String detail, int integrations) {}

    @Override
    public Integer call() {
        var bounces = alerts.root.workspace().outbox().listBouncing();
        var out = alerts.root.terminal.out();
        if (json) {
            out.println(ApiJson.text(bounces.stream()
                    .map(b -> new BounceView(b.address(), b.since(), b.detail(), b.contactOf()))
                    .toList()));
            return 0;
        }
        if (bounces.isEmpty()) {
            out.println("no address bounces");
            return 0;
        }
        var fmt = "%-40s %-17s %12s  %s%n";
        out.printf(fmt, "ADDRESS", "SINCE", "INTEGRATIONS", "RELAY SAID");
        bounces.forEach(b -> out.printf(
                fmt,
                b.address(),
                IntegrationsCommand.time(b.since()),
                b.contactOf(),
                b.detail() == null ? "-" : oneLine(b.detail())));
        return 0;
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ").trim();
    }

    /** {@code alerts unbounce ADDRESS}: the next alert goes to the address again. */
    @Command(
            name = "unbounce",
            mixinStandardHelpOptions = true,
            description = "Forget that the relay refused an address: the next alert goes to it again.")
    static final class Unbounce implements Callable<Integer> {
        @ParentCommand
        AlertsCommand alerts;

        @Parameters(paramLabel = "ADDRESS", description = "An address listed by `alerts bounces` (any case).")
        String address;

        @Override
        public Integer call() {
            var a = address.trim();
            if (!alerts.root.workspace().outbox().forgetBouncing(a)) {
                throw new BadInputException("address '" + IntegrationInput.printable(a)
                        + "' is not marked as bouncing (see: alerts bounces)");
            }
            alerts.root.terminal.out().println("forgot that " + a + " bounces: the next alert goes to it again");
            return 0;
        }
    }
}
