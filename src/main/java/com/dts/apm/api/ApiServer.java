package com.dts.apm.api;

import com.dts.apm.ApmException;
import com.dts.apm.config.Config;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's own listener ({@code api.bind}:{@code api.port}, HTTPS when {@code api.tls} names PEM files), on Jetty's
 * core handlers with a small pool of its own, so API traffic never takes a thread from the checks or the metrics
 * endpoint. Requests Jetty refuses itself (a malformed request line, an ambiguous path) also get a problem+json.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    static final int MAX_THREADS = 16;
    /** A client that stops sending (or reading) for this long is cut off: nothing hangs a worker. */
    static final long IDLE_TIMEOUT_MS = 10_000;

    private final Server server;
    private final ServerConnector connector;
    private final boolean tls;

    private ApiServer(Server server, ServerConnector connector, boolean tls) {
        this.server = server;
        this.connector = connector;
        this.tls = tls;
    }

    /** Binds and starts serving {@code api}; routes come from {@link Api}. */
    public static ApiServer start(Config.Api config, Api api) {
        return start(config, api, null);
    }

    /**
     * As above, with {@code pages} (the hosted reconnect page) asked first: it answers the paths it owns and declines
     * the rest, which go to the API.
     */
    public static ApiServer start(Config.Api config, Api api, Handler pages) {
        var pool = new QueuedThreadPool(MAX_THREADS, 2);
        pool.setName("apm-api");
        pool.setDaemon(true);
        var server = new Server(pool);
        var http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(true);
        http.setRequestHeaderSize(8 * 1024);
        ServerConnector connector;
        boolean tls = config.tls().enabled();
        if (tls) {
            var password = new char[24];
            var random = new SecureRandom();
            for (int i = 0; i < password.length; i++) {
                password[i] = (char) ('a' + random.nextInt(26));
            }
            var ssl = new SslContextFactory.Server();
            ssl.setKeyStore(Pem.keyStore(config.tls().certFile(), config.tls().keyFile(), password));
            ssl.setKeyStorePassword(new String(password));
            ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
            http.addCustomizer(new SecureRequestCustomizer(false));
            connector = new ServerConnector(
                    server, 1, 1, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
        } else {
            connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        }
        connector.setHost(config.bind());
        connector.setPort(config.port());
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        server.addConnector(connector);
        server.setHandler(pages == null ? api.handler() : new Handler.Sequence(pages, api.handler()));
        server.setErrorHandler(new ProblemErrorHandler());
        server.setStopTimeout(2_000);
        try {
            server.start();
        } catch (Exception e) {
            try {
                server.stop();
            } catch (Exception ignored) {
                // nothing more to release
            }
            throw new ApmException(
                    "cannot listen for the API on " + config.bind() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        var scheme = tls ? "https" : "http";
        var api_ = new ApiServer(server, connector, tls);
        log.info("api listening on {}://{}:{}/api/v1", scheme, config.bind(), api_.port());
        if (!tls && !isLoopback(config.bind())) {
            log.warn(
                    "api.bind {} is not loopback and api.tls is not set: tokens and passwords cross the network in plain"
                            + " text unless a TLS proxy sits in front",
                    config.bind());
        }
        return api_;
    }

    private static boolean isLoopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The port actually bound (the configuration may say 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public boolean tls() {
        return tls;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            log.warn("api listener did not stop cleanly: {}", e.toString());
        }
    }

    /** Jetty's own refusals (bad request line, ambiguous path such as %2e%2e, headers too large) as problem+json. */
    private static final class ProblemErrorHandler extends ErrorHandler {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            int status = response.getStatus() <= 0 ? 500 : response.getStatus();
            var attr = request.getAttribute(ERROR_STATUS);
            if (attr instanceof Integer code) {
                status = code;
            }
            var message = request.getAttribute(ERROR_MESSAGE);
            var detail = status == 400
                    ? "the request is malformed"
                            + (message == null ? "" : ": " + ApiHandler.printable(String.valueOf(message)))
                    : message == null ? "the request was refused" : ApiHandler.printable(String.valueOf(message));
            var problem = ApiHandler.problem(new Problem(status, status == 400 ? "Bad request" : "Error", detail));
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, ApiHandler.PROBLEM_JSON);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(ApiJson.write(problem.body())), callback);
            return true;
        }

        @Override
        @SuppressWarnings("removal") // Jetty 12.1 still answers a request it cannot parse through this; gone in 13
        public ByteBuffer badMessageError(int status, String reason, org.eclipse.jetty.http.HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, ApiHandler.PROBLEM_JSON);
            var body = ApiHandler.problem(new Problem(
                            status,
                            status == 400 ? "Bad request" : "Error",
                            "the request is malformed" + (reason == null ? "" : ": " + ApiHandler.printable(reason))))
                    .body();
            return ByteBuffer.wrap(ApiJson.write(body));
        }
    }
}
