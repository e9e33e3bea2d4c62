package com.dts.apm.cli;

import picocli.CommandLine;

/** The one list of subcommands, so adding one touches one line. */
final class Commands {
    private Commands() {}

    static void register(CommandLine root) {
        // subcommands are added here as they are built
        root.addSubcommand(new AlertsCommand());
    }
}
