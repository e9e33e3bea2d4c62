package com.dts.apm.probe;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Watches the bytes Angus Mail parses as IMAP responses and refuses a literal announcement ({@code {n}}
 * before a CRLF) larger than {@code limit}, before Angus sees the line end: Angus allocates the announced
 * size before it reads a byte of the literal. An accepted literal's content passes unparsed.
 *
 * <p>It reads announcements exactly as Angus 2.0.5 does ({@code ResponseInputStream.readResponse}): a CRLF
 * outside literal content, after {@code '}'}, where the bytes back to the nearest {@code '{'} are digits,
 * even when that {@code '{'} lies in an earlier literal's content. Angus takes no literal from a negative,
 * empty or overflowing number, nor from the client-side {@code {n+}} form; the guard still refuses a
 * large or overflowing one (no login needs it) and, like Angus, skips no content for {@code {n+}}.
 */
final class LiteralGuard extends FilterInputStream {
    private static final int NONE = 0;
    /** after '{', digits so far (maybe none) */
    private static final int OPEN = 1;
    /** after "{digits+" */
    private static final int PLUS = 2;

    private final long limit;
    private boolean watching = true;
    private String refused;
    /** bytes of an accepted literal still to pass unparsed */
    private long content;

    private int run = NONE;
    private int digits;
    private long value;
    private boolean overflow;

    /** 1 after a '}' that closed a number, 2 after that '}' and a '\r' */
    private int closed;

    private long announced;
    private int announcedDigits;
    private boolean announcedOverflow;
    private boolean announcedPlus;

    /** The last continuation line ({@code + ...}) the server sent, and the one being read now. */
    private String continuation;

    private StringBuilder plusLine;
    private boolean lineStart = true;

    LiteralGuard(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    /** Stops watching for good: from now on another layer (TLS) reads these bytes, not Angus. */
    void stopWatching() {
        watching = false;
    }

    boolean watching() {
        return watching;
    }

    /**
     * The last continuation request the server sent ({@code + } and its text, at most 2 KB), or null: Gmail puts
     * its reason for refusing an XOAUTH2 token there, and Angus does not keep it.
     */
    synchronized String continuation() {
        return continuation;
    }

    /** Thrown when a server announces a literal larger than a login conversation can need. */
    static final class LiteralTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        LiteralTooLargeException(String size) {
            super("the server announced a literal of " + size + ", more than a login conversation needs");
        }
    }

    @Override
    public int read() throws IOException {
        refuseAgain();
        int b = super.read();
        if (b >= 0 && watching) {
            step(b);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        refuseAgain();
        int n = super.read(b, off, len);
        if (watching) {
            for (int i = 0; i < n; i++) {
                step(b[off + i] & 0xff);
            }
        }
        return n;
    }

    /** Skips by reading, so that skipped bytes are watched too. */
    @Override
    public long skip(long n) throws IOException {
        var buffer = new byte[(int) Math.min(Math.max(n, 0), 8192)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
        // not supported: a reset would replay bytes the guard has already counted
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    private void refuseAgain() throws LiteralTooLargeException {
        if (refused != null) {
            throw new LiteralTooLargeException(refused);
        }
    }

    private void note(int b) {
        if (lineStart && b == '+' && content == 0) {
            plusLine = new StringBuilder();
        }
        lineStart = b == '\n';
        if (plusLine != null) {
            if (b == '\n') {
                synchronized (this) {
                    continuation = plusLine.toString();
                }
                plusLine = null;
            } else if (b != '\r' && plusLine.length() < 2048) {
                plusLine.append((char) b);
            }
        }
    }

    private void step(int b) throws LiteralTooLargeException {
        note(b);
        boolean inContent = content > 0;
        if (inContent) {
            content--;
        }
        if (b == '\n' && closed == 2 && !inContent) {
            closed = 0;
            run = NONE;
            announce();
            return;
        }
        if (b == '}' && (run == PLUS || (run == OPEN && digits > 0))) {
            closed = 1;
            announced = value;
            announcedDigits = digits;
            announcedOverflow = overflow;
            announcedPlus = run == PLUS;
        } else {
            closed = b == '\r' && closed == 1 ? 2 : 0;
        }
        if (b == '{') {
            run = OPEN;
            digits = 0;
            value = 0;
            overflow = false;
        } else if (run == OPEN && b >= '0' && b <= '9') {
            digits++;
            int d = b - '0';
            if (overflow || value > (Long.MAX_VALUE - d) / 10) {
                overflow = true;
            } else {
                value = value * 10 + d;
            }
        } else if (run == OPEN && b == '+' && digits > 0) {
            run = PLUS;
        } else {
            run = NONE;
        }
    }

    private void announce() throws LiteralTooLargeException {
        if (announcedOverflow || announced > limit) {
            refused = announcedOverflow ? "a " + announcedDigits + "-digit number of bytes" : announced + " bytes";
            throw new LiteralTooLargeException(refused);
        }
        if (!announcedPlus) {
            content = announced;
        }
    }
}
