package com.dts.apm.api;

import static com.dts.apm.api.ApiHarness.body;
import static com.dts.apm.api.ApiIntegrationsIT.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input gets a 4xx problem+json naming the problem, stores nothing, and never echoes the password. */
class ApiBadInputIT {
    private static final String SECRET = "pw-secret-app-pass";

    @TempDir
    java.nio.file.Path dir;

    /** The daemon and its API for one test; the PostgresIT subclass puts its database on PostgreSQL. */
    ApiHarness harness(java.nio.file.Path dir, String... extraConfig) throws java.io.IOException {
        return new ApiHarness(dir, extraConfig);
    }

    private record Case(String name, HttpResponse<String> response, int status, String detailContains) {}

    @Test
    void badInputsGetAClearProblemAndStoreNothing() throws Exception {
        try (var h = harness(dir);
                var logs = new LogCapture()) {
            h.start();
            var token = h.token("crm", "integrations:read,integrations:write,checks:run");
            var good = h.mailbox("bad@dealer-b.test", SECRET);
            var put = "/api/v1/integrations/ok-1";
            var json = "application/json";
            var cases = new java.util.ArrayList<Case>();
            cases.add(new Case(
                    "malformed", h.send("PUT", put, token, json, "{\"email\": ".getBytes()), 400, "not valid JSON"));
            var full = ApiHarness.JSON.writeValueAsBytes(good);
            cases.add(new Case(
                    "truncated",
                    h.send("PUT", put, token, json, java.util.Arrays.copyOf(full, full.length - 5)),
                    400,
                    "not valid JSON"));
            cases.add(new Case(
                    "not UTF-8",
                    h.send(
                            "PUT",
                            put,
                            token,
                            json,
                            ("{\"dealer_id\":\"D\u00e9\"}").getBytes(StandardCharsets.ISO_8859_1)),
                    400,
                    "not UTF-8"));
            cases.add(new Case(
                    "unknown field",
                    h.json("PUT", put, token, with(good, "pasword", "x")),
                    400,
                    "pasword: unknown field"));
            cases.add(new Case(
                    "port as text",
                    h.json(
                            "PUT",
                            put,
                            token,
                            with(good, "imap", Map.of("host", "127.0.0.1", "port", "993", "security", "ssl"))),
                    400,
                    "imap.port: expected a whole number"));
            cases.add(new Case(
                    "port out of range",
                    h.json(
                            "PUT",
                            put,
                            token,
                            with(good, "imap", Map.of("host", "127.0.0.1", "port", 70000, "security", "ssl"))),
                    400,
                    "out of range"));
            cases.add(new Case(
                    "plain to a remote host",
                    h.json(
                            "PUT",
                            put,
                            token,
                            with(good, "smtp", Map.of("host", "smtp.example.com", "port", 25, "security", "plain"))),
                    400,
                    "smtp.security 'plain'"));
            cases.add(new Case(
                    "bad email",
                    h.json("PUT", put, token, with(good, "email", "not-an-address")),
                    400,
                    "email 'not-an-address' is not a valid email address"));
            cases.add(new Case(
                    "no password on create",
                    h.json("PUT", put, token, h.mailbox("bad@dealer-b.test", null)),
                    400,
                    "password: required"));
            cases.add(new Case(
                    "unknown protocol",
                    h.json("PUT", put, token, with(good, "protocols", List.of("pop3"))),
                    400,
                    "protocols"));
            cases.add(new Case(
                    "unknown provider",
                    h.json("PUT", put, token, with(good, "provider", "hotmail2")),
                    400,
                    "provider"));
            cases.add(new Case(
                    "huge field",
                    h.json("PUT", put, token, with(good, "dealer_name", "x".repeat(60_000))),
                    400,
                    "dealer_name is longer than 200"));
            cases.add(new Case(
                    "duplicate key",
                    h.send("PUT", put, token, json, "{\"email\":\"a@b.test\",\"email\":\"c@d.test\"}".getBytes()),
                    400,
                    "twice"));
            cases.add(new Case("array body", h.send("PUT", put, token, json, "[1,2]".getBytes()), 400, "the body"));
            cases.add(new Case(
                    "body over 64 KB",
                    refusedBeforeItsBodyIsRead(
                            () -> h.json("PUT", put, token, with(good, "dealer_name", "x".repeat(70_000)))),
                    413,
                    "64 KB"));
            cases.add(new Case(
                    "wrong content type", h.send("PUT", put, token, "text/plain", full), 415, "application/json"));
            cases.add(new Case("no content type", h.send("PUT", put, token, null, full), 415, "application/json"));
            cases.add(new Case(
                    "300-character id",
                    h.json("PUT", "/api/v1/integrations/" + "a".repeat(300), token, good),
                    400,
                    "external_id"));
            cases.add(new Case(
                    "id with a space", h.json("PUT", "/api/v1/integrations/a%20b", token, good), 400, "external_id"));
            cases.add(new Case("not UTF-8 in the path", h.get("/api/v1/integrations/%C3%28", token), 400, ""));
            cases.add(new Case(
                    "limit -1", h.get("/api/v1/integrations?limit=-1", token), 400, "limit: -1 is out of range"));
            cases.add(new Case(
                    "limit 100000",
                    h.get("/api/v1/integrations?limit=100000", token),
                    400,
                    "limit: 100000 is out of range"));
            cases.add(new Case(
                    "limit abc",
                    h.get("/api/v1/integrations?limit=abc", token),
                    400,
                    "limit: 'abc' is not a whole number"));
            cases.add(new Case(
                    "forged cursor",
                    h.get("/api/v1/integrations?cursor=AAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAA", token),
                    400,
                    "cursor:"));
            cases.add(new Case("garbage cursor", h.get("/api/v1/integrations?cursor=%21%21", token), 400, "cursor:"));
            cases.add(new Case(
                    "unknown state", h.get("/api/v1/integrations?state=BROKEN", token), 400, "state: 'BROKEN'"));
            cases.add(new Case(
                    "unknown query parameter",
                    h.get("/api/v1/integrations?sate=FAILING", token),
                    400,
                    "sate: unknown"));
            cases.add(new Case("missing integration", h.get("/api/v1/integrations/nope", token), 404, "nope"));
            for (var c : cases) {
                var r = c.response();
                assertThat(r.statusCode()).as(c.name() + ": " + r.body()).isEqualTo(c.status());
                assertThat(r.headers().firstValue("Content-Type")).as(c.name()).hasValue("application/problem+json");
                var p = body(r);
                assertThat(p.get("status").asInt()).as(c.name()).isEqualTo(c.status());
                assertThat(p.get("type").asText()).as(c.name()).startsWith("https://");
                assertThat(p.get("title").asText()).as(c.name()).isNotBlank();
                assertThat(p.get("detail").asText()).as(c.name()).contains(c.detailContains());
                assertThat(r.body()).as(c.name()).doesNotContain(SECRET).hasSizeLessThan(2000);
            }
            // %2e%2e: Jetty refuses the ambiguous segment itself, still as a problem
            var dots = h.get("/api/v1/integrations/%2e%2e", token);
            assertThat(dots.statusCode()).as(dots.body()).isEqualTo(400);
            assertThat(dots.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(h.get("/api/v1/integrations/%2e%2e/history", token).statusCode())
                    .isEqualTo(400);

            assertThat(h.app.workspace().integrations().list())
                    .as("nothing stored")
                    .isEmpty();
            assertThat(logs.text()).doesNotContain(SECRET).doesNotContain(token);
            assertThat(h.metrics())
                    .contains("status=\"413\"")
                    .contains("status=\"415\"")
                    .doesNotContain(SECRET);
        }
    }

    @Test
    void aClientThatStopsSendingIsCutOffAndOthersAreStillServed() throws Exception {
        try (var h = harness(dir)) {
            h.start();
            var token = h.token("crm", "integrations:read,integrations:write");
            try (var socket = new Socket("127.0.0.1", h.app.apiPort())) {
                socket.setSoTimeout(20_000);
                OutputStream out = socket.getOutputStream();
                out.write(("PUT /api/v1/integrations/slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token
                                + "\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"dealer_id\":")
                        .getBytes());
                out.flush();
                // meanwhile another request is answered at once
                assertThat(h.get("/api/v1/integrations", token).statusCode()).isEqualTo(200);
                long started = System.nanoTime();
                InputStream in = socket.getInputStream();
                var reply = new ByteArrayOutputStream();
                in.transferTo(reply);
                long waited = (System.nanoTime() - started) / 1_000_000;
                var text = reply.toString(StandardCharsets.UTF_8);
                assertThat(waited)
                        .as("cut off by the idle timeout, not hanging")
                        .isLessThan(15_000);
                assertThat(text).startsWith("HTTP/1.1 400").contains("application/problem+json");
            }
            assertThat(h.app.workspace().integrations().list()).isEmpty();
        }
    }

    static Map<String, Object> copy(Map<String, Object> m) {
        return new LinkedHashMap<>(m);
    }

    interface Exchange {
        HttpResponse<String> send() throws Exception;
    }

    /**
     * An answer the server gives before it has read the body (413): it closes the connection afterwards, and while
     * the client is still writing the rest of the body that close can reach it as a reset before the answer is
     * read ("header parser received no bytes"). A client retries; so does the test, at most three times.
     */
    private static HttpResponse<String> refusedBeforeItsBodyIsRead(Exchange exchange) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return exchange.send();
            } catch (java.io.IOException e) {
                if (attempt == 3) {
                    throw e;
                }
            }
        }
    }
}
