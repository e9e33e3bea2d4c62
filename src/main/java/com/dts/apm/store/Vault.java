package com.dts.apm.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairs a key file with a database: checks at open that the keys are the ones the database was sealed
 * with (a wrong key is a clear error, never garbage), creates the first key, and rotates keys.
 */
public final class Vault {
    private static final Logger log = LoggerFactory.getLogger(Vault.class);
    private static final byte[] CHECK_VALUE = "app-password-monitor key check".getBytes(StandardCharsets.US_ASCII);

    private Vault() {}

    /** What {@link #rotate} did. */
    public record Rotation(int fromVersion, int toVersion, int resealed) {}

    /**
     * Opens the secrets of {@code db} with the keys in {@code keyFile}. When the file is missing and
     * {@code createIfMissing} is set, a key is created there, but only for a database that holds no secret yet.
     */
    public static SecretBox unlock(Database db, Path keyFile, boolean createIfMissing, Clock clock) {
        if (!Files.exists(keyFile)) {
            if (!createIfMissing) {
                throw new UnreadableKeyException(
                        "key file " + keyFile + " does not exist (create one with: keys generate)");
            }
            if (holdsSecrets(db)) {
                throw new UnreadableKeyException("key file " + keyFile + " does not exist, but database " + db.label()
                        + " holds passwords sealed with a key: restore the key file (a new key cannot open them)");
            }
            KeyRing.generate().write(keyFile);
            log.warn(
                    "no master key was configured: created {}; back it up apart from the database, "
                            + "without it the stored passwords cannot be read",
                    keyFile);
        }
        var ring = KeyRing.load(keyFile);
        var box = new SecretBox(ring, keyFile);
        db.jdbi().useTransaction(h -> verify(h, box, keyFile, clock));
        return box;
    }

    /** Writes a new key file; refuses to overwrite one. */
    public static void generate(Path keyFile) {
        if (Files.exists(keyFile)) {
            throw new UnreadableKeyException(
                    "key file " + keyFile + " already exists; refusing to overwrite it (use keys rotate)");
        }
        KeyRing.generate().write(keyFile);
    }

    /**
     * Re-seals every stored secret under a new key. The new key is written to the file first (beside the
     * old one), then all rows change in one transaction, then the old key is dropped from the file:
     * stopped at any point, every secret still opens with the file as it is.
     */
    public static Rotation rotate(Database db, Path keyFile, Clock clock) {
        var old = new SecretBox(KeyRing.load(keyFile));
        db.jdbi().useTransaction(h -> verify(h, old, keyFile, clock));
        var ring = old.ring().withNewPrimary();
        ring.write(keyFile);
        var next = new SecretBox(ring);
        int resealed = db.jdbi().inTransaction(h -> {
            var rows = h.createQuery("""
                            SELECT id, secret_key_version, secret_nonce, secret_ciphertext FROM integration
                            WHERE secret_ciphertext IS NOT NULL""")
                    .map((rs, ctx) -> new SealedRow(
                            rs.getLong(1), new SecretBox.Sealed(rs.getInt(2), rs.getBytes(3), rs.getBytes(4))))
                    .list();
            for (var row : rows) {
                var context = SecretBox.passwordContext(row.id());
                IntegrationStore.storeSealed(h, row.id(), next.seal(old.openBytes(row.sealed(), context), context));
            }
            h.createUpdate("DELETE FROM key_check").execute();
            insertCheck(h, next, clock);
            return rows.size();
        });
        ring.primaryOnly().write(keyFile);
        return new Rotation(old.ring().primaryVersion(), ring.primaryVersion(), resealed);
    }

    private record SealedRow(long id, SecretBox.Sealed sealed) {}

    private static boolean holdsSecrets(Database db) {
        return db.jdbi()
                .withHandle(h -> h.createQuery(
                                "SELECT EXISTS (SELECT 1 FROM key_check) OR EXISTS (SELECT 1 FROM integration WHERE secret_ciphertext IS NOT NULL)")
                        .mapTo(Boolean.class)
                        .one());
    }

    private static void verify(Handle h, SecretBox box, Path keyFile, Clock clock) {
        var checks = h.createQuery("SELECT key_version, nonce, ciphertext FROM key_check")
                .map((rs, ctx) -> new SecretBox.Sealed(rs.getInt(1), rs.getBytes(2), rs.getBytes(3)))
                .list();
        for (var check : checks) {
            if (box.ring().get(check.keyVersion()) == null) {
                throw new UnreadableKeyException("key file " + keyFile + " lacks key version " + check.keyVersion()
                        + " that this database was sealed with (the file has "
                        + box.ring().versions() + ")");
            }
            byte[] value;
            try {
                value = box.openBytes(check, "key-check");
            } catch (UnreadableKeyException e) {
                throw new UnreadableKeyException("key file " + keyFile + " does not match this database (key version "
                        + check.keyVersion() + " is a different key): wrong key file?");
            }
            if (!Arrays.equals(value, CHECK_VALUE)) {
                throw new UnreadableKeyException("key file " + keyFile + " does not match this database");
            }
        }
        boolean primaryChecked =
                checks.stream().anyMatch(c -> c.keyVersion() == box.ring().primaryVersion());
        if (!primaryChecked) {
            insertCheck(h, box, clock);
        }
    }

    private static void insertCheck(Handle h, SecretBox box, Clock clock) {
        var sealed = box.seal(CHECK_VALUE, "key-check");
        h.createUpdate("INSERT INTO key_check (key_version, nonce, ciphertext, created_at) VALUES (:v, :n, :c, :at)"
                        + " ON CONFLICT (key_version) DO UPDATE SET nonce = excluded.nonce, ciphertext = excluded.ciphertext,"
                        + " created_at = excluded.created_at")
                .bind("v", sealed.keyVersion())
                .bind("n", sealed.nonce())
                .bind("c", sealed.ciphertext())
                .bind("at", clock.millis())
                .execute();
    }
}
