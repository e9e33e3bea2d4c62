package com.dts.apm.api;

import static com.dts.apm.api.ApiHarness.body;
import static com.dts.apm.api.ApiIntegrationsIT.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verify-before-save logs in to the real (GreenMail) servers, stores nothing, and is rate-limited per mailbox. */
class ApiVerifyIT {
    @TempDir
    java.nio.file.Path dir;

    /**
     * An OAuth grant is verified as its checks will be: the refresh token traded once at the app's token endpoint
     * (Google's answers, scripted), then SASL XOAUTH2; a revoked grant is TOKEN_REVOKED with no login; an app the
     * monitor has not configured is 422; nothing is stored and no token is answered.
     */
    @Test
    void aGrantIsTradedOnceAndLoggedInWithXoauth2AndNothingIsStored() throws Exception {
        try (var endpoint = com.dts.apm.testing.ScriptedTokenEndpoint.start(
                        com.dts.apm.testing.ScriptedTokenEndpoint.Style.GOOGLE, "client-7", "client-secret-7");
                var imap = com.dts.apm.testing.XoauthMailServer.imap(null)) {
            endpoint.grant("1//0gVerify-refresh");
            imap.accept("ya29.a0Af-1-access");
            var secret = java.nio.file.Files.writeString(dir.resolve("client.secret"), "client-secret-7\n");
            try (var h = new ApiHarness(
                    dir,
                    "oauth:",
                    "  google: { client-id: client-7, client-secret-file: " + secret + ", token-url: \""
                            + endpoint.url() + "\" }")) {
                h.start();
                var token = h.token("crm", "checks:run");
                var grant = new java.util.LinkedHashMap<String, Object>(h.mailbox("gina@gmail.com", null));
                grant.put("provider", "gmail");
                grant.put("imap", java.util.Map.of("host", "127.0.0.1", "port", imap.port(), "security", "plain"));
                grant.put("protocols", java.util.List.of("imap"));
                grant.remove("smtp");
                grant.put("auth", "oauth2");
                grant.put("refresh_token", "1//0gVerify-refresh");

                var ok = h.json("POST", "/api/v1/verify", token, grant);
                assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
                assertThat(body(ok).get("ok").asBoolean()).as(ok.body()).isTrue();
                assertThat(body(ok).get("checks").get(0).get("outcome").asText())
                        .isEqualTo("OK");
                assertThat(endpoint.requests()).as("one token request").isEqualTo(1);
                assertThat(endpoint.refreshTokensPresented()).containsExactly("1//0gVerify-refresh");
                assertThat(imap.bearers()).containsExactly("ya29.a0Af-1-access");
                assertThat(ok.body()).doesNotContain("1//0gVerify-refresh").doesNotContain("ya29.a0Af-1-access");

                endpoint.revokeAll();
                var revoked = h.json("POST", "/api/v1/verify", token, grant);
                assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
                assertThat(body(revoked).get("ok").asBoolean()).isFalse();
                var check = body(revoked).get("checks").get(0);
                assertThat(check.get("outcome").asText()).isEqualTo("TOKEN_REVOKED");
                assertThat(check.get("detail").asText()).contains("Token has been expired or revoked.");
                assertThat(imap.bearers()).as("no login with a revoked grant").hasSize(1);

                var outlook = new java.util.LinkedHashMap<String, Object>(grant);
                outlook.put("email", "otto@outlook.com");
                outlook.put("provider", "outlook");
                var unconfigured = h.json("POST", "/api/v1/verify", token, outlook);
                assertThat(unconfigured.statusCode()).as(unconfigured.body()).isEqualTo(422);
                assertThat(unconfigured.body()).contains("OAuth app 'microsoft' is not configured");
                assertThat(endpoint.requests())
                        .as("nothing traded for an unconfigured app")
                        .isEqualTo(2);

                var withPassword = new java.util.LinkedHashMap<String, Object>(grant);
                withPassword.put("password", "abcd efgh ijkl mnop");
                assertThat(h.json("POST", "/api/v1/verify", token, withPassword).statusCode())
                        .isEqualTo(400);
                assertThat(h.cli.run("integrations", "list", "--json").out().strip())
                        .as("nothing stored")
                        .isEqualTo("[]");
                assertThat(com.dts.apm.testing.Fixtures.anyFileContains(dir.resolve("data"), "1//0gVerify-refresh"))
                        .isFalse();
            }
        }
    }

    @Test
    void rightAndWrongPasswordsAreAnsweredPerProtocolAndNothingIsStored() throws Exception {
        try (var h = new ApiHarness(dir);
                var logs = new LogCapture()) {
            h.mail.setUser("vera@dealer-v.test", "vera@dealer-v.test", "vera-right-app-pass");
            h.start();
            var token = h.token("crm", "checks:run");

            var right = h.json("POST", "/api/v1/verify", token, h.mailbox("vera@dealer-v.test", "vera-right-app-pass"));
            assertThat(right.statusCode()).as(right.body()).isEqualTo(200);
            var ok = body(right);
            assertThat(ok.get("ok").asBoolean()).isTrue();
            assertThat(ok.get("checks").findValuesAsText("protocol")).containsExactly("imap", "smtp");
            assertThat(ok.get("checks").findValuesAsText("outcome")).containsOnly("OK");
            assertThat(ok.get("checks").get(0).get("hint").asText()).contains("this password works");
            assertThat(ok.get("checks").get(0).has("duration_ms")).isTrue();
            assertThat(ok.get("warnings").size()).isZero();

            var wrong = h.json("POST", "/api/v1/verify", token, h.mailbox("vera@dealer-v.test", "vera-wrong-app-pass"));
            assertThat(wrong.statusCode()).isEqualTo(200);
            var bad = body(wrong);
            assertThat(bad.get("ok").asBoolean()).isFalse();
            assertThat(bad.get("checks").findValuesAsText("outcome")).contains("AUTH_REJECTED");
            assertThat(bad.get("checks").get(0).get("hint").asText()).contains("refused this password");

            var noPassword = h.json("POST", "/api/v1/verify", token, h.mailbox("vera@dealer-v.test", null));
            assertThat(noPassword.statusCode()).isEqualTo(400);
            assertThat(body(noPassword).get("detail").asText()).startsWith("password: required");
            var unknown = h.json(
                    "POST", "/api/v1/verify", token, with(h.mailbox("vera@dealer-v.test", "x-app-pass"), "save", true));
            assertThat(unknown.statusCode()).isEqualTo(400);

            assertThat(h.app.workspace().integrations().list())
                    .as("verify stores no integration")
                    .isEmpty();
            long checks = h.app.workspace()
                    .database()
                    .jdbi()
                    .withHandle(hd -> hd.createQuery("SELECT count(*) FROM check_result")
                            .mapTo(Long.class)
                            .one());
            assertThat(checks).as("and no check").isZero();
            assertThat(right.body() + wrong.body() + logs.text() + h.metrics())
                    .doesNotContain("vera-right-app-pass")
                    .doesNotContain("vera-wrong-app-pass")
                    .doesNotContain(token);

            // 2 calls so far for this mailbox (the 400s never reached the limiter); 3 more are allowed, then 429
            for (int i = 0; i < 3; i++) {
                assertThat(h.json(
                                        "POST",
                                        "/api/v1/verify",
                                        token,
                                        h.mailbox("vera@dealer-v.test", "vera-wrong-app-pass"))
                                .statusCode())
                        .isEqualTo(200);
            }
            var limited =
                    h.json("POST", "/api/v1/verify", token, h.mailbox("VERA@dealer-v.test", "vera-right-app-pass"));
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After"))
                    .hasValueSatisfying(s -> assertThat(Integer.parseInt(s)).isBetween(1, 61));
            assertThat(body(limited).get("detail").asText()).contains("at most 5");
            // another mailbox is not held back by that one
            h.mail.setUser("walt@dealer-w.test", "walt@dealer-w.test", "walt-app-pass");
            assertThat(h.json("POST", "/api/v1/verify", token, h.mailbox("walt@dealer-w.test", "walt-app-pass"))
                            .statusCode())
                    .isEqualTo(200);
            // and a token without checks:run may not verify
            var reader = h.token("dash", "integrations:read");
            assertThat(h.json("POST", "/api/v1/verify", reader, h.mailbox("walt@dealer-w.test", "walt-app-pass"))
                            .statusCode())
                    .isEqualTo(403);
        }
    }

    @Test
    void oneTokenVerifiesAtMostSixtyTimesAMinuteWhateverTheMailboxAndWarningsComeBack() throws Exception {
        try (var h = new ApiHarness(dir)) {
            h.start();
            var token = h.token("bulk", "checks:run");

            var gmail = with(h.mailbox("gina@gmail.com", "Summer2024!"), "provider", "gmail");
            var first = h.json("POST", "/api/v1/verify", token, gmail);
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            assertThat(body(first).get("warnings").findValuesAsText("code")).containsExactly("not_an_app_password");
            assertThat(first.body()).doesNotContain("Summer2024!");

            // a different mailbox each time: only the token's own limit can stop these
            for (int i = 1; i < VerifyRoute.PER_TOKEN; i++) {
                var r = h.json("POST", "/api/v1/verify", token, h.mailbox("m" + i + "@dealer-m.test", "m-app-pass"));
                assertThat(r.statusCode()).as("call %d: %s", i + 1, r.body()).isEqualTo(200);
            }
            var limited = h.json("POST", "/api/v1/verify", token, h.mailbox("last@dealer-m.test", "m-app-pass"));
            assertThat(limited.statusCode()).as(limited.body()).isEqualTo(429);
            assertThat(body(limited).get("detail").asText())
                    .startsWith("this token: at most 60 verifications per 60 s");
            assertThat(limited.headers().firstValue("Retry-After"))
                    .hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(1, 61));

            // another token is not held back by that one
            var other = h.token("other", "checks:run");
            assertThat(h.json("POST", "/api/v1/verify", other, h.mailbox("last@dealer-m.test", "m-app-pass"))
                            .statusCode())
                    .isEqualTo(200);
        }
    }
}
