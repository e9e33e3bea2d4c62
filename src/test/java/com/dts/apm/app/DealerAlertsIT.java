package com.dts.apm.app;

import static com.dts.apm.testing.Integrations.anIntegration;
import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.Security;
import com.dts.apm.store.NewIntegration;
import com.dts.apm.testing.PickyRelay;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Dealer alerts through the outbox to a real relay (GreenMail): once per incident, reminders, recovery, retries, bounces. */
class DealerAlertsIT extends AlertHarness {

    private static NewIntegration gmail(String email, String adminEmail) {
        return anIntegration()
                .withEmail(email)
                .withProvider("gmail")
                .withDealer("D-1", "Sample Motors")
                .withImap(new Endpoint("imap.gmail.com", 993, Security.SSL))
                .only(Protocol.IMAP)
                .withAdminEmail(adminEmail)
                .build();
    }

    @Test
    void emailsDealerOncePerIncidentWithProviderStepsAndLink() throws Exception {
        open();
        long id = add(gmail("sales@sample-motors.test", null));
        breakIt(id, Outcome.AUTH_REJECTED);
        alerting.sendRound();
        for (int i = 0; i < 3; i++) { // the failure goes on; more failed checks, more rounds
            clock.advance(Duration.ofHours(6));
            check(id);
            alerting.sendRound();
        }
        var got = received();
        assertThat(got).hasSize(1);
        var m = got[0];
        assertThat(to(m)).isEqualTo("sales@sample-motors.test");
        assertThat(m.getSubject()).startsWith("Action needed").contains("sales@sample-motors.test");
        assertThat(m.getMessageID()).isEqualTo("<alert-1@app-password-monitor.dts.test>");
        assertThat(text(m))
                .contains("https://myaccount.google.com/apppasswords")
                .contains("https://dealers.example.com/settings/email?integration=" + id)
                .contains("without spaces")
                .doesNotContain("scripted reply");
        assertThat(html(m)).contains("href=\"https://myaccount.google.com/apppasswords\"");
        assertThat(statuses("failure")).containsExactly("SENT");
        assertThat(counted).containsExactly("failure:sent");
    }

    @Test
    void remindsOnTheScheduleEscalatesAfterTheSecondAndStopsAtTheMaximum() throws Exception {
        open();
        long id = add(gmail("sales@sample-motors.test", "boss@sample-motors.test"));
        breakIt(id, Outcome.APP_PASSWORD_REQUIRED);
        alerting.sendRound();
        var failureAt = clock.instant();
        var seen = new ArrayList<String>();
        var known = new java.util.HashSet<String>();
        known.add(received()[0].getMessageID() + to(received()[0]));
        // walk 40 days in 2-hour steps, running the reminder job and the sender like the daemon does
        for (int step = 0; step < 40 * 12; step++) {
            clock.advance(Duration.ofHours(2));
            alerting.reminders().queueDue();
            alerting.sendRound();
            var fresh = new java.util.TreeSet<String>(java.util.Comparator.reverseOrder());
            for (var m : received()) {
                if (known.add(m.getMessageID() + to(m))) {
                    fresh.add(Duration.between(failureAt, clock.instant()).toHours() / 24 + "d:" + to(m));
                }
            }
            seen.addAll(fresh); // sales@ before boss@ within one round
        }
        assertThat(seen)
                .containsExactly(
                        "1d:sales@sample-motors.test",
                        "3d:sales@sample-motors.test",
                        "7d:sales@sample-motors.test",
                        "7d:boss@sample-motors.test",
                        "14d:sales@sample-motors.test",
                        "14d:boss@sample-motors.test",
                        "21d:sales@sample-motors.test",
                        "21d:boss@sample-motors.test",
                        "28d:sales@sample-motors.test",
                        "28d:boss@sample-motors.test");
        var reminder = java.util.Arrays.stream(received())
                .filter(m -> {
                    try {
                        return m.getSubject().toLowerCase(java.util.Locale.ROOT).contains("reminder");
                    } catch (jakarta.mail.MessagingException e) {
                        return false;
                    }
                })
                .findFirst()
                .orElseThrow();
        assertThat(text(reminder)).contains("https://myaccount.google.com/apppasswords");
    }

    @Test
    void afterALongStopOnlyTheLatestDueReminderIsSent() throws Exception {
        open();
        long id = add(gmail("sales@sample-motors.test", null));
        breakIt(id, Outcome.AUTH_REJECTED);
        alerting.sendRound();
        clock.advance(Duration.ofDays(5));
        alerting.reminders().queueDue();
        alerting.reminders().queueDue();
        alerting.sendRound();
        assertThat(received()).hasSize(2);
        List<Integer> numbers = ws.database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT reminder_number FROM alert_outbox WHERE kind = 'reminder'")
                        .mapTo(Integer.class)
                        .list());
        assertThat(numbers).containsExactly(2);
    }

    @Test
    void sendsARecoveryNoteAndNoMoreRemindersWhenItWorksAgain() throws Exception {
        open();
        long id = add(gmail("sales@sample-motors.test", null));
        breakIt(id, Outcome.AUTH_REJECTED);
        alerting.sendRound();
        clock.advance(Duration.ofHours(30));
        alerting.reminders().queueDue(); // reminder 1 queued...
        fixIt(id); // ...but the dealer fixed it before it went out
        alerting.sendRound();
        clock.advance(Duration.ofDays(10));
        alerting.reminders().queueDue();
        alerting.sendRound();
        var got = received();
        assertThat(got).hasSize(2);
        assertThat(got[1].getSubject()).doesNotStartWith("Action needed");
        assertThat(text(got[1])).contains("sales@sample-motors.test");
        assertThat(statuses("reminder")).containsExactly("DROPPED");
        assertThat(statuses("recovery")).containsExactly("SENT");
    }

    @Test
    void recoveryNoticeCanBeSwitchedOff() throws Exception {
        open(relay.getSmtp().getPort(), c -> c.alerts("recovery-notice", "false"));
        long id = add(gmail("sales@sample-motors.test", null));
        breakIt(id, Outcome.AUTH_REJECTED);
        alerting.sendRound();
        fixIt(id);
        alerting.sendRound();
        assertThat(received()).hasSize(1);
        assertThat(received()[0].getSubject()).startsWith("Action needed");
        assertThat(statuses("recovery")).isEmpty();
    }

    @Test
    void aFailureEmailStillWaitingWhenTheMailboxWorksAgainIsDroppedWithItsRecoveryNote() throws Exception {
        int port = freePort();
        open(port);
        long id = add(gmail("sales@sample-motors.test", null));
        breakIt(id, Outcome.AUTH_REJECTED);
        alerting.sendRound(); // relay down: the failure email waits
        fixIt(id); // the dealer fixed it meanwhile: a recovery note is queued too
        var up = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        up.start();
        try {
            clock.advance(Duration.ofHours(1));
            alerting.sendRound();
            assertThat(up.getReceivedMessages())
                    .as("nothing stale reaches the dealer")
                    .isEmpty();
            assertThat(statuses("failure")).containsExactly("DROPPED");
            assertThat(statuses("recovery")).containsExactly("DROPPED");
        } finally {
            up.stop();
        }
    }

    @Test
    void aFailureEmailStillWaitingWhileTheMailboxStillFailsIsSent() throws Exception {
        int port = freePort();
        open(port);
        long id = add(gmail("sales@sample-motors.test", null));
        breakIt(id, Outcome.AUTH_REJECTED);
        alerting.sendRound(); // relay down
        var up = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        up.start();
        try {
            clock.advance(Duration.ofHours(1));
            alerting.sendRound();
            fixIt(id); // fixed after the failure email went out: the recovery note follows
            alerting.sendRound();
            assertThat(up.getReceivedMessages()).hasSize(2);
            assertThat(statuses("failure")).containsExactly("SENT");
            assertThat(statuses("recovery")).containsExactly("SENT");
        } finally {
            up.stop();
        }
    }

    @Test
    void relayDownThenUpDeliversExactlyOnce() throws Exception {
        int port = freePort();
        open(port);
        long id = add(gmail("sales@sample-motors.test", null));
        breakIt(id, Outcome.AUTH_REJECTED);
        alerting.sendRound(); // relay down: refused
        alerting.sendRound(); // not due again yet
        assertThat(outbox.listDue(clock.instant().plus(Duration.ofMinutes(1)), 10))
                .singleElement()
                .satisfies(a -> assertThat(a.attempts()).isEqualTo(1));
        clock.advance(Duration.ofMinutes(1));
        alerting.sendRound(); // still down: next try in 2 minutes
        assertThat(outbox.listDue(clock.instant().plus(Duration.ofMinutes(2)), 10))
                .singleElement()
                .satisfies(a -> assertThat(a.attempts()).isEqualTo(2));
        var up = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        up.start();
        try {
            clock.advance(Duration.ofMinutes(2));
            alerting.sendRound();
            clock.advance(Duration.ofHours(1));
            alerting.sendRound();
            assertThat(up.getReceivedMessages()).hasSize(1);
            assertThat(statuses("failure")).containsExactly("SENT");
        } finally {
            up.stop();
        }
    }

    @Test
    void withoutARelayAlertsWaitInTheOutbox() throws Exception {
        open(0);
        long id = add(gmail("sales@sample-motors.test", null));
        breakIt(id, Outcome.AUTH_REJECTED);
        alerting.sendRound();
        assertThat(alerting.sender().relayConfigured()).isFalse();
        assertThat(statuses("failure")).containsExactly("PENDING");
        clock.advance(Duration.ofDays(2));
        alerting.reminders().queueDue(); // no reminder of an email the dealer never got
        alerting.sendRound();
        assertThat(outbox.queueDepth()).isEqualTo(1);
    }

    @Test
    void hostileDealerNameIsEscapedAndCannotAddAHeader() throws Exception {
        open();
        var n = anIntegration()
                .withEmail("sales@sample-motors.test")
                .withProvider("gmail")
                .withDealer("D-X", "<script>alert('x')</script> Motors\r\nBcc: evil@evil.test " + "A".repeat(3000))
                .withImap(new Endpoint("imap.gmail.com", 993, Security.SSL))
                .only(Protocol.IMAP)
                .build();
        long id = add(n);
        breakIt(id, Outcome.AUTH_REJECTED);
        alerting.sendRound();
        var got = received();
        assertThat(got).hasSize(1);
        assertThat(got[0].getAllRecipients()).hasSize(1);
        assertThat(got[0].getHeader("Bcc")).isNull();
        assertThat(html(got[0]))
                .doesNotContain("<script>")
                .contains("&lt;script&gt;")
                .doesNotContain("A".repeat(200));
        assertThat(raw(got[0])).doesNotContainPattern("(?m)^Bcc:");
    }

    @Test
    void aContactAddressWithALineBreakIsRefusedNotSent() throws Exception {
        open();
        var n = anIntegration()
                .withDealer("D-Y", "Y Motors")
                .withContactEmail("sales@y.test\r\nBcc: evil@evil.test")
                .withEmail("sales@y.test")
                .withProvider("gmail")
                .withImap(new Endpoint("imap.gmail.com", 993, Security.SSL))
                .withoutSmtp()
                .only(Protocol.IMAP)
                .build();
        long id = add(n);
        breakIt(id, Outcome.AUTH_REJECTED);
        alerting.sendRound();
        assertThat(received()).isEmpty();
        assertThat(statuses("failure")).containsExactly("FAILED");
        assertThat(counted).containsExactly("failure:failed");
    }

    @Test
    void permanentRejectionMarksTheAddressBouncingAndFallsBackToTheAdminContact() throws Exception {
        try (var picky = new PickyRelay(Set.of("sales@sample-motors.test"))) {
            open(picky.port());
            long id = add(gmail("sales@sample-motors.test", "boss@sample-motors.test"));
            breakIt(id, Outcome.AUTH_REJECTED);
            alerting.sendRound(); // refused for good, moved to the admin contact
            alerting.sendRound(); // sent to the admin contact
            assertThat(picky.accepted).containsExactly("boss@sample-motors.test");
            assertThat(outbox.isBouncing("SALES@sample-motors.test")).isTrue();
            // later mail skips the bouncing address
            clock.advance(Duration.ofDays(1));
            alerting.reminders().queueDue();
            alerting.sendRound();
            assertThat(picky.accepted).containsExactly("boss@sample-motors.test", "boss@sample-motors.test");
            assertThat(statuses("failure")).containsExactly("SENT");
            // the escalation from the third reminder on does not give the admin contact two copies
            clock.advance(Duration.ofDays(2));
            alerting.reminders().queueDue();
            alerting.sendRound();
            clock.advance(Duration.ofDays(4));
            alerting.reminders().queueDue();
            alerting.sendRound();
            assertThat(picky.accepted).hasSize(4).containsOnly("boss@sample-motors.test");
        }
    }

    @Test
    void aBouncingAddressWithoutAdminContactGivesUp() throws Exception {
        try (var picky = new PickyRelay(Set.of("sales@sample-motors.test"))) {
            open(picky.port());
            long id = add(gmail("sales@sample-motors.test", null));
            breakIt(id, Outcome.AUTH_REJECTED);
            alerting.sendRound();
            assertThat(picky.accepted).isEmpty();
            assertThat(statuses("failure")).containsExactly("FAILED");
            assertThat(counted).containsExactly("failure:failed");
        }
    }

    @Test
    void opsSideOutcomesGoOnlyToTheOpsAddress() throws Exception {
        open();
        long id = add(gmail("sales@sample-motors.test", null));
        outcomes.put("sales@sample-motors.test", Outcome.TLS_ERROR);
        for (int i = 0; i < 6; i++) {
            check(id);
            clock.advance(Duration.ofMinutes(40));
        }
        assertThat(ws.integrations().get(id).state()).isEqualTo(com.dts.apm.store.IntegrationState.DEGRADED);
        alerting.sendRound();
        var got = received();
        assertThat(got).hasSize(1);
        assertThat(to(got[0])).isEqualTo("ops@dts.test");
        assertThat(text(got[0])).contains("TLS_ERROR").contains("scripted reply");
        assertThat(counted).isEmpty();
    }

    @Test
    void basicAuthDisabledReachesTheDealerOnlyWhenSwitchedOn() throws Exception {
        open(relay.getSmtp().getPort(), c -> c.alerts("basic-auth-disabled-to-dealer", "true"));
        long id = add(gmail("sales@sample-motors.test", null));
        breakIt(id, Outcome.BASIC_AUTH_DISABLED);
        alerting.sendRound();
        var got = received();
        assertThat(got).hasSize(1);
        assertThat(to(got[0])).isEqualTo("sales@sample-motors.test");
        assertThat(text(got[0])).contains("https://dealers.example.com/settings/email?integration=" + id);
    }

    @Test
    void manyOpsNoticesAtOnceBecomeOneDigest() throws Exception {
        open();
        var ids = new ArrayList<Long>();
        for (int k = 0; k < 4; k++) {
            var email = "box" + k + "@tls.test";
            ids.add(add(anIntegration()
                    .withEmail(email)
                    .withDealer("D-T" + k, "<b>Dealer " + k + "</b>")
                    .only(Protocol.IMAP)
                    .build()));
            outcomes.put(email, Outcome.TLS_ERROR);
        }
        for (int round = 0; round < 6; round++) {
            for (var id : ids) {
                check(id);
            }
            clock.advance(Duration.ofMinutes(40));
        }
        alerting.sendRound();
        var got = received();
        assertThat(got).hasSize(1);
        assertThat(to(got[0])).isEqualTo("ops@dts.test");
        assertThat(got[0].getSubject()).contains("4 mailboxes need attention");
        assertThat(text(got[0]))
                .contains("box0@tls.test")
                .contains("box3@tls.test")
                .contains("TLS_ERROR");
        assertThat(html(got[0])).contains("&lt;b&gt;Dealer 0").doesNotContain("<b>Dealer");
        assertThat(statuses("ops")).containsOnly("SENT").hasSize(4);
    }

    @Test
    void aReminderSpeaksOfTheProblemAsItIsNow() throws Exception {
        open();
        long id = add(gmail("sales@sample-motors.test", null));
        breakIt(id, Outcome.AUTH_REJECTED);
        alerting.sendRound();
        outcomes.put("sales@sample-motors.test", Outcome.PROTOCOL_DISABLED); // a new password, but IMAP is off now
        clock.advance(Duration.ofHours(12));
        check(id);
        outcomes.put("sales@sample-motors.test", Outcome.NETWORK_ERROR); // and a passing network hiccup says nothing
        clock.advance(Duration.ofHours(12));
        check(id);
        alerting.reminders().queueDue();
        alerting.sendRound();
        assertThat(statuses("reminder")).containsExactly("SENT");
        List<String> outcomesQueued = ws.database()
                .jdbi()
                .withHandle(h -> h.createQuery("SELECT outcome FROM alert_outbox WHERE kind = 'reminder'")
                        .mapTo(String.class)
                        .list());
        assertThat(outcomesQueued).containsExactly("PROTOCOL_DISABLED");
    }
}
