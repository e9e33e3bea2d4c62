package com.dts.apm.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.dts.apm.config.Config;
import jakarta.mail.MessagingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a relay says back lands in the log and in the outbox row: never the relay password, not even a piece. */
class RelaySenderTest {
    static final String USER = "relay-user";
    static final String PASSWORD = "Rl4y-s3cret-passw0rd";

    private static RelaySender sender(Path dir) throws Exception {
        var file = dir.resolve("relay-password");
        Files.writeString(file, PASSWORD + "\n");
        return new RelaySender(new Config.Relay("127.0.0.1", 2525, "plain", USER, file));
    }

    @Test
    void passwordEchoedNearTheCutIsMaskedWhole(@TempDir Path dir) throws Exception {
        var sender = sender(dir);
        for (int pad = 140; pad <= 200; pad++) {
            var reply = "451 4.3.0 temporary failure " + "x".repeat(pad) + " " + PASSWORD + " rest";
            var detail = sender.classify(new MessagingException(reply)).detail();

            assertThat(detail).as("pad %d", pad).doesNotContain(PASSWORD.substring(0, 6));
        }
    }

    @Test
    void base64FormsOfTheLoginAreMasked(@TempDir Path dir) throws Exception {
        var sender = sender(dir);
        var plain =
                Base64.getEncoder().encodeToString(("\0" + USER + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        var login = Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8));

        var detail = sender.classify(new MessagingException("501 5.5.2 cannot decode " + plain + " or " + login))
                .detail();

        assertThat(detail).doesNotContain(plain, login, PASSWORD).contains("***");
    }
}
