package com.dts.apm.notify;

import static com.dts.apm.notify.AnAlert.anAlert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageFactoryTest {
    static final String HOSTILE = "<script>alert(1)</script>\r\nBcc: evil@example.com";

    final AlertComposer composer = new AlertComposer(null, AnAlert.CLOCK);
    final MessageFactory factory = new MessageFactory(AnAlert.ALERTS.from(), AnAlert.CLOCK);

    @Test
    void buildsMultipartAlternativeUtf8WithADeterministicMessageId() throws Exception {
        var mail = composer.compose(anAlert().build());
        var parsed = roundTrip(factory.create(mail, "sales@sample-motors.example", "Sample Motors", "42"));

        assertThat(parsed.getMessageID()).isEqualTo("<alert-42@app-password-monitor.dts.example>");
        assertThat(parsed.getSubject()).isEqualTo(mail.subject());
        assertThat(parsed.getFrom()).containsExactly(new InternetAddress("alerts@dts.example", "DTS System"));
        assertThat(parsed.getAllRecipients())
                .extracting(a -> ((InternetAddress) a).getAddress())
                .containsExactly("sales@sample-motors.example");
        assertThat(parsed.getHeader("Auto-Submitted")).containsExactly("auto-generated");
        assertThat(parsed.getSentDate().toInstant()).isEqualTo(AnAlert.NOW);
        assertThat(parsed.getContentType()).startsWith("multipart/alternative");
        var parts = (MimeMultipart) parsed.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).getContentType())
                .startsWith("text/plain")
                .containsIgnoringCase("utf-8");
        assertThat(parts.getBodyPart(1).getContentType())
                .startsWith("text/html")
                .containsIgnoringCase("utf-8");
        assertThat((String) parts.getBodyPart(0).getContent()).isEqualTo(mail.textBody());
        assertThat((String) parts.getBodyPart(1).getContent()).isEqualTo(mail.htmlBody());
    }

    @Test
    void sameAlertIdGivesTheSameMessageId() throws Exception {
        var mail = composer.compose(anAlert().build());

        assertThat(factory.create(mail, "a@b.example", null, "7").getMessageID())
                .isEqualTo(factory.create(mail, "a@b.example", null, "7").getMessageID());
    }

    @Test
    void hostileDealerNameAddsNoHeaderAndStaysOneLine() throws Exception {
        for (var name : List.of(HOSTILE, "B".repeat(10_000), HOSTILE + "C".repeat(10_000))) {
            var mail = composer.compose(anAlert().dealerName(name).build());
            var msg = factory.create(mail, "sales@sample-motors.example", name, "99");
            var bytes = bytes(msg);
            var headerBlock = bytes.substring(0, bytes.indexOf("\r\n\r\n"));

            assertThat(headerNames(headerBlock)).doesNotContain("Bcc").containsOnlyOnce("Subject", "To", "From");
            var parsed = roundTrip(msg);
            assertThat(parsed.getHeader("Bcc")).isNull();
            assertThat(parsed.getAllRecipients()).hasSize(1);
            assertThat(parsed.getSubject()).doesNotContain("\r", "\n").isEqualTo(mail.subject());
            var to = (InternetAddress) parsed.getRecipients(MimeMessage.RecipientType.TO)[0];
            assertThat(to.getAddress()).isEqualTo("sales@sample-motors.example");
            assertThat(to.getPersonal()).doesNotContain("\r", "\n").hasSizeLessThanOrEqualTo(MessageFactory.NAME_MAX);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "sales@x.example\r\nBcc: evil@example.com",
                "sales@x.example\nBcc: evil@example.com",
                "a@x.example, b@y.example",
                "not an address",
                "",
                "sales@"
            })
    void refusesABadRecipientAddress(String address) {
        var mail = composer.compose(anAlert().build());

        assertThatThrownBy(() -> factory.create(mail, address, null, "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("recipient address");
    }

    @Test
    void refusesALineBreakInTheSubject() {
        var mail = new ComposedEmail("Hello\r\nBcc: evil@example.com", "text", "<p>html</p>");

        assertThatThrownBy(() -> factory.create(mail, "a@b.example", null, "1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("subject contains a line break or control character");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"1>\r\nBcc: x", "a b", "", "x12345678901234567890123456789012345678901234567890123456789012345"})
    void refusesAnAlertIdAMessageIdCannotCarry(String id) {
        var mail = composer.compose(anAlert().build());

        assertThatThrownBy(() -> factory.create(mail, "a@b.example", null, id))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("alert id");
    }

    @Test
    void refusesAFromWithALineBreak() {
        assertThatThrownBy(() -> new MessageFactory("x@y.example\r\nBcc: evil@example.com", AnAlert.CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("from address");
    }

    static String bytes(MimeMessage msg) throws Exception {
        var out = new ByteArrayOutputStream();
        msg.writeTo(out);
        return out.toString(StandardCharsets.US_ASCII);
    }

    static MimeMessage roundTrip(MimeMessage msg) throws Exception {
        var out = new ByteArrayOutputStream();
        msg.writeTo(out);
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(out.toByteArray()));
    }

    /** Names of the top-level headers: lines that do not start with white space (continuations do). */
    static List<String> headerNames(String headerBlock) {
        var names = new ArrayList<String>();
        for (var line : headerBlock.split("\r\n")) {
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0))) {
                names.add(line.substring(0, Math.max(0, line.indexOf(':'))));
            }
        }
        Collections.sort(names);
        return names;
    }
}
