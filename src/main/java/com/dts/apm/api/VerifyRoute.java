package com.dts.apm.api;

import com.dts.apm.api.IntegrationJson.Body;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.store.IntegrationInput;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code POST /api/v1/verify}: the PUT body, logged in to as a check would, nothing stored. Rate-limited per
 * mailbox and per token, since each try counts toward the provider's lock-out.
 */
final class VerifyRoute {
    static final int PER_MAILBOX = 5;
    static final int PER_TOKEN = 60;
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final ProviderCatalog catalog;
    private final Api.Checks checks;
    private final Api.Hints hints;
    private final RateLimiter perMailbox;
    private final RateLimiter perToken;

    VerifyRoute(ProviderCatalog catalog, Api.Checks checks, Api.Hints hints, Clock clock) {
        this.catalog = catalog;
        this.checks = checks;
        this.hints = hints;
        this.perMailbox = new RateLimiter(PER_MAILBOX, WINDOW, clock);
        this.perToken = new RateLimiter(PER_TOKEN, WINDOW, clock);
    }

    record Result(boolean ok, List<Check> checks, List<IntegrationInput.Warning> warnings) {}

    record Check(String protocol, String outcome, long durationMs, String detail, String hint) {}

    Route route() {
        return new Route("POST", "/api/v1/verify", Scope.CHECKS_RUN, true, this::verify);
    }

    private Reply verify(Call call) throws InterruptedException {
        var body = call.body(Body.class);
        if (body.auth() != null && body.auth().strip().equalsIgnoreCase("oauth2") || body.refreshToken() != null) {
            throw Problem.badRequest("auth: verifying an OAuth grant is not supported; PUT the integration instead");
        }
        if (body.password() == null) {
            throw Problem.badRequest("password: required (the password to verify)");
        }
        if (body.password().length() > 1024) {
            throw Problem.badRequest("password: longer than 1024 characters");
        }
        var valid = IntegrationRoutes.input(body, null)
                .validate(catalog, body.password(), IntegrationInput.Labels.API, true);
        var n = valid.integration();
        perToken.acquire("token " + call.token().name(), "this token");
        perMailbox.acquire(n.email().toLowerCase(Locale.ROOT), "mailbox " + n.email());
        var looksLikeAppPassword =
                valid.warnings().stream().noneMatch(w -> w.code().equals(IntegrationInput.Warning.NOT_AN_APP_PASSWORD));
        var results = checks.verify(n, valid.password());
        var out = results.stream()
                .map(r -> new Check(
                        r.protocol().label(),
                        r.outcome().name(),
                        r.duration().toMillis(),
                        r.detail(),
                        hints.hint(valid.provider(), r.protocol(), r.outcome(), looksLikeAppPassword)))
                .toList();
        return Reply.ok(new Result(results.stream().allMatch(r -> r.outcome().isOk()), out, valid.warnings()));
    }
}
