package com.dts.apm.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayCredentialTest {
    @TempDir
    Path credentials;

    private final Config.Relay unset = new Config.Relay("smtp.example.com", 587, "starttls", "alerts", null);

    @Test
    void takesThePasswordFromTheSystemdCredentialWhenTheConfigLeavesItOut() throws Exception {
        Files.writeString(credentials.resolve("relay-password"), "s3cret\n");
        var relay = unset.withCredential(Map.of("CREDENTIALS_DIRECTORY", credentials.toString()));
        assertThat(relay.passwordFile()).isEqualTo(credentials.resolve("relay-password"));
    }

    @Test
    void anEmptyCredentialCountsAsNoPassword() throws Exception {
        Files.createFile(credentials.resolve("relay-password"));
        assertThat(unset.withCredential(Map.of("CREDENTIALS_DIRECTORY", credentials.toString())))
                .isEqualTo(unset);
    }

    @Test
    void theConfiguredFileWinsAndNoCredentialsDirectoryChangesNothing() throws Exception {
        Files.writeString(credentials.resolve("relay-password"), "s3cret\n");
        var configured = new Config.Relay("smtp.example.com", 587, "starttls", "alerts", Path.of("/etc/relay.pw"));
        assertThat(configured.withCredential(Map.of("CREDENTIALS_DIRECTORY", credentials.toString())))
                .isEqualTo(configured);
        assertThat(unset.withCredential(Map.of())).isEqualTo(unset);
    }
}
