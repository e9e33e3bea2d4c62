package com.dts.apm.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MetricsTest {
    private static final Set<String> ALLOWED_APM_LABELS =
            Set.of("provider", "protocol", "outcome", "state", "kind", "result", "host", "le");

    private final TestClock clock = new TestClock(Instant.parse("2025-06-01T12:00:00Z"));
    private final FakeSource source = new FakeSource();
    private final Metrics metrics = new Metrics(source, Duration.ofSeconds(10), clock);

    @AfterEach
    void close() {
        metrics.close();
    }

    private Samples scrape() {
        return Samples.parse(metrics.scrape(HttpEndpoint.PROMETHEUS_TEXT));
    }

    private static MetricsSource.Key key(String provider, String state) {
        return new MetricsSource.Key(provider, state);
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void aScrapeServesTheCurrentSnapshotInsteadOfWaitingForARefreshInProgress() throws Exception {
        source.integrations = Map.of(key("gmail", "HEALTHY"), 3L);
        scrape(); // the first snapshot
        var inRead = new java.util.concurrent.CountDownLatch(1);
        var release = new java.util.concurrent.CountDownLatch(1);
        source.integrations = Map.of(key("gmail", "HEALTHY"), 4L);
        source.duringRead = () -> {
            inRead.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        clock.advance(Duration.ofSeconds(11)); // stale for scrapes and for the background refresh
        var background = new Thread(metrics::refreshSnapshot);
        background.start();
        inRead.await();

        var samples = scrape(); // would wait for the background read before

        assertThat(samples.value("apm_integrations", Map.of("provider", "gmail", "state", "HEALTHY")))
                .contains(3.0);
        assertThat(source.reads).hasValue(2);
        release.countDown();
        background.join();
        assertThat(scrape().value("apm_integrations", Map.of("provider", "gmail", "state", "HEALTHY")))
                .contains(4.0);
    }

    @Test
    void countsChecksByProviderProtocolAndOutcome() {
        metrics.recordCheck("gmail", Protocol.IMAP, Outcome.AUTH_REJECTED, Duration.ofMillis(300));
        metrics.recordCheck("gmail", Protocol.IMAP, Outcome.AUTH_REJECTED, Duration.ofMillis(700));
        metrics.recordCheck("gmail", Protocol.SMTP, Outcome.OK, Duration.ofSeconds(2));

        var samples = scrape();

        assertThat(samples.value(
                        "apm_checks_total",
                        Map.of("provider", "gmail", "protocol", "imap", "outcome", "AUTH_REJECTED")))
                .contains(2.0);
        assertThat(samples.value("apm_checks_total", Map.of("provider", "gmail", "protocol", "smtp", "outcome", "OK")))
                .contains(1.0);
        assertThat(samples.value("apm_check_duration_seconds_count", Map.of("provider", "gmail", "protocol", "imap")))
                .contains(2.0);
        assertThat(samples.value("apm_check_duration_seconds_sum", Map.of("provider", "gmail", "protocol", "imap")))
                .contains(1.0);
    }

    @Test
    void checkDurationHasLoginSizedBuckets() {
        metrics.recordCheck("yahoo", Protocol.IMAP, Outcome.OK, Duration.ofMillis(400));

        var buckets = scrape().named("apm_check_duration_seconds_bucket").stream()
                .map(s -> s.labels().get("le"))
                .toList();

        assertThat(buckets)
                .containsExactly(
                        "0.05", "0.1", "0.25", "0.5", "1.0", "2.0", "5.0", "10.0", "20.0", "30.0", "45.0", "60.0",
                        "+Inf");
    }

    @Test
    void notificationSeriesStartAtZeroAndCount() {
        assertThat(scrape().value("apm_notifications_total", Map.of("kind", "reminder", "result", "sent")))
                .contains(0.0);

        metrics.recordNotification(AlertKind.FAILURE, "sent");
        metrics.recordNotification(AlertKind.FAILURE, "sent");

        assertThat(scrape().value("apm_notifications_total", Map.of("kind", "failure", "result", "sent")))
                .contains(2.0);
    }

    @Test
    void loopErrorsAreCountedByLoopNameOnly() {
        metrics.recordLoopError("check");
        metrics.recordLoopError("check");
        metrics.recordLoopError("check of sales@acme.test");
        assertThat(scrape().value("apm_loop_errors_total", Map.of("loop", "check")))
                .contains(2.0);
        assertThat(scrape().value("apm_loop_errors_total", Map.of("loop", "other")))
                .contains(1.0);
    }

    @Test
    void servesGaugesFromTheSource() {
        source.integrations = Map.of(key("gmail", "HEALTHY"), 40L, key("gmail", "FAILING"), 2L);
        source.queueDepth = 3;
        source.oldestCheckAge = OptionalDouble.of(1800);
        source.held = Map.of("yahoo", 7L);
        source.certificates = Map.of("IMAP.Gmail.com", Instant.ofEpochSecond(1_900_000_000L));

        var samples = scrape();

        assertThat(samples.value("apm_integrations", Map.of("provider", "gmail", "state", "HEALTHY")))
                .contains(40.0);
        assertThat(samples.value("apm_integrations", Map.of("provider", "gmail", "state", "FAILING")))
                .contains(2.0);
        assertThat(samples.value("apm_notification_queue_depth")).contains(3.0);
        assertThat(samples.value("apm_oldest_check_age_seconds")).contains(1800.0);
        assertThat(samples.value("apm_alerts_held", Map.of("provider", "yahoo")))
                .contains(7.0);
        assertThat(samples.value("apm_tls_certificate_expiry_timestamp_seconds", Map.of("host", "imap.gmail.com")))
                .contains(1.9e9);
    }

    @Test
    void readsTheSourceAtMostOncePerInterval() {
        scrape();
        scrape();
        clock.advance(Duration.ofSeconds(9));
        scrape();
        assertThat(source.reads).hasValue(1);

        source.queueDepth = 5;
        clock.advance(Duration.ofSeconds(1));
        var samples = scrape();

        assertThat(source.reads).hasValue(2);
        assertThat(samples.value("apm_notification_queue_depth")).contains(5.0);
    }

    @Test
    void integrationSeriesThatDisappearDropToZero() {
        source.integrations = Map.of(key("gmail", "FAILING"), 2L, key("gmail", "HEALTHY"), 5L);
        source.held = Map.of("gmail", 2L);
        scrape();

        source.integrations = Map.of(key("gmail", "HEALTHY"), 7L);
        source.held = Map.of();
        clock.advance(Duration.ofSeconds(10));
        var samples = scrape();

        assertThat(samples.value("apm_integrations", Map.of("provider", "gmail", "state", "FAILING")))
                .contains(0.0);
        assertThat(samples.value("apm_integrations", Map.of("provider", "gmail", "state", "HEALTHY")))
                .contains(7.0);
        assertThat(samples.value("apm_alerts_held", Map.of("provider", "gmail")))
                .contains(0.0);
    }

    @Test
    void certificateHostsThatDisappearAreRemoved() {
        source.certificates =
                Map.of("imap.a.example", Instant.ofEpochSecond(10), "imap.b.example", Instant.ofEpochSecond(20));
        scrape();

        source.certificates = Map.of("imap.b.example", Instant.ofEpochSecond(30));
        clock.advance(Duration.ofSeconds(10));
        var certificates = scrape().named("apm_tls_certificate_expiry_timestamp_seconds");

        assertThat(certificates).singleElement().satisfies(s -> {
            assertThat(s.labels()).containsEntry("host", "imap.b.example");
            assertThat(Double.valueOf(s.value())).isEqualTo(30.0);
        });
    }

    @Test
    void exportsOnlyTheSoonestExpiringCertificatesWhenThereAreTooManyHosts() {
        var many = new HashMap<String, Instant>();
        for (int i = 0; i < SnapshotGauges.MAX_CERTIFICATE_HOSTS + 50; i++) {
            many.put("mail" + i + ".example", Instant.ofEpochSecond(1000 + i));
        }
        source.certificates = many;

        var certificates = scrape().named("apm_tls_certificate_expiry_timestamp_seconds");

        assertThat(certificates).hasSize(SnapshotGauges.MAX_CERTIFICATE_HOSTS);
        assertThat(certificates)
                .extracting(s -> s.labels().get("host"))
                .contains("mail0.example")
                .doesNotContain("mail120.example");
    }

    @Test
    void keepsTheLastSnapshotWhileTheSourceFailsAndAgeKeepsGrowing() {
        source.queueDepth = 4;
        source.oldestCheckAge = OptionalDouble.of(100);
        scrape();

        source.failure = new IllegalStateException("database is locked");
        clock.advance(Duration.ofSeconds(60));
        var samples = scrape();

        assertThat(samples.value("apm_notification_queue_depth")).contains(4.0);
        assertThat(samples.value("apm_oldest_check_age_seconds")).contains(160.0);

        source.failure = null;
        source.oldestCheckAge = OptionalDouble.of(5);
        clock.advance(Duration.ofSeconds(10));
        assertThat(scrape().value("apm_oldest_check_age_seconds")).contains(5.0);
    }

    @Test
    void checkOverdueIsHowLateTheEarliestDueCheckIsAndKeepsGrowingWhileTheSourceFails() {
        source.earliestDue = Optional.of(clock.instant().plusSeconds(30));
        assertThat(scrape().value("apm_check_overdue_seconds"))
                .as("due later: nothing is late")
                .contains(0.0);

        source.earliestDue = Optional.of(clock.instant().minusSeconds(90));
        clock.advance(Duration.ofSeconds(60));
        assertThat(scrape().value("apm_check_overdue_seconds")).contains(150.0);

        source.failure = new IllegalStateException("database is locked");
        clock.advance(Duration.ofSeconds(60));
        assertThat(scrape().value("apm_check_overdue_seconds")).contains(210.0);
    }

    @Test
    void checkOverdueIsNaNWithoutEnabledIntegrations() {
        assertThat(scrape().value("apm_check_overdue_seconds"))
                .hasValueSatisfying(v -> assertThat(v).isNaN());
    }

    @Test
    void oldestCheckAgeIsNaNWithoutEnabledIntegrations() {
        assertThat(scrape().value("apm_oldest_check_age_seconds"))
                .hasValueSatisfying(v -> assertThat(v).isNaN());
    }

    @Test
    void labelValuesThatAreNotPlainWordsBecomeOther() {
        metrics.recordCheck("sales@dealer.example", Protocol.IMAP, Outcome.OK, Duration.ofMillis(100));
        source.integrations = Map.of(key("dealer 42 <x@y>", "HEALTHY"), 1L);
        source.certificates = Map.of("sales@dealer.example", Instant.ofEpochSecond(1));

        var scrape = metrics.scrape(HttpEndpoint.PROMETHEUS_TEXT);

        assertThat(scrape).doesNotContain("dealer.example").doesNotContain("dealer 42");
        assertThat(Samples.parse(scrape)
                        .value("apm_checks_total", Map.of("provider", "other", "protocol", "imap", "outcome", "OK")))
                .contains(1.0);
    }

    @Test
    void apmSeriesCarryOnlyAllowedLabelNames() {
        for (var outcome : Outcome.values()) {
            for (var protocol : Protocol.values()) {
                metrics.recordCheck("gmail", protocol, outcome, Duration.ofMillis(120));
            }
        }
        metrics.recordNotification(AlertKind.RECOVERY, "failed");
        source.integrations = Map.of(key("zoho", "DEGRADED"), 1L);
        source.held = Map.of("zoho", 1L);
        source.certificates = Map.of("imap.zoho.com", Instant.ofEpochSecond(1));
        source.oldestCheckAge = OptionalDouble.of(1);

        var apm =
                scrape().all().stream().filter(s -> s.name().startsWith("apm_")).toList();

        assertThat(apm)
                .extracting(Samples.Sample::name)
                .contains(
                        "apm_checks_total",
                        "apm_check_duration_seconds_bucket",
                        "apm_notifications_total",
                        "apm_integrations",
                        "apm_notification_queue_depth",
                        "apm_oldest_check_age_seconds",
                        "apm_check_overdue_seconds",
                        "apm_alerts_held",
                        "apm_tls_certificate_expiry_timestamp_seconds");
        assertThat(apm)
                .allSatisfy(s ->
                        assertThat(ALLOWED_APM_LABELS).containsAll(s.labels().keySet()));
    }
}
