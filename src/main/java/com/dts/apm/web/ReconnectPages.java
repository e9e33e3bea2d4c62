package com.dts.apm.web;

import com.dts.apm.api.Api;
import com.dts.apm.api.RateLimiter;
import com.dts.apm.config.Config;
import com.dts.apm.metrics.Metrics;
import com.dts.apm.notify.AlertComposer;
import com.dts.apm.provider.ProviderCatalog;
import com.dts.apm.store.Database;
import com.dts.apm.store.IntegrationStore;
import com.dts.apm.store.ReconnectLinks;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the reconnect page on the API listener: {@code /reconnect/{token}} (GET the form, POST it) and
 * its stylesheet and script under {@code /assets/}. Every answer carries the security headers; logs and metrics
 * name the route template, never the token; each client address and each link is rate-limited. Paths it does not
 * own are left to the API.
 */
public final class ReconnectPages extends Handler.Abstract {
    private static final Logger log = LoggerFactory.getLogger(ReconnectPages.class);
    static final String ROUTE = "/reconnect/{token}";
    static final int MAX_FORM = 8 * 1024;
    /** Statuses a POST may get before its form is read whole: limited, not allowed, too large, unreadable. */
    private static final java.util.Set<Integer> UNREAD = java.util.Set.of(400, 405, 413, 429);
    /** Page views and posts per client address; a post is a real login, so posts have their own, lower limit. */
    static final int VIEWS_PER_ADDRESS = 60;

    static final int POSTS_PER_ADDRESS = 20;
    static final Duration ADDRESS_WINDOW = Duration.ofMinutes(10);
    static final String CSP =
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self';"
                    + " base-uri 'none'; frame-ancestors 'none'";
    private static final Pattern ASSET = Pattern.compile("/assets/(reconnect\\.css|reconnect\\.js)");

    private final ReconnectFlow flow;
    private final AlertComposer composer;
    private final MeterRegistry registry;
    private final boolean httpsPublic;
    private final RateLimiter views;
    private final RateLimiter posts;

    public ReconnectPages(
            ReconnectLinks links,
            IntegrationStore integrations,
            ProviderCatalog catalog,
            AlertComposer composer,
            Api.Checks checks,
            Config config,
            MeterRegistry registry,
            Clock clock) {
        this.flow = new ReconnectFlow(links, integrations, catalog, composer, checks, config, clock);
        this.composer = composer;
        this.registry = registry;
        var url = config.api().publicUrl();
        this.httpsPublic = url != null && url.toLowerCase(Locale.ROOT).startsWith("https://");
        this.views = new RateLimiter(VIEWS_PER_ADDRESS, ADDRESS_WINDOW, clock);
        this.posts = new RateLimiter(POSTS_PER_ADDRESS, ADDRESS_WINDOW, clock);
        for (var t : new String[] {
            "reconnect.html.mustache", "reconnect-saved.html.mustache", "reconnect-message.html.mustache"
        }) {
            composer.renderPage(t, new HashMap<>()); // a broken override fails the start, not the first dealer
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        var path = request.getHttpURI().getPath();
        if (path == null) {
            return false;
        }
        var asset = ASSET.matcher(path);
        if (asset.matches()) {
            asset(request, response, callback, asset.group(1));
            return true;
        }
        if (!path.startsWith("/reconnect/")) {
            return false;
        }
        long started = System.nanoTime();
        var token = path.substring("/reconnect/".length());
        var method = request.getMethod();
        ReconnectFlow.Page page;
        try {
            page = answer(request, method, token);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            page = flow.unreadable(503);
        } catch (Exception e) {
            if (Database.isTransient(e)) {
                log.warn("page {} {}: database busy: {}", method, ROUTE, Database.describe(e));
            } else {
                log.error(
                        "page {} {} failed: {}",
                        method,
                        ROUTE,
                        e.getClass().getName()); // no message: it may quote input
            }
            page = flow.unreadable(503);
        }
        write(request, response, callback, page);
        var took = Duration.ofNanos(System.nanoTime() - started);
        log.info("page {} {} -> {} in {} ms", method, ROUTE, page.status(), took.toMillis());
        Metrics.recordApiRequest(registry, ROUTE, page.status(), took);
        return true;
    }

    private ReconnectFlow.Page answer(Request request, String method, String token) throws Exception {
        var address = Request.getRemoteAddr(request);
        boolean post = method.equals("POST");
        if (!post && !method.equals("GET")) {
            var p = flow.unreadable(405);
            return new ReconnectFlow.Page(405, p.template(), p.view(), Map.of("Allow", "GET, POST"));
        }
        var wait = (post ? posts : views).take(address);
        if (wait.isPresent()) {
            return flow.tooMany(wait.getAsLong());
        }
        if (!post) {
            return flow.show(token);
        }
        var form = form(request);
        if (form == null) {
            return flow.unreadable(request.getLength() > MAX_FORM ? 413 : 400);
        }
        return flow.submit(token, form.get("csrf"), form.get("password"));
    }

    /** The url-encoded form, at most {@link #MAX_FORM} bytes; null when it is not one or too large. */
    private static Map<String, String> form(Request request) {
        var type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null
                || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")
                || request.getLength() > MAX_FORM) {
            return null;
        }
        var out = new ByteArrayOutputStream();
        try (InputStream in = Content.Source.asInputStream(request)) {
            var buffer = new byte[4096];
            for (int n; (n = in.read(buffer)) != -1; ) {
                out.write(buffer, 0, n);
                if (out.size() > MAX_FORM) {
                    return null;
                }
            }
        } catch (IOException e) {
            return null;
        }
        var fields = new HashMap<String, String>();
        for (var pair : out.toString(StandardCharsets.ISO_8859_1).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            try {
                var name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                var value = URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (fields.put(name, value) != null) {
                    return null; // a field twice: no guessing which one counts
                }
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return fields;
    }

    private void write(Request request, Response response, Callback callback, ReconnectFlow.Page page) {
        var html = composer.renderPage(page.template(), page.view());
        var bytes = html.getBytes(StandardCharsets.UTF_8);
        response.setStatus(page.status());
        headers(request, response);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
        page.headers().forEach(response.getHeaders()::put);
        if (request.getMethod().equals("POST") && UNREAD.contains(page.status())) {
            // answered before the form was read (or read whole): Jetty closes the connection after the answer, and a
            // client that is not told so sends its next request into the closing socket
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Long.toString(bytes.length));
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    private void headers(Request request, Response response) {
        var h = response.getHeaders();
        h.put("Content-Security-Policy", CSP);
        h.put("Referrer-Policy", "no-referrer");
        h.put(HttpHeader.CACHE_CONTROL, "no-store");
        h.put("X-Content-Type-Options", "nosniff");
        h.put("X-Frame-Options", "DENY");
        if (request.isSecure() || httpsPublic) {
            h.put("Strict-Transport-Security", "max-age=31536000");
        }
    }

    private void asset(Request request, Response response, Callback callback, String name) {
        byte[] bytes;
        try (var in = ReconnectPages.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                throw new IllegalStateException("web/" + name + " is missing from the jar");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        boolean get = request.getMethod().equals("GET");
        response.setStatus(get ? 200 : 405);
        headers(request, response);
        response.getHeaders()
                .put(
                        HttpHeader.CONTENT_TYPE,
                        name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
        if (!get) {
            response.getHeaders().put("Allow", "GET");
            callback.succeeded();
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Long.toString(bytes.length));
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
