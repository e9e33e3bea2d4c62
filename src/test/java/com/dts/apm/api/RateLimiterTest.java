package com.dts.apm.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dts.apm.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    @Test
    void allowsTheLimitPerWindowPerKeyThenAnswers429WithRetryAfter() {
        var clock = new TestClock(Instant.parse("2026-12-02T10:00:00Z"));
        var limiter = new RateLimiter(5, Duration.ofMinutes(1), clock);
        for (int i = 0; i < 5; i++) {
            limiter.acquire("a@x.test", "mailbox a@x.test");
            clock.advance(Duration.ofSeconds(10));
        }
        assertThatThrownBy(() -> limiter.acquire("a@x.test", "mailbox a@x.test"))
                .isInstanceOfSatisfying(Problem.class, p -> {
                    assertThat(p.status()).isEqualTo(429);
                    assertThat(p.headers())
                            .containsEntry("Retry-After", "11"); // the first call leaves the window in 10 s
                });
        limiter.acquire("b@x.test", "mailbox b@x.test"); // another key is not held back
        clock.advance(Duration.ofSeconds(11));
        limiter.acquire("a@x.test", "mailbox a@x.test"); // the oldest call left the window
    }

    @Test
    void takeAllowsTheLimitPerKeyInASlidingWindowAndSaysHowLongToWait() {
        var clock = new TestClock(Instant.parse("2026-12-02T10:00:00Z"));
        var t = new RateLimiter(3, Duration.ofMinutes(1), clock);
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
