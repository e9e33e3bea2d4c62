package com.dts.apm.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DashboardTest {

    /** Every sample name the daemon exports once each meter has a value. */
    private static Set<String> exportedNames() {
        var source = new FakeSource();
        source.integrations = Map.of(new MetricsSource.Key("gmail", "HEALTHY"), 1L);
        source.queueDepth = 1;
        source.oldestCheckAge = OptionalDouble.of(1);
        source.held = Map.of("gmail", 1L);
        source.certificates = Map.of("imap.gmail.com", Instant.ofEpochSecond(1));
        try (var metrics = new Metrics(source)) {
            metrics.recordCheck("gmail", Protocol.IMAP, Outcome.OK, Duration.ofMillis(100));
            metrics.recordNotification(AlertKind.FAILURE, "sent");
            Metrics.recordApiRequest(metrics.registry(), "/api/v1/integrations", 200, Duration.ofMillis(3));
            Metrics.webhookDeliveries(metrics.registry(), "integration.failing", "sent")
                    .increment();
            return Samples.parse(metrics.scrape(HttpEndpoint.PROMETHEUS_TEXT)).all().stream()
                    .map(Samples.Sample::name)
                    .collect(Collectors.toSet());
        }
    }

    @Test
    void queriesNameOnlyMetricsTheDaemonExports() throws Exception {
        var exported = exportedNames();
        var queried = new HashSet<String>();
        for (var expr : Dashboard.load().expressions()) {
            var names = Dashboard.metricNames(expr);
            assertThat(names).as("metrics in %s", expr).isNotEmpty();
            queried.addAll(names);
        }

        assertThat(exported).as("metrics queried by the dashboard").containsAll(queried);
        assertThat(queried)
                .contains(
                        "apm_integrations",
                        "apm_checks_total",
                        "apm_check_duration_seconds_bucket",
                        "apm_notifications_total",
                        "apm_notification_queue_depth",
                        "apm_oldest_check_age_seconds",
                        "apm_alerts_held",
                        "apm_tls_certificate_expiry_timestamp_seconds",
                        "jvm_memory_used_bytes");
    }

    @Test
    void variableQueriesNameExportedMetrics() throws Exception {
        var exported = exportedNames();
        for (var variable : Dashboard.load().root().path("templating").path("list")) {
            if (variable.path("type").asText().equals("query")) {
                var query = variable.path("query").path("query").asText();
                var inner = query.replaceFirst("^label_values\\((.*),\\s*\\w+\\)$", "$1");
                assertThat(exported).as(query).containsAll(Dashboard.metricNames(inner));
            }
        }
    }

    @Test
    void everyPanelUsesThePrometheusDatasourceVariable() throws Exception {
        var dashboard = Dashboard.load();
        var datasourceVariable =
                dashboard.root().path("templating").path("list").get(0);
        assertThat(datasourceVariable.path("name").asText()).isEqualTo("datasource");
        assertThat(datasourceVariable.path("type").asText()).isEqualTo("datasource");
        assertThat(datasourceVariable.path("query").asText()).isEqualTo("prometheus");

        for (var panel : dashboard.panels()) {
            assertThat(panel.path("datasource").path("uid").asText())
                    .as(title(panel))
                    .isEqualTo("${datasource}");
            assertThat(panel.path("targets")).as(title(panel)).isNotEmpty();
            for (var target : panel.path("targets")) {
                assertThat(target.path("datasource").path("uid").asText())
                        .as(title(panel))
                        .isEqualTo("${datasource}");
            }
        }
    }

    @Test
    void panelsHaveUniqueIdsAndAPlace() throws Exception {
        var panels = Dashboard.load().panels();
        assertThat(panels).extracting(p -> p.path("id").asInt()).doesNotHaveDuplicates();
        assertThat(panels).allSatisfy(p -> {
            assertThat(p.path("gridPos").path("w").asInt()).as(title(p)).isPositive();
            assertThat(p.path("gridPos").path("h").asInt()).as(title(p)).isPositive();
        });
    }

    @Test
    void findsMetricNamesInPromQl() {
        assertThat(
                        Dashboard.metricNames(
                                "histogram_quantile(0.95, sum by (provider, le) (rate(apm_check_duration_seconds_bucket{job=~\"$job\"}[$__rate_interval])))"))
                .containsExactly("apm_check_duration_seconds_bucket");
        assertThat(Dashboard.metricNames("min by (host) (apm_tls_certificate_expiry_timestamp_seconds) - time()"))
                .containsExactly("apm_tls_certificate_expiry_timestamp_seconds");
        assertThat(Dashboard.metricNames("a_total / on (instance) group_left b_total > 0 and c unless d offset 5m"))
                .containsExactlyInAnyOrder("a_total", "b_total", "c", "d");
    }

    private static String title(JsonNode panel) {
        return "panel " + panel.path("title").asText();
    }
}
