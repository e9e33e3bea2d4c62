package com.dts.apm.oauth;

import com.dts.apm.config.Secret;
import com.dts.apm.provider.Outcome;
import java.time.Duration;
import java.util.Objects;

/** What the token endpoint said to one refresh: an access token, or a refusal classified as an outcome. */
public sealed interface TokenAnswer {
    /**
     * A fresh access token, valid for {@code lifetime}; {@code rotated} is the new refresh token when the endpoint
     * issued one that differs from the one sent (Microsoft does on every refresh; Google does not), else null.
     */
    record Granted(Secret accessToken, Duration lifetime, Secret rotated) implements TokenAnswer {
        public Granted {
            Objects.requireNonNull(accessToken, "accessToken");
            Objects.requireNonNull(lifetime, "lifetime");
        }
    }

    /** No access token: {@code outcome} says who acts, {@code detail} the endpoint's own words (never a token). */
    record Refused(Outcome outcome, String detail) implements TokenAnswer {
        public Refused {
            Objects.requireNonNull(outcome, "outcome");
            detail = detail == null ? "" : detail;
        }
    }
}
