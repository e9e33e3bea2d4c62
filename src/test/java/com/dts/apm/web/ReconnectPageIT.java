package com.dts.apm.web;

import static com.dts.apm.web.PageHarness.csrf;
import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.provider.Outcome;
import com.dts.apm.testing.Await;
import com.dts.apm.testing.LogCapture;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hosted reconnect page end to end over real HTTP: the link arrives in a real failure email through the relay,
 * a wrong password is explained and saves nothing, the right one is saved, makes the mailbox HEALTHY at once, raises
 * integration.password_replaced and is readable by the CRM; the link then, and expired, superseded, over-tried,
 * forged and hostile requests are refused with a page, and neither token nor password reaches a log.
 */
class ReconnectPageIT {
    @TempDir
    Path dir;

    private static void securityHeaders(HttpResponse<String> r) {
        var h = r.headers();
        assertThat(h.firstValue("Content-Security-Policy"))
                .hasValueSatisfying(v -> assertThat(v)
                        .contains("frame-ancestors 'none'")
                        .contains("script-src 'self'")
                        .doesNotContain("unsafe-inline"));
        assertThat(h.firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(h.firstValue("Cache-Control")).hasValue("no-store");
        assertThat(h.firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(h.firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(h.firstValue("Strict-Transport-Security"))
                .as("plain HTTP, public-url http: no HSTS")
                .isEmpty();
    }

    @Test
    void theLinkInTheFailureEmailTakesAWrongPasswordThenTheRightOneAndIsThenUsedUp() throws Exception {
        try (var h = new PageHarness(dir, 3);
                var logs = new LogCapture()) {
            h.start();
            long id = h.failingMailbox(
                    "rita@dealer-r.test", "<script>alert(1)</script> Rita & Sons", "rita-old-app-pass");
            var link = h.linkFromEmail("rita@dealer-r.test");
            var token = link.substring(link.lastIndexOf('/') + 1);
            var email = h.mailsTo("rita@dealer-r.test").get(0);
            assertThat(email)
                    .as("text and HTML part carry the link")
                    .containsPattern("(?s)" + link + ".*href=\"" + link + "\"");

            var page = h.get(link);
            assertThat(page.statusCode()).isEqualTo(200);
            securityHeaders(page);
            var html = page.body();
            assertThat(html)
                    .contains("rita@dealer-r.test")
                    .contains("Acme &lt;b&gt;Motors&lt;/b&gt; CRM")
                    .contains("&lt;script&gt;alert(1)&lt;/script&gt; Rita &amp; Sons")
                    .doesNotContain("<script>alert")
                    .contains("Create a new app password and name it after the program") // custom steps from steps.yml
                    .contains("<label for=\"password\">")
                    .contains("id=\"password\"")
                    .contains("autocomplete=\"off\"")
                    .contains("mailto:help@acme.test")
                    .contains("/assets/reconnect.css")
                    .doesNotContain("style=")
                    .doesNotContainPattern("<script>[^<]");

            // no form token: refused, nothing stored, no login made
            var noCsrf = h.post(link, Map.of("password", "rita-new-app-pass"));
            assertThat(noCsrf.statusCode()).isEqualTo(403);
            securityHeaders(noCsrf);
            assertThat(noCsrf.body()).contains("This form has expired").contains("Nothing was saved");

            h.mail.getUserManager().getUser("rita@dealer-r.test").setPassword("ritanewapppass");
            var form = csrf(h.get(link));
            var wrong = h.post(link, Map.of("csrf", form, "password", "rita-typo-pass"));
            assertThat(wrong.statusCode()).isEqualTo(200);
            assertThat(wrong.body())
                    .contains("That password did not work")
                    .contains("refused this password")
                    .contains("Nothing was saved")
                    .contains("You can try 2 more times");
            assertThat(h.state(id)).isEqualTo("FAILING");
            assertThat(h.app.workspace().integrations().password(id).reveal())
                    .as("nothing saved")
                    .isEqualTo("rita-old-app-pass");
            var replay = h.post(link, Map.of("csrf", form, "password", "ritanewapppass"));
            assertThat(replay.statusCode()).as("a form token works once").isEqualTo(403);

            // the right one, pasted with spaces as providers show it
            var right = h.post(link, Map.of("csrf", csrf(wrong), "password", " rita new app pass "));
            assertThat(right.statusCode()).as(right.body()).isEqualTo(200);
            securityHeaders(right);
            assertThat(right.body()).contains("Saved: mail flows again").contains("rita@dealer-r.test");
            assertThat(h.state(id)).as("HEALTHY at once").isEqualTo("HEALTHY");
            assertThat(h.app.workspace().integrations().password(id).reveal()).isEqualTo("ritanewapppass");
            String reason = h.app.workspace()
                    .database()
                    .jdbi()
                    .withHandle(x -> x.createQuery(
                                    "SELECT reason FROM state_transition WHERE integration_id = :i ORDER BY id DESC LIMIT 1")
                            .bind("i", id)
                            .mapTo(String.class)
                            .one());
            assertThat(reason).isEqualTo("new password entered on the reconnect page");
            Await.until(
                    "password_replaced webhook",
                    Duration.ofSeconds(15),
                    () -> h.webhooks.stream().anyMatch(b -> b.contains("\"integration.password_replaced\"")));
            Await.until(
                    "recovered webhook",
                    Duration.ofSeconds(15),
                    () -> h.webhooks.stream().anyMatch(b -> b.contains("\"integration.recovered\"")));

            var credential = h.api("GET", "/api/v1/integrations/crm-rita/credential", null);
            assertThat(credential.statusCode()).isEqualTo(200);
            assertThat(PageHarness.JSON
                            .readTree(credential.body())
                            .get("password")
                            .asText())
                    .isEqualTo("ritanewapppass");
            assertThat(logs.text()).contains("api token crm-main read the password of integration " + id);

            var used = h.get(link);
            assertThat(used.statusCode()).isEqualTo(410);
            securityHeaders(used);
            assertThat(used.body()).contains("This link has been used").contains("What to do instead");
            assertThat(h.post(link, Map.of("csrf", csrf(wrong), "password", "x"))
                            .statusCode())
                    .isEqualTo(410);

            var css = h.get(h.url("/assets/reconnect.css"));
            assertThat(css.statusCode()).isEqualTo(200);
            assertThat(css.headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
            assertThat(h.get(h.url("/assets/reconnect.js")).body()).contains("progress");

            Await.until(
                    "request lines logged",
                    Duration.ofSeconds(5),
                    () -> logs.text().contains("page POST /reconnect/{token} -> 200"));
            var everything = logs.text()
                    + h.webhooks
                    + credential.headers()
                    + h.get("http://127.0.0.1:" + h.app.httpPort() + "/metrics").body();
            assertThat(everything)
                    .doesNotContain(token)
                    .doesNotContain("ritanewapppass")
                    .doesNotContain("rita-typo-pass")
                    .doesNotContain("rita new app pass")
                    .contains("/reconnect/{token}");
            assertThat(right.body() + wrong.body() + used.body())
                    .doesNotContain("ritanewapppass")
                    .doesNotContain("rita-typo-pass");
        }
    }

    @Test
    void expiredSupersededOverTriedForgedAndHostileRequestsGetAPageAndNoLogin() throws Exception {
        try (var h = new PageHarness(dir, 2);
                var logs = new LogCapture()) {
            h.start();
            long id = h.failingMailbox("sam@dealer-s.test", "Sam's Cars", "sam-old-app-pass");
            var links = h.app.workspace().reconnectLinks();
            long incident = h.app.workspace()
                    .database()
                    .jdbi()
                    .withHandle(x -> x.createQuery(
                                    "SELECT max(id) FROM state_transition WHERE integration_id = :i AND to_state = 'FAILING'")
                            .bind("i", id)
                            .mapTo(Long.class)
                            .one());

            var expired = links.issue(id, incident, Outcome.AUTH_REJECTED, Duration.ofMillis(1));
            Thread.sleep(20);
            var e = h.get(h.url("/reconnect/" + expired));
            assertThat(e.statusCode()).isEqualTo(410);
            assertThat(e.body()).contains("This link has expired").contains("newest email");

            var older = links.issue(id, incident, Outcome.AUTH_REJECTED, Duration.ofDays(1));
            assertThat(h.get(h.url("/reconnect/" + older)).statusCode()).isEqualTo(200);
            var newer = links.issue(
                    id, incident + 1000, Outcome.AUTH_REJECTED, Duration.ofDays(1)); // a newer incident's email
            var s = h.get(h.url("/reconnect/" + older));
            assertThat(s.statusCode()).isEqualTo(410);
            assertThat(s.body()).contains("There is a newer email about this mailbox");
            assertThat(newer).isNotEqualTo(older);

            // max-attempts 2: two wrong passwords, then the link checks no more
            var live = links.issue(id, incident, Outcome.AUTH_REJECTED, Duration.ofDays(1));
            var url = h.url("/reconnect/" + live);
            var first = h.post(url, Map.of("csrf", csrf(h.get(url)), "password", "sam-wrong-1"));
            assertThat(first.body()).contains("You can try once more with this link.");
            var second = h.post(url, Map.of("csrf", csrf(first), "password", "sam-wrong-2"));
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(second.body())
                    .contains("That was the last try this link allows.")
                    .doesNotContain("name=\"csrf\"");
            var over = h.get(url);
            assertThat(over.statusCode()).isEqualTo(410);
            assertThat(over.body()).contains("tried too many times");
            assertThat(h.app.workspace().integrations().password(id).reveal()).isEqualTo("sam-old-app-pass");
            assertThat(links.find(live).orElseThrow().attempts())
                    .as("logins made through the link")
                    .isEqualTo(2);

            // forged, truncated, long tokens: a 404 page, never an error
            var fresh = links.issue(id, incident, Outcome.AUTH_REJECTED, Duration.ofDays(1));
            for (var bad : new String[] {"A".repeat(43), fresh.substring(0, 20), "x".repeat(3000), "%3Cscript%3E"}) {
                var r = h.get(h.url("/reconnect/" + bad));
                assertThat(r.statusCode()).as(bad).isEqualTo(404);
                assertThat(r.body()).contains("This link does not work");
                securityHeaders(r);
            }
            assertThat(h.get(h.url("/reconnect/..%2F..%2Fetc")).statusCode())
                    .as("an ambiguous path: Jetty refuses it")
                    .isEqualTo(400);
            var huge = h.get(h.url("/reconnect/" + "x".repeat(10_000)));
            assertThat(huge.statusCode())
                    .as("over the request line limit: Jetty refuses it")
                    .isBetween(400, 431);
            assertThat(huge.body()).doesNotContain("x".repeat(100));

            // a 10 MB form is refused before it is read
            var big =
                    h.post(h.url("/reconnect/" + fresh), Map.of("csrf", "x", "password", "p".repeat(10 * 1024 * 1024)));
            assertThat(big.statusCode()).isEqualTo(413);
            assertThat(big.body()).contains("The form could not be read");
            assertThat(h.get(h.url("/reconnect/" + fresh)).statusCode())
                    .as("the link is unharmed")
                    .isEqualTo(200);

            // 100 quick tries from one address: the address is held back after 20 posts
            int limited = 0;
            for (int i = 0; i < 100; i++) {
                var r = h.post(h.url("/reconnect/" + "B".repeat(43)), Map.of("csrf", "x", "password", "guess-" + i));
                if (r.statusCode() == 429) {
                    limited++;
                    assertThat(r.headers().firstValue("Retry-After")).isPresent();
                    assertThat(r.body()).contains("Too many tries in a short time");
                }
            }
            assertThat(limited).isGreaterThanOrEqualTo(100 - ReconnectPages.POSTS_PER_ADDRESS - 2);
            assertThat(logs.text()).doesNotContain(fresh).doesNotContain(live).doesNotContain("sam-wrong-1");
        }
    }

    @Test
    void remindersCarryTheirOwnLinkAndANewIncidentSupersedesTheOldOnes() throws Exception {
        try (var h = new PageHarness(dir, 10);
                var logs = new LogCapture()) {
            h.start();
            long id = h.failingMailbox("tom@dealer-t.test", "Tom's Trucks", "tom-old-app-pass");
            var first = h.linkFromEmail("tom@dealer-t.test");

            // the reminder (2 s after the failure email here) is rendered with a link of its own, for the same incident
            Await.until(
                    "a reminder queued",
                    Duration.ofSeconds(10),
                    () -> h.app.alerting().reminders().queueDue() > 0);
            h.app.alerting().sendRound();
            Await.until(
                    "the reminder delivered",
                    Duration.ofSeconds(10),
                    () -> h.mailsTo("tom@dealer-t.test").size() >= 2);
            var reminder = h.linkFromEmail("tom@dealer-t.test");
            assertThat(reminder).isNotEqualTo(first);
            assertThat(h.mailsTo("tom@dealer-t.test").get(1)).contains("Reminder");
            assertThat(h.get(first).statusCode())
                    .as("the failure email's link still opens")
                    .isEqualTo(200);
            assertThat(h.get(reminder).statusCode()).isEqualTo(200);

            // quick tries on one link: 5 a minute, then a 429 page (and no login)
            var page = h.get(reminder);
            for (int i = 0; i < ReconnectFlow.PER_LINK; i++) {
                page = h.post(reminder, Map.of("csrf", csrf(page), "password", "tom-guess-" + i));
                assertThat(page.statusCode()).isEqualTo(200);
            }
            var limited = h.post(reminder, Map.of("csrf", csrf(page), "password", "tom-guess-6"));
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.body()).contains("Too many tries in a short time");
            assertThat(limited.headers().firstValue("Retry-After")).isPresent();
            var token = reminder.substring(reminder.lastIndexOf('/') + 1);
            assertThat(h.app.workspace()
                            .reconnectLinks()
                            .find(token)
                            .orElseThrow()
                            .attempts())
                    .isEqualTo(ReconnectFlow.PER_LINK);

            // the CRM fixes it its own way: the links say the mailbox works again
            h.mail.getUserManager().getUser("tom@dealer-t.test").setPassword("tom-crm-app-pass");
            var body = h.api("GET", "/api/v1/integrations/crm-tom", null).body();
            var put = PageHarness.JSON.readTree(body);
            var update = new java.util.LinkedHashMap<String, Object>();
            update.put("dealer_id", put.get("dealer_id").asText());
            update.put("email", "tom@dealer-t.test");
            update.put("provider", "custom");
            update.put(
                    "imap", Map.of("host", "127.0.0.1", "port", h.mail.getImap().getPort(), "security", "plain"));
            update.put(
                    "smtp", Map.of("host", "127.0.0.1", "port", h.mail.getSmtp().getPort(), "security", "plain"));
            update.put("protocols", java.util.List.of("imap", "smtp"));
            update.put("password", "tom-crm-app-pass");
            assertThat(h.api("PUT", "/api/v1/integrations/crm-tom", PageHarness.JSON.writeValueAsString(update))
                            .statusCode())
                    .isEqualTo(200);
            Await.until("healthy", Duration.ofSeconds(15), () -> h.state(id).equals("HEALTHY"));
            var fixed = h.get(first);
            assertThat(fixed.statusCode()).isEqualTo(410);
            assertThat(fixed.body()).contains("This mailbox is working again");

            // a new incident: its email has a new link, and the old ones are superseded
            int before = h.linksTo("tom@dealer-t.test").size();
            h.mail.getUserManager().getUser("tom@dealer-t.test").setPassword("changed-again");
            assertThat(h.api("POST", "/api/v1/integrations/crm-tom/check", null).statusCode())
                    .isEqualTo(200);
            Await.until(
                    "failing again", Duration.ofSeconds(20), () -> h.state(id).equals("FAILING"));
            Await.until(
                    "a second failure email",
                    Duration.ofSeconds(20),
                    () -> h.linksTo("tom@dealer-t.test").size() > before);
            var third = h.linksTo("tom@dealer-t.test").get(before);
            assertThat(third).isNotIn(first, reminder);
            for (var old : new String[] {first, reminder}) {
                var r = h.get(old);
                assertThat(r.statusCode()).isEqualTo(410);
                assertThat(r.body()).contains("There is a newer email about this mailbox");
            }
            assertThat(h.get(third).statusCode()).isEqualTo(200);

            // switched off by the CRM: the link says so instead of opening the form
            update.remove("password");
            update.put("enabled", false);
            assertThat(h.api("PUT", "/api/v1/integrations/crm-tom", PageHarness.JSON.writeValueAsString(update))
                            .statusCode())
                    .isEqualTo(200);
            var off = h.get(third);
            assertThat(off.statusCode()).isEqualTo(410);
            assertThat(off.body()).contains("This mailbox is no longer checked");
            assertThat(logs.text()).doesNotContain(token).doesNotContain("tom-guess-");
        }
    }

    @Test
    void aLinkExistsOnlyForMailThatWentOut() throws Exception {
        int closed;
        try (var s = new java.net.ServerSocket(0)) {
            closed = s.getLocalPort(); // nothing listens there once this closes: the relay is down
        }
        try (var h = new PageHarness(dir, 10, "Acme CRM", closed)) {
            h.start();
            h.failingMailbox("una@dealer-u.test", "Una's Vans", "una-old-app-pass");
            var db = h.app.workspace().database().jdbi();
            Await.until(
                    "the failure email tried and refused",
                    Duration.ofSeconds(20),
                    () -> db.withHandle(x -> x.createQuery(
                                            "SELECT count(*) FROM alert_outbox WHERE kind = 'failure' AND attempts >= 1")
                                    .mapTo(Long.class)
                                    .one())
                            > 0);
            // the attempt is written before the link is forgotten: wait for the round to end (next try in 1 min)
            Await.until(
                    "the link rendered for the undelivered mail forgotten",
                    Duration.ofSeconds(5),
                    () -> db.withHandle(x -> x.createQuery("SELECT count(*) FROM reconnect_link")
                                    .mapTo(Long.class)
                                    .one())
                            == 0);
            long pending =
                    db.withHandle(x -> x.createQuery("SELECT count(*) FROM alert_outbox WHERE status = 'PENDING'")
                            .mapTo(Long.class)
                            .one());
            assertThat(pending).as("the failure email waits for the relay").isEqualTo(1);
        }
    }
}
