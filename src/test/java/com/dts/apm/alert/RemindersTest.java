package com.dts.apm.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.TestConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reminder schedule as a table: offsets from the failure email, the last one repeating, capped. */
class RemindersTest {
    private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");

    private static Reminders reminders(List<Duration> offsets, int max) {
        var alerts = TestConfig.alertsOf(a -> a.reminders(offsets, max));
        return new Reminders(null, alerts, Clock.systemUTC());
    }

    @Test
    void defaultScheduleIsOneDayThreeDaysThenWeeklySixTimes() {
        var r = reminders(null, 6);
        assertThat(List.of(1, 2, 3, 4, 5, 6).stream()
                        .map(r::offset)
                        .map(Duration::toDays)
                        .toList())
                .containsExactly(1L, 3L, 7L, 14L, 21L, 28L);
        assertThat(r.dueNumber(T0, T0.plus(Duration.ofHours(23)))).isZero();
        assertThat(r.dueNumber(T0, T0.plus(Duration.ofDays(1)))).isEqualTo(1);
        assertThat(r.dueNumber(T0, T0.plus(Duration.ofDays(6)))).isEqualTo(2);
        assertThat(r.dueNumber(T0, T0.plus(Duration.ofDays(400)))).isEqualTo(6);
    }

    @Test
    void aShortListRepeatsItsLastEntryAndTheMaximumCaps() {
        var r = reminders(List.of(Duration.ofHours(4)), 3);
        assertThat(r.dueNumber(T0, T0.plus(Duration.ofHours(8)))).isEqualTo(2);
        assertThat(r.dueNumber(T0, T0.plus(Duration.ofDays(30)))).isEqualTo(3);
    }

    @Test
    void noScheduleOrZeroMaximumMeansNoReminders() {
        assertThat(reminders(List.of(), 6).dueNumber(T0, T0.plus(Duration.ofDays(3650))))
                .isZero();
        assertThat(reminders(null, 0).dueNumber(T0, T0.plus(Duration.ofDays(3650))))
                .isZero();
    }
}
