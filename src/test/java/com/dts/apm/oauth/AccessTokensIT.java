package com.dts.apm.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.config.Config;
import com.dts.apm.config.Secret;
import com.dts.apm.probe.Probes;
import com.dts.apm.probe.TestCerts;
import com.dts.apm.provider.Outcome;
import com.dts.apm.testing.ScriptedTokenEndpoint;
import com.dts.apm.testing.ScriptedTokenEndpoint.Style;
import com.dts.apm.testing.TestClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access-token cache against a scripted token endpoint answering as Google's and Microsoft's do. */
class AccessTokensIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Secret GRANT = Secret.of("1//0grant-refresh-token");

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(Instant.parse("2026-12-07T12:00:00Z"));
    private final List<String> refreshes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private ScriptedTokenEndpoint endpoint;

    @AfterEach
    void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
    }

    private AccessTokens tokens(Style style) throws Exception {
        endpoint = ScriptedTokenEndpoint.start(style, "client-1", "s3cret").grant(GRANT.reveal());
        var secret = Files.writeString(dir.resolve("client.secret"), "s3cret\n");
        var app = style == Style.GOOGLE ? "google" : "microsoft";
        return AccessTokens.create(
                Map.of(app, new Config.OAuthApp("client-1", secret, endpoint.url())),
                Map.of(),
                Duration.ofSeconds(2),
                clock,
                (a, result) -> refreshes.add(a + ":" + result));
    }

    @Test
    void refreshesOncePerAccessTokenLifetimeNotPerCheck() throws Exception {
        var tokens = tokens(Style.GOOGLE);
        for (int i = 0; i < 20; i++) {
            var a = (TokenAnswer.Granted) tokens.access(7, "google", GRANT, TIMEOUT);
            assertThat(a.accessToken().reveal()).isEqualTo(endpoint.issued().get(0));
            assertThat(a.rotated()).isNull(); // Google does not rotate
            clock.advance(Duration.ofMinutes(2)); // 20 checks in 40 minutes: one access token (1 h, used for 55 min)
        }
        assertThat(endpoint.requests()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(16)); // past 55 minutes
        tokens.access(7, "google", GRANT, TIMEOUT);
        assertThat(endpoint.requests()).isEqualTo(2);
        assertThat(refreshes).containsExactly("google:ok", "google:ok");
    }

    @Test
    void concurrentChecksOfOneGrantShareOneRefresh() throws Exception {
        var tokens = tokens(Style.GOOGLE);
        var release = new CountDownLatch(1);
        endpoint.beforeAnswer(e -> {
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        var pool = Executors.newFixedThreadPool(8);
        try {
            var futures = new ArrayList<Future<TokenAnswer>>();
            for (int i = 0; i < 8; i++) {
                futures.add(pool.submit(() -> tokens.access(9, "google", GRANT, TIMEOUT)));
            }
            com.dts.apm.testing.Await.until("the first refresh", Duration.ofSeconds(5), () -> endpoint.requests() >= 1);
            release.countDown();
            for (var f : futures) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isInstanceOf(TokenAnswer.Granted.class);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(endpoint.requests()).isEqualTo(1);
    }

    @Test
    void microsoftRotatesAndTheRotatedTokenUsesTheSameAccessToken() throws Exception {
        var tokens = tokens(Style.MICROSOFT);
        var first = (TokenAnswer.Granted) tokens.access(3, "microsoft", GRANT, TIMEOUT);
        assertThat(first.rotated().reveal())
                .isEqualTo(endpoint.refreshTokensIssued().get(0));
        // the check stores the rotated token; the next check presents it and still gets the cached access token
        var second = (TokenAnswer.Granted) tokens.access(3, "microsoft", first.rotated(), TIMEOUT);
        assertThat(second.accessToken()).isEqualTo(first.accessToken());
        assertThat(second.rotated()).isNull();
        assertThat(endpoint.requests()).isEqualTo(1);
        // a new grant (the dealer signed in again) is traded at once
        endpoint.grant("M.new-grant");
        tokens.access(3, "microsoft", Secret.of("M.new-grant"), TIMEOUT);
        assertThat(endpoint.requests()).isEqualTo(2);
    }

    @Test
    void aRevokedGrantIsTokenRevokedWithTheProvidersWords() throws Exception {
        var google = tokens(Style.GOOGLE);
        endpoint.revokeAll();
        assertThat(google.access(1, "google", GRANT, TIMEOUT))
                .isEqualTo(new TokenAnswer.Refused(
                        Outcome.TOKEN_REVOKED, "invalid_grant: Token has been expired or revoked."));
        endpoint.close();
        var microsoft = tokens(Style.MICROSOFT);
        endpoint.revokeAll();
        var refused = (TokenAnswer.Refused) microsoft.access(1, "microsoft", GRANT, TIMEOUT);
        assertThat(refused.outcome()).isEqualTo(Outcome.TOKEN_REVOKED);
        assertThat(refused.detail())
                .startsWith("invalid_grant: AADSTS700082: The refresh token has expired due to inactivity.")
                .doesNotContain("Trace ID");
        assertThat(refreshes).containsExactly("google:token_revoked", "microsoft:token_revoked");
    }

    @Test
    void theEndpointsOwnTroublesAreNeverTheDealers() throws Exception {
        var tokens = tokens(Style.GOOGLE);
        endpoint.answerAlways(429, "{\"error\":\"rate_limit_exceeded\"}");
        assertThat(((TokenAnswer.Refused) tokens.access(1, "google", GRANT, TIMEOUT)).outcome())
                .isEqualTo(Outcome.RATE_LIMITED);
        endpoint.answerAlways(503, "");
        assertThat(((TokenAnswer.Refused) tokens.access(1, "google", GRANT, TIMEOUT)).outcome())
                .isEqualTo(Outcome.NETWORK_ERROR);
        endpoint.answerAlways(
                401, "{\"error\":\"invalid_client\",\"error_description\":\"The OAuth client was not found.\"}");
        var client = (TokenAnswer.Refused) tokens.access(1, "google", GRANT, TIMEOUT);
        assertThat(client.outcome()).isEqualTo(Outcome.PROTOCOL_ERROR);
        assertThat(client.detail()).contains("OAuth app google").contains("invalid_client");
        endpoint.answerAlways(0, null).beforeAnswer(e -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        long started = System.nanoTime();
        var slow = (TokenAnswer.Refused) tokens.access(1, "google", GRANT, Duration.ofMillis(300));
        assertThat(slow.outcome()).isEqualTo(Outcome.NETWORK_ERROR);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(((TokenAnswer.Refused) tokens.access(1, "nope", GRANT, TIMEOUT)).detail())
                .isEqualTo("OAuth app nope is not configured (add oauth.nope to the config)");
    }

    @Test
    void anHttpsTokenEndpointIsTrustedThroughChecksTrustStoreAndOnlyThen() throws Exception {
        // a token endpoint behind a private CA (or a TLS-inspecting proxy): trusted as the mail logins are
        var certs = TestCerts.generate(dir, "token-endpoint");
        endpoint = ScriptedTokenEndpoint.startHttps(Style.GOOGLE, "client-1", "s3cret", certs.serverContext())
                .grant(GRANT.reveal());
        assertThat(endpoint.url()).startsWith("https://127.0.0.1:");
        var secret = Files.writeString(dir.resolve("client.secret"), "s3cret\n");
        var apps = Map.of("google", new Config.OAuthApp("client-1", secret, endpoint.url()));
        var trusting = new Config.Checks(
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                certs.trustStore(),
                "PKCS12",
                certs.passwordFile());
        var withStore = AccessTokens.create(
                apps, Map.of(), Duration.ofSeconds(2), Probes.httpsContext(trusting), clock, (a, r) -> {});
        var granted = (TokenAnswer.Granted) withStore.access(7, "google", GRANT, TIMEOUT);
        assertThat(granted.accessToken().reveal()).isEqualTo(endpoint.issued().get(0));
        assertThat(endpoint.requests()).isEqualTo(1);

        // without checks.trust-store: the JDK's CAs only, which do not know the test CA
        var jdkOnly = new Config.Checks(
                Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), null, null, null);
        assertThat(Probes.httpsContext(jdkOnly)).isEmpty();
        var withoutStore = AccessTokens.create(
                apps, Map.of(), Duration.ofSeconds(2), Probes.httpsContext(jdkOnly), clock, (a, r) -> {});
        var refused = (TokenAnswer.Refused) withoutStore.access(8, "google", GRANT, TIMEOUT);
        assertThat(refused.outcome()).isEqualTo(Outcome.TLS_ERROR);
        assertThat(refused.detail())
                .startsWith("token endpoint of OAuth app google: TLS failed: SSLHandshakeException")
                .doesNotContain(GRANT.reveal())
                .doesNotContain("s3cret");
        assertThat(endpoint.requests()).isEqualTo(1); // the untrusted exchange never reached the endpoint
    }
}
