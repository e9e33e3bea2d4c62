package com.dts.apm.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.store.Database;
import com.dts.apm.testing.Cli;
import com.dts.apm.testing.TestConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as systemd runs it: {@code java -jar ... run}, stopped by a real SIGTERM in the middle of a round. */
class RunSigtermIT {
    private static final Path JAR = Path.of("target/app-password-monitor.jar");

    @TempDir
    Path dir;

    private static int freePort() throws Exception {
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void sigtermDuringARoundExitsZeroQuicklyWithEveryStartedCheckRecorded() throws Exception {
        assertThat(JAR)
                .as("mvn package builds the jar before the integration tests")
                .exists();
        int port = freePort();
        var config = dir.resolve("apm.yml");
        TestConfig.in(dir)
                .httpPort(port)
                .schedule(s -> s.interval("1h")
                        .jitter("0s")
                        .maxConcurrentPerProvider(2)
                        .loginsPerSecondPerProvider(100)
                        .shutdownGrace("10s"))
                .writeTo(config);
        try (var slow = new SlowImapServer(1500)) {
            var cli = new Cli(config);
            for (int i = 0; i < 6; i++) {
                var r = cli.runWithInput(
                        "slow-app-password\n",
                        "integrations",
                        "add",
                        "--dealer-id",
                        "D-S",
                        "--email",
                        "slow" + i + "@dealer-s.test",
                        "--provider",
                        "custom",
                        "--protocols",
                        "imap",
                        "--imap-host",
                        "127.0.0.1",
                        "--imap-port",
                        String.valueOf(slow.port()),
                        "--imap-security",
                        "plain",
                        "--password-stdin");
                assertThat(r.exit()).as(r.err()).isZero();
            }
            var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            var log = dir.resolve("daemon.log");
            var process = new ProcessBuilder(java, "-jar", JAR.toString(), "--config", config.toString(), "run")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            try {
                var http = HttpClient.newHttpClient();
                var health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                        .build();
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (slow.current.get() == 0) {
                    assertThat(System.nanoTime())
                            .as("logins start; log:\n" + Files.readString(log))
                            .isLessThan(end);
                    Thread.sleep(50);
                }
                assertThat(http.send(health, HttpResponse.BodyHandlers.ofString())
                                .statusCode())
                        .isEqualTo(200);
                var stopAsked = Instant.now();
                process.destroy(); // SIGTERM
                assertThat(process.waitFor(30, TimeUnit.SECONDS))
                        .as("exits within 30s")
                        .isTrue();
                var took = Duration.between(stopAsked, Instant.now());
                var text = Files.readString(log, StandardCharsets.UTF_8);
                assertThat(process.exitValue()).as(text).isZero();
                assertThat(took).as(text).isLessThan(Duration.ofSeconds(15));
                assertThat(text)
                        .contains("app-password-monitor running")
                        .contains("stopped")
                        .doesNotContain("slow-app-password");
            } finally {
                process.destroyForcibly();
            }
            var db = Database.open(dir.resolve("data/apm.db"));
            long checks = db.jdbi()
                    .withHandle(h -> h.createQuery("SELECT count(*) FROM check_result")
                            .mapTo(Long.class)
                            .one());
            // every login the server completed belongs to a recorded check, and the round was cut short
            assertThat(checks).isEqualTo(slow.logins.get()).isGreaterThan(0).isLessThan(6);
        }
    }
}
