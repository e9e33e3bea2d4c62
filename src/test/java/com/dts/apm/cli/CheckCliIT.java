package com.dts.apm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.probe.PemFiles;
import com.dts.apm.probe.TestCerts;
import com.dts.apm.testing.Cli;
import com.dts.apm.testing.TestConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code check} end to end through the real command line against GreenMail over IMAPS and SMTPS, with the
 * test certificate trusted through {@code checks.trust-store} in the YAML config: the design.md JSON object,
 * exit codes, and results landing in {@code history}.
 */
class CheckCliIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALICE = "alice@dealer-a.test";
    private static final String ALICE_PASSWORD = "alice-app-password-one";
    private static final String BOB = "bob@dealer-b.test";
    private static final String BOB_PASSWORD = "bob-app-password-one";

    private static TestCerts certs;

    @TempDir
    Path dir;

    private GreenMail mail;
    private Cli cli;

    @BeforeAll
    static void certificates() {
        certs = TestCerts.forGreenMail();
    }

    @BeforeEach
    void setUp() throws Exception {
        mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.IMAPS, ServerSetupTest.SMTPS}));
        mail.start();
        var config = dir.resolve("apm.yml");
        TestConfig.in(dir)
                .noHttpPort()
                .deadline(Duration.ofSeconds(20))
                .trustStore(certs.trustStore(), certs.passwordFile())
                .writeTo(config);
        cli = new Cli(config);
    }

    @AfterEach
    void tearDown() {
        mail.stop();
    }

    private long add(String email, String password) {
        mail.setUser(email, email, password);
        var r = cli.runWithInput(
                password + "\n",
                "integrations",
                "add",
                "--dealer-id",
                "D-" + email.charAt(0),
                "--email",
                email,
                "--provider",
                "custom",
                "--imap-host",
                "localhost",
                "--imap-port",
                String.valueOf(mail.getImaps().getPort()),
                "--imap-security",
                "ssl",
                "--smtp-host",
                "localhost",
                "--smtp-port",
                String.valueOf(mail.getSmtps().getPort()),
                "--smtp-security",
                "ssl",
                "--password-stdin");
        assertThat(r.exit()).as(r.err()).isZero();
        return Long.parseLong(r.out().strip());
    }

    private static JsonNode parseOne(String line) throws Exception {
        return JSON.readTree(line);
    }

    @Test
    void checkJsonPrintsTheDocumentedObjectAndRecordsHistory() throws Exception {
        long id = add(ALICE, ALICE_PASSWORD);

        var ok = cli.run("check", "--json", String.valueOf(id));
        assertThat(ok.exit()).as(ok.all()).isZero();
        var lines = ok.out().lines().toList();
        assertThat(lines).hasSize(1);
        var o = parseOne(lines.get(0));
        assertThat(fieldNames(o)).containsExactly("id", "email", "provider", "state", "checks");
        assertThat(o.get("id").asLong()).isEqualTo(id);
        assertThat(o.get("email").asText()).isEqualTo(ALICE);
        assertThat(o.get("provider").asText()).isEqualTo("custom");
        assertThat(o.get("state").asText()).isEqualTo("HEALTHY");
        assertThat(o.get("checks")).hasSize(2);
        for (var c : o.get("checks")) {
            assertThat(fieldNames(c)).containsExactly("protocol", "outcome", "duration_ms", "detail");
            assertThat(c.get("outcome").asText()).isEqualTo("OK");
            assertThat(c.get("duration_ms").isIntegralNumber()).isTrue();
        }
        assertThat(o.get("checks")).extracting(c -> c.get("protocol").asText()).containsExactly("imap", "smtp");

        mail.getUserManager().getUser(ALICE).setPassword("the-dealer-changed-it");
        var failed = cli.run("check", "--json", String.valueOf(id));
        assertThat(failed.exit()).as("exit 1 when a check failed").isEqualTo(1);
        var f = parseOne(failed.out().strip());
        assertThat(f.get("state").asText()).isEqualTo("SUSPECT");
        assertThat(f.get("checks")).allSatisfy(c -> {
            assertThat(c.get("outcome").asText()).isEqualTo("AUTH_REJECTED");
            assertThat(c.get("detail").asText()).isNotBlank();
        });
        assertThat(failed.all() + ok.all()).doesNotContain(ALICE_PASSWORD);

        var history = cli.run("history", "--json", String.valueOf(id));
        assertThat(history.exit()).as(history.all()).isZero();
        var h = JSON.readTree(history.out());
        assertThat(h.get("checks"))
                .extracting(c -> c.get("outcome").asText())
                .containsOnly("OK", "AUTH_REJECTED")
                .contains("OK", "AUTH_REJECTED")
                .hasSize(4);
        assertThat(h.get("transitions")).isNotEmpty();
        assertThat(history.out()).doesNotContain(ALICE_PASSWORD);
    }

    @Test
    void checkAllPrintsOneLinePerIntegrationAndReadableTextWithoutJson() throws Exception {
        long a = add(ALICE, ALICE_PASSWORD);
        long b = add(BOB, BOB_PASSWORD);
        mail.getUserManager().getUser(BOB).setPassword("bob-changed-it");

        var all = cli.run("check", "--all", "--json");
        assertThat(all.exit()).isEqualTo(1);
        var byId = all.out()
                .lines()
                .map(l -> {
                    try {
                        return parseOne(l);
                    } catch (Exception e) {
                        throw new AssertionError("not JSON: " + l, e);
                    }
                })
                .toList();
        assertThat(byId).extracting(n -> n.get("id").asLong()).containsExactlyInAnyOrder(a, b);

        var text = cli.run("check", String.valueOf(a));
        assertThat(text.exit()).isZero();
        assertThat(text.out()).contains(ALICE).contains("imap").contains("OK");
        assertThat(text.all()).doesNotContain(ALICE_PASSWORD).doesNotContain(BOB_PASSWORD);
    }

    @Test
    void badUsageExitsTwo() {
        var r = cli.run("check");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isNotBlank();
        assertThat(cli.run("check", "--all", "7").exit()).isEqualTo(2);
    }

    private Cli withTrustStore(String name, String content) throws Exception {
        var store = dir.resolve(name);
        Files.writeString(store, content);
        var config = dir.resolve(name + ".yml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "database: { path: " + dir.resolve("data/apm.db") + " }",
                        "checks: { deadline: 20s, trust-store: " + store + " }",
                        ""));
        return new Cli(config);
    }

    @Test
    void aPemFileOfCaCertificatesServesAsTheTrustStore() throws Exception {
        long id = add(ALICE, ALICE_PASSWORD);
        var pem = withTrustStore("mail-ca.pem", "# the private mail CA\n" + PemFiles.certificates(certs));

        var r = pem.run("check", "--json", String.valueOf(id));

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(parseOne(r.out().strip()).get("checks"))
                .extracting(c -> c.get("outcome").asText())
                .containsExactly("OK", "OK");
    }

    @Test
    void aPemTrustStoreWithoutACertificateExitsTwoWithOneLine() throws Exception {
        long id = add(ALICE, ALICE_PASSWORD);
        var bad = withTrustStore(
                "empty-ca.pem", "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYI\n-----END PUBLIC KEY-----\n");

        var r = bad.run("check", String.valueOf(id));

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines())
                .singleElement()
                .asString()
                .startsWith("error: checks.trust-store: " + dir.resolve("empty-ca.pem"))
                .contains("no certificate");
        var history = cli.run("history", "--json", String.valueOf(id));
        assertThat(JSON.readTree(history.out()).get("checks"))
                .as("no check ran")
                .isEmpty();
    }

    private static List<String> fieldNames(JsonNode n) {
        var names = new java.util.ArrayList<String>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
