package com.dts.apm.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The config the .deb installs as /etc/app-password-monitor/app-password-monitor.yml. */
class PackagedConfigTest {
    @Test
    void parsesAndKeepsTheDatabaseInTheUnitsStateDirectory() {
        var c = ConfigLoader.load(Path.of("systemd/app-password-monitor.yml"), null);
        assertThat(c.database().path()).isEqualTo(Path.of("/var/lib/app-password-monitor/app-password-monitor.db"));
        assertThat(c.secrets().keyFile())
                .as("the key comes from $CREDENTIALS_DIRECTORY")
                .isNull();
        assertThat(c.http().bind()).isEqualTo("127.0.0.1");
        assertThat(c.alerts().relay().passwordFile())
                .as("the relay password comes from the credential")
                .isNull();
    }
}
