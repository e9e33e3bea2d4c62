package com.dts.apm.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.ChildJvm;
import com.dts.apm.testing.TestConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM whose standard error is the stream {@code JOURNAL_STREAM} names (as under systemd) leaves the timestamp
 * to journald; without the variable, or with one naming another stream (inherited from a service), it keeps it.
 */
class JournalLogIT {
    private static final String TIMESTAMPED =
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* INFO  \\[main] .*";

    @TempDir
    Path dir;

    /** {@code device:inode} of a file, the way systemd writes it for its stream socket (st_dev and st_ino in decimal). */
    private static String deviceAndInode(Path file) throws Exception {
        var stat = new ProcessBuilder("stat", "-L", "-c", "%d:%i", file.toString())
                .redirectErrorStream(true)
                .start();
        var text = new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(stat.waitFor()).as(text).isZero();
        return text;
    }

    /**
     * Runs {@code integrations list} on a new database and returns the first line it wrote (the "created database" line).
     * {@code journalStream}: null for none, {@code OWN} for the child's own standard error, else the value to set.
     */
    private String firstLine(String name, String journalStream) throws Exception {
        var work = Files.createDirectories(dir.resolve(name));
        var log = work.resolve("out.log");
        Files.createFile(log);
        var pb = ChildJvm.main(work, log, "--config", writeConfig(work).toString(), "integrations", "list");
        pb.environment().remove("JOURNAL_STREAM");
        if (journalStream != null) {
            pb.environment().put("JOURNAL_STREAM", journalStream.equals("OWN") ? deviceAndInode(log) : journalStream);
        }
        var p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        var lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
        return lines.get(0);
    }

    private static Path writeConfig(Path work) throws Exception {
        var config = work.resolve("apm.yml");
        TestConfig.in(work).writeTo(config);
        return config;
    }

    @Test
    void commandsLeaveTheTimestampToJournaldOnlyWhenStandardErrorIsTheJournalStream() throws Exception {
        var plain = firstLine("plain", null);
        var journal = firstLine("journal", "OWN");
        var inherited = firstLine("inherited", "8:123456");

        assertThat(plain).matches(TIMESTAMPED).contains("created database");
        assertThat(inherited).matches(TIMESTAMPED);
        assertThat(journal).startsWith("<6>INFO  [main] ").contains("created database");
        assertThat(journal)
                .isEqualTo("<6>" + plain.substring(plain.indexOf("INFO")).replace("/plain/", "/journal/"));
    }

    @Test
    void theDaemonKeepsItUnderJournaldAfterApplyingTheConfig() throws Exception {
        var work = dir;
        var log = work.resolve("run.log");
        Files.createFile(log);
        var pb = ChildJvm.main(work, log, "--config", writeConfig(work).toString(), "run");
        pb.environment().put("JOURNAL_STREAM", deviceAndInode(log));
        var p = pb.start();
        try {
            var end = Instant.now().plus(Duration.ofSeconds(120));
            while (!Files.readString(log, StandardCharsets.UTF_8).contains("app-password-monitor running")) {
                assertThat(p.isAlive())
                        .as(Files.readString(log, StandardCharsets.UTF_8))
                        .isTrue();
                assertThat(Instant.now()).as("the daemon starts").isBefore(end);
                Thread.sleep(100);
            }
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        var lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(String.join("\n", lines)).isZero();
        assertThat(lines).anyMatch(l -> l.startsWith("<6>INFO  [main] ") && l.contains("app-password-monitor running"));
        // no relay configured: the start-up warning carries journald's warning priority
        assertThat(lines).anyMatch(l -> l.startsWith("<4>WARN  [main] ") && l.contains("alerts.relay.host is not set"));
        assertThat(lines)
                .filteredOn(l -> !l.isBlank())
                .allMatch(l -> l.matches("<[3467]>(TRACE|DEBUG|INFO |WARN |ERROR) \\[.*"));
    }
}
