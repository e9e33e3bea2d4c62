package com.dts.apm.check;

import static com.dts.apm.testing.Integrations.anIntegration;
import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.provider.AlertKind;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Protocol;
import com.dts.apm.store.Integration;
import com.dts.apm.store.IntegrationState;
import com.dts.apm.store.StateChange;
import com.dts.apm.testing.TestConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StateMachineTest {
    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
    private static final Duration INTERVAL = Duration.ofHours(1);
    private static final Duration JITTER = Duration.ofMinutes(2);
    // the defaults: confirm after 10 m, re-check failing every 6 h, degraded after 2 h, retry from 5 m up to 1 h
    private static final StateMachine.Policy POLICY = TestConfig.policyOf(p -> p.opsEmail("ops@example.com"));
    private final StateMachine machine = new StateMachine(POLICY);

    private static Integration in(IntegrationState state, int failures, Instant problemSince) {
        return anIntegration()
                .withDealer("d1", "Acme")
                .withContactEmail("owner@acme.test")
                .withEmail("sales@acme.test")
                .withProvider("gmail")
                .only(Protocol.IMAP)
                .inState(state, failures, problemSince)
                .stored(7, NOW);
    }

    private StateChange decide(IntegrationState state, int failures, Instant problemSince, Outcome outcome) {
        return machine.decide(in(state, failures, problemSince), outcome, NOW, INTERVAL, JITTER);
    }

    /** state before, outcome -> state after, minutes to the next check, alert kind queued (or none). */
    @ParameterizedTest(name = "{0} + {1} -> {2}")
    @CsvSource({
        "UNKNOWN,  OK,                    HEALTHY,  62,  -",
        "HEALTHY,  OK,                    HEALTHY,  62,  -",
        "SUSPECT,  OK,                    HEALTHY,  62,  -",
        "FAILING,  OK,                    HEALTHY,  62,  recovery",
        "DEGRADED, OK,                    HEALTHY,  62,  -",
        "UNKNOWN,  AUTH_REJECTED,         SUSPECT,  10,  -",
        "HEALTHY,  AUTH_REJECTED,         SUSPECT,  10,  -",
        "HEALTHY,  APP_PASSWORD_REQUIRED, SUSPECT,  10,  -",
        "HEALTHY,  PROTOCOL_DISABLED,     SUSPECT,  10,  -",
        "HEALTHY,  ACCOUNT_LOCKED,        SUSPECT,  10,  -",
        "DEGRADED, AUTH_REJECTED,         SUSPECT,  10,  -",
        "SUSPECT,  AUTH_REJECTED,         FAILING,  360, failure",
        "SUSPECT,  PROTOCOL_DISABLED,     FAILING,  360, failure",
        "FAILING,  AUTH_REJECTED,         FAILING,  360, -",
        "FAILING,  NETWORK_ERROR,         FAILING,  360, -",
        "HEALTHY,  NETWORK_ERROR,         HEALTHY,  5,   -",
        "HEALTHY,  RATE_LIMITED,          HEALTHY,  5,   -",
        "HEALTHY,  TLS_ERROR,             HEALTHY,  5,   -",
        "HEALTHY,  BASIC_AUTH_DISABLED,   HEALTHY,  5,   -",
        "SUSPECT,  NETWORK_ERROR,         SUSPECT,  5,   -",
    })
    void transitions(IntegrationState from, Outcome outcome, IntegrationState to, long nextMinutes, String alert) {
        var c = decide(from, 0, null, outcome);
        assertThat(c.state()).isEqualTo(to);
        assertThat(Duration.between(NOW, c.nextCheckAt()).toMinutes()).isEqualTo(nextMinutes);
        assertThat(c.alerts().stream().map(StateChange.NewAlert::kind).toList())
                .isEqualTo(alert.equals("-") ? List.of() : List.of(AlertKind.fromLabel(alert)));
        assertThat(c.success()).isEqualTo(outcome.isOk());
    }

    @Test
    void failureAlertGoesToTheContactAddress() {
        var c = decide(IntegrationState.SUSPECT, 1, NOW.minusSeconds(600), Outcome.AUTH_REJECTED);
        assertThat(c.alerts())
                .containsExactly(new StateChange.NewAlert(AlertKind.FAILURE, Outcome.AUTH_REJECTED, "owner@acme.test"));
        assertThat(c.problemSince()).isEqualTo(NOW.minusSeconds(600));
        assertThat(c.consecutiveFailures()).isEqualTo(2);
    }

    @Test
    void transientFailuresBackOffExponentiallyUpToTheCap() {
        assertThat(decide(IntegrationState.HEALTHY, 0, null, Outcome.NETWORK_ERROR)
                        .nextCheckAt())
                .isEqualTo(NOW.plusSeconds(300));
        assertThat(decide(IntegrationState.HEALTHY, 1, NOW, Outcome.NETWORK_ERROR)
                        .nextCheckAt())
                .isEqualTo(NOW.plusSeconds(600));
        assertThat(decide(IntegrationState.HEALTHY, 2, NOW, Outcome.NETWORK_ERROR)
                        .nextCheckAt())
                .isEqualTo(NOW.plusSeconds(1200));
        assertThat(decide(IntegrationState.HEALTHY, 3, NOW, Outcome.NETWORK_ERROR)
                        .nextCheckAt())
                .isEqualTo(NOW.plusSeconds(2400));
        assertThat(decide(IntegrationState.HEALTHY, 4, NOW, Outcome.NETWORK_ERROR)
                        .nextCheckAt())
                .isEqualTo(NOW.plusSeconds(3600));
        assertThat(decide(IntegrationState.HEALTHY, 40, NOW, Outcome.NETWORK_ERROR)
                        .nextCheckAt())
                .isEqualTo(NOW.plusSeconds(3600));
    }

    @Test
    void degradedExactlyAtTheThresholdNotOneMilliBefore() {
        var justBefore = decide(
                IntegrationState.HEALTHY, 5, NOW.minus(Duration.ofHours(2)).plusMillis(1), Outcome.NETWORK_ERROR);
        assertThat(justBefore.state()).isEqualTo(IntegrationState.HEALTHY);
        assertThat(justBefore.alerts()).isEmpty();
        var at = decide(IntegrationState.HEALTHY, 5, NOW.minus(Duration.ofHours(2)), Outcome.NETWORK_ERROR);
        assertThat(at.state()).isEqualTo(IntegrationState.DEGRADED);
        assertThat(at.alerts())
                .containsExactly(new StateChange.NewAlert(AlertKind.OPS, Outcome.NETWORK_ERROR, "ops@example.com"));
        var again = decide(IntegrationState.DEGRADED, 6, NOW.minus(Duration.ofHours(3)), Outcome.TLS_ERROR);
        assertThat(again.state()).isEqualTo(IntegrationState.DEGRADED);
        assertThat(again.alerts()).isEmpty();
    }

    @Test
    void transientFailuresNeverAlertTheDealer() {
        for (var o : List.of(Outcome.NETWORK_ERROR, Outcome.RATE_LIMITED)) {
            for (var s : IntegrationState.values()) {
                var c = decide(s, 10, NOW.minus(Duration.ofDays(3)), o);
                assertThat(c.alerts()).allMatch(a -> a.kind() != AlertKind.FAILURE && a.kind() != AlertKind.RECOVERY);
            }
        }
    }

    @Test
    void firstFailureOfAnIncidentStartsTheProblemClock() {
        var c = decide(IntegrationState.HEALTHY, 0, null, Outcome.AUTH_REJECTED);
        assertThat(c.problemSince()).isEqualTo(NOW);
        var ok = decide(IntegrationState.FAILING, 4, NOW.minus(Duration.ofDays(1)), Outcome.OK);
        assertThat(ok.problemSince()).isNull();
        assertThat(ok.consecutiveFailures()).isZero();
    }

    @Test
    void basicAuthDisabledIsTheDealersOnlyWhenConfigured() {
        var toDealer = new StateMachine(TestConfig.policyOf(p -> p.basicAuthToDealer(true)));
        var c = toDealer.decide(
                in(IntegrationState.SUSPECT, 1, NOW), Outcome.BASIC_AUTH_DISABLED, NOW, INTERVAL, JITTER);
        assertThat(c.state()).isEqualTo(IntegrationState.FAILING);
        assertThat(c.alerts()).extracting(StateChange.NewAlert::kind).containsExactly(AlertKind.FAILURE);
    }

    @Test
    void noRecoveryNoticeWhenSwitchedOff() {
        var quiet = new StateMachine(TestConfig.policyOf(p -> p.recoveryNotice(false)));
        var c = quiet.decide(in(IntegrationState.FAILING, 3, NOW), Outcome.OK, NOW, INTERVAL, JITTER);
        assertThat(c.state()).isEqualTo(IntegrationState.HEALTHY);
        assertThat(c.alerts()).isEmpty();
    }

    @Test
    void worstOutcomeOfSeveralProtocolsIsTheOneToActOn() {
        assertThat(Outcome.worst(List.of(Outcome.OK, Outcome.OK))).isEqualTo(Outcome.OK);
        assertThat(Outcome.worst(List.of(Outcome.NETWORK_ERROR, Outcome.AUTH_REJECTED)))
                .isEqualTo(Outcome.AUTH_REJECTED);
        assertThat(Outcome.worst(List.of(Outcome.OK, Outcome.RATE_LIMITED))).isEqualTo(Outcome.RATE_LIMITED);
        assertThat(Outcome.worst(List.of(Outcome.AUTH_REJECTED, Outcome.APP_PASSWORD_REQUIRED)))
                .isEqualTo(Outcome.APP_PASSWORD_REQUIRED);
    }

    @Test
    void clockBoundariesOfTheBackoffAndTheSlowPaces() {
        // jitter may be negative: the regular interval moves both ways
        assertThat(machine.decide(in(IntegrationState.HEALTHY, 0, null), Outcome.OK, NOW, INTERVAL, JITTER.negated())
                        .nextCheckAt())
                .isEqualTo(NOW.plus(Duration.ofMinutes(58)));
        // the confirming re-check is exactly confirm-after away, to the millisecond
        assertThat(decide(IntegrationState.HEALTHY, 0, null, Outcome.AUTH_REJECTED)
                        .nextCheckAt())
                .isEqualTo(NOW.plus(Duration.ofMinutes(10)));
        // backoff never waits longer than the regular interval of a provider with a short one
        var shortInterval = machine.decide(
                in(IntegrationState.HEALTHY, 9, NOW), Outcome.RATE_LIMITED, NOW, Duration.ofMinutes(30), JITTER);
        assertThat(shortInterval.nextCheckAt()).isEqualTo(NOW.plus(Duration.ofMinutes(30)));
        // a SUSPECT integration whose confirming check is inconclusive tries again within confirm-after, not at the
        // backoff
        var inconclusive = decide(IntegrationState.SUSPECT, 3, NOW.minusSeconds(600), Outcome.NETWORK_ERROR);
        assertThat(inconclusive.state()).isEqualTo(IntegrationState.SUSPECT);
        assertThat(inconclusive.nextCheckAt()).isEqualTo(NOW.plus(Duration.ofMinutes(10)));
        // FAILING keeps its slow pace and never turns DEGRADED or alerts ops, however long the network is down
        var failing = decide(IntegrationState.FAILING, 12, NOW.minus(Duration.ofDays(3)), Outcome.NETWORK_ERROR);
        assertThat(failing.state()).isEqualTo(IntegrationState.FAILING);
        assertThat(failing.nextCheckAt()).isEqualTo(NOW.plus(Duration.ofHours(6)));
        assertThat(failing.alerts()).isEmpty();
        // ops-side outcomes reach DEGRADED at the same threshold as transient ones
        var tls = decide(IntegrationState.HEALTHY, 4, NOW.minus(Duration.ofHours(2)), Outcome.TLS_ERROR);
        assertThat(tls.state()).isEqualTo(IntegrationState.DEGRADED);
        assertThat(tls.alerts()).extracting(StateChange.NewAlert::kind).containsExactly(AlertKind.OPS);
        // DEGRADED heals on the next good login, without a dealer recovery notice
        var healed = decide(IntegrationState.DEGRADED, 4, NOW.minus(Duration.ofHours(3)), Outcome.OK);
        assertThat(healed.state()).isEqualTo(IntegrationState.HEALTHY);
        assertThat(healed.alerts()).isEmpty();
    }
}
