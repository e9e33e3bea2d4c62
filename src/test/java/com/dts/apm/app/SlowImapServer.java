package com.dts.apm.app;

import com.dts.apm.testing.LoopbackServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain IMAP server on loopback that accepts any login after a delay (or, {@link #held()}, once the test
 * releases it) and counts how many connections it holds at once: the witness for the per-provider concurrency
 * cap, for graceful shutdown and for a check that is in flight.
 */
final class SlowImapServer implements AutoCloseable {
    private final LoopbackServer server;
    private final long delayMillis;
    private final CountDownLatch release;
    final AtomicInteger current = new AtomicInteger();
    final AtomicInteger peak = new AtomicInteger();
    /** Logins asked for (the client is waiting for the answer), and logins answered. */
    final AtomicInteger asked = new AtomicInteger();

    final AtomicInteger logins = new AtomicInteger();

    SlowImapServer(long delayMillis) throws IOException {
        this(delayMillis, null);
    }

    /** A server that answers no login until {@link #release()}. */
    static SlowImapServer held() throws IOException {
        return new SlowImapServer(0, new CountDownLatch(1));
    }

    private SlowImapServer(long delayMillis, CountDownLatch release) throws IOException {
        this.delayMillis = delayMillis;
        this.release = release;
        this.server = LoopbackServer.threadPerClient("slow-imap", 100, this::serve);
    }

    int port() {
        return server.port();
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
                        asked.incrementAndGet();
                        if (release == null) {
                            Thread.sleep(delayMillis);
                        } else {
                            release.await();
                        }
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

    /** Lets a {@link #held()} server answer the logins it holds, and every later one at once. */
    void release() {
        release.countDown();
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
