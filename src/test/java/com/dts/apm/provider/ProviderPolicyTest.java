package com.dts.apm.provider;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ProviderPolicyTest {
    private static final ProviderCatalog CATALOG = ProviderCatalog.builtIn();

    @ParameterizedTest
    @EnumSource(Outcome.class)
    void aProviderThatTakesNoPasswordsHasSwitchedThemOffRatherThanRejectedOne(Outcome o) {
        var expected =
                o == Outcome.AUTH_REJECTED || o == Outcome.APP_PASSWORD_REQUIRED ? Outcome.BASIC_AUTH_DISABLED : o;
        assertThat(CATALOG.get("outlook").applyPolicy(o)).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(Outcome.class)
    void everyOtherProviderKeepsTheOutcome(Outcome o) {
        for (var id : new String[] {"gmail", "icloud", "yahoo", "aol", "zoho", "microsoft365", "custom"}) {
            assertThat(CATALOG.get(id).applyPolicy(o)).as(id).isEqualTo(o);
        }
    }
}
