package com.dts.apm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertsCommandTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) {
        return RootCommand.execute(
                args,
                new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of());
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void previewPrintsHeadersAndTheTextPart() {
        int code = run(
                "alerts",
                "preview",
                "--provider",
                "gmail",
                "--outcome",
                "AUTH_REJECTED",
                "--dealer-name",
                "Sample Motors",
                "--email",
                "sales@sample-motors.example");

        assertThat(code).isZero();
        assertThat(out())
                .startsWith("Subject: Action needed: DTS System can no longer reach sales@sample-motors.example")
                .contains("\nFrom: DTS System <alerts@example.com>\n")
                .contains("\nTo: Sample Motors <sales@sample-motors.example>\n\n")
                .contains(
                        "https://myaccount.google.com/apppasswords",
                        "without spaces",
                        "https://dealers.example.com/settings/email?integration=12345",
                        "support@example.com")
                .doesNotContain("<html");
        assertThat(err()).isEmpty();
    }

    @Test
    void previewWithHtmlPrintsTheHtmlPart() {
        int code = run(
                "alerts",
                "preview",
                "--provider",
                "zoho",
                "--outcome",
                "PROTOCOL_DISABLED",
                "--kind",
                "reminder",
                "--html",
                "--dealer-name",
                "<b>Bold</b> Motors");

        assertThat(code).isZero();
        assertThat(out())
                .startsWith("<!DOCTYPE html>")
                .contains("IMAP Access", "&lt;b&gt;Bold&lt;/b&gt; Motors")
                .doesNotContain("<b>Bold</b>", "Subject:");
    }

    @Test
    void previewOfOutlookTellsToSignInWithMicrosoft() {
        int code = run("alerts", "preview", "--provider", "outlook", "--outcome", "basic_auth_disabled");

        assertThat(code).isZero();
        assertThat(out())
                .contains("To: Sample Motors <sales@msn.com>", "Sign in with Microsoft")
                .doesNotContain("without spaces");
    }

    @Test
    void previewOfMicrosoft365SamplesATenantAddress() {
        int code = run("alerts", "preview", "--provider", "microsoft365", "--outcome", "AUTH_REJECTED");

        assertThat(code).isZero();
        assertThat(out())
                .contains("To: Sample Motors <sales@sample-motors.onmicrosoft.com>", "mysignins.microsoft.com");
    }

    @Test
    void recoveryPreview() {
        assertThat(run("alerts", "preview", "--provider", "icloud", "--outcome", "AUTH_REJECTED", "--kind", "recovery"))
                .isZero();
        assertThat(out()).contains("Subject: Fixed:", "nothing more for you to do");
    }

    @Test
    void unknownProviderExitsTwoWithOneLine() {
        int code = run("alerts", "preview", "--provider", "hotmale", "--outcome", "AUTH_REJECTED");

        assertThat(code).isEqualTo(2);
        assertThat(err().lines()).hasSize(1).first().asString().contains("unknown provider 'hotmale'");
        assertThat(out()).isEmpty();
    }

    @Test
    void unknownOutcomeExitsTwoWithOneLine() {
        int code = run("alerts", "preview", "--provider", "gmail", "--outcome", "EXPIRED");

        assertThat(code).isEqualTo(2);
        assertThat(err().lines()).hasSize(1).first().asString().contains("unknown outcome 'EXPIRED'");
    }

    @Test
    void anOutcomeNoDealerCanFixExitsTwo() {
        int code = run("alerts", "preview", "--provider", "gmail", "--outcome", "NETWORK_ERROR");

        assertThat(code).isEqualTo(2);
        assertThat(err().lines()).hasSize(1).first().asString().contains("not something a dealer can fix");
    }

    @Test
    void unknownKindExitsTwo() {
        assertThat(run("alerts", "preview", "--provider", "gmail", "--outcome", "AUTH_REJECTED", "--kind", "nag"))
                .isEqualTo(2);
        assertThat(err().lines()).hasSize(1);
    }
}
