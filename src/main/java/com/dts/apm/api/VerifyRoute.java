package com.dts.apm.api;

import com.dts.apm.api.IntegrationJson.Body;
import com.dts.apm.probe.ProbeResult;
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

    /** The config's {@code oauth:} apps: a grant to verify must name (or default to) one of them. */
    private final java.util.Set<String> oauthApps;

    VerifyRoute(
            ProviderCatalog catalog, Api.Checks checks, Api.Hints hints, java.util.Set<String> oauthApps, Clock clock) {
        this.oauthApps = java.util.Set.copyOf(oauthApps);
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
        var auth = body.auth() == null ? com.dts.apm.provider.Auth.PASSWORD : IntegrationRoutes.authOf(body.auth());
        if (auth == com.dts.apm.provider.Auth.OAUTH2) {
            return verifyGrant(call, body);
        }
        if (body.refreshToken() != null || body.oauthApp() != null) {
            throw Problem.badRequest(
                    (body.refreshToken() != null ? "refresh_token" : "oauth_app") + ": needs auth oauth2");
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
        var results = checks.verify(n, valid.password(), com.dts.apm.store.SignIn.PASSWORD);
        return answer(valid, results, looksLikeAppPassword);
    }

    /** {@code auth: oauth2}: the refresh token is traded once at the grant's app, then XOAUTH2 over each protocol. */
    private Reply verifyGrant(Call call, Body body) throws InterruptedException {
        if (body.password() != null) {
            throw Problem.badRequest("password: auth oauth2 takes a refresh_token, not a password");
        }
        var token = body.refreshToken();
        if (token == null) {
            throw Problem.badRequest("refresh_token: required (the grant to verify)");
        }
        if (token.isBlank()
                || token.length() > 4096
                || token.chars().anyMatch(c -> Character.isISOControl(c) || c == ' ')) {
            throw Problem.badRequest("refresh_token: empty, longer than 4096 characters, or holds spaces");
        }
        var valid = IntegrationRoutes.input(body, null).validate(catalog, null, IntegrationInput.Labels.API, false);
        com.dts.apm.store.SignIn signIn;
        try {
            signIn = com.dts.apm.store.SignIn.oauth2(
                    body.oauthApp(), valid.provider().id(), oauthApps, "oauth_app");
        } catch (com.dts.apm.BadInputException e) {
            throw new Problem(422, "Unprocessable Content", "oauth_app: " + ApiHandler.printable(e.getMessage(), 500));
        }
        var n = valid.integration();
        perToken.acquire("token " + call.token().name(), "this token");
        perMailbox.acquire(n.email().toLowerCase(Locale.ROOT), "mailbox " + n.email());
        var results = checks.verify(n, com.dts.apm.config.Secret.of(token), signIn);
        return answer(valid, results, true);
    }

    private Reply answer(IntegrationInput.Valid valid, List<ProbeResult> results, boolean looksLikeAppPassword) {
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
