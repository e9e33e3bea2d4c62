package com.dts.apm.notify;

import static com.dts.apm.notify.AnAlert.anAlert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.Outcome;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class AlertComposerTest {
    static final String RECONNECT = "https://dealers.dts.example/settings/email?integration=4711&tab=mail";
    static final String RECONNECT_HTML =
            "https://dealers.dts.example/settings/email?integration&#61;4711&amp;tab&#61;mail";

    final AlertComposer composer = new AlertComposer(null, AnAlert.CLOCK);

    @ParameterizedTest
    @CsvSource({
        "gmail,   https://myaccount.google.com/apppasswords, 16 letters, App passwords page of your Google Account",
        "icloud,  https://account.apple.com,                 xxxx-xxxx-xxxx-xxxx, App-Specific Passwords",
        "yahoo,   https://login.yahoo.com/account/security,  16 letters, Yahoo Account Security page",
        "aol,     https://login.aol.com/account/security,    16 letters, AOL Account Security page",
        "zoho,    https://accounts.zoho.com/home#security/app_password, 12 letters and digits, Security, then App Passwords",
    })
    void failureEmailCarriesTheProvidersOwnSteps(String provider, String page, String format, String stepWords) {
        var mail = composer.compose(anAlert().provider(provider).build());

        assertThat(mail.textBody())
                .contains(page, format, stepWords, "without spaces", RECONNECT, "help@dts.example")
                .contains("sales@sample-motors.example", "Sample Motors", "DTS System")
                .contains("1. ", "2. ", "3. ", "4. ", "5. ")
                .doesNotContain("4711\n", "AUTHENTICATIONFAILED", "Invalid credentials");
        assertThat(mail.htmlBody())
                .contains(
                        "<ol",
                        "<li",
                        "href=\"" + page.replace("=", "&#61;") + "\"",
                        "without spaces",
                        RECONNECT_HTML,
                        "mailto:help@dts.example")
                .doesNotContain("AUTHENTICATIONFAILED");
        assertThat(mail.subject()).startsWith("Action needed:").contains("sales@sample-motors.example");
    }

    @Test
    void customHostGetsTheGeneralSteps() {
        var mail = composer.compose(anAlert().provider("custom").build());

        assertThat(mail.textBody())
                .contains(
                        "website of your email provider",
                        "app passwords",
                        "without spaces",
                        RECONNECT,
                        "help@dts.example",
                        "the mailbox sales@sample-motors.example")
                .doesNotContain("Other mail host", "null");
    }

    @ParameterizedTest
    @EnumSource(
            value = Outcome.class,
            names = {"AUTH_REJECTED", "APP_PASSWORD_REQUIRED", "BASIC_AUTH_DISABLED"})
    void outlookSaysSignInWithMicrosoftNotMakeAnAppPassword(Outcome outcome) {
        // the classifier hands on what the provider's policy makes of a rejected login (ProviderSpec.applyPolicy)
        var classified = AnAlert.CATALOG.get("outlook").applyPolicy(outcome);
        assertThat(classified).isEqualTo(Outcome.BASIC_AUTH_DISABLED);
        var mail = composer.compose(
                anAlert().provider("outlook").outcome(classified).build());

        assertThat(mail.textBody())
                .contains("Sign in with Microsoft", "September 2024", RECONNECT, "help@dts.example")
                .doesNotContain("account.microsoft.com", "without spaces")
                .doesNotContainIgnoringCase("new app password")
                .doesNotContainIgnoringCase("create an app password")
                .doesNotContainIgnoringCase("make an app password");
        assertThat(mail.htmlBody()).contains("Sign in with Microsoft").doesNotContain("account.microsoft.com");
    }

    @Test
    void microsoft365RejectionAsksForANewAppPasswordAndNamesTheAdministrator() {
        var mail = composer.compose(anAlert()
                .provider("microsoft365")
                .outcome(Outcome.AUTH_REJECTED)
                .build());

        assertThat(mail.textBody())
                .contains(
                        "Microsoft 365 turned down the password",
                        "https://mysignins.microsoft.com/security-info",
                        "Add sign-in method, then App password",
                        "does not allow app passwords",
                        "Microsoft 365 administrator",
                        "SMTP AUTH",
                        RECONNECT,
                        "help@dts.example")
                .doesNotContain(
                        "September 2024",
                        "Outlook.com",
                        "account.microsoft.com",
                        "2-step verification off and back on");
        assertThat(mail.htmlBody()).contains("href=\"https://mysignins.microsoft.com/security-info\"", RECONNECT_HTML);
    }

    @ParameterizedTest
    @EnumSource(
            value = AlertKind.class,
            names = {"FAILURE", "REMINDER"})
    void microsoft365BasicAuthOffPointsToTheAdministratorOrSignInWithMicrosoft(AlertKind kind) {
        var mail = composer.compose(anAlert()
                .provider("microsoft365")
                .outcome(Outcome.BASIC_AUTH_DISABLED)
                .kind(kind)
                .build());

        assertThat(mail.textBody())
                .contains(
                        "no longer lets DTS System sign in to sales@sample-motors.example with a password",
                        "Microsoft 365 administrator",
                        "SMTP AUTH",
                        "switch it on again",
                        "Sign in with Microsoft",
                        "if DTS System offers it",
                        RECONNECT,
                        "help@dts.example")
                .doesNotContain("mysignins.microsoft.com", "September 2024", "Outlook.com")
                .doesNotContainIgnoringCase("new app password there")
                .doesNotContainIgnoringCase("create an app password");
        assertThat(mail.htmlBody())
                .contains("Sign in with Microsoft", RECONNECT_HTML)
                .doesNotContain("mysignins");
    }

    @Test
    void microsoft365LockedAccountSendsTheDealerToTheWebAndTheAdministrator() {
        var text = composer.compose(anAlert()
                        .provider("microsoft365")
                        .outcome(Outcome.ACCOUNT_LOCKED)
                        .build())
                .textBody();

        assertThat(text)
                .contains(
                        "Microsoft 365 is blocking sales@sample-motors.example",
                        "sign in to sales@sample-motors.example on the website of Microsoft 365",
                        "contact your Microsoft 365 administrator",
                        RECONNECT)
                .as("providers.md does not say a password change cancels Microsoft 365 app passwords")
                .doesNotContain("your app passwords were cancelled too");
    }

    @ParameterizedTest
    @CsvSource({
        "AUTH_REJECTED,         changing the main password",
        "AUTH_REJECTED,         2-step verification off and back on",
        "APP_PASSWORD_REQUIRED, normal password",
        "APP_PASSWORD_REQUIRED, 2-step verification switched on",
        "PROTOCOL_DISABLED,     IMAP access is switched off",
        "ACCOUNT_LOCKED,        signs in on the website of Gmail and confirms",
        "BASIC_AUTH_DISABLED,   no longer lets programs",
    })
    void saysWhatHappenedInPlainWords(Outcome outcome, String words) {
        assertThat(composer.compose(anAlert().outcome(outcome).build()).textBody())
                .contains(words);
    }

    @ParameterizedTest
    @EnumSource(
            value = Outcome.class,
            names = {
                "AUTH_REJECTED",
                "APP_PASSWORD_REQUIRED",
                "PROTOCOL_DISABLED",
                "ACCOUNT_LOCKED",
                "BASIC_AUTH_DISABLED"
            })
    void everyProviderReadsWellForEveryDealerOutcome(Outcome outcome) {
        for (var provider : AnAlert.CATALOG.ids()) {
            for (var kind : new AlertKind[] {AlertKind.FAILURE, AlertKind.REMINDER}) {
                var mail = composer.compose(
                        anAlert().provider(provider).outcome(outcome).kind(kind).build());
                assertThat(mail.textBody())
                        .as(provider + " " + kind)
                        .doesNotContain("the your", "your your", "Other mail host", "{", "}", "null")
                        .contains("1. ", "help@dts.example");
                assertThat(mail.htmlBody()).as(provider + " " + kind).doesNotContain("{{", "null");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Outcome.class,
            names = {"AUTH_REJECTED", "PROTOCOL_DISABLED", "ACCOUNT_LOCKED", "BASIC_AUTH_DISABLED"})
    void providerNameKeepsItsOwnSpellingAtTheStartOfASentence(Outcome outcome) {
        var mail =
                composer.compose(anAlert().provider("icloud").outcome(outcome).build());

        assertThat(mail.textBody()).contains("iCloud Mail").doesNotContain("ICloud");
        assertThat(mail.htmlBody()).doesNotContain("ICloud");
        assertThat(composer.compose(
                                anAlert().provider("custom").outcome(outcome).build())
                        .textBody())
                .as("the generic name still starts its sentence with a capital")
                .doesNotContain("\nyour email provider");
    }

    @ParameterizedTest
    @EnumSource(
            value = AlertKind.class,
            names = {"FAILURE", "REMINDER"})
    void outlookWebSignInNeverAsksForAnAppPassword(AlertKind kind) {
        var mail = composer.compose(anAlert()
                .provider("outlook")
                .outcome(Outcome.ACCOUNT_LOCKED)
                .kind(kind)
                .build());

        assertThat(mail.textBody())
                .contains(
                        "sign in to sales@sample-motors.example on the website of Outlook.com",
                        "Sign in with Microsoft",
                        RECONNECT)
                .doesNotContainIgnoringCase("new app password")
                .doesNotContainIgnoringCase("make an app password")
                .doesNotContain("without spaces");
    }

    @Test
    void yahooRejectionDoesNotBlameAMainPasswordChange() {
        var text = composer.compose(anAlert()
                        .provider("yahoo")
                        .outcome(Outcome.AUTH_REJECTED)
                        .build())
                .textBody();

        assertThat(text)
                .as("Yahoo keeps app passwords when the main password changes (providers.md, SLN15241)")
                .doesNotContain("changing the main password of the email account")
                .contains(
                        "deleted",
                        "normal Yahoo password",
                        "does not cancel app passwords",
                        "login.yahoo.com/account/security");
    }

    @Test
    void yahooLockedAccountStepsDoNotSayAPasswordChangeCancelledTheAppPassword() {
        var text = composer.compose(anAlert()
                        .provider("yahoo")
                        .outcome(Outcome.ACCOUNT_LOCKED)
                        .build())
                .textBody();

        assertThat(text)
                .as("Yahoo keeps app passwords when the main password changes (providers.md, SLN15241)")
                .doesNotContain("your app passwords were cancelled too")
                .contains("sign in to sales@sample-motors.example at Yahoo", "does not cancel app passwords");
        assertThat(composer.compose(anAlert().outcome(Outcome.ACCOUNT_LOCKED).build())
                        .textBody())
                .as("Google does cancel them")
                .contains("your app passwords were cancelled too");
    }

    @Test
    void imapSwitchedOffInZohoPointsToTheSetting() {
        var text = composer.compose(anAlert()
                        .provider("zoho")
                        .outcome(Outcome.PROTOCOL_DISABLED)
                        .build())
                .textBody();

        assertThat(text)
                .contains(
                        "Settings, then Mail Accounts",
                        "IMAP Access",
                        "do not need a new password",
                        "https://www.zoho.com/mail/help/imap-access.html");
    }

    @Test
    void imapSwitchedOffInGmailMentionsTheWorkspaceAdmin() {
        var text = composer.compose(anAlert().outcome(Outcome.PROTOCOL_DISABLED).build())
                .textBody();

        assertThat(text).contains("Forwarding and POP/IMAP", "Google Admin console");
    }

    @Test
    void reminderSaysHowLongItHasBeenBroken() {
        var mail = composer.compose(anAlert().kind(AlertKind.REMINDER).build());

        assertThat(mail.subject()).startsWith("Reminder:").contains("3 days");
        assertThat(mail.textBody())
                .contains(
                        "reminder 2",
                        "has not worked for 3 days",
                        "12 March 2025",
                        "https://myaccount.google.com/apppasswords",
                        RECONNECT);
    }

    @Test
    void recoverySaysThereIsNothingToDo() {
        var mail = composer.compose(anAlert().kind(AlertKind.RECOVERY).build());

        assertThat(mail.subject()).startsWith("Fixed:");
        assertThat(mail.textBody())
                .contains("again", "nothing more for you to do", "sales@sample-motors.example")
                .doesNotContain("HOW TO FIX IT", "apppasswords");
        assertThat(mail.htmlBody()).contains("nothing more for you to do");
    }

    @Test
    void opsNoticeShowsTheServerReplyButDealerMailNever() {
        var detail = "NO [ALERT] TLS handshake failed <script>";
        var ops = composer.compose(anAlert()
                .kind(AlertKind.OPS)
                .outcome(Outcome.TLS_ERROR)
                .detail(detail)
                .build());
        var dealer = composer.compose(anAlert().detail(detail).build());

        assertThat(ops.subject()).isEqualTo("[DTS System] TLS_ERROR: sales@sample-motors.example (gmail)");
        assertThat(ops.textBody()).contains(detail, "trust-store", "who acts: ops");
        assertThat(ops.htmlBody())
                .contains("TLS handshake failed &lt;script&gt;")
                .doesNotContain("<script>");
        assertThat(dealer.textBody()).doesNotContain("TLS handshake");
        assertThat(dealer.htmlBody()).doesNotContain("TLS handshake");
    }

    @ParameterizedTest
    @EnumSource(
            value = Outcome.class,
            names = {"OK", "TLS_ERROR", "PROTOCOL_ERROR", "RATE_LIMITED", "NETWORK_ERROR"})
    void refusesToTellADealerToFixWhatOnlyOpsOrTimeCanFix(Outcome outcome) {
        assertThatThrownBy(() -> composer.compose(anAlert().outcome(outcome).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not something a dealer can fix");
    }

    @ParameterizedTest
    @ValueSource(ints = {10_000})
    void hostileDealerNameIsEscapedAndCannotBreakTheSubject(int length) {
        var hostile = "<script>alert(1)</script>\r\nBcc: evil@example.com";
        var huge = "A".repeat(length);

        for (var name : new String[] {hostile, huge, hostile + huge}) {
            var mail = composer.compose(anAlert().dealerName(name).build());
            assertThat(mail.subject()).doesNotContain("\r", "\n").hasSizeLessThanOrEqualTo(AlertComposer.SUBJECT_MAX);
            assertThat(mail.htmlBody())
                    .doesNotContain("<script>")
                    .doesNotContain("A".repeat(AlertComposer.DEALER_MAX + 1));
            assertThat(mail.textBody()).doesNotContain("\r").doesNotContain("A".repeat(AlertComposer.DEALER_MAX + 1));
        }
        var mail = composer.compose(anAlert().dealerName(hostile).build());
        assertThat(mail.htmlBody()).contains("&lt;script&gt;alert(1)&lt;/script&gt; Bcc: evil@example.com");
        assertThat(mail.textBody()).doesNotContain("\nBcc:");
    }

    @Test
    void htmlUsesInlineStylesOnly() {
        var html = composer.compose(anAlert().build()).htmlBody();

        assertThat(html)
                .startsWith("<!DOCTYPE html>")
                .contains("style=\"")
                .doesNotContain("<style", "<script", "class=\"");
    }

    @Test
    void textPartHasNoRunsOfBlankLines() {
        var text = composer.compose(anAlert().build()).textBody();

        assertThat(text).doesNotContain("\n\n\n").endsWith("\n").doesNotStartWith("\n");
    }

    @Test
    void spellsOutHowLongAFailureLasted() {
        assertThat(AlertComposer.span(Duration.ofMinutes(20))).isEqualTo("less than an hour");
        assertThat(AlertComposer.span(Duration.ofHours(1))).isEqualTo("1 hour");
        assertThat(AlertComposer.span(Duration.ofHours(30))).isEqualTo("30 hours");
        assertThat(AlertComposer.span(Duration.ofDays(3).plusHours(5))).isEqualTo("3 days");
    }

    @Test
    void fillsTheIntegrationIdUrlEncodedOnlyIntoTheReconnectUrl() {
        var alert = anAlert().build();

        assertThat(alert.reconnectLink()).isEqualTo(RECONNECT);
        assertThat(composer.compose(alert).textBody().replace(RECONNECT, "")).doesNotContain("4711");
    }
}
