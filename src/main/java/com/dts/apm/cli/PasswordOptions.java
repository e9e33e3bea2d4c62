package com.dts.apm.cli;

import com.dts.apm.BadInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a password comes from: standard input or a file, never an argument (it would show in {@code ps}). */
final class PasswordOptions {
    @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
    boolean fromStdin;

    @Option(
            names = "--password-file",
            paramLabel = "FILE",
            description = "Read the password from the first line of FILE.")
    Path file;

    @Option(names = "--password", hidden = true, paramLabel = "PASSWORD")
    String refused;

    /** No app password comes near this; a longer first line is a wrong file or an endless stream. */
    static final int MAX_LINE_BYTES = 4096;

    /**
     * The first line of {@code in} (without its line end), read byte by byte up to {@link #MAX_LINE_BYTES} and
     * decoded strictly as UTF-8; null when the stream is empty. Never reads past the first line, so an endless
     * source (/dev/zero, a pipe that never closes after the line) cannot hang or exhaust memory.
     */
    static String firstLine(InputStream in, String source) throws IOException {
        var bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (bytes.size() >= MAX_LINE_BYTES) {
                throw new BadInputException(
                        source + ": the first line is longer than " + MAX_LINE_BYTES + " bytes; that is no password");
            }
            bytes.write(b);
        }
        if (b == -1 && bytes.size() == 0) {
            return null;
        }
        var raw = bytes.toByteArray();
        int len = raw.length > 0 && raw[raw.length - 1] == '\r' ? raw.length - 1 : raw.length;
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw, 0, len))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadInputException(source + " is not UTF-8 text");
        }
    }

    /** The raw password text as given, before spaces are stripped. */
    String read(Terminal terminal) {
        if (refused != null) {
            throw new BadInputException(
                    "--password is refused: a password on the command line is visible to every user in ps;"
                            + " use --password-stdin or --password-file");
        }
        if (fromStdin == (file != null)) {
            throw new BadInputException("give exactly one of --password-stdin or --password-file");
        }
        try {
            if (fromStdin) {
                var line = firstLine(terminal.in(), "standard input");
                if (line == null) {
                    throw new BadInputException("no password on standard input");
                }
                return line;
            }
            try (var in = Files.newInputStream(file)) {
                var line = firstLine(in, "password file " + file);
                return line == null ? "" : line;
            }
        } catch (NoSuchFileException e) {
            throw new BadInputException("password file " + file + " does not exist");
        } catch (IOException e) {
            throw new BadInputException("cannot read the password: " + e.getMessage());
        }
    }
}
