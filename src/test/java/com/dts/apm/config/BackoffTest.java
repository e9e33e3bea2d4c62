package com.dts.apm.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void doublesPerFailureUpToTheCap() {
        var b = new Backoff(Duration.ofMinutes(5), Duration.ofHours(1));
        assertThat(b.after(1)).isEqualTo(Duration.ofMinutes(5));
        assertThat(b.after(2)).isEqualTo(Duration.ofMinutes(10));
        assertThat(b.after(3)).isEqualTo(Duration.ofMinutes(20));
        assertThat(b.after(4)).isEqualTo(Duration.ofMinutes(40));
        assertThat(b.after(5)).isEqualTo(Duration.ofHours(1));
        assertThat(b.after(Integer.MAX_VALUE)).isEqualTo(Duration.ofHours(1)); // no overflow, no endless loop
    }

    @Test
    void aCapBelowTheFirstStepWins() {
        assertThat(new Backoff(Duration.ofMinutes(5), Duration.ofMinutes(2)).after(1))
                .isEqualTo(Duration.ofMinutes(2));
    }
}
