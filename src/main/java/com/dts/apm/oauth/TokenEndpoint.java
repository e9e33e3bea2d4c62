package com.dts.apm.oauth;

import com.dts.apm.config.Secret;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One OAuth app's token endpoint: a form POST of {@code grant_type=refresh_token} with the app's client id and
 * secret (RFC 6749 section 6), over the JDK's HTTP client with verified TLS (the JDK's trust store, plus
 * {@code checks.trust-store} when set, and the host name check), no redirects, and the whole exchange bounded by the time the caller gives it.
 */
final class TokenEndpoint {
    /** Far above any real token answer (a few KB). */
    static final int MAX_BODY = 64 * 1024;

    private final String app;
    private final URI url;
    private final String clientId;
    private final Secret clientSecret;
    private final HttpClient http;

    TokenEndpoint(String app, URI url, String clientId, Secret clientSecret, HttpClient http) {
        this.app = Objects.requireNonNull(app, "app");
        this.url = Objects.requireNonNull(url, "url");
        this.clientId = Objects.requireNonNull(clientId, "clientId");
        this.clientSecret = Objects.requireNonNull(clientSecret, "clientSecret");
        this.http = Objects.requireNonNull(http, "http");
    }

    String app() {
        return app;
    }

    /** Trades {@code refreshToken} for an access token; never throws for what the endpoint or the network does. */
    TokenAnswer refresh(Secret refreshToken, Duration timeout) throws InterruptedException {
        var form = "grant_type=refresh_token&refresh_token=" + encode(refreshToken.reveal()) + "&client_id="
                + encode(clientId) + "&client_secret=" + encode(clientSecret.reveal());
        var request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8))
                .build();
        // the whole exchange, body included, within the timeout (the request's own timeout ends at the headers)
        var pending = http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        try {
            var response = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            var body = response.body();
            var text = new String(body, 0, Math.min(body.length, MAX_BODY), StandardCharsets.UTF_8);
            return TokenAnswers.classify(app, response.statusCode(), text, refreshToken);
        } catch (TimeoutException e) {
            pending.cancel(true);
            return TokenAnswers.failed(
                    app, new java.net.http.HttpTimeoutException("no answer within " + timeout.toMillis() + " ms"));
        } catch (ExecutionException e) {
            return TokenAnswers.failed(app, e.getCause() == null ? e : e.getCause());
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
