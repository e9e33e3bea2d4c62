package com.dts.apm.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.config.Config;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final org.slf4j.Logger log = LoggerFactory.getLogger("com.dts.apm.check.CheckService");

    @AfterEach
    void restore() {
        Logs.configure(new Config.Logging("text", "info"));
    }

    /** What the console appender writes to standard error while {@code body} runs. */
    private static String stderrDuring(Runnable body) {
        var before = System.err;
        var captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setErr(before);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jsonFormatWritesOneParsableObjectPerLine() throws Exception {
        Logs.configure(new Config.Logging("json", "info"));
        var out = stderrDuring(() -> {
            log.info("integration {} ({}) {} -> {}: {}", 7, "gmail", "HEALTHY", "SUSPECT", "AUTH_REJECTED");
            log.warn("detail with \"quotes\", a tab\tand\na newline, ünïcödé");
            log.error("a job failed", new IllegalStateException("boom"));
            log.debug("not at info");
        });
        var lines = out.lines().toList();
        assertThat(lines).hasSize(3);
        var events = lines.stream().map(LogsTest::parse).toList();
        assertThat(events).allSatisfy(e -> {
            assertThat(e.get("level")).isNotNull();
            assertThat(e.get("loggerName").asText()).isEqualTo("com.dts.apm.check.CheckService");
            assertThat(e.get("timestamp").isNumber()).isTrue();
        });
        assertThat(events.get(0).get("level").asText()).isEqualTo("INFO");
        assertThat(events.get(0).get("formattedMessage").asText())
                .isEqualTo("integration 7 (gmail) HEALTHY -> SUSPECT: AUTH_REJECTED");
        assertThat(events.get(1).get("formattedMessage").asText())
                .contains("\"quotes\"")
                .contains("\n")
                .contains("ünïcödé");
        assertThat(events.get(2).get("throwable").toString()).contains("boom");
    }

    @Test
    void levelComesFromTheConfig() {
        Logs.configure(new Config.Logging("text", "debug"));
        var debug = stderrDuring(() -> log.debug("per-check line"));
        assertThat(debug).contains("DEBUG").contains("per-check line");
        Logs.configure(new Config.Logging("text", "warn"));
        var warn = stderrDuring(() -> {
            log.info("quiet");
            log.warn("loud");
        });
        assertThat(warn).doesNotContain("quiet").contains("WARN").contains("loud");
    }

    @Test
    void textFormatIsOneLinePerEvent() {
        Logs.configure(new Config.Logging("json", "info"));
        Logs.configure(new Config.Logging("text", "info"));
        var out = stderrDuring(() -> log.info("back to text"));
        assertThat(out).matches("(?s)\\d{4}-\\d\\d-\\d\\dT.* INFO  \\[.*] .* - back to text\\R");
    }

    /** {@code JOURNAL_STREAM} as systemd would set it for this JVM's standard error ({@code device:inode}). */
    private static Map<String, String> journalEnv() throws Exception {
        var fd2 = Path.of("/proc/self/fd/2");
        return Map.of(
                "JOURNAL_STREAM", Files.getAttribute(fd2, "unix:dev") + ":" + Files.getAttribute(fd2, "unix:ino"));
    }

    @Test
    void textUnderJournaldLeavesTheTimestampToTheJournalAndLeadsWithThePriority() throws Exception {
        Logs.configure(new Config.Logging("text", "debug"), journalEnv());
        var out = stderrDuring(() -> {
            log.info("journald stamps this");
            log.error("an error");
            log.warn("a warning");
            log.debug("a detail");
        });
        assertThat(out.lines())
                .containsExactly(
                        "<6>INFO  [main] c.d.a.c.CheckService - journald stamps this",
                        "<3>ERROR [main] c.d.a.c.CheckService - an error",
                        "<4>WARN  [main] c.d.a.c.CheckService - a warning",
                        "<7>DEBUG [main] c.d.a.c.CheckService - a detail");
    }

    @Test
    void anInheritedJournalStreamThatIsNotStandardErrorKeepsTheTimestamp() {
        Logs.configure(new Config.Logging("text", "info"), Map.of("JOURNAL_STREAM", "1:2"));
        var out = stderrDuring(() -> log.info("to a terminal"));
        assertThat(out).matches("(?s)\\d{4}-\\d\\d-\\d\\dT.* INFO  \\[.*] .* - to a terminal\\R");
    }

    @Test
    void jsonUnderJournaldIsUnchanged() throws Exception {
        Logs.configure(new Config.Logging("json", "info"), journalEnv());
        var event = parse(stderrDuring(() -> log.info("still json")).strip());
        assertThat(event.get("timestamp").isNumber()).isTrue();
        assertThat(event.get("formattedMessage").asText()).isEqualTo("still json");
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + line, e);
        }
    }
}
