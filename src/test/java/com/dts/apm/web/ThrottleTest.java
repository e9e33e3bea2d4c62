package com.dts.apm.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ThrottleTest {
    @Test
    void allowsTheLimitPerKeyInASlidingWindowAndSaysHowLongToWait() {
        var clock = new TestClock(Instant.parse("2026-12-02T10:00:00Z"));
        var t = new Throttle(3, Duration.ofMinutes(1), clock);
        for (int i = 0; i < 3; i++) {
            assertThat(t.take("203.0.113.9")).isEmpty();
        }
        assertThat(t.take("203.0.113.9")).hasValue(61);
        assertThat(t.take("198.51.100.1")).as("another key").isEmpty();
        clock.advance(Duration.ofSeconds(30));
        assertThat(t.take("203.0.113.9")).hasValue(31);
        clock.advance(Duration.ofSeconds(31));
        assertThat(t.take("203.0.113.9")).isEmpty();
    }
}
