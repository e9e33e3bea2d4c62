package com.dts.apm;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.Jars;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two jars {@code mvn package} builds, as files and as {@code java -jar} runs them: the service jar (what the
 * .deb ships) carries SQLite for Linux x86-64 and aarch64 only and no demo or mail server; the demo jar adds both.
 */
class ShadedJarIT {
    private static final List<String> LINUX_GLIBC_SQLITE = List.of(
            "org/sqlite/native/Linux/aarch64/libsqlitejdbc.so", "org/sqlite/native/Linux/x86_64/libsqlitejdbc.so");

    @Test
    void bothJarsKeepOnlyTheLinuxGlibcSqliteLibraries() throws IOException {
        for (var jar : List.of(Jars.SERVICE, Jars.DEMO)) {
            var natives = entries(jar).stream()
                    .filter(n -> n.startsWith("org/sqlite/native/") && !n.endsWith("/"))
                    .sorted()
                    .toList();
            assertThat(natives)
                    .as("native libraries in %s (a new sqlite-jdbc platform needs a shade exclude)", jar)
                    .isEqualTo(LINUX_GLIBC_SQLITE);
        }
        System.out.printf("service jar %d bytes, demo jar %d bytes%n", Files.size(Jars.SERVICE), Files.size(Jars.DEMO));
        assertThat(Files.size(Jars.SERVICE)).as("service jar size").isLessThanOrEqualTo(16L * 1024 * 1024);
    }

    @Test
    void serviceJarShipsNoDemoAndNoMailServerTheDemoJarShipsBoth() throws IOException {
        var service = entries(Jars.SERVICE);
        assertThat(service)
                .contains("com/dts/apm/Main.class", "com/dts/apm/cli/DemoCommand.class")
                .noneMatch(n -> n.startsWith("com/icegreen/") || n.startsWith("com/dts/apm/demo/"));
        assertThat(entries(Jars.DEMO))
                .contains(
                        "com/dts/apm/Main.class",
                        "com/dts/apm/demo/Demo.class",
                        "com/icegreen/greenmail/util/GreenMail.class");
    }

    @Test
    void serviceJarOpensSqliteOnThisMachine(@TempDir Path dir) throws IOException {
        var r = Jars.run(Jars.SERVICE, dir, Duration.ofSeconds(60), "status");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("total");
        var db = dir.resolve("data/app-password-monitor.db");
        try (InputStream in = Files.newInputStream(db)) {
            assertThat(new String(in.readNBytes(16), StandardCharsets.US_ASCII)).isEqualTo("SQLite format 3\0");
        }
    }

    @Test
    void serviceJarDemoSaysInOneLineHowToRunTheDemoJar(@TempDir Path dir) {
        var r = Jars.run(
                Jars.SERVICE,
                dir,
                Duration.ofSeconds(60),
                "demo",
                "--dir",
                dir.resolve("demo").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().toList())
                .as(r.err())
                .hasSize(1)
                .first()
                .asString()
                .startsWith("error: the demo is not in the service jar")
                .contains("java -jar target/app-password-monitor-demo.jar demo");
        assertThat(dir.resolve("demo")).doesNotExist();
    }

    private static List<String> entries(Path jar) throws IOException {
        try (var j = new JarFile(jar.toFile())) {
            return j.stream().map(ZipEntry::getName).toList();
        }
    }
}
