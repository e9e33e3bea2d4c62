package com.dts.apm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The runnable jars that {@code mvn package} builds (before failsafe runs the ITs), started with
 * {@code java -jar} in a child JVM as a user starts them: the service jar the .deb ships, and the demo jar.
 */
public final class Jars {
    /** The service jar: no demo, no mail server. */
    public static final Path SERVICE =
            Path.of("target", "app-password-monitor.jar").toAbsolutePath();
    /** The service jar plus the {@code demo} package and GreenMail. */
    public static final Path DEMO =
            Path.of("target", "app-password-monitor-demo.jar").toAbsolutePath();

    private Jars() {}

    /** Runs {@code java -jar JAR ARGS} in {@code workDir} with no config in the environment; stdin is empty. */
    public static Cli.Result run(Path jar, Path workDir, Duration timeout, String... args) {
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(jar + " is missing: mvn package builds it");
        }
        var cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-jar",
                jar.toString()));
        cmd.addAll(List.of(args));
        try {
            var out = Files.createTempFile(workDir, "stdout-", ".txt");
            var err = Files.createTempFile(workDir, "stderr-", ".txt");
            var pb = new ProcessBuilder(cmd)
                    .directory(workDir.toFile())
                    .redirectInput(
                            ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().remove("APM_CONFIG");
            var p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("timed out after " + timeout + ": " + String.join(" ", cmd) + "\n"
                        + Files.readString(out) + Files.readString(err));
            }
            var result = new Cli.Result(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
