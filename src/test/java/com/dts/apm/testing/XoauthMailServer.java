package com.dts.apm.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An IMAP or SMTP server that speaks SASL XOAUTH2 as Gmail does: it accepts the access tokens it was given (for
 * any user) and answers any other with the base64 JSON error challenge, then (IMAP) {@code NO [AUTHENTICATIONFAILED]}
 * or (SMTP) {@code 535 5.7.8}. Plain LOGIN / AUTH PLAIN are refused. Implicit TLS when given a context.
 */
public final class XoauthMailServer implements AutoCloseable {
    /** Gmail's challenge for a refused token (developers.google.com/gmail/imap/xoauth2-protocol). */
    public static final String GMAIL_CHALLENGE =
            "{\"status\":\"400\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}";

    private final boolean imap;
    private final SSLContext tls;
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final List<String> bearers = new CopyOnWriteArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final LoopbackServer server;
    private volatile boolean offerXoauth2 = true;

    private XoauthMailServer(boolean imap, SSLContext tls) throws IOException {
        this.imap = imap;
        this.tls = tls;
        this.server = LoopbackServer.threadPerClient(imap ? "xoauth-imap" : "xoauth-smtp", 50, this::serve);
    }

    /** An IMAP server; {@code tls} null: plain (loopback only). */
    public static XoauthMailServer imap(SSLContext tls) throws IOException {
        return new XoauthMailServer(true, tls);
    }

    public static XoauthMailServer smtp(SSLContext tls) throws IOException {
        return new XoauthMailServer(false, tls);
    }

    /** From now on this access token logs in. */
    public XoauthMailServer accept(String accessToken) {
        accepted.add(accessToken);
        return this;
    }

    /**
     * From now on the server offers no XOAUTH2 (IMAP CAPABILITY {@code AUTH=PLAIN AUTH=LOGIN}, SMTP
     * {@code AUTH PLAIN LOGIN}), as a server or proxy that does not take OAuth; an AUTHENTICATE XOAUTH2 is refused.
     */
    public XoauthMailServer withoutXoauth2() {
        offerXoauth2 = false;
        return this;
    }

    /**
     * True when any line a client sent carries {@code secret}: as it is, or inside a base64 word (AUTH PLAIN, AUTH
     * LOGIN, an XOAUTH2 initial response).
     */
    public boolean received(String secret) {
        for (var line : lines) {
            if (line.contains(secret)) {
                return true;
            }
            for (var word : line.split("\\s+")) {
                try {
                    var decoded = new String(Base64.getDecoder().decode(word), StandardCharsets.UTF_8);
                    if (decoded.contains(secret)) {
                        return true;
                    }
                } catch (IllegalArgumentException e) {
                    // not base64
                }
            }
        }
        return false;
    }

    public int port() {
        return server.port();
    }

    /** Every bearer token a client presented, in order. */
    public List<String> bearers() {
        return List.copyOf(bearers);
    }

    /** Every line clients sent. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void serve(Socket raw) throws IOException {
        Socket s = raw;
        if (tls != null) {
            var t = (SSLSocket) tls.getSocketFactory().createSocket(raw, null, raw.getPort(), true);
            t.setUseClientMode(false);
            t.startHandshake();
            s = t;
        }
        try (var socket = s) {
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            var out = socket.getOutputStream();
            if (imap) {
                imap(in, out);
            } else {
                smtp(in, out);
            }
        }
    }

    private String read(BufferedReader in) throws IOException {
        var line = in.readLine();
        if (line != null) {
            lines.add(line);
        }
        return line;
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** True when the base64 initial response carries an accepted token. */
    private boolean valid(String initialResponse) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(initialResponse.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        for (var part : decoded.split("\u0001")) {
            if (part.startsWith("auth=Bearer ")) {
                var token = part.substring("auth=Bearer ".length());
                bearers.add(token);
                return accepted.contains(token);
            }
        }
        return false;
    }

    private static String challenge() {
        return Base64.getEncoder().encodeToString(GMAIL_CHALLENGE.getBytes(StandardCharsets.UTF_8));
    }

    private void imap(BufferedReader in, OutputStream out) throws IOException {
        send(out, "* OK Gimap ready for requests from 127.0.0.1");
        String line;
        while ((line = read(in)) != null) {
            var parts = line.split(" ");
            var tag = parts[0];
            var command = parts.length > 1 ? parts[1].toUpperCase(Locale.ROOT) : "";
            switch (command) {
                case "CAPABILITY" -> {
                    send(
                            out,
                            "* CAPABILITY IMAP4rev1 UNSELECT IDLE NAMESPACE QUOTA ID XLIST CHILDREN X-GM-EXT-1 SASL-IR "
                                    + (offerXoauth2 ? "AUTH=XOAUTH2 AUTH=PLAIN" : "AUTH=PLAIN AUTH=LOGIN"));
                    send(out, tag + " OK Thats all she wrote!");
                }
                case "AUTHENTICATE" -> {
                    String ir;
                    if (parts.length > 3) {
                        ir = parts[3];
                    } else {
                        send(out, "+ ");
                        ir = read(in);
                        if (ir == null) {
                            return;
                        }
                    }
                    var good = parts.length > 2 && parts[2].equalsIgnoreCase("XOAUTH2") && valid(ir);
                    if (good && offerXoauth2) {
                        send(out, tag + " OK sales@dealer.test authenticated (Success)");
                    } else {
                        send(out, "+ " + challenge());
                        if (read(in) == null) {
                            return;
                        }
                        send(out, tag + " NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)");
                    }
                }
                case "LOGIN" -> send(out, tag + " NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)");
                case "LIST" -> {
                    send(out, "* LIST (\\Noselect) \"/\" \"\"");
                    send(out, tag + " OK Success");
                }
                case "NOOP" -> send(out, tag + " OK Success");
                case "LOGOUT" -> {
                    send(out, "* BYE LOGOUT Requested");
                    send(out, tag + " OK 73 good day (Success)");
                    return;
                }
                default -> send(out, tag + " BAD Unknown command");
            }
        }
    }

    private void smtp(BufferedReader in, OutputStream out) throws IOException {
        send(out, "220 smtp.gmail.test ESMTP ready");
        String line;
        while ((line = read(in)) != null) {
            var upper = line.toUpperCase(Locale.ROOT);
            if (upper.startsWith("EHLO") || upper.startsWith("HELO")) {
                send(out, "250-smtp.gmail.test at your service");
                send(out, "250-SIZE 35882577");
                send(
                        out,
                        offerXoauth2
                                ? "250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH"
                                : "250-AUTH PLAIN LOGIN");
                send(out, "250 SMTPUTF8");
            } else if (offerXoauth2 && upper.startsWith("AUTH XOAUTH2")) {
                var parts = line.split(" ");
                var ir = parts.length > 2 ? parts[2] : "";
                if (valid(ir)) {
                    send(out, "235 2.7.0 Accepted");
                } else {
                    send(out, "334 " + challenge());
                    if (read(in) == null) {
                        return;
                    }
                    send(out, "535-5.7.8 Username and Password not accepted. For more information, go to");
                    send(out, "535 5.7.8  https://support.google.com/mail/?p=BadCredentials");
                }
            } else if (upper.startsWith("AUTH")) {
                send(out, "535-5.7.8 Username and Password not accepted.");
                send(out, "535 5.7.8  https://support.google.com/mail/?p=BadCredentials");
            } else if (upper.startsWith("QUIT")) {
                send(out, "221 2.0.0 closing connection");
                return;
            } else if (upper.startsWith("NOOP") || upper.startsWith("RSET")) {
                send(out, "250 2.0.0 OK");
            } else {
                send(out, "502 5.5.1 Unrecognized command.");
            }
        }
    }
}
