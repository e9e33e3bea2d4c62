package com.dts.apm.notify;

import static com.dts.apm.notify.AnAlert.anAlert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dts.apm.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateOverrideIT {
    @TempDir
    Path dir;

    @Test
    void aFileInTheOverrideFolderReplacesTheBuiltInTemplate() throws IOException {
        Files.writeString(
                dir.resolve("failure.text.mustache"),
                "Custom body for {{mailbox}} at {{dealer}}.\n{{#steps}}{{number}}) {{text}}\n{{/steps}}");

        var mail = new AlertComposer(dir, AnAlert.CLOCK).compose(anAlert().build());

        assertThat(mail.textBody())
                .startsWith("Custom body for sales@sample-motors.example at Sample Motors.")
                .contains("1) Open the App passwords page");
        assertThat(mail.htmlBody()).contains("How to fix it"); // not overridden: still the built-in one
    }

    @Test
    void anOverriddenPartialIsUsedByTheBuiltInTemplates() throws IOException {
        Files.writeString(dir.resolve("footer.text.mustache"), "Questions? Call the dealer desk.\n");

        var text =
                new AlertComposer(dir, AnAlert.CLOCK).compose(anAlert().build()).textBody();

        assertThat(text).endsWith("Questions? Call the dealer desk.\n").doesNotContain("NEED HELP?");
    }

    @Test
    void anEditedCopyOfStepsYmlChangesTheSteps() throws IOException {
        String builtIn;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("templates/steps.yml")) {
            builtIn = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(
                dir.resolve("steps.yml"),
                builtIn.replace("Type a name you will recognise later", "Call it anything you like"));

        var text =
                new AlertComposer(dir, AnAlert.CLOCK).compose(anAlert().build()).textBody();

        assertThat(text).contains("3. Call it anything you like");
    }

    @Test
    void placeholdersAreFilledOnceSoAMailboxThatLooksLikeOneStaysAsItIs() throws IOException {
        String builtIn;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("templates/steps.yml")) {
            builtIn = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Files.writeString(
                dir.resolve("steps.yml"),
                builtIn.replace(
                        "Type a name you will recognise later",
                        "Name it after {mailbox}; the new password is {format}"));

        var text = new AlertComposer(dir, AnAlert.CLOCK)
                .compose(anAlert().mailbox("{format}@sample-motors.example").build())
                .textBody();

        assertThat(text).contains("Name it after {format}@sample-motors.example; the new password is 16 letters");
    }

    @Test
    void aBrokenStepsFileFailsAtStartNamingTheFile() throws IOException {
        Files.writeString(dir.resolve("steps.yml"), "what-happened: {}\nprocedures: {}\nops-meaning: {}\n");

        assertThatThrownBy(() -> new AlertComposer(dir, AnAlert.CLOCK))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(dir.resolve("steps.yml").toString())
                .hasMessageContaining("what-happened");
    }

    @Test
    void aFolderWithoutOverridesUsesTheBuiltInTemplates() {
        var mail = new AlertComposer(dir, AnAlert.CLOCK).compose(anAlert().build());

        assertThat(mail)
                .isEqualTo(
                        new AlertComposer(null, AnAlert.CLOCK).compose(anAlert().build()));
    }
}
