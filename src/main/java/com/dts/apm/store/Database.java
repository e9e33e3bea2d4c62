package com.dts.apm.store;

import com.dts.apm.ApmException;
import com.dts.apm.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The database: by default the SQLite file (opened owner-only, in WAL mode with a busy timeout and foreign keys;
 * files that are not SQLite or come from a newer version are refused), or a PostgreSQL server through a HikariCP
 * pool when {@code database.url} is set. Either way the same tables, created by the same migrations.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);
    private static final byte[] SQLITE_MAGIC = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    /** Idle read connections kept open; the daemon's reads are short, a few cover its 32 check threads. */
    static final int IDLE_READ_CONNECTIONS = 8;

    private final Path file;
    private final Dialect dialect;
    private final Jdbi jdbi;
    private final ReadConnections readConnections;
    private final AutoCloseable pool;
    private final String label;
    private final Jdbi reads;
    /** SQLite has one writer; in-process writers queue here instead of sleeping in SQLite's busy handler. */
    private final ReentrantLock writer = new ReentrantLock();

    private final LongAdder writeNanos = new LongAdder();
    private Handle writeHandle; // guarded by writer

    private Database(Path file, Jdbi jdbi, ReadConnections readConnections) {
        this.file = file;
        this.dialect = Dialect.SQLITE;
        this.jdbi = jdbi;
        this.readConnections = readConnections;
        this.reads = configure(Jdbi.create(readConnections));
        this.pool = null;
        this.label = file.toString();
    }

    /** A PostgreSQL database: one pool serves reads and writes (the server has no single writer to protect). */
    private Database(String label, Jdbi jdbi, AutoCloseable pool) {
        this.file = null;
        this.dialect = Dialect.POSTGRESQL;
        this.jdbi = jdbi;
        this.readConnections = null;
        this.reads = jdbi;
        this.pool = pool;
        this.label = label;
    }

    /** Opens the configured database: PostgreSQL when {@code database.url} is set, else the SQLite file. */
    public static Database open(com.dts.apm.config.Config.Database config) {
        return config.postgres() ? Postgres.open(config) : open(config.path());
    }

    static Database postgres(String label, Jdbi jdbi, AutoCloseable pool) {
        return new Database(label, configure(jdbi), pool);
    }

    /** Opens (creating when absent) the database at {@code file} and brings its schema up to date. */
    public static Database open(Path file) {
        var path = file.toAbsolutePath().normalize();
        prepareFile(path);
        var config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(5000);
        config.enforceForeignKeys(true);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        var ds = new SQLiteDataSource(config);
        ds.setUrl("jdbc:sqlite:" + path);
        var jdbi = configure(Jdbi.create(ds));
        var db = new Database(path, jdbi, new ReadConnections(ds, IDLE_READ_CONNECTIONS));
        try {
            Migrations.apply(jdbi, path);
        } catch (org.jdbi.v3.core.JdbiException e) {
            throw new ApmException("database " + path + ": " + describe(e), e);
        }
        return db;
    }

    private static Jdbi configure(Jdbi jdbi) {
        // Bound values never appear in exception messages: only ciphertext is bound, but be sure.
        jdbi.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
        return jdbi;
    }

    /** Opens a new connection per handle: for writes outside the daemon's writer lock and for anything rare. */
    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * For short reads on hot paths (a password per check, the due integrations, the metrics snapshot): handles
     * reuse a few open, query-only connections instead of opening one each. A write through it fails.
     */
    public Jdbi reads() {
        return reads;
    }

    /**
     * Runs {@code body} in a write transaction, one at a time within this process. Writers from other
     * processes (the command line) still meet the busy timeout; threads of this one wait their turn on a
     * lock, which is cheaper than SQLite's busy handler (it sleeps up to 100 ms between attempts).
     */
    public <T> T inWriteTransaction(HandleCallback<T, RuntimeException> body) {
        return underWriteLock(h -> h.inTransaction(body));
    }

    /**
     * Runs {@code body} holding this process's writer lock, with the one long-lived write connection (opening a
     * connection per write costs more than the write). Any failure discards that connection, and so does a body
     * that caught its failure itself but left the connection outside auto-commit; the next write opens a fresh one. On PostgreSQL the connection goes back to the pool after each write instead: a held one
     * would not notice that the server restarted and fail the first write after an outage, while the pool checks
     * a connection that sat idle before it hands it out.
     */
    public <T> T underWriteLock(Function<Handle, T> body) {
        writer.lock();
        long started = System.nanoTime();
        try {
            dropIfUnusable();
            if (writeHandle == null) {
                writeHandle = jdbi.open();
            }
            var result = body.apply(writeHandle);
            dropIfUnusable(); // a body may catch its failure itself (CheckWriter keeps it per record)
            return result;
        } catch (RuntimeException e) {
            // Discard the connection on every failure: after SQLITE_FULL or an I/O error SQLite may keep the
            // transaction open with part of it applied (the rollback can fail too), and a retry on the same
            // connection would join that transaction and commit the first attempt's rows twice.
            if (writeHandle != null) {
                try {
                    writeHandle.close();
                } catch (RuntimeException ignored) {
                    // closing rolls back what it can; the connection is gone either way
                }
                writeHandle = null;
            }
            throw e;
        } finally {
            if (pool != null && writeHandle != null) {
                try {
                    writeHandle.close();
                } catch (RuntimeException e) {
                    log.debug("returning the write connection of {} to the pool: {}", label, e.toString());
                }
                writeHandle = null;
            }
            writeNanos.add(System.nanoTime() - started);
            writer.unlock();
        }
    }

    /**
     * Forgets the write connection when the next write could not trust it: the pool closed it (PostgreSQL restarted,
     * the network dropped), or it is left outside auto-commit with no transaction of its own. sqlite-jdbc turns
     * auto-commit off before it sends {@code BEGIN IMMEDIATE}; when that BEGIN meets another process's lock past
     * the busy timeout, the connection says it is in a transaction while SQLite commits every statement alone, and
     * the next write would join that "transaction": half a check could land and its rollback would undo nothing.
     */
    private void dropIfUnusable() {
        if (writeHandle == null) {
            return;
        }
        boolean unusable;
        try {
            var c = writeHandle.getConnection();
            unusable = c.isClosed() || !c.getAutoCommit();
        } catch (java.sql.SQLException e) {
            unusable = true;
        }
        if (unusable) {
            try {
                writeHandle.close();
            } catch (RuntimeException ignored) {
                // it is gone either way
            }
            writeHandle = null;
        }
    }

    /**
     * True for failures that pass by themselves: the database busy or locked by another process, the disk
     * full, an I/O error; on PostgreSQL a serialization failure, a deadlock, a lost connection, the server
     * shutting down or out of disk or connections (by SQLState, see {@link Postgres}). A write that failed so may be retried later; anything else is a bug to report.
     */
    public static boolean isTransient(Throwable e) {
        var state = Postgres.sqlState(e);
        if (state.isPresent()) {
            return Postgres.isTransient(state.get());
        }
        return resultCode(e)
                .map(c -> switch (primary(c)) {
                    case SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL, SQLITE_IOERR -> true;
                    default -> false;
                })
                .orElse(false);
    }

    /**
     * True for failures that say the database cannot be reached at all, whatever was asked of it: on PostgreSQL the
     * connection refused, lost or timed out (SQLState class 08, HikariCP's {@code SQLTransientConnectionException}),
     * the server shutting down or starting up (57P01-57P03); on SQLite the file cannot be opened
     * ({@code SQLITE_CANTOPEN}: its folder gone or unmounted). Every loop of a node meets the same outage: it is
     * logged once per node ({@code process.DatabaseOutage}).
     */
    public static boolean unreachable(Throwable e) {
        var state = Postgres.sqlState(e);
        if (state.isPresent()) {
            return Postgres.isUnreachable(state.get());
        }
        return resultCode(e)
                .map(c -> primary(c) == SQLiteErrorCode.SQLITE_CANTOPEN)
                .orElse(false);
    }

    /** SQLite's own result code of the first {@link SQLiteException} in the cause chain (extended where SQLite gave one). */
    static Optional<SQLiteErrorCode> resultCode(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException s) {
                return Optional.of(s.getResultCode());
            }
        }
        return Optional.empty();
    }

    /** The primary result code of an extended one ({@code SQLITE_IOERR_SHMSIZE} is an {@code SQLITE_IOERR}). */
    private static SQLiteErrorCode primary(SQLiteErrorCode code) {
        var primary = SQLiteErrorCode.getErrorCode(code.code & 0xff);
        return primary == SQLiteErrorCode.UNKNOWN_ERROR ? code : primary;
    }

    /** Total time write transactions of this process have held the writer lock (a metric: how busy SQLite's one writer is). */
    public Duration writeBusy() {
        return Duration.ofNanos(writeNanos.sum());
    }

    /**
     * Closes the idle read connections and the write connection. Only for a process that goes on without this
     * database (tests, the daemon's stop); a later read or write opens fresh connections.
     */
    @Override
    public void close() {
        if (readConnections != null) {
            readConnections.close();
        }
        writer.lock();
        try {
            if (writeHandle != null) {
                writeHandle.close();
            }
        } catch (RuntimeException e) {
            // Jdbi may fail to restore the connection's autocommit state after a retried write (DatabaseLockedIT);
            // the connection is closed either way and nothing is pending on it
            log.debug("closing the write connection of {}: {}", file, e.toString());
        } finally {
            writeHandle = null;
            writer.unlock();
        }
        if (pool != null) {
            try {
                pool.close();
            } catch (Exception e) {
                log.debug("closing the connection pool of {}: {}", label, e.toString());
            }
        }
    }

    /**
     * The connection pool on PostgreSQL, for what shares this database outside Jdbi (Quartz's clustered job store);
     * null on SQLite.
     */
    public javax.sql.DataSource pooledDataSource() {
        return pool instanceof javax.sql.DataSource ds ? ds : null;
    }

    /** The SQLite file; null on PostgreSQL (see {@link #dialect()}). */
    public Path file() {
        return file;
    }

    /** Which database this is: the SQL of a few statements differs (see {@link Dialect}). */
    public Dialect dialect() {
        return dialect;
    }

    /**
     * Where the database is, for the outage's log lines: PostgreSQL's {@code host:port} (no user, no database name, no
     * URL parameters), or the SQLite file.
     */
    public String server() {
        return dialect == Dialect.POSTGRESQL ? Postgres.server(label) : label;
    }

    /** The SQLite file, or the PostgreSQL URL (never with a password): for log lines and messages. */
    public String label() {
        return label;
    }

    /**
     * True when the file still starts as an SQLite database and a query answers; used by the health endpoint. It
     * opens a connection of its own: a pooled one would answer {@code SELECT 1} without touching the file. The
     * header is read from the file itself, because a connection in this process may still serve pages it cached
     * before the file was overwritten.
     */
    public boolean answers() {
        if (dialect == Dialect.POSTGRESQL) {
            return Postgres.answers(jdbi);
        }
        try {
            return startsAsSqlite(file)
                    && jdbi.withHandle(h -> h.createQuery("SELECT 1")
                                    .mapTo(Integer.class)
                                    .one())
                            == 1;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** True when the file starts with SQLite's header string. */
    private static boolean startsAsSqlite(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return Arrays.equals(in.readNBytes(SQLITE_MAGIC.length), SQLITE_MAGIC);
        }
    }

    private static void prepareFile(Path path) {
        try {
            var dir = path.getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                Files.createDirectories(dir);
            }
            if (Files.exists(path)) {
                if (Files.isDirectory(path)) {
                    throw new BadInputException("database " + path + " is a folder, not a file");
                }
                if (Files.size(path) > 0) {
                    if (!startsAsSqlite(path)) {
                        throw new BadInputException(
                                "database " + path + " is not an SQLite database; refusing to touch it");
                    }
                }
                return;
            }
            try {
                Files.createFile(
                        path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                log.info("created database {}", path);
            } catch (FileAlreadyExistsException raced) {
                // another process created it first: fine
            } catch (UnsupportedOperationException noPosix) {
                Files.createFile(path);
            }
        } catch (IOException e) {
            throw new ApmException("database " + path + ": cannot prepare the file: " + e.getMessage(), e);
        }
    }

    /** A short, operator-readable reason for a database failure (full disk, locked, not a database...). */
    public static String describe(Throwable e) {
        var state = Postgres.sqlState(e);
        if (state.isPresent() && Postgres.describe(state.get()) != null) {
            return Postgres.describe(state.get());
        }
        var code = resultCode(e);
        if (code.isPresent()) {
            if (code.get() == SQLiteErrorCode.SQLITE_IOERR_SHMSIZE) {
                return "the disk is full (the shared-memory file beside the database cannot grow)";
            }
            var reason = switch (primary(code.get())) {
                case SQLITE_NOTADB -> "the file is not an SQLite database (or is corrupt)";
                case SQLITE_FULL -> "the disk is full";
                case SQLITE_BUSY -> "the database is locked by another process";
                case SQLITE_READONLY -> "the database is read-only for this user";
                case SQLITE_CANTOPEN -> "cannot open the file (missing folder or no permission)";
                default -> null;
            };
            if (reason != null) {
                return reason;
            }
        }
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        var msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return msg.lines().findFirst().orElse(msg);
    }
}
