package com.dts.apm.probe;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * GreenMail 2.1 speaks no STARTTLS, so this front does the plaintext part of an SMTP session (greeting,
 * EHLO offering STARTTLS, STARTTLS), upgrades to TLS with the test certificate, then relays the encrypted
 * session byte for byte to GreenMail's plain SMTP port. The client's second EHLO, AUTH and QUIT are
 * answered by GreenMail itself, so the login is checked against GreenMail's real user store.
 */
final class StartTlsFront implements AutoCloseable {
    private final ServerSocket listener;
    private final SSLContext context;
    private final int backendPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    StartTlsFront(SSLContext context, int backendPort) throws IOException {
        this.context = context;
        this.backendPort = backendPort;
        this.listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        var t = new Thread(this::acceptLoop, "starttls-front");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                var s = listener.accept();
                sockets.add(s);
                var t = new Thread(() -> serve(s), "starttls-front-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try {
            var in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.ISO_8859_1));
            var out = client.getOutputStream();
            send(out, "220 front ESMTP ready");
            String line;
            while ((line = in.readLine()) != null) {
                var upper = line.toUpperCase(Locale.ROOT);
                if (upper.startsWith("EHLO")) {
                    send(out, "250-front\r\n250-STARTTLS\r\n250 8BITMIME");
                } else if (upper.startsWith("STARTTLS")) {
                    send(out, "220 2.0.0 Ready to start TLS");
                    relay(upgrade(client));
                    return;
                } else if (upper.startsWith("QUIT")) {
                    send(out, "221 bye");
                    return;
                } else {
                    send(out, "530 5.7.0 Must issue a STARTTLS command first");
                }
            }
        } catch (IOException e) {
            // client gone
        } finally {
            closeQuietly(client);
        }
    }

    private void relay(SSLSocket tls) throws IOException {
        sockets.add(tls);
        var backend = new Socket(InetAddress.getLoopbackAddress(), backendPort);
        sockets.add(backend);
        var fromBackend = backend.getInputStream();
        // swallow GreenMail's greeting: after STARTTLS the client expects no second 220
        int c;
        while ((c = fromBackend.read()) != -1 && c != '\n') {
            // skip
        }
        var up = new Thread(() -> pipe(tls, backend), "starttls-front-up");
        up.setDaemon(true);
        up.start();
        pipe(backend, tls);
    }

    private static void pipe(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            var buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) != -1) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private SSLSocket upgrade(Socket plain) throws IOException {
        var ssl = (SSLSocket) context.getSocketFactory()
                .createSocket(plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
        ssl.setUseClientMode(false);
        ssl.startHandshake();
        return ssl;
    }

    private static void send(OutputStream out, String lines) throws IOException {
        out.write((lines + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(StartTlsFront::closeQuietly);
    }
}
