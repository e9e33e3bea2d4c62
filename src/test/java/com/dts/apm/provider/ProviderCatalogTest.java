package com.dts.apm.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dts.apm.BadInputException;
import com.dts.apm.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProviderCatalogTest {
    private final ProviderCatalog catalog = ProviderCatalog.builtIn();

    @ParameterizedTest
    @CsvSource({
        "a@gmail.com, gmail",
        "a@googlemail.com, gmail",
        "a@icloud.com, icloud",
        "a@me.com, icloud",
        "a@mac.com, icloud",
        "a@yahoo.com, yahoo",
        "a@yahoo.co.uk, yahoo",
        "a@ymail.com, yahoo",
        "a@rocketmail.com, yahoo",
        "a@aol.com, aol",
        "a@outlook.com, outlook",
        "a@hotmail.co.uk, outlook",
        "a@live.com, outlook",
        "a@msn.com, outlook",
        "a@zoho.com, zoho",
        "a@zoho.eu, zoho",
        "A@GMAIL.COM, gmail",
        // the rest of each family the foundation issue names: yahoo.*, hotmail.*, live.*, zoho.*
        "a@yahoo.fr, yahoo",
        "a@yahoo.com.au, yahoo",
        "a@hotmail.com, outlook",
        "a@hotmail.fr, outlook",
        "a@live.co.uk, outlook",
        "a@live.de, outlook",
        "a@outlook.de, outlook",
        "a@zoho.in, zoho",
        "a@zoho.com.au, zoho",
        "a@zoho.sa, zoho",
        "a@zohomail.com, zoho",
        "a@mac.COM, icloud",
        // providers.md: cox.net is hosted by Yahoo (ISPDB yahoo.com.xml)
        "a@cox.net, yahoo",
        // providers.md: a Microsoft 365 tenant's own addresses (ISPDB office365.com.xml)
        "a@onmicrosoft.com, microsoft365",
        "a@contoso.onmicrosoft.com, microsoft365",
        "a@Contoso.OnMicrosoft.COM, microsoft365",
        "a@contoso.mail.onmicrosoft.com, microsoft365"
    })
    void guessesProviderFromMailDomain(String email, String provider) {
        assertThat(catalog.guess(email)).map(ProviderSpec::id).contains(provider);
    }

    @Test
    void unknownDomainHasNoGuess() {
        assertThat(catalog.guess("sales@acme-motors.com")).isEmpty();
        assertThat(catalog.guess("a@yahoo")).isEmpty();
        assertThat(catalog.guess("a@notgmail.com")).isEmpty();
        assertThat(catalog.guess("a@myzoho.com")).isEmpty();
        assertThat(catalog.guess("a@livemail.com")).isEmpty();
        assertThat(catalog.guess("a@yahoo.co.jp"))
                .as("Yahoo Japan is another company (providers.md)")
                .isEmpty();
        assertThat(catalog.guess("a@YAHOO.CO.JP")).isEmpty();
        assertThat(catalog.guess("sales@contoso.com"))
                .as("a dealer's own domain on Microsoft 365 needs --provider microsoft365: no MX lookup")
                .isEmpty();
        assertThat(catalog.guess("a@notonmicrosoft.com")).isEmpty();
        assertThat(catalog.guess("a@onmicrosoft.com.example")).isEmpty();
    }

    @Test
    void microsoft365HasExchangeOnlineServersAndVerifiesSmtpByDefault() {
        var m365 = catalog.get("microsoft365");
        assertThat(m365.name()).isEqualTo("Microsoft 365");
        assertThat(m365.imap()).isEqualTo(new Endpoint("outlook.office365.com", 993, Security.SSL));
        assertThat(m365.smtp()).isEqualTo(new Endpoint("smtp.office365.com", 587, Security.STARTTLS));
        assertThat(m365.usernameFor("sales@contoso.com")).isEqualTo("sales@contoso.com");
        assertThat(m365.appPassword().url()).isEqualTo("https://mysignins.microsoft.com/security-info");
        assertThat(m365.protocols())
                .as("Exchange Online takes no password over IMAP (providers.md)")
                .containsExactly(Protocol.SMTP);
        assertThat(m365.policy())
                .as("SMTP AUTH still takes a password or an app password where the tenant allows it")
                .isEqualTo(ProviderSpec.Policy.NORMAL);
        assertThat(m365.appPassword().looksLikeAppPassword("Summer2024!"))
                .as("providers.md gives no app-password format for Microsoft 365: no shape to check")
                .isTrue();
    }

    @Test
    void everyOtherProviderVerifiesBothProtocolsByDefault() {
        for (var p : catalog.all()) {
            if (!p.id().equals("microsoft365")) {
                assertThat(p.protocols()).as(p.id()).containsExactlyInAnyOrder(Protocol.IMAP, Protocol.SMTP);
            }
        }
    }

    @Test
    void subdomainPatternMatchesSubdomainsOnly() {
        assertThat(ProviderSpec.domainMatches("*.onmicrosoft.com", "contoso.onmicrosoft.com"))
                .isTrue();
        assertThat(ProviderSpec.domainMatches("*.onmicrosoft.com", "onmicrosoft.com"))
                .isFalse();
        assertThat(ProviderSpec.domainMatches("*.onmicrosoft.com", "evilonmicrosoft.com"))
                .isFalse();
    }

    @Test
    void zohoRegionalDomainsGetTheirDataCentre() {
        var zoho = catalog.get("zoho");
        assertThat(zoho.endpointFor(Protocol.IMAP, "a@zoho.eu"))
                .contains(new Endpoint("imap.zoho.eu", 993, Security.SSL));
        assertThat(zoho.endpointFor(Protocol.SMTP, "a@zohomail.in"))
                .contains(new Endpoint("smtp.zoho.in", 465, Security.SSL));
        assertThat(zoho.endpointFor(Protocol.IMAP, "a@zoho.com"))
                .contains(new Endpoint("imap.zoho.com", 993, Security.SSL));
    }

    @Test
    void everyNamedProviderHasServersAndAnAppPasswordPage() {
        for (var id : new String[] {"gmail", "icloud", "yahoo", "zoho", "aol", "outlook", "microsoft365"}) {
            var p = catalog.get(id);
            assertThat(p.imap()).as(id).isNotNull();
            assertThat(p.smtp()).as(id).isNotNull();
            assertThat(p.appPassword().url()).as(id).startsWith("https://");
        }
        assertThat(catalog.get("custom").imap()).isNull();
        assertThat(catalog.get("outlook").acceptsNoPasswords()).isTrue();
        assertThat(catalog.get("outlook").policy()).isEqualTo(ProviderSpec.Policy.NO_PASSWORDS);
        assertThat(catalog.get("icloud").policy()).isEqualTo(ProviderSpec.Policy.APP_PASSWORD_ONLY);
        assertThat(catalog.get("icloud").appPasswordOnly()).isTrue();
        assertThat(catalog.get("custom").policy()).as("no policy key: normal").isEqualTo(ProviderSpec.Policy.NORMAL);
    }

    @Test
    void gmailAppPasswordShapeIsSixteenLetters() {
        var ap = catalog.get("gmail").appPassword();
        assertThat(ap.looksLikeAppPassword("abcdefghijklmnop")).isTrue();
        assertThat(ap.looksLikeAppPassword("ABCDEFGHIJKLMNOP"))
                .as("providers.md: accept it after lower-casing")
                .isTrue();
        assertThat(ap.looksLikeAppPassword("abcdefghijklmno1")).isFalse();
        assertThat(ap.looksLikeAppPassword("Summer2024!")).isFalse();
    }

    @Test
    void unknownProviderIsBadInput() {
        assertThatThrownBy(() -> catalog.get("hotmail"))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("unknown provider 'hotmail'")
                .hasMessageContaining("gmail");
    }

    @Test
    void badCatalogNamesTheProviderKey() {
        var yaml = "providers:\n  acme:\n    imap: { host: imap.acme.test, port: 99999, security: ssl }\n";
        assertThatThrownBy(() ->
                        ProviderCatalog.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "p.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("p.yml")
                .hasMessageContaining("port 99999 is out of range");
    }

    private static ProviderCatalog read(String yaml) {
        return ProviderCatalog.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "p.yml");
    }

    @Test
    void whenTwoProvidersClaimADomainTheOneListedFirstIsTheGuess() {
        // hosted.example is claimed by both; the guess must not depend on a hash order that changes per JVM
        var aFirst = read("providers:\n"
                + "  zeta: { domains: [hosted.example, zeta.example] }\n"
                + "  alpha: { domains: ['*.example'] }\n"
                + "  mid: { domains: [hosted.example] }\n");
        var alphaFirst = read("providers:\n"
                + "  alpha: { domains: ['*.example'] }\n"
                + "  mid: { domains: [hosted.example] }\n"
                + "  zeta: { domains: [hosted.example, zeta.example] }\n");
        for (int i = 0; i < 20; i++) {
            assertThat(aFirst.guess("sales@hosted.example"))
                    .map(ProviderSpec::id)
                    .contains("zeta");
            assertThat(alphaFirst.guess("sales@hosted.example"))
                    .map(ProviderSpec::id)
                    .contains("alpha");
        }
        assertThat(aFirst.guess("sales@other.example")).map(ProviderSpec::id).contains("alpha");
        assertThat(aFirst.all()).extracting(ProviderSpec::id).containsExactly("zeta", "alpha", "mid", "custom");
        assertThat(alphaFirst.all()).extracting(ProviderSpec::id).containsExactly("alpha", "mid", "zeta", "custom");
        assertThat(aFirst.ids()).as("listings stay sorted").containsExactly("alpha", "custom", "mid", "zeta");
    }

    @Test
    void builtInCatalogKeepsTheFileOrder() {
        assertThat(catalog.all())
                .extracting(ProviderSpec::id)
                .startsWith("gmail")
                .endsWith("custom")
                .containsSubsequence("outlook", "microsoft365");
    }

    @Test
    void policyIsParsedOnceAndAnUnknownOneNamesTheProviderAndTheAllowedValues() {
        assertThat(read("providers:\n  acme: { policy: app-password-only }\n")
                        .get("acme")
                        .policy())
                .isEqualTo(ProviderSpec.Policy.APP_PASSWORD_ONLY);
        assertThatThrownBy(() -> read("providers:\n  acme: { policy: strict }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("p.yml: key providers.acme: policy 'strict' is not one of normal, app-password-only,"
                        + " no-passwords");
    }

    @Test
    void badRegexesFailTheLoadNamingTheKey() {
        assertThatThrownBy(() -> read("providers:\n  acme:\n    signatures:\n"
                        + "      - { match: plain text, outcome: AUTH_REJECTED }\n"
                        + "      - { match: 're:(unclosed', outcome: AUTH_REJECTED }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("p.yml: key providers.acme.signatures[1].match: not a valid regex")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> read("providers:\n  acme: { app-password: { pattern: '[a-z' } }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("p.yml: key providers.acme.app-password.pattern: not a valid regex")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> read("providers:\n  acme:\n    signatures:\n      - { match: x }\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("p.yml: key providers.acme.signatures[0]: a signature needs match and outcome");
    }

    @Test
    void signaturesMatchSubstringsAndRegexesIgnoringCase() {
        var regex = new Signature(Protocol.IMAP, "re:^(LOGIN|AUTHENTICATE) failed", Outcome.BASIC_AUTH_DISABLED, null);
        assertThat(regex.matches(Protocol.IMAP, "authenticate FAILED.")).isTrue();
        assertThat(regex.matches(Protocol.IMAP, "x LOGIN failed")).isFalse();
        assertThat(regex.matches(Protocol.SMTP, "LOGIN failed"))
                .as("another protocol")
                .isFalse();
        var text = new Signature(null, "Application-specific password REQUIRED", Outcome.APP_PASSWORD_REQUIRED, null);
        assertThat(text.matches(Protocol.SMTP, "534-5.7.9 application-specific password required"))
                .isTrue();
        assertThat(text.matches(Protocol.IMAP, null)).isFalse();
    }

    @Test
    void emptyOrUnknownDefaultProtocolsAreRefused() {
        var empty = "providers:\n  acme:\n    protocols: []\n";
        assertThatThrownBy(() ->
                        ProviderCatalog.read(new ByteArrayInputStream(empty.getBytes(StandardCharsets.UTF_8)), "p.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("providers.acme")
                .hasMessageContaining("protocols is empty");
        var pop = "providers:\n  acme:\n    protocols: [pop]\n";
        assertThatThrownBy(() ->
                        ProviderCatalog.read(new ByteArrayInputStream(pop.getBytes(StandardCharsets.UTF_8)), "p.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("p.yml");
    }
}
