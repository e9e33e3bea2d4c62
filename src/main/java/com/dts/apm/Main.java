package com.dts.apm;

import com.dts.apm.cli.RootCommand;

/** Entry point: hands the command line to picocli and exits with its code. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(RootCommand.execute(args, System.in, System.out, System.err, System.getenv()));
    }
}
