package com.dts.apm.store;

import com.dts.apm.config.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Seals and opens stored passwords: AES-256-GCM, a fresh random 12-byte nonce per sealing, and the
 * row id and key version bound as associated data, so a ciphertext copied to another row does not open.
 */
public final class SecretBox {
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private volatile KeyRing ring;
    private final Path keyFile;

    public SecretBox(KeyRing ring) {
        this(ring, null);
    }

    /**
     * A box that re-reads {@code keyFile} when a stored secret needs a key version it does not hold, so a
     * daemon keeps working after {@code keys rotate} re-sealed the passwords under a new key.
     */
    SecretBox(KeyRing ring, Path keyFile) {
        this.ring = ring;
        this.keyFile = keyFile;
    }

    /** A sealed value as stored: key version, nonce, ciphertext with its tag. */
    public record Sealed(int keyVersion, byte[] nonce, byte[] ciphertext) {
        @Override
        public String toString() {
            return "Sealed[keyVersion=" + keyVersion + "]";
        }
    }

    public KeyRing ring() {
        return ring;
    }

    public Sealed seal(Secret secret, String context) {
        return seal(secret.utf8(), context);
    }

    public Secret open(Sealed sealed, String context) {
        return Secret.ofUtf8(openBytes(sealed, context));
    }

    /** Associated data for the password of one integration row. */
    static String passwordContext(long integrationId) {
        return "integration|" + integrationId + "|password";
    }

    Sealed seal(byte[] plain, String context) {
        int version = ring.primaryVersion();
        var nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            var cipher = cipher(Cipher.ENCRYPT_MODE, ring.primary(), nonce, version, context);
            return new Sealed(version, nonce, cipher.doFinal(plain));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    byte[] openBytes(Sealed sealed, String context) {
        SecretKey key = ring.get(sealed.keyVersion());
        if (key == null && keyFile != null) {
            key = reload(sealed.keyVersion());
        }
        if (key == null) {
            throw new UnreadableKeyException("a stored secret ("
                    + context.replaceAll("\\|", " ").trim()
                    + ") needs key version " + sealed.keyVersion() + ", which the key file does not hold (it has "
                    + ring.versions() + ")");
        }
        try {
            return cipher(Cipher.DECRYPT_MODE, key, sealed.nonce(), sealed.keyVersion(), context)
                    .doFinal(sealed.ciphertext());
        } catch (AEADBadTagException e) {
            throw new UnreadableKeyException(
                    "a stored secret (" + context.replaceAll("\\|", " ").trim()
                            + ") does not open with key version " + sealed.keyVersion()
                            + ": wrong key file, or the database row was tampered with or copied");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
    }

    private synchronized SecretKey reload(int version) {
        if (ring.get(version) != null) {
            return ring.get(version);
        }
        KeyRing fresh;
        try {
            fresh = KeyRing.load(keyFile);
        } catch (UnreadableKeyException e) {
            return null;
        }
        if (fresh.get(version) == null) {
            return null;
        }
        ring = fresh;
        return fresh.get(version);
    }

    private static Cipher cipher(int mode, SecretKey key, byte[] nonce, int version, String context)
            throws GeneralSecurityException {
        var cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(("app-password-monitor/v1|" + context + "|k=" + version).getBytes(StandardCharsets.UTF_8));
        return cipher;
    }
}
