package com.dts.apm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The completion script and man page that {@code package} generates and the .deb ships. */
class ShellDocsTest {
    @Test
    void writesCompletionAndManPageForEveryShippedCommand(@TempDir Path dir) throws Exception {
        ShellDocs.main(new String[] {dir.resolve("shell").toString(), "1.2.3"});

        var completion = Files.readString(dir.resolve("shell/app-password-monitor"));
        assertThat(completion).contains("complete -F", "app-password-monitor");
        String man;
        try (InputStream in =
                new GZIPInputStream(Files.newInputStream(dir.resolve("shell/app-password-monitor.1.gz")))) {
            man = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(man).startsWith(".TH APP\\-PASSWORD\\-MONITOR 1 \"\" \"app-password-monitor 1.2.3\"");
        for (var sub : ShellDocs.commandLine().getSubcommands().keySet()) {
            if (!sub.equals("help")) {
                assertThat(completion).as("completion offers " + sub).contains(sub);
                assertThat(man).as("man page has a section for " + sub).contains(".SS \"" + ShellDocs.esc(sub) + "\"");
            }
        }
        assertThat(man).contains(".SS \"integrations add\"", "\\fB\\-\\-password\\-stdin\\fR", ".SH EXIT STATUS");
        assertThat(man).as("a hidden option stays out of the man page").doesNotContain("\\fB\\-\\-password\\fR");
    }

    @Test
    void escapesTroffRequestsAndBackslashes() {
        assertThat(ShellDocs.esc(".start\n'quote\nplain a-b c\\d"))
                .isEqualTo("\\&.start\n\\&'quote\nplain a\\-b c\\ed");
    }

    @Test
    void versionDefaultsToDev(@TempDir Path dir) throws Exception {
        ShellDocs.main(new String[] {dir.toString()});
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve("app-password-monitor.1.gz")))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("\"app-password-monitor dev\"");
        }
    }
}
