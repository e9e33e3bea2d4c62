package com.dts.apm.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.eclipse.angus.mail.iap.ByteArray;
import org.eclipse.angus.mail.iap.ResponseInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The literal guard's state machine, read in pieces of every size, and in front of Angus's own parser. */
class LiteralGuardTest {
    private static final long LIMIT = Connection.MAX_BYTES_READ;

    /** Reads all of {@code text} through a guard, {@code piece} bytes per read; returns what the caller got. */
    private static String readAll(String text, int piece) throws IOException {
        var guard = new LiteralGuard(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), LIMIT);
        var out = new ByteArrayOutputStream();
        var buffer = new byte[piece];
        int n;
        while ((n = guard.read(buffer, 0, piece)) != -1) {
            out.write(buffer, 0, n);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** What the caller got, one byte per read, until the guard refused. */
    private static String readBytewiseUntilRefused(String text) {
        var guard = new LiteralGuard(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), LIMIT);
        var got = new StringBuilder();
        assertThatThrownBy(() -> {
                    int b;
                    while ((b = guard.read()) != -1) {
                        got.append((char) b);
                    }
                })
                .isInstanceOf(LiteralGuard.LiteralTooLargeException.class);
        return got.toString();
    }

    private static void assertPasses(String text) throws IOException {
        for (int piece = 1; piece <= text.length() + 1; piece++) {
            assertThat(readAll(text, piece))
                    .as("read %d bytes at a time", piece)
                    .isEqualTo(text);
        }
    }

    private static void assertRefused(String text, String message) {
        for (int piece = 1; piece <= text.length() + 1; piece++) {
            int p = piece;
            assertThatThrownBy(() -> readAll(text, p))
                    .as("read %d bytes at a time", piece)
                    .isInstanceOf(LiteralGuard.LiteralTooLargeException.class)
                    .hasMessageContaining(message);
        }
    }

    @Test
    void passesOrdinaryResponsesAndSmallLiterals() throws IOException {
        assertPasses("* OK [CAPABILITY IMAP4rev1] ready\r\na1 OK LOGIN completed\r\n");
        assertPasses("* LIST (\\Noselect) \"/\" {5}\r\nINBOX\r\na3 OK LIST completed\r\n");
        assertPasses("* 1 FETCH (BODY[] {0}\r\n)\r\n");
        assertPasses("* LIST () \"/\" {1048576}\r\n"); // exactly the limit: allowed (the read cap still applies)
    }

    @Test
    void refusesAHugeLiteralBeforeTheLineEndReachesTheReader() {
        var text = "* OK [CAPABILITY IMAP4rev1] {2000000000}\r\n";
        assertRefused(text, "a literal of 2000000000 bytes, more than a login conversation needs");
        assertThat(readBytewiseUntilRefused(text)).isEqualTo("* OK [CAPABILITY IMAP4rev1] {2000000000}\r");
        assertRefused("* LIST () \"/\" {1048577}\r\n", "1048577 bytes");
    }

    @Test
    void keepsRefusingAfterTheFirstRefusal() throws IOException {
        var guard = new LiteralGuard(
                new ByteArrayInputStream("{2000000000}\r\n* OK more\r\n".getBytes(StandardCharsets.US_ASCII)), LIMIT);
        assertThatThrownBy(() -> guard.read(new byte[64], 0, 64))
                .isInstanceOf(LiteralGuard.LiteralTooLargeException.class);
        assertThatThrownBy(guard::read).isInstanceOf(LiteralGuard.LiteralTooLargeException.class);
        assertThatThrownBy(() -> guard.read(new byte[8], 0, 8)).hasMessageContaining("2000000000");
    }

    @Test
    void ignoresAnnouncementsInsideLiteralContent() throws IOException {
        // 15 bytes of content "x{99999999}\r\nyz" hold a 99,999,999-byte announcement that is just data
        assertPasses("* LIST () \"/\" {15}\r\nx{99999999}\r\nyz\r\na3 OK done\r\n");
        assertPasses("* LIST () \"/\" {14}\r\n{2000000000}\r\n\r\na3 OK done\r\n");
        // after the content, the guard watches again
        assertRefused("* LIST () \"/\" {3}\r\nabc {2000000000}\r\n", "2000000000 bytes");
    }

    @Test
    void readsANumberThatStartsInsideLiteralContentAsAngusDoes() {
        // Angus looks back from '}' to the nearest '{', into the literal it just read: "{2000" + "000000}"
        assertRefused("* LIST () \"/\" {5}\r\nx{2000000000}\r\n", "2000000000 bytes");
        // content ending in '}' '\r' and a line end after it
        assertRefused("* LIST () \"/\" {13}\r\n{2000000000}\r\n", "2000000000 bytes");
    }

    @ParameterizedTest
    @ValueSource(strings = {"18446744073709551621", "99999999999999999999999999999999", "9223372036854775808"})
    void refusesOverflowingNumbersWithoutWrapping(String digits) {
        // 2^64 + 5 would wrap to 5 in 64-bit arithmetic
        assertRefused("* OK {" + digits + "}\r\n", digits.length() + "-digit number of bytes");
    }

    @Test
    void leadingZerosCountForNothing() throws IOException {
        assertPasses("* LIST () \"/\" {0000000000000000000000000005}\r\nINBOX\r\n");
        assertRefused("* OK {00000000000000000002000000000}\r\n", "2000000000 bytes");
    }

    @Test
    void nonSynchronizingFormIsToleratedButNeverSkipped() throws IOException {
        assertRefused("* OK {2000000000+}\r\n", "2000000000 bytes");
        assertPasses("* OK {5+}\r\nhello\r\n");
        // Angus reads no literal for {5+}, so neither does the guard: what follows is still watched
        assertRefused("* OK {5+}\r\n{2000000000}\r\n", "2000000000 bytes");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "* OK {2000000000} is a big number\r\n",
                "* OK {2000000000}\n",
                "* OK {2000000000}\r\r\n",
                "* OK {-2000000000}\r\n",
                "* OK {}\r\n",
                "* OK {20000 00000}\r\n",
                "* OK {2000000000+1}\r\n",
                "* OK 2000000000}\r\n"
            })
    void passesWhatIsNotAnAnnouncement(String text) throws IOException {
        assertPasses(text);
    }

    @Test
    void watchesNothingOnceStopped() throws IOException {
        var guard = new LiteralGuard(
                new ByteArrayInputStream("{2000000000}\r\n".getBytes(StandardCharsets.US_ASCII)), LIMIT);
        guard.stopWatching();
        assertThat(guard.readAllBytes()).hasSize(14);
    }

    @Test
    void skippedBytesAreWatched() {
        var guard = guard("* OK {2000000000}\r\n* OK more\r\n");
        assertThatThrownBy(() -> guard.skip(100)).isInstanceOf(LiteralGuard.LiteralTooLargeException.class);
    }

    @Test
    void angusNeverSeesAHugeAnnouncement() {
        var angus = new ResponseInputStream(guard("* OK [CAPABILITY IMAP4rev1] {2000000000}\r\n"));
        assertThatThrownBy(angus::readResponse).isInstanceOf(LiteralGuard.LiteralTooLargeException.class);
    }

    @Test
    void angusReadsSmallLiteralsThroughTheGuard() throws IOException {
        var angus = new ResponseInputStream(guard("* LIST () \"/\" {15}\r\nx{99999999}\r\nyz\r\na3 OK done\r\n"));
        assertThat(text(angus.readResponse())).isEqualTo("* LIST () \"/\" {15}\r\nx{99999999}\r\nyz\r\n");
        assertThat(text(angus.readResponse())).isEqualTo("a3 OK done\r\n");
    }

    private static String text(ByteArray response) {
        return new String(response.getBytes(), response.getStart(), response.getCount(), StandardCharsets.ISO_8859_1);
    }

    private static InputStream guard(String text) {
        return new LiteralGuard(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), LIMIT);
    }
}
