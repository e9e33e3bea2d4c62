package com.dts.apm.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain IMAP server on loopback that accepts any login after a delay and counts how many connections
 * it holds at once: the witness for the per-provider concurrency cap and for graceful shutdown.
 */
final class SlowImapServer implements AutoCloseable {
    private final ServerSocket socket;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final long delayMillis;
    final AtomicInteger current = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();
    final AtomicInteger logins = new AtomicInteger();

    SlowImapServer(long delayMillis) throws IOException {
        this.delayMillis = delayMillis;
        this.socket = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        pool.execute(this::accept);
    }

    int port() {
        return socket.getLocalPort();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                var s = socket.accept();
                pool.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        peak.accumulateAndGet(current.incrementAndGet(), Math::max);
        try (s) {
            var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            send(out, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] slow test server ready");
            String line;
            while ((line = in.readLine()) != null) {
                var parts = line.split(" ", 3);
                var tag = parts[0];
                var cmd = parts.length > 1 ? parts[1].toUpperCase() : "";
                switch (cmd) {
                    case "CAPABILITY" -> {
                        send(out, "* CAPABILITY IMAP4rev1 AUTH=PLAIN");
                        send(out, tag + " OK CAPABILITY completed");
                    }
                    case "LOGIN", "AUTHENTICATE" -> {
                        if (cmd.equals("AUTHENTICATE")) {
                            send(out, "+ ");
                            in.readLine();
                        }
                        Thread.sleep(delayMillis);
                        logins.incrementAndGet();
                        send(out, tag + " OK [CAPABILITY IMAP4rev1] logged in");
                    }
                    case "LOGOUT" -> {
                        send(out, "* BYE bye");
                        send(out, tag + " OK LOGOUT completed");
                        return;
                    }
                    default -> send(out, tag + " OK " + cmd + " completed");
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away
        } finally {
            current.decrementAndGet();
        }
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        pool.shutdownNow();
    }
}
