package com.dts.apm.store;

import com.dts.apm.ApmException;
import com.dts.apm.BadInputException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.sqlite.SQLiteConfig;

/**
 * Online backup of the database with {@code VACUUM INTO}: one read transaction, so the copy is the
 * consistent state at its start while the daemon goes on writing (WAL lets readers and a writer
 * overlap). The copy is compact, owner-only, and checked with {@code PRAGMA integrity_check}.
 */
public final class Backup {
    private Backup() {}

    /** What was written. */
    public record Result(Path file, long bytes, String integrity) {}

    /**
     * Copies the database at {@code database} to {@code target}, which must not exist yet.
     *
     * @throws BadInputException when the target exists, its folder is missing, or the database is absent
     */
    public static Result copy(Path database, Path target) {
        var source = database.toAbsolutePath().normalize();
        var file = target.toAbsolutePath().normalize();
        if (!Files.isRegularFile(source)) {
            throw new BadInputException("database " + source + " does not exist; nothing to back up");
        }
        if (file.equals(source)) {
            throw new BadInputException("backup file " + file + " is the database itself");
        }
        reserve(file);
        try {
            // A plain connection: opening through Database would run migrations on the live file.
            try (var c = readOnly(source);
                    var ps = c.prepareStatement("VACUUM INTO ?")) {
                ps.setString(1, file.toString());
                ps.execute();
            }
            String integrity;
            try (var c = readOnly(file);
                    var st = c.createStatement();
                    var rs = st.executeQuery("PRAGMA integrity_check")) {
                integrity = rs.next() ? rs.getString(1) : "no answer";
            }
            if (!"ok".equals(integrity)) {
                throw new ApmException("backup " + file + " failed its integrity check: " + integrity);
            }
            return new Result(file, Files.size(file), integrity);
        } catch (SQLException | IOException | RuntimeException e) {
            deleteQuietly(file);
            if (e instanceof ApmException a) {
                throw a;
            }
            throw new ApmException("backup of " + source + " to " + file + " failed: " + Database.describe(e), e);
        }
    }

    private static Connection readOnly(Path file) throws SQLException {
        var config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(10_000);
        return DriverManager.getConnection("jdbc:sqlite:" + file, config.toProperties());
    }

    /** Creates the target empty and owner-only, so it is never readable by others, not even briefly. */
    private static void reserve(Path file) {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new BadInputException("backup file " + file + " already exists; refusing to overwrite it");
        } catch (NoSuchFileException e) {
            throw new BadInputException("backup folder " + file.getParent() + " does not exist");
        } catch (AccessDeniedException e) {
            throw new BadInputException("cannot create backup file " + file + ": permission denied");
        } catch (UnsupportedOperationException e) {
            throw new BadInputException("backup file " + file + " must be on a file system with POSIX permissions");
        } catch (IOException e) {
            throw new BadInputException("cannot create backup file " + file + ": " + e.getMessage());
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // the error being reported matters more
        }
    }
}
