package com.dts.apm.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback SMTP relay that refuses some recipients for good ({@code 550 5.1.1}) and takes every other
 * message; {@link #accepted} lists the recipients of the messages it took.
 */
public final class PickyRelay implements AutoCloseable {
    private final LoopbackServer server;
    private final Set<String> refused;
    public final List<String> accepted = new CopyOnWriteArrayList<>();

    public PickyRelay(Set<String> refused) throws IOException {
        this.refused = refused;
        this.server = LoopbackServer.oneAtATime("picky-relay", this::talk);
    }

    public int port() {
        return server.port();
    }

    private void talk(Socket s) throws IOException {
        var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
        reply(out, "220 picky.test ESMTP");
        String rcpt = null;
        String line;
        while ((line = in.readLine()) != null) {
            var verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line;
            switch (verb) {
                case "EHLO" -> reply(out, "250-picky.test\r\n250 8BITMIME");
                case "HELO", "MAIL", "RSET", "NOOP" -> reply(out, "250 2.0.0 OK");
                case "RCPT" -> {
                    var address = line.substring(line.indexOf('<') + 1, line.lastIndexOf('>'));
                    if (refused.contains(address.toLowerCase(Locale.ROOT))) {
                        reply(out, "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown");
                    } else {
                        rcpt = address;
                        reply(out, "250 2.1.5 OK");
                    }
                }
                case "DATA" -> {
                    reply(out, "354 go ahead");
                    while ((line = in.readLine()) != null && !line.equals(".")) {
                        // the message
                    }
                    accepted.add(rcpt);
                    reply(out, "250 2.0.0 queued");
                }
                case "QUIT" -> {
                    reply(out, "221 2.0.0 bye");
                    return;
                }
                default -> reply(out, "502 5.5.2 not implemented");
            }
        }
    }

    private static void reply(Writer out, String text) throws IOException {
        out.write(text + "\r\n");
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
