package com.dts.apm.process;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Hands a library's WARN and ERROR lines whose exception says the database is out of reach to the node's
 * {@link DatabaseOutage} instead of logging them: Quartz's clustered job store reports each failed check-in and
 * trigger scan itself, and would otherwise add its own ERROR lines to the outage's one.
 */
final class OutageLogFilter extends TurboFilter implements DatabaseOutage.LogRoute {
    private final String prefix;
    private final DatabaseOutage outage;
    private final LoggerContext context;

    private OutageLogFilter(String prefix, DatabaseOutage outage, LoggerContext context) {
        this.prefix = prefix;
        this.outage = outage;
        this.context = context;
        setName("database-outage:" + prefix);
    }

    /** Installs the filter on Logback; does nothing (and closes as nothing) when SLF4J is bound to something else. */
    static DatabaseOutage.LogRoute install(String prefix, DatabaseOutage outage) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return () -> {};
        }
        var filter = new OutageLogFilter(prefix, outage, context);
        filter.setContext(context);
        filter.start();
        context.addTurboFilter(filter);
        return filter;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level == null
                || !level.isGreaterOrEqual(Level.WARN)
                || !logger.getName().startsWith(prefix)) {
            return FilterReply.NEUTRAL;
        }
        var e = t != null
                ? t
                : params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last
                        ? last
                        : null;
        if (e == null) {
            return FilterReply.NEUTRAL;
        }
        return outage.failed(logger.getName(), e) ? FilterReply.DENY : FilterReply.NEUTRAL;
    }

    @Override
    public void close() {
        context.getTurboFilterList().remove(this);
        stop();
    }
}
