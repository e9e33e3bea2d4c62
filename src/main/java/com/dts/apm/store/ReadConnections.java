package com.dts.apm.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.jdbi.v3.core.ConnectionFactory;
import org.sqlite.SQLiteDataSource;

/**
 * A few open, query-only connections that short reads reuse. Opening an SQLite connection re-applies its
 * pragmas and costs more than the read itself (the daemon reads a password on every check). Each connection
 * comes from the same data source as every other, so it carries the same pragmas (busy timeout, foreign keys,
 * WAL); {@code query_only} on top means none can be handed back with a write half done. A connection is
 * reused only when it comes back in autocommit mode; otherwise, or when enough are idle, it is closed. When
 * all are in use another is opened, so a read never waits for the pool.
 */
final class ReadConnections implements ConnectionFactory {
    private final SQLiteDataSource source;
    private final BlockingQueue<Connection> idle;
    private volatile boolean closed;

    ReadConnections(SQLiteDataSource source, int maxIdle) {
        this.source = source;
        this.idle = new ArrayBlockingQueue<>(maxIdle);
    }

    @Override
    public Connection openConnection() throws SQLException {
        var reused = idle.poll();
        if (reused != null) {
            return reused;
        }
        var c = source.getConnection();
        try (var st = c.createStatement()) {
            st.execute("PRAGMA query_only = true");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    @Override
    public void closeConnection(Connection c) throws SQLException {
        if (c.isClosed()) {
            return;
        }
        if (closed || !c.getAutoCommit() || !idle.offer(c)) {
            c.close();
        } else if (closed && idle.remove(c)) {
            c.close(); // raced with close()
        }
    }

    /** How many connections wait for reuse (tests). */
    int idle() {
        return idle.size();
    }

    /** Closes the idle connections; connections in use are closed when they come back. */
    void close() {
        closed = true;
        for (Connection c; (c = idle.poll()) != null; ) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing a read-only connection loses nothing
            }
        }
    }
}
