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
        "a@cox.net, yahoo"
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
        for (var id : new String[] {"gmail", "icloud", "yahoo", "zoho", "aol", "outlook"}) {
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
}
