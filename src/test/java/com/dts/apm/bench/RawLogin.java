package com.dts.apm.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS benchmark's floor (a process of its own): N logins as bare as a Java client can make them, on the TLS
 * provider the daemon uses. IMAPS: TLS, greeting, LOGIN, LOGOUT. Submission: EHLO, STARTTLS, EHLO, AUTH PLAIN, QUIT;
 * with implicit TLS ({@code smtps}): TLS, EHLO, AUTH PLAIN, QUIT.
 * The chain is verified against the benchmark's CA and the host name against the certificate, TLS 1.2 and 1.3 only.
 * Prints {@code wallSeconds p50Ms p95Ms failed cpuSeconds} (CPU of this process during the logins, from /proc).
 * Arguments: {@code imap|smtp|smtps host port ca.pem n concurrency jdk|conscrypt first-user resume|full}: {@code resume} shares
 * one TLS context (sessions resumed per server, as the daemon with {@code checks.tls-session-lifetime} above 0),
 * {@code full} makes a fresh one per login (a full handshake every time).
 */
public final class RawLogin {
    private RawLogin() {}

    public static void main(String[] args) throws Exception {
        var protocol = args[0];
        var host = args[1];
        int port = Integer.parseInt(args[2]);
        var ca = Path.of(args[3]);
        var provider = args[6];
        boolean resume = args.length <= 8 || args[8].equals("resume");
        var shared = factory(ca, provider);
        int n = Integer.parseInt(args[4]);
        int concurrency = Integer.parseInt(args[5]);
        int first = args.length > 7 ? Integer.parseInt(args[7]) : 0;
        var next = new AtomicInteger();
        var failed = new AtomicInteger();
        var firstError = new String[1];
        var durations = new long[n];
        var pool = Executors.newFixedThreadPool(concurrency);
        double cpu0 = TlsBench.cpuSeconds(ProcessHandle.current().pid());
        long started = System.nanoTime();
        for (int t = 0; t < concurrency; t++) {
            pool.execute(() -> {
                int i;
                while ((i = next.getAndIncrement()) < n) {
                    long s = System.nanoTime();
                    try {
                        int u = first + i;
                        var tls = resume ? shared : factory(ca, provider);
                        if (protocol.equals("imap")) {
                            imap(tls, host, port, TlsBench.user(u), TlsBench.password(u));
                        } else if (protocol.equals("smtps")) {
                            smtps(tls, host, port, TlsBench.user(u), TlsBench.password(u));
                        } else {
                            smtp(tls, host, port, TlsBench.user(u), TlsBench.password(u));
                        }
                    } catch (Exception e) {
                        if (failed.getAndIncrement() == 0) {
                            firstError[0] = e.toString();
                        }
                    }
                    durations[i] = System.nanoTime() - s;
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(2, TimeUnit.HOURS)) {
            throw new IllegalStateException("the floor did not finish within 2 h");
        }
        long wall = System.nanoTime() - started;
        double cpu = TlsBench.cpuSeconds(ProcessHandle.current().pid()) - cpu0;
        if (firstError[0] != null) {
            System.err.println("floor: first failure: " + firstError[0]);
        }
        Arrays.sort(durations);
        System.out.printf(
                java.util.Locale.ROOT,
                "%.3f %.1f %.1f %d %.3f%n",
                wall / 1e9,
                durations[(int) Math.ceil(0.50 * n) - 1] / 1e6,
                durations[(int) Math.ceil(0.95 * n) - 1] / 1e6,
                failed.get(),
                cpu);
        System.exit(0);
    }

    static SSLSocketFactory factory(Path caPem, String provider) throws Exception {
        var store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (var in = Files.newInputStream(caPem)) {
            store.setCertificateEntry(
                    "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        var context = provider.equals("conscrypt")
                ? SSLContext.getInstance("TLS", org.conscrypt.Conscrypt.newProvider())
                : SSLContext.getInstance("TLS");
        var jdk = (javax.net.ssl.X509ExtendedTrustManager) tmf.getTrustManagers()[0];
        // as the probes' Trust does: Conscrypt calls TLS 1.3's auth type GENERIC, the JDK's trust manager knows it as
        // UNKNOWN
        var tm = new javax.net.ssl.X509ExtendedTrustManager() {
            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType, Socket socket)
                    throws java.security.cert.CertificateException {
                jdk.checkServerTrusted(chain, "GENERIC".equals(authType) ? "UNKNOWN" : authType, socket);
            }

            @Override
            public void checkServerTrusted(
                    java.security.cert.X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
                    throws java.security.cert.CertificateException {
                jdk.checkServerTrusted(chain, "GENERIC".equals(authType) ? "UNKNOWN" : authType, engine);
            }

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType)
                    throws java.security.cert.CertificateException {
                jdk.checkServerTrusted(chain, "GENERIC".equals(authType) ? "UNKNOWN" : authType);
            }

            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType, Socket socket)
                    throws java.security.cert.CertificateException {
                throw new java.security.cert.CertificateException("client only");
            }

            @Override
            public void checkClientTrusted(
                    java.security.cert.X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
                    throws java.security.cert.CertificateException {
                throw new java.security.cert.CertificateException("client only");
            }

            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType)
                    throws java.security.cert.CertificateException {
                throw new java.security.cert.CertificateException("client only");
            }

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return jdk.getAcceptedIssuers();
            }
        };
        context.init(null, new javax.net.ssl.TrustManager[] {tm}, null);
        return context.getSocketFactory();
    }

    private static SSLSocket tls(SSLSocketFactory tls, Socket plain, String host, int port) throws IOException {
        var s = (SSLSocket) tls.createSocket(plain, host, port, true);
        s.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        var params = s.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS"); // the host name must match the certificate
        s.setSSLParameters(params);
        s.startHandshake();
        return s;
    }

    private static Socket connect(String host, int port) throws IOException {
        var s = new Socket();
        s.connect(new InetSocketAddress(host, port), 10_000);
        s.setSoTimeout(20_000);
        s.setTcpNoDelay(true);
        return s;
    }

    static void imap(SSLSocketFactory factory, String host, int port, String user, String password) throws IOException {
        try (var s = tls(factory, connect(host, port), host, port)) {
            var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            var out = s.getOutputStream();
            expect(in.readLine(), "* OK");
            send(out, "a LOGIN \"" + user + "\" \"" + password + "\"");
            expect(tagged(in, "a "), "a OK");
            send(out, "b LOGOUT");
            expect(tagged(in, "b "), "b OK");
        }
    }

    static void smtp(SSLSocketFactory factory, String host, int port, String user, String password) throws IOException {
        try (var plain = connect(host, port)) {
            var in = new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII));
            expect(reply(in), "220");
            send(plain.getOutputStream(), "EHLO bench.test");
            expect(reply(in), "250");
            send(plain.getOutputStream(), "STARTTLS");
            expect(reply(in), "220");
            try (var s = tls(factory, plain, host, port)) {
                in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                var out = s.getOutputStream();
                send(out, "EHLO bench.test");
                expect(reply(in), "250");
                var plainAuth = Base64.getEncoder()
                        .encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
                send(out, "AUTH PLAIN " + plainAuth);
                expect(reply(in), "235");
                send(out, "QUIT");
                expect(reply(in), "221");
            }
        }
    }

    static void smtps(SSLSocketFactory factory, String host, int port, String user, String password)
            throws IOException {
        try (var s = tls(factory, connect(host, port), host, port)) {
            var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            var out = s.getOutputStream();
            expect(reply(in), "220");
            send(out, "EHLO bench.test");
            expect(reply(in), "250");
            var plainAuth = Base64.getEncoder()
                    .encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
            send(out, "AUTH PLAIN " + plainAuth);
            expect(reply(in), "235");
            send(out, "QUIT");
            expect(reply(in), "221");
        }
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String tagged(BufferedReader in, String tag) throws IOException {
        for (int i = 0; i < 100; i++) {
            var line = in.readLine();
            if (line == null || line.startsWith(tag)) {
                return line;
            }
        }
        throw new IOException("no tagged reply within 100 lines");
    }

    /** The last line of a (multi-line) SMTP reply. */
    private static String reply(BufferedReader in) throws IOException {
        for (int i = 0; i < 100; i++) {
            var line = in.readLine();
            if (line == null || line.length() < 4 || line.charAt(3) != '-') {
                return line;
            }
        }
        throw new IOException("no reply end within 100 lines");
    }

    private static void expect(String line, String prefix) throws IOException {
        if (line == null || !line.startsWith(prefix)) {
            throw new IOException("expected " + prefix + ", got " + line);
        }
    }
}
