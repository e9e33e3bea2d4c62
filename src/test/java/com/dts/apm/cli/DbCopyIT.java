package com.dts.apm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.Cli;
import com.dts.apm.testing.PostgresDatabases;
import com.dts.apm.testing.PostgresServer;
import com.dts.apm.testing.TestConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code db copy --to URL}: an SQLite database with history moves to an empty PostgreSQL one and goes on working there. */
class DbCopyIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final PostgresServer pg = new PostgresServer();

    @TempDir
    Path dir;

    private GreenMail mail;
    private PostgresDatabases databases;

    @BeforeEach
    void setUp() {
        mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.IMAP}));
        mail.start();
        databases = new PostgresDatabases(pg, dir);
    }

    @AfterEach
    void tearDown() {
        mail.stop();
        databases.close();
    }

    private long add(Cli cli, String email, String password) {
        mail.setUser(email, email, "right-" + email);
        var r = cli.runWithInput(
                password + "\n",
                "integrations",
                "add",
                "--dealer-id",
                "D1",
                "--email",
                email,
                "--provider",
                "custom",
                "--protocols",
                "imap",
                "--imap-host",
                "127.0.0.1",
                "--imap-port",
                String.valueOf(mail.getImap().getPort()),
                "--imap-security",
                "plain",
                "--password-stdin");
        assertThat(r.exit()).as(r.all()).isZero();
        return Long.parseLong(r.out().strip());
    }

    @Test
    void copiesEverythingIntoAnEmptyPostgresAndRefusesAFullOne() throws Exception {
        var key = dir.resolve("data/master.key");
        var sqlite = new Cli(TestConfig.in(dir).noHttpPort().writeTo(dir.resolve("sqlite.yml")));
        long a = add(sqlite, "a@dealer.test", "right-a@dealer.test");
        add(sqlite, "b@dealer.test", "revoked");
        assertThat(sqlite.run("check", "--all").exit()).isEqualTo(1);
        assertThat(sqlite.run("check", "--all").exit()).isEqualTo(1);
        assertThat(sqlite.run("api-tokens", "create", "crm", "--scopes", "integrations:read")
                        .exit())
                .isZero();
        var before = JSON.readTree(sqlite.run("integrations", "list", "--json").out());

        var to = databases.config();
        var copy = sqlite.run(
                "db",
                "copy",
                "--to",
                to.url(),
                "--username",
                to.username(),
                "--password-file",
                to.passwordFile().toString());
        assertThat(copy.exit()).as(copy.all()).isZero();
        assertThat(copy.out())
                .contains("integration       2 row(s)")
                .contains("check_result      4 row(s)")
                .contains("state_transition  3 row(s)")
                .contains("api_token         1 row(s)")
                .contains("the counts match");

        var postgres = new Cli(
                TestConfig.in(dir).noHttpPort().keyFile(key).postgres(databases).writeTo(dir.resolve("pg.yml")));
        assertThat(JSON.readTree(postgres.run("integrations", "list", "--json").out()))
                .isEqualTo(before);
        assertThat(postgres.run("history", String.valueOf(a)).out()).contains("OK");
        // the sealed passwords open with the same key, and new rows get new ids
        var check = postgres.run("check", String.valueOf(a), "--json");
        assertThat(check.exit()).as(check.all()).isZero();
        assertThat(add(postgres, "c@dealer.test", "right-c@dealer.test")).isEqualTo(3);

        var again = sqlite.run(
                "db",
                "copy",
                "--to",
                to.url(),
                "--username",
                to.username(),
                "--password-file",
                to.passwordFile().toString());
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err().strip()).contains("is not empty").doesNotContain("\n");
        assertThat(Files.readString(dir.resolve("pg.yml"))).contains(to.url());
    }
}
