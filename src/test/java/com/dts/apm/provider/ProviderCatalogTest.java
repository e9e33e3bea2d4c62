package com.dts.apm.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dts.apm.BadInputException;
import com.dts.apm.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ProviderCatalogTest {
    private final ProviderCatalog catalog = ProviderCatalog.builtIn();

    @ParameterizedTest
    @CsvSource({
        "a@gmail.com, gmail", "a@googlemail.com, gmail", "a@icloud.com, icloud", "a@me.com, icloud", "a@mac.com, icloud",
        "a@yahoo.com, yahoo", "a@yahoo.co.uk, yahoo", "a@ymail.com, yahoo", "a@rocketmail.com, yahoo", "a@aol.com, aol",
        "a@outlook.com, outlook", "a@hotmail.co.uk, outlook", "a@live.com, outlook", "a@msn.com, outlook",
        "a@zoho.com, zoho", "a@zoho.eu, zoho", "A@GMAIL.COM, gmail",
        // the rest of each family the foundation issue names: yahoo.*, hotmail.*, live.*, zoho.*
        "a@yahoo.fr, yahoo", "a@yahoo.com.au, yahoo", "a@hotmail.com, outlook", "a@hotmail.fr, outlook", "a@live.co.uk, outlook",
        "a@live.de, outlook", "a@outlook.de, outlook", "a@zoho.in, zoho", "a@zoho.com.au, zoho", "a@zoho.sa, zoho",
        "a@zohomail.com, zoho", "a@mac.COM, icloud",
        // providers.md: cox.net is hosted by Yahoo (ISPDB yahoo.com.xml)
        "a@cox.net, yahoo",
        // providers.md: a Microsoft 365 tenant's own addresses (ISPDB office365.com.xml)
        "a@onmicrosoft.com, microsoft365", "a@contoso.onmicrosoft.com, microsoft365",
        "a@Contoso.OnMicrosoft.COM, microsoft365", "a@contoso.mail.onmicrosoft.com, microsoft365"
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
        assertThat(catalog.guess("a@yahoo.co.jp")).as("Yahoo Japan is another company (providers.md)").isEmpty();
        assertThat(catalog.guess("a@YAHOO.CO.JP")).isEmpty();
        assertThat(catalog.guess("sales@contoso.com"))
                .as("a dealer's own domain on Microsoft 365 needs --provider microsoft365: no MX lookup").isEmpty();
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
        assertThat(m365.protocols()).as("Exchange Online takes no password over IMAP (providers.md)")
                .containsExactly(Protocol.SMTP);
        assertThat(m365.policy()).as("SMTP AUTH still takes a password or an app password where the tenant allows it")
                .isEqualTo("normal");
        assertThat(m365.appPassword().looksLikeAppPassword("Summer2024!"))
                .as("providers.md gives no app-password format for Microsoft 365: no shape to check").isTrue();
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
        assertThat(ProviderSpec.domainMatches("*.onmicrosoft.com", "contoso.onmicrosoft.com")).isTrue();
        assertThat(ProviderSpec.domainMatches("*.onmicrosoft.com", "onmicrosoft.com")).isFalse();
        assertThat(ProviderSpec.domainMatches("*.onmicrosoft.com", "evilonmicrosoft.com")).isFalse();
    }

    @Test
    void zohoRegionalDomainsGetTheirDataCentre() {
        var zoho = catalog.get("zoho");
        assertThat(zoho.endpointFor(Protocol.IMAP, "a@zoho.eu")).contains(new Endpoint("imap.zoho.eu", 993, Security.SSL));
        assertThat(zoho.endpointFor(Protocol.SMTP, "a@zohomail.in")).contains(new Endpoint("smtp.zoho.in", 465, Security.SSL));
        assertThat(zoho.endpointFor(Protocol.IMAP, "a@zoho.com")).contains(new Endpoint("imap.zoho.com", 993, Security.SSL));
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
    }

    @Test
    void gmailAppPasswordShapeIsSixteenLetters() {
        var ap = catalog.get("gmail").appPassword();
        assertThat(ap.looksLikeAppPassword("abcdefghijklmnop")).isTrue();
        assertThat(ap.looksLikeAppPassword("ABCDEFGHIJKLMNOP")).as("providers.md: accept it after lower-casing").isTrue();
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
        assertThatThrownBy(() -> ProviderCatalog.read(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "p.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("p.yml")
                .hasMessageContaining("port 99999 is out of range");
    }

    @Test
    void emptyOrUnknownDefaultProtocolsAreRefused() {
        var empty = "providers:\n  acme:\n    protocols: []\n";
        assertThatThrownBy(() -> ProviderCatalog.read(new ByteArrayInputStream(empty.getBytes(StandardCharsets.UTF_8)), "p.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("providers.acme")
                .hasMessageContaining("protocols is empty");
        var pop = "providers:\n  acme:\n    protocols: [pop]\n";
        assertThatThrownBy(() -> ProviderCatalog.read(new ByteArrayInputStream(pop.getBytes(StandardCharsets.UTF_8)), "p.yml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("p.yml");
    }
}
