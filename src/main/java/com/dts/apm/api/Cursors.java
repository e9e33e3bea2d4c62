package com.dts.apm.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque list cursors: the last id of a page and the filters it was asked with, signed with a key the process
 * makes at start. A cursor changed by hand, cut short, or used with other filters is refused (400) rather than
 * paging from somewhere unexpected; after a restart old cursors are refused too and the listing starts over.
 */
final class Cursors {
    private static final int MAC_BYTES = 16;
    private final byte[] key = new byte[32];

    Cursors() {
        new SecureRandom().nextBytes(key);
    }

    String make(long lastId, String filters) {
        var id = ByteBuffer.allocate(Long.BYTES).putLong(lastId).array();
        var out = ByteBuffer.allocate(Long.BYTES + MAC_BYTES)
                .put(id)
                .put(mac(id, filters))
                .array();
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }

    /** The id after which the next page starts; a 400 for anything this process did not make for these filters. */
    long read(String cursor, String filters) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            raw = new byte[0];
        }
        if (raw.length != Long.BYTES + MAC_BYTES) {
            throw invalid();
        }
        var id = Arrays.copyOf(raw, Long.BYTES);
        if (!MessageDigest.isEqual(mac(id, filters), Arrays.copyOfRange(raw, Long.BYTES, raw.length))) {
            throw invalid();
        }
        return ByteBuffer.wrap(id).getLong();
    }

    private static Problem invalid() {
        return Problem.badRequest(
                "cursor: not a cursor of this listing (use next_cursor as given, with the same filters;"
                        + " after a restart of the monitor, start again without a cursor)");
    }

    private byte[] mac(byte[] id, String filters) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(id);
            mac.update(filters.getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(mac.doFinal(), MAC_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }
}
