package com.dts.apm.app;

import static com.dts.apm.testing.Integrations.anIntegration;
import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.store.IntegrationState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The storm guard with a real relay: a provider-wide wave holds dealer mail; ops decide, or the wave passes. */
class StormGuardIT extends AlertHarness {

    private List<Long> addMany(int n, String prefix) {
        var ids = new ArrayList<Long>();
        for (int i = 0; i < n; i++) {
            ids.add(add(anIntegration()
                    .withEmail(prefix + i + "@dealer" + i + ".test")
                    .withDealer("D-" + prefix + i, "Dealer " + i)
                    .only(Protocol.IMAP)
                    .build()));
        }
        return ids;
    }

    /** Three of four mailboxes fail within minutes: the guard sees the wave at the first failures. */
    private List<Long> wave() throws Exception {
        var ids = addMany(4, "m");
        for (var id : ids.subList(0, 3)) {
            outcomes.put(ws.integrations().get(id).username(), Outcome.AUTH_REJECTED);
            assertThat(check(id)).isEqualTo(IntegrationState.SUSPECT);
        }
        alerting.sendRound(); // wave detected; ops told
        clock.advance(Duration.ofMinutes(11));
        for (var id : ids.subList(0, 3)) {
            assertThat(check(id)).isEqualTo(IntegrationState.FAILING);
        }
        alerting.sendRound(); // the failure alerts are held
        return ids;
    }

    private long dealerMail() throws Exception {
        long n = 0;
        for (var m : received()) {
            if (!to(m).equals("ops@dts.test")) {
                n++;
            }
        }
        return n;
    }

    @Test
    void aWaveHoldsDealerMailTellsOpsAndReleaseSendsIt() throws Exception {
        open();
        wave();
        assertThat(dealerMail()).isZero();
        var ops = received();
        assertThat(ops).hasSize(1);
        assertThat(to(ops[0])).isEqualTo("ops@dts.test");
        assertThat(ops[0].getSubject()).contains("held").contains("custom");
        assertThat(text(ops[0])).contains("3 of 4 mailboxes failed").contains("alerts release --provider custom");
        assertThat(outbox.heldByProvider()).isEqualTo(Map.of("custom", 3L));

        var held = cli().run("alerts", "held", "--json");
        assertThat(held.exit()).as(held.err()).isZero();
        assertThat(held.out())
                .contains("\"provider\":\"custom\"")
                .contains("\"kind\":\"failure\"")
                .contains("\"storm_reason\":\"3 of 4");
        assertThat(held.out().split("\"id\":")).hasSize(4);
        var table = cli().run("alerts", "held");
        assertThat(table.out()).contains("custom").contains("3 of 4 mailboxes failed");

        var release = cli().run("alerts", "release", "--provider", "custom");
        assertThat(release.exit()).as(release.err()).isZero();
        assertThat(release.out()).contains("released 3");
        alerting.sendRound();
        assertThat(dealerMail()).isEqualTo(3);
        assertThat(statuses("failure")).containsOnly("SENT");
        assertThat(outbox.heldByProvider()).isEmpty();
    }

    @Test
    void dropNeverSendsTheHeldMailAndNoRemindersFollow() throws Exception {
        open();
        wave();
        var drop = cli().run("alerts", "drop", "--provider", "custom");
        assertThat(drop.exit()).as(drop.err()).isZero();
        assertThat(drop.out()).contains("dropped 3");
        clock.advance(Duration.ofDays(2));
        alerting.reminders().queueDue();
        alerting.sendRound();
        assertThat(dealerMail()).isZero();
        assertThat(statuses("failure")).containsOnly("DROPPED");
        assertThat(statuses("reminder")).isEmpty();
    }

    @Test
    void whenTheWavePassesRecoveredMailIsDroppedAndStillFailingMailIsSent() throws Exception {
        open();
        var ids = wave();
        fixIt(ids.get(0));
        fixIt(ids.get(1));
        clock.advance(Duration.ofMinutes(31));
        alerting.sendRound(); // the wave has passed
        alerting.sendRound();
        var dealer = new ArrayList<String>();
        for (var m : received()) {
            if (!to(m).equals("ops@dts.test")) {
                dealer.add(to(m));
            }
        }
        assertThat(dealer).containsExactly("m2@dealer2.test");
        assertThat(statuses("failure")).containsExactly("DROPPED", "DROPPED", "SENT");
        assertThat(statuses("recovery")).containsOnly("DROPPED");
        assertThat(statuses("storm")).containsExactly("SENT", "SENT");
        assertThat(cli().run("alerts", "held").out()).contains("no dealer emails are held");
    }

    @Test
    void aFailingCanaryMarksTheFailureAsTheProviders() throws Exception {
        open();
        var ids = addMany(10, "c");
        long canary = add(anIntegration()
                .withEmail("canary@ops.test")
                .withDealer("OPS", "Ops")
                .only(Protocol.IMAP)
                .asCanary()
                .build());
        outcomes.put("canary@ops.test", Outcome.AUTH_REJECTED);
        check(canary);
        breakIt(ids.get(0), Outcome.AUTH_REJECTED);
        alerting.sendRound();
        assertThat(dealerMail()).isZero();
        assertThat(outbox.heldByProvider()).containsKey("custom");
        assertThat(cli().run("alerts", "held").out()).contains("canary");
    }

    @Test
    void aFewFailuresAreNoWave() throws Exception {
        open();
        var ids = addMany(4, "f");
        breakIt(ids.get(0), Outcome.AUTH_REJECTED);
        breakIt(ids.get(1), Outcome.PROTOCOL_DISABLED);
        alerting.sendRound();
        assertThat(dealerMail()).isEqualTo(2);
        assertThat(outbox.heldByProvider()).isEmpty();
    }

    @Test
    void releaseOfAnUnknownProviderIsBadInput() throws Exception {
        open();
        var r = cli().run("alerts", "release", "--provider", "nosuch");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("unknown provider 'nosuch'");
    }
}
