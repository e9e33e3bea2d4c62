package com.dts.apm.api;

import com.dts.apm.BadInputException;
import com.dts.apm.ConflictException;
import com.dts.apm.store.ApiTokens;
import com.dts.apm.store.Database;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every API request passes here once: route, token, scope, body limits and content type, the route's answer or its
 * problem, one log line (token name, route template, status, ms) and the two request metrics. Nothing a client
 * sends makes it answer 5xx: only the database being busy (503, retry) or a bug (500, logged at ERROR) do.
 */
final class ApiHandler extends Handler.Abstract {
    static final int MAX_BODY = 64 * 1024;
    static final String JSON = "application/json";
    static final String PROBLEM_JSON = "application/problem+json";
    /** How often a token's last use is written: not per request, which would take SQLite's one writer each time. */
    private static final Duration USE_WRITE_EVERY = Duration.ofMinutes(1);

    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

    private final List<Route> routes;
    private final Tokens tokens;
    private final ApiTokens tokenStore;
    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<String, Instant> lastUseWritten = new ConcurrentHashMap<>();

    ApiHandler(List<Route> routes, Tokens tokens, ApiTokens tokenStore, MeterRegistry registry, Clock clock) {
        this.routes = List.copyOf(routes);
        this.tokens = tokens;
        this.tokenStore = tokenStore;
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long started = System.nanoTime();
        var seen = new Seen();
        Reply reply;
        try {
            reply = dispatch(request, seen);
        } catch (Problem p) {
            reply = problem(p);
        } catch (ConflictException e) {
            reply = problem(new Problem(409, "Conflict", ApiHandler.printable(e.getMessage(), 500)));
        } catch (BadInputException e) {
            reply = problem(Problem.badRequest(ApiHandler.printable(e.getMessage(), 500)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reply = problem(
                    new Problem(503, "Unavailable", "the monitor is stopping; try again", Map.of("Retry-After", "5")));
        } catch (Exception e) {
            if (Database.isTransient(e)) {
                log.warn("api {} {}: database busy: {}", request.getMethod(), seen.route, Database.describe(e));
                reply = problem(
                        new Problem(503, "Unavailable", "the database is busy; try again", Map.of("Retry-After", "2")));
            } else {
                log.error("api {} {} failed", request.getMethod(), seen.route, e);
                reply = problem(new Problem(500, "Internal error", "the monitor failed to answer; it is logged"));
            }
        }
        if (reply.status() == 413 || reply.status() == 415) {
            // answered before the body was read: Jetty closes the connection after the answer, and a client that is
            // not told so sends its next request into the closing socket (as on the reconnect page)
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        write(response, callback, reply);
        long ms = Duration.ofNanos(System.nanoTime() - started).toMillis();
        log.info("api {} {} {} -> {} in {} ms", seen.token, request.getMethod(), seen.route, reply.status(), ms);
        count(seen.route, reply.status(), Duration.ofNanos(System.nanoTime() - started));
        return true;
    }

    /** What the log line names: the token's name and the route template, once they are known. */
    private static final class Seen {
        String token = "-";
        String route = "unmatched";
    }

    private Reply dispatch(Request request, Seen seen) throws Exception {
        var segments = segments(request.getHttpURI().getPath());
        Route found = null;
        Map<String, String> params = null;
        boolean pathKnown = false;
        if (segments != null) {
            for (var r : routes) {
                var p = r.match(segments);
                if (p != null) {
                    pathKnown = true;
                    if (r.method().equals(request.getMethod())) {
                        found = r;
                        params = p;
                        break;
                    }
                }
            }
        }
        if (found != null && found.scope() == null) { // public: the OpenAPI document
            seen.route = found.template();
            return found.action().handle(new Call(params, query(request), new byte[0], null));
        }
        var token = authenticate(request);
        seen.token = token.name();
        if (segments == null) {
            throw Problem.badRequest("the path is not valid (bad percent-encoding)");
        }
        if (found == null) {
            if (pathKnown) {
                var allowed = routes.stream()
                        .filter(r -> r.match(segments) != null)
                        .map(Route::method)
                        .distinct()
                        .toList();
                seen.route = routes.stream()
                        .filter(r -> r.match(segments) != null)
                        .findFirst()
                        .orElseThrow()
                        .template();
                throw new Problem(
                        405,
                        "Method not allowed",
                        request.getMethod() + " is not allowed here (allowed: " + String.join(", ", allowed) + ")",
                        Map.of("Allow", String.join(", ", allowed)));
            }
            throw Problem.notFound("no such route: see GET /api/v1/openapi.json");
        }
        seen.route = found.template();
        if (!token.scopes().contains(found.scope().label())) {
            throw new Problem(
                    403,
                    "Forbidden",
                    "this token lacks the scope " + found.scope().label());
        }
        var query = query(request);
        byte[] body = found.takesBody() ? body(request) : new byte[0];
        return found.action().handle(new Call(params, query, body, token));
    }

    private ApiTokens.Token authenticate(Request request) {
        var header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        Optional<ApiTokens.Token> token = Optional.empty();
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = tokens.find(header.substring(7).trim());
        }
        if (token.isEmpty()) {
            throw new Problem(
                    401,
                    "Unauthorized",
                    "a valid bearer token is required",
                    Map.of("WWW-Authenticate", "Bearer realm=\"app-password-monitor\""));
        }
        noteUse(token.get().name());
        return token.get();
    }

    private void noteUse(String name) {
        var now = clock.instant();
        var before = lastUseWritten.get(name);
        if (before != null && before.plus(USE_WRITE_EVERY).isAfter(now)) {
            return;
        }
        lastUseWritten.put(name, now);
        try {
            tokenStore.recordUse(name, now);
        } catch (RuntimeException e) {
            log.debug("api token {}: last use not written: {}", name, e.toString());
        }
    }

    /** The body, at most {@link #MAX_BODY}: refused by its declared length before reading, else once past the limit. */
    private static byte[] body(Request request) throws IOException {
        var type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || !isJson(type)) {
            throw new Problem(
                    415,
                    "Unsupported media type",
                    "Content-Type must be application/json (UTF-8)" + (type == null ? "; none was given" : ""));
        }
        if (request.getLength() > MAX_BODY) {
            throw tooLarge();
        }
        var out = new ByteArrayOutputStream();
        try (var in = Content.Source.asInputStream(request)) {
            var buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) != -1; ) {
                out.write(buffer, 0, n);
                if (out.size() > MAX_BODY) {
                    throw tooLarge();
                }
            }
        } catch (IOException e) {
            throw Problem.badRequest("the body could not be read to its end (the client stopped sending?)");
        }
        return out.toByteArray();
    }

    private static Problem tooLarge() {
        return new Problem(413, "Body too large", "the body is larger than " + (MAX_BODY / 1024) + " KB");
    }

    private static boolean isJson(String contentType) {
        var parts = contentType.toLowerCase(Locale.ROOT).split(";");
        if (!parts[0].trim().equals(JSON)) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            var p = parts[i].trim().replace(" ", "");
            if (p.startsWith("charset=") && !p.equals("charset=utf-8") && !p.equals("charset=\"utf-8\"")) {
                return false;
            }
        }
        return true;
    }

    /** Decoded path segments, or null for a path that is not valid percent-encoded UTF-8. */
    static List<String> segments(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            return null;
        }
        var out = new ArrayList<String>();
        for (var raw : rawPath.substring(1).split("/", -1)) {
            var decoded = decode(raw);
            if (decoded == null) {
                return null;
            }
            out.add(decoded);
        }
        return out;
    }

    private static Map<String, String> query(Request request) {
        var raw = request.getHttpURI().getQuery();
        var out = new LinkedHashMap<String, String>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (var pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            var name = decode((eq < 0 ? pair : pair.substring(0, eq)).replace('+', ' '));
            var value = decode((eq < 0 ? "" : pair.substring(eq + 1)).replace('+', ' '));
            if (name == null || value == null) {
                throw Problem.badRequest("the query string is not valid (bad percent-encoding)");
            }
            if (out.put(name, value) != null) {
                throw Problem.badRequest("query parameter " + printable(name) + ": given more than once");
            }
        }
        return out;
    }

    /** Strict percent-decoding to UTF-8; null when malformed. */
    private static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        var bytes = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c < 0x80) {
                bytes.write(c);
            } else {
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }

    static Reply problem(Problem p) {
        var body = new LinkedHashMap<String, Object>();
        body.put("type", p.type());
        body.put("title", p.title());
        body.put("status", p.status());
        body.put("detail", p.detail());
        var headers = new LinkedHashMap<>(p.headers());
        headers.put("Content-Type", PROBLEM_JSON);
        return new Reply(p.status(), body, headers);
    }

    private static void write(Response response, Callback callback, Reply reply) {
        response.setStatus(reply.status());
        var headers = response.getHeaders();
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        headers.put("X-Content-Type-Options", "nosniff");
        if (reply.body() == null) {
            reply.headers().forEach(headers::put);
            callback.succeeded();
            return;
        }
        headers.put(HttpHeader.CONTENT_TYPE, JSON);
        reply.headers().forEach(headers::put);
        var bytes = ApiJson.write(reply.body());
        headers.put(HttpHeader.CONTENT_LENGTH, Long.toString(bytes.length));
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private void count(String route, int status, Duration took) {
        com.dts.apm.metrics.Metrics.recordApiRequest(registry, route, status, took);
    }

    static String printable(String s) {
        return printable(s, 80);
    }

    static String printable(String s, int max) {
        var t = s == null ? "" : s.replaceAll("\\p{Cntrl}", "?");
        return t.length() > max ? t.substring(0, max - 3) + "..." : t;
    }
}
