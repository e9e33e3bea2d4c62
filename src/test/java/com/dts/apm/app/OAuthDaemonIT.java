package com.dts.apm.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.config.ConfigLoader;
import com.dts.apm.store.IntegrationState;
import com.dts.apm.testing.Await;
import com.dts.apm.testing.Cli;
import com.dts.apm.testing.Fixtures;
import com.dts.apm.testing.LogCapture;
import com.dts.apm.testing.ScriptedTokenEndpoint;
import com.dts.apm.testing.ScriptedTokenEndpoint.Style;
import com.dts.apm.testing.TestConfig;
import com.dts.apm.testing.XoauthMailServer;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OAuth mailboxes through the real daemon and a real SQLite file: a scripted token endpoint answering as
 * Google's or Microsoft's does, a scripted XOAUTH2 IMAP server, GreenMail as the alert relay.
 */
class OAuthDaemonIT {
    private static final String MAILBOX = "sales@dealer-o.test";
    private static final String OWNER = "owner@dealer-o.test";
    private static final String GRANT = "1//0gGrant-of-the-dealer-refresh-token";

    @TempDir
    Path dir;

    private GreenMail relay;
    private XoauthMailServer imap;
    private ScriptedTokenEndpoint endpoint;
    private Path config;
    private Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        relay = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.SMTP}));
        relay.start();
        imap = XoauthMailServer.imap(null);
    }

    @AfterEach
    void tearDown() throws Exception {
        relay.stop();
        imap.close();
        if (endpoint != null) {
            endpoint.close();
        }
    }

    private void start(Style style) throws Exception {
        start(style, true);
    }

    private void start(Style style, boolean serverTakesTheTokens) throws Exception {
        endpoint = ScriptedTokenEndpoint.start(style, "client-7", "client-secret-7");
        for (int n = 1; n <= 20 && serverTakesTheTokens; n++) { // the access tokens the endpoint will issue
            imap.accept((style == Style.GOOGLE ? "ya29.a0Af-" : "EwBIA8l6-") + n + "-access");
        }
        var secret = Files.writeString(dir.resolve("client.secret"), "client-secret-7\n");
        var app = style == Style.GOOGLE ? "google" : "microsoft";
        config = dir.resolve("apm.yml");
        TestConfig.in(dir)
                .schedule(s ->
                        s.quick().interval("1s").failingRecheckInterval("1s").shutdownGrace("10s"))
                .alerts("from", "\"DTS System <alerts@dts.test>\"")
                .alerts("send-interval", "1s")
                .relay("127.0.0.1", relay.getSmtp().getPort())
                .raw("oauth:\n  " + app + ": { client-id: client-7, client-secret-file: " + secret + ", token-url: \""
                        + endpoint.url() + "\" }\n")
                .writeTo(config);
        cli = new Cli(config);
    }

    private long add(String provider) {
        var r = cli.runWithInput(
                GRANT + "\n",
                "integrations",
                "add",
                "--dealer-id",
                "D-O",
                "--dealer-name",
                "Dealer O",
                "--email",
                MAILBOX,
                "--contact-email",
                OWNER,
                "--provider",
                provider,
                "--imap-host",
                "127.0.0.1",
                "--imap-port",
                String.valueOf(imap.port()),
                "--imap-security",
                "plain",
                "--protocols",
                "imap",
                "--auth",
                "oauth2",
                "--refresh-token-stdin");
        assertThat(r.exit()).as(r.err()).isZero();
        return Long.parseLong(r.out().strip());
    }

    private MimeMessage[] inbox() {
        return relay.getReceivedMessagesForDomain(OWNER);
    }

    @Test
    void keysRotateReSealsTheRefreshTokenAndTheOldKeyNoLongerOpensIt() throws Exception {
        start(Style.GOOGLE); // Google does not rotate refresh tokens: the endpoint must see the dealer's grant
        endpoint.grant(GRANT);
        long id = add("gmail");
        var keyFile = dir.resolve("data/master.key");
        var oldKey = Files.readString(keyFile);
        var rotated = cli.run("keys", "rotate");
        assertThat(rotated.exit()).as(rotated.err()).isZero();
        assertThat(rotated.out()).contains("key version 1 -> 2, 1 password(s) re-sealed");
        assertThat(Files.readString(keyFile)).doesNotContain("\n1:"); // only the new key is left
        // with only the new key, a check trades the same refresh token and logs in
        var check = cli.run("check", String.valueOf(id));
        assertThat(check.exit()).as(check.out() + check.err()).isZero();
        assertThat(endpoint.refreshTokensPresented()).containsExactly(GRANT);
        assertThat(imap.bearers()).containsExactly("ya29.a0Af-1-access");
        // the old key no longer opens it: nothing is traded, nothing logged in
        Files.writeString(keyFile, oldKey);
        var withOld = cli.run("check", String.valueOf(id));
        assertThat(withOld.exit()).as(withOld.out()).isNotZero();
        assertNoTokenIn(withOld.out() + withOld.err(), "the old key's check output");
        assertThat(endpoint.refreshTokensPresented()).containsExactly(GRANT);
        assertThat(imap.bearers()).containsExactly("ya29.a0Af-1-access");
    }

    @Test
    void aGoodGrantIsRefreshedOncePerAccessTokenLifetimeNotPerCheck() throws Exception {
        start(Style.MICROSOFT);
        endpoint.grant(GRANT);
        long id = add("outlook");
        var show = cli.run("integrations", "show", String.valueOf(id));
        assertThat(show.out()).contains("auth:           oauth2 (app microsoft, the provider's default)");
        int checks;
        try (var logs = new LogCapture();
                var app = App.start(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC())) {
            var history = app.workspace().history();
            Await.until(
                    "ten checks",
                    Duration.ofSeconds(40),
                    () -> history.checks(id, 100).size() >= 10);
            checks = history.checks(id, 100).size();
            assertThat(app.workspace().integrations().get(id).state()).isEqualTo(IntegrationState.HEALTHY);
            var metrics = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.httpPort() + "/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            assertThat(metrics).contains("apm_oauth_token_refreshes_total{app=\"microsoft\",result=\"ok\"} 1.0");
            assertNoTokenIn(metrics, "metrics");
            assertNoTokenIn(logs.text(), "the logs");
        }
        // every check logged in with the one access token; the endpoint was asked once
        assertThat(endpoint.requests())
                .as("token requests for %d checks", checks)
                .isEqualTo(1);
        assertThat(imap.bearers()).hasSizeGreaterThanOrEqualTo(10).containsOnly("EwBIA8l6-1-access");
        // Microsoft rotated the refresh token: stored (sealed) in the check's transaction
        var json = cli.run("integrations", "list", "--json").out()
                + cli.run("history", String.valueOf(id), "--json").out();
        assertNoTokenIn(json, "JSON output");
        assertNoTokenInFiles();
        try (var ws = Workspace.open(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC())) {
            assertThat(ws.integrations().password(id).reveal())
                    .isEqualTo(endpoint.refreshTokensIssued().get(0));
        }
    }

    @Test
    void aRevokedGrantGoesSuspectThenFailingWithOneEmailToSignInWithGoogle() throws Exception {
        start(Style.GOOGLE); // no live grant: every refresh is invalid_grant
        long id = add("gmail");
        try (var logs = new LogCapture();
                var app = App.start(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC())) {
            var integrations = app.workspace().integrations();
            var states = new ArrayList<IntegrationState>();
            Await.until("failing", Duration.ofSeconds(20), () -> {
                var s = integrations.get(id).state();
                if (states.isEmpty() || states.get(states.size() - 1) != s) {
                    states.add(s);
                }
                return s == IntegrationState.FAILING;
            });
            Await.until("failure email", Duration.ofSeconds(20), () -> inbox().length >= 1);
            long checks = app.workspace().history().checks(id, 100).size();
            Await.until(
                    "more failed checks",
                    Duration.ofSeconds(20),
                    () -> app.workspace().history().checks(id, 100).size() >= checks + 2);
            assertThat(inbox()).hasSize(1);
            assertThat(states).contains(IntegrationState.SUSPECT).endsWith(IntegrationState.FAILING);
            var last = app.workspace().history().checks(id, 1).get(0);
            assertThat(last.outcome().name()).isEqualTo("TOKEN_REVOKED");
            assertThat(last.detail()).isEqualTo("invalid_grant: Token has been expired or revoked.");
            assertNoTokenIn(logs.text(), "the logs");
        }
        var body = body(inbox()[0]);
        assertThat(body).contains("Sign in with Google").doesNotContainIgnoringCase("app password");
        assertThat(imap.bearers()).as("no login without an access token").isEmpty();
        assertNoTokenInFiles();
    }

    @Test
    void aMailServerRefusingAFreshTokenAsksTheDealerToSignInAgainNotForAnAppPassword() throws Exception {
        start(Style.MICROSOFT, false); // the grant is good, the mail server refuses its access tokens
        endpoint.grant(GRANT);
        long id = add("outlook");
        try (var app = App.start(ConfigLoader.load(config, null), Map.of(), Clock.systemUTC())) {
            var integrations = app.workspace().integrations();
            Await.until(
                    "failing",
                    Duration.ofSeconds(20),
                    () -> integrations.get(id).state() == IntegrationState.FAILING);
            Await.until("failure email", Duration.ofSeconds(20), () -> inbox().length >= 1);
            var last = app.workspace().history().checks(id, 1).get(0);
            assertThat(last.outcome().name()).isEqualTo("AUTH_REJECTED"); // never Outlook's BASIC_AUTH_DISABLED
            assertThat(last.detail()).contains("[AUTHENTICATIONFAILED]").contains("\"schemes\":\"Bearer\"");
        }
        assertThat(inbox()).hasSize(1);
        assertThat(body(inbox()[0])).contains("Sign in with Microsoft").doesNotContainIgnoringCase("app password");
        assertThat(endpoint.requests())
                .as("the access token is cached across the failed logins")
                .isEqualTo(1);
    }

    private static String body(MimeMessage m) throws Exception {
        var content = m.getContent();
        if (content instanceof jakarta.mail.Multipart mp) {
            var sb = new StringBuilder();
            for (int i = 0; i < mp.getCount(); i++) {
                sb.append(mp.getBodyPart(i).getContent()).append('\n');
            }
            return sb.toString();
        }
        return String.valueOf(content);
    }

    private void assertNoTokenIn(String text, String where) {
        var secrets = new ArrayList<>(List.of(GRANT, "client-secret-7"));
        if (endpoint != null) {
            secrets.addAll(endpoint.issued());
            secrets.addAll(endpoint.refreshTokensIssued());
        }
        for (var s : secrets) {
            assertThat(text).as(where).doesNotContain(s);
        }
    }

    private void assertNoTokenInFiles() {
        var secrets = new ArrayList<>(List.of(GRANT));
        secrets.addAll(endpoint.issued());
        secrets.addAll(endpoint.refreshTokensIssued());
        for (var s : secrets) {
            assertThat(Fixtures.anyFileContains(dir, s))
                    .as("a file under the state folder holds %s", s)
                    .isFalse();
        }
    }
}
