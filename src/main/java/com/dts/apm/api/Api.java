package com.dts.apm.api;

import com.dts.apm.config.Secret;
import com.dts.apm.probe.ProbeResult;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.store.ApiTokens;
import com.dts.apm.store.CheckHistory;
import com.dts.apm.store.Integration;
import com.dts.apm.store.IntegrationStore;
import com.dts.apm.store.NewIntegration;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.jetty.server.Handler;

/**
 * The API's routes over the stores and the check machinery the composition root hands in ({@link Checks}); the
 * listener itself is {@link ApiServer}.
 */
public final class Api {
    /** Logging in, as the daemon does: provided by the composition root over the check service and its probes. */
    public interface Checks {
        /** Checks {@code i} now and records it like {@code check ID}; empty {@code after} when it was removed meanwhile. */
        Checked check(Integration i) throws InterruptedException;

        /**
         * Logs in over each protocol of {@code n} with {@code secret}, paced like a check, signing in as {@code signIn}
         * says (for {@code oauth2} the secret is a refresh token, traded first); records nothing.
         */
        List<ProbeResult> verify(NewIntegration n, Secret secret, com.dts.apm.store.SignIn signIn)
                throws InterruptedException;
    }

    /** The dealer-facing sentence for one protocol's verify outcome (notify's wording, steps.yml). */
    public interface Hints {
        String hint(
                com.dts.apm.provider.ProviderSpec provider,
                com.dts.apm.provider.Protocol protocol,
                com.dts.apm.provider.Outcome outcome,
                boolean looksLikeAppPassword);
    }

    /** A finished check and the integration as it left it. */
    public record Checked(Optional<Integration> after, List<ProbeResult> results) {}

    private final ApiHandler handler;
    private final List<Route> routes;

    public Api(
            IntegrationStore integrations,
            ApiTokens tokens,
            ProviderCatalog catalog,
            CheckHistory history,
            Checks checks,
            Hints hints,
            java.util.Set<String> oauthApps,
            MeterRegistry registry,
            Clock clock) {
        var list = new ArrayList<Route>();
        list.addAll(new IntegrationRoutes(integrations, catalog, history, checks, oauthApps).routes());
        list.add(new VerifyRoute(catalog, checks, hints, oauthApps, clock).route());
        var document = openApi();
        list.add(new Route("GET", "/api/v1/openapi.json", null, false, call -> Reply.ok(document)));
        this.routes = List.copyOf(list);
        this.handler = new ApiHandler(routes, new Tokens(tokens), tokens, registry, clock);
    }

    /** The OpenAPI 3.1 document of every route (src/main/resources/api/openapi.json; ApiContractIT holds it to the code). */
    static com.fasterxml.jackson.databind.JsonNode openApi() {
        try (var in = Api.class.getResourceAsStream("/api/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("api/openapi.json is missing from the jar");
            }
            return ApiJson.MAPPER.readTree(in);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read api/openapi.json", e);
        }
    }

    Handler handler() {
        return handler;
    }

    List<Route> routes() {
        return routes;
    }
}
