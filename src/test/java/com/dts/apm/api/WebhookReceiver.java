package com.dts.apm.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

/** A dealer system's webhook endpoint on loopback: records every request, answers as the test scripts it. */
final class WebhookReceiver implements AutoCloseable {
    /** What the receiver does with the n-th request (0-based). */
    enum Answer {
        OK,
        ERROR_500,
        REDIRECT_301,
        HANG,
        CLOSE_MID_RESPONSE
    }

    record Received(Map<String, List<String>> headers, String body, Answer answer) {
        String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .findFirst()
                    .map(e -> e.getValue().get(0))
                    .orElse(null);
        }
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private volatile IntFunction<Answer> script;

    WebhookReceiver(IntFunction<Answer> script) throws IOException {
        this.script = script;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            var t = new Thread(r, "test-receiver");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    void script(IntFunction<Answer> script) {
        this.script = script;
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/apm";
    }

    List<Received> delivered() {
        return received.stream().filter(r -> r.answer() == Answer.OK).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        var body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Answer answer;
        synchronized (this) {
            answer = script.apply(received.size());
            received.add(new Received(Map.copyOf(ex.getRequestHeaders()), body, answer));
        }
        switch (answer) {
            case OK -> reply(ex, 200, "ok");
            case ERROR_500 -> reply(ex, 500, "oops");
            case REDIRECT_301 -> {
                ex.getResponseHeaders().set("Location", url() + "/moved");
                reply(ex, 301, "moved");
            }
            case HANG -> {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ex.close();
            }
            case CLOSE_MID_RESPONSE -> {
                ex.sendResponseHeaders(200, 1000);
                ex.getResponseBody().write("partial".getBytes(StandardCharsets.UTF_8));
                ex.getResponseBody().flush();
                ex.getHttpContext().getServer(); // then drop the connection without the rest
                ex.close();
            }
        }
    }

    private static void reply(HttpExchange ex, int status, String text) throws IOException {
        var bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
