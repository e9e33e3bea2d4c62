package com.dts.apm.api;

import static com.dts.apm.api.ApiHarness.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.Await;
import com.dts.apm.testing.LogCapture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dealer system drives integrations by its own ids over real HTTP against the running daemon and GreenMail. */
class ApiIntegrationsIT {
    @TempDir
    java.nio.file.Path dir;

    /** The daemon and its API for one test; the PostgresIT subclass puts its database on PostgreSQL. */
    ApiHarness harness(java.nio.file.Path dir, String... extraConfig) throws java.io.IOException {
        return new ApiHarness(dir, extraConfig);
    }

    private String state(ApiHarness h, String token, String ext) throws Exception {
        return body(h.get("/api/v1/integrations/" + ext, token)).get("state").asText();
    }

    @Test
    void putCreatesThenUpdatesAndANewPasswordIsCheckedAtOnce() throws Exception {
        try (var h = harness(dir);
                var logs = new LogCapture()) {
            h.mail.setUser("alice@dealer-a.test", "alice@dealer-a.test", "alice-app-password-1");
            h.start();
            var token = h.token("crm", "integrations:read,integrations:write,checks:run");

            var created = h.json(
                    "PUT",
                    "/api/v1/integrations/crm-42",
                    token,
                    h.mailbox("alice@dealer-a.test", "alice-app-password-1"));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/integrations/crm-42");
            var view = body(created);
            assertThat(view.get("external_id").asText()).isEqualTo("crm-42");
            assertThat(view.get("protocols").toString()).isEqualTo("[\"imap\",\"smtp\"]");
            assertThat(view.get("imap").get("security").asText()).isEqualTo("plain");
            assertThat(view.has("password")).isFalse();
            assertThat(view.get("warnings").isArray())
                    .as("a PUT answer says what looks wrong")
                    .isTrue();
            assertThat(view.get("warnings").size()).isZero();
            assertThat(body(h.get("/api/v1/integrations/crm-42", token)).has("warnings"))
                    .as("only a PUT answer carries warnings")
                    .isFalse();
            for (var field : List.of(
                    "id", "dealer_id", "email", "provider", "state", "enabled", "last_checked_at", "last_success_at")) {
                assertThat(view.has(field)).as(field).isTrue();
            }
            Await.until(
                    "checked at once",
                    Duration.ofSeconds(10),
                    () -> quietly(() -> state(h, token, "crm-42").equals("HEALTHY")));

            // an update without a password keeps the stored one and answers 200
            var renamed = new java.util.LinkedHashMap<>(h.mailbox("alice@dealer-a.test", null));
            renamed.put("dealer_name", "Alice Motors");
            var updated = h.json("PUT", "/api/v1/integrations/crm-42", token, renamed);
            assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
            assertThat(body(updated).get("dealer_name").asText()).isEqualTo("Alice Motors");
            assertThat(body(updated).get("state").asText()).isEqualTo("HEALTHY");

            // the dealer's password dies; the CRM puts a new one and it is checked at once
            h.mail.getUserManager().getUser("alice@dealer-a.test").setPassword("alice-app-password-2");
            var check = h.send("POST", "/api/v1/integrations/crm-42/check", token, null, null);
            assertThat(check.statusCode()).as(check.body()).isEqualTo(200);
            assertThat(body(check).get("checks").get(0).get("outcome").asText()).isEqualTo("AUTH_REJECTED");
            assertThat(body(check).get("state").asText()).isEqualTo("SUSPECT");
            var fixed = h.json(
                    "PUT",
                    "/api/v1/integrations/crm-42",
                    token,
                    h.mailbox("alice@dealer-a.test", "alice-app-password-2"));
            assertThat(fixed.statusCode()).isEqualTo(200);
            Await.until(
                    "healthy again",
                    Duration.ofSeconds(10),
                    () -> quietly(() -> state(h, token, "crm-42").equals("HEALTHY")));

            var history = h.get("/api/v1/integrations/crm-42/history", token);
            assertThat(history.statusCode()).isEqualTo(200);
            assertThat(body(history).get("checks").findValuesAsText("outcome")).contains("AUTH_REJECTED", "OK");
            assertThat(body(history).get("transitions").size()).isGreaterThanOrEqualTo(3);

            // the same mailbox under another external id is a conflict, not a second row
            var clash = h.json(
                    "PUT", "/api/v1/integrations/crm-43", token, h.mailbox("alice@dealer-a.test", "x-app-password"));
            assertThat(clash.statusCode()).as(clash.body()).isEqualTo(409);
            assertThat(body(clash).get("detail").asText()).contains("alice@dealer-a.test", "crm-42");

            // the password comes back only on the credential route, and only for credentials:read
            assertThat(h.get("/api/v1/integrations/crm-42/credential", token).statusCode())
                    .isEqualTo(403);
            var vault = h.token("vault", "credentials:read");
            var credential = h.get("/api/v1/integrations/crm-42/credential", vault);
            assertThat(credential.statusCode()).isEqualTo(200);
            assertThat(body(credential).get("password").asText()).isEqualTo("alice-app-password-2");
            // the access-log line is written once the answer has gone out, so it may follow the client's read
            Await.until(
                    "the credential read's access-log line",
                    Duration.ofSeconds(5),
                    () -> logs.text().contains("api vault GET /api/v1/integrations/{external_id}/credential -> 200"));

            assertThat(h.send("DELETE", "/api/v1/integrations/crm-42", token, null, null)
                            .statusCode())
                    .isEqualTo(204);
            assertThat(h.get("/api/v1/integrations/crm-42", token).statusCode()).isEqualTo(404);
            assertThat(h.send("DELETE", "/api/v1/integrations/crm-42", token, null, null)
                            .statusCode())
                    .isEqualTo(404);

            var metrics = h.metrics();
            assertThat(metrics)
                    .contains("apm_api_requests_total{route=\"/api/v1/integrations/{external_id}\",status=\"201\"}")
                    .contains(
                            "apm_api_request_duration_seconds_count{route=\"/api/v1/integrations/{external_id}/check\"}")
                    .doesNotContain("crm-42")
                    .doesNotContain("alice");
            var text = logs.text();
            assertThat(text).contains("api crm PUT /api/v1/integrations/{external_id} -> 201");
            assertThat(text + metrics)
                    .doesNotContain("alice-app-password")
                    .doesNotContain(token)
                    .doesNotContain(vault);
        }
    }

    @Test
    void aPutWithAnOAuthGrantStoresTheRefreshTokenSealedAndNeverAnswersIt() throws Exception {
        var secret = java.nio.file.Files.writeString(dir.resolve("oauth.secret"), "s\n");
        try (var h = harness(
                dir,
                "oauth:",
                "  google: { client-id: c, client-secret-file: " + secret
                        + ", token-url: \"https://oauth2.googleapis.com/token\" }",
                "  dealer-crm-ms: { client-id: c2, client-secret-file: " + secret
                        + ", token-url: \"https://login.microsoftonline.com/common/oauth2/v2.0/token\" }")) {
            h.start();
            var token = h.token("crm", "integrations:read,integrations:write");
            var grant = with(
                    with(with(h.mailbox("gina@gmail.com", null), "provider", "gmail"), "auth", "oauth2"),
                    "refresh_token",
                    "1//0gApiGrant-refresh");
            var put = h.json("PUT", "/api/v1/integrations/crm-9", token, grant);
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
            assertThat(put.body()).doesNotContain("1//0gApiGrant-refresh").doesNotContain("refresh_token");
            assertThat(body(put).get("warnings").size())
                    .as("no app-password warnings for a grant")
                    .isZero();
            assertThat(body(put).get("auth").asText()).isEqualTo("oauth2");
            assertThat(body(put).get("oauth_app").asText()).isEqualTo("google");
            var id = body(put).get("id").asLong();
            assertThat(h.cli.run("integrations", "show", String.valueOf(id)).out())
                    .contains("auth:           oauth2 (app google, the provider's default)");
            // the provider's default app (microsoft) is not configured: refused, nothing stored
            var outlook = with(
                    with(with(h.mailbox("otto@outlook.com", null), "provider", "outlook"), "auth", "oauth2"),
                    "refresh_token",
                    "M.C507-outlook-refresh");
            var unconfigured = h.json("PUT", "/api/v1/integrations/crm-12", token, outlook);
            assertThat(unconfigured.statusCode()).as(unconfigured.body()).isEqualTo(422);
            assertThat(unconfigured.body())
                    .contains("oauth_app: OAuth app 'microsoft' is not configured (configured: dealer-crm-ms, google)")
                    .doesNotContain("M.C507-outlook-refresh");
            assertThat(h.get("/api/v1/integrations/crm-12", token).statusCode()).isEqualTo(404);
            // the app named in the body is used and said
            var named =
                    h.json("PUT", "/api/v1/integrations/crm-12", token, with(outlook, "oauth_app", "dealer-crm-ms"));
            assertThat(named.statusCode()).as(named.body()).isEqualTo(201);
            assertThat(body(named).get("oauth_app").asText()).isEqualTo("dealer-crm-ms");
            assertThat(body(h.get("/api/v1/integrations/crm-12", token))
                            .get("oauth_app")
                            .asText())
                    .isEqualTo("dealer-crm-ms");
            assertThat(h.json("PUT", "/api/v1/integrations/crm-13", token, with(outlook, "oauth_app", "nope"))
                            .statusCode())
                    .isEqualTo(422);
            var passwordWithApp = with(h.mailbox("pat@dealer.test", "pw-123456"), "oauth_app", "google");
            assertThat(h.json("PUT", "/api/v1/integrations/crm-14", token, passwordWithApp)
                            .body())
                    .contains("oauth_app: needs auth oauth2");
            var plain = h.json("PUT", "/api/v1/integrations/crm-15", token, h.mailbox("pia@dealer.test", "pw-123456"));
            assertThat(body(plain).get("auth").asText()).isEqualTo("password");
            assertThat(body(plain).get("oauth_app").isNull()).isTrue();
            assertThat(com.dts.apm.testing.Fixtures.anyFileContains(dir.resolve("data"), "1//0gApiGrant-refresh"))
                    .isFalse();
            var both = with(grant, "password", "abcd efgh ijkl mnop");
            assertThat(h.json("PUT", "/api/v1/integrations/crm-9", token, both).statusCode())
                    .isEqualTo(400);
            var noToken = with(with(h.mailbox("new@gmail.com", null), "provider", "gmail"), "auth", "oauth2");
            var missing = h.json("PUT", "/api/v1/integrations/crm-10", token, noToken);
            assertThat(missing.statusCode()).isEqualTo(400);
            assertThat(missing.body()).contains("refresh_token: required for a new integration");
            assertThat(h.json("PUT", "/api/v1/integrations/crm-11", token, with(noToken, "auth", "kerberos"))
                            .statusCode())
                    .isEqualTo(400);
        }
    }

    @Test
    void aPutWhosePasswordLooksLikeTheMainOneIsStoredWithACodedWarning() throws Exception {
        try (var h = harness(dir)) {
            h.start();
            var token = h.token("crm", "integrations:read,integrations:write");

            var gmail = with(h.mailbox("gina@gmail.com", "Summer2024!"), "provider", "gmail");
            var put = h.json("PUT", "/api/v1/integrations/crm-7", token, gmail);
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
            var warnings = body(put).get("warnings");
            assertThat(warnings.findValuesAsText("code")).containsExactly("not_an_app_password");
            assertThat(warnings.get(0).get("message").asText())
                    .contains("probably the main account password", "https://myaccount.google.com/apppasswords")
                    .doesNotContain("Summer2024!");

            // the same body with an app password of Gmail's shape: nothing to warn about
            var fixed =
                    h.json("PUT", "/api/v1/integrations/crm-7", token, with(gmail, "password", "abcd efgh ijkl mnop"));
            assertThat(fixed.statusCode()).isEqualTo(200);
            assertThat(body(fixed).get("warnings").size()).isZero();

            // Outlook.com takes no password at all: said once, without sending anyone to create an app password
            var outlook = with(h.mailbox("otto@outlook.com", "whatever-pass"), "provider", "outlook");
            var ms = body(h.json("PUT", "/api/v1/integrations/crm-8", token, outlook));
            assertThat(ms.get("warnings").findValuesAsText("code")).containsExactly("provider_takes_no_passwords");
        }
    }

    @Test
    void listPagesWithFiltersAndStaysStableUnderInserts() throws Exception {
        try (var h = harness(dir)) {
            h.start();
            var token = h.token("crm", "integrations:read,integrations:write");
            for (int i = 0; i < 5; i++) {
                var r = h.json(
                        "PUT",
                        "/api/v1/integrations/ext-" + i,
                        token,
                        h.mailbox("m" + i + "@dealer-m.test", "pw-m" + i + "-app-pass"));
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            }
            var seen = new ArrayList<String>();
            var page = body(h.get("/api/v1/integrations?limit=2", token));
            page.get("items").forEach(i -> seen.add(i.get("external_id").asText()));
            // inserted while the CRM pages: it comes last, nothing is skipped or repeated
            assertThat(h.json(
                                    "PUT",
                                    "/api/v1/integrations/ext-new",
                                    token,
                                    h.mailbox("new@dealer-m.test", "pw-new-app-pass"))
                            .statusCode())
                    .isEqualTo(201);
            while (!page.get("next_cursor").isNull()) {
                page = body(h.get(
                        "/api/v1/integrations?limit=2&cursor="
                                + page.get("next_cursor").asText(),
                        token));
                page.get("items").forEach(i -> seen.add(i.get("external_id").asText()));
            }
            assertThat(seen).containsExactly("ext-0", "ext-1", "ext-2", "ext-3", "ext-4", "ext-new");
            assertThat(new HashSet<>(seen)).hasSize(6);

            var filtered =
                    body(h.get("/api/v1/integrations?provider=custom&dealer_id=D-m&state=UNKNOWN&limit=500", token));
            assertThat(filtered.get("items").size()).isEqualTo(5);
            assertThat(filtered.get("next_cursor").isNull()).isTrue();
            assertThat(body(h.get("/api/v1/integrations?dealer_id=D-x", token))
                            .get("items")
                            .size())
                    .isZero();
            // a cursor made for other filters does not page this listing
            var first = body(h.get("/api/v1/integrations?limit=1", token))
                    .get("next_cursor")
                    .asText();
            var wrong = h.get("/api/v1/integrations?limit=1&provider=custom&cursor=" + first, token);
            assertThat(wrong.statusCode()).isEqualTo(400);
            assertThat(body(wrong).get("detail").asText()).startsWith("cursor:");
        }
    }

    @Test
    void tokensAreCheckedAndScopesEnforced() throws Exception {
        try (var h = harness(dir);
                var logs = new LogCapture()) {
            h.start();
            var writer = h.token("crm", "integrations:read,integrations:write");
            var reader = h.token("dashboard", "integrations:read");
            var none = h.get("/api/v1/integrations", null);
            var forged = h.get("/api/v1/integrations", "apm_" + "A".repeat(43));
            var garbage = h.get("/api/v1/integrations", "not a token");
            for (var r : List.of(none, forged, garbage)) {
                assertThat(r.statusCode()).isEqualTo(401);
                assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                assertThat(r.headers().firstValue("WWW-Authenticate")).isPresent();
            }
            assertThat(forged.body())
                    .as("401 says nothing about why")
                    .isEqualTo(none.body())
                    .isEqualTo(garbage.body());
            // an unknown path answers 401 too before a token: nothing is learnt without one
            assertThat(h.get("/api/v1/nothing-here", null).statusCode()).isEqualTo(401);
            assertThat(h.get("/api/v1/nothing-here", reader).statusCode()).isEqualTo(404);

            assertThat(h.get("/api/v1/integrations", reader).statusCode()).isEqualTo(200);
            var denied =
                    h.json("PUT", "/api/v1/integrations/x1", reader, h.mailbox("x1@dealer-x.test", "pw-x1-app-pass"));
            assertThat(denied.statusCode()).isEqualTo(403);
            assertThat(body(denied).get("detail").asText()).contains("integrations:write");
            assertThat(h.send("POST", "/api/v1/integrations/x1/check", writer, null, null)
                            .statusCode())
                    .isEqualTo(403);
            var wrongMethod = h.send("PATCH", "/api/v1/integrations/x1", writer, null, null);
            assertThat(wrongMethod.statusCode()).isEqualTo(405);
            assertThat(wrongMethod.headers().firstValue("Allow"))
                    .hasValueSatisfying(a -> assertThat(a).contains("PUT", "GET", "DELETE"));

            var list = h.cli.run("api-tokens", "list", "--json");
            assertThat(list.exit()).isZero();
            assertThat(list.out())
                    .contains("\"name\":\"crm\"", "\"integrations:write\"")
                    .doesNotContain(writer)
                    .doesNotContain(reader);
            assertThat(h.cli.run("api-tokens", "revoke", "dashboard").exit()).isZero();
            assertThat(h.get("/api/v1/integrations", reader).statusCode()).isEqualTo(401);
            assertThat(h.cli.run("api-tokens", "revoke", "dashboard").exit()).isEqualTo(2);
            assertThat(h.cli.run("api-tokens", "create", "crm", "--scopes", "integrations:read")
                            .exit())
                    .isEqualTo(2);
            var badScope = h.cli.run("api-tokens", "create", "ops", "--scopes", "integrations:read,admin");
            assertThat(badScope.exit()).isEqualTo(2);
            assertThat(badScope.err()).contains("unknown scope 'admin'");
            // the database holds only hashes
            var stored = h.app.workspace()
                    .database()
                    .jdbi()
                    .withHandle(hd -> hd.createQuery("SELECT token_hash, name, scopes FROM api_token")
                            .map((rs, ctx) -> java.util.HexFormat.of().formatHex(rs.getBytes(1))
                                    + rs.getString(2)
                                    + rs.getString(3))
                            .list());
            assertThat(String.join(" ", stored))
                    .doesNotContain(writer.substring(4))
                    .doesNotContain(reader.substring(4));
            assertThat(logs.text())
                    .doesNotContain(writer)
                    .doesNotContain(reader)
                    .contains("api - GET unmatched -> 401");
        }
    }

    @Test
    void theCommandLineTheCsvImportAndTheApiShareExternalIdsAndValidation() throws Exception {
        try (var h = harness(dir)) {
            h.start();
            var token = h.token("crm", "integrations:read,integrations:write");
            var imap = String.valueOf(h.mail.getImap().getPort());
            var smtp = String.valueOf(h.mail.getSmtp().getPort());
            var add = h.cli.runWithInput(
                    "cli-app-password\n",
                    "integrations",
                    "add",
                    "--dealer-id",
                    "D-c",
                    "--email",
                    "cli@dealer-c.test",
                    "--external-id",
                    "crm-cli",
                    "--provider",
                    "custom",
                    "--imap-host",
                    "127.0.0.1",
                    "--imap-port",
                    imap,
                    "--imap-security",
                    "plain",
                    "--smtp-host",
                    "127.0.0.1",
                    "--smtp-port",
                    smtp,
                    "--smtp-security",
                    "plain",
                    "--password-stdin");
            assertThat(add.exit()).as(add.err()).isZero();
            var got = h.get("/api/v1/integrations/crm-cli", token);
            assertThat(got.statusCode()).isEqualTo(200);
            assertThat(body(got).get("id").asLong())
                    .isEqualTo(Long.parseLong(add.out().strip()));

            var csv = dir.resolve("dealers.csv");
            java.nio.file.Files.writeString(
                    csv,
                    "dealer_id,email,external_id,provider,imap_host,imap_port,imap_security,"
                            + "smtp_host,smtp_port,smtp_security,password\n"
                            + "D-v,csv@dealer-v.test,crm-csv,custom,127.0.0.1," + imap + ",plain,127.0.0.1," + smtp
                            + ",plain,csv-app-password\n");
            var imported = h.cli.run("integrations", "import", csv.toString());
            assertThat(imported.exit()).as(imported.err()).isZero();
            assertThat(body(h.get("/api/v1/integrations/crm-csv", token))
                            .get("email")
                            .asText())
                    .isEqualTo("csv@dealer-v.test");
            // the same row again updates the same integration by its external id
            assertThat(h.cli.run("integrations", "import", csv.toString()).out())
                    .contains("0 added, 1 updated");

            // an external id already in use, through the command line
            var taken = h.cli.runWithInput(
                    "x-app-password\n",
                    "integrations",
                    "add",
                    "--dealer-id",
                    "D-c",
                    "--email",
                    "other@dealer-c.test",
                    "--external-id",
                    "crm-csv",
                    "--provider",
                    "custom",
                    "--imap-host",
                    "127.0.0.1",
                    "--imap-port",
                    imap,
                    "--imap-security",
                    "plain",
                    "--smtp-host",
                    "127.0.0.1",
                    "--smtp-port",
                    smtp,
                    "--smtp-security",
                    "plain",
                    "--password-stdin");
            assertThat(taken.exit()).isEqualTo(2);
            assertThat(taken.err()).contains("external id crm-csv is already used by integration");
            var badId = h.cli.runWithInput(
                    "x-app-password\n",
                    "integrations",
                    "add",
                    "--dealer-id",
                    "D-c",
                    "--email",
                    "o@dealer-c.test",
                    "--external-id",
                    "../etc",
                    "--provider",
                    "gmail",
                    "--password-stdin");
            assertThat(badId.exit()).isEqualTo(2);
            assertThat(badId.err()).contains("external id '../etc' must start with a letter or digit");

            // the same refusal through the CLI and the API, in each one's field names
            var cliPlain = h.cli.runWithInput(
                    "x-app-password\n",
                    "integrations",
                    "add",
                    "--dealer-id",
                    "D-c",
                    "--email",
                    "p@dealer-c.test",
                    "--provider",
                    "custom",
                    "--imap-host",
                    "imap.example.com",
                    "--imap-security",
                    "plain",
                    "--protocols",
                    "imap",
                    "--password-stdin");
            var apiPlain = h.json(
                    "PUT",
                    "/api/v1/integrations/p1",
                    token,
                    with(
                            with(
                                    h.mailbox("p@dealer-c.test", "x-app-password"),
                                    "imap",
                                    Map.of("host", "imap.example.com", "security", "plain")),
                            "protocols",
                            List.of("imap")));
            assertThat(cliPlain.err())
                    .contains("imap security 'plain' would send the password unencrypted to imap.example.com");
            assertThat(body(apiPlain).get("detail").asText())
                    .isEqualTo(
                            "imap.security 'plain' would send the password unencrypted to imap.example.com: it is allowed only for"
                                    + " a loopback host (use ssl or starttls)");
        }
    }

    static boolean quietly(java.util.concurrent.Callable<Boolean> c) {
        try {
            return c.call();
        } catch (Exception e) {
            return false;
        }
    }

    static Map<String, Object> with(Map<String, Object> m, String key, Object value) {
        var copy = new java.util.LinkedHashMap<>(m);
        copy.put(key, value);
        return copy;
    }
}
