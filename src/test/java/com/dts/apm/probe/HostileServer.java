package com.dts.apm.probe;

import com.dts.apm.testing.LoopbackServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback server that runs one free-form script per connection: resets, floods, broken bytes. Where
 * {@link ScriptedMailServer} speaks the protocol politely, this one misbehaves on purpose.
 */
final class HostileServer implements AutoCloseable {
    /** What the server does with one client. */
    interface Script {
        void serve(Peer peer) throws IOException;
    }

    private final LoopbackServer server;
    private final CountDownLatch gone = new CountDownLatch(1);
    private final AtomicLong bytesSent = new AtomicLong();
    private final List<String> received = new CopyOnWriteArrayList<>();

    HostileServer(Script script) throws IOException {
        server = LoopbackServer.threadPerClient("hostile", 10, s -> {
            try (s) {
                script.serve(new Peer(s));
            } finally {
                gone.countDown();
            }
        });
    }

    int port() {
        return server.port();
    }

    long bytesSent() {
        return bytesSent.get();
    }

    List<String> received() {
        return List.copyOf(received);
    }

    /** True when the server's side of the (first) connection ended, i.e. the client closed it. */
    boolean awaitClientGone(Duration timeout) throws InterruptedException {
        return gone.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /** One client connection, with line reading and raw writes. */
    final class Peer {
        final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Peer(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            this.out = socket.getOutputStream();
        }

        String read() throws IOException {
            var line = in.readLine();
            if (line != null) {
                received.add(line);
            }
            return line;
        }

        /** Reads lines until one starts with {@code prefix} (case-insensitive); returns it, or null at the end. */
        String readUntil(String prefix) throws IOException {
            String line;
            while ((line = read()) != null) {
                if (line.regionMatches(true, 0, prefix, 0, prefix.length())) {
                    return line;
                }
            }
            return null;
        }

        void send(String line) throws IOException {
            write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }

        void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
            bytesSent.addAndGet(bytes.length);
        }

        /** Closes with a TCP RST instead of a FIN. */
        void reset() throws IOException {
            socket.setSoLinger(true, 0);
            socket.close();
        }
    }
}
