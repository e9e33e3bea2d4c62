package com.dts.apm.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        var f = dir.resolve("apm.yml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void runsOnEmbeddedDefaultsWithoutAFile() {
        var c = ConfigLoader.load(null, null);
        assertThat(c.database().path()).isEqualTo(Path.of("data/app-password-monitor.db"));
        assertThat(c.http().bind()).isEqualTo("127.0.0.1");
        assertThat(c.http().port()).isEqualTo(9464);
        assertThat(c.schedule().interval()).isEqualTo(Duration.ofHours(1));
        assertThat(c.alerts().reminders()).containsExactly(Duration.ofDays(1), Duration.ofDays(3), Duration.ofDays(7));
    }

    @Test
    void theShippedExampleParsesAndMatchesTheDefaults() {
        var c = ConfigLoader.load(Path.of("config/app-password-monitor.yml"), null);
        assertThat(c).isEqualTo(Config.defaults());
    }

    @Test
    void envVariableNamesTheFileWhenNoOptionIsGiven() throws Exception {
        var f = write("http: { port: 9999 }\n");
        assertThat(ConfigLoader.load(null, f.toString()).http().port()).isEqualTo(9999);
    }

    @Test
    void readsShortDurations() throws Exception {
        var c = ConfigLoader.load(
                write("schedule:\n  interval: 90s\n  jitter: 15m\n  degraded-after: 6h\nhistory: { retention: 7d }\n"),
                null);
        assertThat(c.schedule().interval()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.schedule().jitter()).isEqualTo(Duration.ofMinutes(15));
        assertThat(c.schedule().degradedAfter()).isEqualTo(Duration.ofHours(6));
        assertThat(c.history().retention()).isEqualTo(Duration.ofDays(7));
    }

    @Test
    void unknownKeyNamesFileAndFullKey() throws Exception {
        var f = write("schedule:\n  intervall: 1h\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ": key schedule.intervall: unknown key")
                .hasMessageContaining("interval");
    }

    @Test
    void badDurationNamesTheKey() throws Exception {
        var f = write("checks:\n  deadline: soon\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("key checks.deadline")
                .hasMessageContaining("'soon' is not a duration");
    }

    @Test
    void wrongTypeNamesTheKey() throws Exception {
        var f = write("http:\n  port: [1, 2]\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("key http.port");
        var g = write("schedule:\n  max-concurrent-checks: lots\n");
        assertThatThrownBy(() -> ConfigLoader.load(g, null)).hasMessageContaining("key schedule.max-concurrent-checks");
    }

    @Test
    void outOfRangeValueIsRefusedNotClamped() throws Exception {
        var f = write("http: { port: 70000 }\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, null))
                .hasMessageContaining("key http.port: 70000 is out of range");
        var g = write("schedule: { interval: 0s }\n");
        assertThatThrownBy(() -> ConfigLoader.load(g, null))
                .hasMessageContaining("key schedule.interval: must be longer than 0");
    }

    @Test
    void postgresSettingsAreReadAndChecked() throws Exception {
        var pw = dir.resolve("pg.pass");
        Files.writeString(pw, "s3cret\n");
        var c = ConfigLoader.load(
                write("database:\n  url: jdbc:postgresql://db.example.com:5432/apm\n  username: apm\n"
                        + "  password-file: " + pw + "\n  pool-size: 20\n"),
                null);
        assertThat(c.database().postgres()).isTrue();
        assertThat(c.database().url()).isEqualTo("jdbc:postgresql://db.example.com:5432/apm");
        assertThat(c.database().poolSize()).isEqualTo(20);
        assertThat(ConfigLoader.load(null, null).database().postgres()).isFalse();

        var notPostgres = write("database: { url: 'jdbc:mysql://db/apm', username: apm }\n");
        assertThatThrownBy(() -> ConfigLoader.load(notPostgres, null))
                .hasMessageContaining("key database.url: 'jdbc:mysql://db/apm' is not a PostgreSQL JDBC URL");
        var passwordInUrl =
                write("database: { url: 'jdbc:postgresql://db/apm?user=apm&password=hunter2', username: apm }\n");
        assertThatThrownBy(() -> ConfigLoader.load(passwordInUrl, null))
                .hasMessageContaining("key database.url: must not carry the password")
                .hasMessageNotContaining("hunter2");
        var noUser = write("database: { url: 'jdbc:postgresql://db/apm' }\n");
        assertThatThrownBy(() -> ConfigLoader.load(noUser, null))
                .hasMessageContaining("key database.username: is required with database.url");
        var noFile = write(
                "database: { url: 'jdbc:postgresql://db/apm', username: apm, password-file: /nonexistent/pg.pass }\n");
        assertThatThrownBy(() -> ConfigLoader.load(noFile, null))
                .hasMessageContaining("key database.password-file: file /nonexistent/pg.pass does not exist");
        var pool = write("database: { url: 'jdbc:postgresql://db/apm', username: apm, pool-size: 1 }\n");
        assertThatThrownBy(() -> ConfigLoader.load(pool, null))
                .hasMessageContaining("key database.pool-size: 1 is out of range 2-200");
        var userWithoutUrl = write("database: { username: apm }\n");
        assertThatThrownBy(() -> ConfigLoader.load(userWithoutUrl, null))
                .hasMessageContaining("key database.username: is only for database.url");
    }

    @Test
    void oauthAppsAreReadAndTheirTokenUrlMustBeHttps() throws Exception {
        var secret = Files.writeString(dir.resolve("google.secret"), "GOCSPX-x\n");
        var ok = ConfigLoader.load(
                write("oauth:\n  google: { client-id: 123.apps.googleusercontent.com, client-secret-file: " + secret
                        + ", token-url: \"https://oauth2.googleapis.com/token\" }\n"
                        + "  local: { client-id: c, client-secret-file: " + secret
                        + ", token-url: \"http://127.0.0.1:8080/token\" }\n"),
                null);
        assertThat(ok.oauth().get("google").clientId()).isEqualTo("123.apps.googleusercontent.com");
        assertThat(ok.oauth()).containsOnlyKeys("google", "local");
        var plain = write("oauth:\n  google: { client-id: c, client-secret-file: " + secret
                + ", token-url: \"http://oauth2.googleapis.com/token\" }\n");
        assertThatThrownBy(() -> ConfigLoader.load(plain, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(
                        "key oauth.google.token-url: 'http://oauth2.googleapis.com/token' must be an https URL")
                .hasMessageNotContaining("\n");
        var noId = write("oauth:\n  microsoft: { client-secret-file: " + secret
                + ", token-url: \"https://login.microsoftonline.com/common/oauth2/v2.0/token\" }\n");
        assertThatThrownBy(() -> ConfigLoader.load(noId, null))
                .hasMessageContaining("key oauth.microsoft.client-id: is missing");
        var unknown = write("oauth:\n  google: { client-id: c, secret: x, token-url: \"https://x.example/t\" }\n");
        assertThatThrownBy(() -> ConfigLoader.load(unknown, null))
                .hasMessageContaining("key oauth.google.secret: unknown key");
    }

    @Test
    void missingReferencedFileIsNamed() throws Exception {
        var f = write("alerts:\n  relay:\n    password-file: /nonexistent/relay.pass\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, null))
                .hasMessageContaining("key alerts.relay.password-file: file /nonexistent/relay.pass does not exist");
    }

    @Test
    void fileThatIsNotYamlGetsOneLine() throws Exception {
        var f = write("schedule: [unclosed\n  : :\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f.toString())
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void missingConfigFileIsAClearError() {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yml"), null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("config file does not exist");
    }

    @Test
    void emptyFileIsRefused() throws Exception {
        var f = write("");
        assertThatThrownBy(() -> ConfigLoader.load(f, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f.toString());
    }

    @Test
    void durationsFormatBack() {
        assertThat(Durations.format(Duration.ofHours(6))).isEqualTo("6h");
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(Durations.format(Duration.ofDays(7))).isEqualTo("7d");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    @Test
    void alertDeliverySettingsAreChecked() throws Exception {
        var f = write("alerts:\n  retry-initial: 10m\n  retry-max: 1m\n");
        assertThatThrownBy(() -> ConfigLoader.load(f, null))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("key alerts.retry-max");
        var g = write("alerts:\n  reminders: [3d, 1d]\n");
        assertThatThrownBy(() -> ConfigLoader.load(g, null)).hasMessageContaining("key alerts.reminders[1]");
        var h = write("alerts:\n  ops-email: \"ops@example.com, boss@example.com\"\n");
        assertThatThrownBy(() -> ConfigLoader.load(h, null)).hasMessageContaining("key alerts.ops-email");
        var k = write("alerts:\n  send-interval: 0s\n");
        assertThatThrownBy(() -> ConfigLoader.load(k, null)).hasMessageContaining("key alerts.send-interval");
        var ok = ConfigLoader.load(write("alerts:\n  send-interval: 2s\n  ops-email: ops@example.com\n"), null);
        assertThat(ok.alerts().sendInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(ok.alerts().retryMax()).isEqualTo(Duration.ofHours(1));
    }
}
