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
import java.sql.DriverManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Every command of the command line on a PostgreSQL database, against GreenMail; {@code db backup} points to pg_dump. */
class CliPostgresIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final PostgresServer pg = new PostgresServer();

    @TempDir
    Path dir;

    private GreenMail mail;
    private PostgresDatabases databases;
    private Cli cli;

    @BeforeEach
    void setUp() {
        mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.IMAP, ServerSetupTest.SMTP}));
        mail.start();
        databases = new PostgresDatabases(pg, dir);
        cli = new Cli(TestConfig.in(dir).noHttpPort().postgres(databases).writeTo(dir.resolve("apm.yml")));
    }

    @AfterEach
    void tearDown() {
        mail.stop();
        databases.close();
    }

    private Cli.Result ok(Cli.Result r) {
        assertThat(r.exit()).as(r.all()).isZero();
        return r;
    }

    private String[] servers() {
        return new String[] {
            "--provider",
            "custom",
            "--imap-host",
            "127.0.0.1",
            "--imap-port",
            String.valueOf(mail.getImap().getPort()),
            "--imap-security",
            "plain",
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            String.valueOf(mail.getSmtp().getPort()),
            "--smtp-security",
            "plain"
        };
    }

    @Test
    void everyCommandWorksOnPostgres() throws Exception {
        mail.setUser("sales@dealer-a.test", "sales@dealer-a.test", "right-app-password");
        var add = new java.util.ArrayList<>(java.util.List.of(
                "integrations",
                "add",
                "--dealer-id",
                "D1",
                "--dealer-name",
                "Acme Motors",
                "--email",
                "sales@dealer-a.test",
                "--password-stdin"));
        add.addAll(java.util.List.of(servers()));
        long id = Long.parseLong(ok(cli.runWithInput("right-app-password\n", add.toArray(String[]::new)))
                .out()
                .strip());

        // a mailbox of another case is the same mailbox (the nocase collation)
        var again = new java.util.ArrayList<>(add);
        again.set(again.indexOf("sales@dealer-a.test"), "SALES@Dealer-A.test");
        var dup = cli.runWithInput("x\n", again.toArray(String[]::new));
        assertThat(dup.exit()).isEqualTo(2);
        assertThat(dup.err()).contains("already stored as integration " + id);

        var csv = dir.resolve("more.csv");
        Files.writeString(
                csv,
                "dealer_id,email,password,provider,imap_host,imap_port,imap_security,protocols\n"
                        + "D2,parts@dealer-b.test,wrong-app-password,custom,127.0.0.1,"
                        + mail.getImap().getPort() + ",plain,imap\n");
        mail.setUser("parts@dealer-b.test", "parts@dealer-b.test", "the-real-one");
        ok(cli.run("integrations", "import", csv.toString()));

        var list = JSON.readTree(ok(cli.run("integrations", "list", "--json")).out());
        assertThat(list).hasSize(2);
        assertThat(list.get(0).get("enabled").asBoolean()).isTrue();
        assertThat(ok(cli.run("integrations", "show", String.valueOf(id))).out())
                .contains("sales@dealer-a.test");

        var check = cli.run("check", "--all", "--json");
        assertThat(check.exit()).as(check.all()).isEqualTo(1); // the imported one has a wrong password
        assertThat(check.out()).contains("\"outcome\":\"OK\"").contains("\"outcome\":\"AUTH_REJECTED\"");
        assertThat(ok(cli.run("check", String.valueOf(id), "--json")).out()).contains("\"state\":\"HEALTHY\"");
        assertThat(ok(cli.run("history", String.valueOf(id))).out()).contains("OK");
        assertThat(JSON.readTree(ok(cli.run("status", "--json")).out()).toString())
                .contains("HEALTHY")
                .contains("SUSPECT");

        ok(cli.run("integrations", "disable", String.valueOf(id)));
        assertThat(JSON.readTree(ok(cli.run("integrations", "list", "--json")).out())
                        .get(0)
                        .get("state")
                        .asText())
                .isEqualTo("DISABLED");
        ok(cli.run("integrations", "enable", String.valueOf(id)));
        ok(cli.runWithInput(
                "right-app-password\n", "integrations", "set-password", String.valueOf(id), "--password-stdin"));

        ok(cli.run("alerts", "held", "--json"));
        ok(cli.run("alerts", "bounces", "--json"));
        ok(cli.run("alerts", "release", "--provider", "custom"));
        ok(cli.run("alerts", "drop", "--provider", "custom"));
        ok(cli.run("alerts", "preview", "--provider", "gmail", "--outcome", "AUTH_REJECTED"));

        var token = ok(cli.run("api-tokens", "create", "crm", "--scopes", "integrations:read"))
                .out()
                .strip();
        assertThat(ok(cli.run("api-tokens", "list", "--json")).out())
                .contains("crm")
                .doesNotContain(token);
        ok(cli.run("api-tokens", "revoke", "crm"));
        ok(cli.run("webhooks", "list", "--json"));
        ok(cli.run("webhooks", "failed", "--json"));

        var rotated = ok(cli.run("keys", "rotate"));
        assertThat(rotated.out()).contains("2 password(s) re-sealed");
        assertThat(ok(cli.run("check", String.valueOf(id), "--json")).out()).contains("\"outcome\":\"OK\"");

        ok(cli.run("integrations", "remove", String.valueOf(id)));
        assertThat(JSON.readTree(ok(cli.run("integrations", "list", "--json")).out()))
                .hasSize(1);

        var backup = cli.run("db", "backup", dir.resolve("copy.db").toString());
        assertThat(backup.exit()).isEqualTo(2);
        assertThat(backup.err().strip())
                .contains("pg_dump")
                .doesNotContain("\n")
                .doesNotContain(pg.password());
        assertThat(dir.resolve("copy.db")).doesNotExist();
        assertThat(dir.resolve("data/apm.db")).doesNotExist(); // nothing went to SQLite

        // what reached PostgreSQL: only sealed passwords
        try (var c = DriverManager.getConnection(databases.config().url(), pg.username(), pg.password());
                var rs = c.createStatement()
                        .executeQuery("SELECT count(*) FROM integration WHERE secret_ciphertext IS NOT NULL"
                                + " AND position(convert_to('the-real-one', 'UTF8') in secret_ciphertext) = 0")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void aRefusedLoginIsOneLineWithoutThePassword() throws Exception {
        Files.writeString(databases.config().passwordFile(), "not-the-password\n");
        var r = cli.run("integrations", "list");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err().strip()).contains("PostgreSQL refused the login").doesNotContain("not-the-password");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
    }
}
