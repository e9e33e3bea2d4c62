package com.dts.apm.process;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.encoder.Encoder;
import com.dts.apm.config.Config;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code logging:} from the config to Logback at start: the root level, and text or one JSON
 * object per line on the console appender of {@code logback.xml} (standard error; journald keeps both
 * streams, and command output on standard out stays clean).
 */
public final class Logs {
    /** The appender named in logback.xml. */
    static final String APPENDER = "CONSOLE";

    private Logs() {}

    /** As {@link #configure(Config.Logging, Map)} with this process's environment. */
    public static void configure(Config.Logging logging) {
        configure(logging, System.getenv());
    }

    /**
     * Sets the level and format; the text format leaves out the timestamp when {@code env} says standard error goes
     * to journald ({@link LogPattern}). Does nothing when SLF4J is not bound to Logback (a test harness, say).
     */
    public static void configure(Config.Logging logging, Map<String, String> env) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        var root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(logging.level().toUpperCase(Locale.ROOT), Level.INFO));
        if (root.getAppender(APPENDER) instanceof ConsoleAppender<ILoggingEvent> console) {
            var encoder = "json".equals(logging.format()) ? json(context) : text(context, LogPattern.of(env));
            console.stop();
            console.setEncoder(encoder);
            console.start();
        }
    }

    /** One JSON object per event: timestamp (epoch ms), level, thread, logger, formatted message, throwable. */
    static Encoder<ILoggingEvent> json(LoggerContext context) {
        var e = new JsonEncoder();
        e.setContext(context);
        e.setWithSequenceNumber(false);
        e.setWithNanoseconds(false);
        e.setWithContext(false);
        e.setWithMessage(false);
        e.setWithArguments(false);
        e.setWithFormattedMessage(true);
        e.start();
        return e;
    }

    private static Encoder<ILoggingEvent> text(LoggerContext context, String pattern) {
        // logback.xml registers %journalPriority; a context configured otherwise (a test's) may not have it
        @SuppressWarnings("unchecked")
        var rules = (Map<String, String>) context.getObject(CoreConstants.PATTERN_RULE_REGISTRY);
        if (rules == null) {
            rules = new HashMap<>();
            context.putObject(CoreConstants.PATTERN_RULE_REGISTRY, rules);
        }
        rules.putIfAbsent(JournalPriority.WORD, JournalPriority.class.getName());
        var e = new PatternLayoutEncoder();
        e.setContext(context);
        e.setPattern(pattern);
        e.start();
        return e;
    }
}
