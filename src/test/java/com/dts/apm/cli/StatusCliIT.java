package com.dts.apm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.Cli;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status} over a real database: the capacity table per provider and the one-line warning when a round
 * cannot fit its interval. {@code custom} is paced per host, so the busy host decides, not the quiet one.
 */
class StatusCliIT {
    @TempDir
    Path dir;

    private Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        var config = dir.resolve("apm.yml");
        // 0.0004 logins/s per host: 1.44 an hour
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "database: { path: " + dir.resolve("data/apm.db") + " }",
                        "schedule: { interval: 1h, logins-per-second-per-provider: 0.0004 }",
                        ""));
        cli = new Cli(config);
        add("a1@busy.test", "mail.busy.test", "imap,smtp");
        add("a2@busy.test", "mail.busy.test", "imap,smtp");
        add("b1@quiet.test", "mail.quiet.test", "imap");
    }

    private void add(String email, String host, String protocols) {
        var r = cli.runWithInput(
                "app-password-1\n",
                "integrations",
                "add",
                "--dealer-id",
                "D-" + email.replace("@", "."),
                "--email",
                email,
                "--provider",
                "custom",
                "--imap-host",
                host,
                "--imap-port",
                "993",
                "--imap-security",
                "ssl",
                "--smtp-host",
                host,
                "--smtp-port",
                "465",
                "--smtp-security",
                "ssl",
                "--protocols",
                protocols,
                "--password-stdin");
        assertThat(r.exit()).as(r.err()).isZero();
    }

    @Test
    void statusShowsTheCapacityOfEachProviderAndWarnsWhenARoundCannotFit() {
        var r = cli.run("status");
        assertThat(r.exit()).as(r.err()).isZero();
        // 4 logins an hour on mail.busy.test: 0.00111/s against 0.0004/s = 2.78; mail.quiet.test: 1 an hour = 0.69
        assertThat(r.out())
                .contains("CAPACITY")
                .containsPattern("custom\\s+5\\s+2\\s+1h\\s+0\\.00\\s+0\\.00\\s+2\\.78");
        assertThat(r.err().lines())
                .singleElement()
                .satisfies(l -> assertThat(l)
                        .startsWith(
                                "warning: schedule: custom host mail.busy.test needs 0.00 logins/s for a round every 1h (4 logins)")
                        .contains("2.8x the interval"));
    }

    @Test
    void statusJsonCarriesTheCapacityArithmetic() throws Exception {
        var r = cli.run("status", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        var capacity = new ObjectMapper().readTree(r.out()).get("capacity");
        assertThat(capacity).hasSize(1);
        var c = capacity.get(0);
        assertThat(c.get("provider").asText()).isEqualTo("custom");
        assertThat(c.get("logins_per_round").asLong()).isEqualTo(5);
        assertThat(c.get("hosts").asInt()).isEqualTo(2);
        assertThat(c.get("interval_seconds").asLong()).isEqualTo(3600);
        assertThat(c.get("allowed_per_second").asDouble()).isEqualTo(0.001); // 0.0004 per host, rounded to 3 places
        assertThat(c.get("ratio").asDouble()).isEqualTo(2.778);
    }
}
