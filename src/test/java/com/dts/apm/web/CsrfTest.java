package com.dts.apm.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import org.junit.jupiter.api.Test;

class CsrfTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-12-02T10:00:00Z"));
    private final Csrf csrf = new Csrf(clock);

    @Test
    void aFormTokenWorksOnceForItsOwnLink() {
        var t = csrf.issue(7);
        assertThat(t).hasSize(32).matches("[A-Za-z0-9_-]+");
        assertThat(csrf.take(t, 8)).as("another link's form").isFalse();
        assertThat(csrf.take(t, 7)).as("gone after a wrong try too").isFalse();
        var u = csrf.issue(7);
        assertThat(csrf.take(u, 7)).isTrue();
        assertThat(csrf.take(u, 7)).as("replayed").isFalse();
        assertThat(csrf.take(null, 7)).isFalse();
        assertThat(csrf.take("x".repeat(10_000), 7)).isFalse();
    }

    @Test
    void aFormTokenExpiresAfterAnHourAndEachIsNew() {
        var t = csrf.issue(1);
        clock.advance(Csrf.LIFETIME.plus(Duration.ofSeconds(1)));
        assertThat(csrf.take(t, 1)).isFalse();
        var seen = new HashSet<String>();
        for (int i = 0; i < 1000; i++) {
            assertThat(seen.add(csrf.issue(1))).isTrue();
        }
    }
}
