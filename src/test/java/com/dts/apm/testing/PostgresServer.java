package com.dts.apm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A throwaway PostgreSQL cluster for a test class: {@code initdb} in a fresh temp folder, {@code pg_ctl start} on
 * 127.0.0.1 and a free port, a superuser {@code apm} with a random password (scram-sha-256), and a new empty
 * database per {@link #createDatabase()}. Stopped and deleted after the class. Skips the class, with the reason
 * printed, where Debian's PostgreSQL binaries are missing. initdb refuses root, so as root the cluster runs as
 * the {@code postgres} user (through {@code runuser}), in a folder that user owns.
 *
 * <pre>{@code @RegisterExtension static final PostgresServer pg = new PostgresServer();}</pre>
 */
public final class PostgresServer implements BeforeAllCallback, AfterAllCallback {
    /** Debian's layout; {@code APM_PG_BIN} points elsewhere. */
    private static final Path BIN = Path.of(System.getenv().getOrDefault("APM_PG_BIN", "/usr/lib/postgresql/15/bin"));

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private Path root;
    private Path data;
    private int port;
    private String password;
    private Thread cleanup;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        var reason = unavailable();
        if (reason != null) {
            System.out.println("PostgresServer: skipping " + context.getDisplayName() + ": " + reason);
            Assumptions.abort(reason);
        }
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    /** Why no cluster can be started here, or null when it can. */
    static String unavailable() {
        for (var tool : List.of("initdb", "pg_ctl", "postgres")) {
            if (!Files.isExecutable(BIN.resolve(tool))) {
                return "PostgreSQL is not installed (no " + BIN.resolve(tool) + "; apt-get install postgresql)";
            }
        }
        if (isRoot()
                && !Files.isExecutable(Path.of("/usr/sbin/runuser"))
                && !Files.isExecutable(Path.of("/sbin/runuser"))) {
            return "running as root and runuser is missing (initdb refuses root)";
        }
        return null;
    }

    /** Starts the cluster (done by the extension; public for tests that manage it themselves). */
    public void start() throws IOException, InterruptedException {
        root = Files.createTempDirectory("apm-pg");
        data = root.resolve("data");
        password = HexFormat.of().formatHex(randomBytes());
        var pwFile = root.resolve("pw");
        Files.writeString(pwFile, password + "\n");
        if (isRoot()) {
            var owner = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(root, owner);
            Files.setOwner(pwFile, owner);
        }
        cleanup = new Thread(this::stop, "postgres-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        run(
                120,
                BIN.resolve("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                "apm",
                "--auth=scram-sha-256",
                "--pwfile=" + pwFile,
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync");
        Files.delete(pwFile);
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            port = freePort();
            try {
                startServer();
                return;
            } catch (IOException e) { // the port was taken between freePort and the bind
                last = e;
            }
        }
        throw last;
    }

    private void startServer() throws IOException, InterruptedException {
        run(
                60,
                BIN.resolve("pg_ctl").toString(),
                "-D",
                data.toString(),
                "-w",
                "-t",
                "30",
                "-l",
                root.resolve("server.log").toString(),
                "-o",
                "-c listen_addresses=127.0.0.1 -p " + port + " -k " + root
                        + " -c fsync=off -c full_page_writes=off -c max_connections=200",
                "start");
    }

    /** Stops the server fast (as a crash would), keeping the data: {@link #restart()} brings it back on the same port. */
    public void kill() throws IOException, InterruptedException {
        run(60, BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
    }

    /** Starts the server again after {@link #kill()}. */
    public void restart() throws IOException, InterruptedException {
        startServer();
    }

    /** Stops the server and deletes its folder; safe to call twice. */
    public synchronized void stop() {
        if (root == null) {
            return;
        }
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                run(60, BIN.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
            }
        } catch (IOException | InterruptedException e) {
            System.out.println("PostgresServer: stopping " + data + ": " + e.getMessage());
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        root = null;
        if (cleanup != null && Thread.currentThread() != cleanup) {
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs now
            }
        }
    }

    /** A new, empty database on this server; returns its JDBC URL. */
    public String createDatabase() {
        var name = "apm_" + DATABASES.incrementAndGet();
        try (var c = DriverManager.getConnection(url("postgres"), "apm", password);
                var st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return url(name);
    }

    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public String username() {
        return "apm";
    }

    public String password() {
        return password;
    }

    /** Writes the password to {@code file} (owner-only), for a config's {@code database.password-file}. */
    public Path writePasswordFile(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
        return file;
    }

    /** The cluster's folder (data, socket, log); gone after {@link #stop()}. */
    public Path root() {
        return root;
    }

    public int port() {
        return port;
    }

    private static byte[] randomBytes() {
        var b = new byte[16];
        new SecureRandom().nextBytes(b);
        return b;
    }

    private static int freePort() throws IOException {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void run(int timeoutSeconds, String... command) throws IOException, InterruptedException {
        var cmd = new ArrayList<String>();
        if (isRoot()) {
            cmd.addAll(List.of(
                    Files.isExecutable(Path.of("/usr/sbin/runuser")) ? "/usr/sbin/runuser" : "/sbin/runuser",
                    "-u",
                    "postgres",
                    "--"));
        }
        cmd.addAll(List.of(command));
        var out = root.resolve("cmd.out");
        var p = new ProcessBuilder(cmd)
                .directory(root.toFile())
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": no end within " + timeoutSeconds + " s");
        }
        if (p.exitValue() != 0) {
            var log = root.resolve("server.log");
            throw new IOException(command[0] + " exited " + p.exitValue() + ": "
                    + Files.readString(out).strip()
                    + (Files.exists(log) ? "\n" + Files.readString(log).strip() : ""));
        }
    }
}
