package com.dts.apm.notify;

import com.dts.apm.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signing: {@code v1,} and the base64 HMAC-SHA256 of {@code id.timestamp.body}, keyed with the
 * base64 part of a {@code whsec_...} secret. {@link #toString()} never shows the key.
 */
public final class WebhookSignature {
    private static final String PREFIX = "whsec_";
    private final byte[] key;

    private WebhookSignature(byte[] key) {
        this.key = key;
    }

    /** Reads {@code whsec_<base64>} from the first line of {@code file}; {@code configKey} names it in errors. */
    public static WebhookSignature fromFile(Path file, String configKey) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ConfigException("key " + configKey + ": cannot read " + file + ": " + e.getMessage());
        }
        if (!text.startsWith(PREFIX)) {
            throw new ConfigException(
                    "key " + configKey + ": " + file + " does not hold a whsec_ secret (whsec_ and base64)");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(text.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("key " + configKey + ": " + file + ": the part after whsec_ is not base64");
        }
        if (key.length < 24) {
            throw new ConfigException("key " + configKey + ": " + file + ": the secret is shorter than 24 bytes");
        }
        return new WebhookSignature(key);
    }

    /** The {@code webhook-signature} header value for one attempt. */
    public String sign(String id, long timestampSeconds, String body) {
        try {
            var mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            var signed = mac.doFinal((id + "." + timestampSeconds + "." + body).getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(signed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "WebhookSignature[***]";
    }
}
