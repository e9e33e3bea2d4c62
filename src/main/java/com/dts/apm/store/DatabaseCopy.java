package com.dts.apm.store;

import com.dts.apm.BadInputException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * {@code db copy}: every row of the SQLite database into an empty PostgreSQL one, ids kept (a sealed password is
 * bound to its row id, so it opens there with the same key), in one transaction, each table's count checked before
 * the commit. A target that holds any row is refused.
 */
public final class DatabaseCopy {
    /** In the order foreign keys need; every table of the shared migrations. */
    static final List<String> TABLES = List.of(
            "dealer",
            "integration",
            "check_result",
            "state_transition",
            "alert_outbox",
            "key_check",
            "bouncing_address",
            "storm",
            "api_token",
            "webhook_event",
            "webhook_endpoint",
            "webhook_delivery",
            "reconnect_link");
    /** The tables whose id PostgreSQL numbers itself. */
    private static final List<String> WITH_IDENTITY = List.of(
            "integration",
            "check_result",
            "state_transition",
            "alert_outbox",
            "api_token",
            "webhook_event",
            "webhook_delivery",
            "reconnect_link");

    private static final int BATCH = 1000;

    private DatabaseCopy() {}

    /** Copies {@code from} (SQLite) into {@code to} (PostgreSQL); returns the rows copied per table. */
    public static Map<String, Long> copy(Database from, Database to) {
        if (from.dialect() != Dialect.SQLITE || to.dialect() != Dialect.POSTGRESQL) {
            throw new BadInputException("db copy copies an SQLite database into a PostgreSQL one");
        }
        var counts = new LinkedHashMap<String, Long>();
        to.jdbi().useTransaction(target -> {
            for (var table : TABLES) {
                long there = count(target, table);
                if (there > 0) {
                    throw new BadInputException("the target database " + to.label() + " is not empty (" + there
                            + " row(s) in " + table + "); db copy only fills an empty one");
                }
            }
            from.jdbi().useHandle(source -> {
                for (var table : TABLES) {
                    long n = copyTable(source, target, table);
                    long copied = count(target, table);
                    if (copied != n || count(source, table) != n) {
                        throw new IllegalStateException(
                                "copy of " + table + ": " + n + " row(s) read, " + copied + " in the target");
                    }
                    counts.put(table, n);
                }
            });
            for (var table : WITH_IDENTITY) {
                {
                    // identity columns go on after the copied ids
                    target.createQuery("SELECT setval(pg_get_serial_sequence('" + table
                                    + "', 'id'), COALESCE(max(id), 0) + 1, false)" + " FROM " + table)
                            .mapTo(Long.class)
                            .one();
                }
            }
        });
        return counts;
    }

    private static long count(Handle h, String table) {
        return h.createQuery("SELECT count(*) FROM " + table).mapTo(Long.class).one();
    }

    private static long copyTable(Handle source, Handle target, String table) {
        var columns = source.createQuery("SELECT name FROM pragma_table_info(:t) ORDER BY cid")
                .bind("t", table)
                .mapTo(String.class)
                .list();
        var insert = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                + String.join(", ", java.util.Collections.nCopies(columns.size(), "?")) + ")";
        long n = 0;
        try (var read = source.getConnection().createStatement();
                var rows = read.executeQuery("SELECT " + String.join(", ", columns) + " FROM " + table);
                var write = target.getConnection().prepareStatement(insert)) {
            int pending = 0;
            while (rows.next()) {
                for (int c = 1; c <= columns.size(); c++) {
                    var v = rows.getObject(c);
                    if (v == null) {
                        write.setNull(c, Types.NULL);
                    } else {
                        write.setObject(c, v);
                    }
                }
                write.addBatch();
                n++;
                if (++pending == BATCH) {
                    write.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                write.executeBatch();
            }
        } catch (java.sql.SQLException e) {
            throw new org.jdbi.v3.core.ConnectionException(e);
        }
        return n;
    }

    /** The tables copied, for a report. */
    public static List<String> tables() {
        return new ArrayList<>(TABLES);
    }
}
