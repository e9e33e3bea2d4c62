package com.dts.apm.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event (DEBUG and up) of the process while open; {@link #text()} has them all. The test mail
 * server's own logs (GreenMail, {@code com.icegreen}) are left out: they stand for the remote provider's logs,
 * which naturally see the password a client sends.
 */
public final class LogCapture implements AutoCloseable {
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
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
        synchronized (appender.list) {
            return appender.list.stream()
                    .filter(e -> !e.getLoggerName().startsWith("com.icegreen."))
                    .map(e -> e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage()))
                    .collect(Collectors.joining("\n"));
        }
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        root.setLevel(before);
    }
}
