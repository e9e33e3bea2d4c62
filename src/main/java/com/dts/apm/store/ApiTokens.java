package com.dts.apm.store;

import com.dts.apm.BadInputException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Jdbi;

/**
 * The API's bearer tokens: a name, its scopes and the SHA-256 of the token. The token itself is never stored;
 * callers hash it first ({@code api.Tokens}).
 */
public final class ApiTokens {
    private final Database db;
    private final Jdbi jdbi;
    private final Jdbi reads;
    private final Clock clock;

    public ApiTokens(Database db, Clock clock) {
        this.db = db;
        this.jdbi = db.jdbi();
        this.reads = db.reads();
        this.clock = clock;
    }

    /** One stored token, without the token: its name, scopes and when it was made and last used. */
    public record Token(String name, Set<String> scopes, Instant createdAt, Instant lastUsedAt) {
        public Token {
            scopes = Set.copyOf(new TreeSet<>(scopes));
        }
    }

    /** Stores a new token's hash; refuses a name already in use. */
    public void create(String name, byte[] hash, Set<String> scopes) {
        jdbi.useTransaction(h -> {
            boolean taken = h.createQuery("SELECT count(*) FROM api_token WHERE name = :name")
                            .bind("name", name)
                            .mapTo(Integer.class)
                            .one()
                    > 0;
            if (taken) {
                throw new BadInputException("an API token named '" + name + "' exists already (revoke it first)");
            }
            h.createUpdate(
                            "INSERT INTO api_token (name, token_hash, scopes, created_at) VALUES (:name, :hash, :scopes, :now)")
                    .bind("name", name)
                    .bind("hash", hash)
                    .bind("scopes", String.join(" ", new TreeSet<>(scopes)))
                    .bind("now", clock.instant().toEpochMilli())
                    .execute();
        });
    }

    /** The token whose hash this is. */
    public Optional<Token> findByHash(byte[] hash) {
        return reads.withHandle(h -> h
                .createQuery("SELECT name, token_hash, scopes, created_at, last_used_at FROM api_token"
                        + " WHERE token_hash = :hash")
                .bind("hash", hash)
                .map((rs, ctx) -> java.util.Map.entry(rs.getBytes("token_hash"), token(rs)))
                .list()
                .stream()
                // the index found the row; compare once more in constant time, so the answer never
                // depends on how much of the hash matched
                .filter(e -> java.security.MessageDigest.isEqual(e.getKey(), hash))
                .map(java.util.Map.Entry::getValue)
                .findFirst());
    }

    public List<Token> list() {
        return jdbi.withHandle(
                h -> h.createQuery("SELECT name, scopes, created_at, last_used_at FROM api_token ORDER BY name")
                        .map((rs, ctx) -> token(rs))
                        .list());
    }

    /** Deletes the token; a bad-input error when there is none of that name. */
    public void revoke(String name) {
        int n = jdbi.withHandle(h -> h.createUpdate("DELETE FROM api_token WHERE name = :name")
                .bind("name", name)
                .execute());
        if (n == 0) {
            throw new BadInputException("no API token named '" + IntegrationInput.printable(name) + "'");
        }
    }

    /** Notes that the token was used (the API calls it at most once a minute per token). */
    public void recordUse(String name, Instant at) {
        db.inWriteTransaction(h -> h.createUpdate("UPDATE api_token SET last_used_at = :at WHERE name = :name")
                .bind("at", at.toEpochMilli())
                .bind("name", name)
                .execute());
    }

    private static Token token(java.sql.ResultSet rs) throws java.sql.SQLException {
        var scopes = rs.getString("scopes");
        return new Token(
                rs.getString("name"),
                scopes.isBlank() ? Set.of() : Set.copyOf(Arrays.asList(scopes.split(" "))),
                IntegrationStore.instant(rs, "created_at"),
                IntegrationStore.instant(rs, "last_used_at"));
    }
}
