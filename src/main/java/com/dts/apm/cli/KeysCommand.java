package com.dts.apm.cli;

import com.dts.apm.app.Workspace;
import com.dts.apm.store.Database;
import com.dts.apm.store.Vault;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code keys generate|rotate}: the master key file that seals the stored passwords. */
@Command(
        name = "keys",
        description = "Create or rotate the master key.",
        mixinStandardHelpOptions = true,
        subcommands = {KeysCommand.Generate.class, KeysCommand.Rotate.class})
final class KeysCommand {
    @ParentCommand
    RootCommand root;

    Path keyFile(Path override) {
        return override != null ? override : Workspace.keyFile(root.config(), root.terminal.env());
    }

    @Command(
            name = "generate",
            description = "Write a new master key file (refuses to overwrite one).",
            mixinStandardHelpOptions = true)
    static final class Generate implements Callable<Integer> {
        @ParentCommand
        KeysCommand parent;

        @Option(
                names = "--key-file",
                paramLabel = "FILE",
                description = "Where to write it (default: from the config).")
        Path keyFile;

        @Override
        public Integer call() {
            var file = parent.keyFile(keyFile);
            Vault.generate(file);
            parent.root.terminal.out().println(file.toAbsolutePath());
            parent.root
                    .terminal
                    .err()
                    .println("wrote a new master key to " + file.toAbsolutePath()
                            + " (owner-only); back it up apart from the database");
            return 0;
        }
    }

    @Command(
            name = "rotate",
            description = "Re-seal every stored password under a new key, in one transaction.",
            mixinStandardHelpOptions = true)
    static final class Rotate implements Callable<Integer> {
        @ParentCommand
        KeysCommand parent;

        @Option(
                names = "--key-file",
                paramLabel = "FILE",
                description =
                        "The key file to rotate (default: from the config; under systemd give the source file, not the credential).")
        Path keyFile;

        @Override
        public Integer call() {
            var file = parent.keyFile(keyFile);
            Vault.Rotation r;
            try (var db = Database.open(parent.root.config().database())) {
                r = Vault.rotate(db, file, Clock.systemUTC());
            }
            parent.root
                    .terminal
                    .out()
                    .printf(
                            "rotated %s: key version %d -> %d, %d password(s) re-sealed%n",
                            file, r.fromVersion(), r.toVersion(), r.resealed());
            return 0;
        }
    }
}
