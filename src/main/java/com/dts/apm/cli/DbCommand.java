package com.dts.apm.cli;

import com.dts.apm.BadInputException;
import com.dts.apm.store.Backup;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code db backup FILE}: database care that is safe while the daemon runs. */
@Command(name = "db", description = "Database care.", mixinStandardHelpOptions = true,
        subcommands = {DbCommand.BackupCommand.class})
final class DbCommand {
    @ParentCommand
    RootCommand root;

    @Command(name = "backup", mixinStandardHelpOptions = true,
            description = {"Write a consistent copy of the database to FILE while the daemon keeps running.",
                "FILE must not exist; it is created owner-only (0600) and checked with PRAGMA integrity_check.",
                "Stored passwords stay sealed: back up the master key separately."})
    static final class BackupCommand implements Callable<Integer> {
        @ParentCommand
        DbCommand parent;

        @Parameters(paramLabel = "FILE", description = "The backup file to create.")
        Path file;

        @Override
        public Integer call() {
            if (parent.root.config().database().postgres()) {
                throw new BadInputException("db backup copies the SQLite file; this database is PostgreSQL ("
                        + parent.root.config().database().url().replaceAll("\\?.*", "")
                        + "): back it up with pg_dump, e.g. pg_dump --format=custom --file=apm.dump DATABASE");
            }
            var r = Backup.copy(parent.root.config().database().path(), file);
            parent.root.terminal.out().printf("backed up %s to %s (%d bytes, integrity %s)%n",
                    parent.root.config().database().path().toAbsolutePath().normalize(), r.file(), r.bytes(), r.integrity());
            return 0;
        }
    }
}
