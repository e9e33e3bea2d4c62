package com.dts.apm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.dts.apm.probe.TestCerts;
import com.dts.apm.testing.ChildJvm;
import com.dts.apm.testing.Cli;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine where Conscrypt cannot load still checks correctly: {@code check} runs in a child JVM whose class path
 * lacks Conscrypt's jar, logs the fall-back to the JDK's TLS once, and verifies IMAPS and SMTPS against GreenMail exactly as before, a wrong password included.
 * (failsafe's {@code probe-suite-on-jdk-tls} execution runs the whole probe suite on that path too.)
 */
class TlsFallbackIT {
    private static final String USER = "fallback@dealer.test";
    private static final String PASSWORD = "fallback-app-password";

    @TempDir
    Path dir;

    private GreenMail mail;
    private Path config;

    @BeforeEach
    void setUp() throws Exception {
        // failsafe's probe-suite-on-jdk-tls execution has no Conscrypt at all; this class needs it in its own class
        // path
        assumeFalse(Boolean.getBoolean("apm.test.without-conscrypt"), "run by the default failsafe execution");
        var certs = TestCerts.forGreenMail();
        mail = new GreenMail(ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.IMAPS, ServerSetupTest.SMTPS}));
        mail.start();
        mail.setUser(USER, USER, PASSWORD);
        config = dir.resolve("apm.yml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "database: { path: " + dir.resolve("data/apm.db") + " }",
                        "checks:",
                        "  deadline: 20s",
                        "  trust-store: " + certs.trustStore(),
                        "  trust-store-type: PKCS12",
                        "  trust-store-password-file: " + certs.passwordFile(),
                        ""));
        var added = new Cli(config)
                .runWithInput(
                        PASSWORD + "\n",
                        "integrations",
                        "add",
                        "--dealer-id",
                        "D-1",
                        "--email",
                        USER,
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
        assertThat(added.exit()).as(added.err()).isZero();
    }

    @AfterEach
    void tearDown() {
        if (mail != null) {
            mail.stop();
        }
    }

    private String check(boolean withoutConscrypt, Path log) throws Exception {
        var pb = ChildJvm.main(dir, log, "--config", config.toString(), "check", "--json", "--all");
        if (withoutConscrypt) {
            var cmd = new java.util.ArrayList<>(pb.command());
            int cp = cmd.indexOf("-cp") + 1;
            var kept = java.util.Arrays.stream(cmd.get(cp).split(java.io.File.pathSeparator))
                    .filter(e -> !e.contains("conscrypt"))
                    .toList();
            assertThat(kept)
                    .as("class path without Conscrypt")
                    .hasSizeLessThan(cmd.get(cp).split(java.io.File.pathSeparator).length);
            cmd.set(cp, String.join(java.io.File.pathSeparator, kept));
            pb.command(cmd);
        }
        var p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("check finished").isTrue();
        return Files.readString(log);
    }

    @Test
    void checksOnTheJdksTlsWhenConscryptCannotLoadAndSaysSoOnce() throws Exception {
        var out = check(true, dir.resolve("no-native.log"));
        assertThat(out.lines().filter(l -> l.contains("TLS provider:")))
                .as(out)
                .singleElement()
                .satisfies(l -> assertThat(l)
                        .contains(
                                "WARN",
                                "TLS provider: JDK; Conscrypt cannot load (ClassNotFoundException: org.conscrypt."));
        assertThat(out)
                .contains("\"state\":\"HEALTHY\"")
                .contains("\"protocol\":\"imap\",\"outcome\":\"OK\"")
                .contains("\"protocol\":\"smtp\",\"outcome\":\"OK\"")
                .doesNotContain(PASSWORD);

        mail.getUserManager().getUser(USER).setPassword("the-dealer-changed-it");
        var rejected = check(true, dir.resolve("no-native-rejected.log"));
        assertThat(rejected)
                .contains("\"outcome\":\"AUTH_REJECTED\"")
                .doesNotContain("\"outcome\":\"OK\"")
                .doesNotContain(PASSWORD);
    }

    @Test
    void checksOnConscryptWhereItLoads() throws Exception {
        var out = check(false, dir.resolve("native.log"));
        assertThat(out.lines().filter(l -> l.contains("TLS provider:")))
                .as(out)
                .singleElement()
                .satisfies(l -> assertThat(l).contains("INFO", "TLS provider: Conscrypt 2."));
        assertThat(out)
                .contains("\"protocol\":\"imap\",\"outcome\":\"OK\"")
                .contains("\"protocol\":\"smtp\",\"outcome\":\"OK\"");
    }

    @Test
    void checksOnTheJdksTlsWhenConfigured() throws Exception {
        Files.writeString(config, Files.readString(config) + "  tls-provider: jdk\n");
        var out = check(false, dir.resolve("jdk.log"));
        assertThat(out.lines().filter(l -> l.contains("TLS provider:")))
                .as(out)
                .singleElement()
                .satisfies(l -> assertThat(l).contains("TLS provider: JDK (checks.tls-provider: jdk)"));
        assertThat(out)
                .contains("\"protocol\":\"imap\",\"outcome\":\"OK\"")
                .contains("\"protocol\":\"smtp\",\"outcome\":\"OK\"");
    }
}
