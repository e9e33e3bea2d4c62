package com.dts.apm.cli;

import com.dts.apm.BadInputException;
import com.dts.apm.app.Workspace;
import com.dts.apm.config.Config;
import com.dts.apm.store.Backup;
import com.dts.apm.store.Database;
import com.dts.apm.store.DatabaseCopy;
import com.dts.apm.store.Vault;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code db backup FILE}: database care that is safe while the daemon runs. */
@Command(
        name = "db",
        description = "Database care.",
        mixinStandardHelpOptions = true,
        subcommands = {DbCommand.BackupCommand.class, DbCommand.CopyCommand.class})
final class DbCommand {
    @ParentCommand
    RootCommand root;

    @Command(
            name = "backup",
            mixinStandardHelpOptions = true,
            description = {
                "Write a consistent copy of the database to FILE while the daemon keeps running.",
                "FILE must not exist; it is created owner-only (0600) and checked with PRAGMA integrity_check.",
                "Stored passwords stay sealed: back up the master key separately."
            })
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
            parent.root
                    .terminal
                    .out()
                    .printf(
                            "backed up %s to %s (%d bytes, integrity %s)%n",
                            parent.root
                                    .config()
                                    .database()
                                    .path()
                                    .toAbsolutePath()
                                    .normalize(),
                            r.file(),
                            r.bytes(),
                            r.integrity());
            return 0;
        }
    }

    @Command(
            name = "copy",
            mixinStandardHelpOptions = true,
            description = {
                "Copy this SQLite database into an empty PostgreSQL database, then point database.url at it.",
                "Every row is copied with its id in one transaction and each table's count is checked before the commit;",
                "a target that holds any row is refused. Stop the daemon first: what it writes meanwhile is not copied.",
                "The sealed passwords open there with the same master key."
            })
    static final class CopyCommand implements Callable<Integer> {
        @ParentCommand
        DbCommand parent;

        @Option(
                names = "--to",
                required = true,
                paramLabel = "URL",
                description = "jdbc:postgresql://HOST[:PORT]/DATABASE")
        String url;

        @Option(names = "--username", required = true, paramLabel = "USER")
        String username;

        @Option(
                names = "--password-file",
                paramLabel = "FILE",
                description = "The PostgreSQL password, alone in a file.")
        Path passwordFile;

        @Override
        public Integer call() {
            var root = parent.root;
            var config = root.config();
            if (config.database().postgres()) {
                throw new BadInputException(
                        "db copy reads the SQLite file; this config's database is already PostgreSQL");
            }
            var target = new Config.Database(null, url, username, passwordFile, 4);
            new Config(target, null, null, null, null, null, null, null, null, null, null, null, null)
                    .validate("db copy --to");
            try (var from = Database.open(config.database().path());
                    var to = Database.open(target)) {
                var counts = DatabaseCopy.copy(from, to);
                Vault.unlock(to, Workspace.keyFile(config, root.terminal.env()), false, Clock.systemUTC());
                for (var e : counts.entrySet()) {
                    root.terminal.out().printf("%-17s %d row(s)%n", e.getKey(), e.getValue());
                }
                root.terminal
                        .out()
                        .printf(
                                "copied %s to %s; the counts match and the master key opens it."
                                        + " Now set database.url (and username, password-file) to it.%n",
                                config.database().path().toAbsolutePath().normalize(), to.label());
            }
            return 0;
        }
    }
}
