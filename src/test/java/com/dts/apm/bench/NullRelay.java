package com.dts.apm.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Executors;

/**
 * The relay behind the TLS benchmark's Dovecot submission service (a process of its own, on loopback): Dovecot
 * connects to its relay as soon as a client has logged in, so one must answer. It greets, answers EHLO and QUIT,
 * accepts nothing else and stores nothing. Argument: the port.
 */
public final class NullRelay {
    private NullRelay() {}

    public static void main(String[] args) throws IOException {
        var pool = Executors.newFixedThreadPool(256);
        try (var server = new ServerSocket(Integer.parseInt(args[0]), 512, InetAddress.getLoopbackAddress())) {
            while (true) {
                var s = server.accept();
                pool.execute(() -> serve(s));
            }
        }
    }

    private static void serve(Socket s) {
        try (s) {
            s.setSoTimeout(60_000);
            var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            send(out, "220 relay.bench.test ESMTP");
            for (int i = 0; i < 100; i++) {
                var line = in.readLine();
                if (line == null) {
                    return;
                }
                var verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                switch (verb) {
                    case "EHLO", "HELO" -> send(out, "250-relay.bench.test\r\n250 PIPELINING");
                    case "QUIT" -> {
                        send(out, "221 bye");
                        return;
                    }
                    default -> send(out, "502 not here");
                }
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static void send(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
