package com.dts.apm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.Cli;
import com.dts.apm.testing.Fixtures;
import com.dts.apm.testing.LogCapture;
import com.dts.apm.testing.TestConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IntegrationsCliIT {
    private static final String APP_PASSWORD = "abcd efgh ijkl mnop";
    private static final String STORED = "abcdefghijklmnop";

    @TempDir
    Path dir;

    private Cli cli;
    private LogCapture logs;
    private final StringBuilder printed = new StringBuilder();

    @BeforeEach
    void setUp() throws Exception {
        var config = dir.resolve("apm.yml");
        TestConfig.in(dir).noHttpPort().writeTo(config);
        cli = new Cli(config);
        logs = new LogCapture();
    }

    @AfterEach
    void noSecretAnywhere() {
        var everything = printed + logs.text();
        logs.close();
        assertThat(everything).doesNotContain(STORED).doesNotContain("hunter2hunter2");
        assertThat(Fixtures.anyFileContains(dir.resolve("data"), STORED)).isFalse();
    }

    private Cli.Result run(String... args) {
        var r = cli.run(args);
        printed.append(r.all());
        return r;
    }

    private Cli.Result runWithPassword(String password, String... args) {
        var r = cli.runWithInput(password + "\n", args);
        printed.append(r.all());
        return r;
    }

    private JsonNode listJson() throws Exception {
        var r = run("integrations", "list", "--json");
        assertThat(r.exit()).isZero();
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void addPrintsTheIdAndListShowsTheDocumentedFields() throws Exception {
        var r = runWithPassword(
                APP_PASSWORD,
                "integrations",
                "add",
                "--dealer-id",
                "D-100",
                "--dealer-name",
                "Acme Motors",
                "--email",
                "sales@gmail.com",
                "--password-stdin");
        assertThat(r.exit()).isZero();
        assertThat(r.out().strip()).isEqualTo("1");
        assertThat(r.err()).doesNotContain("warning");
        var list = listJson();
        assertThat(list).hasSize(1);
        var i = list.get(0);
        for (var field : new String[] {
            "id",
            "external_id",
            "dealer_id",
            "email",
            "provider",
            "auth",
            "oauth_app",
            "state",
            "enabled",
            "last_checked_at",
            "last_success_at"
        }) {
            assertThat(i.has(field)).as(field).isTrue();
        }
        assertThat(i.get("provider").asText()).isEqualTo("gmail");
        assertThat(i.get("state").asText()).isEqualTo("UNKNOWN");
        assertThat(i.get("enabled").asBoolean()).isTrue();
        assertThat(i.get("imap").get("host").asText()).isEqualTo("imap.gmail.com");
        assertThat(i.get("contact_email").asText()).isEqualTo("sales@gmail.com");
        assertThat(i.get("external_id").isNull()).as("no external id given").isTrue();
        assertThat(i.get("auth").asText()).isEqualTo("password");
        assertThat(i.get("oauth_app").isNull())
                .as("no OAuth app for a password")
                .isTrue();
    }

    @Test
    void listAndShowGiveTheDealerSystemsExternalId() throws Exception {
        var r = runWithPassword(
                APP_PASSWORD,
                "integrations",
                "add",
                "--dealer-id",
                "D-7",
                "--external-id",
                "crm:mailbox-7",
                "--email",
                "service@gmail.com",
                "--password-stdin");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(listJson().get(0).get("external_id").asText()).isEqualTo("crm:mailbox-7");
        var show = run("integrations", "show", r.out().strip(), "--json");
        assertThat(show.exit()).as(show.err()).isZero();
        assertThat(new ObjectMapper().readTree(show.out()).get("external_id").asText())
                .isEqualTo("crm:mailbox-7");
    }

    @Test
    void passwordFromAFileWithCustomServers() throws Exception {
        var pw = dir.resolve("pw.txt");
        Files.writeString(pw, "hunter2hunter2\n");
        var r = run(
                "integrations",
                "add",
                "--dealer-id",
                "D1",
                "--email",
                "info@acme-motors.test",
                "--provider",
                "custom",
                "--imap-host",
                "mail.acme-motors.test",
                "--smtp-host",
                "mail.acme-motors.test",
                "--smtp-security",
                "starttls",
                "--password-file",
                pw.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        var i = listJson().get(0);
        assertThat(i.get("imap").get("port").asInt()).isEqualTo(993);
        assertThat(i.get("smtp").get("port").asInt()).isEqualTo(587);
        assertThat(i.get("smtp").get("security").asText()).isEqualTo("starttls");
    }

    @Test
    void warnsWhenTheGmailPasswordIsProbablyTheMainOne() {
        var r = runWithPassword(
                "hunter2hunter2",
                "integrations",
                "add",
                "--dealer-id",
                "D1",
                "--email",
                "a@gmail.com",
                "--password-stdin");
        assertThat(r.exit()).isZero();
        assertThat(r.err()).contains("warning").contains("probably the main account password");
    }

    @Test
    void microsoft365VerifiesSmtpOnlyUnlessImapIsAskedForWithAWarning() throws Exception {
        var r = runWithPassword(
                "hunter2hunter2",
                "integrations",
                "add",
                "--dealer-id",
                "D1",
                "--email",
                "sales@contoso-motors.com",
                "--provider",
                "microsoft365",
                "--password-stdin");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err())
                .as("SMTP AUTH may take this password (providers.md): no warning")
                .doesNotContain("warning");
        var i = listJson().get(0);
        assertThat(i.get("provider").asText()).isEqualTo("microsoft365");
        assertThat(i.get("protocols").toString()).isEqualTo("[\"smtp\"]");
        assertThat(i.get("imap").isNull()).isTrue();
        assertThat(i.get("smtp").get("host").asText()).isEqualTo("smtp.office365.com");
        assertThat(i.get("smtp").get("port").asInt()).isEqualTo(587);
        assertThat(i.get("smtp").get("security").asText()).isEqualTo("starttls");

        var both = runWithPassword(
                "hunter2hunter2",
                "integrations",
                "add",
                "--dealer-id",
                "D2",
                "--email",
                "service@contoso-motors.com",
                "--provider",
                "microsoft365",
                "--protocols",
                "imap,smtp",
                "--password-stdin");
        assertThat(both.exit()).as(both.err()).isZero();
        assertThat(both.err().lines().filter(l -> l.startsWith("warning:")))
                .singleElement()
                .asString()
                .contains(
                        "Microsoft 365 takes no password over IMAP",
                        "service@contoso-motors.com",
                        "BASIC_AUTH_DISABLED");
        var stored = listJson().get(1);
        assertThat(stored.get("protocols").toString()).isEqualTo("[\"imap\",\"smtp\"]");
        assertThat(stored.get("imap").get("host").asText()).isEqualTo("outlook.office365.com");
    }

    @Test
    void passwordAsAnArgumentIsRefused() throws Exception {
        var r = run(
                "integrations", "add", "--dealer-id", "D1", "--email", "a@gmail.com", "--password", "hunter2hunter2");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--password is refused");
        assertThat(r.err().lines().count()).isEqualTo(1);
        assertThat(listJson()).isEmpty();
    }

    @Test
    void badInputGetsExitTwoAndOneLine() throws Exception {
        String[][] cases = {
            {"unknown provider 'hotmale'", "--email", "a@gmail.com", "--provider", "hotmale"},
            {"is not a valid email address", "--email", "not-an-address"},
            {
                "port 70000 is out of range",
                "--email",
                "a@acme.test",
                "--provider",
                "custom",
                "--imap-host",
                "m.acme.test",
                "--smtp-host",
                "m.acme.test",
                "--imap-port",
                "70000"
            },
            {
                "allowed only for a loopback host",
                "--email",
                "a@acme.test",
                "--provider",
                "custom",
                "--imap-host",
                "m.acme.test",
                "--imap-security",
                "plain",
                "--protocols",
                "imap"
            },
            {"cannot tell the provider", "--email", "a@acme.test"},
        };
        for (var c : cases) {
            var args = new java.util.ArrayList<>(
                    java.util.List.of("integrations", "add", "--dealer-id", "D1", "--password-stdin"));
            args.addAll(java.util.List.of(c).subList(1, c.length));
            var r = runWithPassword(STORED, args.toArray(String[]::new));
            assertThat(r.exit()).as(c[0]).isEqualTo(2);
            assertThat(r.err()).as(c[0]).contains(c[0]);
            assertThat(r.err().strip().lines().count()).as(c[0]).isEqualTo(1);
        }
        assertThat(listJson()).isEmpty();
    }

    @Test
    void emptyPasswordIsRefused() throws Exception {
        var r = runWithPassword(
                "   ", "integrations", "add", "--dealer-id", "D1", "--email", "a@gmail.com", "--password-stdin");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("password is empty");
        assertThat(listJson()).isEmpty();
    }

    @Test
    void duplicateMailboxIsRefusedAndTheFirstKept() throws Exception {
        assertThat(runWithPassword(
                                APP_PASSWORD,
                                "integrations",
                                "add",
                                "--dealer-id",
                                "D1",
                                "--email",
                                "a@gmail.com",
                                "--password-stdin")
                        .exit())
                .isZero();
        var r = runWithPassword(
                APP_PASSWORD, "integrations", "add", "--dealer-id", "D2", "--email", "A@gmail.com", "--password-stdin");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("already stored as integration 1");
        assertThat(listJson().get(0).get("dealer_id").asText()).isEqualTo("D1");
    }

    @Test
    void disableEnableSetPasswordAndRemove() throws Exception {
        runWithPassword(
                APP_PASSWORD, "integrations", "add", "--dealer-id", "D1", "--email", "a@gmail.com", "--password-stdin");
        assertThat(run("integrations", "disable", "1").exit()).isZero();
        assertThat(listJson().get(0).get("state").asText()).isEqualTo("DISABLED");
        assertThat(listJson().get(0).get("enabled").asBoolean()).isFalse();
        assertThat(run("integrations", "enable", "1").exit()).isZero();
        assertThat(listJson().get(0).get("state").asText()).isEqualTo("UNKNOWN");
        var r = runWithPassword("qrst uvwx yzab cdef", "integrations", "set-password", "1", "--password-stdin");
        assertThat(r.exit()).as(r.err()).isZero();
        var show = run("integrations", "show", "1");
        assertThat(show.out()).contains("a@gmail.com").doesNotContain("qrstuvwxyzabcdef");
        assertThat(run("integrations", "show", "1", "--json").out()).doesNotContain("qrstuvwxyzabcdef");
        assertThat(run("integrations", "remove", "1").exit()).isZero();
        assertThat(listJson()).isEmpty();
        var missing = run("integrations", "show", "1");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("no integration with id 1");
    }

    @Test
    void humanListIsATable() {
        runWithPassword(
                APP_PASSWORD, "integrations", "add", "--dealer-id", "D1", "--email", "a@gmail.com", "--password-stdin");
        var r = run("integrations", "list");
        assertThat(r.out()).contains("ID").contains("a@gmail.com").contains("UNKNOWN");
    }

    @Test
    void keysGenerateRefusesToOverwriteAndRotateKeepsPasswordsReadable() throws Exception {
        runWithPassword(
                APP_PASSWORD, "integrations", "add", "--dealer-id", "D1", "--email", "a@gmail.com", "--password-stdin");
        var again = run("keys", "generate");
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("already exists");
        var r = run("keys", "rotate");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("key version 1 -> 2, 1 password(s) re-sealed");
        assertThat(run("integrations", "list").exit()).isZero();
        assertThat(Files.readString(dir.resolve("data/master.key"), StandardCharsets.US_ASCII))
                .contains("\n2:")
                .doesNotContain("\n1:");
    }

    @Test
    void badConfigFileExitsTwoNamingTheKey() throws Exception {
        var bad = dir.resolve("bad.yml");
        Files.writeString(bad, "schedule:\n  interval: often\n");
        var r = new Cli(bad).run("integrations", "list");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains(bad.toString()).contains("schedule.interval");
    }

    @Test
    void wrongKeyFileIsOneClearLine() throws Exception {
        runWithPassword(
                APP_PASSWORD, "integrations", "add", "--dealer-id", "D1", "--email", "a@gmail.com", "--password-stdin");
        var other = dir.resolve("other.key");
        assertThat(run("keys", "generate", "--key-file", other.toString()).exit())
                .isZero();
        var config = dir.resolve("other.yml");
        TestConfig.in(dir).noHttpPort().keyFile(other).writeTo(config);
        var r = new Cli(config).run("integrations", "list");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("does not match this database");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
    }

    @Test
    void databaseThatIsNotSqliteIsRefused() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/apm.db"), "this is not a database, it is a note\n");
        var r = run("integrations", "list");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("is not an SQLite database");
        assertThat(Files.readString(dir.resolve("data/apm.db"))).startsWith("this is not a database");
    }

    @Test
    void databaseFromANewerVersionIsOneLineExitTwoAndUntouched() throws Exception {
        runWithPassword(
                APP_PASSWORD, "integrations", "add", "--dealer-id", "D1", "--email", "a@gmail.com", "--password-stdin");
        com.dts.apm.store.Database.open(dir.resolve("data/apm.db"))
                .jdbi()
                .useHandle(h -> h.execute("PRAGMA user_version = 42"));
        var before = Files.readAllBytes(dir.resolve("data/apm.db"));
        var r = runWithPassword(
                APP_PASSWORD, "integrations", "add", "--dealer-id", "D2", "--email", "b@gmail.com", "--password-stdin");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("schema version 42").contains("newer");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
        assertThat(Files.readAllBytes(dir.resolve("data/apm.db"))).isEqualTo(before);
    }

    @Test
    void emptyPasswordFileAndTwoPasswordSourcesAreOneLineExitTwo() throws Exception {
        var pw = dir.resolve("empty.txt");
        Files.writeString(pw, " \n");
        var empty = run(
                "integrations", "add", "--dealer-id", "D1", "--email", "a@gmail.com", "--password-file", pw.toString());
        assertThat(empty.exit()).isEqualTo(2);
        assertThat(empty.err()).contains("password is empty");
        assertThat(empty.err().strip().lines().count()).isEqualTo(1);
        var none = run("integrations", "add", "--dealer-id", "D1", "--email", "a@gmail.com");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(listJson()).isEmpty();
    }

    @Test
    void badKeyFileLengthThroughTheCommandLineIsOneLine() throws Exception {
        var key = dir.resolve("short.key");
        Files.writeString(key, "1:" + java.util.Base64.getEncoder().encodeToString(new byte[16]) + "\n");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        var config = dir.resolve("short.yml");
        TestConfig.in(dir).noHttpPort().keyFile(key).writeTo(config);
        var r = new Cli(config).run("integrations", "list");
        printed.append(r.all());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("16 bytes long, expected 32");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
    }

    @Test
    void withNoKeyConfiguredOneIsCreatedBesideTheDatabaseWithOneWarning() throws Exception {
        assertThat(run("integrations", "list").exit()).isZero();
        var key = dir.resolve("data/master.key");
        assertThat(key).exists();
        assertThat(Files.getPosixFilePermissions(key))
                .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        var first = Files.readString(key);
        runWithPassword(
                APP_PASSWORD, "integrations", "add", "--dealer-id", "D1", "--email", "a@gmail.com", "--password-stdin");
        assertThat(run("integrations", "list").exit()).isZero();
        assertThat(Files.readString(key)).isEqualTo(first);
        var warnings = logs.text()
                .lines()
                .filter(l -> l.contains("no master key was configured"))
                .count();
        assertThat(warnings).isEqualTo(1);
    }
}
