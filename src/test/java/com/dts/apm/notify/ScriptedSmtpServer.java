package com.dts.apm.notify;

import com.dts.apm.testing.LoopbackServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny SMTP server on a loopback port that says what GreenMail can't: a fixed reply to RCPT TO, or
 * nothing at all (a hang). Serves connections one after another until closed.
 */
final class ScriptedSmtpServer implements AutoCloseable {
    private final LoopbackServer server;
    private final String rcptReply;
    private final boolean silent;
    final List<String> commands = new CopyOnWriteArrayList<>();

    private ScriptedSmtpServer(String rcptReply, boolean silent) throws IOException {
        this.rcptReply = rcptReply;
        this.silent = silent;
        this.server = LoopbackServer.oneAtATime("scripted-smtp", s -> {
            if (silent) {
                s.getInputStream().read(); // until the client gives up
                return;
            }
            talk(s);
        });
    }

    /** Answers RCPT TO with {@code reply}, e.g. {@code 550 5.1.1 <x@y>: user unknown}. */
    static ScriptedSmtpServer rejectingRecipients(String reply) throws IOException {
        return new ScriptedSmtpServer(reply, false);
    }

    /** Accepts connections and never says a word. */
    static ScriptedSmtpServer silent() throws IOException {
        return new ScriptedSmtpServer(null, true);
    }

    int port() {
        return server.port();
    }

    private void talk(Socket s) throws IOException {
        var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
        reply(out, "220 scripted.test ESMTP ready");
        String line;
        while ((line = in.readLine()) != null) {
            commands.add(line);
            var verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase(Locale.ROOT) : line;
            switch (verb) {
                case "EHLO" -> reply(out, "250-scripted.test\r\n250 8BITMIME");
                case "HELO", "MAIL", "RSET", "NOOP" -> reply(out, "250 2.0.0 OK");
                case "RCPT" -> reply(out, rcptReply);
                case "DATA" -> reply(out, "554 5.5.1 no valid recipients");
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
