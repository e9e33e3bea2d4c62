package com.dts.apm.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.testing.Cli;
import com.dts.apm.testing.Jars;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code demo} command end to end, as a newcomer runs it: {@code java -jar target/app-password-monitor-demo.jar
 * demo} (the service jar leaves the demo out, see {@code ShadedJarIT}).
 */
class DemoIT {
    @TempDir
    Path dir;

    @Test
    void showsTheWholeLoopAndSavesTheAlertEmails() throws Exception {
        var demo = dir.resolve("demo");
        var r = Jars.run(Jars.DEMO, dir, Duration.ofMinutes(5), "demo", "--dir", demo.toString(), "--timeout", "60");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains("UNKNOWN -> HEALTHY", "HEALTHY -> SUSPECT", "SUSPECT -> FAILING", "FAILING -> HEALTHY")
                .contains("apm_checks_total{", "outcome=\"AUTH_REJECTED\"", "apm_integrations{");

        List<MimeMessage> emails = new ArrayList<>();
        try (var files = Files.list(demo.resolve("emails"))) {
            for (var f : files.sorted().toList()) {
                assertThat(f.getFileName().toString()).endsWith(".eml");
                try (InputStream in = Files.newInputStream(f)) {
                    emails.add(new MimeMessage(Session.getInstance(new Properties()), in));
                }
            }
        }
        // one failure email each for the two revoked passwords, one recovery note for the one fixed
        assertThat(emails).hasSize(3);
        var to = emails.stream().map(m -> uncheckedRecipient(m)).toList();
        assertThat(to)
                .containsExactlyInAnyOrder(
                        "owner@ridgeview-motors.test", "owner@summit-trucks.test", "owner@ridgeview-motors.test");
        var subjects = emails.stream().map(DemoIT::subject).toList();
        assertThat(subjects).filteredOn(t -> t.startsWith("Action needed")).hasSize(2);
        // no app password shows in the output, the log or an email
        var everything = new StringBuilder(r.out()).append(r.err());
        try (var files = Files.list(demo.resolve("emails"))) {
            for (var f : files.toList()) {
                everything.append(Files.readString(f));
            }
        }
        // each failure email carries its provider's own page
        var texts = String.join("\n", emails.stream().map(DemoIT::text).toList());
        assertThat(texts)
                .contains("https://myaccount.google.com/apppasswords", "https://login.yahoo.com/account/security");
        everything.append(texts);
        for (var d : Demo.DEALERS) {
            assertThat(everything).doesNotContain(Demo.appPassword(d, 1), Demo.appPassword(d, 2));
        }
    }

    private static String uncheckedRecipient(MimeMessage m) {
        try {
            return ((jakarta.mail.internet.InternetAddress) m.getAllRecipients()[0]).getAddress();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String text(jakarta.mail.Part part) {
        try {
            if (part.isMimeType("text/*")) {
                return part.getContent().toString();
            }
            var multipart = (jakarta.mail.Multipart) part.getContent();
            var sb = new StringBuilder();
            for (int i = 0; i < multipart.getCount(); i++) {
                sb.append(text(multipart.getBodyPart(i)));
            }
            return sb.toString();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void refusesAFolderThatIsNotEmpty() throws Exception {
        Files.writeString(dir.resolve("keep.txt"), "mine");
        var r = new Cli(null).run("demo", "--dir", dir.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("is not empty");
        assertThat(dir.resolve("keep.txt")).hasContent("mine");
    }
}
