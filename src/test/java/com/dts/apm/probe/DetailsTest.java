package com.dts.apm.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class DetailsTest {
    private static final String USER = "sales@dealer.example";
    private static final String PASSWORD = "qwerasdfzxcvtyui";

    @Test
    void removesThePasswordAndItsBase64Forms() {
        var plain = b64("\0" + USER + "\0" + PASSWORD);
        var login = b64(PASSWORD);
        var text = "NO bad " + PASSWORD + " / " + plain + " / " + login + " / " + login.replace("=", "");
        var clean = Details.clean(text, USER, PASSWORD);
        assertThat(clean)
                .doesNotContain(PASSWORD, plain, login, login.replace("=", ""))
                .contains("***");
    }

    @Test
    void removesThePasswordAsAnImapQuotedStringEchoesIt() {
        var password = "pa\"ss\\word-42";
        var quoted = "pa\\\"ss\\\\word-42"; // what LOGIN sends inside its quotes: \" and \\
        var clean = Details.clean(
                "a1 BAD Could not parse command: LOGIN \"" + USER + "\" \"" + quoted + "\"", USER, password);
        assertThat(clean).doesNotContain(quoted).doesNotContain("ss\\\\word-42").contains("***");
    }

    @Test
    void stripsControlCharactersAndCutsLongText() {
        var clean =
                Details.clean("535-5.7.8 first\r\n535 5.7.8\u0000 second\u001b[31m" + "x".repeat(1000), USER, PASSWORD);
        assertThat(clean)
                .startsWith("535-5.7.8 first 535 5.7.8 second[31m")
                .doesNotContain("\r", "\n", "\u0000", "\u001b");
        assertThat(clean).hasSize(Details.MAX);
    }

    @Test
    void nullBecomesEmpty() {
        assertThat(Details.clean(null, USER, PASSWORD)).isEmpty();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
