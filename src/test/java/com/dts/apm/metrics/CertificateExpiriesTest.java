package com.dts.apm.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CertificateExpiriesTest {
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final Instant OLD_CERT = Instant.parse("2026-12-10T00:00:00Z");
    private static final Instant NEW_CERT = Instant.parse("2027-03-10T00:00:00Z");

    private final CertificateExpiries expiries = new CertificateExpiries();

    @Test
    void serversBehindOneNameDuringARollOutReportTheEarliestNotTheLast() {
        expiries.seen("imap.example.com", OLD_CERT, NOW);
        expiries.seen("imap.example.com", NEW_CERT, NOW.plusSeconds(60));
        expiries.seen("imap.example.com", OLD_CERT, NOW.plusSeconds(120));
        expiries.seen("imap.example.com", NEW_CERT, NOW.plusSeconds(180));

        assertThat(expiries.earliest()).containsEntry("imap.example.com", OLD_CERT);
    }

    @Test
    void theRenewedCertificateCountsOnceTheOldOneWasNotSeenForTheWindow() {
        expiries.seen("imap.example.com", OLD_CERT, NOW);
        expiries.seen("imap.example.com", NEW_CERT, NOW.plus(CertificateExpiries.WINDOW));
        assertThat(expiries.earliest()).containsEntry("imap.example.com", OLD_CERT);

        expiries.seen(
                "imap.example.com",
                NEW_CERT,
                NOW.plus(CertificateExpiries.WINDOW).plus(Duration.ofMinutes(1)));
        assertThat(expiries.earliest()).containsEntry("imap.example.com", NEW_CERT);
    }

    @Test
    void hostsAreKeptApart() {
        expiries.seen("imap.example.com", NEW_CERT, NOW);
        expiries.seen("smtp.example.com", OLD_CERT, NOW);

        assertThat(expiries.earliest())
                .containsOnly(
                        org.assertj.core.api.Assertions.entry("imap.example.com", NEW_CERT),
                        org.assertj.core.api.Assertions.entry("smtp.example.com", OLD_CERT));
    }
}
