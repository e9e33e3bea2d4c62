package com.dts.apm.store;

import static com.dts.apm.testing.Integrations.anIntegration;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dts.apm.ApmException;
import com.dts.apm.BadInputException;
import com.dts.apm.config.Secret;
import com.dts.apm.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreIT {
    private static final String CANARY = "zqxjkvbwpfmtlrng";
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-28T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private Path dbFile() {
        return dir.resolve("data/apm.db");
    }

    /** The database under test (reopened by each call); StorePostgresIT runs every test here on PostgreSQL. */
    Database openDb() {
        return Database.open(dbFile());
    }

    /** Skips a test of what only the SQLite file has (pragmas, file modes, bytes on disk). */
    void assumeSqlite() {}

    int schemaVersion(Database db) {
        return db.jdbi()
                .withHandle(h -> h.createQuery("PRAGMA user_version")
                        .mapTo(Integer.class)
                        .one());
    }

    /** A trigger {@code boom} that fails every change of the sealed password of integration {@code id}. */
    void failSealingOf(Database db, long id) {
        db.jdbi()
                .useHandle(h -> h.execute("CREATE TRIGGER boom BEFORE UPDATE OF secret_ciphertext ON integration"
                        + " WHEN NEW.id = " + id + " BEGIN SELECT RAISE(ABORT, 'interrupted'); END"));
    }

    void setSchemaVersion(Database db, int version) {
        db.jdbi().useHandle(h -> h.execute("PRAGMA user_version = " + version));
    }

    private Path keyFile() {
        return dir.resolve("data/master.key");
    }

    private IntegrationStore open() {
        var db = openDb();
        return new IntegrationStore(db, Vault.unlock(db, keyFile(), true, clock), clock);
    }

    @Test
    void migratesAnEmptyFileAndCreatesOwnerOnlyFiles() throws Exception {
        assumeSqlite();
        Files.createDirectories(dbFile().getParent());
        Files.createFile(dbFile());
        var db = openDb();
        int version = db.jdbi()
                .withHandle(h -> h.createQuery("PRAGMA user_version")
                        .mapTo(Integer.class)
                        .one());
        assertThat(version).isEqualTo(Migrations.latest());
        String mode = db.jdbi()
                .withHandle(h ->
                        h.createQuery("PRAGMA journal_mode").mapTo(String.class).one());
        assertThat(mode).isEqualTo("wal");
        int fk = db.jdbi()
                .withHandle(h -> h.createQuery("PRAGMA foreign_keys")
                        .mapTo(Integer.class)
                        .one());
        assertThat(fk).isEqualTo(1);
        Vault.unlock(db, keyFile(), true, clock);
        assertThat(Files.getPosixFilePermissions(keyFile()))
                .containsOnly(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        Files.delete(dbFile());
        openDb();
        assertThat(Files.getPosixFilePermissions(dbFile()))
                .containsOnly(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void roundTripsAnIntegrationAndItsPassword() {
        var store = open();
        long id = store.add(
                anIntegration()
                        .withEmail("sales@gmail.com")
                        .withProvider("gmail")
                        .build(),
                Secret.of(CANARY));
        var i = store.get(id);
        assertThat(i.email()).isEqualTo("sales@gmail.com");
        assertThat(i.dealerName()).isEqualTo("Acme Motors");
        assertThat(i.state()).isEqualTo(IntegrationState.UNKNOWN);
        assertThat(i.nextCheckAt()).isEqualTo(clock.instant());
        assertThat(store.password(id).reveal()).isEqualTo(CANARY);
        assertThat(i.toString()).doesNotContain(CANARY);
        // reopening the same files with the same key still reads it
        assertThat(open().password(id).reveal()).isEqualTo(CANARY);
    }

    @Test
    void noPasswordBytesReachTheDatabaseFiles() {
        assumeSqlite();
        var store = open();
        store.add(anIntegration().withEmail("a@x.test").build(), Secret.of(CANARY));
        store.add(anIntegration().withEmail("b@x.test").build(), Secret.of(CANARY + "b"));
        assertThat(Fixtures.anyFileContains(dir, CANARY)).isFalse();
    }

    @Test
    void samePasswordSealsDifferentlyInTwoRows() {
        var store = open();
        long a = store.add(anIntegration().withEmail("a@x.test").build(), Secret.of(CANARY));
        long b = store.add(anIntegration().withEmail("b@x.test").build(), Secret.of(CANARY));
        var db = openDb();
        List<byte[]> cts = db.jdbi()
                .withHandle(h -> h.createQuery("SELECT secret_ciphertext FROM integration ORDER BY id")
                        .mapTo(byte[].class)
                        .list());
        List<byte[]> nonces = db.jdbi()
                .withHandle(h -> h.createQuery("SELECT secret_nonce FROM integration ORDER BY id")
                        .mapTo(byte[].class)
                        .list());
        assertThat(cts.get(0)).isNotEqualTo(cts.get(1));
        assertThat(nonces.get(0)).isNotEqualTo(nonces.get(1));
        assertThat(store.password(a)).isEqualTo(store.password(b));
    }

    @Test
    void tamperedCiphertextIsRejected() {
        var store = open();
        long id = store.add(anIntegration().build(), Secret.of(CANARY));
        var db = openDb();
        // Flip one bit of the stored ciphertext (SQL's || would turn the blob into text and depend on its bytes).
        db.jdbi().useHandle(h -> {
            byte[] c = h.createQuery("SELECT secret_ciphertext FROM integration WHERE id = ?")
                    .bind(0, id)
                    .mapTo(byte[].class)
                    .one();
            c[c.length / 2] ^= 0x01;
            h.execute("UPDATE integration SET secret_ciphertext = ? WHERE id = ?", c, id);
        });
        assertThatThrownBy(() -> store.password(id))
                .isInstanceOf(UnreadableKeyException.class)
                .hasMessageContaining("does not open")
                .hasMessageNotContaining(CANARY);
    }

    @Test
    void ciphertextCopiedToAnotherRowIsRejected() {
        var store = open();
        long a = store.add(anIntegration().withEmail("a@x.test").build(), Secret.of(CANARY));
        long b = store.add(anIntegration().withEmail("b@x.test").build(), Secret.of("otherpassword"));
        var db = openDb();
        db.jdbi()
                .useHandle(h -> h.execute(
                        "UPDATE integration SET (secret_nonce, secret_ciphertext) ="
                                + " (SELECT secret_nonce, secret_ciphertext FROM integration WHERE id = ?) WHERE id = ?",
                        a,
                        b));
        assertThatThrownBy(() -> store.password(b)).isInstanceOf(UnreadableKeyException.class);
        assertThat(store.password(a).reveal()).isEqualTo(CANARY);
    }

    @Test
    void wrongKeyFileIsAClearErrorAtOpen() throws Exception {
        open().add(anIntegration().build(), Secret.of(CANARY));
        var other = dir.resolve("other.key");
        Vault.generate(other);
        var db = openDb();
        assertThatThrownBy(() -> Vault.unlock(db, other, false, clock))
                .isInstanceOf(UnreadableKeyException.class)
                .hasMessageContaining("does not match this database");
    }

    @Test
    void missingKeyIsNeverRecreatedForADatabaseWithSecrets() throws Exception {
        open().add(anIntegration().build(), Secret.of(CANARY));
        Files.delete(keyFile());
        var db = openDb();
        assertThatThrownBy(() -> Vault.unlock(db, keyFile(), true, clock))
                .isInstanceOf(UnreadableKeyException.class)
                .hasMessageContaining("restore the key file");
        assertThat(keyFile()).doesNotExist();
    }

    @Test
    void keyFileOfTheWrongLengthIsRefused() throws Exception {
        Files.createDirectories(dir);
        var f = dir.resolve("short.key");
        Files.writeString(f, "1:" + java.util.Base64.getEncoder().encodeToString(new byte[24]) + "\n");
        Files.setPosixFilePermissions(
                f, java.util.Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        assertThatThrownBy(() -> KeyRing.load(f))
                .isInstanceOf(UnreadableKeyException.class)
                .hasMessageContaining("line 1")
                .hasMessageContaining("24 bytes long, expected 32");
    }

    @Test
    void worldReadableKeyFileIsRefused() throws Exception {
        var f = dir.resolve("open.key");
        Vault.generate(f);
        Files.setPosixFilePermissions(
                f,
                java.util.Set.of(
                        PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE,
                        PosixFilePermission.OTHERS_READ));
        assertThatThrownBy(() -> KeyRing.load(f)).hasMessageContaining("chmod 600");
    }

    @Test
    void rotationResealsEverythingUnderANewKey() throws Exception {
        var store = open();
        long a = store.add(anIntegration().withEmail("a@x.test").build(), Secret.of(CANARY));
        long b = store.add(anIntegration().withEmail("b@x.test").build(), Secret.of("secondpassword"));
        var oldKey = Files.readString(keyFile());
        var db = openDb();
        var r = Vault.rotate(db, keyFile(), clock);
        assertThat(r).isEqualTo(new Vault.Rotation(1, 2, 2));
        assertThat(KeyRing.load(keyFile()).versions()).containsExactly(2);
        var reopened = open();
        assertThat(reopened.password(a).reveal()).isEqualTo(CANARY);
        assertThat(reopened.password(b).reveal()).isEqualTo("secondpassword");
        // the old key no longer opens the database
        var old = dir.resolve("old.key");
        Files.writeString(old, oldKey);
        Files.setPosixFilePermissions(
                old, java.util.Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        assertThatThrownBy(() -> Vault.unlock(openDb(), old, false, clock)).isInstanceOf(UnreadableKeyException.class);
        assertThat(Fixtures.anyFileContains(dir, CANARY)).isFalse();
    }

    @Test
    void rotationInterruptedBeforeCommitLosesNothing() throws Exception {
        var store = open();
        long a = store.add(anIntegration().build(), Secret.of(CANARY));
        // a key file holding both keys, as the rotation leaves it before its transaction commits
        KeyRing.load(keyFile()).withNewPrimary().write(keyFile());
        var reopened = open();
        assertThat(reopened.password(a).reveal()).isEqualTo(CANARY);
        // and a rotation from there completes
        Vault.rotate(openDb(), keyFile(), clock);
        assertThat(open().password(a).reveal()).isEqualTo(CANARY);
    }

    @Test
    void duplicateMailboxIsRefusedWhateverItsCase() {
        var store = open();
        store.add(anIntegration().withEmail("Sales@X.test").build(), Secret.of(CANARY));
        assertThatThrownBy(() ->
                        store.add(anIntegration().withEmail("sales@x.test").build(), Secret.of("p")))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("already stored as integration 1");
        assertThat(store.list()).hasSize(1);
    }

    @Test
    void disableAndEnableRecordTransitions() {
        var store = open();
        long id = store.add(anIntegration().build(), Secret.of(CANARY));
        store.setEnabled(id, false);
        assertThat(store.get(id).state()).isEqualTo(IntegrationState.DISABLED);
        assertThat(store.get(id).nextCheckAt()).isNull();
        store.setEnabled(id, true);
        assertThat(store.get(id).state()).isEqualTo(IntegrationState.UNKNOWN);
        assertThat(store.get(id).nextCheckAt()).isEqualTo(clock.instant());
        int transitions = openDb().jdbi()
                .withHandle(h -> h.createQuery("SELECT count(*) FROM state_transition WHERE integration_id = " + id)
                        .mapTo(Integer.class)
                        .one());
        assertThat(transitions).isEqualTo(2);
    }

    @Test
    void earliestDueIsTheSoonestDueTimeOfTheEnabledIntegrations() {
        var store = open();
        var checks = new SnapshotQueries(openDb());
        assertThat(checks.earliestDue()).isEmpty();
        long a = store.add(anIntegration().withEmail("a@dealer.test").build(), Secret.of(CANARY));
        long b = store.add(anIntegration().withEmail("b@dealer.test").build(), Secret.of(CANARY));
        var jdbi = openDb().jdbi();
        jdbi.useHandle(h -> {
            h.execute("UPDATE integration SET next_check_at = ? WHERE id = ?", clock.millis() + 60_000, a);
            h.execute("UPDATE integration SET next_check_at = ? WHERE id = ?", clock.millis() - 90_000, b);
        });
        assertThat(checks.earliestDue()).contains(clock.instant().minusSeconds(90));

        store.setEnabled(b, false); // a disabled integration is never due
        assertThat(checks.earliestDue()).contains(clock.instant().plusSeconds(60));
    }

    @Test
    void removeDeletesTheRow() {
        var store = open();
        long id = store.add(anIntegration().build(), Secret.of(CANARY));
        store.remove(id);
        assertThat(store.find(id)).isEmpty();
        assertThatThrownBy(() -> store.remove(id))
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("no integration with id");
    }

    @Test
    void fileThatIsNotSqliteIsRefusedAndLeftAlone() throws Exception {
        assumeSqlite();
        Files.createDirectories(dbFile().getParent());
        Files.writeString(dbFile(), "dealer_id,email\nd1,a@b.c\n");
        var before = Files.readAllBytes(dbFile());
        assertThatThrownBy(() -> openDb())
                .isInstanceOf(BadInputException.class)
                .hasMessageContaining("is not an SQLite database");
        assertThat(Files.readAllBytes(dbFile())).isEqualTo(before);
    }

    @Test
    void databaseFromANewerVersionIsRefusedAndLeftAlone() throws Exception {
        var db = openDb();
        setSchemaVersion(db, 99);
        assertThatThrownBy(() -> openDb())
                .isInstanceOf(ApmException.class)
                .hasMessageContaining("schema version 99")
                .hasMessageContaining("newer");
        assertThat(schemaVersion(db)).isEqualTo(99);
    }

    @Test
    void importAddsAndUpdatesInOneTransaction() {
        var store = open();
        long existing = store.add(anIntegration().withEmail("a@x.test").build(), Secret.of("old"));
        var counts = store.importAll(
                List.of(
                        anIntegration()
                                .withEmail("a@x.test")
                                .withDealer("d9", "New Name")
                                .build(),
                        anIntegration().withEmail("b@x.test").build()),
                List.of(Secret.of(CANARY), Secret.of("bbb")));
        assertThat(counts).isEqualTo(new IntegrationStore.ImportCounts(1, 1));
        assertThat(store.get(existing).dealerId()).isEqualTo("d9");
        assertThat(store.password(existing).reveal()).isEqualTo(CANARY);
    }

    @Test
    void jdbiExceptionMessagesNeverCarryBoundValues() {
        var db = openDb();
        open().add(anIntegration().withEmail("a@x.test").build(), Secret.of(CANARY));
        // a failing statement with a secret bound to it: the message names the failure, not the value
        assertThatThrownBy(() -> db.jdbi()
                        .useHandle(h -> h.createUpdate("UPDATE integration SET dealer_id = :v WHERE id = 1")
                                .bind("v", CANARY)
                                .execute()))
                .isInstanceOf(org.jdbi.v3.core.JdbiException.class)
                .satisfies(e -> {
                    for (Throwable t = e; t != null; t = t.getCause()) {
                        assertThat(String.valueOf(t.getMessage())).doesNotContain(CANARY);
                    }
                    assertThat(e.toString()).doesNotContain(CANARY);
                });
    }

    @Test
    void databaseFromANewerVersionIsNotAlteredByteForByte() throws Exception {
        assumeSqlite();
        open().add(anIntegration().build(), Secret.of(CANARY));
        openDb().jdbi().useHandle(h -> h.execute("PRAGMA user_version = 99"));
        // all connections are closed: the WAL is checkpointed into the main file
        var before = Files.readAllBytes(dbFile());
        assertThatThrownBy(() -> openDb())
                .isInstanceOf(ApmException.class)
                .hasMessageContaining("refusing to change it")
                .satisfies(e -> assertThat(((ApmException) e).exitCode()).isEqualTo(2));
        assertThat(Files.readAllBytes(dbFile())).isEqualTo(before);
    }

    @Test
    void rotationThatFailsInsideItsTransactionLosesNothing() throws Exception {
        var store = open();
        long a = store.add(anIntegration().withEmail("a@x.test").build(), Secret.of(CANARY));
        long b = store.add(anIntegration().withEmail("b@x.test").build(), Secret.of("secondpassword"));
        var db = openDb();
        // the second row's update fails half way through the re-sealing, as a crash or a full disk would
        failSealingOf(db, b);
        assertThatThrownBy(() -> Vault.rotate(db, keyFile(), clock));
        // the file as it was left (old and new key) opens every password
        assertThat(KeyRing.load(keyFile()).versions()).containsExactly(1, 2);
        var reopened = open();
        assertThat(reopened.password(a).reveal()).isEqualTo(CANARY);
        assertThat(reopened.password(b).reveal()).isEqualTo("secondpassword");
        db.jdbi()
                .useHandle(h ->
                        h.execute("DROP TRIGGER boom" + (this instanceof StorePostgresIT ? " ON integration" : "")));
        var r = Vault.rotate(db, keyFile(), clock);
        assertThat(r.resealed()).isEqualTo(2);
        assertThat(open().password(b).reveal()).isEqualTo("secondpassword");
        assertThat(Fixtures.anyFileContains(dir, CANARY)).isFalse();
    }

    @Test
    void retentionPrunesOldChecksButKeepsEveryTransition() {
        var store = open();
        long id = store.add(anIntegration().build(), Secret.of(CANARY));
        var db = openDb();
        var log = new CheckWriter(db);
        var history = new CheckHistory(db);
        var old = clock.instant().minus(java.time.Duration.ofDays(100));
        var results = List.of(new CheckWriter.Result(
                com.dts.apm.provider.Protocol.IMAP, com.dts.apm.provider.Outcome.AUTH_REJECTED, 10, "no"));
        log.record(
                id,
                old,
                results,
                i -> new StateChange(
                        IntegrationState.SUSPECT,
                        com.dts.apm.provider.Outcome.AUTH_REJECTED,
                        old.plusSeconds(600),
                        1,
                        old,
                        false,
                        "test",
                        List.of()));
        var recent = clock.instant().minus(java.time.Duration.ofDays(1));
        log.record(
                id,
                recent,
                List.of(new CheckWriter.Result(
                        com.dts.apm.provider.Protocol.IMAP, com.dts.apm.provider.Outcome.OK, 10, null)),
                i -> new StateChange(
                        IntegrationState.HEALTHY,
                        com.dts.apm.provider.Outcome.OK,
                        recent.plusSeconds(3600),
                        0,
                        null,
                        true,
                        "test",
                        List.of()));
        assertThat(history.transitions(id, 10)).hasSize(2);
        // every transition names its time, cause and the check that caused it
        int complete = openDb().jdbi()
                .withHandle(h -> h.createQuery("SELECT count(*) FROM state_transition"
                                + " WHERE integration_id = " + id
                                + " AND at > 0 AND reason IS NOT NULL AND outcome IS NOT NULL"
                                + " AND check_id IN (SELECT id FROM check_result)")
                        .mapTo(Integer.class)
                        .one());
        assertThat(complete).isEqualTo(2);

        int pruned = history.pruneBefore(clock.instant().minus(java.time.Duration.ofDays(90)));
        assertThat(pruned).isEqualTo(1);
        assertThat(history.checks(id, 10)).hasSize(1);
        assertThat(history.transitions(id, 10))
                .extracting(CheckHistory.TransitionRecord::to)
                .containsExactly(IntegrationState.HEALTHY, IntegrationState.SUSPECT);
    }

    @Test
    void listDueLeavesOutTheIntegrationsBeingChecked() {
        var store = open();
        long a = store.add(anIntegration().withEmail("a@x.test").build(), Secret.of(CANARY));
        long b = store.add(anIntegration().withEmail("b@x.test").build(), Secret.of(CANARY));
        long c = store.add(anIntegration().withEmail("c@x.test").build(), Secret.of(CANARY));
        assertThat(store.listDue(clock.instant(), 10))
                .extracting(Integration::id)
                .containsExactlyInAnyOrder(a, b, c);
        assertThat(store.listDue(clock.instant(), 10, java.util.Set.of(a, c)))
                .extracting(Integration::id)
                .containsExactly(b);
        assertThat(store.listDue(clock.instant(), 1, java.util.Set.of(b)))
                .extracting(Integration::id)
                .hasSize(1)
                .doesNotContain(b);
    }

    @Test
    void afterALongStopOverdueIntegrationsAreSpreadButNewOnesStayDueNow() {
        var store = open();
        var checked = List.of(
                store.add(anIntegration().withEmail("a@x.test").build(), Secret.of(CANARY)),
                store.add(anIntegration().withEmail("b@x.test").build(), Secret.of(CANARY)),
                store.add(anIntegration().withEmail("c@x.test").build(), Secret.of(CANARY)));
        long fresh = store.add(anIntegration().withEmail("new@x.test").build(), Secret.of(CANARY));
        long twoDaysAgo = clock.instant().minus(java.time.Duration.ofDays(2)).toEpochMilli();
        openDb().jdbi()
                .useHandle(h -> h.execute(
                        "UPDATE integration SET next_check_at = ?, last_checked_at = ?,"
                                + " password_changed_at = NULL WHERE email <> 'new@x.test'",
                        twoDaysAgo,
                        twoDaysAgo));
        int moved =
                store.spreadOverdue(clock.instant(), java.time.Duration.ofHours(1), java.time.Duration.ofMinutes(5));
        assertThat(moved).isEqualTo(3);
        for (var id : checked) {
            assertThat(store.get(id).nextCheckAt())
                    .isBetween(clock.instant(), clock.instant().plus(java.time.Duration.ofMinutes(5)));
        }
        assertThat(store.get(fresh).nextCheckAt()).isEqualTo(clock.instant());
    }

    @Test
    void aRunningStoreStillOpensPasswordsAfterAnotherProcessRotatedTheKey() {
        var running = open();
        long a = running.add(anIntegration().build(), Secret.of(CANARY));
        assertThat(running.password(a).reveal()).isEqualTo(CANARY);
        // keys rotate from the command line while the daemon runs with the old key in memory
        Vault.rotate(openDb(), keyFile(), clock);
        assertThat(running.password(a).reveal()).isEqualTo(CANARY);
    }
}
