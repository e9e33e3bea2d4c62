package com.dts.apm.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.DriverManager;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The throwaway cluster itself: it answers on loopback, only with its random password, and leaves nothing behind. */
class PostgresServerIT {
    @Test
    void startsOnLoopbackTakesOnlyItsPasswordAndLeavesNothingBehind() throws Exception {
        var reason = PostgresServer.unavailable();
        Assumptions.assumeTrue(reason == null, reason);
        var pg = new PostgresServer();
        pg.start();
        Path root = pg.root();
        try {
            var url = pg.createDatabase();
            try (var c = DriverManager.getConnection(url, pg.username(), pg.password());
                    var rs = c.createStatement()
                            .executeQuery(
                                    "SELECT current_setting('server_version_num')::int, host(inet_server_addr())")) {
                rs.next();
                assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(150000);
                assertThat(rs.getString(2)).isEqualTo("127.0.0.1");
            }
            assertThatThrownBy(() -> DriverManager.getConnection(url, pg.username(), "wrong")
                            .close())
                    .hasMessageContaining("password authentication failed");
        } finally {
            pg.stop();
        }
        assertThat(root).doesNotExist();
    }
}
