package com.dts.apm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.Cli;
import com.dts.apm.testing.TestConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start, as written: its {@code integrations add} line is run as is, and the check that
 * follows must end as the README says ({@code NETWORK_ERROR}: the sample servers do not exist), without
 * logging in to a real provider with a made-up mailbox.
 */
class QuickStartIT {
    private static final Pattern ADD =
            Pattern.compile("printf '%s\\\\n' '([^']*)' \\| apm (integrations add (?:[^\\n]*\\\\\\n)*[^\\n]*)");

    @Test
    void quickStartMailboxEndsAsNetworkErrorOnServersThatDoNotExist(@TempDir Path dir) throws Exception {
        var readme = Files.readString(Path.of("README.md"));
        var m = ADD.matcher(readme);
        assertThat(m.find()).as("the quick start's integrations add line").isTrue();
        var args = words(m.group(2).replace("\\\n", " "));
        var config = dir.resolve("apm.yml");
        TestConfig.in(dir)
                .noHttpPort()
                .checkTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(15))
                .writeTo(config);
        var cli = new Cli(config);

        var add = cli.runWithInput(m.group(1) + "\n", args.toArray(String[]::new));
        assertThat(add.exit()).as(add.all()).isZero();
        var shown = new ObjectMapper()
                .readTree(cli.run("integrations", "show", "1", "--json").out());
        assertThat(List.of(
                        shown.path("imap").path("host").asText(),
                        shown.path("smtp").path("host").asText()))
                .as("servers under the reserved .example domain, so nothing real is logged in to")
                .allSatisfy(host -> assertThat(host).endsWith(".example"));

        var check = cli.run("check", "--json", "1");
        assertThat(check.exit()).as(check.all()).isEqualTo(1);
        var result = new ObjectMapper().readTree(check.out());
        assertThat(result.path("checks"))
                .isNotEmpty()
                .allSatisfy(c -> assertThat(c.path("outcome").asText()).isEqualTo("NETWORK_ERROR"));
    }

    /** Splits a command line on spaces, keeping single-quoted words whole. */
    static List<String> words(String line) {
        var out = new ArrayList<String>();
        var word = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (char c : line.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
                any = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (any) {
                    out.add(word.toString());
                    word.setLength(0);
                    any = false;
                }
            } else {
                word.append(c);
                any = true;
            }
        }
        if (any) {
            out.add(word.toString());
        }
        return out;
    }
}
