package com.dts.apm.demo;

import com.dts.apm.ApmException;
import com.dts.apm.BadInputException;
import com.dts.apm.app.App;
import com.dts.apm.config.ConfigLoader;
import com.dts.apm.config.Secret;
import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.Security;
import com.dts.apm.store.Integration;
import com.dts.apm.store.IntegrationState;
import com.dts.apm.store.NewIntegration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The whole loop on one machine with no real mailbox: a sandbox mail server (GreenMail on loopback)
 * stands in for the six providers and for the SMTP relay, the real daemon checks a handful of dealers,
 * two of them lose their app password, the dealer emails land in the sandbox and are saved as
 * {@code .eml} files, and one dealer's new password brings a recovery note.
 */
public final class Demo {
    /** One sandbox dealer: whose mailbox, at which provider. */
    record Dealer(String id, String name, String provider, String mailbox, String contact) {}

    static final List<Dealer> DEALERS = List.of(
            new Dealer(
                    "D-101", "Ridgeview Motors", "gmail", "sales@ridgeview-motors.test", "owner@ridgeview-motors.test"),
            new Dealer("D-102", "Harbor Auto Group", "icloud", "leads@harbor-auto.test", "manager@harbor-auto.test"),
            new Dealer("D-103", "Summit Trucks", "yahoo", "sales@summit-trucks.test", "owner@summit-trucks.test"),
            new Dealer("D-104", "Lakeside Cars", "zoho", "info@lakeside-cars.test", "gm@lakeside-cars.test"),
            new Dealer("D-105", "Prairie Auto Sales", "aol", "sales@prairie-auto.test", "owner@prairie-auto.test"),
            new Dealer("D-106", "Metro Imports", "outlook", "sales@metro-imports.test", "office@metro-imports.test"));

    /** The two whose app password the demo revokes; the first one then gets a new password. */
    static final Set<String> BROKEN = Set.of("gmail", "yahoo");

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final Path dir;
    private final PrintStream out;
    private final Duration limit;

    /**
     * @param dir an empty or missing folder for the demo's config, database, key and emails
     * @param out where the story is told
     * @param limit how long each waiting step may take before the demo gives up
     */
    public Demo(Path dir, PrintStream out, Duration limit) {
        this.dir = dir;
        this.out = out;
        this.limit = limit;
    }

    /** What the demo produced. */
    public record Result(Path config, List<Path> emails, String metrics) {}

    public Result run() throws InterruptedException {
        prepare();
        var mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP),
            new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP)
        }));
        mail.start();
        try {
            int imap = mail.getImap().getPort();
            int smtp = mail.getSmtp().getPort();
            out.printf(
                    "Sandbox mail server on 127.0.0.1: IMAP port %d, SMTP port %d (it stands in for every provider and for the relay)%n",
                    imap, smtp);
            var config = writeConfig(smtp);
            out.printf("Config: %s%n%n", config);
            try (var app = App.start(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC())) {
                return story(app, mail, config, imap, smtp);
            }
        } finally {
            mail.stop();
        }
    }

    private void prepare() {
        try {
            if (Files.isDirectory(dir)) {
                try (var entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw new BadInputException("demo folder " + dir + " is not empty; give a new or empty one");
                    }
                }
            }
            Files.createDirectories(dir.resolve("emails"));
        } catch (IOException e) {
            throw new BadInputException("cannot create the demo folder " + dir + ": " + e.getMessage());
        }
    }

    private Path writeConfig(int smtpPort) {
        var config = dir.resolve("app-password-monitor.yml");
        var yaml = String.join(
                "\n",
                "# Written by `app-password-monitor demo`: a fast schedule against a sandbox mail server.",
                "database: { path: " + quoted(dir.resolve("data/app-password-monitor.db")) + " }",
                "http: { bind: 127.0.0.1, port: 0 }",
                "schedule:",
                "  interval: 10s",
                "  jitter: 1s",
                "  confirm-after: 4s",
                "  failing-recheck-interval: 1m",
                "  retry-initial: 2s",
                "  logins-per-second-per-provider: 20",
                "  shutdown-grace: 5s",
                "alerts:",
                "  product-name: DTS System",
                "  from: \"DTS System <alerts@dts.test>\"",
                "  support-contact: support@dts.test",
                "  reconnect-url: \"https://dealers.dts.test/settings/email?integration={integration_id}\"",
                "  relay: { host: 127.0.0.1, port: " + smtpPort + ", security: plain }",
                "");
        try {
            Files.writeString(config, yaml);
        } catch (IOException e) {
            throw new ApmException("cannot write " + config + ": " + e.getMessage(), e);
        }
        return config;
    }

    private static String quoted(Path p) {
        return "'" + p.toAbsolutePath().toString().replace("'", "''") + "'";
    }

    private Result story(App app, GreenMail mail, Path config, int imap, int smtp) throws InterruptedException {
        var store = app.workspace().integrations();
        var ids = new HashMap<String, Long>();
        out.println("1. Six dealers connect their mailboxes, one per provider, each with an app password:");
        for (var d : DEALERS) {
            String password = appPassword(d, 1);
            mail.setUser(d.mailbox(), d.mailbox(), password);
            long id = store.add(
                    new NewIntegration(
                            d.id(),
                            d.name(),
                            d.contact(),
                            d.mailbox(),
                            d.provider(),
                            d.mailbox(),
                            new Endpoint("127.0.0.1", imap, Security.PLAIN),
                            new Endpoint("127.0.0.1", smtp, Security.PLAIN),
                            Set.of(Protocol.IMAP, Protocol.SMTP),
                            true,
                            false,
                            null),
                    Secret.of(password));
            ids.put(d.provider(), id);
            out.printf("   #%d %-19s %-8s %s%n", id, d.name(), d.provider(), d.mailbox());
        }
        out.println();
        var watch = new Watch(app);
        out.println(
                "2. The daemon checks each one at once (IMAP and SMTP login), then every 10s (only failed checks and state changes are shown):");
        await("every integration HEALTHY", watch, () -> watch.all(IntegrationState.HEALTHY));
        out.println();

        out.println("3. Two dealers change their main password, which revokes their app passwords:");
        for (var d : DEALERS) {
            if (BROKEN.contains(d.provider())) {
                mail.getUserManager().getUser(d.mailbox()).setPassword("new-main-password");
                out.printf("   %s (%s)%n", d.name(), d.provider());
            }
        }
        out.println("   A first failure only makes them SUSPECT; a re-check confirms it, then they are FAILING and the"
                + " dealer gets one email:");
        await(
                "both broken integrations FAILING",
                watch,
                () -> BROKEN.stream().allMatch(p -> watch.state(ids.get(p)) == IntegrationState.FAILING));
        await("the failure emails", watch, () -> mail.getReceivedMessages().length >= BROKEN.size());
        out.println();

        var fixed = DEALERS.get(0);
        out.printf("4. %s creates a new app password and enters it in the dealer system:%n", fixed.name());
        String fresh = appPassword(fixed, 2);
        mail.getUserManager().getUser(fixed.mailbox()).setPassword(fresh);
        store.setPassword(ids.get(fixed.provider()), Secret.of(fresh));
        await(
                fixed.name() + " HEALTHY again",
                watch,
                () -> watch.state(ids.get(fixed.provider())) == IntegrationState.HEALTHY);
        await("the recovery email", watch, () -> mail.getReceivedMessages().length >= BROKEN.size() + 1);
        out.println();

        var emails = save(mail.getReceivedMessages());
        out.printf("5. The emails the dealers received, saved in %s:%n", dir.resolve("emails"));
        for (var e : emails) {
            out.printf("   %s%n", e.getFileName());
        }
        out.println();
        out.printf("   The failure email, as %s reads it (text part):%n%n", fixed.name());
        try {
            MimeMessage first = null;
            for (var m : mail.getReceivedMessages()) {
                if (first == null
                        && ((InternetAddress) m.getAllRecipients()[0])
                                .getAddress()
                                .equals(fixed.contact())) {
                    first = m;
                }
            }
            out.printf("   Subject: %s%n%n", first.getSubject());
            textPart(first).lines().forEach(l -> out.println("   | " + l));
        } catch (IOException | MessagingException e) {
            throw new ApmException("cannot read a received email: " + e.getMessage(), e);
        }
        out.println();
        // the relay holds the recovery note a moment before the sender records it, and the state gauges
        // serve a snapshot refreshed every few seconds: wait until the page shows both
        await("the recovery note counted", watch, () -> {
            var page = scrape(app.httpPort());
            return page.contains("apm_notifications_total{kind=\"recovery\",result=\"sent\"} 1.0")
                    && page.contains("apm_integrations{provider=\"" + fixed.provider() + "\",state=\"HEALTHY\"} 1.0");
        });
        String metrics = scrape(app.httpPort());
        out.printf(
                "6. What Prometheus sees at http://127.0.0.1:%d/metrics (apm_ series that are not zero, latency histograms left out):%n",
                app.httpPort());
        metrics.lines()
                .filter(l -> l.startsWith("apm_") && !l.startsWith("apm_check_duration_seconds"))
                .filter(l -> !l.endsWith(" 0.0") && !l.endsWith(" 0"))
                .forEach(l -> out.println("   " + l));
        out.println();
        out.println("Look around with the same config (the daemon has stopped; the sandbox is gone):");
        out.printf("   java -jar target/app-password-monitor.jar --config %s integrations list%n", config);
        out.printf(
                "   java -jar target/app-password-monitor.jar --config %s history %d%n",
                config, ids.get(fixed.provider()));
        return new Result(config, emails, metrics);
    }

    /** A 16-letter password, as Gmail and Yahoo shape theirs, different per dealer and generation. */
    static String appPassword(Dealer d, int generation) {
        var sb = new StringBuilder();
        long seed = (d.id() + "/" + generation).hashCode() & 0xffffffffL;
        for (int i = 0; i < 16; i++) {
            seed = seed * 6364136223846793005L + 1442695040888963407L;
            sb.append((char) ('a' + (int) ((seed >>> 33) % 26)));
        }
        return sb.toString();
    }

    private List<Path> save(MimeMessage[] messages) {
        var files = new ArrayList<Path>();
        int n = 0;
        for (var m : messages) {
            try {
                String to =
                        ((InternetAddress) m.getAllRecipients()[0]).getAddress().replaceAll("[^A-Za-z0-9@.-]", "");
                String subject = m.getSubject() == null ? "" : m.getSubject();
                String slug = subject.toLowerCase(Locale.ROOT)
                        .replaceAll("[^a-z0-9]+", "-")
                        .replaceAll("(^-|-$)", "");
                var file = dir.resolve("emails")
                        .resolve(String.format(
                                "%02d-%s-%s.eml", ++n, to, slug.length() > 60 ? slug.substring(0, 60) : slug));
                try (OutputStream os = Files.newOutputStream(file)) {
                    m.writeTo(os);
                }
                files.add(file);
            } catch (IOException | MessagingException e) {
                throw new ApmException("cannot save a received email: " + e.getMessage(), e);
            }
        }
        return files;
    }

    private static String textPart(Part part) throws IOException, MessagingException {
        if (part.isMimeType("text/plain")) {
            return part.getContent().toString();
        }
        if (part.getContent() instanceof Multipart multipart) {
            for (int i = 0; i < multipart.getCount(); i++) {
                String text = textPart(multipart.getBodyPart(i));
                if (!text.isEmpty()) {
                    return text;
                }
            }
        }
        return "";
    }

    private static String scrape(int port) {
        try {
            var response = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return response.body();
        } catch (IOException e) {
            throw new ApmException("cannot scrape /metrics: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApmException("interrupted while scraping /metrics", e);
        }
    }

    private void await(String what, Watch watch, BooleanSupplier done) throws InterruptedException {
        var end = Instant.now().plus(limit);
        while (true) {
            watch.poll();
            if (done.getAsBoolean()) {
                return;
            }
            if (Instant.now().isAfter(end)) {
                throw new ApmException("demo: gave up waiting for " + what + " after " + limit.toSeconds() + "s");
            }
            Thread.sleep(200);
        }
    }

    /** Prints each check and state change as the daemon records them, by polling the store. */
    private final class Watch {
        private final App app;
        private final Map<Long, Integration> seen = new HashMap<>();

        Watch(App app) {
            this.app = app;
        }

        void poll() {
            for (var i : app.workspace().integrations().list()) {
                var before = seen.put(i.id(), i);
                boolean newCheck = i.lastCheckedAt() != null
                        && (before == null || !i.lastCheckedAt().equals(before.lastCheckedAt()));
                if (newCheck && !i.lastOutcome().isOk()) {
                    out.printf(
                            "   %s  #%d %-8s checked: %s%n",
                            TIME.format(i.lastCheckedAt()), i.id(), i.provider(), i.lastOutcome());
                }
                var from = before == null ? IntegrationState.UNKNOWN : before.state();
                if (i.state() != from) {
                    out.printf(
                            "   %s  #%d %-8s %s -> %s%n",
                            TIME.format(i.stateSince()), i.id(), i.provider(), from, i.state());
                }
            }
        }

        IntegrationState state(long id) {
            var i = seen.get(id);
            return i == null ? IntegrationState.UNKNOWN : i.state();
        }

        boolean all(IntegrationState state) {
            return seen.size() == DEALERS.size() && seen.values().stream().allMatch(i -> i.state() == state);
        }
    }
}
