package com.dts.apm.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * An OAuth token endpoint on loopback answering {@code grant_type=refresh_token} as Google's does (the same refresh
 * token stays valid, none is returned) or Microsoft's (a new refresh token on every refresh; the old ones stay
 * valid), with Google's and Microsoft's real {@code invalid_grant} bodies for a revoked grant. Counts requests and
 * remembers every access token it issued.
 */
public final class ScriptedTokenEndpoint implements AutoCloseable {
    public enum Style {
        GOOGLE,
        MICROSOFT
    }

    public static final String GOOGLE_REVOKED =
            "{\n  \"error\": \"invalid_grant\",\n  \"error_description\": \"Token has been expired or revoked.\"\n}";
    public static final String MICROSOFT_REVOKED =
            "{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2026-06-01T08:00:00.0000000Z and was inactive for 90.00:00:00.\\r\\nTrace ID: 6e94ade5-10de-4d67-909a-14d845813500\\r\\nCorrelation ID: 0e87b495-1e24-4882-be85-d012c216f4f6\\r\\nTimestamp: 2026-09-01 08:00:00Z\",\"error_codes\":[700082],\"error_uri\":\"https://login.microsoftonline.com/error?code=700082\"}";

    private final Style style;
    private final String clientId;
    private final String clientSecret;
    private final HttpServer server;
    private final Set<String> valid = ConcurrentHashMap.newKeySet();
    private final List<String> issued = new CopyOnWriteArrayList<>();
    private final List<String> refreshTokensIssued = new CopyOnWriteArrayList<>();
    private final List<String> refreshTokensPresented = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger sequence = new AtomicInteger();
    private volatile int expiresIn = 3599;
    private volatile int status;
    private volatile String body;
    private volatile Consumer<HttpExchange> beforeAnswer = e -> {};

    private ScriptedTokenEndpoint(Style style, String clientId, String clientSecret, SSLContext tls)
            throws IOException {
        this.style = style;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        var address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        if (tls == null) {
            this.server = HttpServer.create(address, 50);
        } else {
            var https = HttpsServer.create(address, 50);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            this.server = https;
        }
        server.createContext("/token", this::answer);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            var t = new Thread(r, "scripted-token-endpoint");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public static ScriptedTokenEndpoint start(Style style, String clientId, String clientSecret) throws IOException {
        return new ScriptedTokenEndpoint(style, clientId, clientSecret, null);
    }

    /** Over https with the server certificate of {@code tls} (for 127.0.0.1). */
    public static ScriptedTokenEndpoint startHttps(Style style, String clientId, String clientSecret, SSLContext tls)
            throws IOException {
        return new ScriptedTokenEndpoint(style, clientId, clientSecret, tls);
    }

    /** The URL to configure as {@code token-url}. */
    public String url() {
        var scheme = server instanceof HttpsServer ? "https" : "http";
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** This refresh token is a live grant. */
    public ScriptedTokenEndpoint grant(String refreshToken) {
        valid.add(refreshToken);
        return this;
    }

    /** Revokes every grant: from now on each refresh gets the style's invalid_grant. */
    public ScriptedTokenEndpoint revokeAll() {
        valid.clear();
        return this;
    }

    /** The lifetime of the access tokens issued from now on. */
    public ScriptedTokenEndpoint expiresIn(int seconds) {
        this.expiresIn = seconds;
        return this;
    }

    /** Answers every request with this status and body (null: behave normally). */
    public ScriptedTokenEndpoint answerAlways(int status, String body) {
        this.status = status;
        this.body = body;
        return this;
    }

    /** Runs before each answer (a latch to hold concurrent refreshes, a sleep for a timeout test). */
    public ScriptedTokenEndpoint beforeAnswer(Consumer<HttpExchange> hook) {
        this.beforeAnswer = hook;
        return this;
    }

    public int requests() {
        return requests.get();
    }

    /** Every access token issued so far. */
    public List<String> issued() {
        return List.copyOf(issued);
    }

    /** Every refresh token a client presented (of a well-formed client-authenticated request), in order. */
    public List<String> refreshTokensPresented() {
        return List.copyOf(refreshTokensPresented);
    }

    /** Every new refresh token issued so far (Microsoft style). */
    public List<String> refreshTokensIssued() {
        return List.copyOf(refreshTokensIssued);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            var form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            beforeAnswer.accept(exchange);
            if (body != null) {
                reply(exchange, status, body);
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())
                    || !"refresh_token".equals(form.get("grant_type"))
                    || !String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"))
                            .startsWith("application/x-www-form-urlencoded")) {
                reply(exchange, 400, "{\"error\":\"unsupported_grant_type\"}");
                return;
            }
            if (!clientId.equals(form.get("client_id")) || !clientSecret.equals(form.get("client_secret"))) {
                reply(
                        exchange,
                        401,
                        "{\"error\":\"invalid_client\",\"error_description\":\"The OAuth client was not found.\"}");
                return;
            }
            var refresh = form.get("refresh_token");
            refreshTokensPresented.add(refresh == null ? "" : refresh);
            if (refresh == null || !valid.contains(refresh)) {
                reply(exchange, 400, style == Style.GOOGLE ? GOOGLE_REVOKED : MICROSOFT_REVOKED);
                return;
            }
            var n = sequence.incrementAndGet();
            var access = (style == Style.GOOGLE ? "ya29.a0Af-" : "EwBIA8l6-") + n + "-access";
            issued.add(access);
            if (style == Style.GOOGLE) {
                reply(
                        exchange,
                        200,
                        "{\"access_token\": \"" + access + "\", \"expires_in\": " + expiresIn
                                + ", \"scope\": \"https://mail.google.com/\", \"token_type\": \"Bearer\"}");
            } else {
                var rotated = "M.C507_BAY.0.U.-" + n + "-rotated";
                valid.add(rotated); // Microsoft keeps the old one valid too
                refreshTokensIssued.add(rotated);
                reply(
                        exchange,
                        200,
                        "{\"token_type\":\"Bearer\",\"scope\":\"https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send\",\"expires_in\":"
                                + expiresIn + ",\"ext_expires_in\":" + expiresIn + ",\"access_token\":\"" + access
                                + "\",\"refresh_token\":\"" + rotated + "\"}");
            }
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        var bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static Map<String, String> form(String body) {
        var out = new HashMap<String, String>();
        for (var pair : body.split("&")) {
            var eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
