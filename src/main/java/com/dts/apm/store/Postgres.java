package com.dts.apm.store;

import com.dts.apm.ApmException;
import com.dts.apm.BadInputException;
import com.dts.apm.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Types;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.argument.ArgumentFactory;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.sqlite.SQLiteException;

/**
 * The PostgreSQL side of {@link Database}: the HikariCP pool, the login from {@code database.password-file}, and
 * failure classification by SQLState (SQLite's result codes stay in Database). Booleans are stored as 0/1
 * INTEGER columns here too, so every query compares {@code enabled = 1} on both databases.
 */
final class Postgres {
    /** How long a caller waits for a pooled connection before the failure is reported (the health check among them). */
    static final long CONNECTION_TIMEOUT_MS = 5_000;

    private Postgres() {}

    static Database open(Config.Database config) {
        var label = label(config.url());
        var hikari = new HikariConfig();
        hikari.setPoolName("apm-db");
        hikari.setJdbcUrl(config.url());
        hikari.setUsername(config.username());
        hikari.setPassword(password(config));
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setMinimumIdle(Math.min(2, config.poolSize()));
        hikari.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        hikari.setValidationTimeout(2_000);
        hikari.setInitializationFailTimeout(CONNECTION_TIMEOUT_MS);
        hikari.addDataSourceProperty("ApplicationName", "app-password-monitor");
        hikari.addDataSourceProperty("tcpKeepAlive", "true");
        hikari.addDataSourceProperty("connectTimeout", "5");
        // the server's detail of an error quotes the row's values ("Key (email)=(...)"): keep them out of messages
        hikari.addDataSourceProperty("logServerErrorDetail", "false");
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new ApmException("database " + label + ": " + Database.describe(e), e);
        }
        var jdbi = Jdbi.create(pool);
        jdbi.registerArgument(new BooleanAsInteger());
        var db = Database.postgres(label, jdbi, pool);
        try {
            Migrations.applyPostgres(db.jdbi(), label);
        } catch (RuntimeException e) {
            db.close();
            if (e instanceof BadInputException) {
                throw e;
            }
            throw new ApmException("database " + label + ": " + Database.describe(e), e);
        }
        return db;
    }

    /** The URL without its query string (which might carry options an operator would rather not log). */
    static String label(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }

    /**
     * The servers of a {@code jdbc:postgresql://host:port,.../db} URL as {@code host:port} (port 5432 where none is
     * given): what an outage's log line names, without the database name, a user or the URL's parameters.
     */
    static String server(String url) {
        var rest = url.startsWith("jdbc:postgresql:") ? url.substring("jdbc:postgresql:".length()) : url;
        if (!rest.startsWith("//")) {
            return "localhost:5432"; // jdbc:postgresql:apm
        }
        rest = rest.substring(2);
        int end = rest.length();
        for (var stop : new char[] {'/', '?', '#'}) {
            int at = rest.indexOf(stop);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        var hosts = rest.substring(0, end);
        hosts = hosts.substring(hosts.lastIndexOf('@') + 1);
        var servers = new java.util.ArrayList<String>();
        for (var h : hosts.split(",", -1)) {
            if (h.isEmpty()) {
                h = "localhost";
            }
            boolean hasPort = h.startsWith("[") ? h.contains("]:") : h.contains(":");
            servers.add(hasPort ? h : h + ":5432");
        }
        return String.join(",", servers);
    }

    private static String password(Config.Database config) {
        if (config.passwordFile() == null) {
            return null; // a server that trusts this host (or a ~/.pgpass) needs none
        }
        try {
            var text = Files.readString(config.passwordFile(), StandardCharsets.UTF_8)
                    .strip();
            if (text.isEmpty()) {
                throw new BadInputException("database.password-file " + config.passwordFile() + " is empty");
            }
            return text;
        } catch (IOException e) {
            throw new BadInputException(
                    "database.password-file " + config.passwordFile() + " cannot be read: " + e.getMessage());
        }
    }

    static boolean answers(Jdbi jdbi) {
        try {
            return jdbi.withHandle(
                            h -> h.createQuery("SELECT 1").mapTo(Integer.class).one())
                    == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The SQLState of the first non-SQLite {@link SQLException} in the chain that has one (a pool timeout counts as 08000). */
    static Optional<String> sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLiteException) {
                return Optional.empty();
            }
            if (t instanceof SQLException s) {
                if (s.getSQLState() != null) {
                    return Optional.of(s.getSQLState());
                }
                if (s instanceof SQLTransientConnectionException) {
                    return Optional.of("08000");
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Failures that pass by themselves: the connection lost or refused (class 08), a serialization failure or
     * deadlock (40001, 40P01), the server shutting down, restarting or not ready (57P01-57P03), out of disk or
     * connection slots (class 53), a lock or statement timeout (55P03, 57014).
     */
    static boolean isTransient(String state) {
        return state.startsWith("08")
                || state.startsWith("53")
                || switch (state) {
                    case "40001", "40P01", "57P01", "57P02", "57P03", "55P03", "57014" -> true;
                    default -> false;
                };
    }

    /**
     * The database cannot be reached at all: the connection refused, lost or timed out (class 08, HikariCP's wait for
     * a connection included), or the server shutting down, crashed or not yet accepting connections (57P01-57P03).
     */
    static boolean isUnreachable(String state) {
        return state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03");
    }

    /** An operator's reading of an SQLState, or null to fall back to the driver's message. */
    static String describe(String state) {
        if (state.startsWith("08")) {
            return "cannot reach the PostgreSQL server (connection refused or lost)";
        }
        return switch (state) {
            case "57P01", "57P02", "57P03" -> "the PostgreSQL server is shutting down or starting up";
            case "53100" -> "the PostgreSQL server's disk is full";
            case "53300" -> "the PostgreSQL server has no connection slot left (max_connections)";
            case "40001" -> "a concurrent update got in the way (serialization failure)";
            case "40P01" -> "a deadlock with another transaction";
            case "28P01", "28000" ->
                "PostgreSQL refused the login (check database.username and database.password-file)";
            case "3D000" -> "the database named in database.url does not exist";
            default -> null;
        };
    }

    /** Binds Java booleans (boxed or not) as 0/1, as SQLite's driver does, into the INTEGER columns both schemas use. */
    private static final class BooleanAsInteger implements ArgumentFactory.Preparable {
        @Override
        public Optional<Function<Object, Argument>> prepare(Type type, ConfigRegistry config) {
            if (type != boolean.class && type != Boolean.class) {
                return Optional.empty();
            }
            return Optional.of(value -> value == null
                    ? (position, statement, ctx) -> statement.setNull(position, Types.INTEGER)
                    : (position, statement, ctx) -> statement.setInt(position, (Boolean) value ? 1 : 0));
        }
    }
}
