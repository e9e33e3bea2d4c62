package com.dts.apm.oauth;

import com.dts.apm.config.Config;
import com.dts.apm.config.ConfigException;
import com.dts.apm.config.Secret;
import com.dts.apm.provider.Outcome;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * The access tokens of OAuth mailboxes, in memory only, keyed by integration: a check asks for one, and gets the
 * cached token until {@link #MARGIN} before it expires; only then is the refresh token traded again. Concurrent
 * checks of one integration share one refresh (single flight). A cached token belongs to the refresh token it came
 * from (by SHA-256 fingerprint): a new refresh token stored for the integration is traded at its next check.
 */
public final class AccessTokens {
    /** An access token is not used in its last minutes: a login must not race its expiry. */
    static final Duration MARGIN = Duration.ofMinutes(5);

    /** Told about every refresh: the app and {@code ok} or the outcome in lower case (a metric's labels). */
    public interface Listener {
        Listener NONE = (app, result) -> {};

        void refreshed(String app, String result);
    }

    private record Cached(List<byte[]> refreshTokens, Secret accessToken, Instant usableUntil) {
        boolean from(byte[] fingerprint) {
            return refreshTokens.stream().anyMatch(f -> Arrays.equals(f, fingerprint));
        }
    }

    private final Map<String, TokenEndpoint> apps;
    private final Clock clock;
    private final Listener listener;
    private final ConcurrentHashMap<Long, Cached> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, CompletableFuture<TokenAnswer>> inflight = new ConcurrentHashMap<>();

    AccessTokens(Map<String, TokenEndpoint> apps, Clock clock, Listener listener) {
        this.apps = Map.copyOf(apps);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * The token endpoints of the {@code oauth:} apps, their client secrets read now.
     *
     * @throws ConfigException when a client secret cannot be read
     */
    public static AccessTokens create(
            Map<String, Config.OAuthApp> config,
            Map<String, String> env,
            Duration connectTimeout,
            Clock clock,
            Listener listener) {
        return create(config, env, connectTimeout, Optional.empty(), clock, listener);
    }

    /**
     * As above, with the TLS context of the token endpoint calls: the probes' trust when {@code checks.trust-store}
     * is set (a private CA, a TLS-inspecting proxy), else (empty) the JDK's default context. Host names are checked
     * either way (the JDK's HTTP client asks for HTTPS identification).
     */
    public static AccessTokens create(
            Map<String, Config.OAuthApp> config,
            Map<String, String> env,
            Duration connectTimeout,
            Optional<SSLContext> tls,
            Clock clock,
            Listener listener) {
        if (config.isEmpty()) {
            return new AccessTokens(Map.of(), clock, listener);
        }
        var builder = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1);
        tls.ifPresent(builder::sslContext);
        var http = builder.build();
        var apps = new TreeMap<String, TokenEndpoint>();
        config.forEach((name, app) -> apps.put(
                name,
                new TokenEndpoint(
                        name, URI.create(app.tokenUrl()), app.clientId(), clientSecret(name, app, env), http)));
        return new AccessTokens(apps, clock, listener);
    }

    private static Secret clientSecret(String name, Config.OAuthApp app, Map<String, String> env) {
        var key = "oauth." + name + ".client-secret-file";
        var file = app.secretFile(name, env);
        if (file == null) {
            throw new ConfigException(
                    "key " + key + ": is missing (or the systemd credential oauth-" + name + "-client-secret)");
        }
        try {
            var text = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) {
                throw new ConfigException("key " + key + ": file " + file + " is empty");
            }
            return Secret.of(text);
        } catch (IOException e) {
            throw new ConfigException(
                    "key " + key + ": cannot read " + file + ": " + e.getClass().getSimpleName());
        }
    }

    /** The names of the configured apps. */
    public Set<String> apps() {
        return apps.keySet();
    }

    /**
     * An access token for integration {@code id} whose grant is {@code refreshToken} at app {@code app}: the cached
     * one, else a fresh one from the token endpoint within {@code timeout}. A {@link TokenAnswer.Granted} carries a
     * rotated refresh token only when this call refreshed and the endpoint issued a new one (the caller stores it).
     */
    public TokenAnswer access(long id, String app, Secret refreshToken, Duration timeout) throws InterruptedException {
        var endpoint = apps.get(app);
        if (endpoint == null) {
            return new TokenAnswer.Refused(
                    Outcome.PROTOCOL_ERROR,
                    "OAuth app " + app + " is not configured (add oauth." + app + " to the config)");
        }
        var fingerprint = fingerprint(refreshToken);
        var hit = cached(id, fingerprint);
        if (hit != null) {
            return hit;
        }
        var mine = new CompletableFuture<TokenAnswer>();
        var theirs = inflight.putIfAbsent(id, mine);
        if (theirs != null) {
            return await(app, theirs, timeout);
        }
        try {
            hit = cached(id, fingerprint); // a refresh may have ended between the first look and putIfAbsent
            var answer = hit != null ? hit : refresh(id, endpoint, refreshToken, fingerprint, timeout);
            mine.complete(answer);
            return answer;
        } catch (InterruptedException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inflight.remove(id, mine);
        }
    }

    /**
     * Trades {@code refreshToken} at app {@code app} once, cached nowhere: the API's verify-before-save of a grant
     * that belongs to no stored integration yet. A refresh token the endpoint rotates meanwhile is not kept (the
     * dealer system's copy stays valid: Google does not rotate, Microsoft keeps old refresh tokens valid).
     */
    public TokenAnswer once(String app, Secret refreshToken, Duration timeout) throws InterruptedException {
        var endpoint = apps.get(app);
        if (endpoint == null) {
            return new TokenAnswer.Refused(
                    Outcome.PROTOCOL_ERROR,
                    "OAuth app " + app + " is not configured (add oauth." + app + " to the config)");
        }
        var answer = endpoint.refresh(refreshToken, timeout);
        listener.refreshed(
                endpoint.app(),
                answer instanceof TokenAnswer.Refused r ? r.outcome().name().toLowerCase(Locale.ROOT) : "ok");
        return answer;
    }

    /** Forgets the cached access token of {@code id} (removed, or its refresh token replaced). */
    public void forget(long id) {
        cache.remove(id);
    }

    private TokenAnswer refresh(
            long id, TokenEndpoint endpoint, Secret refreshToken, byte[] fingerprint, Duration timeout)
            throws InterruptedException {
        var answer = endpoint.refresh(refreshToken, timeout);
        if (answer instanceof TokenAnswer.Granted g) {
            var keep = g.lifetime().compareTo(MARGIN.multipliedBy(2)) > 0
                    ? g.lifetime().minus(MARGIN)
                    : g.lifetime().dividedBy(2);
            var fingerprints =
                    g.rotated() == null ? List.of(fingerprint) : List.of(fingerprint, fingerprint(g.rotated()));
            cache.put(
                    id,
                    new Cached(fingerprints, g.accessToken(), clock.instant().plus(keep)));
            listener.refreshed(endpoint.app(), "ok");
        } else if (answer instanceof TokenAnswer.Refused r) {
            if (r.outcome() == Outcome.TOKEN_REVOKED) {
                cache.remove(id);
            }
            listener.refreshed(endpoint.app(), r.outcome().name().toLowerCase(Locale.ROOT));
        }
        return answer;
    }

    private TokenAnswer cached(long id, byte[] fingerprint) {
        var c = cache.get(id);
        var now = clock.instant();
        if (c == null || !c.from(fingerprint) || !now.isBefore(c.usableUntil())) {
            return null;
        }
        return new TokenAnswer.Granted(c.accessToken(), Duration.between(now, c.usableUntil()), null);
    }

    private static TokenAnswer await(String app, CompletableFuture<TokenAnswer> theirs, Duration timeout)
            throws InterruptedException {
        try {
            var answer = theirs.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            // the refresh that ran stores a rotated token; a second copy of it here would be stored twice
            return answer instanceof TokenAnswer.Granted g
                    ? new TokenAnswer.Granted(g.accessToken(), g.lifetime(), null)
                    : answer;
        } catch (TimeoutException e) {
            return TokenAnswers.failed(app, new java.net.http.HttpTimeoutException("no answer in time"));
        } catch (ExecutionException e) {
            return TokenAnswers.failed(app, e.getCause() == null ? e : e.getCause());
        }
    }

    private static byte[] fingerprint(Secret token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.utf8());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256", e);
        }
    }
}
