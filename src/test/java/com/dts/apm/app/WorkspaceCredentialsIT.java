package com.dts.apm.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.config.ConfigLoader;
import com.dts.apm.store.Vault;
import com.dts.apm.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Under systemd both secrets arrive in $CREDENTIALS_DIRECTORY; the config names neither file. */
class WorkspaceCredentialsIT {
    @TempDir
    Path dir;

    @Test
    void takesTheMasterKeyAndRelayPasswordFromTheCredentialsDirectory() throws Exception {
        var credentials = Files.createDirectories(dir.resolve("credentials"));
        Vault.generate(credentials.resolve("master-key"));
        Files.writeString(credentials.resolve("relay-password"), "relay-secret\n");
        Files.setPosixFilePermissions(
                credentials.resolve("relay-password"), PosixFilePermissions.fromString("r--------"));
        var yml = dir.resolve("apm.yml");
        TestConfig.in(dir)
                .database(dir.resolve("state/apm.db"))
                .noHttpPort()
                .alerts("relay", "{ host: smtp.example.com, username: alerts }")
                .writeTo(yml);
        var config = ConfigLoader.load(yml, null);
        var env = Map.of("CREDENTIALS_DIRECTORY", credentials.toString());

        var ws = Workspace.open(config, env, Clock.systemUTC());

        assertThat(Workspace.keyFile(config, env)).isEqualTo(credentials.resolve("master-key"));
        assertThat(ws.relay().passwordFile()).isEqualTo(credentials.resolve("relay-password"));
        assertThat(dir.resolve("state/master.key"))
                .as("no key of its own beside the database")
                .doesNotExist();
    }
}
