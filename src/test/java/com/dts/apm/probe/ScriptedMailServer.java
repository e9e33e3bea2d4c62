package com.dts.apm.probe;

import com.dts.apm.testing.LoopbackServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A tiny IMAP or SMTP server that answers a login with a scripted reply: the exact texts providers
 * send, hangs, hang-ups. Records every line it receives, and whether it came encrypted.
 */
final class ScriptedMailServer implements AutoCloseable {
    enum Kind {
        IMAP,
        SMTP
    }

    enum Tls {
        NONE,
        IMPLICIT,
        STARTTLS
    }

    /** One line the client sent; {@code encrypted} when it came over TLS. */
    record Line(String text, boolean encrypted) {}

    private final Kind kind;
    private final Tls tls;
    private final SSLContext context;
    private final boolean offerStartTls;
    private final boolean silent;
    private final boolean hangOnLogin;
    private final boolean offerAuth;
    private final List<String> loginReply;
    private final List<String> afterLoginReply;
    private final List<String> listReply;
    private final LoopbackServer server;
    private final List<Line> received = new CopyOnWriteArrayList<>();
    private final List<Socket> upgraded = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);

    private ScriptedMailServer(Builder b) throws IOException {
        this.kind = b.kind;
        this.tls = b.tls;
        this.context = b.context;
        this.offerStartTls = b.offerStartTls;
        this.silent = b.silent;
        this.hangOnLogin = b.hangOnLogin;
        this.offerAuth = b.offerAuth;
        this.loginReply = List.copyOf(b.loginReply);
        this.afterLoginReply = List.copyOf(b.afterLoginReply);
        this.listReply = List.copyOf(b.listReply);
        this.server =
                LoopbackServer.threadPerClient("scripted-" + kind.name().toLowerCase(Locale.ROOT), 10, this::serve);
    }

    static Builder imap() {
        return new Builder(Kind.IMAP);
    }

    static Builder smtp() {
        return new Builder(Kind.SMTP);
    }

    int port() {
        return server.port();
    }

    List<Line> received() {
        return List.copyOf(received);
    }

    int connections() {
        return server.connections();
    }

    /** True when the (first) client connection ended within {@code timeout}. */
    boolean awaitClientGone(Duration timeout) throws InterruptedException {
        return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (var c : upgraded) {
            c.close();
        }
    }

    private void serve(Socket raw) {
        try (var s = raw) {
            var conn = new Conn(tls == Tls.IMPLICIT ? upgrade(s) : s, tls == Tls.IMPLICIT);
            if (silent) {
                conn.drain();
                return;
            }
            if (kind == Kind.IMAP) {
                imap(conn);
            } else {
                smtp(conn);
            }
        } catch (IOException e) {
            // the client went away: that is what several tests want
        } finally {
            closed.countDown();
        }
    }

    private void imap(Conn c) throws IOException {
        c.send("* OK IMAP4rev1 scripted server ready");
        String line;
        while ((line = c.read()) != null) {
            var parts = line.split(" ", 3);
            var tag = parts[0];
            var command = parts.length > 1 ? parts[1].toUpperCase(Locale.ROOT) : "";
            switch (command) {
                case "CAPABILITY" -> {
                    c.send("* CAPABILITY IMAP4rev1" + (offerAuth ? "" : " LOGINDISABLED")
                            + (tls == Tls.STARTTLS && offerStartTls && !c.encrypted ? " STARTTLS" : ""));
                    c.send(tag + " OK CAPABILITY completed");
                }
                case "STARTTLS" -> {
                    c.send(tag + " OK Begin TLS negotiation now");
                    c = new Conn(upgrade(c.socket), true);
                }
                case "LOGIN", "AUTHENTICATE" -> {
                    if (hangOnLogin) {
                        c.drain();
                        return;
                    }
                    if (loginReply.isEmpty()) {
                        c.send(tag + " OK LOGIN completed");
                    } else if (sendScript(c, loginReply, tag)) {
                        return;
                    }
                }
                case "NOOP" -> {
                    if (afterLoginReply.isEmpty()) {
                        c.send(tag + " OK NOOP completed");
                    } else if (sendScript(c, afterLoginReply, tag)) {
                        return;
                    }
                }
                case "LIST" -> {
                    if (!afterLoginReply.isEmpty()) {
                        if (sendScript(c, afterLoginReply, tag)) {
                            return;
                        }
                    } else if (listReply.isEmpty()) {
                        c.send("* LIST (\\Noselect) \"/\" \"\"");
                        c.send(tag + " OK LIST completed");
                    } else if (sendScript(c, listReply, tag)) {
                        return;
                    }
                }
                case "LOGOUT" -> {
                    c.send("* BYE scripted server logging out");
                    c.send(tag + " OK LOGOUT completed");
                    return;
                }
                default -> c.send(tag + " BAD unknown command");
            }
        }
    }

    /** Sends the scripted lines; true when they included a BYE, after which the server hangs up. */
    private static boolean sendScript(Conn c, List<String> lines, String tag) throws IOException {
        boolean bye = false;
        for (var l : lines) {
            c.send(l.replace("{tag}", tag));
            bye |= l.startsWith("* BYE");
        }
        return bye;
    }

    private void smtp(Conn c) throws IOException {
        c.send("220 scripted ESMTP ready");
        String line;
        while ((line = c.read()) != null) {
            var upper = line.toUpperCase(Locale.ROOT);
            if (upper.startsWith("EHLO")) {
                c.send("250-scripted greets you");
                if (offerAuth) {
                    c.send("250-AUTH PLAIN LOGIN");
                }
                if (tls == Tls.STARTTLS && offerStartTls && !c.encrypted) {
                    c.send("250-STARTTLS");
                }
                c.send("250 8BITMIME");
            } else if (upper.startsWith("HELO")) {
                c.send("250 scripted");
            } else if (upper.startsWith("STARTTLS")) {
                c.send("220 2.0.0 Ready to start TLS");
                c = new Conn(upgrade(c.socket), true);
            } else if (upper.startsWith("AUTH")) {
                if (hangOnLogin) {
                    c.drain();
                    return;
                }
                if (upper.startsWith("AUTH LOGIN")) {
                    c.send("334 VXNlcm5hbWU6");
                    c.read();
                    c.send("334 UGFzc3dvcmQ6");
                    c.read();
                } else if (upper.trim().equals("AUTH PLAIN")) {
                    c.send("334 ");
                    c.read();
                }
                if (loginReply.isEmpty()) {
                    c.send("235 2.7.0 Authentication successful");
                } else {
                    for (var l : loginReply) {
                        c.send(l);
                    }
                }
            } else if (upper.startsWith("QUIT")) {
                c.send("221 2.0.0 Bye");
                return;
            } else if (upper.startsWith("NOOP") || upper.startsWith("RSET")) {
                c.send("250 OK");
            } else {
                c.send("502 5.5.2 unknown command");
            }
        }
    }

    private Socket upgrade(Socket plain) throws IOException {
        var ssl = (SSLSocket) context.getSocketFactory()
                .createSocket(plain, plain.getInetAddress().getHostAddress(), plain.getPort(), true);
        ssl.setUseClientMode(false);
        ssl.startHandshake();
        upgraded.add(ssl);
        return ssl;
    }

    private final class Conn {
        final Socket socket;
        final boolean encrypted;
        final BufferedReader in;
        final OutputStream out;

        Conn(Socket socket, boolean encrypted) throws IOException {
            this.socket = socket;
            this.encrypted = encrypted;
            this.in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            this.out = socket.getOutputStream();
        }

        String read() throws IOException {
            var line = in.readLine();
            if (line != null) {
                received.add(new Line(line, encrypted));
            }
            return line;
        }

        void send(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Says nothing, reads until the client hangs up. */
        void drain() throws IOException {
            while (read() != null) {
                // keep listening
            }
        }
    }

    static final class Builder {
        private final Kind kind;
        private Tls tls = Tls.NONE;
        private SSLContext context;
        private boolean offerStartTls = true;
        private boolean silent;
        private boolean hangOnLogin;
        private boolean offerAuth = true;
        private final List<String> loginReply = new ArrayList<>();
        private final List<String> afterLoginReply = new ArrayList<>();
        private final List<String> listReply = new ArrayList<>();

        private Builder(Kind kind) {
            this.kind = kind;
        }

        Builder implicitTls(SSLContext context) {
            this.tls = Tls.IMPLICIT;
            this.context = context;
            return this;
        }

        Builder startTls(SSLContext context) {
            this.tls = Tls.STARTTLS;
            this.context = context;
            return this;
        }

        /** STARTTLS configured on the client, but the server never offers it. */
        Builder withoutStartTls() {
            this.tls = Tls.STARTTLS;
            this.offerStartTls = false;
            return this;
        }

        /** Accepts the connection and never says a word. */
        Builder silent() {
            this.silent = true;
            return this;
        }

        /** Greets, answers CAPABILITY/EHLO, then never answers the login. */
        Builder hangOnLogin() {
            this.hangOnLogin = true;
            return this;
        }

        /** SMTP: EHLO offers no AUTH; IMAP: CAPABILITY says LOGINDISABLED (no login in this state). */
        Builder withoutAuth() {
            this.offerAuth = false;
            return this;
        }

        /** Lines sent in answer to LOGIN / AUTH; {@code {tag}} becomes the IMAP command tag. */
        Builder onLogin(String... lines) {
            loginReply.addAll(List.of(lines));
            return this;
        }

        /** Lines sent in answer to the first command after a successful login (the probe's LIST, or a NOOP). */
        Builder afterLogin(String... lines) {
            afterLoginReply.addAll(List.of(lines));
            return this;
        }

        /** Lines sent in answer to the IMAP LIST after the login; {@code {tag}} becomes the command tag. */
        Builder onList(String... lines) {
            listReply.addAll(List.of(lines));
            return this;
        }

        ScriptedMailServer start() throws IOException {
            return new ScriptedMailServer(this);
        }
    }
}
