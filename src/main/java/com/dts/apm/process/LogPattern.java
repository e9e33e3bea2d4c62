package com.dts.apm.process;

import ch.qos.logback.core.PropertyDefinerBase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The text log pattern. journald stamps every line it receives, so when standard error is connected to the journal
 * the pattern leaves the timestamp out and starts with the line's syslog priority instead; anywhere else (a
 * terminal, a file) it keeps it. {@code logback.xml} reads it
 * through {@code <define>}, {@link Logs} when {@code run} applies the config.
 */
public final class LogPattern extends PropertyDefinerBase {
    static final String TIMESTAMP = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} ";
    static final String LINE = "%-5level [%thread] %logger{20} - %msg%n";
    /** For journald: no timestamp, and the line's priority first ({@link JournalPriority}). */
    static final String JOURNAL = "%" + JournalPriority.WORD + LINE;

    private static final Path STDERR = Path.of("/proc/self/fd/2");

    /** For logback.xml: the pattern for this process's own environment. */
    @Override
    public String getPropertyValue() {
        return of(System.getenv());
    }

    static String of(Map<String, String> env) {
        return toJournal(env.get("JOURNAL_STREAM")) ? JOURNAL : TIMESTAMP + LINE;
    }

    /**
     * True when standard error is the stream systemd describes in {@code JOURNAL_STREAM} ({@code device:inode}, see
     * systemd.exec(5)). The variable alone is not enough: children of a service (a terminal started by a user
     * service, say) inherit it while writing elsewhere. Where standard error cannot be looked at, the variable decides.
     */
    static boolean toJournal(String journalStream) {
        if (journalStream == null || journalStream.isBlank()) {
            return false;
        }
        try {
            var dev = Files.getAttribute(STDERR, "unix:dev");
            var ino = Files.getAttribute(STDERR, "unix:ino");
            return journalStream
                    .strip()
                    .equals(Long.toUnsignedString((Long) dev) + ":" + Long.toUnsignedString((Long) ino));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | SecurityException e) {
            return true;
        }
    }
}
