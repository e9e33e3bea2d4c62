package com.dts.apm.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.app.App;
import com.dts.apm.config.ConfigLoader;
import com.dts.apm.testing.Cli;
import com.dts.apm.testing.PostgresDatabases;
import com.dts.apm.testing.PostgresServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/** The daemon with its API on, GreenMail as the mail servers, the command line and a real HTTP client. */
final class ApiHarness implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final GreenMail mail;
    final Path config;
    final Cli cli;
    final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    App app;

    /** Databases on PostgreSQL this harness opened (closed with it); null on SQLite. */
    private final PostgresDatabases postgres;

    ApiHarness(Path dir, String... extraConfig) throws IOException {
        this(null, dir, extraConfig);
    }

    /** As {@link #ApiHarness(Path, String...)} with the database on a fresh database of {@code pg}. */
    static ApiHarness onPostgres(PostgresServer pg, Path dir, String... extraConfig) throws IOException {
        return new ApiHarness(new PostgresDatabases(pg, dir), dir, extraConfig);
    }

    private ApiHarness(PostgresDatabases postgres, Path dir, String... extraConfig) throws IOException {
        this.postgres = postgres;
        mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.IMAP, ServerSetupTest.SMTP}));
        mail.start();
        config = dir.resolve("apm.yml");
        var key = dir.resolve("data/master.key");
        if (postgres != null) {
            Files.createDirectories(key.getParent());
            com.dts.apm.store.Vault.generate(key);
        }
        Files.writeString(
                config,
                String.join(
                        "\n",
                        postgres == null
                                ? "database: { path: " + dir.resolve("data/apm.db") + " }"
                                : "database:\n" + postgres.yaml().stripTrailing() + "\nsecrets: { key-file: " + key
                                        + " }",
                        "http: { port: 0 }",
                        "api: { enabled: true, port: 0 }",
                        "schedule:",
                        "  interval: 1h",
                        "  jitter: 0s",
                        "  confirm-after: 1s",
                        "  failing-recheck-interval: 2s",
                        "  retry-initial: 1s",
                        "  logins-per-second-per-provider: 100",
                        "  shutdown-grace: 5s",
                        String.join("\n", extraConfig),
                        ""));
        cli = new Cli(config);
    }

    App start() {
        app = App.start(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC());
        return app;
    }

    /** Makes a token with the command line; returns it (the last line of standard output). */
    String token(String name, String scopes) {
        var r = cli.run("api-tokens", "create", name, "--scopes", scopes);
        assertThat(r.exit()).as(r.err()).isZero();
        var lines = r.out().strip().split("\n");
        return lines[lines.length - 1];
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + app.apiPort() + pathAndQuery);
    }

    HttpResponse<String> send(String method, String path, String token, String contentType, byte[] body)
            throws Exception {
        var b = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path, String token) throws Exception {
        return send("GET", path, token, null, null);
    }

    HttpResponse<String> json(String method, String path, String token, Object body) throws Exception {
        return send(method, path, token, "application/json", JSON.writeValueAsBytes(body));
    }

    static JsonNode body(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    /** A PUT body for a GreenMail mailbox on loopback (plain is allowed there). */
    Map<String, Object> mailbox(String email, String password) {
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("dealer_id", "D-" + email.charAt(0));
        m.put("dealer_name", "Dealer " + email.charAt(0));
        m.put("email", email);
        m.put("provider", "custom");
        m.put("imap", Map.of("host", "127.0.0.1", "port", mail.getImap().getPort(), "security", "plain"));
        m.put("smtp", Map.of("host", "127.0.0.1", "port", mail.getSmtp().getPort(), "security", "plain"));
        m.put("protocols", java.util.List.of("imap", "smtp"));
        if (password != null) {
            m.put("password", password);
        }
        return m;
    }

    String metrics() throws Exception {
        return http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    @Override
    public void close() {
        if (app != null) {
            app.close();
        }
        mail.stop();
        if (postgres != null) {
            postgres.close();
        }
    }
}
