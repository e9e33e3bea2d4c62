package com.dts.apm.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The master keys, by version. The highest version is the primary: new secrets are sealed with it;
 * older versions stay only until {@code keys rotate} has re-sealed everything.
 *
 * <p>File format, one key per line: {@code <version>:<base64 of 32 random bytes>}; {@code #} starts a comment.
 */
public final class KeyRing {
    static final int KEY_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TreeMap<Integer, SecretKey> keys;

    private KeyRing(TreeMap<Integer, SecretKey> keys) {
        this.keys = keys;
    }

    /** A ring with one fresh random key, version 1. */
    public static KeyRing generate() {
        var keys = new TreeMap<Integer, SecretKey>();
        keys.put(1, randomKey());
        return new KeyRing(keys);
    }

    /** This ring plus a fresh key that becomes the primary. */
    public KeyRing withNewPrimary() {
        var copy = new TreeMap<>(keys);
        copy.put(primaryVersion() + 1, randomKey());
        return new KeyRing(copy);
    }

    /** Only the primary key; used once every secret is sealed with it. */
    public KeyRing primaryOnly() {
        var copy = new TreeMap<Integer, SecretKey>();
        copy.put(primaryVersion(), primary());
        return new KeyRing(copy);
    }

    public int primaryVersion() {
        return keys.lastKey();
    }

    SecretKey primary() {
        return keys.lastEntry().getValue();
    }

    SecretKey get(int version) {
        return keys.get(version);
    }

    public Set<Integer> versions() {
        return keys.keySet();
    }

    /** Reads a key file; every problem is an {@link UnreadableKeyException} naming the file. */
    public static KeyRing load(Path file) {
        String text;
        try {
            checkPermissions(file);
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new UnreadableKeyException("key file " + file + " does not exist (create one with: keys generate)");
        } catch (AccessDeniedException e) {
            throw new UnreadableKeyException("key file " + file + " is not readable by this user");
        } catch (IOException e) {
            throw new UnreadableKeyException("key file " + file + " cannot be read: " + e.getMessage());
        }
        var keys = new TreeMap<Integer, SecretKey>();
        var lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            var line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            var where = "key file " + file + " line " + (i + 1) + ": ";
            int colon = line.indexOf(':');
            if (colon < 1) {
                throw new UnreadableKeyException(where + "expected <version>:<base64 key>");
            }
            int version;
            try {
                version = Integer.parseInt(line.substring(0, colon));
            } catch (NumberFormatException e) {
                throw new UnreadableKeyException(where + "the version is not a number");
            }
            if (version < 1 || keys.containsKey(version)) {
                throw new UnreadableKeyException(where + "version " + version + " is not positive or repeats");
            }
            byte[] raw;
            try {
                raw = Base64.getDecoder().decode(line.substring(colon + 1).strip());
            } catch (IllegalArgumentException e) {
                throw new UnreadableKeyException(where + "the key is not valid base64");
            }
            if (raw.length != KEY_BYTES) {
                throw new UnreadableKeyException(
                        where + "the key is " + raw.length + " bytes long, expected " + KEY_BYTES + " (AES-256)");
            }
            keys.put(version, new SecretKeySpec(raw, "AES"));
        }
        if (keys.isEmpty()) {
            throw new UnreadableKeyException("key file " + file + " holds no key");
        }
        return new KeyRing(keys);
    }

    /** Writes the ring atomically (temp file + rename) with owner-only permissions. */
    public void write(Path file) {
        var sb = new StringBuilder("# app-password-monitor master keys. Secret: whoever holds this file and the\n"
                + "# database can read every stored app password. Back it up apart from the database.\n");
        for (Map.Entry<Integer, SecretKey> e : keys.entrySet()) {
            sb.append(e.getKey())
                    .append(':')
                    .append(Base64.getEncoder().encodeToString(e.getValue().getEncoded()))
                    .append('\n');
        }
        try {
            var dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp;
            try {
                tmp = Files.createTempFile(
                        dir,
                        ".master-key",
                        ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException noPosix) {
                tmp = Files.createTempFile(dir, ".master-key", ".tmp");
            }
            Files.writeString(tmp, sb, StandardCharsets.US_ASCII);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UnreadableKeyException("key file " + file + " cannot be written: " + e.getMessage());
        }
    }

    private static void checkPermissions(Path file) throws IOException {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException noPosix) {
            return;
        }
        if (perms.contains(PosixFilePermission.GROUP_READ)
                || perms.contains(PosixFilePermission.OTHERS_READ)
                || perms.contains(PosixFilePermission.GROUP_WRITE)
                || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new UnreadableKeyException(
                    "key file " + file + " can be read or written by other users; run: chmod 600 " + file);
        }
    }

    private static SecretKey randomKey() {
        var raw = new byte[KEY_BYTES];
        RANDOM.nextBytes(raw);
        return new SecretKeySpec(raw, "AES");
    }

    @Override
    public String toString() {
        return "KeyRing[versions=" + keys.keySet() + "]";
    }
}
