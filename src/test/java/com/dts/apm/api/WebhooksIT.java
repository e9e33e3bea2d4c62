package com.dts.apm.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.api.WebhookReceiver.Answer;
import com.dts.apm.testing.Await;
import com.dts.apm.testing.LogCapture;
import com.fasterxml.jackson.databind.JsonNode;
import com.svix.Webhook;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State changes reach a real local HTTP receiver as Standard Webhooks that svix's implementation accepts; failed
 * attempts are retried with the same webhook-id until they land, once.
 */
class WebhooksIT {
    @TempDir
    Path dir;

    /** The daemon and its API for one test; the PostgresIT subclass puts its database on PostgreSQL. */
    ApiHarness harness(java.nio.file.Path dir, String... extraConfig) throws java.io.IOException {
        return new ApiHarness(dir, extraConfig);
    }

    private String secret(String name) throws Exception {
        var key = new byte[32];
        new SecureRandom().nextBytes(key);
        var secret = "whsec_" + Base64.getEncoder().encodeToString(key);
        Files.writeString(dir.resolve(name), secret + "\n");
        return secret;
    }

    private static void verify(String secret, WebhookReceiver.Received r) throws Exception {
        var headers = new HashMap<String, List<String>>();
        for (var h : List.of("webhook-id", "webhook-timestamp", "webhook-signature")) {
            headers.put(h, List.of(r.header(h)));
        }
        new Webhook(secret).verify(r.body(), java.net.http.HttpHeaders.of(headers, (a, b) -> true));
    }

    private static JsonNode json(WebhookReceiver.Received r) throws Exception {
        return ApiHarness.JSON.readTree(r.body());
    }

    private static List<String> types(List<WebhookReceiver.Received> rs) {
        return rs.stream()
                .map(r -> {
                    try {
                        return json(r).get("type").asText();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toList();
    }

    @Test
    void aRevokedPasswordSendsASignedFailingAndANewOneARecovered() throws Exception {
        try (var receiver = new WebhookReceiver(n -> Answer.OK)) {
            var secret = secret("crm.secret");
            try (var h = harness(
                            dir,
                            "webhooks:",
                            "  - url: " + receiver.url(),
                            "    secret-file: " + dir.resolve("crm.secret"));
                    var logs = new LogCapture()) {
                h.mail.setUser("hank@dealer-h.test", "hank@dealer-h.test", "hank-app-password-1");
                h.start();
                var token = h.token("crm", "integrations:read,integrations:write,checks:run");
                assertThat(h.json(
                                        "PUT",
                                        "/api/v1/integrations/crm-7",
                                        token,
                                        h.mailbox("hank@dealer-h.test", "hank-app-password-1"))
                                .statusCode())
                        .isEqualTo(201);
                Await.until(
                        "healthy event",
                        Duration.ofSeconds(15),
                        () -> types(receiver.delivered()).contains("integration.state_changed"));

                h.mail.getUserManager().getUser("hank@dealer-h.test").setPassword("the-dealer-changed-it");
                assertThat(h.send("POST", "/api/v1/integrations/crm-7/check", token, null, null)
                                .statusCode())
                        .isEqualTo(200);
                Await.until(
                        "failing event",
                        Duration.ofSeconds(20),
                        () -> types(receiver.delivered()).contains("integration.failing"));
                var failing = receiver.delivered().stream()
                        .filter(r -> r.body().contains("\"integration.failing\""))
                        .findFirst()
                        .orElseThrow();
                verify(secret, failing); // a real Standard Webhooks implementation accepts the signature
                var data = json(failing).get("data");
                assertThat(data.get("external_id").asText()).isEqualTo("crm-7");
                assertThat(data.get("state").asText()).isEqualTo("FAILING");
                assertThat(data.get("previous_state").asText()).isEqualTo("SUSPECT");
                assertThat(data.get("outcome").asText()).isEqualTo("AUTH_REJECTED");
                assertThat(data.get("email").asText()).isEqualTo("hank@dealer-h.test");
                for (var f : List.of("id", "dealer_id", "provider", "detail", "changed_at")) {
                    assertThat(data.has(f)).as(f).isTrue();
                }
                assertThat(json(failing).get("timestamp").asText())
                        .isEqualTo(data.get("changed_at").asText());
                assertThat(failing.header("webhook-id")).startsWith("msg_");

                h.mail.getUserManager().getUser("hank@dealer-h.test").setPassword("hank-app-password-2");
                assertThat(h.json(
                                        "PUT",
                                        "/api/v1/integrations/crm-7",
                                        token,
                                        h.mailbox("hank@dealer-h.test", "hank-app-password-2"))
                                .statusCode())
                        .isEqualTo(200);
                Await.until(
                        "recovered event",
                        Duration.ofSeconds(20),
                        () -> types(receiver.delivered()).contains("integration.recovered"));
                for (var r : receiver.delivered()) {
                    verify(secret, r);
                }
                assertThat(types(receiver.delivered()))
                        .contains("integration.password_replaced")
                        .containsSubsequence(
                                "integration.failing", "integration.password_replaced", "integration.recovered");
                // one event per transition: every webhook-id arrived once
                var ids = receiver.delivered().stream()
                        .map(r -> r.header("webhook-id"))
                        .toList();
                assertThat(ids).doesNotHaveDuplicates();

                var all = receiver.received.stream()
                        .map(WebhookReceiver.Received::body)
                        .collect(Collectors.joining());
                assertThat(all + logs.text() + h.metrics())
                        .doesNotContain("hank-app-password")
                        .doesNotContain(secret.substring(6));
                assertThat(h.metrics())
                        .contains("apm_webhook_deliveries_total{event=\"integration.failing\",result=\"sent\"} 1.0");
            }
        }
    }

    @Test
    void aReceiverDownForAWhileGetsEveryEventOnceWithTheSameIdAndASlowOneHoldsUpNobody() throws Exception {
        // the first receiver fails in every way for its first four requests, then works
        var failures = List.of(Answer.ERROR_500, Answer.REDIRECT_301, Answer.CLOSE_MID_RESPONSE, Answer.ERROR_500);
        try (var flaky = new WebhookReceiver(n -> n < failures.size() ? failures.get(n) : Answer.OK);
                var hanging = new WebhookReceiver(n -> Answer.HANG)) {
            var secret = secret("a.secret");
            secret("b.secret");
            try (var h = harness(
                    dir,
                    "webhooks:",
                    "  - url: " + hanging.url(),
                    "    secret-file: " + dir.resolve("b.secret"),
                    "  - url: " + flaky.url(),
                    "    secret-file: " + dir.resolve("a.secret"),
                    "    events: [integration.state_changed]")) {
                h.mail.setUser("ivy@dealer-i.test", "ivy@dealer-i.test", "ivy-app-password");
                h.mail.setUser("jon@dealer-j.test", "jon@dealer-j.test", "jon-app-password");
                h.start();
                var token = h.token("crm", "integrations:read,integrations:write");
                long started = System.nanoTime();
                assertThat(h.json(
                                        "PUT",
                                        "/api/v1/integrations/ivy",
                                        token,
                                        h.mailbox("ivy@dealer-i.test", "ivy-app-password"))
                                .statusCode())
                        .isEqualTo(201);
                assertThat(h.json(
                                        "PUT",
                                        "/api/v1/integrations/jon",
                                        token,
                                        h.mailbox("jon@dealer-j.test", "jon-app-password"))
                                .statusCode())
                        .isEqualTo(201);
                // checks are not held up by the hanging endpoint
                Await.until(
                        "both checked",
                        Duration.ofSeconds(10),
                        () -> h.app.workspace().integrations().list().stream()
                                .allMatch(i -> i.state().name().equals("HEALTHY")));
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));

                Await.until(
                        "both events delivered despite the failures",
                        Duration.ofSeconds(90),
                        () -> flaky.delivered().size() >= 2);
                Thread.sleep(3000); // nothing more comes: no duplicate after the 2xx
                var delivered = flaky.delivered();
                assertThat(delivered).hasSize(2);
                assertThat(types(delivered)).containsOnly("integration.state_changed");
                for (var r : delivered) {
                    verify(secret, r);
                }
                var deliveredIds =
                        delivered.stream().map(r -> r.header("webhook-id")).collect(Collectors.toSet());
                var failedIds = flaky.received.stream()
                        .filter(r -> r.answer() != Answer.OK)
                        .map(r -> r.header("webhook-id"))
                        .collect(Collectors.toSet());
                assertThat(deliveredIds)
                        .as("every retry carried the id of its event")
                        .containsAll(failedIds);
                // the hanging endpoint got its first request and holds nobody up; its attempt is retried later
                assertThat(hanging.received).isNotEmpty();
                var list = h.cli.run("webhooks", "list", "--json");
                assertThat(list.exit()).as(list.err()).isZero();
                assertThat(list.out()).contains(flaky.url()).contains("\"SENT\"");
                // replay sends a delivered event again, with the same webhook-id
                var sent = ApiHarness.JSON.readTree(list.out());
                JsonNode first = null;
                for (var d : sent) {
                    if (d.get("endpoint").asText().equals(flaky.url())) {
                        first = d;
                    }
                }
                assertThat(first).isNotNull();
                var replay = h.cli.run("webhooks", "replay", first.get("id").asText());
                assertThat(replay.exit()).as(replay.err()).isZero();
                var id = "msg_" + first.get("event_id").asText();
                Await.until(
                        "replayed",
                        Duration.ofSeconds(15),
                        () -> flaky.delivered().stream()
                                        .filter(r -> id.equals(r.header("webhook-id")))
                                        .count()
                                == 2);
                assertThat(h.cli.run("webhooks", "replay", "999999").exit()).isEqualTo(2);
                assertThat(h.cli.run("webhooks", "failed").out()).contains("(no webhook deliveries)");
                assertThat(h.metrics())
                        .contains("apm_webhook_deliveries_total{event=\"integration.state_changed\",result=\"retry\"}");
            }
        }
    }
}
