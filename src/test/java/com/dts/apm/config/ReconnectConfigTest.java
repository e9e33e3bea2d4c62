package com.dts.apm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reconnect: keys: off by default, 7d links with 10 attempts, and what it needs when on. */
class ReconnectConfigTest {
    @TempDir
    Path dir;

    private Config load(String yaml) throws Exception {
        var f = dir.resolve("apm.yml");
        Files.writeString(f, yaml);
        return ConfigLoader.load(f, null);
    }

    private void refused(String yaml, String... message) {
        assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class).hasMessageContainingAll(message);
    }

    @Test
    void isOffWithSevenDayLinksAndTenAttemptsByDefault() {
        var r = Config.defaults().reconnect();
        assertThat(r.enabled()).isFalse();
        assertThat(r.linkTtl()).isEqualTo(Duration.ofDays(7));
        assertThat(r.maxAttempts()).isEqualTo(10);
    }

    @Test
    void onNeedsTheApiAndItsPublicUrl() throws Exception {
        refused("reconnect: { enabled: true }\n", "key reconnect.enabled", "api.enabled");
        refused(
                "api: { enabled: true }\nreconnect: { enabled: true }\n",
                "key api.public-url",
                "required when reconnect.enabled");
        var c = load("api: { enabled: true, public-url: 'https://monitor.example.com' }\n"
                + "reconnect: { enabled: true, link-ttl: 2d, max-attempts: 3 }\n");
        assertThat(c.reconnect().enabled()).isTrue();
        assertThat(c.reconnect().linkTtl()).isEqualTo(Duration.ofDays(2));
        assertThat(c.reconnect().maxAttempts()).isEqualTo(3);
    }

    @Test
    void badValuesNameTheirKey() throws Exception {
        refused("reconnect: { link-ttl: 0s }\n", "key reconnect.link-ttl", "longer than 0");
        refused("reconnect: { link-ttl: 365d }\n", "key reconnect.link-ttl", "at most 90d");
        refused("reconnect: { max-attempts: 0 }\n", "key reconnect.max-attempts", "out of range 1-100");
        refused("reconnect: { max-attempts: 1000 }\n", "key reconnect.max-attempts", "out of range");
        refused("reconnect: { enable: true }\n", "reconnect");
    }
}
