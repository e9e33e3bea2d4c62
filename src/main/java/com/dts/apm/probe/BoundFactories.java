package com.dts.apm.probe;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.Callable;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * Socket factories that hand each check the sockets of its own {@link Connection}, so that one Jakarta Mail
 * Session can serve every check (building a Session per check cost about 0.4 ms of CPU: the mail providers are
 * looked up anew each time). Angus Mail creates a check's sockets on the thread that runs its conversation;
 * {@link #run} binds the check's connection to that thread for the conversation's length.
 */
final class BoundFactories {
    private static final ThreadLocal<Connection> CURRENT = new ThreadLocal<>();

    static final SocketFactory PLAIN = new Plain();
    static final SSLSocketFactory TLS = new Tls();

    private BoundFactories() {}

    /** Runs {@code conversation} with {@code connection} providing the sockets created on this thread. */
    static <T> T run(Connection connection, Callable<T> conversation) throws Exception {
        var before = CURRENT.get();
        CURRENT.set(connection);
        try {
            return conversation.call();
        } finally {
            if (before == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(before);
            }
        }
    }

    /** The connection of the check running on this thread, or null outside a check's conversation. */
    static Connection bound() {
        return CURRENT.get();
    }

    private static Connection current() {
        var c = CURRENT.get();
        if (c == null) {
            // a socket outside a check's conversation would escape the deadline and the read cap
            throw new IllegalStateException(
                    "no check is running on thread " + Thread.currentThread().getName());
        }
        return c;
    }

    private static final class Plain extends SocketFactory {
        @Override
        public Socket createSocket() throws IOException {
            return current().plainFactory().createSocket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return current().plainFactory().createSocket(host, port);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return current().plainFactory().createSocket(host, port, localHost, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return current().plainFactory().createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return current().plainFactory().createSocket(address, port, localAddress, localPort);
        }
    }

    private static final class Tls extends SSLSocketFactory {
        @Override
        public String[] getDefaultCipherSuites() {
            return current().tlsFactory().getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return current().tlsFactory().getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return current().tlsFactory().createSocket(s, host, port, autoClose);
        }

        @Override
        public Socket createSocket() throws IOException {
            return current().tlsFactory().createSocket();
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return current().tlsFactory().createSocket(host, port);
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return current().tlsFactory().createSocket(host, port, localHost, localPort);
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return current().tlsFactory().createSocket(host, port);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return current().tlsFactory().createSocket(address, port, localAddress, localPort);
        }
    }
}
