package com.dts.apm.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs promtool over the shipped alert rules and their unit tests. Without promtool on the PATH the
 * test is skipped on a workstation and fails in CI ({@code CI=true}), where it must be installed.
 */
class PrometheusRulesIT {
    private static final Path RULES_DIR = Path.of("config", "prometheus");
    private static final Path RULES = RULES_DIR.resolve("app-password-monitor-rules.yml");
    private static final Path RULE_TESTS = RULES_DIR.resolve("app-password-monitor-rules.test.yml");

    private static String promtool() {
        var found = onPath("promtool");
        if (found.isEmpty()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("promtool is not on the PATH; CI must install it (apt-get install -y prometheus)");
            }
            Assumptions.abort("promtool is not on the PATH; install Debian's prometheus package to run this test");
        }
        return found.get().toString();
    }

    @Test
    void rulesAreValid() throws Exception {
        var result = run(promtool(), "check", "rules", RULES.toString());

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void ruleUnitTestsPass() throws Exception {
        var result = run(promtool(), "test", "rules", RULE_TESTS.toString());

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void dashboardQueriesAreValidPromQl(@TempDir Path dir) throws Exception {
        // promtool parses expressions in rule files; Grafana's variables become plain values first.
        var rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        var i = 0;
        for (var expr : Dashboard.load().expressions()) {
            var plain =
                    expr.replace("$__rate_interval", "5m").replace("$job", ".+").replace("$instance", ".+");
            rules.append("      - record: dashboard:query").append(++i).append('\n');
            rules.append("        expr: '").append(plain.replace("'", "''")).append("'\n");
        }
        var file = Files.writeString(dir.resolve("dashboard-queries.yml"), rules);

        var result = run(promtool(), "check", "rules", file.toString());

        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    @Test
    void everyRuleHasAUnitTest() throws IOException {
        var rules = Files.readString(RULES, StandardCharsets.UTF_8);
        var tests = Files.readString(RULE_TESTS, StandardCharsets.UTF_8);
        var alertNames = rules.lines()
                .map(String::strip)
                .filter(line -> line.startsWith("- alert:"))
                .map(line -> line.substring("- alert:".length()).strip())
                .toList();

        assertThat(alertNames).isNotEmpty();
        assertThat(alertNames).allSatisfy(name -> {
            assertThat(tests).contains("alertname: " + name);
            assertThat(rules).contains("alert: " + name);
        });
    }

    private record Result(int exitCode, String output) {}

    private static Result run(String... command) throws IOException, InterruptedException {
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("promtool did not finish within 60 s: " + String.join(" ", command));
        }
        return new Result(process.exitValue(), output);
    }

    private static Optional<Path> onPath(String program) {
        var path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
