package com.dts.apm.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The accept loop every scripted test server shares: a loopback port chosen by the system, each connection handed to
 * a {@link Handler} (one after another, or each on its own thread) and closed after it. {@link #close()} closes the
 * port and every connection and interrupts the handlers, so a handler that hangs on purpose does not outlive its test.
 */
public final class LoopbackServer implements AutoCloseable {
    /** What the server does with one connection; an {@link IOException} means the client went away. */
    public interface Handler {
        void serve(Socket client) throws IOException, InterruptedException;
    }

    private final ServerSocket listener;
    private final Handler handler;
    private final boolean threadPerClient;
    private final String name;
    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    private LoopbackServer(String name, int backlog, boolean threadPerClient, Handler handler) throws IOException {
        this.listener = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
        this.handler = handler;
        this.threadPerClient = threadPerClient;
        this.name = name;
        start(name, this::acceptLoop);
    }

    /** Serves one connection at a time, the next once the last one ended (a backlog of 5 waits meanwhile). */
    public static LoopbackServer oneAtATime(String name, Handler handler) throws IOException {
        return new LoopbackServer(name, 5, false, handler);
    }

    /** Serves every connection at once, each on its own daemon thread. */
    public static LoopbackServer threadPerClient(String name, int backlog, Handler handler) throws IOException {
        return new LoopbackServer(name, backlog, true, handler);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException closed) {
                return;
            }
            connections.incrementAndGet();
            clients.add(client);
            if (threadPerClient) {
                start(name + "-conn", () -> serve(client));
            } else {
                serve(client);
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            handler.serve(client);
        } catch (IOException e) {
            // the client went away, or the server closed: what several tests want
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            clients.remove(client);
        }
    }

    private void start(String threadName, Runnable body) {
        var t = new Thread(body, threadName);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (var c : clients) {
            c.close();
        }
        threads.forEach(Thread::interrupt);
    }
}
