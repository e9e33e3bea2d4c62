package com.dts.apm.metrics;

import com.dts.apm.ApmException;
import com.dts.apm.BadInputException;
import com.dts.apm.config.Config;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code GET /metrics} (Prometheus text, or OpenMetrics when the Accept header asks for it) and
 * {@code GET /healthz} on the JDK's HTTP server, with its own two threads so that scrapes stay quick
 * while checks keep the mail pool busy. {@code HEAD} works on both; other paths get 404, other methods 405.
 */
public final class HttpEndpoint implements AutoCloseable {
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    static final String TEXT = "text/plain; charset=utf-8";
    static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private static final Logger log = LoggerFactory.getLogger(HttpEndpoint.class);
    private static final int THREADS = 2;
    private static final int MAX_REASON_LENGTH = 200;
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private final HttpServer server;
    private final ExecutorService executor;
    private final Metrics metrics;
    private final Health health;

    private HttpEndpoint(HttpServer server, ExecutorService executor, Metrics metrics, Health health) {
        this.server = server;
        this.executor = executor;
        this.metrics = metrics;
        this.health = health;
    }

    /**
     * Binds {@code http.bind():http.port()} (port 0 picks a free port, see {@link #port()}) and starts serving.
     *
     * @throws ApmException when the address cannot be bound
     */
    public static HttpEndpoint start(Config.Http http, Metrics metrics, Health health) {
        var address = new InetSocketAddress(http.bind(), http.port());
        if (address.isUnresolved()) {
            throw new BadInputException("http.bind: cannot resolve '" + http.bind() + "'");
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 0);
        } catch (IOException e) {
            throw new ApmException(
                    "cannot listen for metrics on " + http.bind() + ":" + http.port() + ": " + e.getMessage(), e);
        }
        var executor = Executors.newFixedThreadPool(THREADS, daemonThreads());
        var endpoint = new HttpEndpoint(server, executor, metrics, health);
        server.createContext("/", endpoint::handle);
        server.setExecutor(executor);
        server.start();
        log.info("metrics endpoint listening on http://{}:{}/metrics", http.bind(), endpoint.port());
        return endpoint;
    }

    /** The port actually bound, useful when the configuration asked for port 0. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The address actually bound. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                route(exchange);
            } catch (RuntimeException e) {
                log.error(
                        "metrics endpoint failed on {} {}",
                        exchange.getRequestMethod(),
                        exchange.getRequestURI().getPath(),
                        e);
                if (exchange.getResponseCode() == -1) {
                    respond(exchange, 500, TEXT, "internal error\n");
                }
            }
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        switch (exchange.getRequestURI().getPath()) {
            case "/metrics" -> {
                if (allowGetAndHead(exchange)) {
                    var contentType = wantsOpenMetrics(exchange) ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
                    respond(exchange, 200, contentType, metrics.scrape(contentType));
                }
            }
            case "/healthz" -> {
                if (allowGetAndHead(exchange)) {
                    var status = healthStatus();
                    respond(exchange, status.healthy() ? 200 : 503, TEXT, status.reason() + "\n");
                }
            }
            default -> respond(exchange, 404, TEXT, "not found\n");
        }
    }

    private static boolean allowGetAndHead(HttpExchange exchange) throws IOException {
        var method = exchange.getRequestMethod();
        if (method.equals("GET") || method.equals("HEAD")) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, 405, TEXT, "method not allowed\n");
        return false;
    }

    private static boolean wantsOpenMetrics(HttpExchange exchange) {
        return exchange.getRequestHeaders().getOrDefault("Accept", List.of()).stream()
                .anyMatch(accept -> accept.contains("application/openmetrics-text"));
    }

    private Health.Status healthStatus() {
        try {
            var status = health.check();
            var reason = SPACES.matcher(status.reason()).replaceAll(" ").strip();
            if (reason.length() > MAX_REASON_LENGTH) {
                reason = reason.substring(0, MAX_REASON_LENGTH);
            }
            return new Health.Status(
                    status.healthy(), reason.isEmpty() ? (status.healthy() ? "ok" : "unhealthy") : reason);
        } catch (RuntimeException e) {
            log.warn("health check failed: {}", e.toString());
            return Health.Status.failing("health check failed: " + e.getClass().getSimpleName());
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        var bytes = body.getBytes(StandardCharsets.UTF_8);
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", contentType);
        headers.set("Cache-Control", "no-store");
        if (exchange.getRequestMethod().equals("HEAD")) {
            headers.set("Content-Length", Integer.toString(bytes.length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static ThreadFactory daemonThreads() {
        var counter = new AtomicInteger();
        return runnable -> {
            var thread = new Thread(runnable, "apm-http-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
