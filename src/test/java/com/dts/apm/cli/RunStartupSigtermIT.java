package com.dts.apm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.store.Database;
import com.dts.apm.store.KeyRing;
import com.dts.apm.testing.ChildJvm;
import com.dts.apm.testing.TestConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM while {@code run} starts, as systemd sends it when a stop or restart comes right after a start: at every
 * step the daemon stops in order, logs it and exits 0, and leaves no half-written database or key file. The moment
 * is taken from the child JVM's own class-loading log (the signal goes once the class of a start-up step is loaded),
 * not from sleeps, so a slow machine moves the moment a little but never breaks the test: every moment must pass.
 */
class RunStartupSigtermIT {
    /** Classes in the order start-up loads them; the first one right after main took the signals. */
    private static final List<String> STEPS = List.of(
            "com.dts.apm.cli.RootCommand", // before picocli parses the command line
            "com.dts.apm.config.ConfigLoader", // reading the config
            "com.dts.apm.store.Migrations", // creating and migrating the database
            "com.dts.apm.store.KeyRing", // writing the first master key
            "org.quartz.impl.StdSchedulerFactory", // building the scheduler
            "com.dts.apm.metrics.HttpEndpoint"); // about to serve /metrics

    @TempDir
    Path dir;

    @Test
    void sigtermAtAnyStepOfStartUpStopsInOrderWithExitZero() throws Exception {
        int schema =
                schemaVersion(Database.open(dir.resolve("reference/apm.db")).file());
        var duringStartUp = new ArrayList<String>();
        for (var step : STEPS) {
            var work = Files.createDirectories(dir.resolve(step));
            var log = work.resolve("daemon.log");
            var p = start(work, log, "run");
            try {
                awaitLoaded(p, work.resolve("classes.log"), step, log);
                p.destroy(); // SIGTERM
                assertThat(p.waitFor(60, TimeUnit.SECONDS))
                        .as("stops within 60 s after SIGTERM at " + step)
                        .isTrue();
            } finally {
                p.destroyForcibly();
            }
            var text = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(p.exitValue())
                    .as("exit code, SIGTERM at %s:%n%s", step, text)
                    .isZero();
            assertThat(text).as("SIGTERM at " + step).contains("stopped").doesNotContain("ERROR", "Exception");
            if (text.contains("stop requested during start-up")) {
                duringStartUp.add(step);
            }
            assertNothingHalfWritten(work.resolve("data"), schema, step);
        }
        // on any machine most of these land before the daemon is up (start-up takes a second or more)
        assertThat(duringStartUp).as("SIGTERMs that came during start-up").isNotEmpty();
    }

    @Test
    void anotherCommandStillEndsOnSigtermTheJvmsWay() throws Exception {
        var work = Files.createDirectories(dir.resolve("add"));
        var log = work.resolve("add.log");
        // waits for a password on standard input that never comes
        var p = start(
                work,
                log,
                "integrations",
                "add",
                "--dealer-id",
                "D-1",
                "--email",
                "sales@dealer.test",
                "--provider",
                "custom",
                "--imap-host",
                "imap.dealer.test",
                "--protocols",
                "imap",
                "--password-stdin");
        try {
            awaitLoaded(p, work.resolve("classes.log"), "com.dts.apm.cli.RootCommand", log);
            p.destroy();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("ends after SIGTERM").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue())
                .as(Files.readString(log, StandardCharsets.UTF_8))
                .isEqualTo(143);
    }

    private static Process start(Path work, Path log, String... args) throws IOException {
        var config = work.resolve("apm.yml");
        TestConfig.in(work).writeTo(config);
        var full = new ArrayList<>(List.of("--config", config.toString()));
        full.addAll(List.of(args));
        return ChildJvm.main(
                        work,
                        log,
                        List.of("-Xlog:class+load=info:file=" + work.resolve("classes.log")),
                        full.toArray(String[]::new))
                .start();
    }

    /** Waits until the child's class-loading log names {@code className}; reads only what was added since last time. */
    private static void awaitLoaded(Process p, Path classes, String className, Path log) throws Exception {
        var wanted = " " + className + " source:";
        var end = Instant.now().plus(Duration.ofSeconds(120));
        var seen = new StringBuilder();
        long position = 0;
        var buffer = ByteBuffer.allocate(1 << 16);
        while (true) {
            if (Files.exists(classes)) {
                try (var ch = FileChannel.open(classes)) {
                    ch.position(position);
                    int n;
                    while ((n = ch.read(buffer.clear())) > 0) {
                        position += n;
                        seen.append(new String(buffer.array(), 0, n, StandardCharsets.ISO_8859_1));
                    }
                }
                if (seen.indexOf(wanted) >= 0) {
                    return;
                }
                int lastLine = seen.lastIndexOf("\n");
                if (lastLine >= 0) {
                    seen.delete(0, lastLine + 1); // keep only a partial last line
                }
            }
            assertThat(p.isAlive())
                    .as("child died before loading %s:%n%s", className, read(log))
                    .isTrue();
            assertThat(Instant.now()).as("child loads " + className).isBefore(end);
            Thread.sleep(5);
        }
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** The database is absent or fully migrated and sound; the key file is absent or whole; no temp file is left. */
    private static void assertNothingHalfWritten(Path data, int schema, String step) throws Exception {
        if (!Files.exists(data)) {
            return;
        }
        try (Stream<Path> files = Files.list(data)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .as("files after SIGTERM at " + step)
                    .noneMatch(name -> name.endsWith(".tmp"));
        }
        var db = data.resolve("apm.db");
        if (Files.exists(db) && Files.size(db) > 0) {
            assertThat(schemaVersion(db))
                    .as("schema version after SIGTERM at " + step)
                    .isEqualTo(schema);
            try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
                    var st = c.createStatement();
                    var rs = st.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("ok");
            }
        }
        var key = data.resolve("master.key");
        if (Files.exists(key)) {
            KeyRing.load(key); // throws on a torn file
        }
    }

    private static int schemaVersion(Path db) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + db);
                var st = c.createStatement();
                var rs = st.executeQuery("PRAGMA user_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
