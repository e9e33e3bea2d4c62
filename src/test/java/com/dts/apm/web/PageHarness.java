package com.dts.apm.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.app.App;
import com.dts.apm.config.ConfigLoader;
import com.dts.apm.testing.Await;
import com.dts.apm.testing.Cli;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The daemon with its API and reconnect page on, one GreenMail as the dealer's mail servers and as the alert relay,
 * a local webhook receiver, and a real HTTP client. A mailbox is driven to FAILING the real way: its password
 * changes at the server and the checks find out.
 */
final class PageHarness implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Pattern LINK = Pattern.compile("http://127\\.0\\.0\\.1:\\d+/reconnect/([A-Za-z0-9_-]{43})");
    static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([A-Za-z0-9_-]+)\"");

    final GreenMail mail;
    final Path config;
    final Cli cli;
    final int apiPort;
    final HttpServer hooks;
    final List<String> webhooks = new CopyOnWriteArrayList<>();
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    App app;
    String token;

    PageHarness(Path dir, int maxAttempts) throws IOException {
        this(dir, maxAttempts, "Acme <b>Motors</b> CRM");
    }

    PageHarness(Path dir, int maxAttempts, String productName) throws IOException {
        this(dir, maxAttempts, productName, null);
    }

    /** @param relayPort where the alert relay is; null: GreenMail's SMTP */
    PageHarness(Path dir, int maxAttempts, String productName, Integer relayPort) throws IOException {
        mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.IMAP, ServerSetupTest.SMTP}));
        mail.start();
        hooks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hooks.createContext("/hooks", ex -> {
            webhooks.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        hooks.start();
        var key = new byte[32];
        new SecureRandom().nextBytes(key);
        Files.writeString(
                dir.resolve("hook.secret"), "whsec_" + Base64.getEncoder().encodeToString(key) + "\n");
        try (var s = new ServerSocket(0)) {
            apiPort = s.getLocalPort();
        }
        config = dir.resolve("apm.yml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "database: { path: " + dir.resolve("data/apm.db") + " }",
                        "http: { port: 0 }",
                        "api: { enabled: true, port: " + apiPort + ", public-url: 'http://127.0.0.1:" + apiPort + "' }",
                        "reconnect: { enabled: true, link-ttl: 7d, max-attempts: " + maxAttempts + " }",
                        "webhooks:",
                        "  - url: http://127.0.0.1:" + hooks.getAddress().getPort() + "/hooks",
                        "    secret-file: " + dir.resolve("hook.secret"),
                        "alerts:",
                        "  product-name: '" + productName + "'",
                        "  from: 'Acme CRM <alerts@acme.test>'",
                        "  support-contact: help@acme.test",
                        "  send-interval: 1s",
                        "  reminders: [2s, 1d]",
                        "  relay: { host: 127.0.0.1, port: "
                                + (relayPort == null ? mail.getSmtp().getPort() : relayPort) + ", security: plain }",
                        "schedule:",
                        "  interval: 1h",
                        "  jitter: 0s",
                        "  confirm-after: 1s",
                        "  failing-recheck-interval: 1h",
                        "  retry-initial: 1s",
                        "  logins-per-second-per-provider: 100",
                        "  shutdown-grace: 5s",
                        ""));
        cli = new Cli(config);
    }

    App start() {
        app = App.start(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC());
        var r = cli.run(
                "api-tokens",
                "create",
                "crm-main",
                "--scopes",
                "integrations:read,integrations:write,checks:run,credentials:read");
        assertThat(r.exit()).as(r.err()).isZero();
        var lines = r.out().strip().split("\n");
        token = lines[lines.length - 1];
        return app;
    }

    /** Stores a GreenMail mailbox with {@code password} by the API, waits for HEALTHY, then breaks it at the server. */
    long failingMailbox(String email, String dealerName, String password) throws Exception {
        return failingMailbox(email, dealerName, password, "custom");
    }

    /** As above for a catalog provider (its steps and app-password page), its servers still GreenMail's on loopback. */
    long failingMailbox(String email, String dealerName, String password, String provider) throws Exception {
        mail.setUser(email, email, password);
        var body = new java.util.LinkedHashMap<String, Object>();
        body.put("dealer_id", "D-" + email.charAt(0));
        body.put("dealer_name", dealerName);
        body.put("email", email);
        body.put("provider", provider);
        body.put("imap", Map.of("host", "127.0.0.1", "port", mail.getImap().getPort(), "security", "plain"));
        body.put("smtp", Map.of("host", "127.0.0.1", "port", mail.getSmtp().getPort(), "security", "plain"));
        body.put("protocols", List.of("imap", "smtp"));
        body.put("password", password);
        var ext = "crm-" + email.substring(0, email.indexOf('@'));
        var put = api("PUT", "/api/v1/integrations/" + ext, JSON.writeValueAsString(body));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        long id = app.workspace()
                .integrations()
                .findByExternalId(ext)
                .orElseThrow()
                .integration()
                .id();
        Await.until("healthy", Duration.ofSeconds(15), () -> state(id).equals("HEALTHY"));
        mail.getUserManager().getUser(email).setPassword("changed-by-the-dealer-" + password);
        assertThat(api("POST", "/api/v1/integrations/" + ext + "/check", null).statusCode())
                .isEqualTo(200);
        Await.until("failing", Duration.ofSeconds(20), () -> state(id).equals("FAILING"));
        return id;
    }

    String state(long id) {
        return app.workspace().integrations().get(id).state().name();
    }

    /** The reconnect link of the newest email the relay delivered to {@code to}. */
    String linkFromEmail(String to) throws Exception {
        try {
            Await.until(
                    "failure email to " + to,
                    Duration.ofSeconds(20),
                    () -> mailsTo(to).stream().anyMatch(m -> LINK.matcher(m).find()));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; received: " + mailsTo(to), e);
        }
        var body = mailsTo(to).stream()
                .filter(m -> LINK.matcher(m).find())
                .reduce((a, b) -> b)
                .orElseThrow();
        var m = LINK.matcher(body);
        assertThat(m.find()).isTrue();
        return m.group();
    }

    /** Every reconnect link in the mail delivered to {@code to}, oldest first. */
    List<String> linksTo(String to) {
        var out = new java.util.ArrayList<String>();
        for (var m : mailsTo(to)) {
            var matcher = LINK.matcher(m);
            if (matcher.find() && !out.contains(matcher.group())) {
                out.add(matcher.group());
            }
        }
        return out;
    }

    List<String> mailsTo(String to) {
        return java.util.Arrays.stream(mail.getReceivedMessages())
                .filter(m -> {
                    try {
                        return ((jakarta.mail.internet.InternetAddress) m.getAllRecipients()[0])
                                .getAddress()
                                .equalsIgnoreCase(to);
                    } catch (Exception e) {
                        return false;
                    }
                })
                .map(GreenMailUtil::getWholeMessage)
                .map(PageHarness::unfold)
                .collect(Collectors.toList());
    }

    /** Undoes quoted-printable soft breaks and =3D, enough to find a link in either part. */
    static String unfold(String raw) {
        return raw.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=");
    }

    HttpResponse<String> api(String method, String path, String json) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .method(
                        method,
                        json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String url, Map<String, String> fields) throws Exception {
        var form = fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String csrf(HttpResponse<String> page) {
        var m = CSRF.matcher(page.body());
        assertThat(m.find()).as("a form with a csrf field: " + page.body()).isTrue();
        return m.group(1);
    }

    String url(String path) {
        return "http://127.0.0.1:" + apiPort + path;
    }

    @Override
    public void close() {
        if (app != null) {
            app.close();
        }
        hooks.stop(0);
        mail.stop();
    }
}
