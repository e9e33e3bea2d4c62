package com.dts.apm.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.ProviderCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verify hints come from steps.yml (verify-hints), per outcome and provider, overridable like the emails. */
class VerifyHintTest {
    private static final ProviderCatalog CATALOG = ProviderCatalog.builtIn();

    @TempDir
    Path dir;

    @Test
    void gmailRejectingWhatLooksLikeTheMainPasswordSaysGmailNeedsAnAppPassword() {
        var composer = new AlertComposer(null, Clock.systemUTC());
        var gmail = CATALOG.get("gmail");
        assertThat(gmail.appPassword().looksLikeAppPassword("Summer2024!")).isFalse();
        assertThat(composer.verifyHint(gmail, Protocol.IMAP, Outcome.AUTH_REJECTED, false))
                .startsWith("That looks like your main Gmail password; Gmail needs an app password (")
                .contains(gmail.appPassword().format());
        assertThat(composer.verifyHint(gmail, Protocol.IMAP, Outcome.AUTH_REJECTED, true))
                .contains("may have been deleted");
        assertThat(composer.verifyHint(gmail, Protocol.SMTP, Outcome.APP_PASSWORD_REQUIRED, false))
                .startsWith("That is your main Gmail password");
        assertThat(composer.verifyHint(CATALOG.get("yahoo"), Protocol.IMAP, Outcome.AUTH_REJECTED, true))
                .startsWith("Yahoo refused");
        assertThat(composer.verifyHint(CATALOG.get("custom"), Protocol.IMAP, Outcome.AUTH_REJECTED, false))
                .startsWith("Your email provider refused this password");
        assertThat(composer.verifyHint(gmail, Protocol.SMTP, Outcome.PROTOCOL_DISABLED, true))
                .contains("SMTP access is switched off");
    }

    @Test
    void everyOutcomeHasAHintForEveryProviderWithEveryPlaceholderFilled() {
        var composer = new AlertComposer(null, Clock.systemUTC());
        for (var id : CATALOG.ids()) {
            for (var outcome : Outcome.values()) {
                for (var protocol : Protocol.values()) {
                    for (var looks : new boolean[] {true, false}) {
                        assertThat(composer.verifyHint(CATALOG.get(id), protocol, outcome, looks))
                                .as(id + " " + outcome)
                                .isNotBlank()
                                .doesNotContain("{")
                                .doesNotContain("null");
                    }
                }
            }
        }
    }

    @Test
    void anOverrideReplacesHintsKeyByKeyAndAnOlderCopyKeepsTheBuiltInOnes() throws Exception {
        var builtIn = new String(getClass()
                .getClassLoader()
                .getResourceAsStream("templates/steps.yml")
                .readAllBytes());
        var older = builtIn.substring(0, builtIn.indexOf("verify-hints:"))
                + builtIn.substring(builtIn.indexOf("# The numbered steps"));
        Files.writeString(dir.resolve("steps.yml"), older);
        var composer = new AlertComposer(dir, Clock.systemUTC());
        assertThat(composer.verifyHint(CATALOG.get("gmail"), Protocol.IMAP, Outcome.RATE_LIMITED, true))
                .startsWith("Gmail is limiting");

        Files.writeString(
                dir.resolve("steps.yml"),
                older.replace(
                        "procedures:", "verify-hints:\n  RATE_LIMITED: \"Slow down, {provider}.\"\n\nprocedures:"));
        composer = new AlertComposer(dir, Clock.systemUTC());
        assertThat(composer.verifyHint(CATALOG.get("gmail"), Protocol.IMAP, Outcome.RATE_LIMITED, true))
                .isEqualTo("Slow down, Gmail.");
        assertThat(composer.verifyHint(CATALOG.get("gmail"), Protocol.IMAP, Outcome.OK, true))
                .contains("this password works");
    }
}
