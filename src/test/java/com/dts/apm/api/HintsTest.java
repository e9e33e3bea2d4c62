package com.dts.apm.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.ProviderCatalog;
import org.junit.jupiter.api.Test;

class HintsTest {
    private static final ProviderCatalog CATALOG = ProviderCatalog.builtIn();

    @Test
    void gmailRejectingWhatLooksLikeTheMainPasswordSaysAnAppPasswordIsNeeded() {
        var gmail = CATALOG.get("gmail");
        assertThat(gmail.appPassword().looksLikeAppPassword("Summer2024!")).isFalse();
        var hint = Hints.hint(gmail, Protocol.IMAP, Outcome.AUTH_REJECTED, false);
        assertThat(hint).startsWith("That looks like your main Gmail password; Gmail needs an app password")
                .contains(gmail.appPassword().url());
        assertThat(Hints.hint(gmail, Protocol.IMAP, Outcome.APP_PASSWORD_REQUIRED, false))
                .startsWith("That is your main Gmail password");
        assertThat(Hints.hint(gmail, Protocol.IMAP, Outcome.AUTH_REJECTED, true)).contains("may have been deleted");
    }

    @Test
    void everyOutcomeHasAHintForEveryProvider() {
        for (var id : CATALOG.ids()) {
            for (var outcome : Outcome.values()) {
                for (var protocol : Protocol.values()) {
                    assertThat(Hints.hint(CATALOG.get(id), protocol, outcome, false)).as(id + " " + outcome)
                            .isNotBlank().doesNotContain("null");
                }
            }
        }
    }
}
