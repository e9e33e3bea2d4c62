package com.dts.apm.app;

import static com.dts.apm.testing.Integrations.anIntegration;
import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.provider.Security;
import com.dts.apm.testing.PickyRelay;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * A relay refuses the dealer's contact address with 550: the alert goes to the admin contact, the operator sees the
 * address with {@code alerts bounces}, clears it with {@code alerts unbounce}, and the next alert reaches the dealer.
 */
class UnbounceIT extends AlertHarness {
    private static final String CONTACT = "sales@sample-motors.test";
    private static final String ADMIN = "boss@sample-motors.test";

    @Test
    void afterUnbounceTheNextAlertGoesToTheDealersAddressAgain() throws Exception {
        Set<String> refused = ConcurrentHashMap.newKeySet();
        refused.add(CONTACT);
        try (var picky = new PickyRelay(refused)) {
            open(picky.port());
            long id = add(anIntegration()
                    .withEmail(CONTACT)
                    .withProvider("gmail")
                    .withDealer("D-1", "Sample Motors")
                    .withImap(new Endpoint("imap.gmail.com", 993, Security.SSL))
                    .only(Protocol.IMAP)
                    .withAdminEmail(ADMIN)
                    .build());
            breakIt(id, Outcome.AUTH_REJECTED);
            alerting.sendRound(); // 550 for the contact: remembered, the alert moves to the admin contact
            alerting.sendRound();
            assertThat(picky.accepted).containsExactly(ADMIN);

            var listed = cli().run("alerts", "bounces", "--json");
            assertThat(listed.exit()).as(listed.err()).isZero();
            assertThat(listed.out()).contains("\"address\":\"" + CONTACT + "\"", "\"integrations\":1", "550 5.1.1");

            refused.remove(CONTACT); // the dealer repaired the mailbox
            var unbounce = cli().run("alerts", "unbounce", CONTACT);
            assertThat(unbounce.exit()).as(unbounce.err()).isZero();
            assertThat(outbox.isBouncing(CONTACT)).isFalse();

            clock.advance(Duration.ofDays(1)); // the first reminder is due
            alerting.reminders().queueDue();
            alerting.sendRound();
            assertThat(picky.accepted).containsExactly(ADMIN, CONTACT);
            assertThat(cli().run("alerts", "bounces").out()).isEqualTo("no address bounces\n");
        }
    }
}
