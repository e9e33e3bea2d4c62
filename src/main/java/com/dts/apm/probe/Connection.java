package com.dts.apm.probe;

import com.dts.apm.provider.Protocol;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The sockets of one check. Angus Mail creates them through the two factories here, so the check can
 * close them from another thread when the deadline passes, and learn the certificate expiry from the
 * handshake. TLS comes from the probes' shared context (sessions resumed per server for
 * {@code checks.tls-session-lifetime}: {@link #sharedTls}) or, with resumption off, from a fresh context per check,
 * so that every check verifies the chain.
 * Every connection starts as a {@link CappedSocket} (TLS is layered on it), so no server can make a check
 * read without bound. For IMAP a {@link LiteralGuard} watches the bytes Angus parses: on the capped socket
 * until TLS takes it over, then above TLS, on the decrypted stream of a {@link GuardedSslSocket}.
 */
final class Connection {
    /** Bytes one check may read from a server: a login conversation needs a few KiB. */
    static final long MAX_BYTES_READ = 1024 * 1024;

    private final List<Socket> sockets = new ArrayList<>();
    /** Only IMAP has literals (a size announced before the data); SMTP's streams stay as they are. */
    private final boolean literals;

    private final SSLSocketFactory tls;
    private final SocketFactory plain = new PlainFactory();
    private volatile Instant certificateNotAfter;
    private boolean aborted;

    Connection(Trust trust, Protocol protocol) {
        this(trust, null, protocol);
    }

    /** A check's sockets, their TLS from {@code provider} (null: the JDK's); see {@link TlsProvider}. */
    Connection(Trust trust, Provider provider, Protocol protocol) {
        this.literals = protocol == Protocol.IMAP;
        this.tls =
                new TlsFactory(context(trust.forCheck(this::trusted), provider).getSocketFactory());
    }

    /** A check's sockets, their TLS from {@code shared} ({@link #sharedTls}). */
    Connection(SSLSocketFactory shared, Protocol protocol) {
        this.literals = protocol == Protocol.IMAP;
        this.tls = new TlsFactory(shared);
    }

    /**
     * One TLS context for every check of a probe, keeping verified sessions for {@code lifetime}: a check resumes
     * the session of an earlier check to the same host and port (no certificate exchange, no chain verification,
     * a fraction of the handshake's CPU) until it is that old; then a full handshake verifies the chain again. A
     * full handshake reports the chain to the connection bound to the checking thread; a resumed one reports none.
     */
    static SSLSocketFactory sharedTls(Trust trust, Provider provider, java.time.Duration lifetime) {
        var context = context(
                trust.forCheck(chain -> {
                    var c = BoundFactories.bound();
                    if (c != null) {
                        c.trusted(chain);
                    }
                }),
                provider);
        context.getClientSessionContext().setSessionTimeout((int) Math.max(1, lifetime.toSeconds()));
        return context.getSocketFactory();
    }

    private static SSLContext context(TrustManager trust, Provider provider) {
        try {
            var context = provider == null ? SSLContext.getInstance("TLS") : SSLContext.getInstance("TLS", provider);
            context.init(null, new TrustManager[] {trust}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS", e);
        }
    }

    SSLSocketFactory tlsFactory() {
        return tls;
    }

    SocketFactory plainFactory() {
        return plain;
    }

    Instant certificateNotAfter() {
        return certificateNotAfter;
    }

    void trusted(X509Certificate[] chain) {
        Instant earliest = null;
        for (var c : chain) {
            var notAfter = c.getNotAfter().toInstant();
            earliest = earliest == null || notAfter.isBefore(earliest) ? notAfter : earliest;
        }
        certificateNotAfter = earliest;
    }

    /** The last IMAP continuation line the server sent on any socket of this check (newest socket first), or null. */
    String continuation() {
        List<Socket> all;
        synchronized (sockets) {
            all = List.copyOf(sockets);
        }
        for (int i = all.size() - 1; i >= 0; i--) {
            String c = null;
            if (all.get(i) instanceof GuardedSslSocket g) {
                c = g.continuation();
            } else if (all.get(i) instanceof CappedSocket s) {
                c = s.continuation();
            }
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    /** Closes every socket of the check, now and any created later; safe from any thread. */
    void abort() {
        List<Socket> toClose;
        synchronized (sockets) {
            aborted = true;
            toClose = List.copyOf(sockets);
        }
        toClose.forEach(Connection::closeQuietly);
    }

    private <S extends Socket> S track(S socket) {
        boolean late;
        synchronized (sockets) {
            sockets.add(socket);
            late = aborted;
        }
        if (late) {
            closeQuietly(socket);
        }
        return socket;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException | RuntimeException e) {
            // closing to give up: nothing left to do with a failure
        }
    }

    private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        var s = track(new CappedSocket(MAX_BYTES_READ, literals));
        if (local != null) {
            s.bind(local);
        }
        s.connect(remote);
        return s;
    }

    private final class PlainFactory extends SocketFactory {
        @Override
        public Socket createSocket() {
            return track(new CappedSocket(MAX_BYTES_READ, literals));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port), null);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return connected(new InetSocketAddress(host, port), null);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
        }
    }

    private final class TlsFactory extends SSLSocketFactory {
        private final SSLSocketFactory delegate;

        TlsFactory(SSLSocketFactory delegate) {
            this.delegate = delegate;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            track(s);
            // TLS reads its records from s.getInputStream(), the stream Angus read before STARTTLS (Angus's
            // write-timeout wrapper hands out the capped socket's own): its guard must not watch ciphertext.
            if (literals && s.getInputStream() instanceof LiteralGuard plainGuard) {
                plainGuard.stopWatching();
            }
            return track(guarded(delegate.createSocket(s, host, port, autoClose)));
        }

        /**
         * A plain capped socket: Angus connects it, sees it is not an SSLSocket and layers TLS on it
         * through {@link #createSocket(Socket, String, int, boolean)}, then verifies the host name.
         */
        @Override
        public Socket createSocket() {
            return track(new CappedSocket(MAX_BYTES_READ, false));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return track(guarded(delegate.createSocket(host, port)));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return track(guarded(delegate.createSocket(host, port, localHost, localPort)));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return track(guarded(delegate.createSocket(host, port)));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return track(guarded(delegate.createSocket(address, port, localAddress, localPort)));
        }

        private Socket guarded(Socket tls) {
            return literals ? new GuardedSslSocket((SSLSocket) tls, MAX_BYTES_READ) : tls;
        }
    }
}
