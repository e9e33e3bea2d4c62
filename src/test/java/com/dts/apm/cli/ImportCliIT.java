package com.dts.apm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.Cli;
import com.dts.apm.testing.Fixtures;
import com.dts.apm.testing.TestConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportCliIT {
    @TempDir
    Path dir;

    private Cli cli;

    @BeforeEach
    void setUp() throws Exception {
        var config = dir.resolve("apm.yml");
        TestConfig.in(dir).noHttpPort().writeTo(config);
        cli = new Cli(config);
    }

    private Path csv(String text) throws Exception {
        var f = dir.resolve("dealers.csv");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }

    private JsonNode list() throws Exception {
        return new ObjectMapper()
                .readTree(cli.run("integrations", "list", "--json").out());
    }

    @Test
    void importsOAuthRowsWithTheirRefreshTokenSealed() throws Exception {
        var secret = Files.writeString(dir.resolve("google.secret"), "s\n");
        var config = dir.resolve("apm.yml");
        TestConfig.in(dir)
                .noHttpPort()
                .raw("oauth:\n  google: { client-id: c, client-secret-file: " + secret
                        + ", token-url: \"https://oauth2.googleapis.com/token\" }\n")
                .writeTo(config);
        cli = new Cli(config);
        var noApp = csv("dealer_id,email,provider,auth,refresh_token,password\n"
                + "D1,sales@outlook.com,outlook,oauth2,M.C507-refresh-1,\n");
        var refused = cli.run("integrations", "import", noApp.toString());
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err())
                .contains("line 2")
                .contains("OAuth app 'microsoft' is not configured (configured: google)");
        var f = csv("dealer_id,email,provider,auth,refresh_token,password\n"
                + "D1,sales@gmail.com,gmail,oauth2,1//0refresh-token-of-d1,\n"
                + "D2,service@yahoo.com,yahoo,,,qwertyuiopasdfgh\n");
        var r = cli.run("integrations", "import", f.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.all()).doesNotContain("1//0refresh-token-of-d1");
        var id = list().get(0).get("id").asLong();
        assertThat(cli.run("integrations", "show", String.valueOf(id)).out())
                .contains("auth:           oauth2 (app google, the provider's default)");
        assertThat(com.dts.apm.testing.Fixtures.anyFileContains(dir.resolve("data"), "1//0refresh-token-of-d1"))
                .isFalse();
        // an app named per row: it must be configured, and only an oauth2 row takes one
        var named = csv("dealer_id,email,provider,auth,refresh_token,oauth_app,password\n"
                + "D4,fleet@outlook.com,outlook,oauth2,M.C507-refresh-4,google,\n");
        var n = cli.run("integrations", "import", named.toString());
        assertThat(n.exit()).as(n.err()).isZero();
        var fleet = new ObjectMapper()
                .readTree(cli.run("integrations", "show", "--json", String.valueOf(id + 2))
                        .out());
        assertThat(fleet.get("email").asText()).isEqualTo("fleet@outlook.com");
        assertThat(fleet.get("auth").asText()).isEqualTo("oauth2");
        assertThat(fleet.get("oauth_app").asText()).isEqualTo("google");
        assertThat(cli.run("integrations", "show", String.valueOf(id + 2)).out())
                .contains("auth:           oauth2 (app google)");
        var unknownApp = csv("dealer_id,email,provider,auth,refresh_token,oauth_app,password\n"
                + "D5,a@outlook.com,outlook,oauth2,M.C507-refresh-5,nope,\n");
        assertThat(cli.run("integrations", "import", unknownApp.toString()).err())
                .contains("line 2")
                .contains("OAuth app 'nope' is not configured");
        var appWithPassword = csv("dealer_id,email,oauth_app,password\nD6,b@yahoo.com,google,qwertyuiopasdfgh\n");
        assertThat(cli.run("integrations", "import", appWithPassword.toString()).err())
                .contains("an oauth_app needs auth oauth2");
        var both = csv("dealer_id,email,auth,password\nD3,x@gmail.com,oauth2,abc\n");
        assertThat(cli.run("integrations", "import", both.toString()).err())
                .contains("auth oauth2 needs a refresh_token");
    }

    @Test
    void aRowWithAnUnquotedCommaIsRefusedWithoutPrintingItsPassword() throws Exception {
        var f = csv("dealer_id,dealer_name,email,password\n"
                + "D-1,Smith, Sons Motors,sales@gmail.com,qwertyuiopasdfgh\n"
                + "D-2,Jones Motors,sales@jones.test,pa\"ss,word-x9\n");

        var r = cli.run("integrations", "import", f.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("line 2", "line 3").contains("double quotes");
        assertThat(r.all()).doesNotContain("qwertyuiopasdfgh").doesNotContain("word-x9");
        assertThat(list()).isEmpty();
    }

    @Test
    void importsRowsInAnyColumnOrderAndUpdatesStoredMailboxes() throws Exception {
        var f = csv("email,password,dealer_id,dealer_name,provider,protocols,enabled\n"
                + "sales@gmail.com,abcd efgh ijkl mnop,D1,Acme Motors,,imap+smtp,true\n"
                + "\"service@yahoo.com\",qwertyuiopasdfgh,D2,\"Bob's Cars, Inc.\",yahoo,imap,\n"
                + "parts@acme-motors.test,s3cretpassword,D1,,custom,smtp,no\n");
        Files.writeString(
                f,
                Files.readString(f)
                        .replace(
                                "parts@acme-motors.test,s3cretpassword,D1,,custom,smtp,no",
                                "parts@acme-motors.test,s3cretpassword,D1,,custom,smtp,no"));
        var bad = cli.run("integrations", "import", f.toString());
        // custom without servers is a bad row: nothing imported
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("line 4").contains("no SMTP server known");
        assertThat(list()).isEmpty();

        Files.writeString(
                f,
                "email,password,dealer_id,dealer_name,provider,protocols,enabled,smtp_host,smtp_security\n"
                        + "sales@gmail.com,abcd efgh ijkl mnop,D1,Acme Motors,,imap+smtp,true,,\n"
                        + "\"service@yahoo.com\",qwertyuiopasdfgh,D2,\"Bob's Cars, Inc.\",yahoo,imap,,,\n"
                        + "parts@acme-motors.test,s3cretpassword,D1,,custom,smtp,no,mail.acme-motors.test,starttls\n");
        var r = cli.run("integrations", "import", f.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("3 added, 0 updated");
        var rows = list();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(1).get("dealer_name").asText()).isEqualTo("Bob's Cars, Inc.");
        assertThat(rows.get(1).get("protocols").toString()).isEqualTo("[\"imap\"]");
        assertThat(rows.get(2).get("enabled").asBoolean()).isFalse();
        assertThat(rows.get(2).get("state").asText()).isEqualTo("DISABLED");

        Files.writeString(
                f,
                "dealer_id,email,password\nD7,sales@gmail.com,zyxw vuts rqpo nmlk\nD8,new@gmail.com,abcdabcdabcdabcd\n");
        var again = cli.run("integrations", "import", f.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).contains("1 added, 1 updated");
        assertThat(list().get(0).get("dealer_id").asText()).isEqualTo("D7");
        assertThat(Fixtures.anyFileContains(dir.resolve("data"), "zyxwvutsrqponmlk"))
                .isFalse();
        assertThat(again.all()).doesNotContain("zyxwvutsrqponmlk");
    }

    @Test
    void everyBadRowIsReportedWithItsLineAndNothingIsImported() throws Exception {
        var f = csv("dealer_id,email,password,provider,imap_port\n"
                + "D1,good@gmail.com,abcdabcdabcdabcd,,\n"
                + "D2,not-an-email,abcdabcdabcdabcd,,\n"
                + "D3,x@gmail.com,,,\n"
                + "D4,y@gmail.com,abcdabcdabcdabcd,hotmale,\n"
                + "D5,z@gmail.com,abcdabcdabcdabcd,,99999\n"
                + "D6,good@gmail.com,abcdabcdabcdabcd,,\n");
        var r = cli.run("integrations", "import", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .contains("line 3: email 'not-an-email' is not a valid email address")
                .contains("line 4: the password is empty")
                .contains("line 5: unknown provider 'hotmale'")
                .contains("line 6: imap server: port 99999 is out of range")
                .contains("line 7: mailbox good@gmail.com is already on line 2")
                .contains("5 bad row(s); nothing was imported")
                .doesNotContain("line 2:");
        assertThat(list()).isEmpty();
    }

    @Test
    void missingRequiredColumnIsRefused() throws Exception {
        var r = cli.run(
                "integrations",
                "import",
                csv("dealer_id,email\nD1,a@gmail.com\n").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("missing column(s) password");
    }

    @Test
    void unknownColumnIsRefused() throws Exception {
        var r = cli.run(
                "integrations",
                "import",
                csv("dealer_id,email,password,pasword\nD1,a@gmail.com,abcdabcdabcdabcd,x\n")
                        .toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("unknown column(s) pasword");
    }

    @Test
    void emptyFileHeaderOnlyAndMissingFileAreRefused() throws Exception {
        var empty = cli.run("integrations", "import", csv("").toString());
        assertThat(empty.exit()).isEqualTo(2);
        assertThat(empty.err()).contains("the file is empty");
        var header = cli.run(
                "integrations", "import", csv("dealer_id,email,password\n").toString());
        assertThat(header.exit()).isEqualTo(2);
        assertThat(header.err()).contains("no data rows");
        var missing = cli.run("integrations", "import", dir.resolve("nope.csv").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("does not exist");
    }

    @Test
    void fileThatIsNotUtf8IsRefused() throws Exception {
        var f = dir.resolve("latin1.csv");
        Files.write(
                f,
                "dealer_id,email,password\nD1,caf\u00e9@gmail.com,abcdabcdabcdabcd\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
        var r = cli.run("integrations", "import", f.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("not UTF-8");
        assertThat(list()).isEmpty();
    }

    @Test
    void rowWithTooFewOrTooManyValuesIsABadRow() throws Exception {
        var r = cli.run(
                "integrations",
                "import",
                csv("dealer_id,email,password\nD1,a@gmail.com\nD2,b@gmail.com,abcdabcdabcdabcd,extra\nD3,c@gmail.com,abcdabcdabcdabcd\n")
                        .toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err())
                .contains("line 2: 2 value(s) but the header has 3 columns")
                .contains("line 3:")
                .doesNotContain("line 4");
        assertThat(list()).isEmpty();
    }

    @Test
    void microsoft365RowsVerifySmtpUnlessTheRowAsksForImap() throws Exception {
        var f = csv("dealer_id,email,password,provider,protocols\n"
                + "D1,sales@contoso-motors.com,hunter2hunter2,microsoft365,\n"
                + "D2,parts@contosomotors.onmicrosoft.com,hunter2hunter2,,\n"
                + "D3,service@contoso-motors.com,hunter2hunter2,microsoft365,imap+smtp\n");

        var r = cli.run("integrations", "import", f.toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("3 added", "(1 warning(s) above)");
        assertThat(r.err())
                .contains("warning: line 4: Microsoft 365 takes no password over IMAP")
                .doesNotContain("line 2:", "line 3:");
        var rows = list();
        assertThat(rows.get(0).get("protocols").toString()).isEqualTo("[\"smtp\"]");
        assertThat(rows.get(1).get("provider").asText()).isEqualTo("microsoft365");
        assertThat(rows.get(1).get("protocols").toString()).isEqualTo("[\"smtp\"]");
        assertThat(rows.get(2).get("protocols").toString()).isEqualTo("[\"imap\",\"smtp\"]");
    }

    @Test
    void adminContactComesFromTheCsvColumnOrTheAddOption() throws Exception {
        var f = csv(
                "dealer_id,email,password,admin_email\nD1,sales@gmail.com,abcdabcdabcdabcd,boss@acme-motors.test\n");
        var r = cli.run("integrations", "import", f.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(list().get(0).get("admin_email").asText()).isEqualTo("boss@acme-motors.test");

        var add = cli.runWithInput(
                "abcdabcdabcdabcd\n",
                "integrations",
                "add",
                "--dealer-id",
                "D2",
                "--email",
                "two@gmail.com",
                "--admin-email",
                "owner@two.test",
                "--password-stdin");
        assertThat(add.exit()).as(add.err()).isZero();
        assertThat(list().get(1).get("admin_email").asText()).isEqualTo("owner@two.test");
        assertThat(cli.run("integrations", "show", add.out().strip()).out()).contains("admin contact:  owner@two.test");

        var bad = cli.runWithInput(
                "abcdabcdabcdabcd\n",
                "integrations",
                "add",
                "--dealer-id",
                "D3",
                "--email",
                "three@gmail.com",
                "--admin-email",
                "boss@x.test\r\nBcc: evil@evil.test",
                "--password-stdin");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().strip().lines()).hasSize(1);
        assertThat(bad.err()).contains("admin email");
    }

    @Test
    void aBadFileChangesNothingAlreadyStored() throws Exception {
        var first = cli.run(
                "integrations",
                "import",
                csv("dealer_id,email,password\nD1,sales@gmail.com,abcdabcdabcdabcd\n")
                        .toString());
        assertThat(first.exit()).as(first.err()).isZero();
        var dbFile = dir.resolve("data/apm.db");
        var before = list().toString();
        var bad = new String[] {
            "dealer_id,email\nD9,sales@gmail.com\n",
            "dealer_id,email,password\nD9,sales@gmail.com,zzzzzzzzzzzzzzzz\nD9,nope,zzzzzzzzzzzzzzzz\n",
            "",
        };
        for (var text : bad) {
            var r = cli.run("integrations", "import", csv(text).toString());
            assertThat(r.exit()).as(text).isEqualTo(2);
            assertThat(r.out()).as(text).isEmpty();
            assertThat(list().toString()).as(text).isEqualTo(before);
        }
        var latin1 = dir.resolve("latin1.csv");
        Files.write(
                latin1,
                "dealer_id,email,password\nD\u00e9,sales@gmail.com,zzzzzzzzzzzzzzzz\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
        var r = cli.run("integrations", "import", latin1.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(list().toString()).isEqualTo(before);
        assertThat(Fixtures.anyFileContains(dbFile.getParent(), "zzzzzzzzzzzzzzzz"))
                .isFalse();
    }

    @Test
    void missingColumnIsOneLine() throws Exception {
        var r = cli.run(
                "integrations",
                "import",
                csv("email,password\na@gmail.com,abcdabcdabcdabcd\n").toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("dealer_id");
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(list()).isEmpty();
    }
}
