package com.dts.apm.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * Starts the real command line ({@code com.dts.apm.Main}) in a child JVM with this JVM's class path, so a test
 * can {@code kill -9} it. Failsafe and surefire may run tests from a manifest-only jar; its Class-Path is
 * expanded so the child does not depend on that temporary jar.
 */
public final class ChildJvm {
    private ChildJvm() {}

    public static ProcessBuilder main(Path workDir, Path log, String... args) {
        return main(workDir, log, List.of(), args);
    }

    /** As above, with extra JVM options (before the main class). */
    public static ProcessBuilder main(Path workDir, Path log, List<String> jvmOptions, String... args) {
        var cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classPath(), "com.dts.apm.Main"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }

    static String classPath() {
        var cp = System.getProperty("java.class.path");
        var parts = cp.split(File.pathSeparator);
        if (parts.length != 1 || !parts[0].endsWith(".jar")) {
            return cp;
        }
        try (var jar = new JarFile(parts[0])) {
            var manifest = jar.getManifest();
            var entries = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
            if (entries == null || entries.isBlank()) {
                return cp;
            }
            var base = Path.of(parts[0]).toAbsolutePath().getParent().toUri();
            var out = new ArrayList<String>();
            for (var e : entries.trim().split("\\s+")) {
                out.add(Path.of(base.resolve(URI.create(e))).toString());
            }
            return String.join(File.pathSeparator, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
