package com.dts.apm.bench;

import com.dts.apm.app.Workspace;
import com.dts.apm.cli.RootCommand;
import com.dts.apm.config.ConfigLoader;
import com.dts.apm.config.Secret;
import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.Security;
import com.dts.apm.store.NewIntegration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * The API benchmark (not a test): a round of N checks (GreenMail on loopback, the daemon as a child process) once
 * with no API traffic and once with {@code --rps} requests per second of mixed GET (80%) and PUT without a password
 * (20%, so no extra checks), the round's wall time from the database and the API's p50/p99 latency. README.md
 * "Benchmark and fault suite" gives the command.
 */
public final class ApiBenchmark {
    private ApiBenchmark() {}

    public static void main(String[] args) throws Exception {
        int n = 2000;
        int rps = 200;
        int putPercent = 20;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--n" -> n = Integer.parseInt(args[++i]);
                case "--rps" -> rps = Integer.parseInt(args[++i]);
                case "--put-percent" -> putPercent = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        System.out.printf(
                "api benchmark: N=%d checks, %d API requests/s (%d%% PUT), %d CPUs%n",
                n, rps, putPercent, Runtime.getRuntime().availableProcessors());
        var quiet = round(n, 0, 0);
        var loaded = round(n, rps, putPercent);
        System.out.printf(Locale.ROOT, "round without API traffic: %.2f s%n", quiet);
        System.out.printf(
                Locale.ROOT,
                "round with %d rps        : %.2f s (slowdown %.1f %%, target < 5 %%)%n",
                rps,
                loaded,
                100 * (loaded - quiet) / quiet);
        System.exit(0);
    }

    private static double round(int n, int rps, int putPercent) throws Exception {
        var dir = Files.createTempDirectory("apm-api-bench-");
        var mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.IMAP}));
        mail.start();
        Process daemon = null;
        try {
            for (int i = 0; i < n; i++) {
                mail.setUser(email(i), email(i), "bench-app-password-" + i);
            }
            int httpPort = freePort();
            int apiPort = freePort();
            var config = dir.resolve("apm.yml");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "database: { path: " + dir.resolve("apm.db") + " }",
                            "http: { bind: 127.0.0.1, port: " + httpPort + " }",
                            "api: { enabled: true, port: " + apiPort + " }",
                            "schedule:",
                            "  interval: 24h",
                            "  jitter: 0s",
                            "  max-concurrent-checks: 32",
                            "  max-concurrent-per-provider: 32",
                            "  logins-per-second-per-provider: 1000000",
                            "logging: { level: warn }",
                            ""));
            var endpoint = new Endpoint("127.0.0.1", mail.getImap().getPort(), Security.PLAIN);
            try (var ws = Workspace.open(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC())) {
                var rows = new ArrayList<NewIntegration>();
                var passwords = new ArrayList<Secret>();
                var ids = new ArrayList<String>();
                for (int i = 0; i < n; i++) {
                    rows.add(new NewIntegration(
                            "D-" + (i / 4),
                            "Dealer " + (i / 4),
                            null,
                            email(i),
                            "custom",
                            email(i),
                            endpoint,
                            null,
                            EnumSet.of(Protocol.IMAP),
                            true,
                            false,
                            null));
                    passwords.add(Secret.of("bench-app-password-" + i));
                    ids.add("crm-" + i);
                }
                ws.integrations().importAll(rows, passwords, ids);
            }
            var out = new ByteArrayOutputStream();
            RootCommand.execute(
                    new String[] {
                        "--config",
                        config.toString(),
                        "api-tokens",
                        "create",
                        "bench",
                        "--scopes",
                        "integrations:read,integrations:write"
                    },
                    new ByteArrayInputStream(new byte[0]),
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream()),
                    Map.of());
            var token = out.toString(StandardCharsets.UTF_8).strip();

            var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            daemon = new ProcessBuilder(
                            java,
                            "-Xmx256m",
                            "-cp",
                            System.getProperty("java.class.path"),
                            "com.dts.apm.Main",
                            "--config",
                            config.toString(),
                            "run")
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("daemon.log").toFile())
                    .start();
            var http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            var latencies = new ConcurrentLinkedQueue<Long>();
            var errors = new AtomicInteger();
            var statuses = new ConcurrentLinkedQueue<String>();
            var pool = Executors.newScheduledThreadPool(16);
            var body =
                    "{\"dealer_id\":\"D-0\",\"dealer_name\":\"Dealer renamed %d\",\"email\":\"%s\",\"provider\":\"custom\","
                            + "\"imap\":{\"host\":\"127.0.0.1\",\"port\":"
                            + mail.getImap().getPort() + ",\"security\":\"plain\"},"
                            + "\"protocols\":[\"imap\"]}";
            int total = n;
            if (rps > 0) {
                waitForApi(http, apiPort, token);
                pool.scheduleAtFixedRate(
                        () -> {
                            int i = ThreadLocalRandom.current().nextInt(total);
                            var uri = URI.create("http://127.0.0.1:" + apiPort + "/api/v1/integrations/crm-" + i);
                            var b = HttpRequest.newBuilder(uri)
                                    .header("Authorization", "Bearer " + token)
                                    .timeout(Duration.ofSeconds(10));
                            var request = ThreadLocalRandom.current().nextInt(100) < putPercent
                                    ? b.header("Content-Type", "application/json")
                                            .PUT(HttpRequest.BodyPublishers.ofString(String.format(body, i, email(i))))
                                            .build()
                                    : b.GET().build();
                            long t0 = System.nanoTime();
                            // async: a slow answer must not hold back the next request (the rate stays fixed)
                            http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                                    .whenComplete((r, e) -> {
                                        latencies.add(System.nanoTime() - t0);
                                        if (e != null || r.statusCode() != 200) {
                                            errors.incrementAndGet();
                                            statuses.add(
                                                    e != null
                                                            ? e.getClass().getSimpleName()
                                                            : Integer.toString(r.statusCode()));
                                        }
                                    });
                        },
                        0,
                        1_000_000 / rps,
                        TimeUnit.MICROSECONDS);
            }
            var db = dir.resolve("apm.db");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
            while (checks(db) < n && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            pool.shutdownNow();
            double wall = wall(db);
            if (rps > 0) {
                var sorted = new ArrayList<>(latencies);
                Collections.sort(sorted);
                System.out.printf(
                        Locale.ROOT,
                        "API during the round: %d requests (%d not 200), p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                        sorted.size(),
                        errors.get(),
                        pct(sorted, 50),
                        pct(sorted, 99),
                        sorted.get(sorted.size() - 1) / 1e6);
                if (!statuses.isEmpty()) {
                    System.out.println("not 200: "
                            + new TreeMap<>(
                                    statuses.stream().collect(Collectors.groupingBy(x -> x, Collectors.counting()))));
                }
                System.out.printf(Locale.ROOT, "rate: %.0f requests/s over the round%n", sorted.size() / wall);
            }
            return wall;
        } finally {
            if (daemon != null) {
                daemon.destroy();
                daemon.waitFor(30, TimeUnit.SECONDS);
            }
            mail.stop();
        }
    }

    private static void waitForApi(HttpClient http, int port, String token) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try {
                var r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/integrations?limit=1"))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // the daemon is starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the API did not answer within 10 s");
    }

    private static long checks(Path db) {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT count(*) FROM check_result")) {
            return rs.getLong(1);
        } catch (Exception notYet) {
            return 0;
        }
    }

    private static double wall(Path db) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT min(checked_at - duration_ms), max(checked_at) FROM check_result")) {
            return (rs.getLong(2) - rs.getLong(1)) / 1000.0;
        }
    }

    private static double pct(List<Long> sorted, int p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100)) / 1e6;
    }

    private static String email(int i) {
        return "bench" + i + "@dealer-bench.test";
    }

    private static int freePort() throws java.io.IOException {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
