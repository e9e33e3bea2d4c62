package com.dts.apm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dts.apm.ApmException;
import com.dts.apm.config.Config;
import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetricsEndpointIT {
    private final FakeSource source = new FakeSource();
    private final AtomicReference<Health.Status> health = new AtomicReference<>(Health.Status.ok());
    private final HttpClient client =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Metrics metrics;
    private HttpEndpoint endpoint;

    @BeforeEach
    void start() {
        metrics = new Metrics(source);
        endpoint = HttpEndpoint.start(new Config.Http("127.0.0.1", 0), metrics, health::get);
    }

    @AfterEach
    void stop() {
        endpoint.close();
        metrics.close();
    }

    private HttpResponse<String> send(String method, String path, String accept) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
                .timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (accept != null) {
            request.header("Accept", accept);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    @Test
    void bindsAFreePortWhenAskedForPortZero() {
        assertThat(endpoint.port()).isPositive();
        assertThat(endpoint.address().getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void servesChecksAndGaugesInPrometheusTextFormat() throws Exception {
        metrics.recordCheck("gmail", Protocol.IMAP, Outcome.AUTH_REJECTED, Duration.ofMillis(412));
        metrics.recordCheck("gmail", Protocol.IMAP, Outcome.OK, Duration.ofMillis(80));
        metrics.recordNotification(AlertKind.FAILURE, "sent");
        source.integrations =
                Map.of(new MetricsSource.Key("gmail", "HEALTHY"), 12L, new MetricsSource.Key("yahoo", "DEGRADED"), 3L);
        source.queueDepth = 2;
        source.oldestCheckAge = OptionalDouble.of(3600);
        source.held = Map.of("yahoo", 4L);
        source.certificates = Map.of("imap.gmail.com", Instant.ofEpochSecond(1_900_000_000L));

        var response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(HttpEndpoint.PROMETHEUS_TEXT);
        assertThat(response.body())
                .contains("apm_checks_total{outcome=\"AUTH_REJECTED\",protocol=\"imap\",provider=\"gmail\"} 1.0\n")
                .contains("apm_checks_total{outcome=\"OK\",protocol=\"imap\",provider=\"gmail\"} 1.0\n")
                .contains("apm_check_duration_seconds_bucket{protocol=\"imap\",provider=\"gmail\",le=\"0.05\"} 0\n")
                .contains("apm_check_duration_seconds_bucket{protocol=\"imap\",provider=\"gmail\",le=\"0.1\"} 1\n")
                .contains("apm_check_duration_seconds_bucket{protocol=\"imap\",provider=\"gmail\",le=\"0.5\"} 2\n")
                .contains("apm_check_duration_seconds_bucket{protocol=\"imap\",provider=\"gmail\",le=\"60.0\"} 2\n")
                .contains("apm_check_duration_seconds_bucket{protocol=\"imap\",provider=\"gmail\",le=\"+Inf\"} 2\n")
                .contains("apm_check_duration_seconds_count{protocol=\"imap\",provider=\"gmail\"} 2\n")
                .contains("apm_notifications_total{kind=\"failure\",result=\"sent\"} 1.0\n")
                .contains("apm_integrations{provider=\"gmail\",state=\"HEALTHY\"} 12.0\n")
                .contains("apm_integrations{provider=\"yahoo\",state=\"DEGRADED\"} 3.0\n")
                .contains("apm_notification_queue_depth 2.0\n")
                .contains("apm_alerts_held{provider=\"yahoo\"} 4.0\n")
                .contains("apm_tls_certificate_expiry_timestamp_seconds{host=\"imap.gmail.com\"} 1.9E9\n")
                .contains("# TYPE apm_check_duration_seconds histogram")
                .contains("jvm_memory_used_bytes{area=\"heap\"")
                .contains("process_uptime_seconds ");
        assertThat(Samples.parse(response.body()).value("apm_oldest_check_age_seconds"))
                .hasValueSatisfying(age -> assertThat(age).isBetween(3600.0, 3660.0));
    }

    @Test
    void servesOpenMetricsWhenTheAcceptHeaderAsksForIt() throws Exception {
        metrics.recordCheck("zoho", Protocol.SMTP, Outcome.NETWORK_ERROR, Duration.ofSeconds(10));

        var response = send(
                "GET",
                "/metrics",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(HttpEndpoint.OPENMETRICS_TEXT);
        assertThat(response.body())
                .contains("# TYPE apm_checks counter\n")
                .contains("apm_checks_total{outcome=\"NETWORK_ERROR\",protocol=\"smtp\",provider=\"zoho\"} 1.0\n")
                .endsWith("# EOF\n");
    }

    @Test
    void answersHeadWithoutABody() throws Exception {
        var response = send("HEAD", "/metrics", null);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue(HttpEndpoint.PROMETHEUS_TEXT);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void unknownPathsAreNotFound() throws Exception {
        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/metricsx").statusCode()).isEqualTo(404);
        assertThat(get("/metrics/extra").statusCode()).isEqualTo(404);
    }

    @Test
    void otherMethodsAreNotAllowed() throws Exception {
        for (var path : new String[] {"/metrics", "/healthz"}) {
            var response = send("POST", path, null);

            assertThat(response.statusCode()).isEqualTo(405);
            assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
        }
        assertThat(send("DELETE", "/metrics", null).statusCode()).isEqualTo(405);
    }

    @Test
    void healthzFollowsTheHealthSupplier() throws Exception {
        var healthy = get("/healthz");
        assertThat(healthy.statusCode()).isEqualTo(200);
        assertThat(healthy.body()).isEqualTo("ok\n");

        health.set(Health.Status.failing("database does not answer: SQLITE_BUSY"));
        var unhealthy = get("/healthz");
        assertThat(unhealthy.statusCode()).isEqualTo(503);
        assertThat(unhealthy.body()).isEqualTo("database does not answer: SQLITE_BUSY\n");

        health.set(Health.Status.ok());
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void healthzIsUnavailableWhenTheSupplierThrows() throws Exception {
        endpoint.close();
        endpoint = HttpEndpoint.start(new Config.Http("127.0.0.1", 0), metrics, () -> {
            throw new IllegalStateException("boom");
        });

        var response = get("/healthz");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo("health check failed: IllegalStateException\n");
    }

    @Test
    void metricsStayAvailableWhenTheSourceFails() throws Exception {
        source.failure = new IllegalStateException("no database");

        var response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("apm_notification_queue_depth 0.0");
    }

    @Test
    void refusesAPortAlreadyInUse() {
        var taken = new Config.Http("127.0.0.1", endpoint.port());

        assertThatThrownBy(() -> HttpEndpoint.start(taken, metrics, Health.Status::ok))
                .isInstanceOf(ApmException.class)
                .hasMessageContaining("127.0.0.1:" + endpoint.port());
    }
}
