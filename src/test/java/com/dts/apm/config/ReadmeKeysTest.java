package com.dts.apm.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every config key the README names in backticks exists in the complete example config (which equals the defaults). */
class ReadmeKeysTest {
    private static final Pattern KEY = Pattern.compile(
            "`((?:database|secrets|http|schedule|checks|providers|alerts|history|logging|api|reconnect)\\.[a-z][a-z.-]*[a-z])(?:\\.\\*)?`");

    @Test
    void readmeNamesOnlyConfigKeysThatExist() throws Exception {
        var example = new YAMLMapper()
                .readTree(Path.of("config/app-password-monitor.yml").toFile());
        var missing = new TreeSet<String>();
        var m = KEY.matcher(Files.readString(Path.of("README.md")));
        int seen = 0;
        while (m.find()) {
            var key = m.group(1);
            if (key.endsWith(".md") || key.endsWith(".yml") || key.endsWith(".mustache")) {
                continue; // providers.md, providers.yml, reconnect.html.mustache: files, not keys
            }
            seen++;
            if (!exists(example, key)) {
                missing.add(key);
            }
        }
        assertThat(seen).as("keys found in README.md").isGreaterThan(20);
        assertThat(missing)
                .as("README.md names config keys the daemon does not have")
                .isEmpty();
    }

    private static boolean exists(JsonNode root, String dotted) {
        var node = root;
        for (var part : dotted.split("\\.")) {
            if (node == null || !node.has(part)) {
                return false;
            }
            node = node.get(part);
        }
        return true;
    }
}
