package com.dts.apm.bench;

import com.dts.apm.app.Workspace;
import com.dts.apm.config.ConfigLoader;
import com.dts.apm.config.Secret;
import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.Security;
import com.dts.apm.store.NewIntegration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Session;
import java.io.IOException;
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
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The scale benchmark (not a test): N integrations against GreenMail on loopback, one full round through the
 * real daemon (a child JVM running {@code com.dts.apm.Main run}: due-time claiming, worker pool, provider gate
 * with generous limits, SQLite writes, metrics), then the same logins through a bare Jakarta Mail loop at the
 * same concurrency. Prints one block of figures per N. Run it with {@code mvn -B -Pbench process-test-classes}
 * (see README.md, "Benchmark and fault suite"); options: {@code --n 1000,10000 --concurrency 32 --daemon-heap 256m --keep}.
 */
public final class Benchmark {
    private static final String PASSWORD_PREFIX = "bench-app-password-";

    private final int concurrency;
    private final String daemonHeap;
    private final boolean keep;

    private Benchmark(int concurrency, String daemonHeap, boolean keep) {
        this.concurrency = concurrency;
        this.daemonHeap = daemonHeap;
        this.keep = keep;
    }

    public static void main(String[] args) throws Exception {
        var sizes = List.of(1000, 10000);
        int concurrency = 32;
        String heap = "256m";
        boolean keep = false;
        int stored = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--n" ->
                    sizes = Arrays.stream(args[++i].split(","))
                            .map(String::strip)
                            .filter(s -> !s.isEmpty())
                            .map(s -> Integer.parseInt(s.replace("_", "")))
                            .toList();
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                case "--daemon-heap" -> heap = args[++i];
                case "--keep" -> keep = true;
                case "--stored" -> stored = Integer.parseInt(args[++i].replace("_", ""));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        var bench = new Benchmark(concurrency, heap, keep);
        System.out.printf(
                "app-password-monitor benchmark: N=%s, concurrency %d, daemon -Xmx%s, %d CPUs, java %s%n",
                sizes,
                concurrency,
                heap,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        for (int n : sizes) {
            bench.run(n);
        }
        if (stored > 0) {
            bench.stored(stored);
        }
        System.exit(0);
    }

    private void run(int n) throws Exception {
        var dir = Files.createTempDirectory("apm-bench-");
        var mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.IMAP}));
        mail.start();
        try {
            System.out.printf("%n== N = %,d  (load before: %s)%n", n, load());
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                mail.setUser(email(i), email(i), PASSWORD_PREFIX + i);
            }
            int imapPort = mail.getImap().getPort();
            int httpPort = freePort();
            var config = dir.resolve("apm.yml");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "database: { path: " + dir.resolve("apm.db") + " }",
                            "http: { bind: 127.0.0.1, port: " + httpPort + " }",
                            "schedule:",
                            "  interval: 24h",
                            "  jitter: 0s",
                            "  max-concurrent-checks: " + concurrency,
                            "  max-concurrent-per-provider: " + concurrency,
                            "  logins-per-second-per-provider: 1000000",
                            "logging: { level: info }",
                            ""));
            populate(config, n, imapPort);
            System.out.printf(
                    "setup: %,d GreenMail users and integrations stored in %.1f s%n",
                    n, seconds(System.nanoTime() - t0));

            // warm GreenMail up (its JIT) before either contender runs
            bareInProcess(imapPort, Math.min(n, 2000), concurrency);

            var daemon = Daemon.start(dir, config, daemonHeap, httpPort);
            try {
                var round = daemon.awaitRound(n);
                var stats = roundStats(dir.resolve("apm.db"));
                double writeSeconds = daemon.metricSum("apm_db_write_busy_seconds_total");
                var idle = daemon.idle();
                var bare = bare(imapPort, n);
                System.out.printf(
                        Locale.ROOT,
                        "daemon round : %.2f s wall, %.0f checks/s, latency p50 %d ms, p95 %d ms, %d not OK%n",
                        stats.wallSeconds(),
                        n / stats.wallSeconds(),
                        stats.p50(),
                        stats.p95(),
                        stats.notOk());
                System.out.printf(
                        Locale.ROOT,
                        "bare loop    : %.2f s wall, %.0f logins/s, latency p50 %d ms, p95 %d ms, %d failed%n",
                        bare.wallSeconds(),
                        n / bare.wallSeconds(),
                        bare.p50(),
                        bare.p95(),
                        bare.notOk());
                System.out.printf(
                        Locale.ROOT,
                        "ratio        : %.2f x the bare loop (target <= 1.15 at N=10,000)%n",
                        stats.wallSeconds() / bare.wallSeconds());
                System.out.printf(
                        Locale.ROOT,
                        "db writes    : %.2f s holding the writer lock = %.0f%% of the round wall time (SQLite has one writer)%n",
                        writeSeconds,
                        100 * writeSeconds / stats.wallSeconds());
                System.out.printf(
                        Locale.ROOT,
                        "memory       : peak heap used %d MB, peak RSS %d MB (daemon -Xmx%s)%n",
                        round.peakHeap() >> 20,
                        daemon.peakRssKb() >> 10,
                        daemonHeap);
                System.out.printf(
                        Locale.ROOT, "database     : %.1f MB (with WAL) after one round%n", dbBytes(dir) / 1e6);
                System.out.printf(
                        Locale.ROOT,
                        "start-up     : %d ms from process start to the first check (target < 3000)%n",
                        stats.firstCheckStartMs() - daemon.startedAtMs());
                System.out.printf(
                        Locale.ROOT,
                        "idle         : heap used %d MB after a full GC (target < 256), committed %d MB%n",
                        idle.heapAfterGc() >> 20,
                        idle.heapCommitted() >> 20);
                System.out.printf(
                        Locale.ROOT,
                        "/metrics     : scrape p50 %.1f ms, max %.1f ms over %d scrapes (target < 50)%n",
                        idle.scrapeP50Ms(),
                        idle.scrapeMaxMs(),
                        idle.scrapes());
                System.out.printf("load after   : %s%n", load());
            } finally {
                daemon.stop();
            }
        } finally {
            mail.stop();
            if (keep) {
                System.out.println("kept " + dir);
            } else {
                deleteTree(dir);
            }
        }
    }

    /**
     * A large installation at rest: {@code n} integrations stored, all checked recently except {@code concurrency}
     * that are due; the daemon starts, checks those, and idles. Start-up to the first check, heap after a full GC
     * and /metrics latency are measured there.
     */
    private void stored(int n) throws Exception {
        var dir = Files.createTempDirectory("apm-bench-");
        var mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.IMAP}));
        mail.start();
        try {
            System.out.printf("%n== %,d stored, %d due  (load before: %s)%n", n, concurrency, load());
            long t0 = System.nanoTime();
            for (int i = 0; i < concurrency; i++) {
                mail.setUser(email(i), email(i), PASSWORD_PREFIX + i);
            }
            int httpPort = freePort();
            var config = dir.resolve("apm.yml");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "database: { path: " + dir.resolve("apm.db") + " }",
                            "http: { bind: 127.0.0.1, port: " + httpPort + " }",
                            "schedule: { interval: 24h, jitter: 0s, max-concurrent-checks: " + concurrency
                                    + ", max-concurrent-per-provider: " + concurrency
                                    + ", logins-per-second-per-provider: 1000000 }",
                            "logging: { level: info }",
                            ""));
            populate(config, n, mail.getImap().getPort());
            // all checked an hour ago and due tomorrow, except the first few
            try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("apm.db"));
                    var st = c.createStatement()) {
                long now = System.currentTimeMillis();
                st.executeUpdate("UPDATE integration SET state = 'HEALTHY', last_checked_at = " + (now - 3_600_000)
                        + ", last_success_at = " + (now - 3_600_000) + ", next_check_at = " + (now + 82_800_000)
                        + " WHERE id > " + concurrency);
            }
            System.out.printf("setup: %,d integrations stored in %.1f s%n", n, seconds(System.nanoTime() - t0));
            var daemon = Daemon.start(dir, config, daemonHeap, httpPort);
            try {
                var round = daemon.awaitRound(concurrency);
                var stats = roundStats(dir.resolve("apm.db"));
                var idle = daemon.idle();
                System.out.printf(
                        Locale.ROOT,
                        "start-up     : %d ms from process start to the first check (target < 3000)%n",
                        stats.firstCheckStartMs() - daemon.startedAtMs());
                System.out.printf(
                        Locale.ROOT,
                        "idle         : heap used %d MB after a full GC (target < 256), committed %d MB, peak heap %d MB, peak RSS %d MB%n",
                        idle.heapAfterGc() >> 20,
                        idle.heapCommitted() >> 20,
                        round.peakHeap() >> 20,
                        daemon.peakRssKb() >> 10);
                System.out.printf(
                        Locale.ROOT,
                        "/metrics     : scrape p50 %.1f ms, max %.1f ms over %d scrapes (target < 50)%n",
                        idle.scrapeP50Ms(),
                        idle.scrapeMaxMs(),
                        idle.scrapes());
                System.out.printf(Locale.ROOT, "database     : %.1f MB (with WAL)%n", dbBytes(dir) / 1e6);
                System.out.printf("load after   : %s%n", load());
            } finally {
                daemon.stop();
            }
        } finally {
            mail.stop();
            if (keep) {
                System.out.println("kept " + dir);
            } else {
                deleteTree(dir);
            }
        }
    }

    static String email(int i) {
        return "u" + i + "@bench.test";
    }

    private static void populate(Path config, int n, int imapPort) {
        var ws = Workspace.open(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC());
        var endpoint = new Endpoint("127.0.0.1", imapPort, Security.PLAIN);
        int chunk = 5000;
        for (int from = 0; from < n; from += chunk) {
            var rows = new ArrayList<NewIntegration>();
            var passwords = new ArrayList<Secret>();
            for (int i = from; i < Math.min(n, from + chunk); i++) {
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
                passwords.add(Secret.of(PASSWORD_PREFIX + i));
            }
            ws.integrations().importAll(rows, passwords);
        }
    }

    record Stats(double wallSeconds, long p50, long p95, long notOk, long firstCheckStartMs) {}

    /** Round figures from the database itself: first check start to last check recorded, and the recorded durations. */
    static Stats roundStats(Path db) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
                var st = c.createStatement()) {
            long first;
            long last;
            try (var rs = st.executeQuery("SELECT min(checked_at - duration_ms), max(checked_at) FROM check_result")) {
                rs.next();
                first = rs.getLong(1);
                last = rs.getLong(2);
            }
            var durations = new ArrayList<Long>();
            long notOk = 0;
            try (var rs = st.executeQuery("SELECT duration_ms, outcome FROM check_result")) {
                while (rs.next()) {
                    durations.add(rs.getLong(1));
                    notOk += "OK".equals(rs.getString(2)) ? 0 : 1;
                }
            }
            durations.sort(null);
            return new Stats((last - first) / 1000.0, pct(durations, 50), pct(durations, 95), notOk, first);
        }
    }

    /**
     * The floor: the same logins (the same IMAP conversation: LOGIN, LIST, LOGOUT) through Jakarta Mail
     * directly, with a new Session per login as a plain client makes, from {@code concurrency} threads, in a child JVM
     * with the same heap as the daemon so both pay the same process, JIT and CPU-sharing costs.
     */
    private Stats bare(int port, int n) throws Exception {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var p = new ProcessBuilder(
                        java,
                        "-Xmx" + daemonHeap,
                        "-cp",
                        System.getProperty("java.class.path"),
                        BareLoop.class.getName(),
                        String.valueOf(port),
                        String.valueOf(n),
                        String.valueOf(concurrency))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .strip()
                .split(" ");
        if (p.waitFor() != 0 || out.length != 4) {
            throw new IllegalStateException("the bare loop failed: " + String.join(" ", out));
        }
        return new Stats(
                Double.parseDouble(out[0]), Long.parseLong(out[1]), Long.parseLong(out[2]), Long.parseLong(out[3]), 0);
    }

    /** Logins from a process of its own, printing {@code wallSeconds p50 p95 failed}. */
    static Stats bareInProcess(int port, int n, int concurrency) throws Exception {
        var next = new AtomicInteger();
        var failed = new AtomicInteger();
        var durations = new long[n];
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        var props = new Properties();
        props.put("mail.imap.connectiontimeout", "10000");
        props.put("mail.imap.timeout", "20000");
        props.put("mail.imap.ssl.enable", "false");
        long started = System.nanoTime();
        for (int t = 0; t < concurrency; t++) {
            pool.execute(() -> {
                int i;
                while ((i = next.getAndIncrement()) < n) {
                    long s = System.nanoTime();
                    try {
                        var store = Session.getInstance(props).getStore("imap");
                        store.connect("127.0.0.1", port, email(i), PASSWORD_PREFIX + i);
                        // the daemon's IMAP conversation: after LOGIN one LIST "" "" (Exchange can accept
                        // LOGIN and refuse the next command), then LOGOUT; so both do the same work on the server
                        ((org.eclipse.angus.mail.imap.IMAPFolder) store.getDefaultFolder()).doCommand(protocol -> {
                            protocol.list("", "");
                            return null;
                        });
                        store.close();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                    durations[i] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s);
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.HOURS);
        long wall = System.nanoTime() - started;
        var sorted = Arrays.stream(durations).boxed().sorted().toList();
        return new Stats(seconds(wall), pct(sorted, 50), pct(sorted, 95), failed.get(), 0);
    }

    private static long pct(List<Long> sorted, int p) {
        return sorted.isEmpty()
                ? 0
                : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static long dbBytes(Path dir) throws IOException {
        long total = 0;
        for (var name : List.of("apm.db", "apm.db-wal", "apm.db-shm")) {
            var f = dir.resolve(name);
            total += Files.exists(f) ? Files.size(f) : 0;
        }
        return total;
    }

    static String load() {
        try {
            return "loadavg " + Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (IOException e) {
            return "loadavg unknown";
        }
    }

    private static int freePort() throws IOException {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (var f :
                    files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** The daemon under test, as a child JVM; its figures come from /metrics, /proc and jcmd. */
    private static final class Daemon {
        private static final Pattern SAMPLE =
                Pattern.compile("^([a-z_]+)(\\{[^}]*})? ([0-9.eE+-]+)$", Pattern.MULTILINE);

        private final Process process;
        private final long startedAtMs;
        private final HttpClient http = HttpClient.newHttpClient();
        private final URI metrics;

        private Daemon(Process process, long startedAtMs, int port) {
            this.process = process;
            this.startedAtMs = startedAtMs;
            this.metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
        }

        static Daemon start(Path dir, Path config, String heap, int port) throws IOException {
            var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            var cmd = new ArrayList<>(List.of(java, "-Xmx" + heap));
            var extra = System.getenv(
                    "APM_BENCH_DAEMON_OPTS"); // e.g. -XX:StartFlightRecording=filename=/tmp/d.jfr to profile
            if (extra != null && !extra.isBlank()) {
                cmd.addAll(List.of(extra.strip().split("\\s+")));
            }
            cmd.addAll(List.of(
                    "-cp",
                    System.getProperty("java.class.path"),
                    "com.dts.apm.Main",
                    "--config",
                    config.toString(),
                    "run"));
            var pb = new ProcessBuilder(cmd)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("daemon.log").toFile());
            long at = System.currentTimeMillis();
            return new Daemon(pb.start(), at, port);
        }

        long startedAtMs() {
            return startedAtMs;
        }

        record Round(long peakHeap) {}

        /** Waits until {@code n} checks are counted, sampling heap and RSS meanwhile. */
        Round awaitRound(int n) throws Exception {
            long peakHeap = 0;
            long deadline = System.nanoTime() + TimeUnit.HOURS.toNanos(2);
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "the daemon exited with " + process.exitValue() + "; see its daemon.log");
                }
                var text = scrape();
                if (text != null) {
                    peakHeap = Math.max(peakHeap, (long) sum(text, "jvm_memory_used_bytes", "area=\"heap\""));
                    if (sum(text, "apm_checks_total", "") >= n && sum(text, "apm_check_write_seconds_count", "") >= n) {
                        return new Round(peakHeap);
                    }
                }
                Thread.sleep(200);
            }
            throw new IllegalStateException("the round did not finish within 2 h");
        }

        double metricSum(String name) throws Exception {
            return sum(scrape(), name, "");
        }

        long peakRssKb() throws IOException {
            var status = Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"));
            return status.stream()
                    .filter(l -> l.startsWith("VmHWM:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
                    .findFirst()
                    .orElse(0L);
        }

        record Idle(long heapAfterGc, long heapCommitted, double scrapeP50Ms, double scrapeMaxMs, int scrapes) {}

        /** After the round: a full GC (jcmd), the heap in use, and /metrics scrape latency. */
        Idle idle() throws Exception {
            Thread.sleep(2000);
            var jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            new ProcessBuilder(jcmd, String.valueOf(process.pid()), "GC.run")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(60, TimeUnit.SECONDS);
            var text = scrape();
            long used = (long) sum(text, "jvm_memory_used_bytes", "area=\"heap\"");
            long committed = (long) sum(text, "jvm_memory_committed_bytes", "area=\"heap\"");
            // Five untimed scrapes first: the first requests of this JVM's HTTP client after the pause cost it
            // some 50 ms (curl against the same daemon right after the GC answers in about 10 ms).
            for (int i = 0; i < 5; i++) {
                scrape();
                Thread.sleep(50);
            }
            var times = new ArrayList<Double>();
            for (int i = 0; i < 30; i++) {
                long s = System.nanoTime();
                scrape();
                times.add((System.nanoTime() - s) / 1e6);
                Thread.sleep(
                        i % 10 == 9
                                ? 4000
                                : 50); // some scrapes land after the 10 s gauge snapshot expired: they pay for the
                // refresh
            }
            times.sort(null);
            return new Idle(used, committed, times.get(times.size() / 2), times.get(times.size() - 1), times.size());
        }

        private String scrape() {
            try {
                var r = http.send(
                        HttpRequest.newBuilder(metrics)
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 ? r.body() : null;
            } catch (IOException e) {
                return null; // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        private static double sum(String text, String name, String labelPart) {
            if (text == null) {
                return 0;
            }
            double total = 0;
            var m = SAMPLE.matcher(text);
            while (m.find()) {
                if (m.group(1).equals(name)
                        && (labelPart.isEmpty()
                                || (m.group(2) != null && m.group(2).contains(labelPart)))) {
                    total += Double.parseDouble(m.group(3));
                }
            }
            return total;
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
