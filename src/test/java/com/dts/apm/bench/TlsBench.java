package com.dts.apm.bench;

import com.dts.apm.app.Workspace;
import com.dts.apm.config.ConfigLoader;
import com.dts.apm.config.Secret;
import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.Security;
import com.dts.apm.store.NewIntegration;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The TLS benchmark (not a test; run by {@code bench/tls-bench.sh}): a throwaway Dovecot from the distribution's
 * packages on loopback (IMAPS and submission with STARTTLS, N users in a passwd-file, a CA and a server certificate
 * made with openssl), and the same N logins through (c) a raw Java TLS client on the daemon's TLS provider, (b) the
 * Prometheus blackbox exporter with one module per user, (a) the real daemon ({@code Main run}, N stored
 * integrations, provider limits raised). Prints logins/s, latency, CPU per 1,000 checks and the ratios.
 * Everything runs under {@code --dir}, which the script removes; every child process is stopped on the way out.
 */
public final class TlsBench {
    static final String HOST = "localhost"; // the certificate's name; Dovecot listens on 127.0.0.1 only
    private static final Pattern SAMPLE = Pattern.compile("^([a-z_]+)(\\{[^}]*})? ([0-9.eE+-]+)$", Pattern.MULTILINE);
    private static final double TICKS = 100.0; // USER_HZ of /proc/PID/stat on Linux

    private final Path dir;
    private final String tls;
    private final String daemonHeap;
    private final List<Process> children = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder()
            .executor(Executors.newFixedThreadPool(8, r -> {
                var t = new Thread(r, "http");
                t.setDaemon(true);
                return t;
            }))
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private int imapsPort;
    private int submissionPort;
    private int submissionsPort;
    private int exporterPort;
    private Process dovecot;
    private Process exporter;

    private final String daemonJvm;

    private final String sessionLifetime;

    private TlsBench(Path dir, String tls, String daemonHeap, String daemonJvm, String sessionLifetime) {
        this.sessionLifetime = sessionLifetime;
        this.dir = dir;
        this.tls = tls;
        this.daemonHeap = daemonHeap;
        this.daemonJvm = daemonJvm;
    }

    /** The JVM options the systemd unit gives the daemon (APM_JAVA_OPTS), so the benchmark runs it as installed. */
    static String unitJavaOptions() {
        try {
            var m = Pattern.compile("Environment=\"APM_JAVA_OPTS=([^\"]*)\"")
                    .matcher(Files.readString(Path.of("systemd/app-password-monitor.service")));
            return m.find() ? m.group(1).strip() : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** An earlier build's classes for the daemon (A/B of one change), and which checks.tls-* keys it knows. */
    static String daemonClasses = null;

    static String tlsKeys = "all";

    public static void main(String[] args) throws Exception {
        Path dir = null;
        var sizes = List.of(2000, 10000);
        var concurrencies = List.of(16);
        var protocols = List.of("imap", "smtp"); // smtps (submission with implicit TLS) on request
        var clients = List.of("floor", "exporter", "daemon");
        String tls = "conscrypt";
        String heap = "256m";
        String daemonJvm = unitJavaOptions();
        String sessionLifetime = "0s"; // the daemon's default
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--n" -> sizes = ints(args[++i]);
                case "--concurrency" -> concurrencies = ints(args[++i]);
                case "--protocols" -> protocols = List.of(args[++i].split(","));
                case "--clients" -> clients = List.of(args[++i].split(","));
                case "--tls" -> tls = args[++i];
                case "--daemon-heap" -> heap = args[++i];
                case "--daemon-jvm" -> daemonJvm = args[++i];
                case "--tls-session-lifetime" -> sessionLifetime = args[++i];
                case "--daemon-classes" -> daemonClasses = args[++i];
                case "--tls-keys" -> tlsKeys = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (dir == null) {
            throw new IllegalArgumentException("--dir is required");
        }
        var bench = new TlsBench(dir, tls, heap, daemonJvm, sessionLifetime);
        int users = sizes.stream().mapToInt(Integer::intValue).max().orElseThrow();
        System.out.printf(
                "app-password-monitor TLS benchmark: N=%s, concurrency %s, %s, TLS provider %s, %d CPUs, java %s%n",
                sizes,
                concurrencies,
                protocols,
                tls,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        System.out.printf(
                "daemon JVM: -Xmx%s %s; TLS sessions resumed for %s (daemon and floor; the exporter never resumes)%n",
                heap, daemonJvm, sessionLifetime);
        try {
            bench.setUp(users);
            for (var protocol : protocols) {
                bench.warmUp(protocol, Math.min(users, 300));
                for (int n : sizes) {
                    for (int c : concurrencies) {
                        bench.block(protocol, n, c, clients);
                    }
                }
            }
        } finally {
            bench.tearDown();
        }
        System.exit(0);
    }

    static String user(int i) {
        return "u" + i + "@bench.test";
    }

    static String password(int i) {
        return "bench-pw-" + i;
    }

    record Figures(String client, double wall, double p50, double p95, long failed, double cpu, double serverCpu) {}

    private void block(String protocol, int n, int c, List<String> clients) throws Exception {
        var label = switch (protocol) {
            case "imap" -> "IMAPS (implicit TLS)";
            case "smtps" -> "submission (implicit TLS)";
            default -> "submission (STARTTLS)";
        };
        System.out.printf("%n== %s, N = %,d, concurrency %d, TLS %s  (%s)%n", label, n, c, tls, load());
        var results = new ArrayList<Figures>();
        Daemon prepared = clients.contains("daemon")
                ? Daemon.prepare(
                        dir.resolve("daemon-" + protocol + "-" + n + "-" + c),
                        protocol,
                        n,
                        c,
                        port(protocol),
                        tls,
                        dir.resolve("ca.pem"),
                        sessionLifetime)
                : null;
        if (clients.contains("floor")) {
            results.add(floor(protocol, n, c));
            System.out.printf("   floor done (%s)%n", load());
        }
        if (clients.contains("exporter")) {
            results.add(exporter(protocol, n, c));
            System.out.printf("   exporter done (%s)%n", load());
        }
        if (prepared != null) {
            double s0 = cpuTree(dovecot);
            var f = prepared.run(daemonHeap, daemonJvm, http);
            results.add(
                    new Figures(f.client(), f.wall(), f.p50(), f.p95(), f.failed(), f.cpu(), cpuTree(dovecot) - s0));
        }
        System.out.printf(
                "%-44s %8s %9s %8s %8s %7s %14s %14s%n",
                "client", "wall s", "logins/s", "p50 ms", "p95 ms", "failed", "CPU s/1000", "Dovecot s/1000");
        for (var f : results) {
            System.out.printf(
                    Locale.ROOT,
                    "%-44s %8.2f %9.1f %8.1f %8.1f %7d %14.2f %14.2f%n",
                    f.client(),
                    f.wall(),
                    n / f.wall(),
                    f.p50(),
                    f.p95(),
                    f.failed(),
                    1000 * f.cpu() / n,
                    1000 * f.serverCpu() / n);
        }
        var floor = find(results, "(c)");
        var exporter = find(results, "(b)");
        var daemon = find(results, "(a)");
        if (daemon != null && exporter != null) {
            System.out.printf(
                    Locale.ROOT,
                    "ratio daemon wall / exporter wall : %.2f (target <= 0.9)%n",
                    daemon.wall() / exporter.wall());
        }
        if (daemon != null && floor != null) {
            System.out.printf(
                    Locale.ROOT,
                    "ratio daemon CPU / floor CPU      : %.2f (target <= 1.25);  daemon wall / floor wall: %.2f%n",
                    daemon.cpu() / floor.cpu(),
                    daemon.wall() / floor.wall());
        }
        if (exporter != null && floor != null) {
            System.out.printf(
                    Locale.ROOT,
                    "ratio exporter CPU / floor CPU    : %.2f;  exporter wall / floor wall: %.2f%n",
                    exporter.cpu() / floor.cpu(),
                    exporter.wall() / floor.wall());
        }
        System.out.printf("   (%s)%n", load());
    }

    private static Figures find(List<Figures> results, String prefix) {
        return results.stream()
                .filter(f -> f.client().startsWith(prefix))
                .findFirst()
                .orElse(null);
    }

    private int port(String protocol) {
        return switch (protocol) {
            case "imap" -> imapsPort;
            case "smtps" -> submissionsPort;
            default -> submissionPort;
        };
    }

    private void warmUp(String protocol, int n) throws Exception {
        rawLogins(protocol, n, 16, 0);
    }

    private Figures floor(String protocol, int n, int c) throws Exception {
        double s0 = cpuTree(dovecot);
        var out = rawLogins(protocol, n, c, 0);
        return new Figures(
                "(c) raw Java TLS login (" + tls + (isZero(sessionLifetime) ? "" : ", resumed") + ")",
                Double.parseDouble(out[0]),
                Double.parseDouble(out[1]),
                Double.parseDouble(out[2]),
                Long.parseLong(out[3]),
                Double.parseDouble(out[4]),
                cpuTree(dovecot) - s0);
    }

    private String[] rawLogins(String protocol, int n, int c, int first) throws Exception {
        var p = new ProcessBuilder(
                        java(),
                        "-Xmx" + daemonHeap,
                        "-cp",
                        System.getProperty("java.class.path"),
                        RawLogin.class.getName(),
                        protocol,
                        HOST,
                        String.valueOf(port(protocol)),
                        dir.resolve("ca.pem").toString(),
                        String.valueOf(n),
                        String.valueOf(c),
                        tls,
                        String.valueOf(first),
                        isZero(sessionLifetime) ? "full" : "resume")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .strip()
                .split(" ");
        if (!p.waitFor(1, TimeUnit.HOURS) || p.exitValue() != 0 || out.length != 5) {
            throw new IllegalStateException("the raw login client failed: " + String.join(" ", out));
        }
        return out;
    }

    /** (b): C threads sending /probe requests, one module per user, as the exporter's users must configure it. */
    private Figures exporter(String protocol, int n, int c) throws Exception {
        var next = new AtomicInteger();
        var failed = new AtomicInteger();
        var durations = new long[n];
        var firstError = new String[1];
        var pool = Executors.newFixedThreadPool(c);
        var target = "127.0.0.1:" + port(protocol);
        double cpu0 = cpuSeconds(exporter.pid());
        double s0 = cpuTree(dovecot);
        long started = System.nanoTime();
        for (int t = 0; t < c; t++) {
            pool.execute(() -> {
                int i;
                while ((i = next.getAndIncrement()) < n) {
                    long s = System.nanoTime();
                    try {
                        var uri = URI.create("http://127.0.0.1:" + exporterPort + "/probe?module=" + protocol + "_" + i
                                + "&target=" + target);
                        var r = http.send(
                                HttpRequest.newBuilder(uri)
                                        .timeout(Duration.ofSeconds(30))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200 || !r.body().contains("\nprobe_success 1")) {
                            throw new IOException("probe failed: HTTP " + r.statusCode());
                        }
                    } catch (Exception e) {
                        if (failed.getAndIncrement() == 0) {
                            firstError[0] = e.toString();
                        }
                    }
                    durations[i] = System.nanoTime() - s;
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(1, TimeUnit.HOURS)) {
            throw new IllegalStateException("the exporter run did not finish within 1 h");
        }
        long wall = System.nanoTime() - started;
        if (firstError[0] != null) {
            System.out.println("   exporter: first failure: " + firstError[0]);
        }
        Arrays.sort(durations);
        return new Figures(
                "(b) blackbox exporter, module/user",
                wall / 1e9,
                pct(durations, 50) / 1e6,
                pct(durations, 95) / 1e6,
                failed.get(),
                cpuSeconds(exporter.pid()) - cpu0,
                cpuTree(dovecot) - s0);
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    // ---- set-up: certificates, Dovecot, the relay, the exporter

    private void setUp(int users) throws Exception {
        imapsPort = freePort();
        submissionPort = freePort();
        submissionsPort = freePort();
        exporterPort = freePort();
        int relayPort = freePort();
        certificates();
        var dc = Files.createDirectories(dir.resolve("dovecot"));
        Files.createDirectories(dc.resolve("run"));
        Files.createDirectories(dc.resolve("state"));
        Files.createDirectories(dc.resolve("home"));
        var passwd = new StringBuilder();
        for (int i = 0; i < users; i++) {
            passwd.append(user(i)).append(":{PLAIN}").append(password(i)).append('\n');
        }
        Files.writeString(dc.resolve("users"), passwd);
        boolean root = "root".equals(System.getProperty("user.name"));
        var owner = root ? "nobody" : run("id", "-un").strip();
        var group = root ? "nogroup" : run("id", "-gn").strip();
        Files.writeString(dc.resolve("dovecot.conf"), dovecotConfig(dc, owner, group, relayPort));
        if (root) {
            run("chown", "-R", owner + ":" + group, dc.toString());
            run("chmod", "755", dir.toString());
        }
        children.add(start(
                "relay",
                dir.resolve("relay.log"),
                java(),
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                NullRelay.class.getName(),
                String.valueOf(relayPort)));
        var dovecotCmd = new ArrayList<String>();
        if (root) {
            dovecotCmd.addAll(List.of("setpriv", "--reuid=" + owner, "--regid=" + group, "--clear-groups"));
        }
        dovecotCmd.addAll(
                List.of("dovecot", "-F", "-c", dc.resolve("dovecot.conf").toString()));
        dovecot = start("dovecot", dir.resolve("dovecot-stdout.log"), dovecotCmd.toArray(String[]::new));
        children.add(dovecot);
        Files.writeString(dir.resolve("blackbox.yml"), exporterConfig(users));
        exporter = start(
                "exporter",
                dir.resolve("exporter.log"),
                "prometheus-blackbox-exporter",
                "--config.file=" + dir.resolve("blackbox.yml"),
                "--web.listen-address=127.0.0.1:" + exporterPort,
                "--log.level=error");
        children.add(exporter);
        awaitPort(imapsPort, "Dovecot IMAPS (see " + dc.resolve("dovecot.log") + ")");
        awaitPort(submissionPort, "Dovecot submission");
        awaitPort(submissionsPort, "Dovecot submissions");
        awaitPort(exporterPort, "the blackbox exporter");
        awaitPort(relayPort, "the relay");
        System.out.printf(
                "set-up: Dovecot %s on 127.0.0.1:%d (IMAPS) and :%d (submission), %,d users; blackbox exporter on :%d; %s%n",
                run("dovecot", "--version").strip(), imapsPort, submissionPort, users, exporterPort, load());
    }

    private void certificates() throws Exception {
        var d = dir.toString();
        run(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                d + "/ca.key",
                "-out",
                d + "/ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=app-password-monitor bench CA",
                "-addext",
                "basicConstraints=critical,CA:true",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign");
        run(
                "openssl",
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                d + "/server.key",
                "-out",
                d + "/server.csr",
                "-subj",
                "/CN=" + HOST);
        Files.writeString(
                dir.resolve("server.ext"),
                "subjectAltName=DNS:" + HOST + ",IP:127.0.0.1\nbasicConstraints=CA:false\n"
                        + "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
        run(
                "openssl",
                "x509",
                "-req",
                "-in",
                d + "/server.csr",
                "-CA",
                d + "/ca.pem",
                "-CAkey",
                d + "/ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                d + "/server.ext",
                "-out",
                d + "/server.pem");
        run("openssl", "verify", "-CAfile", d + "/ca.pem", d + "/server.pem");
        Files.writeString(
                dir.resolve("chain.pem"),
                Files.readString(dir.resolve("server.pem")) + Files.readString(dir.resolve("ca.pem")));
        Files.delete(dir.resolve("ca.key")); // nothing signs after this
    }

    private String dovecotConfig(Path dc, String owner, String group, int relayPort) throws IOException {
        var key = dc.resolve("server.key");
        var chain = dc.resolve("chain.pem");
        Files.copy(dir.resolve("server.key"), key);
        Files.copy(dir.resolve("chain.pem"), chain);
        return String.join(
                "\n",
                "# a throwaway instance for the TLS benchmark: loopback only, its own directories, no root",
                "base_dir = " + dc.resolve("run"),
                "state_dir = " + dc.resolve("state"),
                "log_path = " + dc.resolve("dovecot.log"),
                "info_log_path = /dev/null",
                "protocols = imap submission",
                "listen = 127.0.0.1",
                "ssl = required",
                "ssl_cert = <" + chain,
                "ssl_key = <" + key,
                "ssl_min_protocol = TLSv1.2",
                "default_internal_user = " + owner,
                "default_internal_group = " + group,
                "default_login_user = " + owner,
                "default_process_limit = 256",
                "auth_mechanisms = plain login",
                "passdb {",
                "  driver = passwd-file",
                "  args = scheme=PLAIN " + dc.resolve("users"),
                "}",
                "userdb {",
                "  driver = static",
                "  args = uid=" + owner + " gid=" + group + " home=" + dc.resolve("home") + "/%u",
                "}",
                "mail_location = maildir:~/Maildir:INDEX=MEMORY",
                "hostname = " + HOST,
                "submission_relay_host = 127.0.0.1",
                "submission_relay_port = " + relayPort,
                // one login process serves many connections (Dovecot's high-performance mode), as a busy server runs
                "service imap-login {",
                "  chroot =",
                "  inet_listener imap {",
                "    port = 0",
                "  }",
                "  inet_listener imaps {",
                "    port = " + imapsPort,
                "    ssl = yes",
                "  }",
                "  service_count = 0",
                "  process_min_avail = 2",
                "}",
                "service submission-login {",
                "  chroot =",
                "  inet_listener submission {",
                "    port = " + submissionPort,
                "  }",
                "  inet_listener submissions {",
                "    port = " + submissionsPort,
                "    ssl = yes",
                "  }",
                "  service_count = 0",
                "  process_min_avail = 2",
                "}",
                "service imap-urlauth-login {",
                "  chroot =",
                "}",
                "service anvil {",
                "  chroot =",
                "}",
                "service imap {",
                "  service_count = 0",
                "}",
                "service submission {",
                "  service_count = 0",
                "}",
                "service auth {",
                "  client_limit = 2048",
                "}",
                "");
    }

    private String exporterConfig(int users) {
        var tlsConfig = "      tls_config: { ca_file: \"" + dir.resolve("ca.pem") + "\", server_name: \"" + HOST
                + "\", min_version: TLS12 }\n";
        var b = new StringBuilder("# one module per user: the exporter's modules carry the credentials\nmodules:\n");
        for (int i = 0; i < users; i++) {
            b.append("  imap_")
                    .append(i)
                    .append(":\n    prober: tcp\n    timeout: 20s\n    tcp:\n      tls: true\n")
                    .append(tlsConfig)
                    .append("      query_response:\n")
                    .append("        - expect: \"^\\\\* OK\"\n")
                    .append("        - send: \"a LOGIN ")
                    .append(user(i))
                    .append(' ')
                    .append(password(i))
                    .append("\\r\"\n")
                    .append("        - expect: \"^a OK\"\n")
                    .append("        - send: \"b LOGOUT\\r\"\n")
                    .append("        - expect: \"^b OK\"\n");
            var plain = Base64.getEncoder()
                    .encodeToString(("\0" + user(i) + "\0" + password(i)).getBytes(StandardCharsets.UTF_8));
            b.append("  smtps_")
                    .append(i)
                    .append(":\n    prober: tcp\n    timeout: 20s\n    tcp:\n      tls: true\n")
                    .append(tlsConfig)
                    .append("      query_response:\n")
                    .append("        - expect: \"^220 \"\n")
                    .append("        - send: \"EHLO bench.test\\r\"\n")
                    .append("        - expect: \"^250 \"\n")
                    .append("        - send: \"AUTH PLAIN ")
                    .append(plain)
                    .append("\\r\"\n")
                    .append("        - expect: \"^235 \"\n")
                    .append("        - send: \"QUIT\\r\"\n")
                    .append("        - expect: \"^221 \"\n");
            b.append("  smtp_")
                    .append(i)
                    .append(":\n    prober: tcp\n    timeout: 20s\n    tcp:\n")
                    .append(tlsConfig)
                    .append("      query_response:\n")
                    .append("        - expect: \"^220 \"\n")
                    .append("        - send: \"EHLO bench.test\\r\"\n")
                    .append("        - expect: \"^250 \"\n")
                    .append("        - send: \"STARTTLS\\r\"\n")
                    .append("        - expect: \"^220 \"\n")
                    .append("        - starttls: true\n")
                    .append("        - send: \"EHLO bench.test\\r\"\n")
                    .append("        - expect: \"^250 \"\n")
                    .append("        - send: \"AUTH PLAIN ")
                    .append(plain)
                    .append("\\r\"\n")
                    .append("        - expect: \"^235 \"\n")
                    .append("        - send: \"QUIT\\r\"\n")
                    .append("        - expect: \"^221 \"\n");
        }
        return b.toString();
    }

    private Process start(String name, Path log, String... cmd) throws IOException {
        var p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Files.writeString(
                dir.resolve(name + ".pid"), p.pid() + "\n"); // for the script's clean-up if this JVM is killed
        return p;
    }

    private void tearDown() throws InterruptedException {
        for (var p : children) {
            p.destroy();
        }
        for (var p : children) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @SuppressWarnings("try") // the resource is held for the block and closed by it
    private static void awaitPort(int port, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (var s = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException(what + " did not listen on port " + port + " within 60 s");
    }

    static String run(String... cmd) throws Exception {
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.strip());
        }
        return out;
    }

    // ---- figures from /proc

    /** User and system CPU seconds of one process so far (its own threads). */
    static double cpuSeconds(long pid) {
        var f = stat(pid);
        return f == null ? 0 : (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
    }

    /** Dovecot's master, the children it has reaped, and its live children (its services are all its direct children). */
    private static double cpuTree(Process master) {
        var f = stat(master.pid());
        if (f == null) {
            return 0;
        }
        double total =
                (Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14])) / TICKS;
        // setpriv exec()s dovecot, so the master is this process itself
        for (var child : master.toHandle().children().toList()) {
            total += cpuSeconds(child.pid());
        }
        return total;
    }

    /** The fields of /proc/PID/stat after the command name (index 0 is the state). */
    private static String[] stat(long pid) {
        try {
            var s = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            return s.substring(s.lastIndexOf(')') + 2).split(" ");
        } catch (IOException e) {
            return null;
        }
    }

    static String load() {
        try {
            var f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return "load average " + f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "load average unknown";
        }
    }

    static int freePort() throws IOException {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static List<Integer> ints(String s) {
        return Arrays.stream(s.split(","))
                .map(String::strip)
                .filter(x -> !x.isEmpty())
                .map(x -> Integer.parseInt(x.replace("_", "")))
                .toList();
    }

    /** (a): the real daemon in a child JVM over N stored integrations, from its first login to its last record. */
    private static final class Daemon {
        private final Path dir;
        private final Path config;
        private final int httpPort;
        private final int n;

        private Daemon(Path dir, Path config, int httpPort, int n) {
            this.dir = dir;
            this.config = config;
            this.httpPort = httpPort;
            this.n = n;
        }

        static Daemon prepare(
                Path dir, String protocol, int n, int c, int port, String tls, Path ca, String sessionLifetime)
                throws Exception {
            Files.createDirectories(dir);
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
                            "  max-concurrent-checks: " + c,
                            "  max-concurrent-per-provider: " + c,
                            "  logins-per-second-per-provider: 1000000",
                            "checks:",
                            "  trust-store: " + ca,
                            tlsKeys.equals("none") ? "" : "  tls-provider: " + tls,
                            tlsKeys.equals("all") ? "  tls-session-lifetime: " + sessionLifetime : "",
                            "logging: { level: info }",
                            ""));
            var ws = Workspace.open(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC());
            var p = protocol.equals("imap") ? Protocol.IMAP : Protocol.SMTP;
            var endpoint = new Endpoint(HOST, port, protocol.equals("smtp") ? Security.STARTTLS : Security.SSL);
            for (int from = 0; from < n; from += 5000) {
                var rows = new ArrayList<NewIntegration>();
                var passwords = new ArrayList<Secret>();
                for (int i = from; i < Math.min(n, from + 5000); i++) {
                    rows.add(new NewIntegration(
                            "D-" + i,
                            "Dealer " + i,
                            null,
                            user(i),
                            "custom",
                            user(i),
                            p == Protocol.IMAP ? endpoint : null,
                            p == Protocol.SMTP ? endpoint : null,
                            EnumSet.of(p),
                            true,
                            false,
                            null));
                    passwords.add(Secret.of(password(i)));
                }
                ws.integrations().importAll(rows, passwords);
            }
            ws.close();
            return new Daemon(dir, config, httpPort, n);
        }

        Figures run(String heap, String jvm, HttpClient http) throws Exception {
            var cmd = new ArrayList<>(List.of(java()));
            if (!jvm.isBlank()) {
                cmd.addAll(List.of(jvm.strip().split("\\s+")));
            }
            cmd.add("-Xmx" + heap);
            var extra = System.getenv("APM_BENCH_DAEMON_OPTS");
            if (extra != null && !extra.isBlank()) {
                cmd.addAll(List.of(extra.strip().split("\\s+")));
            }
            var cp = System.getProperty("java.class.path");
            if (daemonClasses != null) {
                cp = daemonClasses + java.io.File.pathSeparator + cp;
                System.out.println("   daemon classes from " + daemonClasses);
            }
            cmd.addAll(List.of("-cp", cp, "com.dts.apm.Main", "--config", config.toString(), "run"));
            var process = new ProcessBuilder(cmd)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("daemon.log").toFile())
                    .start();
            try {
                var metrics = URI.create("http://127.0.0.1:" + httpPort + "/metrics");
                double cpuAtFirst = -1;
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(60);
                while (true) {
                    if (!process.isAlive()) {
                        var log = Files.readAllLines(dir.resolve("daemon.log"));
                        throw new IllegalStateException("the daemon exited with " + process.exitValue() + ":\n"
                                + String.join("\n", log.subList(Math.max(0, log.size() - 15), log.size())));
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the daemon's round did not finish within 60 min");
                    }
                    var text = scrape(http, metrics);
                    double checks = sum(text, "apm_checks_total");
                    if (cpuAtFirst < 0 && checks > 0) {
                        cpuAtFirst = cpuSeconds(process.pid());
                    }
                    if (checks >= n && sum(text, "apm_check_write_seconds_count") >= n) {
                        break;
                    }
                    Thread.sleep(cpuAtFirst < 0 ? 50 : 250);
                }
                double cpu = cpuSeconds(process.pid()) - cpuAtFirst;
                System.out.println("   daemon CPU by thread (whole process, s): " + threadCpu(process.pid()));
                var s = Benchmark.roundStats(dir.resolve("apm.db"));
                return new Figures(
                        "(a) daemon round (run, " + TlsBench.tlsOf(dir) + ")",
                        s.wallSeconds(),
                        s.p50(),
                        s.p95(),
                        s.notOk(),
                        cpu,
                        0);
            } finally {
                process.destroy();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
        }

        /** CPU seconds per thread group (the name without its digits), from /proc/PID/task: where the daemon's CPU went. */
        private static String threadCpu(long pid) {
            var groups = new java.util.TreeMap<String, Double>();
            try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
                for (var t : tasks.toList()) {
                    try {
                        var stat = Files.readString(t.resolve("stat"));
                        var name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                                .replaceAll("[0-9]+", "N");
                        var f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        groups.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS, Double::sum);
                    } catch (IOException e) {
                        // the thread ended
                    }
                }
            } catch (IOException e) {
                return "unknown";
            }
            return groups.entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .limit(8)
                    .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue()))
                    .collect(java.util.stream.Collectors.joining(", "));
        }

        private static String scrape(HttpClient http, URI uri) {
            try {
                var r = http.send(
                        HttpRequest.newBuilder(uri)
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

        private static double sum(String text, String name) {
            if (text == null) {
                return 0;
            }
            double total = 0;
            var m = SAMPLE.matcher(text);
            while (m.find()) {
                if (m.group(1).equals(name)) {
                    total += Double.parseDouble(m.group(3));
                }
            }
            return total;
        }
    }

    private static boolean isZero(String duration) {
        return duration.matches("0+[a-z]*");
    }

    private static String tlsOf(Path dir) {
        try {
            var m = Pattern.compile("TLS provider: (\\S+)").matcher(Files.readString(dir.resolve("daemon.log")));
            return m.find() ? m.group(1) : "JDK";
        } catch (IOException e) {
            return "?";
        }
    }
}
