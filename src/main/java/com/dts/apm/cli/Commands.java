package com.dts.apm.cli;

import picocli.CommandLine;

/** The one list of subcommands, so adding one touches one line. */
final class Commands {
    private Commands() {}

    static void register(CommandLine root) {
        root.addSubcommand(new IntegrationsCommand());
        root.addSubcommand(new CheckCommand());
        root.addSubcommand(new HistoryCommand());
        root.addSubcommand(new StatusCommand());
        root.addSubcommand(new RunCommand());
        root.addSubcommand(new KeysCommand());
        root.addSubcommand(new AlertsCommand());
        root.addSubcommand(new DemoCommand());
        root.addSubcommand(new DbCommand());
        root.addSubcommand(new ApiTokensCommand());
        root.addSubcommand(new WebhooksCommand());
    }
}
