package com.dts.apm.process;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %journalPriority}: the syslog priority prefix journald reads from the start of a line ({@code <3>} error,
 * {@code <4>} warning, {@code <6>} info, {@code <7>} debug; see sd-daemon(3)), so {@code journalctl -p warning}
 * shows the daemon's warnings and errors. journald strips the prefix from the stored message.
 */
public final class JournalPriority extends ClassicConverter {
    /** The conversion word, registered by {@code logback.xml} and by {@link Logs}. */
    static final String WORD = "journalPriority";

    @Override
    public String convert(ILoggingEvent event) {
        return prefix(event.getLevel());
    }

    static String prefix(Level level) {
        if (level.isGreaterOrEqual(Level.ERROR)) {
            return "<3>";
        }
        if (level.isGreaterOrEqual(Level.WARN)) {
            return "<4>";
        }
        return level.isGreaterOrEqual(Level.INFO) ? "<6>" : "<7>";
    }
}
