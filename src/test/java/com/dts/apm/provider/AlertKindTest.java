package com.dts.apm.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AlertKindTest {
    @Test
    void storedLabelsReadBackAsTheSameKind() {
        for (var k : AlertKind.values()) {
            assertThat(AlertKind.fromLabel(k.label())).isSameAs(k);
        }
        assertThat(AlertKind.STORM.label()).isEqualTo("storm");
    }

    @Test
    void aStoredKindThisVersionNeverWroteIsRefusedNotSkipped() {
        assertThatThrownBy(() -> AlertKind.fromLabel("stroms"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'stroms'");
    }

    @Test
    void onlyFailureReminderAndRecoveryGoToTheDealer() {
        assertThat(AlertKind.TO_DEALER).containsExactly(AlertKind.FAILURE, AlertKind.REMINDER, AlertKind.RECOVERY);
        assertThat(AlertKind.STORM.templated()).isFalse();
        assertThat(AlertKind.OPS.templated()).isTrue();
    }

    @Test
    void aPersonCanAskForEveryTemplatedKindButNotForTheStormNotice() {
        assertThat(AlertKind.parse(" Reminder ")).isEqualTo(AlertKind.REMINDER);
        assertThat(AlertKind.parse("ops")).isEqualTo(AlertKind.OPS);
        assertThatThrownBy(() -> AlertKind.parse("storm"))
                .hasMessage("unknown alert kind 'storm' (use failure, reminder, recovery or ops)");
        assertThatThrownBy(() -> AlertKind.parse("nope")).isInstanceOf(IllegalArgumentException.class);
    }
}
