package com.dts.apm.api;

import com.dts.apm.BadInputException;
import com.dts.apm.store.ApiTokens;
import com.dts.apm.store.IntegrationInput;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Makes and recognises API tokens: {@code apm_} and 43 base64url characters (256 random bits). The store keeps
 * only their SHA-256: with 256 random bits nobody can find a preimage, so a slow password hash would cost CPU on
 * every request and protect nothing more.
 */
public final class Tokens {
    static final String PREFIX = "apm_";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final ApiTokens store;

    public Tokens(ApiTokens store) {
        this.store = store;
    }

    /** Stores a new token and returns it: the only time it is ever seen. */
    public String create(String name, Set<Scope> scopes) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new BadInputException("token name '" + IntegrationInput.printable(String.valueOf(name))
                    + "' may hold only letters, digits and . _ - (at most 64)");
        }
        var bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        var token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        store.create(name, hash(token), scopes.stream().map(Scope::label).collect(Collectors.toSet()));
        return token;
    }

    /** The stored token this one is; empty for anything else (never says why). */
    Optional<ApiTokens.Token> find(String token) {
        if (token == null || !token.startsWith(PREFIX) || token.length() != PREFIX.length() + 43) {
            return Optional.empty();
        }
        return store.findByHash(hash(token));
    }

    static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
