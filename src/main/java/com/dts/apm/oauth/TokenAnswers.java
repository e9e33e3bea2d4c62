package com.dts.apm.oauth;

import com.dts.apm.config.Secret;
import com.dts.apm.provider.Outcome;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * The one place that turns a token endpoint's answer (RFC 6749 section 5) into a {@link TokenAnswer}: a pure
 * function of the status and body, unit-tested as a table of real answers from Google and Microsoft.
 *
 * <ul>
 *   <li>{@code invalid_grant} (and Microsoft's {@code interaction_required}, {@code consent_required}) →
 *       {@code TOKEN_REVOKED}: the grant is dead, the dealer signs in again; the description is kept
 *       ({@code AADSTS700082}, {@code AADSTS50173}, Google's "Token has been expired or revoked.").
 *   <li>{@code invalid_client}, {@code unauthorized_client} and any other 4xx → {@code PROTOCOL_ERROR}, naming
 *       the app: its configuration is ops' to fix.
 *   <li>429 → {@code RATE_LIMITED}; 5xx, {@code temporarily_unavailable}, timeouts, refused connections →
 *       {@code NETWORK_ERROR}; a TLS failure → {@code TLS_ERROR}.
 * </ul>
 */
public final class TokenAnswers {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** An access token without expires_in is taken to live this long (Google and Microsoft both issue 1 hour). */
    static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);

    static final int DETAIL_MAX = 400;

    private TokenAnswers() {}

    /**
     * Classifies one HTTP answer of the token endpoint of app {@code app} to a refresh of {@code sent}.
     *
     * @param sent the refresh token that was sent: a returned one equal to it is no rotation
     */
    public static TokenAnswer classify(String app, int status, String body, Secret sent) {
        var json = parse(body);
        if (status == 200) {
            var access = text(json, "access_token");
            if (access == null) {
                return new TokenAnswer.Refused(
                        Outcome.PROTOCOL_ERROR,
                        "token endpoint of OAuth app " + app + " answered 200 without an access_token");
            }
            var lifetime = json.path("expires_in").canConvertToLong()
                            && json.path("expires_in").asLong() > 0
                    ? Duration.ofSeconds(json.path("expires_in").asLong())
                    : DEFAULT_LIFETIME;
            var refresh = text(json, "refresh_token");
            var rotated =
                    refresh == null || (sent != null && refresh.equals(sent.reveal())) ? null : Secret.of(refresh);
            return new TokenAnswer.Granted(Secret.of(access), lifetime, rotated);
        }
        var error = text(json, "error");
        var description = description(json);
        var said = error == null ? "HTTP " + status : error + (description.isEmpty() ? "" : ": " + description);
        if (status == 429) {
            return refused(
                    Outcome.RATE_LIMITED, "token endpoint of OAuth app " + app + " is throttling (HTTP 429): " + said);
        }
        if (status >= 500 || "temporarily_unavailable".equals(error) || "server_error".equals(error)) {
            return refused(
                    Outcome.NETWORK_ERROR,
                    "token endpoint of OAuth app " + app + " failed (HTTP " + status + "): " + said);
        }
        if (error != null) {
            switch (error.toLowerCase(Locale.ROOT)) {
                case "invalid_grant", "interaction_required", "consent_required", "login_required" -> {
                    return refused(Outcome.TOKEN_REVOKED, said);
                }
                case "invalid_client", "unauthorized_client" -> {
                    return refused(
                            Outcome.PROTOCOL_ERROR, "OAuth app " + app + " was refused by its token endpoint: " + said);
                }
                default -> {}
            }
        }
        return refused(
                Outcome.PROTOCOL_ERROR,
                "token endpoint of OAuth app " + app + " answered HTTP " + status + ": "
                        + (error == null ? "(no OAuth error in the body)" : said));
    }

    /** A refresh that got no HTTP answer: refused, timed out, reset, or a TLS failure. */
    public static TokenAnswer failed(String app, Throwable e) {
        var what = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        if (e instanceof SSLException) {
            return refused(Outcome.TLS_ERROR, "token endpoint of OAuth app " + app + ": TLS failed: " + what);
        }
        if (e instanceof HttpTimeoutException) {
            return refused(Outcome.NETWORK_ERROR, "token endpoint of OAuth app " + app + ": no answer in time");
        }
        if (e instanceof ConnectException || e instanceof IOException) {
            return refused(Outcome.NETWORK_ERROR, "token endpoint of OAuth app " + app + ": " + what);
        }
        return refused(Outcome.NETWORK_ERROR, "token endpoint of OAuth app " + app + ": " + what);
    }

    private static TokenAnswer.Refused refused(Outcome o, String detail) {
        var clean = detail.replaceAll("\\p{Cntrl}+", " ").strip();
        return new TokenAnswer.Refused(
                o, clean.length() > DETAIL_MAX ? clean.substring(0, DETAIL_MAX - 3) + "..." : clean);
    }

    /**
     * The error description without Microsoft's trailing "Trace ID: ... Correlation ID: ... Timestamp: ..." (new on
     * every answer: it would make each check's detail differ).
     */
    private static String description(JsonNode json) {
        var d = text(json, "error_description");
        if (d == null) {
            return "";
        }
        var cut = d.indexOf("Trace ID:");
        return (cut >= 0 ? d.substring(0, cut) : d).replaceAll("\\s+", " ").strip();
    }

    private static String text(JsonNode json, String field) {
        var n = json.get(field);
        return n == null || !n.isTextual() || n.asText().isEmpty() ? null : n.asText();
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            var n = JSON.readTree(body);
            return n != null && n.isObject() ? n : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
