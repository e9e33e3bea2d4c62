package com.dts.apm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb that {@code mvn package} builds: unpacked into a temporary root, its launcher runs, its unit
 * passes {@code systemd-analyze verify} and rates 2.0 or lower in {@code systemd-analyze security}.
 * Needs dpkg-deb and systemd-analyze; CI installs them, elsewhere the test is skipped without them.
 */
class PackageIT {
    private static final Path UNIT = Path.of("lib/systemd/system/app-password-monitor.service");

    @TempDir
    static Path root;

    @BeforeAll
    static void unpack() throws Exception {
        boolean tools = onPath("dpkg-deb") && onPath("systemd-analyze");
        if (System.getenv("CI") == null) {
            assumeTrue(tools, "dpkg-deb or systemd-analyze missing");
        }
        var deb = theDeb();
        var r = run(Map.of(), "dpkg-deb", "-x", deb.toString(), root.toString());
        assertThat(r.exit()).as(r.out()).isZero();
    }

    @Test
    void installedLauncherPrintsTheVersion() {
        var r = run(
                Map.of("APM_CONFIG", ""),
                root.resolve("usr/bin/app-password-monitor").toString(),
                "--version");
        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).startsWith("app-password-monitor ").doesNotContain("dev");
    }

    @Test
    void launcherKeepsAClassDataArchiveForRunAndThrowsAwayOneCutShort(@TempDir Path cache) throws Exception {
        var launcher = root.resolve("usr/bin/app-password-monitor").toString();
        var env = Map.of("APM_CONFIG", "", "CACHE_DIRECTORY", cache.toString());
        var archive = cache.resolve("app-cds.jsa");
        var fresh = cache.resolve("app-cds.jsa.new");

        var first = run(env, launcher, "run", "--help"); // no archive yet: this run writes one as it exits
        assertThat(first.exit()).as(first.out()).isZero();
        assertThat(fresh).isRegularFile();
        var second = run(env, launcher, "run", "--help"); // tried in a throwaway JVM, then used
        assertThat(second.exit()).as(second.out()).isZero();
        assertThat(second.out()).doesNotContain("warning").doesNotContain("cds");
        assertThat(archive).isRegularFile();
        assertThat(fresh).doesNotExist();

        // a stop killed while the archive was written leaves it cut short: mapping that would crash the JVM (SIGBUS)
        try (var in = Files.newInputStream(archive)) {
            Files.write(fresh, in.readNBytes(1 << 20));
        }
        Files.copy(cache.resolve("app-cds.jsa.stamp"), cache.resolve("app-cds.jsa.new.stamp"));
        var third = run(env, launcher, "run", "--help");
        assertThat(third.exit()).as(third.out()).isZero();
        assertThat(fresh).doesNotExist();
        assertThat(archive).isRegularFile();
        try (Stream<Path> s = Files.list(Path.of("."))) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("hs_err_pid"));
        }
        // other commands never touch it
        var other = run(env, launcher, "--version");
        assertThat(other.exit()).as(other.out()).isZero();
        try (Stream<Path> s = Files.list(cache)) {
            assertThat(s.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("app-cds.jsa", "app-cds.jsa.stamp");
        }
    }

    @Test
    void shipsUnitUserConfigCompletionAndManPage() throws Exception {
        assertThat(root.resolve("usr/share/app-password-monitor/app-password-monitor.jar"))
                .isRegularFile();
        assertThat(root.resolve("usr/lib/sysusers.d/app-password-monitor.conf"))
                .content()
                .contains("u app-password-monitor");
        assertThat(root.resolve("etc/app-password-monitor/app-password-monitor.yml"))
                .content()
                .contains("/var/lib/app-password-monitor/");
        assertThat(root.resolve("usr/share/bash-completion/completions/app-password-monitor"))
                .content()
                .contains("backup")
                .contains("integrations");
        assertThat(root.resolve("usr/share/man/man1/app-password-monitor.1.gz")).isRegularFile();
        assertThat(root.resolve("usr/share/doc/app-password-monitor/README.md"))
                .as("the operator guide the README and the man page point at")
                .content()
                .contains("## Operations", "### Troubleshooting");
        assertThat(root.resolve("usr/share/doc/app-password-monitor/app-password-monitor.yml.example"))
                .isRegularFile();
        var control = run(Map.of(), "dpkg-deb", "-f", theDeb().toString(), "Depends");
        assertThat(control.out()).contains("java17-runtime-headless");
        var conffiles = run(Map.of(), "sh", "-c", "dpkg-deb --ctrl-tarfile '" + theDeb() + "' | tar -xO ./conffiles");
        assertThat(conffiles.out().strip()).isEqualTo("/etc/app-password-monitor/app-password-monitor.yml");
    }

    @Test
    void unitRatesTwoOrLowerInSystemdAnalyzeSecurity() {
        var r = run(
                Map.of(),
                "systemd-analyze",
                "security",
                "--offline=yes",
                "--no-pager",
                root.resolve(UNIT).toString());
        var m = Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d+)")
                .matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        double score = Double.parseDouble(m.group(1));
        System.out.println("systemd-analyze security: " + score);
        assertThat(score).as(r.out()).isLessThanOrEqualTo(2.0);
    }

    @Test
    void unitPassesSystemdAnalyzeVerifyInTheUnpackedRoot() throws Exception {
        // The unpacked root lacks the base units (sysinit.target, ...) a real system has: lend the host's.
        copyMissing(Path.of("/lib/systemd/system"), root.resolve("lib/systemd/system"));
        var r = run(
                Map.of("MANPATH", root.resolve("usr/share/man").toString()),
                "systemd-analyze",
                "verify",
                "--root=" + root,
                "/" + UNIT);
        assertThat(r.out()).as("systemd-analyze verify says nothing").isEmpty();
        assertThat(r.exit()).isZero();
    }

    private static Path theDeb() {
        try (Stream<Path> s = Files.list(Path.of("target"))) {
            var debs = s.filter(p -> p.getFileName().toString().endsWith("_all.deb"))
                    .toList();
            assertThat(debs).as("one .deb in target/ (mvn package builds it)").hasSize(1);
            return debs.get(0).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyMissing(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.list(from)) {
            for (var p : s.toList()) {
                var target = to.resolve(p.getFileName().toString());
                if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS) && Files.isRegularFile(p)) {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    record Result(int exit, String out) {}

    private static Result run(Map<String, String> env, String... command) {
        try {
            var pb = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true);
            pb.environment().putAll(env);
            var p = pb.start();
            p.getOutputStream().close();
            var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
