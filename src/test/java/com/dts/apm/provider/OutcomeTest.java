package com.dts.apm.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OutcomeTest {
    @Test
    void theWorstOfSeveralProtocolsIsTheOneSomeoneMustActOn() {
        assertThat(Outcome.worst(List.of())).isEqualTo(Outcome.OK);
        assertThat(Outcome.worst(List.of(Outcome.OK, Outcome.NETWORK_ERROR))).isEqualTo(Outcome.NETWORK_ERROR);
        assertThat(Outcome.worst(List.of(Outcome.NETWORK_ERROR, Outcome.RATE_LIMITED)))
                .isEqualTo(Outcome.RATE_LIMITED);
        assertThat(Outcome.worst(List.of(Outcome.TLS_ERROR, Outcome.PROTOCOL_ERROR)))
                .isEqualTo(Outcome.TLS_ERROR);
        assertThat(Outcome.worst(List.of(Outcome.ACCOUNT_LOCKED, Outcome.BASIC_AUTH_DISABLED)))
                .isEqualTo(Outcome.ACCOUNT_LOCKED);
        assertThat(Outcome.worst(List.of(Outcome.PROTOCOL_DISABLED, Outcome.AUTH_REJECTED)))
                .isEqualTo(Outcome.AUTH_REJECTED);
        assertThat(Outcome.worst(List.of(Outcome.AUTH_REJECTED, Outcome.APP_PASSWORD_REQUIRED)))
                .isEqualTo(Outcome.APP_PASSWORD_REQUIRED);
    }

    @Test
    void everyOutcomeHasItsOwnSeverity() {
        assertThat(List.of(Outcome.values()).stream().map(Outcome::severity).distinct())
                .hasSize(Outcome.values().length);
    }

    @ParameterizedTest
    @CsvSource({
        "OK, false, false",
        "AUTH_REJECTED, true, true",
        "TOKEN_REVOKED, true, true",
        "APP_PASSWORD_REQUIRED, true, true",
        "PROTOCOL_DISABLED, true, true",
        "ACCOUNT_LOCKED, true, true",
        "BASIC_AUTH_DISABLED, false, true",
        "TLS_ERROR, false, false",
        "PROTOCOL_ERROR, false, false",
        "RATE_LIMITED, false, false",
        "NETWORK_ERROR, false, false",
    })
    void theDealerIsAskedToActOnTheirOwnOutcomesAndOnBasicAuthOffOnlyWhenConfigured(
            Outcome o, boolean byDefault, boolean basicAuthToDealer) {
        assertThat(o.dealerCanFix(false)).isEqualTo(byDefault);
        assertThat(o.dealerCanFix(true)).isEqualTo(basicAuthToDealer);
        assertThat(Outcome.dealerFixable().contains(o)).isEqualTo(basicAuthToDealer);
    }
}
