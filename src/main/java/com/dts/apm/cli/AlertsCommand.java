package com.dts.apm.cli;

import com.dts.apm.BadInputException;
import com.dts.apm.notify.AlertComposer;
import com.dts.apm.notify.AlertContext;
import com.dts.apm.notify.MessageFactory;
import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.provider.ProviderSpec;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code alerts}: look at the emails the monitor sends. */
@Command(
        name = "alerts",
        mixinStandardHelpOptions = true,
        description = "Dealer and ops alert emails.",
        subcommands = {
            AlertsCommand.Preview.class,
            AlertsHeld.class,
            AlertsHeld.Release.class,
            AlertsHeld.Drop.class,
            AlertsBounces.class,
            AlertsBounces.Unbounce.class
        })
final class AlertsCommand {
    @ParentCommand
    RootCommand root;

    /** {@code alerts preview}: renders one email exactly as it would be sent, without sending it. */
    @Command(
            name = "preview",
            mixinStandardHelpOptions = true,
            description = {
                "Print the email a dealer (or ops) would get, without sending it:",
                "the Subject, From and To headers and the text part, or only the HTML part with --html."
            })
    static final class Preview implements Callable<Integer> {
        @ParentCommand
        AlertsCommand alerts;

        @Option(
                names = "--provider",
                required = true,
                paramLabel = "P",
                description =
                        "gmail, icloud, yahoo, zoho, aol, outlook, microsoft365, custom (or any id in providers.yml)")
        String provider;

        @Option(
                names = "--outcome",
                required = true,
                paramLabel = "O",
                description =
                        "AUTH_REJECTED, APP_PASSWORD_REQUIRED, PROTOCOL_DISABLED, ACCOUNT_LOCKED, BASIC_AUTH_DISABLED (ops kind: any outcome)")
        String outcome;

        @Option(
                names = "--kind",
                defaultValue = "failure",
                paramLabel = "K",
                description = "failure (default), reminder, recovery or ops")
        String kind;

        @Option(names = "--html", description = "print only the HTML part (e.g. to open it in a browser)")
        boolean html;

        @Option(names = "--dealer-name", defaultValue = "Sample Motors", paramLabel = "N")
        String dealerName;

        @Option(
                names = "--email",
                paramLabel = "E",
                description = "the mailbox (default: sales@ a domain of the provider)")
        String email;

        @Option(
                names = "--integration-id",
                defaultValue = "12345",
                paramLabel = "ID",
                description = "fills {integration_id} in alerts.reconnect-url")
        long integrationId;

        @Override
        public Integer call() throws MessagingException, IOException {
            var root = alerts.root;
            var config = root.config();
            var spec = ProviderCatalog.load(config.providers().file()).get(provider);
            var problem = spec.applyPolicy(parseOutcome(outcome)); // what the classifier would have made of it there
            var alertKind = parseKind(kind);
            var mailbox = email != null ? email : "sales@" + sampleDomain(spec);
            var clock = Clock.systemUTC();
            var since =
                    clock.instant().minus(alertKind == AlertKind.REMINDER ? Duration.ofDays(3) : Duration.ofHours(2));
            var context = AlertContext.of(
                    config.alerts(),
                    dealerName,
                    mailbox,
                    spec,
                    problem,
                    alertKind,
                    integrationId,
                    since,
                    alertKind == AlertKind.REMINDER ? 1 : 0,
                    alertKind == AlertKind.OPS ? "(server reply shown here)" : null);

            MimeMessage message;
            try {
                var mail = AlertComposer.from(config.alerts(), clock).compose(context);
                var to = alertKind == AlertKind.OPS
                        ? (config.alerts().opsEmail() == null
                                ? "ops@example.com"
                                : config.alerts().opsEmail())
                        : mailbox;
                message = new MessageFactory(config.alerts().from(), clock)
                        .create(mail, to, alertKind == AlertKind.OPS ? null : dealerName, "preview");
            } catch (IllegalArgumentException e) {
                throw new BadInputException(e.getMessage());
            }
            print(message, root.terminal);
            return 0;
        }

        private void print(MimeMessage message, Terminal terminal) throws MessagingException, IOException {
            var parts = (MimeMultipart) message.getContent();
            var out = terminal.out();
            if (html) {
                out.print((String) parts.getBodyPart(1).getContent());
            } else {
                out.println("Subject: " + message.getSubject());
                out.println("From: " + ((InternetAddress) message.getFrom()[0]).toUnicodeString());
                out.println("To: "
                        + ((InternetAddress) message.getRecipients(Message.RecipientType.TO)[0]).toUnicodeString());
                out.println();
                out.print((String) parts.getBodyPart(0).getContent());
            }
            out.flush();
        }

        private static Outcome parseOutcome(String text) {
            try {
                return Outcome.valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new BadInputException("unknown outcome '" + text + "' (known: "
                        + Arrays.stream(Outcome.values()).map(Enum::name).collect(Collectors.joining(", ")) + ")");
            }
        }

        private static AlertKind parseKind(String text) {
            try {
                return AlertKind.parse(text);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(e.getMessage());
            }
        }

        /** A plain domain of the provider (not a pattern like outlook.*), else example.com. */
        /** A domain the provider serves; a tenant's own ("*.onmicrosoft.com") gets a sample name in front. */
        private static String sampleDomain(ProviderSpec spec) {
            var domains = spec.domains();
            return domains.stream()
                    .filter(d -> d.startsWith("*."))
                    .findFirst()
                    .map(d -> "sample-motors" + d.substring(1))
                    .or(() -> domains.stream()
                            .filter(d -> !d.contains("*") && !d.startsWith("!"))
                            .findFirst())
                    .orElse("example.com");
        }
    }
}
