package com.dts.apm.probe;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;

/**
 * A plain socket that stops reading after {@code limit} bytes. Angus Mail keeps a reply line (and an SMTP
 * reply's continuation lines) in memory until it ends, so a server that never ends one would otherwise
 * fill the heap until the deadline. TLS is layered on top of this socket, so the cap holds for TLS too.
 * With {@code literals} (IMAP) a {@link LiteralGuard} watches what Angus reads in plain text; the TLS
 * layer stops it when it takes over the socket (see {@link Connection}).
 */
final class CappedSocket extends Socket {
    private final long limit;
    private final boolean literals;
    private InputStream capped;

    CappedSocket(long limit, boolean literals) {
        this.limit = limit;
        this.literals = literals;
    }

    /** The last IMAP continuation line read through this socket's guard, or null. */
    synchronized String continuation() {
        return capped instanceof LiteralGuard g ? g.continuation() : null;
    }

    @Override
    public synchronized InputStream getInputStream() throws IOException {
        if (capped == null) {
            var in = new Capped(super.getInputStream(), limit);
            capped = literals ? new LiteralGuard(in, limit) : in;
        }
        return capped;
    }

    /** Thrown when a server sends more than a login conversation can need. */
    static final class TooMuchDataException extends IOException {
        private static final long serialVersionUID = 1L;

        TooMuchDataException(long limit) {
            super("the server sent more than " + limit / 1024 + " KiB without finishing the login");
        }
    }

    private static final class Capped extends FilterInputStream {
        private final long limit;
        private long read;

        Capped(InputStream in, long limit) {
            super(in);
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            check(1);
            int b = super.read();
            if (b >= 0) {
                read++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            check(len);
            int n = super.read(b, off, (int) Math.min(len, limit - read));
            if (n > 0) {
                read += n;
            }
            return n;
        }

        private void check(int wanted) throws IOException {
            if (wanted > 0 && read >= limit) {
                throw new TooMuchDataException(limit);
            }
        }
    }
}
