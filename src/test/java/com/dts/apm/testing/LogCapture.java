package com.dts.apm.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event (DEBUG and up) of the process while open; {@link #text()} has them all. The test mail
 * server's own logs (GreenMail, {@code com.icegreen}) are left out: they stand for the remote provider's logs,
 * which naturally see the password a client sends.
 */
public final class LogCapture implements AutoCloseable {
    private final Collector appender = new Collector();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Level before;

    public LogCapture() {
        before = root.getLevel();
        appender.start();
        root.addAppender(appender);
        root.setLevel(Level.DEBUG);
    }

    /** Formatted messages, throwable messages included, one per line. */
    public String text() {
        return appender.events.stream()
                .filter(e -> !e.getLoggerName().startsWith("com.icegreen."))
                .map(e -> e.getFormattedMessage()
                        + (e.getThrowableProxy() == null
                                ? ""
                                : " " + e.getThrowableProxy().getMessage()))
                .collect(Collectors.joining("\n"));
    }

    /** The lines of {@link #text()} logged at {@code level} or above, each prefixed with its level. */
    public java.util.List<String> atLeast(Level level) {
        return appender.events.stream()
                .filter(e -> !e.getLoggerName().startsWith("com.icegreen.")
                        && e.getLevel().isGreaterOrEqual(level))
                .map(e -> e.getLevel() + " " + e.getFormattedMessage()
                        + (e.getThrowableProxy() == null
                                ? ""
                                : " " + e.getThrowableProxy().getMessage()))
                .toList();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        root.setLevel(before);
    }

    /**
     * Logback's ListAppender adds under the appender's own lock, not the list's, so reading it while a server
     * thread still logs can throw ConcurrentModificationException: keep the events in a concurrent queue instead.
     */
    private static final class Collector extends AppenderBase<ILoggingEvent> {
        private final Queue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();

        @Override
        protected void append(ILoggingEvent event) {
            events.add(event);
        }
    }
}
