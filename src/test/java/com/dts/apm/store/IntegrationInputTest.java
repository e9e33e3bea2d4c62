package com.dts.apm.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.provider.Security;
import com.dts.apm.store.IntegrationInput.Warning;
import org.junit.jupiter.api.Test;

class IntegrationInputTest {
    private static final ProviderCatalog CATALOG = ProviderCatalog.builtIn();

    private static IntegrationInput mailbox(String email) {
        return new IntegrationInput(
                "D-1",
                "Sample Motors",
                null,
                email,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null);
    }

    private static IntegrationInput microsoft365(String protocols, String imapHost) {
        return new IntegrationInput(
                "D-1",
                "Sample Motors",
                null,
                "sales@contoso-motors.com",
                "microsoft365",
                null,
                imapHost,
                null,
                null,
                null,
                null,
                null,
                protocols,
                null,
                false,
                null,
                null);
    }

    @Test
    void microsoft365VerifiesSmtpOnlyUnlessAsked() {
        var valid = microsoft365(null, null).validate(CATALOG, "Summer2024!");

        assertThat(valid.provider().id()).isEqualTo("microsoft365");
        assertThat(valid.integration().protocols()).containsExactly(Protocol.SMTP);
        assertThat(valid.integration().imap()).isNull();
        assertThat(valid.integration().smtp()).isEqualTo(new Endpoint("smtp.office365.com", 587, Security.STARTTLS));
        assertThat(valid.integration().username()).isEqualTo("sales@contoso-motors.com");
        assertThat(valid.warnings())
                .as("SMTP AUTH may take the main password or an app password (providers.md): nothing to warn about")
                .isEmpty();
        assertThat(microsoft365("smtp", null).validate(CATALOG, "Summer2024!").warnings())
                .isEmpty();
    }

    @Test
    void microsoft365TenantAddressIsRecognisedByItsDomain() {
        var valid = mailbox("sales@contosomotors.onmicrosoft.com").validate(CATALOG, "Summer2024!");

        assertThat(valid.provider().id()).isEqualTo("microsoft365");
        assertThat(valid.integration().protocols()).containsExactly(Protocol.SMTP);
    }

    @Test
    void microsoft365ImapAskedForIsAcceptedWithAWarning() {
        for (var input : new IntegrationInput[] {
            microsoft365("imap,smtp", null), microsoft365("imap", null), microsoft365(null, "outlook.office365.com")
        }) {
            var valid = input.validate(CATALOG, "Summer2024!");

            assertThat(valid.integration().protocols()).contains(Protocol.IMAP);
            assertThat(valid.integration().imap()).isEqualTo(new Endpoint("outlook.office365.com", 993, Security.SSL));
            assertThat(valid.warnings())
                    .singleElement()
                    .satisfies(w -> assertThat(w.code()).isEqualTo(Warning.PROTOCOL_TAKES_NO_PASSWORDS))
                    .extracting(Warning::message)
                    .asString()
                    .contains("Microsoft 365 takes no password over IMAP", "BASIC_AUTH_DISABLED", "--protocols smtp");
            assertThat(messages(valid))
                    .as("SMTP still takes passwords: not the Outlook.com warning")
                    .doesNotContain("for IMAP or SMTP")
                    .doesNotContain("probably the main account password");
        }
    }

    @Test
    void otherProvidersStillVerifyBothByDefault() {
        assertThat(mailbox("sales@gmail.com")
                        .validate(CATALOG, "abcdefghijklmnop")
                        .integration()
                        .protocols())
                .containsExactlyInAnyOrder(Protocol.IMAP, Protocol.SMTP);
        assertThat(mailbox("sales@outlook.com")
                        .validate(CATALOG, "abcdefghijklmnop")
                        .integration()
                        .protocols())
                .containsExactlyInAnyOrder(Protocol.IMAP, Protocol.SMTP);
    }

    @Test
    void outlookMailboxIsNeverToldToCreateAnAppPassword() {
        var valid = mailbox("sales@outlook.com").validate(CATALOG, "Summer2024!");

        assertThat(valid.provider().id()).isEqualTo("outlook");
        assertThat(valid.warnings())
                .as("Microsoft takes no password at all since Sep 2024 (providers.md)")
                .singleElement()
                .satisfies(w -> assertThat(w.code()).isEqualTo(Warning.PROVIDER_TAKES_NO_PASSWORDS))
                .extracting(Warning::message)
                .asString()
                .contains("BASIC_AUTH_DISABLED");
        assertThat(messages(valid))
                .doesNotContainIgnoringCase("create an app password")
                .doesNotContain("account.microsoft.com");
    }

    @Test
    void gmailMainPasswordGetsTheAppPasswordWarning() {
        var valid = mailbox("sales@gmail.com").validate(CATALOG, "Summer2024!");

        assertThat(valid.warnings())
                .singleElement()
                .satisfies(w -> assertThat(w.code()).isEqualTo(Warning.NOT_AN_APP_PASSWORD))
                .extracting(Warning::message)
                .asString()
                .contains("probably the main account password", "https://myaccount.google.com/apppasswords");
        assertThat(mailbox("sales@gmail.com")
                        .validate(CATALOG, "abcd efgh ijkl mnop")
                        .warnings())
                .isEmpty();
    }

    private static String messages(IntegrationInput.Valid valid) {
        return String.join("\n", valid.warnings().stream().map(Warning::message).toList());
    }
}
