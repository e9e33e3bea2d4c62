package com.dts.apm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.Cli;
import com.dts.apm.testing.TestConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run} as its own process, the way systemd starts it: with {@code logging.format: json} every line
 * on standard error is one JSON object, standard out stays empty, no password shows, and SIGTERM stops
 * it with exit 0.
 */
class RunCommandIT {
    private static final String EMAIL = "carol@dealer-c.test";
    private static final String PASSWORD = "carol-app-password";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private GreenMail mail;
    private Process process;

    @BeforeEach
    void setUp() {
        mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.IMAP, ServerSetupTest.SMTP}));
        mail.start();
        mail.setUser(EMAIL, EMAIL, PASSWORD);
    }

    @AfterEach
    void tearDown() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
        mail.stop();
    }

    @Test
    void runLogsOneJsonObjectPerLineToStandardErrorAndStopsCleanly() throws Exception {
        var config = dir.resolve("apm.yml");
        TestConfig.in(dir)
                .schedule(s -> s.interval("1h").jitter("0s"))
                .raw("logging: { format: json, level: debug }")
                .writeTo(config);
        var add = new Cli(config)
                .runWithInput(
                        PASSWORD + "\n",
                        "integrations",
                        "add",
                        "--dealer-id",
                        "D-C",
                        "--email",
                        EMAIL,
                        "--provider",
                        "custom",
                        "--imap-host",
                        "127.0.0.1",
                        "--imap-port",
                        String.valueOf(mail.getImap().getPort()),
                        "--imap-security",
                        "plain",
                        "--smtp-host",
                        "127.0.0.1",
                        "--smtp-port",
                        String.valueOf(mail.getSmtp().getPort()),
                        "--smtp-security",
                        "plain",
                        "--password-stdin");
        assertThat(add.exit()).as(add.err()).isZero();

        process = startRun(config);

        var end = Instant.now().plus(Duration.ofSeconds(60));
        while (!lines("stderr.log").stream().anyMatch(l -> l.contains("-> HEALTHY"))) {
            assertThat(Instant.now())
                    .as("waiting for the first check; stderr so far: %s", lines("stderr.log"))
                    .isBefore(end);
            assertThat(process.isAlive())
                    .as("daemon died: %s", lines("stderr.log"))
                    .isTrue();
            Thread.sleep(100);
        }
        process.destroy(); // SIGTERM
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("stopped after SIGTERM")
                .isTrue();
        assertThat(process.exitValue()).isZero();
        var err = lines("stderr.log");
        var out = lines("stdout.log");

        assertThat(out).as("standard out stays clean").isEmpty();
        assertThat(err).isNotEmpty();
        for (var line : err) {
            var event = JSON.readTree(line);
            assertThat(event.has("level") && event.has("loggerName") && event.has("formattedMessage"))
                    .as(line)
                    .isTrue();
        }
        assertThat(err).anyMatch(l -> l.contains("\"level\":\"DEBUG\"") && l.contains("imap login ok"));
        assertThat(err).anyMatch(l -> l.contains("\"level\":\"INFO\"") && l.contains("stopped"));
        assertThat(String.join("\n", err)).doesNotContain(PASSWORD);
    }

    @Test
    void aTakenMetricsPortEndsTheStartWithOneLineAndStopsTheSchedulerItStarted() throws Exception {
        try (var taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            var config = dir.resolve("apm.yml");
            TestConfig.in(dir).httpPort(taken.getLocalPort()).writeTo(config);
            process = startRun(config);
            // a scheduler thread left running would keep the JVM alive: the process must end on its own
            assertThat(process.waitFor(120, TimeUnit.SECONDS))
                    .as("exits: %s", lines("stderr.log"))
                    .isTrue();
            assertThat(process.exitValue()).isNotZero();
            var err = lines("stderr.log");
            assertThat(err)
                    .filteredOn(l -> l.startsWith("error:"))
                    .singleElement()
                    .asString()
                    .contains("cannot listen for metrics on 127.0.0.1:" + taken.getLocalPort())
                    .contains("Address already in use");
            assertThat(err).anyMatch(l -> l.contains("stopped"));
        }
    }

    /** {@code run} as its own process, standard error and out to files in the test folder. */
    private Process startRun(Path config) throws java.io.IOException {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(
                        java,
                        "-cp",
                        System.getProperty("java.class.path"),
                        "com.dts.apm.Main",
                        "--config",
                        config.toString(),
                        "run")
                .redirectError(dir.resolve("stderr.log").toFile())
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
    }

    /** The non-blank lines of a file the process writes (files, not pipes: nothing is lost at exit). */
    private List<String> lines(String name) throws java.io.IOException {
        var f = dir.resolve(name);
        return Files.exists(f)
                ? Files.readAllLines(f, StandardCharsets.UTF_8).stream()
                        .filter(l -> !l.isBlank())
                        .toList()
                : List.of();
    }
}
