package com.dts.apm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.provider.ProviderCatalog;
import org.junit.jupiter.api.Test;

class IntegrationInputTest {
    private static final ProviderCatalog CATALOG = ProviderCatalog.builtIn();

    private static IntegrationInput mailbox(String email) {
        return new IntegrationInput("D-1", "Sample Motors", null, email, null, null, null, null, null, null, null, null,
                null, null, false, null);
    }

    @Test
    void outlookMailboxIsNeverToldToCreateAnAppPassword() {
        var valid = mailbox("sales@outlook.com").validate(CATALOG, "Summer2024!");

        assertThat(valid.provider().id()).isEqualTo("outlook");
        assertThat(valid.warnings()).as("Microsoft takes no password at all since Sep 2024 (providers.md)")
                .singleElement().asString().contains("BASIC_AUTH_DISABLED");
        assertThat(String.join("\n", valid.warnings()))
                .doesNotContainIgnoringCase("create an app password")
                .doesNotContain("account.microsoft.com");
    }

    @Test
    void gmailMainPasswordGetsTheAppPasswordWarning() {
        var valid = mailbox("sales@gmail.com").validate(CATALOG, "Summer2024!");

        assertThat(valid.warnings()).singleElement().asString()
                .contains("probably the main account password", "https://myaccount.google.com/apppasswords");
        assertThat(mailbox("sales@gmail.com").validate(CATALOG, "abcd efgh ijkl mnop").warnings()).isEmpty();
    }
}
