package com.dts.apm.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.stream.Stream;

/** File checks shared by tests (the integration mother is {@link Integrations}). */
public final class Fixtures {
    private Fixtures() {}

    /** True when {@code needle} occurs in any file under {@code dir} (raw bytes, also hex/base64 forms checked by callers). */
    public static boolean anyFileContains(Path dir, byte[] needle) {
        if (!Files.exists(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).anyMatch(f -> contains(read(f), needle));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static boolean anyFileContains(Path dir, String needle) {
        return anyFileContains(dir, needle.getBytes(StandardCharsets.UTF_8))
                || anyFileContains(dir, needle.getBytes(StandardCharsets.UTF_16LE))
                || anyFileContains(
                        dir,
                        HexFormat.of()
                                .formatHex(needle.getBytes(StandardCharsets.UTF_8))
                                .getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
