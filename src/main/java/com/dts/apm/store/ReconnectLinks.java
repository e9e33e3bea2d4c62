package com.dts.apm.store;

import com.dts.apm.config.Secret;
import com.dts.apm.provider.Outcome;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * The links of the hosted reconnect page: 256 random bits each (43 base64url characters), stored only as their
 * SHA-256, bound to one integration and the incident (the transition into FAILING) its email was about. A link
 * opens the page while it is unused, unexpired, not superseded by a newer incident, under its attempt limit and
 * its mailbox still fails in that incident; {@link #save} is the one write of a password entered there.
 */
public final class ReconnectLinks {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");

    /** Where a link stands; only {@code LIVE} opens the form. FIXED: the mailbox left FAILING; NOT_CHECKED: it was disabled. */
    public enum Status {
        LIVE,
        USED,
        EXPIRED,
        SUPERSEDED,
        EXHAUSTED,
        FIXED,
        NOT_CHECKED
    }

    /** One stored link (never its token). */
    public record Link(
            long id,
            long integrationId,
            long incidentId,
            Outcome outcome,
            Instant createdAt,
            Instant expiresAt,
            int attempts,
            Instant usedAt,
            Instant supersededAt) {}

    private final Jdbi jdbi;
    private final SecretBox box;
    private final Clock clock;

    public ReconnectLinks(Database db, SecretBox box, Clock clock) {
        this.jdbi = db.jdbi();
        this.box = box;
        this.clock = clock;
    }

    /**
     * Makes a link for {@code integrationId}'s incident {@code incidentId}, valid for {@code ttl}; links of any other
     * incident of that integration are superseded. Returns the token: the only time it exists outside the email.
     */
    public String issue(long integrationId, long incidentId, Outcome outcome, Duration ttl) {
        var bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        var token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        long now = clock.instant().toEpochMilli();
        jdbi.useTransaction(h -> {
            h.createUpdate(
                            "UPDATE reconnect_link SET superseded_at = :now WHERE integration_id = :i AND incident_id <> :incident"
                                    + " AND superseded_at IS NULL AND used_at IS NULL")
                    .bind("now", now)
                    .bind("i", integrationId)
                    .bind("incident", incidentId)
                    .execute();
            h.createUpdate(
                            "INSERT INTO reconnect_link (token_hash, integration_id, incident_id, outcome, created_at, expires_at)"
                                    + " VALUES (:hash, :i, :incident, :outcome, :now, :expires)")
                    .bind("hash", hash(token))
                    .bind("i", integrationId)
                    .bind("incident", incidentId)
                    .bind("outcome", outcome.name())
                    .bind("now", now)
                    .bind("expires", now + ttl.toMillis())
                    .execute();
        });
        return token;
    }

    /** Forgets a link whose email did not go out (relay down, refused): a link exists only for mail that was sent. */
    public void revoke(String token) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM reconnect_link WHERE token_hash = :hash")
                .bind("hash", hash(token))
                .execute());
    }

    /** The link {@code token} is; empty for anything else, malformed or forged (never says which). */
    public Optional<Link> find(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            return Optional.empty();
        }
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT id, integration_id, incident_id, outcome, created_at, expires_at,"
                                + " attempts, used_at, superseded_at FROM reconnect_link WHERE token_hash = :hash")
                .bind("hash", hash(token))
                .map((rs, ctx) -> new Link(
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getLong(3),
                        Outcome.valueOf(rs.getString(4)),
                        Instant.ofEpochMilli(rs.getLong(5)),
                        Instant.ofEpochMilli(rs.getLong(6)),
                        rs.getInt(7),
                        instant(rs.getObject(8)),
                        instant(rs.getObject(9))))
                .findOne());
    }

    private static Instant instant(Object millis) {
        return millis == null ? null : Instant.ofEpochMilli(((Number) millis).longValue());
    }

    /** Where {@code link} stands now, with at most {@code maxAttempts} verifications. */
    public Status status(Link link, int maxAttempts) {
        return jdbi.withHandle(h -> status(h, link.id(), maxAttempts));
    }

    private Status status(Handle h, long linkId, int maxAttempts) {
        var row = h.createQuery("""
                        SELECT l.used_at, l.superseded_at, l.expires_at, l.attempts, l.incident_id, i.state,
                               (SELECT max(t.id) FROM state_transition t WHERE t.integration_id = l.integration_id
                                                                          AND t.to_state = :failing)
                        FROM reconnect_link l JOIN integration i ON i.id = l.integration_id WHERE l.id = :id""")
                .bind("id", linkId)
                .bind("failing", IntegrationState.FAILING.name())
                .map((rs, ctx) -> new Object[] {
                    rs.getObject(1),
                    rs.getObject(2),
                    rs.getLong(3),
                    rs.getInt(4),
                    rs.getLong(5),
                    rs.getString(6),
                    rs.getObject(7)
                })
                .findOne();
        if (row.isEmpty()) {
            return Status.FIXED; // the integration is gone
        }
        var r = row.get();
        if (r[0] != null) {
            return Status.USED;
        }
        long incident = (Long) r[4];
        long latestFailing = r[6] == null ? incident : ((Number) r[6]).longValue();
        if (r[1] != null || latestFailing > incident) {
            return Status.SUPERSEDED;
        }
        if ((Long) r[2] <= clock.instant().toEpochMilli()) {
            return Status.EXPIRED;
        }
        if (IntegrationState.DISABLED.name().equals(r[5])) {
            return Status.NOT_CHECKED;
        }
        if (!IntegrationState.FAILING.name().equals(r[5])) {
            return Status.FIXED;
        }
        if ((Integer) r[3] >= maxAttempts) {
            return Status.EXHAUSTED;
        }
        return Status.LIVE;
    }

    /** Takes one verification of {@code linkId}; false when the link is at {@code maxAttempts} or no longer live. */
    public boolean takeAttempt(long linkId, int maxAttempts) {
        return jdbi.inTransaction(h -> status(h, linkId, maxAttempts) == Status.LIVE
                && h.createUpdate(
                                        "UPDATE reconnect_link SET attempts = attempts + 1 WHERE id = :id AND attempts < :max")
                                .bind("id", linkId)
                                .bind("max", maxAttempts)
                                .execute()
                        == 1);
    }

    /** One protocol's login result of the verification, recorded as the check it was. */
    public record Login(String protocol, Outcome outcome, long durationMs, String detail) {}

    /**
     * Saves a password the dealer entered through {@code link} and that just logged in: in one transaction, while the
     * link is still live, seals it, records the logins as a check, makes the integration HEALTHY (the transition's
     * reason says {@code reason}), raises {@code integration.password_replaced} and uses the link up. False when the
     * link stopped being live meanwhile (nothing is written then).
     */
    public boolean save(Link link, Secret password, List<Login> logins, Duration nextCheckIn, String reason) {
        var at = clock.instant();
        long now = at.toEpochMilli();
        long id = link.integrationId();
        return jdbi.inTransaction(h -> {
            // the attempt was taken already: the limit does not stop the save it paid for
            if (status(h, link.id(), Integer.MAX_VALUE) != Status.LIVE) {
                return false;
            }
            IntegrationStore.storeSealed(h, id, box.seal(password, SecretBox.passwordContext(id)));
            var batch = h.prepareBatch(
                    "INSERT INTO check_result (integration_id, checked_at, protocol, outcome, duration_ms, detail)"
                            + " VALUES (:i, :at, :p, :o, :d, :detail)");
            for (var l : logins) {
                batch.bind("i", id)
                        .bind("at", now)
                        .bind("p", l.protocol())
                        .bind("o", l.outcome().name())
                        .bind("d", l.durationMs())
                        .bind("detail", l.detail())
                        .add();
            }
            Long lastCheck = null;
            if (!logins.isEmpty()) {
                batch.execute();
                lastCheck = h.createQuery(
                                "SELECT max(id) FROM check_result WHERE integration_id = :i AND checked_at = :at")
                        .bind("i", id)
                        .bind("at", now)
                        .mapTo(Long.class)
                        .one();
            }
            Webhooks.recordPasswordReplaced(h, id, now);
            h.createUpdate("""
                            UPDATE integration SET state = :healthy, state_since = :now, last_outcome = :ok,
                                   consecutive_failures = 0, problem_since = NULL,
                                   next_check_at = CASE WHEN enabled = 1 THEN :next ELSE NULL END,
                                   last_checked_at = :now, last_success_at = :now, password_changed_at = :now, updated_at = :now
                            WHERE id = :id""")
                    .bind("healthy", IntegrationState.HEALTHY.name())
                    .bind("ok", Outcome.OK.name())
                    .bind("now", now)
                    .bind("next", now + nextCheckIn.toMillis())
                    .bind("id", id)
                    .execute();
            Transitions.record(
                    h, id, now, IntegrationState.FAILING, IntegrationState.HEALTHY, Outcome.OK, lastCheck, reason);
            h.createUpdate("UPDATE reconnect_link SET used_at = :now WHERE id = :id")
                    .bind("now", now)
                    .bind("id", link.id())
                    .execute();
            return true;
        });
    }

    /** Deletes links that expired before {@code before}; returns how many. */
    public int prune(Instant before) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM reconnect_link WHERE expires_at < :before")
                .bind("before", before.toEpochMilli())
                .execute());
    }

    static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
