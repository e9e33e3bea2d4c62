package com.dts.apm.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.dts.apm.config.Config;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.store.SnapshotQueries.HostLogins;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schedule's capacity arithmetic with the built-in catalog and the default schedule (hourly, 5 logins/s). */
class CapacityTest {
    private static final Config.Schedule DEFAULTS =
            new Config.Schedule(null, null, null, null, null, null, null, null, null, null, null);

    private static Capacity.Line only(List<HostLogins> rows) {
        var lines = Capacity.of(rows, ProviderCatalog.builtIn(), DEFAULTS);
        assertThat(lines).hasSize(1);
        return lines.get(0);
    }

    @Test
    void hundredThousandGmailMailboxesOverImapAndSmtpHourlyNeed56LoginsPerSecond() {
        // both protocols: 200,000 logins an hour on Gmail's one lane of 5 per second
        var l = only(List.of(new HostLogins("gmail", null, 100_000), new HostLogins("gmail", null, 100_000)));
        assertThat(l.logins()).isEqualTo(200_000);
        assertThat(l.needed()).isCloseTo(55.56, within(0.01));
        assertThat(l.allowed()).isEqualTo(5.0);
        assertThat(l.ratio()).isCloseTo(11.11, within(0.01));
        assertThat(l.fits()).isFalse();
        assertThat(l.warning())
                .contains(
                        "gmail needs 55.56 logins/s for a round every 1h (200,000 logins)",
                        "allow 5.00/s",
                        "a round takes 11.1 h, 11.1x the interval");
    }

    @Test
    void customIntegrationsOnTheirOwnServersArePacedPerHostAndFit() {
        var rows = new ArrayList<HostLogins>();
        for (int i = 0; i < 20_000; i++) {
            rows.add(new HostLogins("custom", "mail.dealer" + i + ".test", 2));
        }
        var l = only(rows);
        assertThat(l.perHost()).isTrue();
        assertThat(l.hosts()).isEqualTo(20_000);
        assertThat(l.logins()).isEqualTo(40_000);
        assertThat(l.needed()).isCloseTo(11.11, within(0.01));
        assertThat(l.allowed()).isEqualTo(100_000.0);
        // one host's two logins an hour against its own 5 per second
        assertThat(l.ratio()).isCloseTo(2 / 3600.0 / 5, within(1e-9));
        assertThat(l.fits()).isTrue();
    }

    @Test
    void oneBusyCustomHostIsTheRatioOfAllCustomHosts() {
        var l = only(List.of(
                new HostLogins("custom", "mail.small.test", 10), new HostLogins("custom", "mx.hoster.test", 36_000)));
        assertThat(l.busiestHost()).isEqualTo("mx.hoster.test");
        assertThat(l.ratio()).isCloseTo(2.0, within(1e-9));
        assertThat(l.warning())
                .contains(
                        "custom host mx.hoster.test needs 10.00 logins/s",
                        "(36,000 logins)",
                        "allows 5.00/s per host",
                        "2.0x the interval");
    }

    @Test
    void aProviderIntervalOverrideAndOwnLimitCountForItsRatio() {
        var l = only(List.of(new HostLogins("icloud", null, 3_600)));
        // icloud: 2 logins/s of its own (providers.yml), hourly
        assertThat(l.allowed()).isEqualTo(2.0);
        assertThat(l.ratio()).isCloseTo(0.5, within(1e-9));
    }
}
