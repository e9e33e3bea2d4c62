package com.dts.apm.store;

import com.dts.apm.BadInputException;
import com.dts.apm.ConflictException;
import com.dts.apm.config.Secret;
import com.dts.apm.provider.Auth;
import com.dts.apm.provider.Endpoint;
import com.dts.apm.provider.Outcome;
import com.dts.apm.provider.Security;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Stored integrations and dealers: add, import, list, enable, disable, replace the password, remove.
 * Passwords go in and out sealed by {@link SecretBox}; nothing here ever holds one in plain text on disk.
 */
public final class IntegrationStore {
    static final String COLUMNS = """
            i.id, i.dealer_id, d.name AS dealer_name, i.contact_email, i.email, i.provider, i.username,
            i.imap_host, i.imap_port, i.imap_security, i.smtp_host, i.smtp_port, i.smtp_security, i.protocols,
            i.enabled, i.canary, i.state, i.state_since, i.last_outcome, i.problem_since, i.consecutive_failures,
            i.next_check_at, i.last_checked_at, i.last_success_at, i.password_changed_at, i.created_at, d.admin_email,
            i.auth, i.oauth_app""";
    static final String FROM = " FROM integration i JOIN dealer d ON d.id = i.dealer_id";
    /**
     * An update without a new password keeps the due time unless a login-relevant field changed (SQLite's
     * {@code IS} compares nulls too; SET expressions see the row as it was).
     */
    private static final String KEEP_DUE = """
            (CASE WHEN enabled = 1 AND next_check_at IS NOT NULL AND provider IS NOT DISTINCT FROM :provider
                   AND username IS NOT DISTINCT FROM :username AND imap_host IS NOT DISTINCT FROM :imapHost
                   AND imap_port IS NOT DISTINCT FROM :imapPort AND imap_security IS NOT DISTINCT FROM :imapSec
                   AND smtp_host IS NOT DISTINCT FROM :smtpHost AND smtp_port IS NOT DISTINCT FROM :smtpPort
                   AND smtp_security IS NOT DISTINCT FROM :smtpSec AND protocols IS NOT DISTINCT FROM :protocols
              THEN next_check_at ELSE :now END)""";

    private final Database db;
    private final Jdbi jdbi;
    private final Jdbi reads;
    private final SecretBox box;
    private final Clock clock;
    private final Dialect dialect;

    public IntegrationStore(Database db, SecretBox box, Clock clock) {
        this.db = db;
        this.dialect = db.dialect();
        this.jdbi = db.jdbi();
        this.reads = db.reads();
        this.box = box;
        this.clock = clock;
    }

    /** Result of an import: how many mailboxes were new and how many were already stored and updated. */
    public record ImportCounts(int added, int updated) {}

    /** An integration with the dealer system's own id of it (null when it has none). */
    public record Keyed(Integration integration, String externalId) {}

    /** What an upsert by external id did: the integration's id, and whether it was new. */
    public record Saved(long id, boolean created) {}

    /** Stores a new mailbox and returns its id; refuses a mailbox that is already stored. */
    public long add(NewIntegration n, Secret password) {
        return add(n, password, null);
    }

    /** As {@link #add(NewIntegration, Secret)}, with the dealer system's id of it ({@code externalId}, may be null). */
    public long add(NewIntegration n, Secret password, String externalId) {
        return add(n, password, externalId, SignIn.PASSWORD);
    }

    /**
     * As {@link #add(NewIntegration, Secret, String)}, signing in as {@code signIn} says: for {@code oauth2}
     * {@code secret} is the grant's refresh token, sealed as a password is.
     */
    public long add(NewIntegration n, Secret secret, String externalId, SignIn signIn) {
        return jdbi.inTransaction(h -> {
            findIdByEmail(h, n.email()).ifPresent(id -> {
                throw new BadInputException("mailbox " + n.email() + " is already stored as integration " + id
                        + " (use set-password to replace its password)");
            });
            if (externalId != null) {
                findIdByExternalId(h, externalId).ifPresent(id -> {
                    throw new ConflictException("external id " + externalId + " is already used by integration " + id);
                });
            }
            long id = insert(h, n, secret, clock.instant());
            setExternalId(h, id, externalId);
            saveSignIn(h, id, signIn);
            return id;
        });
    }

    static void saveSignIn(Handle h, long id, SignIn signIn) {
        h.createUpdate("UPDATE integration SET auth = :auth, oauth_app = :app WHERE id = :id")
                .bind("auth", signIn.auth().label())
                .bind("app", signIn.oauthApp())
                .bind("id", id)
                .execute();
    }

    /** Adds or updates every row in one transaction: all of them land, or none. */
    public ImportCounts importAll(List<NewIntegration> rows, List<Secret> passwords) {
        return importAll(rows, passwords, java.util.Collections.nCopies(rows.size(), null));
    }

    /**
     * As {@link #importAll(List, List)}, each row with its external id (null for none): a row whose external id is
     * stored updates that integration; any other row updates the mailbox of its address, or adds it.
     */
    public ImportCounts importAll(List<NewIntegration> rows, List<Secret> passwords, List<String> externalIds) {
        return importAll(rows, passwords, externalIds, java.util.Collections.nCopies(rows.size(), SignIn.PASSWORD));
    }

    /**
     * As {@link #importAll(List, List, List)}, each row signing in as its {@code signIns} entry says (for
     * {@code oauth2} its secret is the refresh token).
     */
    public ImportCounts importAll(
            List<NewIntegration> rows, List<Secret> passwords, List<String> externalIds, List<SignIn> signIns) {
        var now = clock.instant();
        return jdbi.inTransaction(h -> {
            int added = 0;
            int updated = 0;
            for (int i = 0; i < rows.size(); i++) {
                var n = rows.get(i);
                var ext = externalIds.get(i);
                var existing = matching(h, ext, n.email());
                if (existing.isPresent()) {
                    update(h, existing.get(), n, passwords.get(i), now);
                    updated++;
                } else {
                    existing = Optional.of(insert(h, n, passwords.get(i), now));
                    added++;
                }
                if (ext != null) {
                    setExternalId(h, existing.get(), ext);
                }
                saveSignIn(h, existing.get(), signIns.get(i));
            }
            return new ImportCounts(added, updated);
        });
    }

    /**
     * Upserts the integration the dealer system knows as {@code externalId}: updates it when stored; else adopts
     * the mailbox of the same address when it has no external id yet; else adds it, which needs a password.
     * {@code password} null keeps the stored one (and the due time, unless a login-relevant field changed).
     *
     * @throws ConflictException when the address belongs to an integration of another external id
     */
    public Saved save(String externalId, NewIntegration n, Secret password) {
        return save(externalId, n, password, null);
    }

    /** As {@link #save(String, NewIntegration, Secret)}, signing in as {@code signIn} says (null: as stored, password for a new one). */
    public Saved save(String externalId, NewIntegration n, Secret password, SignIn signIn) {
        Objects.requireNonNull(externalId, "externalId");
        var now = clock.instant();
        // the daemon's writer lock (the API runs in the daemon): queued behind the check writer, not SQLite's busy
        // handler
        return db.inWriteTransaction(h -> {
            var existing = matching(h, externalId, n.email());
            if (existing.isPresent()) {
                setExternalId(h, existing.get(), externalId); // first: the events of the update name it
                update(h, existing.get(), n, password, now);
                if (signIn != null) {
                    saveSignIn(h, existing.get(), signIn);
                }
                return new Saved(existing.get(), false);
            }
            if (password == null) {
                throw new BadInputException(
                        signIn != null && signIn.oauth()
                                ? "refresh_token: required for a new integration"
                                : "password: required for a new integration");
            }
            long id = insert(h, n, password, now);
            setExternalId(h, id, externalId);
            if (signIn != null) {
                saveSignIn(h, id, signIn);
            }
            return new Saved(id, true);
        });
    }

    /** The row {@code externalId} names, else the row of {@code email} when it has no other external id. */
    private static Optional<Long> matching(Handle h, String externalId, String email) {
        var byEmail = findIdByEmail(h, email);
        if (externalId == null) {
            return byEmail;
        }
        var byExternal = findIdByExternalId(h, externalId);
        if (byExternal.isPresent()) {
            if (byEmail.isPresent() && !byEmail.equals(byExternal)) {
                throw new ConflictException("mailbox " + email + " is already stored as integration " + byEmail.get()
                        + externalLabel(h, byEmail.get()));
            }
            return byExternal;
        }
        if (byEmail.isPresent()) {
            var other = externalIdOf(h, byEmail.get());
            if (other.isPresent()) {
                throw new ConflictException("mailbox " + email + " is already stored as integration " + byEmail.get()
                        + " (external id " + other.get() + ")");
            }
        }
        return byEmail;
    }

    private static String externalLabel(Handle h, long id) {
        return externalIdOf(h, id).map(x -> " (external id " + x + ")").orElse("");
    }

    private static Optional<Long> findIdByExternalId(Handle h, String externalId) {
        return h.createQuery("SELECT id FROM integration WHERE external_id = :x")
                .bind("x", externalId)
                .mapTo(Long.class)
                .findOne();
    }

    private static Optional<String> externalIdOf(Handle h, long id) {
        return h
                .createQuery("SELECT external_id FROM integration WHERE id = :id")
                .bind("id", id)
                .mapTo(String.class)
                .list()
                .stream()
                .filter(Objects::nonNull)
                .findFirst();
    }

    private static void setExternalId(Handle h, long id, String externalId) {
        if (externalId != null) {
            h.createUpdate("UPDATE integration SET external_id = :x WHERE id = :id")
                    .bind("x", externalId)
                    .bind("id", id)
                    .execute();
        }
    }

    /** The integration the dealer system knows as {@code externalId}. */
    public Optional<Keyed> findByExternalId(String externalId) {
        return reads.withHandle(h -> h.createQuery(
                        "SELECT " + COLUMNS + ", i.external_id" + FROM + " WHERE i.external_id = :x")
                .bind("x", externalId)
                .map((rs, ctx) -> new Keyed(map(rs, ctx), rs.getString("external_id")))
                .findOne());
    }

    /** The external id of integration {@code id}, if it has one. */
    public Optional<String> externalId(long id) {
        return reads.withHandle(h -> externalIdOf(h, id));
    }

    /**
     * One page of integrations in id order after {@code afterId}, filtered by whichever of state, provider and
     * dealer id are not null; at most {@code limit}. New integrations get higher ids, so paging is stable under inserts.
     */
    public List<Keyed> page(IntegrationState state, String provider, String dealerId, long afterId, int limit) {
        return reads.withHandle(h -> h.createQuery(
                        "SELECT " + COLUMNS + ", i.external_id" + FROM + " WHERE i.id > :after"
                                + (state == null ? "" : " AND i.state = :state")
                                + (provider == null ? "" : " AND i.provider = :provider")
                                + (dealerId == null ? "" : " AND i.dealer_id = :dealer")
                                + " ORDER BY i.id LIMIT :limit")
                .bind("after", afterId)
                .bind("state", state == null ? null : state.name())
                .bind("provider", provider)
                .bind("dealer", dealerId)
                .bind("limit", limit)
                .map((rs, ctx) -> new Keyed(map(rs, ctx), rs.getString("external_id")))
                .list());
    }

    /** Deletes the integration the dealer system knows as {@code externalId}; false when there is none. */
    public boolean removeByExternalId(String externalId) {
        return db.inWriteTransaction(h -> {
            var id = findIdByExternalId(h, externalId);
            id.ifPresent(i -> {
                h.createUpdate("DELETE FROM integration WHERE id = :id")
                        .bind("id", i)
                        .execute();
                h.createUpdate(
                                "DELETE FROM dealer WHERE NOT EXISTS (SELECT 1 FROM integration WHERE dealer_id = dealer.id)")
                        .execute();
            });
            return id.isPresent();
        });
    }

    public Optional<Integration> find(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + FROM + " WHERE i.id = :id")
                .bind("id", id)
                .map(IntegrationStore::map)
                .findOne());
    }

    /** The integration with this id; a bad-input error naming the id when there is none. */
    public Integration get(long id) {
        return find(id).orElseThrow(() -> new BadInputException("no integration with id " + id));
    }

    public Optional<Integration> findByEmail(String email) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + FROM + " WHERE i.email = :email")
                .bind("email", email)
                .map(IntegrationStore::map)
                .findOne());
    }

    public List<Integration> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + FROM + " ORDER BY i.id")
                .map(IntegrationStore::map)
                .list());
    }

    /** How many integrations are stored, and how many of them are enabled. */
    public record Counts(long total, long enabled) {}

    public Counts count() {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*), COALESCE(sum(enabled), 0) FROM integration")
                .map((rs, ctx) -> new Counts(rs.getLong(1), rs.getLong(2)))
                .one());
    }

    /** Enabled integrations due at {@code now}, most overdue first. */
    public List<Integration> listDue(Instant now, int limit) {
        return listDue(now, limit, Set.of());
    }

    /**
     * Like {@link #listDue(Instant, int)}, leaving out {@code skip} (the integrations being checked: they stay due
     * until their check is recorded, and reading them only to skip them would cost a row each).
     */
    public List<Integration> listDue(Instant now, int limit, Collection<Long> skip) {
        return reads.withHandle(h -> {
            var query = h.createQuery("SELECT " + COLUMNS + FROM + " WHERE i.enabled = 1 AND i.next_check_at <= :now"
                            + (skip.isEmpty() ? "" : " AND i.id NOT IN (<skip>)")
                            + " ORDER BY i.next_check_at LIMIT :n")
                    .bind("now", now.toEpochMilli())
                    .bind("n", limit);
            if (!skip.isEmpty()) {
                query.bindList("skip", List.copyOf(skip));
            }
            return query.map(IntegrationStore::map).list();
        });
    }

    /**
     * Due integrations for {@code node} to check, most overdue first. On PostgreSQL, shared by several nodes, each
     * row is leased to {@code node} until {@code leaseUntil} in the same statement ({@code FOR UPDATE SKIP LOCKED}:
     * two nodes claiming at once get different rows); a row whose lease has not run out is left alone, and
     * recording its check clears the lease. On SQLite, with one daemon, this is {@link #listDue(Instant, int, Collection)}.
     */
    public List<Integration> claimDue(Instant now, int limit, Collection<Long> skip, String node, Instant leaseUntil) {
        if (dialect == Dialect.SQLITE) {
            return listDue(now, limit, skip);
        }
        return jdbi.inTransaction(h -> {
            var query = h.createQuery("WITH claimed AS (UPDATE integration SET lease_node = :node, lease_until = :until"
                            + " WHERE id IN (SELECT id FROM integration WHERE enabled = 1 AND next_check_at <= :now"
                            + " AND (lease_until IS NULL OR lease_until < :now)"
                            + (skip.isEmpty() ? "" : " AND id NOT IN (<skip>)")
                            + " ORDER BY next_check_at LIMIT :n FOR UPDATE SKIP LOCKED) RETURNING id)"
                            + " SELECT " + COLUMNS + FROM
                            + " WHERE i.id IN (SELECT id FROM claimed) ORDER BY i.next_check_at")
                    .bind("node", node)
                    .bind("until", leaseUntil.toEpochMilli())
                    .bind("now", now.toEpochMilli())
                    .bind("n", limit);
            if (!skip.isEmpty()) {
                query.bindList("skip", List.copyOf(skip));
            }
            return query.map(IntegrationStore::map).list();
        });
    }

    /** Gives back the leases {@code node} took on {@code ids} without checking them (no free slot); nothing on SQLite. */
    public void releaseClaims(Collection<Long> ids, String node) {
        if (dialect == Dialect.SQLITE || ids.isEmpty()) {
            return;
        }
        jdbi.useHandle(h -> h.createUpdate("UPDATE integration SET lease_node = NULL, lease_until = NULL"
                        + " WHERE id IN (<ids>) AND lease_node = :node")
                .bindList("ids", List.copyOf(ids))
                .bind("node", node)
                .execute());
    }

    /**
     * Spreads integrations that became overdue by more than {@code grace} (the daemon was down) evenly over
     * the next {@code window}, so a restart after a long stop does not check everything at once.
     * Integrations whose password changed or that were never checked stay due now. Returns how many moved.
     */
    public int spreadOverdue(Instant now, Duration grace, Duration window) {
        long n = now.toEpochMilli();
        return jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE integration SET next_check_at = :now + " + dialect.randomBelow(":window") + """

                        WHERE enabled = 1 AND next_check_at < :cutoff AND last_checked_at IS NOT NULL
                          AND (password_changed_at IS NULL OR password_changed_at < last_checked_at)""")
                .bind("now", n)
                .bind("window", Math.max(1, window.toMillis()))
                .bind("cutoff", n - grace.toMillis())
                .execute());
    }

    /** Deletes the integration and its history. */
    public void remove(long id) {
        get(id);
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM integration WHERE id = :id")
                    .bind("id", id)
                    .execute();
            h.createUpdate(
                            "DELETE FROM dealer WHERE NOT EXISTS (SELECT 1 FROM integration WHERE dealer_id = dealer.id)")
                    .execute();
        });
    }

    /** Switches checking on (due at once, state back to UNKNOWN) or off (state DISABLED). */
    public void setEnabled(long id, boolean enabled) {
        var current = get(id);
        if (current.enabled() == enabled) {
            return;
        }
        var now = clock.instant().toEpochMilli();
        var to = enabled ? IntegrationState.UNKNOWN : IntegrationState.DISABLED;
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                            UPDATE integration SET enabled = :enabled, state = :state, state_since = :now, next_check_at = :next,
                                                   consecutive_failures = 0, problem_since = NULL, updated_at = :now
                            WHERE id = :id""")
                    .bind("enabled", enabled)
                    .bind("state", to.name())
                    .bind("now", now)
                    .bind("next", enabled ? (Long) now : null)
                    .bind("id", id)
                    .execute();
            Transitions.record(
                    h, id, now, current.state(), to, null, null, enabled ? "enabled by hand" : "disabled by hand");
        });
    }

    /** Replaces the stored password; the integration is due for a check at once. */
    public void setPassword(long id, Secret password) {
        get(id);
        var now = clock.instant().toEpochMilli();
        jdbi.useTransaction(h -> {
            seal(h, id, password);
            h.createUpdate("""
                            UPDATE integration SET password_changed_at = :now, updated_at = :now,
                                                   next_check_at = CASE WHEN enabled = 1 THEN :now ELSE NULL END
                            WHERE id = :id""").bind("now", now).bind("id", id).execute();
            Webhooks.recordPasswordReplaced(h, id, now);
        });
    }

    /** The plain password, for the login check only. */
    public Secret password(long id) {
        return credential(id).secret();
    }

    /** How integration {@code id} signs in and its opened secret (password or refresh token), read in one query. */
    public Credential credential(long id) {
        return reads.withHandle(h -> h.createQuery("""
                                SELECT auth, oauth_app, secret_key_version, secret_nonce, secret_ciphertext
                                FROM integration WHERE id = :id""")
                        .bind("id", id)
                        .map((rs, ctx) -> new Credential(
                                new SignIn(Auth.parse(rs.getString(1)), rs.getString(2)),
                                box.open(
                                        new SecretBox.Sealed(rs.getInt(3), rs.getBytes(4), rs.getBytes(5)),
                                        SecretBox.passwordContext(id))))
                        .findOne())
                .orElseThrow(() -> new BadInputException("no integration with id " + id));
    }

    /** A check's view of the secret columns: how it signs in and with what. */
    public record Credential(SignIn signIn, Secret secret) {
        @Override
        public String toString() {
            return "Credential[" + signIn + ", ***]"; // never the secret
        }
    }

    private long insert(Handle h, NewIntegration n, Secret password, Instant at) {
        long now = at.toEpochMilli();
        upsertDealer(h, n, now);
        var insert = h.createUpdate("""
                        INSERT INTO integration (dealer_id, contact_email, email, provider, username,
                                                 imap_host, imap_port, imap_security, smtp_host, smtp_port, smtp_security,
                                                 protocols, enabled, canary, state, state_since, next_check_at,
                                                 password_changed_at, created_at, updated_at)
                        VALUES (:dealer, :contact, :email, :provider, :username, :imapHost, :imapPort, :imapSec,
                                :smtpHost, :smtpPort, :smtpSec, :protocols, :enabled, :canary, :state, :now, :next,
                                :now, :now, :now)""")
                .bind("email", n.email())
                .bind("state", (n.enabled() ? IntegrationState.UNKNOWN : IntegrationState.DISABLED).name())
                .bind("next", n.enabled() ? (Long) now : null);
        long id = bindMailbox(insert, n, now)
                .executeAndReturnGeneratedKeys("id")
                .mapTo(Long.class)
                .one();
        // The id is bound into the ciphertext, so the password is sealed once the row exists.
        seal(h, id, password);
        return id;
    }

    private void update(Handle h, long id, NewIntegration n, Secret password, Instant at) {
        long now = at.toEpochMilli();
        var contactBefore = h.createQuery("SELECT contact_email FROM integration WHERE id = :id")
                .bind("id", id)
                .mapTo(String.class)
                .one();
        upsertDealer(h, n, now);
        var update = h.createUpdate("""
                        UPDATE integration SET dealer_id = :dealer, contact_email = :contact, provider = :provider,
                               username = :username, imap_host = :imapHost, imap_port = :imapPort, imap_security = :imapSec,
                               smtp_host = :smtpHost, smtp_port = :smtpPort, smtp_security = :smtpSec, protocols = :protocols,
                               canary = :canary, updated_at = :now, %s
                               state = CASE WHEN :enabled = 1 THEN (CASE WHEN enabled = 1 THEN state ELSE :unknown END)
                                            ELSE :disabled END,
                               enabled = :enabled, next_check_at = CASE WHEN :enabled = 1 THEN %s ELSE NULL END
                        WHERE id = :id""".formatted(
                        password != null ? "password_changed_at = :now," : "", password != null ? ":now" : KEEP_DUE))
                .bind("unknown", IntegrationState.UNKNOWN.name())
                .bind("disabled", IntegrationState.DISABLED.name())
                .bind("id", id);
        bindMailbox(update, n, now).execute();
        if (!contactBefore.equalsIgnoreCase(n.contactEmail())) {
            // a new contact: the old one's bounce is history, unless another mailbox still names it
            Outbox.forgetBouncingIfUnused(h, contactBefore);
        }
        if (password != null) {
            seal(h, id, password);
            Webhooks.recordPasswordReplaced(h, id, now);
        }
    }

    /** The dealer and mailbox settings an insert and an update both write, and the time they are written at. */
    private static <S extends SqlStatement<S>> S bindMailbox(S statement, NewIntegration n, long now) {
        return statement
                .bind("dealer", n.dealerId())
                .bind("contact", n.contactEmail())
                .bind("provider", n.provider())
                .bind("username", n.username())
                .bind("imapHost", n.imap() == null ? null : n.imap().host())
                .bind("imapPort", n.imap() == null ? null : n.imap().port())
                .bind("imapSec", n.imap() == null ? null : n.imap().security().label())
                .bind("smtpHost", n.smtp() == null ? null : n.smtp().host())
                .bind("smtpPort", n.smtp() == null ? null : n.smtp().port())
                .bind("smtpSec", n.smtp() == null ? null : n.smtp().security().label())
                .bind("protocols", Protocols.label(n.protocols()))
                .bind("enabled", n.enabled())
                .bind("canary", n.canary())
                .bind("now", now);
    }

    private void seal(Handle h, long id, Secret password) {
        storeSealed(h, id, box.seal(password, SecretBox.passwordContext(id)));
    }

    /** Writes an integration's sealed password: the one statement for a new password and a key rotation. */
    static void storeSealed(Handle h, long id, SecretBox.Sealed sealed) {
        h.createUpdate(
                        "UPDATE integration SET secret_key_version = :v, secret_nonce = :n, secret_ciphertext = :c WHERE id = :id")
                .bind("v", sealed.keyVersion())
                .bind("n", sealed.nonce())
                .bind("c", sealed.ciphertext())
                .bind("id", id)
                .execute();
    }

    private static void upsertDealer(Handle h, NewIntegration n, long now) {
        h.createUpdate("""
                        INSERT INTO dealer (id, name, admin_email, created_at, updated_at) VALUES (:id, :name, :admin, :now, :now)
                        ON CONFLICT(id) DO UPDATE SET name = COALESCE(excluded.name, dealer.name),
                                                      admin_email = COALESCE(excluded.admin_email, dealer.admin_email),
                                                      updated_at = :now""")
                .bind("id", n.dealerId())
                .bind("name", n.dealerName())
                .bind("admin", n.adminEmail())
                .bind("now", now)
                .execute();
    }

    private static Optional<Long> findIdByEmail(Handle h, String email) {
        return h.createQuery("SELECT id FROM integration WHERE email = :email")
                .bind("email", email)
                .mapTo(Long.class)
                .findOne();
    }

    static Integration map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Integration(
                rs.getLong("id"),
                rs.getString("dealer_id"),
                rs.getString("dealer_name"),
                rs.getString("contact_email"),
                rs.getString("email"),
                rs.getString("provider"),
                rs.getString("username"),
                endpoint(rs, "imap"),
                endpoint(rs, "smtp"),
                Protocols.parse(rs.getString("protocols")),
                rs.getBoolean("enabled"),
                rs.getBoolean("canary"),
                IntegrationState.valueOf(rs.getString("state")),
                instant(rs, "state_since"),
                rs.getString("last_outcome") == null ? null : Outcome.valueOf(rs.getString("last_outcome")),
                instant(rs, "problem_since"),
                rs.getInt("consecutive_failures"),
                instant(rs, "next_check_at"),
                instant(rs, "last_checked_at"),
                instant(rs, "last_success_at"),
                instant(rs, "password_changed_at"),
                instant(rs, "created_at"),
                rs.getString("admin_email"),
                new SignIn(Auth.parse(rs.getString("auth")), rs.getString("oauth_app")));
    }

    private static Endpoint endpoint(ResultSet rs, String prefix) throws SQLException {
        var host = rs.getString(prefix + "_host");
        return host == null
                ? null
                : new Endpoint(host, rs.getInt(prefix + "_port"), Security.parse(rs.getString(prefix + "_security")));
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }
}
