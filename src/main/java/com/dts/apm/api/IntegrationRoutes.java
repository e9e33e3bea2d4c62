package com.dts.apm.api;

import com.dts.apm.api.IntegrationJson.Body;
import com.dts.apm.api.IntegrationJson.CheckView;
import com.dts.apm.api.IntegrationJson.HistoryView;
import com.dts.apm.api.IntegrationJson.Page;
import com.dts.apm.api.IntegrationJson.View;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.store.CheckHistory;
import com.dts.apm.store.IntegrationInput;
import com.dts.apm.store.IntegrationState;
import com.dts.apm.store.IntegrationStore;
import com.dts.apm.store.SignIn;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code /api/v1/integrations...}: upsert, read, delete, list, check now, history, all by the CRM's external id. */
final class IntegrationRoutes {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(IntegrationRoutes.class);
    static final String ONE = "/api/v1/integrations/{external_id}";
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;
    static final int HISTORY = 20;

    private final IntegrationStore store;
    private final ProviderCatalog catalog;
    private final CheckHistory history;
    private final Api.Checks checks;
    /** The config's {@code oauth:} apps: an {@code oauth2} integration must name (or default to) one of them. */
    private final Set<String> oauthApps;

    private final Cursors cursors = new Cursors();

    IntegrationRoutes(
            IntegrationStore store,
            ProviderCatalog catalog,
            CheckHistory history,
            Api.Checks checks,
            Set<String> oauthApps) {
        this.oauthApps = Set.copyOf(oauthApps);
        this.store = store;
        this.catalog = catalog;
        this.history = history;
        this.checks = checks;
    }

    List<Route> routes() {
        return List.of(
                new Route("GET", "/api/v1/integrations", Scope.INTEGRATIONS_READ, false, this::list),
                new Route("PUT", ONE, Scope.INTEGRATIONS_WRITE, true, this::put),
                new Route("GET", ONE, Scope.INTEGRATIONS_READ, false, this::get),
                new Route("DELETE", ONE, Scope.INTEGRATIONS_WRITE, false, this::delete),
                new Route("POST", ONE + "/check", Scope.CHECKS_RUN, false, this::check),
                new Route("GET", ONE + "/history", Scope.INTEGRATIONS_READ, false, this::history),
                new Route("GET", ONE + "/credential", Scope.CREDENTIALS_READ, false, this::credential));
    }

    /** The external id of the path, checked like every other input. */
    static String externalId(Call call) {
        var raw = call.path().get("external_id");
        try {
            var id = IntegrationInput.externalId(raw);
            if (id == null || !id.equals(raw)) {
                throw Problem.badRequest("external_id: must not be empty or hold spaces");
            }
            return id;
        } catch (com.dts.apm.BadInputException e) {
            throw Problem.badRequest("external_id: " + ApiHandler.printable(e.getMessage(), 300));
        }
    }

    /** The body as the one validation of the command line and the CSV import sees it. */
    static IntegrationInput input(Body b, String externalId) {
        var imap = b.imap();
        var smtp = b.smtp();
        return new IntegrationInput(
                b.dealerId(),
                b.dealerName(),
                b.contactEmail(),
                b.email(),
                b.provider(),
                b.username(),
                imap == null ? null : imap.host(),
                imap == null || imap.port() == null ? null : imap.port().toString(),
                imap == null ? null : imap.security(),
                smtp == null ? null : smtp.host(),
                smtp == null || smtp.port() == null ? null : smtp.port().toString(),
                smtp == null ? null : smtp.security(),
                b.protocols() == null ? null : protocols(b.protocols()),
                b.enabled() == null ? null : b.enabled().toString(),
                false,
                b.adminEmail(),
                externalId);
    }

    private static String protocols(List<String> list) {
        if (list.isEmpty()) {
            throw Problem.badRequest("protocols: give at least one of imap, smtp");
        }
        for (var p : list) {
            if (p == null || !(p.equals("imap") || p.equals("smtp"))) {
                throw Problem.badRequest(
                        "protocols: '" + ApiHandler.printable(String.valueOf(p)) + "' is not imap or smtp");
            }
        }
        return String.join(",", list);
    }

    private Reply put(Call call) {
        var ext = externalId(call);
        var body = call.body(Body.class);
        if (body.password() != null && body.password().length() > 1024) {
            throw Problem.badRequest("password: longer than 1024 characters");
        }
        var auth = body.auth() == null ? null : authOf(body.auth());
        boolean oauth = auth == com.dts.apm.provider.Auth.OAUTH2;
        if (oauth && body.password() != null) {
            throw Problem.badRequest("password: auth oauth2 takes a refresh_token, not a password");
        }
        if (!oauth && body.refreshToken() != null) {
            throw Problem.badRequest("refresh_token: needs auth oauth2");
        }
        if (!oauth && body.oauthApp() != null) {
            throw Problem.badRequest("oauth_app: needs auth oauth2");
        }
        if (body.refreshToken() != null
                && (body.refreshToken().isBlank()
                        || body.refreshToken().length() > 4096
                        || body.refreshToken().chars().anyMatch(c -> Character.isISOControl(c) || c == ' '))) {
            throw Problem.badRequest("refresh_token: empty, longer than 4096 characters, or holds spaces");
        }
        var valid = oauth
                ? input(body, ext).validate(catalog, null, IntegrationInput.Labels.API, false)
                : input(body, ext).validate(catalog, body.password(), IntegrationInput.Labels.API, false);
        SignIn signIn;
        try {
            signIn = auth == null
                    ? null
                    : oauth
                            ? SignIn.oauth2(body.oauthApp(), valid.provider().id(), oauthApps, "oauth_app")
                            : SignIn.PASSWORD;
        } catch (com.dts.apm.BadInputException e) {
            // the body is well-formed but names an app this monitor cannot trade grants with
            throw new Problem(422, "Unprocessable Content", "oauth_app: " + ApiHandler.printable(e.getMessage(), 500));
        }
        var secret = oauth
                ? (body.refreshToken() == null ? null : com.dts.apm.config.Secret.of(body.refreshToken()))
                : valid.password();
        var saved = store.save(ext, valid.integration(), secret, signIn);
        var view = store.findByExternalId(ext)
                .map(k -> View.of(k.integration(), ext).withWarnings(valid.warnings()))
                .orElseThrow(() -> missing(ext)); // removed in the same instant: as if the PUT came first
        return saved.created()
                ? new Reply(201, view, Map.of("Location", "/api/v1/integrations/" + ext))
                : Reply.ok(view);
    }

    static com.dts.apm.provider.Auth authOf(String label) {
        try {
            return com.dts.apm.provider.Auth.parse(label);
        } catch (IllegalArgumentException e) {
            throw Problem.badRequest("auth: " + e.getMessage());
        }
    }

    private Reply get(Call call) {
        var ext = externalId(call);
        return store.findByExternalId(ext)
                .map(k -> Reply.ok(View.of(k.integration(), k.externalId())))
                .orElseThrow(() -> missing(ext));
    }

    private Reply delete(Call call) {
        var ext = externalId(call);
        if (!store.removeByExternalId(ext)) {
            throw missing(ext);
        }
        return Reply.noContent();
    }

    private Reply check(Call call) throws InterruptedException {
        var ext = externalId(call);
        var k = store.findByExternalId(ext).orElseThrow(() -> missing(ext));
        var checked = checks.check(k.integration());
        return Reply.ok(CheckView.of(checked.after().orElse(k.integration()), checked.results()));
    }

    /** The password as stored (say, one a dealer entered on the reconnect page), for the CRM; each read is logged. */
    private Reply credential(Call call) {
        var ext = externalId(call);
        var k = store.findByExternalId(ext).orElseThrow(() -> missing(ext));
        var password = store.password(k.integration().id());
        log.info(
                "api token {} read the password of integration {} ({}, external_id {})",
                call.token().name(),
                k.integration().id(),
                k.integration().email(),
                ext);
        return Reply.ok(new IntegrationJson.Credential(password.reveal()));
    }

    private Reply history(Call call) {
        var ext = externalId(call);
        var k = store.findByExternalId(ext).orElseThrow(() -> missing(ext));
        var i = k.integration();
        return Reply.ok(HistoryView.of(i, ext, history.checks(i.id(), HISTORY), history.transitions(i.id(), HISTORY)));
    }

    private Reply list(Call call) {
        var q = call.allowQuery(Set.of("state", "provider", "dealer_id", "limit", "cursor"))
                .query();
        IntegrationState state = null;
        if (q.containsKey("state")) {
            var s = q.get("state");
            state = Arrays.stream(IntegrationState.values())
                    .filter(v -> v.name().equals(s))
                    .findFirst()
                    .orElseThrow(() -> Problem.badRequest("state: '" + ApiHandler.printable(s) + "' is not one of "
                            + Arrays.stream(IntegrationState.values())
                                    .map(Enum::name)
                                    .collect(Collectors.joining(", "))));
        }
        var provider = q.get("provider");
        if (provider != null && catalog.find(provider).isEmpty()) {
            throw Problem.badRequest("provider: '" + ApiHandler.printable(provider) + "' is not one of "
                    + String.join(", ", catalog.ids()));
        }
        var dealer = q.get("dealer_id");
        if (dealer != null && (dealer.isEmpty() || dealer.length() > 64)) {
            throw Problem.badRequest("dealer_id: must be 1 to 64 characters");
        }
        int limit = limit(q.get("limit"));
        var filters = (state == null ? "" : state.name()) + "\n" + (provider == null ? "" : provider) + "\n"
                + (dealer == null ? "" : dealer);
        long after = q.containsKey("cursor") ? cursors.read(q.get("cursor"), filters) : 0;
        var rows = store.page(state, provider, dealer, after, limit + 1);
        var items = rows.stream()
                .limit(limit)
                .map(k -> View.of(k.integration(), k.externalId()))
                .toList();
        var next =
                rows.size() > limit ? cursors.make(items.get(items.size() - 1).id(), filters) : null;
        return Reply.ok(new Page(items, next));
    }

    private static int limit(String raw) {
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        int n;
        try {
            n = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw Problem.badRequest(
                    "limit: '" + ApiHandler.printable(raw) + "' is not a whole number (1-" + MAX_LIMIT + ")");
        }
        if (n < 1 || n > MAX_LIMIT) {
            throw Problem.badRequest("limit: " + n + " is out of range 1-" + MAX_LIMIT);
        }
        return n;
    }

    private static Problem missing(String ext) {
        return Problem.notFound("no integration with external_id " + ext);
    }
}
