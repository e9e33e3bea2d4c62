package com.dts.apm.process;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.dts.apm.testing.LogCapture;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ErrorLogTest {
    @Test
    void aCauseThatDiffersOnlyInItsNumbersIsLoggedOnceAndCountedEachTime() {
        var counted = new ArrayList<String>();
        try (var logs = new LogCapture()) {
            var errors = new ErrorLog(LoggerFactory.getLogger(ErrorLogTest.class), counted::add);
            for (int waiting = 1; waiting <= 5; waiting++) {
                // what HikariCP says on every tick while PostgreSQL is down
                errors.failed(
                        "dispatch",
                        new SQLTransientConnectionException(
                                "apm-db - Connection is not available, request timed out after " + (5000 + waiting)
                                        + "ms (total=1, active=1, idle=0, waiting=" + waiting + ")"));
            }
            errors.failed("dispatch", new IllegalStateException("another cause"));
            errors.recovered("dispatch");
            assertThat(logs.atLeast(Level.ERROR)).hasSize(2);
            assertThat(logs.text()).contains("dispatch works again");
        }
        assertThat(counted).hasSize(6).containsOnly("dispatch");
    }
}
